//! A whole purchase with nite as a library and no HTTP at all: the services over a SQLite file, the test payment
//! provider and NitePutter's table rates. A guest buys two Pro lights and a Basic with code NITE10, pays, and the
//! order comes back `paid` with its confirmation email waiting in the outbox.
//!
//! Run with `cargo run -p nite-examples --example embedded_checkout`.

use std::sync::Arc;

use anyhow::{Context, ensure};
use nite_core::catalog::Sku;
use nite_core::order::OrderState;
use nite_core::outbox::OutboxStatus;
use nite_core::payment::{TestOutcome, TestPaymentProvider};
use nite_core::services::{
    CartService, CheckoutService, EventOutcome, IdempotencyKey, OrderService, PaymentEventService, ShopContext,
    ShopSettings, Viewer,
};
use nite_core::tax::CountryCode;
use nite_core::{Address, RandomIds, SystemClock, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The parts: a database, a payment provider, a shipping provider, a clock and ids.
    let dir = tempfile::tempdir()?;
    let database =
        nite_storage::Database::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display()), 4)
            .await?;
    database.migrate().await?;
    let ids = Arc::new(RandomIds);
    let payments = Arc::new(TestPaymentProvider::new(ids.clone()));
    let ctx = ShopContext {
        stores: database.stores(),
        payments: payments.clone(),
        shipping: Arc::new(nite_shipping::TableRates::niteputter()),
        clock: Arc::new(SystemClock),
        ids,
        settings: Arc::new(ShopSettings { tax_rules: seed::niteputter().tax_rules, ..ShopSettings::default() }),
    };
    seed::load(&ctx.stores).await?;

    // The guest's cart.
    let guest = Viewer::guest();
    let carts = CartService::new(ctx.clone());
    let cart = carts.create(&guest, None).await?.cart.id;
    carts.add_item(&cart, &guest, &Sku::new("NP-PRO-GRN")?, 2).await?;
    carts.add_item(&cart, &guest, &Sku::new("NP-BASIC-GRN")?, 1).await?;
    carts.add_code(&cart, &guest, "NITE10").await?;
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
    carts.set_addresses(&cart, &guest, "ada@example.com", address, None).await?;
    let rate = carts.shipping_options(&cart, &guest).await?.into_iter().next().context("a shipping rate")?;
    let view = carts.choose_shipping(&cart, &guest, &rate.id).await?;
    for (item, line) in view.items.iter().zip(&view.priced.lines) {
        println!("{:<32} x{} {:>10}", item.name, line.quantity, line.total.to_string());
    }
    for skipped in &view.priced.not_applied {
        let id = skipped.promotion_id.as_ref().map_or("(a code)", |id| id.as_str());
        println!("not applied: {id} ({})", skipped.reason.code());
    }

    // Checkout (idempotent under the key), then the provider's confirmation, as its webhook would deliver it.
    let key = IdempotencyKey { key: "embedded-1".into(), fingerprint: "checkout".into() };
    let placed = CheckoutService::new(ctx.clone()).checkout(&cart, &guest, Some(&key)).await?;
    let payment = placed.payment.as_ref().ok_or_else(|| anyhow::anyhow!("a priced order has a payment"))?;
    let event = payments.confirm(&payment.id, TestOutcome::Succeeded).await?;
    let outcome = PaymentEventService::new(ctx.clone()).handle(&event).await?;
    ensure!(outcome == EventOutcome::Applied(OrderState::Paid), "the payment should pay the order: {outcome:?}");
    let replay = PaymentEventService::new(ctx.clone()).handle(&event).await?;
    ensure!(replay == EventOutcome::Duplicate, "a replayed event changes nothing: {replay:?}");

    let order = OrderService::new(ctx.clone()).order(&placed.order.id, &guest, placed.access_token.as_deref()).await?;
    let t = &order.totals;
    println!("subtotal {} discount {} shipping {} tax {} total {}", t.subtotal, t.discount, t.shipping, t.tax, t.total);
    println!("order {} is {:?}", order.id, order.state());
    let pending = ctx.stores.outbox.outbox(Some(OutboxStatus::Pending), 10).await?;
    println!("{} email(s) waiting in the outbox for the worker", pending.len());
    ensure!(order.state() == OrderState::Paid && !pending.is_empty(), "the order is paid and its email queued");
    database.close().await;
    Ok(())
}
