//! nite-payments: payment providers for nite's `PaymentProvider` port.
//!
//! - [`StripePaymentProvider`]: Stripe PaymentIntents and Refunds over async-stripe, every create under an
//!   idempotency key derived from the order (a retried checkout never charges twice), transient failures retried
//!   under the same key, the API base configurable for a local fake.
//! - [`webhook`]: Stripe's webhook signature scheme (HMAC-SHA256 over `"{t}.{raw body}"` with the whole `whsec_`
//!   secret; any `v1` of any active secret; constant-time; old timestamps refused).
//! - [`TestPaymentProvider`]: the built-in provider for development and tests (no keys, no network), defined in
//!   nite-core so that the core's own tests can use it, and re-exported here beside Stripe.
//!
//! Stripe's webhook signatures, made and checked:
//!
//! ```
//! use nite_payments::webhook::{SignatureError, sign, verify};
//!
//! let (secret, body, at) = ("whsec_test", br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#, 1_780_315_200);
//! let header = sign(body, secret, at);
//! assert_eq!(verify(body, Some(&header), &[secret.to_owned()], 300, at + 10), Ok(()));
//! assert!(verify(b"{}", Some(&header), &[secret.to_owned()], 300, at + 10).is_err(), "another body");
//! assert!(matches!(verify(body, None, &[secret.to_owned()], 300, at), Err(SignatureError::Missing)));
//! ```

mod event;
mod stripe;
pub mod webhook;

pub use event::parse as parse_stripe_event;
pub use nite_core::payment::{TestOutcome, TestPaymentProvider};
pub use stripe::{StripeConfigBuilder, StripeConfigError, StripePaymentProvider};
