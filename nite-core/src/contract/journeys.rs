//! Contract suites that walk the services through whole journeys over a store.

use rust_decimal::Decimal;
use time::Duration;

use crate::analytics::{AnalyticsEvent, EventKind, Granularity};
use crate::contract::orders::paid_event;
use crate::contract::{Fixture, address, sku};
use crate::customer::{PasswordHash, Role};
use crate::error::Error;
use crate::order::OrderState;
use crate::outbox::Notification;
use crate::ports::Stores;
use crate::review::ReviewStatus;
use crate::services::{EventOutcome, IdempotencyKey, NewReview, Viewer};
use crate::{Currency, CustomerId, Money};

async fn reserved(stores: &Stores, value: &str) -> (u32, u32) {
    let level = &stores.inventory.stock(&[sku(value)]).await.unwrap()[0];
    (level.on_hand, level.reserved)
}

/// Register → cart → code → address → shipping → checkout → pay → ship → deliver → review → report.
pub async fn checkout_journey(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let hash = PasswordHash("$argon2id$stub".into());
    let ada = f.customers.register("ada@example.com", "Ada", hash.clone(), Role::Customer).await.unwrap();
    let bob = f.customers.register("bob@example.com", "Bob", hash, Role::Customer).await.unwrap();
    let (me, other) = (Viewer::customer(ada.id.clone()), Viewer::customer(bob.id.clone()));
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());

    // A guest fills a cart, then signs in: it merges into the customer's open cart.
    let mine = f.carts.create(&me, None).await.unwrap();
    f.carts.add_item(&mine.cart.id, &me, &sku("NP-PRO-GRN"), 1).await.unwrap();
    let guest = f.carts.create(&Viewer::guest(), None).await.unwrap();
    f.carts.add_item(&guest.cart.id, &Viewer::guest(), &sku("NP-PRO-GRN"), 1).await.unwrap();
    f.carts.add_item(&guest.cart.id, &Viewer::guest(), &sku("NP-BASIC-GRN"), 1).await.unwrap();
    let merged = f.carts.claim(&guest.cart.id, &me).await.unwrap();
    assert_eq!(merged.cart.id, mine.cart.id);
    let units: Vec<_> = merged.cart.lines.iter().map(|l| (l.sku.as_str(), l.quantity.get())).collect();
    assert_eq!(units, [("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)]);
    assert!(matches!(
        f.carts.add_item(&guest.cart.id, &Viewer::guest(), &sku("NP-PRO-GRN"), 1).await,
        Err(Error::CartNotOpen)
    ));
    let cart = merged.cart.id.clone();

    // Another customer cannot see it; bad input is a typed error.
    assert!(matches!(f.carts.view(&cart, &other).await, Err(Error::NotFound { .. })));
    assert!(matches!(f.carts.add_item(&cart, &me, &sku("NOPE"), 1).await, Err(Error::NotFound { .. })));
    assert!(matches!(f.carts.add_item(&cart, &me, &sku("NP-PRO-GRN"), 98).await, Err(Error::Validation(_))));
    assert!(matches!(
        f.carts.add_item(&cart, &me, &sku("NP-COMPLETE"), 26).await,
        Err(Error::InsufficientStock { available: 25, .. })
    ));
    assert!(matches!(f.carts.add_code(&cart, &me, "bogus").await, Err(Error::DiscountCodeInvalid(_))));
    let mut bad = address();
    bad.postal_code = "9".into();
    assert!(
        matches!(f.carts.set_addresses(&cart, &me, "nope", bad, None).await, Err(Error::Validation(e)) if e.len() == 2)
    );

    let view = f.carts.add_code(&cart, &me, "nite10").await.unwrap();
    assert_eq!(view.priced.applied.len(), 2, "buy 2 Pro get a Basic, and NITE10: {:?}", view.priced.not_applied);
    f.carts.set_addresses(&cart, &me, "ada@example.com", address(), None).await.unwrap();
    let options = f.carts.shipping_options(&cart, &me).await.unwrap();
    assert_eq!(options.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["flat:standard"]);
    assert!(matches!(f.carts.choose_shipping(&cart, &me, "made-up").await, Err(Error::NotFound { .. })));
    let view = f.carts.choose_shipping(&cart, &me, "flat:standard").await.unwrap();
    assert_eq!(view.priced.totals.total, Money::from_minor(17372, Currency::USD));

    let key = IdempotencyKey { key: "journey".into(), fingerprint: "fp".into() };
    let order = f.checkout.checkout(&cart, &me, Some(&key)).await.unwrap().order;
    assert_eq!(order.totals, view.priced.totals);
    assert_eq!(order.customer_id.as_ref(), Some(&ada.id));
    assert_eq!(
        f.payments.handle(&paid_event(&order, "evt_journey")).await.unwrap(),
        EventOutcome::Applied(OrderState::Paid)
    );
    f.fulfilment.ship(&order.id, &admin, "USPS", "9400111899223344556677").await.unwrap();
    let delivered = f.fulfilment.deliver(&order.id, &admin).await.unwrap();
    assert_eq!(delivered.state(), OrderState::Delivered);
    let kinds: Vec<_> = stores.outbox.outbox(None, 100).await.unwrap().iter().map(|m| m.notification.kind()).collect();
    assert_eq!(kinds, ["welcome", "welcome", "order_confirmation", "shipping_notification", "delivered"]);

    // Reviews: buyers only, once each, moderated.
    let review = NewReview { rating: 5, title: "Brilliant".into(), body: "Putting after dark is a thing now.".into() };
    let written = f.reviews.write(&me, "niteputter-pro", review.clone()).await.unwrap();
    assert_eq!(written.status, ReviewStatus::Pending);
    assert!(matches!(f.reviews.write(&me, "niteputter-pro", review.clone()).await, Err(Error::AlreadyReviewed)));
    assert!(matches!(f.reviews.write(&other, "niteputter-pro", review.clone()).await, Err(Error::NotVerifiedBuyer)));
    assert!(matches!(
        f.reviews.write(&me, "niteputter-pro", NewReview { rating: 6, ..review }).await,
        Err(Error::Validation(_))
    ));
    assert!(matches!(f.reviews.moderate(&me, &written.id, ReviewStatus::Approved).await, Err(Error::NotFound { .. })));
    f.reviews.moderate(&admin, &written.id, ReviewStatus::Approved).await.unwrap();
    assert_eq!(
        f.reviews.approved("niteputter-pro", crate::ports::PageRequest::default()).await.unwrap().items.len(),
        1
    );
    assert_eq!(f.reviews.summary("niteputter-pro").await.unwrap().count, 1);

    // The sales report: revenue is what was charged less refunds (173.72, nothing refunded); the Pro line's own
    // revenue is its net (161.98). Four views by two visitors, one of whom bought: 50 % conversion.
    let pro = order.lines[0].product_id.clone();
    let views: Vec<_> = ["ada", "ada", "stranger", "stranger"]
        .iter()
        .map(|who| {
            let visitor = if *who == "ada" { ada.id.to_string() } else { (*who).to_owned() };
            AnalyticsEvent {
                visitor: Some(visitor),
                ..AnalyticsEvent::product(EventKind::ProductView, pro.clone(), f.clock.now())
            }
        })
        .collect();
    stores.analytics.record_events(&views).await.unwrap();
    let from = f.clock.now() - Duration::days(1);
    let report = f.sales.report(&admin, from, f.clock.now() + Duration::days(1), Granularity::Day).await.unwrap();
    assert_eq!(report.periods.len(), 1);
    let day = &report.periods[0];
    let usd = |cents| Money::from_minor(cents, Currency::USD);
    assert_eq!((day.revenue, day.gross_revenue, day.refunded), (usd(17372), usd(17372), usd(0)));
    assert_eq!((day.orders, day.units, day.visitors), (1, 3, 2));
    assert_eq!(day.conversion_percent, Some(Decimal::new(5000, 2)));
    let pro_sales = day.products.iter().find(|p| p.product_id == pro).unwrap();
    assert_eq!(pro_sales.revenue, usd(16198));
    assert_eq!((pro_sales.views, pro_sales.orders, pro_sales.conversion_percent), (4, 1, Some(Decimal::new(5000, 2))));
    assert!(matches!(f.sales.report(&me, from, f.clock.now(), Granularity::Day).await, Err(Error::NotFound { .. })));
}

/// A checkout whose process died after the order was placed: a retry with the key answers the same order, and if
/// nobody pays, the sweeper releases its stock; a payment that comes after that is noted, not applied.
pub async fn interrupted_checkout_recovers(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let guest = Viewer::guest();
    let key = IdempotencyKey { key: "crash".into(), fingerprint: "fp".into() };
    let cart = f.ready_cart(&[("NP-PRO-RGB", 2)], &[]).await;
    let first = f.checkout.checkout(&cart, &guest, Some(&key)).await.unwrap().order;
    // ... the process dies here, before the payment is created; the client retries.
    let retried = f.checkout.checkout(&cart, &guest, Some(&key)).await.unwrap().order;
    assert_eq!(retried.id, first.id);
    assert_eq!(reserved(stores, "NP-PRO-RGB").await, (40, 2));

    f.clock.advance(Duration::minutes(31));
    assert_eq!(f.sweeper.sweep(100).await.unwrap(), 1);
    assert_eq!(reserved(stores, "NP-PRO-RGB").await, (40, 0));
    let cancelled = stores.orders.order(&first.id).await.unwrap().unwrap();
    assert_eq!(cancelled.state(), OrderState::Cancelled);
    assert_eq!(f.checkout.checkout(&cart, &guest, Some(&key)).await.unwrap().order.id, first.id);

    assert_eq!(
        f.payments.handle(&paid_event(&first, "evt_late")).await.unwrap(),
        EventOutcome::Applied(OrderState::Cancelled)
    );
    let noted = stores.orders.order(&first.id).await.unwrap().unwrap();
    assert_eq!(noted.state(), OrderState::Cancelled);
    assert!(noted.history.last().unwrap().reason.as_deref().unwrap().contains("refund"));
    assert_eq!(reserved(stores, "NP-PRO-RGB").await, (40, 0));
    assert!(
        !stores
            .outbox
            .outbox(None, 10)
            .await
            .unwrap()
            .iter()
            .any(|m| matches!(m.notification, Notification::OrderConfirmation { .. }))
    );
}

/// The sweeper cancels exactly the orders whose reservation expired, once.
pub async fn sweeper_releases_expired_reservations(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let guest = Viewer::guest();
    for _ in 0..3 {
        let cart = f.ready_cart(&[("NP-BASIC-GRN", 2)], &[]).await;
        f.checkout.checkout(&cart, &guest, None).await.unwrap();
    }
    f.clock.advance(Duration::minutes(20));
    let fresh = f.checkout.checkout(&f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await, &guest, None).await.unwrap();
    assert_eq!(reserved(stores, "NP-BASIC-GRN").await, (120, 7));
    assert_eq!(f.sweeper.sweep(100).await.unwrap(), 0);
    f.clock.advance(Duration::minutes(10));
    assert_eq!(f.sweeper.sweep(2).await.unwrap(), 2, "the limit holds");
    assert_eq!(f.sweeper.sweep(100).await.unwrap(), 1);
    assert_eq!(f.sweeper.sweep(100).await.unwrap(), 0);
    assert_eq!(reserved(stores, "NP-BASIC-GRN").await, (120, 1));
    assert_eq!(stores.orders.order(&fresh.order.id).await.unwrap().unwrap().state(), OrderState::PendingPayment);
}
