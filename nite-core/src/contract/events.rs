//! Contract suites for domain events: written with their change or not at all, fanned out once per consumer, and
//! leased so that concurrent dispatchers deliver each event once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::join_all;
use rust_decimal::Decimal;
use time::Duration;

use crate::contract::{Fixture, address, sku};
use crate::customer::{PasswordHash, Role};
use crate::error::Error;
use crate::events::{ConsumerTarget, DeliveryStatus, DomainEvent, EventConsumer, EventData, EventType};
use crate::payment::TestOutcome;
use crate::ports::Stores;
use crate::services::{DispatchOptions, EventDispatcher, EventSubscriber, NewReview, Viewer};
use crate::{CustomerId, EventId, OrderId};

fn consumer(id: &str, types: &[EventType], enabled: bool, at: time::OffsetDateTime) -> EventConsumer {
    EventConsumer {
        id: id.to_owned(),
        types: types.to_vec(),
        enabled,
        target: ConsumerTarget::Subscriber,
        created_at: at,
    }
}

/// The types of the events a consumer was given, oldest first.
async fn delivered_types(stores: &Stores, consumer: &str) -> Vec<EventType> {
    let mut deliveries = stores.events.deliveries(consumer, crate::ports::Limit::MAX).await.unwrap();
    deliveries.reverse();
    deliveries.iter().map(|d| d.event.event_type()).collect()
}

/// Every change the shop makes writes its event in the same transaction: a journey through registration,
/// checkout, payment, shipping, delivery, refund, review, cancellation and stock running low leaves exactly its
/// events, in order; a change that fails leaves none; each consumer gets the types it takes, once.
pub async fn domain_events(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let now = f.clock.now();
    stores.events.save_consumer(&consumer("sub:all", &[], true, now)).await.unwrap();
    stores.events.save_consumer(&consumer("sub:paid", &[EventType::OrderPaid], true, now)).await.unwrap();
    stores.events.save_consumer(&consumer("sub:off", &[], false, now)).await.unwrap();
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());

    let ada = f.customers.register("ada@example.com", "Ada", PasswordHash("x".into()), Role::Customer).await.unwrap();
    let me = Viewer::customer(ada.id.clone());
    let cart = f.carts.create(&me, None).await.unwrap().cart.id;
    f.carts.add_item(&cart, &me, &sku("NP-PRO-GRN"), 1).await.unwrap();
    f.carts.set_addresses(&cart, &me, "ada@example.com", address(), None).await.unwrap();
    f.carts.choose_shipping(&cart, &me, "flat:standard").await.unwrap();
    let placed = f.checkout.checkout(&cart, &me, None).await.unwrap();
    let payment = placed.payment.as_ref().unwrap().id.clone();
    f.payments.handle(&f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    let order = placed.order.id.clone();
    f.fulfilment.ship(&order, &admin, "USPS", "9400111899223344556677").await.unwrap();
    f.fulfilment.deliver(&order, &admin).await.unwrap();
    f.fulfilment.refund(&order, &admin, Decimal::new(1000, 2), "scuffed").await.unwrap();
    let review = NewReview { rating: 5, title: "Bright".into(), body: "Putting after dark.".into() };
    f.reviews.write(&me, "niteputter-pro", review.clone()).await.unwrap();
    assert!(matches!(f.reviews.write(&me, "niteputter-pro", review).await, Err(Error::AlreadyReviewed)));

    let guest = Viewer::guest();
    let basic = f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await;
    let unpaid = f.checkout.checkout(&basic, &guest, None).await.unwrap().order.id;
    f.fulfilment.cancel(&unpaid, &admin, "changed their mind").await.unwrap();
    // 25 Complete Systems on hand: 21 leave 4, at or below the low-stock level of 5.
    let many = f.ready_cart(&[("NP-COMPLETE", 21)], &[]).await;
    let bulk = f.checkout.checkout(&many, &guest, None).await.unwrap().order.id;
    // A checkout that fails writes nothing, its events included.
    let five = f.ready_cart(&[("NP-COMPLETE", 5)], &[]).await;
    let failed = f.checkout.checkout(&five, &guest, None).await;
    assert!(matches!(failed, Err(Error::InsufficientStock { available: 4, .. })), "{failed:?}");

    let mut fanned = 0;
    loop {
        let n = stores.events.fan_out(f.clock.now(), 4).await.unwrap();
        if n == 0 {
            break;
        }
        fanned += n;
    }
    use EventType::*;
    let expected = [
        CustomerRegistered,
        OrderPlaced,
        OrderPaid,
        OrderShipped,
        OrderDelivered,
        OrderRefunded,
        ReviewSubmitted,
        OrderPlaced,
        OrderCancelled,
        OrderPlaced,
        StockLow,
    ];
    assert_eq!(fanned, u32::try_from(expected.len()).unwrap(), "every event fanned out once");
    assert_eq!(delivered_types(stores, "sub:all").await, expected);
    assert_eq!(delivered_types(stores, "sub:paid").await, [OrderPaid]);
    assert!(delivered_types(stores, "sub:off").await.is_empty(), "a disabled consumer takes nothing new");
    assert_eq!(stores.events.fan_out(f.clock.now(), 100).await.unwrap(), 0, "fanning out again does nothing");
    assert_eq!(stores.events.deliveries("sub:all", crate::ports::Limit::MAX).await.unwrap().len(), expected.len());

    // The events carry their facts.
    let all = stores.events.deliveries("sub:all", crate::ports::Limit::MAX).await.unwrap();
    let data: Vec<&EventData> = all.iter().rev().map(|d| &d.event.data).collect();
    assert!(
        matches!(data[2], EventData::OrderPaid { order_id, total } if *order_id == order && *total == placed.order.totals.total)
    );
    assert!(
        matches!(data[3], EventData::OrderShipped { tracking_number, .. } if tracking_number == "9400111899223344556677")
    );
    assert!(matches!(data[5], EventData::OrderRefunded { amount, .. } if amount.amount() == Decimal::new(1000, 2)));
    assert!(matches!(data[8], EventData::OrderCancelled { order_id } if *order_id == unpaid));
    assert!(matches!(data[9], EventData::OrderPlaced { order_id, customer_id: None, .. } if *order_id == bulk));
    assert!(
        matches!(data[10], EventData::StockLow { sku: s, available: 4, low_stock_at: 5 } if s.as_str() == "NP-COMPLETE")
    );
    let ids: std::collections::HashSet<&EventId> = all.iter().map(|d| &d.event.id).collect();
    assert_eq!(ids.len(), all.len(), "event ids are unique");
}

