//! Contract suites for `OrderStore`: placing orders atomically, and moving them.

use time::Duration;

use crate::analytics::EventKind;
use crate::cart::CartState;
use crate::contract::{Fixture, sku};
use crate::error::Error;
use crate::inventory::StockEffect;
use crate::order::{Order, OrderState, PaymentStatus};
use crate::outbox::{Notification, OutboxMessage};
use crate::payment::{PaymentEvent, PaymentEventKind, PaymentProvider, TestOutcome};
use crate::ports::{IdempotencyRecord, OrderFilter, OrderUpdate, PlaceOrder, Placed, PromotionUse, Saved, Stores};
use crate::promotion::{Action, Promotion};
use crate::services::{EventOutcome, IdempotencyKey, Viewer};
use crate::{CustomerId, Money, OrderId, PaymentId, Percentage, PromotionId};

async fn stock(stores: &Stores, value: &str) -> (u32, u32) {
    let levels = stores.inventory.stock(&[sku(value)]).await.unwrap();
    levels.first().map_or((0, 0), |l| (l.on_hand, l.reserved))
}

fn key(key: &str, fingerprint: &str) -> IdempotencyKey {
    IdempotencyKey { key: key.to_owned(), fingerprint: fingerprint.to_owned() }
}

/// A `succeeded` event for `order`'s whole total.
pub(crate) fn paid_event(order: &Order, event_id: &str) -> PaymentEvent {
    PaymentEvent {
        provider: "test".to_owned(),
        event_id: event_id.to_owned(),
        payment_id: order.payment.payment_id.clone().expect("checkout attached a payment"),
        order_id: Some(order.id.clone()),
        kind: PaymentEventKind::Succeeded,
        amount: order.totals.total,
    }
}

