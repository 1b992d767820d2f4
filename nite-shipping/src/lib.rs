//! Shipping adapters for nite's `ShippingProvider` port (table rates, and a carrier API).
//!
//! Nothing lives here yet: the port and its adapters arrive with the shipping work.