/// Deliveries are leased: concurrent fan-outs create each delivery once, concurrent claims never share one, a
/// failure is retried only when due and counted, a lease that runs out lets another worker take the delivery, and
/// removing a consumer drops what it had not received.
pub async fn event_deliveries(stores: &Stores) {
    let f = Fixture::new(stores);
    let now = f.clock.now();
    let events = &stores.events;
    events.save_consumer(&consumer("sub:a", &[], true, now)).await.unwrap();
    let event = |n: u32| DomainEvent {
        id: EventId::parse(&format!("evt_{n}")).unwrap(),
        at: now,
        data: EventData::OrderDelivered { order_id: OrderId::parse(&format!("ord_{n}")).unwrap() },
    };
    let published: Vec<DomainEvent> = (1..=6).map(event).collect();
    events.publish(&published).await.unwrap();
    events.publish(&published[..1]).await.unwrap();
    let fanned = join_all((0..4).map(|_| events.fan_out(now, 100))).await;
    assert!(fanned.iter().all(Result::is_ok), "{fanned:?}");
    assert_eq!(
        events.deliveries("sub:a", crate::ports::Limit::MAX).await.unwrap().len(),
        6,
        "one delivery per event, however many fan out"
    );
    assert_eq!(events.consumer("sub:a").await.unwrap().map(|c| c.id), Some("sub:a".to_owned()));
    assert_eq!(events.consumer("sub:none").await.unwrap(), None);

    // Concurrent claims never share a delivery; oldest event first.
    let mine = ["sub:a".to_owned()];
    let claims = join_all((0..4).map(|w| {
        let (worker, mine) = (format!("w{w}"), &mine);
        async move { events.claim_deliveries(mine, &worker, now, Duration::minutes(1), 2).await.unwrap() }
    }))
    .await;
    let mut claimed: Vec<i64> = claims.iter().flatten().map(|d| d.id).collect();
    claimed.sort_unstable();
    claimed.dedup();
    assert_eq!(claimed.len(), 6, "{claims:?}");
    assert_eq!(claims.iter().flatten().count(), 6, "no delivery claimed twice");
    let holder = |id: i64| claims.iter().position(|c| c.iter().any(|d| d.id == id)).map(|w| format!("w{w}")).unwrap();
    let first = claims.iter().flatten().find(|d| d.event.id.as_str() == "evt_1").unwrap().clone();
    assert_eq!(first.attempts, 1);

    // Only the holder settles a delivery.
    let other = if holder(first.id) == "w0" { "w1" } else { "w0" };
    assert!(!events.delivery_done(first.id, other, now).await.unwrap());
    assert!(events.delivery_done(first.id, &holder(first.id), now).await.unwrap());
    assert!(!events.delivery_done(first.id, &holder(first.id), now).await.unwrap(), "settled once");

    // A failure waits for its retry time; giving up is final.
    let second = claims.iter().flatten().find(|d| d.event.id.as_str() == "evt_2").unwrap().clone();
    let third = claims.iter().flatten().find(|d| d.event.id.as_str() == "evt_3").unwrap().clone();
    let retry = now + Duration::minutes(5);
    assert!(events.delivery_failed(second.id, &holder(second.id), "HTTP 500", Some(retry)).await.unwrap());
    assert!(events.delivery_failed(third.id, &holder(third.id), "HTTP 410", None).await.unwrap());
    let later = now + Duration::minutes(2);
    let again = events.claim_deliveries(&mine, "w9", later, Duration::minutes(1), 10).await.unwrap();
    let again_ids: Vec<&str> = again.iter().map(|d| d.event.id.as_str()).collect();
    // The other three were leased until now + 1 min: their leases ran out, as if their workers had crashed.
    assert_eq!(again_ids, ["evt_4", "evt_5", "evt_6"], "not the delivered, the dead, or the one not due yet");
    assert!(again.iter().all(|d| d.attempts == 2), "a claim counts an attempt");
    let stale = claims.iter().flatten().find(|d| d.event.id.as_str() == "evt_4").unwrap();
    assert!(!events.delivery_done(stale.id, &holder(stale.id), later).await.unwrap(), "the old lease is void");
    let due = events.claim_deliveries(&mine, "w9", retry, Duration::minutes(1), 10).await.unwrap();
    let due: Vec<(&str, u32)> = due.iter().map(|d| (d.event.id.as_str(), d.attempts)).collect();
    assert!(due.contains(&("evt_2", 2)), "retried when due: {due:?}");

    let listed = events.deliveries("sub:a", crate::ports::Limit::MAX).await.unwrap();
    let status = |id: &str| listed.iter().find(|d| d.event.id.as_str() == id).unwrap();
    assert_eq!(listed[0].event.id.as_str(), "evt_6", "newest first");
    assert_eq!(status("evt_1").status, DeliveryStatus::Delivered);
    assert_eq!(status("evt_1").delivered_at, Some(now));
    assert_eq!(status("evt_3").status, DeliveryStatus::Dead);
    assert_eq!(status("evt_3").last_error.as_deref(), Some("HTTP 410"));

    assert!(events.delete_consumer("sub:a").await.unwrap());
    assert!(!events.delete_consumer("sub:a").await.unwrap());
    assert!(events.consumers().await.unwrap().is_empty());
    assert!(events.claim_deliveries(&mine, "w9", retry, Duration::minutes(1), 10).await.unwrap().is_empty());
}