/// Placing an order reserves stock, freezes the cart, counts promotions and records the key, all or nothing.
pub async fn place_order(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let guest = Viewer::guest();

    let cart = f.ready_cart(&[("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)], &[]).await;
    let order = f.checkout.checkout(&cart, &guest, None).await.unwrap().order;
    assert_eq!(order.state(), OrderState::PendingPayment);
    assert_eq!(stores.orders.order(&order.id).await.unwrap().as_ref(), Some(&order));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.payment.amount, order.totals.total);
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (60, 2));
    assert_eq!(stock(stores, "NP-BASIC-GRN").await, (120, 1));
    assert_eq!(stores.carts.cart(&cart).await.unwrap().unwrap().state, CartState::CheckedOut);
    let events = stores
        .analytics
        .events(f.clock.now(), f.clock.now() + Duration::seconds(1), &[EventKind::CheckoutStarted])
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].order_id.as_ref(), Some(&order.id));
    assert!(matches!(f.checkout.checkout(&cart, &guest, None).await, Err(Error::CartNotOpen)));

    // Not enough of one SKU: nothing at all changes, not even the SKUs before it.
    let short = f.ready_cart(&[("NP-BASIC-GRN", 1), ("NP-PRO-RGB", 41)], &[]).await;
    match f.checkout.checkout(&short, &guest, None).await {
        Err(Error::InsufficientStock { sku, requested: 41, available: 40 }) => assert_eq!(sku.as_str(), "NP-PRO-RGB"),
        other => panic!("expected insufficient stock, got {other:?}"),
    }
    assert_eq!(stock(stores, "NP-BASIC-GRN").await, (120, 1));
    assert_eq!(stock(stores, "NP-PRO-RGB").await, (40, 0));
    assert_eq!(stores.carts.cart(&short).await.unwrap().unwrap().state, CartState::Open);

    // An idempotency key: a retry answers the first order; another request under it is refused.
    let keyed = f.ready_cart(&[("NP-COMPLETE", 1)], &[]).await;
    let first = f.checkout.checkout(&keyed, &guest, Some(&key("k-1", "fp-a"))).await.unwrap().order;
    let again = f.checkout.checkout(&keyed, &guest, Some(&key("k-1", "fp-a"))).await.unwrap().order;
    assert_eq!(again.id, first.id);
    assert_eq!(stock(stores, "NP-COMPLETE").await, (25, 1));
    let other_cart = f.ready_cart(&[("NP-COMPLETE", 1)], &[]).await;
    assert!(matches!(
        f.checkout.checkout(&other_cart, &guest, Some(&key("k-1", "fp-b"))).await,
        Err(Error::IdempotencyKeyReused)
    ));
    let record = stores.idempotency.idempotency("checkout", "k-1").await.unwrap().unwrap();
    assert_eq!(record.resource_id, first.id.to_string());

    // At the port: a known key is answered before anything else is looked at.
    let mut twin = first.clone();
    twin.id = OrderId::parse("ord_twin").unwrap();
    twin.cart_id = other_cart.clone();
    let record = IdempotencyRecord { resource_id: twin.id.to_string(), ..record };
    let reservations = twin.units_by_sku();
    let request = PlaceOrder {
        order: &twin,
        cart_version: 0,
        reservations: &reservations,
        promotion_uses: &[],
        idempotency: Some(&record),
        events: &[],
        max_pending: None,
        domain_events: &[],
        low_stock: None,
    };
    assert_eq!(stores.orders.place_order(request).await.unwrap(), Placed::Replayed(first.id.clone()));

    // A stale cart version is a conflict; a promotion at its limit is refused; neither changes anything.
    let stale = PlaceOrder { idempotency: None, cart_version: 7, ..request };
    assert!(matches!(stores.orders.place_order(stale).await, Err(Error::Conflict("cart"))));
    let mut once = Promotion::new(
        PromotionId::parse("promo_once").unwrap(),
        "once",
        Action::OrderPercentage { percentage: Percentage::new(rust_decimal::Decimal::TEN).unwrap() },
    );
    once.usage_limit = Some(1);
    once.usage_limit_per_customer = Some(5);
    stores.promotions.upsert_promotion(&once).await.unwrap();
    let uses = [PromotionUse { promotion_id: once.id.clone(), customer_key: "k".into() }];
    let with_promo = PlaceOrder { idempotency: None, promotion_uses: &uses, ..request };
    assert_eq!(stores.orders.place_order(with_promo).await.unwrap(), Placed::Created);
    assert_eq!(stock(stores, "NP-COMPLETE").await, (25, 2));
    let mut third = twin.clone();
    third.id = OrderId::parse("ord_third").unwrap();
    third.cart_id = f.ready_cart(&[("NP-COMPLETE", 1)], &[]).await;
    let exhausted = PlaceOrder { order: &third, promotion_uses: &uses, idempotency: None, ..request };
    assert!(matches!(stores.orders.place_order(exhausted).await, Err(Error::PromotionExhausted(id)) if id == once.id));
    assert_eq!(stock(stores, "NP-COMPLETE").await, (25, 2));
    assert_eq!(stores.carts.cart(&third.cart_id).await.unwrap().unwrap().state, CartState::Open);
    assert_eq!(stores.orders.order(&third.id).await.unwrap(), None);
    let usage = stores.promotions.promotion_usage(std::slice::from_ref(&once.id), "k").await.unwrap();
    assert_eq!((usage[0].total, usage[0].by_customer), (1, 1));
}

