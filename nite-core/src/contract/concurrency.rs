//! Concurrency suites: many checkouts and events at once, each store call free to run on its own connection.

use futures::future::join_all;

use crate::contract::orders::paid_event;
use crate::contract::{Fixture, sku};
use crate::error::Error;
use crate::order::OrderState;
use crate::outbox::Notification;
use crate::payment::PaymentEvent;
use crate::ports::{OrderFilter, Stores};
use crate::promotion::{Action, DiscountCode, Promotion};
use crate::services::{EventOutcome, IdempotencyKey, Viewer};
use crate::{Percentage, PromotionId};

/// Every failure among `results` is `InsufficientStock`: concurrent checkouts lose races only to stock.
fn assert_only_out_of_stock<T: std::fmt::Debug>(results: &[crate::Result<T>]) {
    let other: Vec<&Error> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .filter(|e| !matches!(e, Error::InsufficientStock { .. }))
        .collect();
    assert!(other.is_empty(), "unexpected errors: {other:?}");
}

/// 200 concurrent checkouts of one unit each, for 5 units on hand: exactly 5 orders, and stock never negative.
pub async fn concurrent_checkouts_never_oversell(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    stores.inventory.set_on_hand(&sku("NP-COMPLETE"), 5).await.unwrap();
    let mut carts = Vec::new();
    for _ in 0..200 {
        carts.push(f.ready_cart(&[("NP-COMPLETE", 1)], &[]).await);
    }
    let guest = Viewer::guest();
    let results = join_all(carts.iter().map(|cart| f.checkout.checkout(cart, &guest, None))).await;
    let placed = results.iter().filter(|r| r.is_ok()).count();
    let refused = results.iter().filter(|r| matches!(r, Err(Error::InsufficientStock { .. }))).count();
    assert_only_out_of_stock(&results);
    assert_eq!((placed, refused), (5, 195));
    let level = &stores.inventory.stock(&[sku("NP-COMPLETE")]).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved, level.available()), (5, 5, 0));
    let orders = stores
        .orders
        .orders(&OrderFilter { limit: crate::ports::Limit::clamped(100), ..OrderFilter::default() })
        .await
        .unwrap();
    assert_eq!(orders.items.len(), 5);

    // Carts of two SKUs, each reserved in one statement: overlapping checkouts neither oversell nor deadlock.
    stores.inventory.set_on_hand(&sku("NP-BASIC-GRN"), 3).await.unwrap();
    stores.inventory.set_on_hand(&sku("NP-PRO-GRN"), 4).await.unwrap();
    let mut pairs = Vec::new();
    for n in 0..60 {
        let lines = if n % 2 == 0 {
            [("NP-BASIC-GRN", 1), ("NP-PRO-GRN", 1)]
        } else {
            [("NP-PRO-GRN", 1), ("NP-BASIC-GRN", 1)]
        };
        pairs.push(f.ready_cart(&lines, &[]).await);
    }
    let results = join_all(pairs.iter().map(|cart| f.checkout.checkout(cart, &guest, None))).await;
    assert_only_out_of_stock(&results);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3, "as many as the scarcer SKU allows");
    let levels = stores.inventory.stock(&[sku("NP-BASIC-GRN"), sku("NP-PRO-GRN")]).await.unwrap();
    let reserved: Vec<(u32, u32)> = levels.iter().map(|l| (l.on_hand, l.reserved)).collect();
    assert_eq!(reserved, [(3, 3), (4, 3)]);
}

/// 50 concurrent deliveries of one payment event: one transition, one email, stock committed once. Then 50
/// different events for another order's payment at once: still one transition.
pub async fn concurrent_payment_events_apply_once(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let guest = Viewer::guest();
    let order = f.checkout.checkout(&f.ready_cart(&[("NP-PRO-GRN", 2)], &[]).await, &guest, None).await.unwrap().order;
    let event = paid_event(&order, "evt_replayed");
    let outcomes = join_all((0..50).map(|_| f.payments.handle(&event))).await;
    let applied = outcomes.iter().filter(|o| matches!(o, Ok(EventOutcome::Applied(OrderState::Paid)))).count();
    let duplicates = outcomes.iter().filter(|o| matches!(o, Ok(EventOutcome::Duplicate))).count();
    assert_eq!((applied, duplicates), (1, 49), "{outcomes:?}");

    let second = f.checkout.checkout(&f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await, &guest, None).await.unwrap().order;
    let events: Vec<PaymentEvent> = (0..50).map(|i| paid_event(&second, &format!("evt_distinct_{i}"))).collect();
    let outcomes = join_all(events.iter().map(|e| f.payments.handle(e))).await;
    let applied = outcomes.iter().filter(|o| matches!(o, Ok(EventOutcome::Applied(_)))).count();
    let ignored = outcomes.iter().filter(|o| matches!(o, Ok(EventOutcome::Ignored))).count();
    assert_eq!((applied, ignored), (1, 49), "{outcomes:?}");

    let confirmations = stores
        .outbox
        .outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| matches!(m.notification, Notification::OrderConfirmation { .. }))
        .count();
    assert_eq!(confirmations, 2);
    let level = &stores.inventory.stock(&[sku("NP-PRO-GRN")]).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved), (57, 0));
    for id in [&order.id, &second.id] {
        let stored = stores.orders.order(id).await.unwrap().unwrap();
        assert_eq!(stored.history.iter().filter(|h| h.to == OrderState::Paid).count(), 1);
    }
}

