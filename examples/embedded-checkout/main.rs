//! A whole purchase with nite as a library and no HTTP at all: `nite_shop::Shop` over a SQLite file, with the
//! NitePutter preset (its catalog, tax rules and rate table), the test payment provider and emails written as
//! `.eml` files. A guest buys two Pro lights and a Basic with code NITE10 and pays; the order comes back `paid`, a
//! replayed payment event changes nothing, and the outbox worker writes the confirmation email.
//!
//! This package depends on nite-core, nite-shop, nite-storage and nite-email only: `cargo tree -p
//! embedded-checkout` shows no web crate (no axum, hyper, tower or reqwest; a tidy test checks it).
//!
//! Run with `cargo run -p embedded-checkout`.

use std::sync::Arc;

use anyhow::{Context, ensure};
use nite_core::Address;
use nite_core::catalog::Sku;
use nite_core::order::OrderState;
use nite_core::payment::TestOutcome;
use nite_core::services::{EventOutcome, IdempotencyKey, Viewer};
use nite_core::tax::CountryCode;
use nite_email::{FileEmailSender, WorkerOptions};
use nite_shop::niteputter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The shop: a database, and the preset with an email sender.
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let database = nite_storage::Database::connect(&url, 4).await?;
    database.migrate().await?;
    let shop = niteputter::builder(database.stores(), "https://shop.example")
        .email_sender(Arc::new(FileEmailSender::new(dir.path().join("mail"))?))
        .build()?;
    niteputter::seed_if_empty(&shop.ctx.stores).await?;

    // The guest's cart.
    let guest = Viewer::guest();
    let cart = shop.carts.create(&guest, None).await?.cart.id;
    shop.carts.add_item(&cart, &guest, &Sku::new("NP-PRO-GRN")?, 2).await?;
    shop.carts.add_item(&cart, &guest, &Sku::new("NP-BASIC-GRN")?, 1).await?;
    shop.carts.add_code(&cart, &guest, "NITE10").await?;
    let address = Address {
        name: "Ada Lovelace".into(),
        line1: "1 Market St".into(),
        line2: None,
        city: "San Francisco".into(),
        region: Some("CA".into()),
        postal_code: "94105".into(),
        country: CountryCode::new("US")?,
        phone: None,
    };
    shop.carts.set_addresses(&cart, &guest, "ada@example.com", address, None).await?;
    let rate = shop.carts.shipping_options(&cart, &guest).await?.into_iter().next().context("a shipping rate")?;
    let view = shop.carts.choose_shipping(&cart, &guest, &rate.id).await?;
    for (item, line) in view.items.iter().zip(&view.priced.lines) {
        println!("{:<32} x{} {:>10}", item.name, line.quantity, line.total.to_string());
    }
    for skipped in &view.priced.not_applied {
        let id = skipped.promotion_id.as_ref().map_or("(a code)", |id| id.as_str());
        println!("not applied: {id} ({})", skipped.reason.code());
    }

    // Checkout (idempotent under the key), then the provider's confirmation, as its webhook would deliver it.
    let key = IdempotencyKey { key: "embedded-1".into(), fingerprint: "checkout".into() };
    let placed = shop.checkout.checkout(&cart, &guest, Some(&key)).await?;
    let payment = placed.payment.as_ref().context("a priced order has a payment")?;
    let payments = shop.test_payments.as_ref().context("the test provider is the default")?;
    let event = payments.confirm(&payment.id, TestOutcome::Succeeded).await?;
    let outcome = shop.payment_events.handle(&event).await?;
    ensure!(outcome == EventOutcome::Applied(OrderState::Paid), "the payment should pay the order: {outcome:?}");
    let replay = shop.payment_events.handle(&event).await?;
    ensure!(replay == EventOutcome::Duplicate, "a replayed event changes nothing: {replay:?}");

    let order = shop.orders.order(&placed.order.id, &guest, placed.access_token.as_deref()).await?;
    let t = &order.totals;
    println!("subtotal {} discount {} shipping {} tax {} total {}", t.subtotal, t.discount, t.shipping, t.tax, t.total);
    println!("order {} is {:?}", order.id, order.state());
    ensure!(order.state() == OrderState::Paid, "the order is paid");

    // One pass of the outbox worker sends the confirmation: a `.eml` file in `mail/`.
    let pass = shop.outbox_worker(WorkerOptions::default()).run_once().await?;
    let files = std::fs::read_dir(dir.path().join("mail"))?.count();
    println!("the outbox worker sent {} email(s): {files} file(s) in mail/", pass.sent);
    ensure!(pass.sent >= 1 && files >= 1, "the order confirmation was sent: {pass:?}");
    database.close().await;
    Ok(())
}