/// Moving orders: versioned saves, stock effects, outbox deduplication, the inbox, lookups and lists.
pub async fn order_transitions(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
    let customer = CustomerId::parse("cus_7").unwrap();

    let cart = f.ready_cart(&[("NP-PRO-GRN", 2)], &[]).await;
    let mut owned = stores.carts.cart(&cart).await.unwrap().unwrap();
    owned.customer_id = Some(customer.clone());
    stores.carts.save_cart(&owned).await.unwrap();
    let order = f.checkout.checkout(&cart, &Viewer::customer(customer.clone()), None).await.unwrap().order;

    // Checkout attached the provider's payment; the order is found by it. Saves are versioned.
    let payment_id = order.payment.payment_id.clone().expect("checkout attached a payment");
    assert_eq!(order.payment.provider.as_deref(), Some("test"));
    assert_eq!(stores.orders.order_by_payment(&payment_id).await.unwrap().map(|o| o.id), Some(order.id.clone()));
    assert_eq!(stores.orders.order_by_payment(&PaymentId::parse("pay_none").unwrap()).await.unwrap(), None);
    let update = OrderUpdate {
        order: &order,
        stock: StockEffect::None,
        outbox: &[],
        events: &[],
        domain_events: &[],
        inbox: None,
    };
    assert_eq!(stores.orders.save_order(update).await.unwrap(), Saved::Saved);
    assert!(matches!(stores.orders.save_order(update).await, Err(Error::Conflict("order"))), "stale version");

    // Paid, as the provider says: stock committed, one confirmation, purchase events. The event names only its
    // payment, as a provider's webhook may.
    let mut event = f.provider.confirm(&payment_id, TestOutcome::Succeeded).await.unwrap();
    event.order_id = None;
    assert_eq!(f.payments.handle(&event).await.unwrap(), EventOutcome::Applied(OrderState::Paid));
    assert_eq!(f.payments.handle(&event).await.unwrap(), EventOutcome::Duplicate);
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (58, 0));
    let paid = stores.orders.order(&order.id).await.unwrap().unwrap();
    assert_eq!(paid.payment.status, PaymentStatus::Captured);
    assert_eq!(paid.history.iter().map(|h| h.to).collect::<Vec<_>>(), [OrderState::PendingPayment, OrderState::Paid]);
    let outbox = stores.outbox.outbox(None, 100).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].notification, Notification::OrderConfirmation { order_id: order.id.clone() });
    let purchases = stores
        .analytics
        .events(f.clock.now(), f.clock.now() + Duration::seconds(1), &[EventKind::Purchase])
        .await
        .unwrap();
    assert_eq!(purchases.iter().map(|e| e.quantity).sum::<u32>(), 2);
    assert!(stores.orders.has_purchased(&customer, &paid.lines[0].product_id).await.unwrap());
    assert!(
        !stores.orders.has_purchased(&CustomerId::parse("cus_8").unwrap(), &paid.lines[0].product_id).await.unwrap()
    );

    // A message whose dedupe key exists is dropped.
    let duplicate = OutboxMessage { id: crate::MessageId::parse("msg_dup").unwrap(), ..outbox[0].clone() };
    let mut noted = paid.clone();
    noted.note("a note", f.clock.now(), crate::order::Actor::System);
    let update = OrderUpdate {
        order: &noted,
        stock: StockEffect::None,
        outbox: std::slice::from_ref(&duplicate),
        events: &[],
        domain_events: &[],
        inbox: None,
    };
    stores.orders.save_order(update).await.unwrap();
    assert_eq!(stores.outbox.outbox(None, 100).await.unwrap().len(), 1);

    // Fulfilment is for administrators: the order's own customer is told it does not exist, and nothing changes.
    let owner = Viewer::customer(customer.clone());
    assert!(matches!(f.fulfilment.ship(&order.id, &owner, "USPS", "1").await, Err(Error::NotFound { .. })));
    assert!(matches!(f.fulfilment.cancel(&order.id, &owner, "mine").await, Err(Error::NotFound { .. })));
    let one = rust_decimal::Decimal::ONE;
    assert!(matches!(f.fulfilment.refund(&order.id, &owner, one, "mine").await, Err(Error::NotFound { .. })));
    assert_eq!(stores.orders.order(&order.id).await.unwrap().unwrap().state(), OrderState::Paid);

    // Ship, deliver, refund; illegal moves are typed errors that change nothing.
    let shipped = f.fulfilment.ship(&order.id, &admin, "USPS", "9400100000000000000000").await.unwrap();
    assert_eq!(shipped.state(), OrderState::Shipped);
    assert!(matches!(
        f.fulfilment.ship(&order.id, &admin, "USPS", "1").await,
        Err(Error::InvalidTransition { from: OrderState::Shipped, to: OrderState::Shipped })
    ));
    f.fulfilment.deliver(&order.id, &admin).await.unwrap();
    assert!(matches!(
        f.fulfilment.cancel(&order.id, &admin, "too late").await,
        Err(Error::InvalidTransition { from: OrderState::Delivered, to: OrderState::Cancelled })
    ));
    let ten = Money::from_minor(1000, crate::Currency::USD);
    let refunded = f.fulfilment.refund(&order.id, &admin, ten.amount(), "scratched").await.unwrap();
    assert_eq!(refunded.payment.status, PaymentStatus::PartiallyRefunded);
    assert!(matches!(
        f.fulfilment.refund(&order.id, &admin, refunded.payment.captured.amount(), "all").await,
        Err(Error::RefundExceedsCaptured { .. })
    ));
    let stored = stores.orders.order(&order.id).await.unwrap().unwrap();
    assert_eq!(stored, refunded);
    assert_eq!(stored.refunds.len(), 1);
    let kinds: Vec<_> = stores.outbox.outbox(None, 100).await.unwrap().iter().map(|m| m.notification.kind()).collect();
    assert_eq!(kinds, ["order_confirmation", "shipping_notification", "delivered", "refunded"]);

    // Cancelling an unpaid order releases its stock; a paid one is refunded and restocked.
    let unpaid = f
        .checkout
        .checkout(&f.ready_cart(&[("NP-PRO-GRN", 3)], &[]).await, &Viewer::guest(), None)
        .await
        .unwrap()
        .order;
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (58, 3));
    f.fulfilment.cancel(&unpaid.id, &admin, "customer asked").await.unwrap();
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (58, 0));
    let to_refund = f
        .checkout
        .checkout(&f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await, &Viewer::guest(), None)
        .await
        .unwrap()
        .order;
    let to_refund_payment = to_refund.payment.payment_id.clone().unwrap();
    f.payments.handle(&f.provider.confirm(&to_refund_payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (57, 0));
    let cancelled = f.fulfilment.cancel(&to_refund.id, &admin, "changed mind").await.unwrap();
    assert_eq!(cancelled.payment.status, PaymentStatus::Refunded);
    assert!(cancelled.refunds[0].provider_refund_id.is_some(), "refunded at the provider");
    assert!(
        matches!(
            f.provider
                .refund(&crate::payment::RefundRequest {
                    payment_id: to_refund_payment,
                    amount: None,
                    reason: "again".into(),
                    idempotency_key: "another".into(),
                })
                .await,
            Err(Error::PaymentRejected { .. })
        ),
        "nothing is left to refund at the provider"
    );
    assert_eq!(stock(stores, "NP-PRO-GRN").await, (58, 0));

    // Lists: newest first, by customer and state, paged.
    let all = stores
        .orders
        .orders(&OrderFilter { limit: crate::ports::Limit::clamped(2), ..OrderFilter::default() })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    let rest = stores
        .orders
        .orders(&OrderFilter {
            limit: crate::ports::Limit::clamped(2),
            cursor: all.next_cursor.clone(),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next_cursor, None);
    let mut seen: Vec<_> = all.items.iter().chain(&rest.items).map(|o| o.id.clone()).collect();
    seen.sort();
    let mut expected = vec![order.id.clone(), unpaid.id.clone(), to_refund.id.clone()];
    expected.sort();
    assert_eq!(seen, expected);
    let mine = stores
        .orders
        .orders(&OrderFilter {
            customer_id: Some(customer.clone()),
            limit: crate::ports::Limit::clamped(10),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.items.iter().map(|o| &o.id).collect::<Vec<_>>(), [&order.id]);
    let cancelled_list = stores
        .orders
        .orders(&OrderFilter {
            state: Some(OrderState::Cancelled),
            limit: crate::ports::Limit::clamped(10),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(cancelled_list.items.len(), 2);
    let search = |text: &str| {
        let filter = OrderFilter {
            search: Some(text.to_owned()),
            limit: crate::ports::Limit::clamped(10),
            ..OrderFilter::default()
        };
        async move { stores.orders.orders(&filter).await.unwrap().items.into_iter().map(|o| o.id).collect::<Vec<_>>() }
    };
    assert_eq!(search(order.id.as_str()).await, std::slice::from_ref(&order.id), "an order id finds that order");
    let shouted = order.email.as_str().to_uppercase();
    assert_eq!(search(&shouted).await, std::slice::from_ref(&order.id), "an email, in any case, finds its orders");
    assert_eq!(search(&shouted[2..]).await, std::slice::from_ref(&order.id), "so does part of one");
    assert_eq!(search("@EXAMPLE.com").await.len(), 3);
    assert!(search("%").await.is_empty(), "LIKE's wildcards are literal");
    assert!(search(&order.id.as_str()[..4]).await.is_empty(), "ids match whole, not in part");

    // Expiry: only pending orders whose reservation lapsed.
    let pending = f
        .checkout
        .checkout(&f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await, &Viewer::guest(), None)
        .await
        .unwrap()
        .order;
    assert!(stores.orders.expired_orders(f.clock.now(), 10).await.unwrap().is_empty());
    let later = f.clock.now() + Duration::minutes(30);
    let expired = stores.orders.expired_orders(later, 10).await.unwrap();
    assert_eq!(expired.iter().map(|o| &o.id).collect::<Vec<_>>(), [&pending.id]);
}
