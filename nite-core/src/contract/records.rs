//! Contract suites for `PromotionStore`, `IdempotencyStore`, `OutboxStore` and `AnalyticsStore`.

use time::Duration;

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::contract::Fixture;
use crate::error::Error;
use crate::outbox::{Notification, OutboxMessage, OutboxStatus};
use crate::ports::{IdempotencyRecord, Remembered, Stores};
use crate::promotion::DiscountCode;
use crate::{Currency, Email, MessageId, Money, OrderId, ProductId, PromotionId, seed};

/// Promotions: stored whole, replaced, codes unique, usage counted per promotion and per customer.
pub async fn promotions(stores: &Stores) {
    let promotions = &stores.promotions;
    let seed = seed::niteputter();
    for p in &seed.promotions {
        promotions.upsert_promotion(p).await.unwrap();
    }
    let mut all = promotions.promotions().await.unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = seed.promotions.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, expected);
    let nite10 = seed.promotions.iter().find(|p| p.code.is_some()).unwrap().clone();
    assert_eq!(promotions.promotion(&nite10.id).await.unwrap(), Some(nite10.clone()));
    assert_eq!(promotions.promotion(&PromotionId::parse("promo_none").unwrap()).await.unwrap(), None);

    let mut changed = nite10.clone();
    changed.usage_limit = Some(100);
    changed.enabled = false;
    promotions.upsert_promotion(&changed).await.unwrap();
    assert_eq!(promotions.promotion(&nite10.id).await.unwrap(), Some(changed.clone()));
    let mut clash = seed.promotions.iter().find(|p| p.code.is_none()).unwrap().clone();
    clash.code = Some(DiscountCode::new("nite10").unwrap());
    assert!(matches!(promotions.upsert_promotion(&clash).await, Err(Error::Validation(_))));

    let usage = promotions.promotion_usage(&[nite10.id.clone(), clash.id.clone()], "cus_1").await.unwrap();
    assert_eq!(usage.len(), 2);
    assert!(usage.iter().all(|u| u.total == 0 && u.by_customer == 0));
}

