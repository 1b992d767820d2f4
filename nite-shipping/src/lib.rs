//! nite-shipping: providers for nite's `ShippingProvider` port.
//!
//! - [`TableRates`]: prices from a table the shop writes in TOML (zones, methods, weight brackets, free-shipping
//!   thresholds, handling fees); the reference shop's default, `rates/niteputter.toml`.
//!
//! A carrier API (rates and tracking over reqwest, with a fallback to table rates) arrives with the rest of the
//! shipping work.

mod table;

pub use table::{TableError, TableRates};
