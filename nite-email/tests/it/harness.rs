//! An order worth emailing about; the SMTP sink comes from nite-email's `testing` feature.

use std::sync::Arc;

use nite_core::contract::Fixture;
use nite_core::email::Mailbox;
use nite_core::order::Order;
use nite_core::ports::Stores;
use nite_core::services::Viewer;
use nite_core::testing::InMemoryStore;
use nite_core::{CustomerId, Email};
use nite_email::EmailSettings;
pub(crate) use nite_email::testing::{SmtpSink, header, read_maildir};

pub(crate) fn settings() -> EmailSettings {
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: Email::parse("orders@niteputter.example").unwrap() },
        reply_to: Some(Mailbox { name: None, email: Email::parse("help@niteputter.example").unwrap() }),
        shop_name: "NitePutter".into(),
        shop_url: "https://niteputter.example".into(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}

/// A shop with one order paid, shipped with USPS, and its outbox (confirmation and shipping emails).
pub(crate) async fn shop_with_order() -> (Fixture, Stores, Order) {
    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    let f = Fixture::new(&stores);
    f.seed().await;
    let cart = f.ready_cart(&[("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)], &["NITE10"]).await;
    let placed = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap();
    let payment = placed.order.payment.payment_id.clone().unwrap();
    let event = f.provider.confirm(&payment, nite_core::payment::TestOutcome::Succeeded).await.unwrap();
    f.payments.handle(&event).await.unwrap();
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
    let order = f.fulfilment.ship(&placed.order.id, &admin, "USPS", "9400 1000 0000 0000 0000 00").await.unwrap();
    (f, stores, order)
}
