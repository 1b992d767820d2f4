//! The NitePutter preset: everything that makes the reference shop NitePutter rather than any shop, in one
//! explicit place. The `niteputter` binary and the examples start from [`builder`]; a shop of one's own starts
//! from [`Shop::builder`] and chooses each part instead.
//!
//! - [`settings`]: US dollars and a few US states' sales taxes ([`nite_core::seed`]'s tax rules).
//! - [`shipping`]: NitePutter's rate table (`TableRates::niteputter`).
//! - [`email_settings`]: the name, sender and support addresses its emails carry.
//! - [`seed_if_empty`]: its catalog (Basic, Pro and Complete System), stock and promotions, loaded once.
//! - [`ship_from`]: where its parcels leave from, for carriers' quotes.

use std::sync::Arc;

use nite_core::email::Mailbox;
use nite_core::ports::Stores;
use nite_core::services::ShopSettings;
use nite_core::tax::CountryCode;
use nite_core::{Address, Email};
use nite_email::EmailSettings;
use nite_shipping::TableRates;

use crate::shop::{Shop, ShopBuilder};

/// A builder with NitePutter's settings, rate table and email settings (its URL `shop_url`) over `stores`. Still to
/// choose: the email sender (and, if not the test provider, the payment provider).
pub fn builder(stores: Stores, shop_url: &str) -> ShopBuilder {
    Shop::builder()
        .stores(stores)
        .settings(settings())
        .shipping(Arc::new(shipping()))
        .email_settings(email_settings(shop_url))
}

/// NitePutter's settings: the defaults, with its tax rules.
pub fn settings() -> ShopSettings {
    ShopSettings { tax_rules: nite_core::seed::niteputter().tax_rules, ..ShopSettings::default() }
}

/// NitePutter's rate table.
pub fn shipping() -> TableRates {
    TableRates::niteputter()
}

/// What NitePutter's emails say about it; links point at `shop_url`.
pub fn email_settings(shop_url: &str) -> EmailSettings {
    let email = |address: &str| Email::parse(address).unwrap_or_else(|_| unreachable!("{address} is an address"));
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: email("orders@niteputter.example") },
        reply_to: Some(Mailbox { name: None, email: email("help@niteputter.example") }),
        shop_name: "NitePutter".into(),
        shop_url: shop_url.trim_end_matches('/').to_owned(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}

/// Loads NitePutter's catalog, stock and promotions into an empty shop, and only an empty one (see
/// [`nite_core::seed::load_if_empty`]). Returns whether it seeded.
pub async fn seed_if_empty(stores: &Stores) -> nite_core::Result<bool> {
    nite_core::seed::load_if_empty(stores).await
}

/// Where NitePutter's parcels leave from, for carriers' quotes.
pub fn ship_from() -> Address {
    Address {
        name: "NitePutter Fulfilment".to_owned(),
        line1: "100 Fairway Dr".to_owned(),
        line2: None,
        city: "Austin".to_owned(),
        region: Some("TX".to_owned()),
        postal_code: "78701".to_owned(),
        country: CountryCode::new("US").unwrap_or_else(|_| unreachable!("US is a country code")),
        phone: None,
    }
}
