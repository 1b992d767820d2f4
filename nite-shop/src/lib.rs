//! nite-shop: the composed nite shop, with no web dependency. [`Shop`] holds the services of `nite_core` over its
//! ports (stores, payments, shipping, email, passwords, clock, ids); [`ShopBuilder`] chooses each of them, and
//! [`niteputter`] is the reference shop's complete choice. A CLI, a job, or a server in any web framework embeds
//! checkout with it; `nite-http` serves it over HTTP.
//!
//! ```
//! use std::sync::Arc;
//!
//! use nite_core::catalog::Sku;
//! use nite_core::ports::Stores;
//! use nite_core::services::Viewer;
//! use nite_core::testing::InMemoryStore;
//! use nite_email::FileEmailSender;
//! use nite_shop::niteputter;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Any store: `nite_storage::Database` for SQLite or PostgreSQL, here the in-memory one.
//! let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
//! let mail = std::env::temp_dir().join(format!("nite-shop-doc-{}", std::process::id()));
//! let shop = niteputter::builder(stores, "https://shop.example")
//!     .email_sender(Arc::new(FileEmailSender::new(&mail)?))
//!     .build()?;
//! niteputter::seed_if_empty(&shop.ctx.stores).await?;
//!
//! let guest = Viewer::guest();
//! let cart = shop.carts.create(&guest, None).await?.cart.id;
//! let view = shop.carts.add_item(&cart, &guest, &Sku::new("NP-PRO-GRN")?, 2).await?;
//! assert_eq!(view.priced.totals.subtotal.to_string(), "179.98 USD"); // two Pro lights at $89.99
//! # std::fs::remove_dir_all(&mail)?;
//! # Ok(()) }
//! ```
//!
//! Without the preset, a shop names every part it cannot default neutrally:
//!
//! ```
//! # use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let stores = nite_core::ports::Stores::from_store(Arc::new(nite_core::testing::InMemoryStore::new()));
//! # let mail = std::env::temp_dir().join(format!("nite-shop-doc-b-{}", std::process::id()));
//! let shipping = nite_shipping::TableRates::from_toml(
//!     "currency = \"USD\"\n[[zones]]\nname = \"all\"\ncountries = [\"*\"]\n[[zones.methods]]\n\
//!      method = \"standard\"\nname = \"Standard\"\ncarrier = \"USPS\"\nflat = \"4.00\"\n",
//! )?;
//! let mut email_settings = nite_shop::niteputter::email_settings("https://lamps.example");
//! email_settings.shop_name = "Lamps".into();
//! let shop = nite_shop::Shop::builder()
//!     .stores(stores)
//!     .shipping(Arc::new(shipping))
//!     .email_sender(Arc::new(nite_email::FileEmailSender::new(&mail)?))
//!     .email_settings(email_settings)
//!     .build()?;
//! assert!(shop.ctx.settings.tax_rules == nite_core::tax::TaxRules::none(), "no tax rules unless given");
//! // Forgetting a part is an error that names the call, not a default that sells the wrong shop.
//! let missing = nite_shop::Shop::builder().build().err().map(|e| e.to_string());
//! assert_eq!(missing.as_deref(), Some("a shop needs its stores: call ShopBuilder::stores"));
//! # std::fs::remove_dir_all(&mail)?;
//! # Ok(()) }
//! ```

pub mod niteputter;
mod passwords;
mod shop;

pub use passwords::Argon2Passwords;
pub use shop::{Shop, ShopBuildError, ShopBuilder};
