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
//! ```no_run
//! # use std::sync::Arc;
//! # fn parts() -> (nite_core::ports::Stores, Arc<dyn nite_core::shipping::ShippingProvider>,
//! #     Arc<dyn nite_core::email::EmailSender>, nite_email::EmailSettings) { unimplemented!() }
//! # fn main() -> Result<(), nite_shop::ShopBuildError> {
//! let (stores, shipping, sender, email_settings) = parts();
//! let shop = nite_shop::Shop::builder()
//!     .stores(stores)
//!     .shipping(shipping)
//!     .email_sender(sender)
//!     .email_settings(email_settings)
//!     .build()?;
//! # Ok(()) }
//! ```

pub mod niteputter;
mod passwords;
mod shop;

pub use passwords::Argon2Passwords;
pub use shop::{Shop, ShopBuildError, ShopBuilder};
