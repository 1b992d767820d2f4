//! nite-shipping: providers for nite's `ShippingProvider` port.
//!
//! - [`TableRates`]: prices from a table the shop writes in TOML (zones, methods, weight brackets, free-shipping
//!   thresholds, handling fees); the reference shop's default, `rates/niteputter.toml`.
//! - `EasyPostCarrier` (feature `easypost`, on by default): live rates and tracking from EasyPost over reqwest, falling back to a table when
//!   EasyPost cannot answer.
//!
//! Quoting from a table:
//!
//! ```
//! use nite_core::catalog::Sku;
//! use nite_core::shipping::{QuoteRequest, ShipItem, ShippingProvider};
//! use nite_core::{Address, Currency, Money};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let table = nite_shipping::TableRates::from_toml(r#"
//!     currency = "USD"
//!     [[zones]]
//!     name = "us"
//!     countries = ["US"]
//!       [[zones.methods]]
//!       method = "standard"
//!       name = "Standard"
//!       carrier = "USPS"
//!       flat = "5.99"
//!       free_above = "100.00"
//! "#)?;
//! let item = ShipItem { sku: Sku::new("NP-PRO-GRN")?, quantity: 1, weight_grams: 400, dimensions: None };
//! let destination = Address {
//!     name: "Ada".into(), line1: "1 Market St".into(), line2: None, city: "San Francisco".into(),
//!     region: Some("CA".into()), postal_code: "94105".into(), country: nite_core::tax::CountryCode::new("US")?, phone: None,
//! };
//! let request = QuoteRequest {
//!     items: vec![item],
//!     destination,
//!     currency: Currency::USD,
//!     subtotal: Money::from_minor(8999, Currency::USD),
//! };
//! let rates = table.quote(&request).await?;
//! assert_eq!(rates[0].amount.to_string(), "5.99 USD");
//! # Ok(()) }
//! ```

#[cfg(feature = "easypost")]
mod easypost;
mod table;

#[cfg(feature = "easypost")]
pub use easypost::{EasyPostCarrier, EasyPostConfigError};
pub use table::{TableError, TableRates};
