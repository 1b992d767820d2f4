//! Payment adapters for nite's `PaymentProvider` port (Stripe, and a built-in test provider).
//!
//! Nothing lives here yet: the port and its adapters arrive with the payments work.
