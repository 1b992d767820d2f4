//! nite-shipping: providers for nite's `ShippingProvider` port.
//!
//! - [`TableRates`]: prices from a table the shop writes in TOML (zones, methods, weight brackets, free-shipping
//!   thresholds, handling fees); the reference shop's default, `rates/niteputter.toml`.
//! - `EasyPostCarrier` (feature `easypost`, on by default): live rates and tracking from EasyPost over reqwest, falling back to a table when
//!   EasyPost cannot answer.

#[cfg(feature = "easypost")]
mod easypost;
mod table;

#[cfg(feature = "easypost")]
pub use easypost::{EasyPostCarrier, EasyPostConfigError};
pub use table::{TableError, TableRates};