/// 20 concurrent checkouts with a code limited to 3 uses: every checkout succeeds, exactly 3 with the discount.
pub async fn concurrent_code_uses_respect_the_limit(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let mut three = Promotion::new(
        PromotionId::parse("promo_three").unwrap(),
        "three uses",
        Action::OrderPercentage { percentage: Percentage::new(rust_decimal::Decimal::TEN).unwrap() },
    );
    three.code = Some(DiscountCode::new("THREE").unwrap());
    three.usage_limit = Some(3);
    stores.promotions.upsert_promotion(&three).await.unwrap();
    let mut carts = Vec::new();
    for _ in 0..20 {
        carts.push(f.ready_cart(&[("NP-BASIC-GRN", 1)], &["THREE"]).await);
    }
    let guest = Viewer::guest();
    let results = join_all(carts.iter().map(|cart| f.checkout.checkout(cart, &guest, None))).await;
    let orders: Vec<_> = results.into_iter().map(|r| r.unwrap().order).collect();
    let discounted = orders.iter().filter(|o| o.promotions.iter().any(|p| p.promotion_id == three.id)).count();
    assert_eq!(discounted, 3);
    let usage = stores.promotions.promotion_usage(std::slice::from_ref(&three.id), "guest").await.unwrap();
    assert_eq!(usage[0].total, 3);
}

/// The same idempotency key from 10 concurrent requests: one order, which all of them answer with.
pub async fn concurrent_same_key_checkouts_make_one_order(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let cart = f.ready_cart(&[("NP-PRO-RGB", 1)], &[]).await;
    let key = IdempotencyKey { key: "same".into(), fingerprint: "fp".into() };
    let guest = Viewer::guest();
    let results = join_all((0..10).map(|_| f.checkout.checkout(&cart, &guest, Some(&key)))).await;
    let ids: Vec<_> = results.into_iter().map(|r| r.unwrap().order.id).collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    let orders = stores
        .orders
        .orders(&OrderFilter { limit: crate::ports::Limit::clamped(100), ..OrderFilter::default() })
        .await
        .unwrap();
    assert_eq!(orders.items.len(), 1);
    let level = &stores.inventory.stock(&[sku("NP-PRO-RGB")]).await.unwrap()[0];
    assert_eq!(level.reserved, 1);
}

/// Concurrent changes of one cart, through two cart services (two processes, each remembering the carts it saved):
/// each add either counts once or fails as a conflict after its retries; none is lost or counted twice.
pub async fn concurrent_cart_changes_lose_nothing(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let other = crate::services::CartService::new(f.ctx.clone());
    let guest = Viewer::guest();
    let cart = f.carts.create(&guest, None).await.unwrap().cart.id;
    // Each service has saved the cart once, so both start from copies they remember.
    f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await.unwrap();
    other.add_item(&cart, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
    let adds = (0..12).map(|i| {
        let (service, sku) = if i % 2 == 0 { (&f.carts, sku("NP-PRO-GRN")) } else { (&other, sku("NP-BASIC-GRN")) };
        let guest = &guest;
        let cart = &cart;
        async move { (sku.clone(), service.add_item(cart, guest, &sku, 1).await) }
    });
    let results = join_all(adds).await;
    let lost: Vec<&Error> = results.iter().filter_map(|(_, r)| r.as_ref().err()).collect();
    assert!(lost.iter().all(|e| matches!(e, Error::Conflict("cart"))), "unexpected errors: {lost:?}");
    let added = |wanted: &str| 1 + results.iter().filter(|(s, r)| s.as_str() == wanted && r.is_ok()).count();
    let stored = stores.carts.cart(&cart).await.unwrap().unwrap();
    let units =
        |wanted: &str| stored.lines.iter().find(|l| l.sku.as_str() == wanted).map_or(0, |l| l.quantity.get() as usize);
    assert_eq!(units("NP-PRO-GRN"), added("NP-PRO-GRN"));
    assert_eq!(units("NP-BASIC-GRN"), added("NP-BASIC-GRN"));
    // And a change after the storm, from either service, starts from what is stored.
    let last = f.carts.add_item(&cart, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
    assert_eq!(
        last.cart.lines.iter().map(|l| l.quantity.get() as usize).sum::<usize>(),
        units("NP-PRO-GRN") + units("NP-BASIC-GRN") + 1
    );
}
