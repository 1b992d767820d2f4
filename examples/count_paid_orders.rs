//! A Rust subscriber to the shop's domain events that counts paid orders exactly once, though events reach it at
//! least once. Three guests buy and pay over a SQLite file; every payment webhook is replayed (the shop applies it
//! once, so no second `order.paid` is written); and the subscriber "crashes" after counting each event's first
//! delivery but before acknowledging it, so the dispatcher hands every event over again. It deduplicates on the
//! event id and counts three.
//!
//! Run with `cargo run -p nite-examples --example count_paid_orders`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, ensure};
use async_trait::async_trait;
use nite_core::catalog::Sku;
use nite_core::events::{DomainEvent, EventData, EventType};
use nite_core::payment::TestOutcome;
use nite_core::services::{DispatchOptions, EventOutcome, EventSubscriber, Viewer};
use nite_core::{EventId, Money};

/// Counts paid orders and their revenue. A real one would record the event id in its own database, in the same
/// transaction as its effect (a unique key makes the second insert fail); a set in memory stands in for that.
#[derive(Default)]
struct PaidOrders {
    seen: Mutex<HashSet<EventId>>,
    counted: AtomicU32,
    handed_over: AtomicU32,
    revenue: Mutex<Option<Money>>,
}

#[async_trait]
impl EventSubscriber for PaidOrders {
    fn name(&self) -> &str {
        "paid-orders"
    }

    fn types(&self) -> Vec<EventType> {
        vec![EventType::OrderPaid]
    }

    async fn handle(&self, event: &DomainEvent) -> nite_core::Result<()> {
        self.handed_over.fetch_add(1, Ordering::SeqCst);
        let EventData::OrderPaid { total, .. } = &event.data else { return Ok(()) };
        let first = self
            .seen
            .lock()
            .map_err(|_| nite_core::Error::adapter("paid orders", "poisoned"))?
            .insert(event.id.clone());
        if first {
            self.counted.fetch_add(1, Ordering::SeqCst);
            let mut revenue = self.revenue.lock().map_err(|_| nite_core::Error::adapter("paid orders", "poisoned"))?;
            *revenue = Some(match *revenue {
                Some(sum) => sum.checked_add(*total).map_err(|e| nite_core::Error::adapter("adding revenue", e))?,
                None => *total,
            });
            // The crash: counted, but the acknowledgement never reaches the dispatcher. It delivers again.
            return Err(nite_core::Error::adapter("paid orders", "crashed before acknowledging"));
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database =
        nite_storage::Database::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display()), 4)
            .await?;
    database.migrate().await?;
    let counter = Arc::new(PaidOrders::default());
    let shop = nite_shop::niteputter::builder(database.stores(), "https://shop.example")
        .email_sender(Arc::new(nite_email::FileEmailSender::new(dir.path().join("mail"))?))
        .subscriber(counter.clone())
        .build()?;
    nite_shop::niteputter::seed_if_empty(&shop.ctx.stores).await?;
    let options = DispatchOptions { backoff: time::Duration::milliseconds(10), ..DispatchOptions::default() };
    let dispatcher = shop.event_dispatcher(options);
    dispatcher.register().await?;

    let payments = shop.test_payments.as_ref().context("the test provider")?;
    for n in 0..3 {
        let guest = Viewer::guest();
        let cart = shop.carts.create(&guest, None).await?.cart.id;
        shop.carts.add_item(&cart, &guest, &Sku::new("NP-BASIC-GRN")?, 1 + n).await?;
        shop.carts.set_addresses(&cart, &guest, &format!("guest{n}@example.com"), address()?, None).await?;
        let rate = shop.carts.shipping_options(&cart, &guest).await?.into_iter().next().context("a rate")?;
        shop.carts.choose_shipping(&cart, &guest, &rate.id).await?;
        let placed = shop.checkout.checkout(&cart, &guest, None).await?;
        let payment = placed.payment.as_ref().context("a payment")?;
        let event = payments.confirm(&payment.id, TestOutcome::Succeeded).await?;
        for _ in 0..3 {
            // The provider's webhook, delivered three times: applied once.
            shop.payment_events.handle(&event).await?;
        }
        ensure!(shop.payment_events.handle(&event).await? == EventOutcome::Duplicate, "a replay changes nothing");
    }

    // Dispatch until nothing is left: every event fails once (the crash), then is delivered.
    for _ in 0..50 {
        let pass = dispatcher.run_once().await?;
        if pass.fanned_out == 0 && pass.delivered + pass.retried + pass.dead == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (counted, handed_over) = (counter.counted.load(Ordering::SeqCst), counter.handed_over.load(Ordering::SeqCst));
    let revenue = counter.revenue.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.map(|m| m.to_string());
    println!("order.paid handed over {handed_over} times; paid orders counted: {counted}; revenue {revenue:?}");
    ensure!(counted == 3, "each paid order counted once, whatever the replays: {counted}");
    ensure!(handed_over == 6, "each event handed over twice (the crash, then the retry): {handed_over}");
    database.close().await;
    Ok(())
}

fn address() -> anyhow::Result<nite_core::Address> {
    Ok(nite_core::Address {
        name: "Ada Lovelace".into(),
        line1: "1 Market St".into(),
        line2: None,
        city: "San Francisco".into(),
        region: Some("CA".into()),
        postal_code: "94105".into(),
        country: nite_core::tax::CountryCode::new("US")?,
        phone: None,
    })
}