/// Idempotency records: first write wins, lookups by scope and key, expiry.
pub async fn idempotency(stores: &Stores) {
    let f = Fixture::new(stores);
    let store = &stores.idempotency;
    let record = IdempotencyRecord {
        scope: "checkout".into(),
        key: "abc".into(),
        fingerprint: "fp".into(),
        resource_id: "ord_1".into(),
        response: Some(r#"{"id":"ord_1"}"#.into()),
        created_at: f.clock.now(),
    };
    assert_eq!(store.remember(&record).await.unwrap(), Remembered::New);
    let second = IdempotencyRecord { fingerprint: "other".into(), resource_id: "ord_2".into(), ..record.clone() };
    assert_eq!(store.remember(&second).await.unwrap(), Remembered::Existing(record.clone()));
    assert_eq!(store.idempotency("checkout", "abc").await.unwrap(), Some(record.clone()));
    assert_eq!(store.idempotency("carts", "abc").await.unwrap(), None);
    let other_scope = IdempotencyRecord { scope: "carts".into(), ..record.clone() };
    assert_eq!(store.remember(&other_scope).await.unwrap(), Remembered::New);
    let old =
        IdempotencyRecord { key: "old".into(), created_at: f.clock.now() - Duration::hours(25), ..record.clone() };
    store.remember(&old).await.unwrap();
    assert_eq!(store.forget_before(f.clock.now() - Duration::hours(24)).await.unwrap(), 1);
    assert_eq!(store.idempotency("checkout", "old").await.unwrap(), None);
    assert!(store.idempotency("checkout", "abc").await.unwrap().is_some());
}

/// The outbox: deduplicated by key, listed oldest first, by status.
pub async fn outbox(stores: &Stores) {
    let f = Fixture::new(stores);
    let to = Email::parse("ada@example.com").unwrap();
    let message = |id: &str, order: &str| {
        OutboxMessage::new(
            MessageId::parse(id).unwrap(),
            to.clone(),
            Notification::OrderConfirmation { order_id: OrderId::parse(order).unwrap() },
            order,
            f.clock.now(),
        )
    };
    stores.outbox.enqueue(&[message("msg_1", "ord_1"), message("msg_2", "ord_2")]).await.unwrap();
    stores.outbox.enqueue(&[message("msg_3", "ord_1")]).await.unwrap();
    let all = stores.outbox.outbox(None, 10).await.unwrap();
    assert_eq!(all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["msg_1", "msg_2"]);
    assert_eq!(all[0], message("msg_1", "ord_1"));
    assert_eq!(stores.outbox.outbox(Some(OutboxStatus::Pending), 1).await.unwrap().len(), 1);
    assert!(stores.outbox.outbox(Some(OutboxStatus::Sent), 10).await.unwrap().is_empty());
    let health = stores.outbox.outbox_health().await.unwrap();
    assert_eq!((health.pending, health.failing, health.dead), (2, 0, 0));
    assert_eq!(health.oldest_pending, Some(f.clock.now()));
}

/// Analytics: events round-trip, filtered by time range and kind, oldest first.
pub async fn analytics(stores: &Stores) {
    let f = Fixture::new(stores);
    let now = f.clock.now();
    let product = ProductId::parse("prod_pro").unwrap();
    let view =
        |minutes| AnalyticsEvent::product(EventKind::ProductView, product.clone(), now + Duration::minutes(minutes));
    let purchase = AnalyticsEvent {
        kind: EventKind::Purchase,
        at: now + Duration::minutes(1),
        product_id: Some(product.clone()),
        order_id: Some(OrderId::parse("ord_1").unwrap()),
        customer_id: None,
        visitor: Some("visitor-1".to_owned()),
        quantity: 2,
        amount: Some(Money::from_minor(17998, Currency::USD)),
    };
    stores.analytics.record_events(&[view(2), purchase.clone(), view(0), view(60)]).await.unwrap();
    let found = stores
        .analytics
        .events(now, now + Duration::minutes(60), &[EventKind::ProductView, EventKind::Purchase])
        .await
        .unwrap();
    assert_eq!(found, vec![view(0), purchase.clone(), view(2)]);
    let purchases = stores.analytics.events(now, now + Duration::hours(2), &[EventKind::Purchase]).await.unwrap();
    assert_eq!(purchases, vec![purchase]);
}

/// Outbox delivery: leases keep two workers off one message, failures come back when due, expired leases are
/// taken over, and a worker that lost its lease cannot mark the message.
pub async fn outbox_delivery(stores: &Stores) {
    let f = Fixture::new(stores);
    let now = f.clock.now();
    let to = Email::parse("ada@example.com").unwrap();
    let messages: Vec<OutboxMessage> = (1..=26)
        .map(|n| {
            OutboxMessage::new(
                MessageId::parse(&format!("msg_{n}")).unwrap(),
                to.clone(),
                Notification::OrderConfirmation { order_id: OrderId::parse(&format!("ord_{n}")).unwrap() },
                &format!("ord_{n}"),
                now,
            )
        })
        .collect();
    stores.outbox.enqueue(&messages[..6]).await.unwrap();
    let out = &stores.outbox;
    let lease = Duration::seconds(60);

    let a = out.claim_outbox("a", now, lease, 4).await.unwrap();
    let b = out.claim_outbox("b", now, lease, 4).await.unwrap();
    let ids = |ms: &[OutboxMessage]| ms.iter().map(|m| m.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ["msg_1", "msg_2", "msg_3", "msg_4"]);
    assert_eq!(ids(&b), ["msg_5", "msg_6"]);
    assert!(a.iter().all(|m| m.attempts == 1));
    assert!(out.claim_outbox("a", now, lease, 4).await.unwrap().is_empty());

    let (m1, m2, m3, m4) = (&a[0].id, &a[1].id, &a[2].id, &a[3].id);
    assert!(out.outbox_sent(m1, "a", now).await.unwrap());
    assert!(!out.outbox_sent(m1, "b", now).await.unwrap(), "b never held it");
    assert!(!out.outbox_sent(m1, "a", now).await.unwrap(), "already sent");

    assert!(out.outbox_failed(m2, "a", "SMTP down", Some(now + Duration::seconds(30))).await.unwrap());
    assert!(out.outbox_failed(m4, "a", "550 no such user", None).await.unwrap());
    let dead = out.outbox(Some(OutboxStatus::Dead), 10).await.unwrap();
    assert_eq!(ids(&dead), ["msg_4"]);
    assert!(out.claim_outbox("c", now + Duration::seconds(10), lease, 10).await.unwrap().is_empty(), "not due yet");

    // At +61 s: m2 is due again, and m3's lease (a's) ran out, as did b's on m5 and m6.
    let later = now + Duration::seconds(61);
    let c = out.claim_outbox("c", later, lease, 10).await.unwrap();
    assert_eq!(ids(&c), ["msg_2", "msg_3", "msg_5", "msg_6"]);
    assert!(c.iter().all(|m| m.attempts == 2));
    assert!(!out.outbox_sent(m3, "a", later).await.unwrap(), "a lost its lease on m3");
    assert!(out.outbox_sent(m3, "c", later).await.unwrap());
    let sent = out.outbox(Some(OutboxStatus::Sent), 10).await.unwrap();
    assert_eq!(ids(&sent), ["msg_1", "msg_3"]);
    let health = out.outbox_health().await.unwrap();
    assert_eq!((health.pending, health.failing, health.dead), (3, 1, 1), "m2 failed once and is out again");

    // Two workers claiming at once never share a message.
    out.enqueue(&messages[6..]).await.unwrap();
    let (x, y) = futures::join!(out.claim_outbox("x", later, lease, 20), out.claim_outbox("y", later, lease, 20));
    let (x, y) = (ids(&x.unwrap()), ids(&y.unwrap()));
    assert_eq!(x.len() + y.len(), 20, "{x:?} {y:?}");
    assert!(x.iter().all(|id| !y.contains(id)), "{x:?} {y:?}");
}

/// Job slots: each `(job, slot)` is claimed once, by one of many concurrent claimers; other slots and other jobs are
/// their own; runs are counted per job since a time.
pub async fn job_slots(stores: &Stores) {
    let jobs = &stores.jobs;
    let at = time::macros::datetime!(2030-01-01 00:00 UTC);
    let claims = (0..20).map(|i| {
        let jobs = jobs.clone();
        async move { jobs.claim_job_slot("sweeper", 7, &format!("worker-{i}"), at).await.unwrap() }
    });
    let won = futures::future::join_all(claims).await;
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "one claimer runs the slot");
    assert!(!jobs.claim_job_slot("sweeper", 7, "late", at).await.unwrap());
    assert!(jobs.claim_job_slot("sweeper", 8, "late", at + Duration::seconds(1)).await.unwrap());
    assert!(jobs.claim_job_slot("outbox", 7, "late", at).await.unwrap(), "another job's slot 7");
    assert_eq!(jobs.job_runs("sweeper", at).await.unwrap(), 2);
    assert_eq!(jobs.job_runs("sweeper", at + Duration::milliseconds(500)).await.unwrap(), 1);
    assert_eq!(jobs.job_runs("nothing", at).await.unwrap(), 0);
    // A day later, old claims may be forgotten, but a new slot is still claimed once.
    let later = at + Duration::days(2);
    assert!(jobs.claim_job_slot("sweeper", 64 * 10_000, "a", later).await.unwrap());
    assert!(!jobs.claim_job_slot("sweeper", 64 * 10_000, "b", later).await.unwrap());
}