/// Counts each event it is handed, failing the first `fail_first` attempts of every event.
struct Counting {
    name: String,
    fail_first: u32,
    seen: Mutex<HashMap<EventId, u32>>,
}

#[async_trait::async_trait]
impl EventSubscriber for Counting {
    fn name(&self) -> &str {
        &self.name
    }

    fn types(&self) -> Vec<EventType> {
        vec![EventType::OrderDelivered]
    }

    async fn handle(&self, event: &DomainEvent) -> crate::Result<()> {
        let mut seen = self.seen.lock().unwrap();
        let count = seen.entry(event.id.clone()).or_insert(0);
        *count += 1;
        if *count <= self.fail_first {
            return Err(Error::adapter("a flaky subscriber", "failing on purpose"));
        }
        Ok(())
    }
}

/// Two dispatchers at once, over the same store, each with the same subscriber: every event is handed over once
/// when nothing fails, and when every first two attempts fail, each event is retried with the same id until it
/// succeeds: three attempts, never more.
pub async fn concurrent_dispatchers_deliver_once(stores: &Stores) {
    let f = Fixture::new(stores);
    let now = f.clock.now();
    for (name, fail_first) in [("steady", 0), ("flaky", 2)] {
        let subscriber = Arc::new(Counting { name: name.to_owned(), fail_first, seen: Mutex::default() });
        let dispatcher = |n: u32| {
            let options = DispatchOptions {
                id: format!("{name}-{n}"),
                batch: 7,
                backoff: Duration::seconds(10),
                ..DispatchOptions::default()
            };
            EventDispatcher::new(f.ctx.clone(), options).subscribe(subscriber.clone())
        };
        let (one, two) = (dispatcher(1), dispatcher(2));
        one.register().await.unwrap();
        two.register().await.unwrap();
        let events: Vec<DomainEvent> = (0..40)
            .map(|n| DomainEvent {
                id: EventId::parse(&format!("evt_{name}{n}")).unwrap(),
                at: now,
                data: EventData::OrderDelivered { order_id: OrderId::parse(&format!("ord_{n}")).unwrap() },
            })
            .collect();
        stores.events.publish(&events).await.unwrap();
        for _ in 0..40 {
            let (a, b) = futures::join!(one.run_once(), two.run_once());
            let (a, b) = (a.unwrap(), b.unwrap());
            if a.delivered + b.delivered + a.retried + b.retried == 0 && a.fanned_out + b.fanned_out == 0 {
                break;
            }
            if a.retried + b.retried > 0 {
                f.clock.advance(Duration::minutes(5));
            }
        }
        let seen = subscriber.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 40, "{name}: every event reached the subscriber");
        assert!(seen.values().all(|n| *n == fail_first + 1), "{name}: {seen:?}");
        let deliveries =
            stores.events.deliveries(&EventConsumer::subscriber_id(name), crate::ports::Limit::MAX).await.unwrap();
        assert!(deliveries.iter().all(|d| d.status == DeliveryStatus::Delivered && d.attempts == fail_first + 1));
    }
}
