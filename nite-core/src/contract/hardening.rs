//! Suites for what a shop must survive: restarts and other processes (test payments live in the store), a total
//! that changed under the shopper, free orders, declined cards, concurrent refunds, clients hoarding stock, and
//! password resets that must end every session.

use std::sync::Arc;

use futures::future::join_all;
use rust_decimal::Decimal;
use time::Duration;

use crate::contract::{Fixture, address, sku};
use crate::customer::{Customer, PasswordHash, Role};
use crate::error::Error;
use crate::order::{OrderState, RefundStatus};
use crate::outbox::Notification;
use crate::payment::{PaymentEventKind, PaymentProvider, TestOutcome, TestPaymentProvider};
use crate::ports::{RefreshToken, RefreshUse, Stores};
use crate::promotion::{Action, DiscountCode, Promotion};
use crate::services::{CartService, EventOutcome, Viewer};
use crate::testing::SequentialIds;
use crate::{CustomerId, Email, Money, Percentage, PromotionId};

/// Test payments live in the store: a provider started later (after a restart, or in another process) finds the
/// payment, confirms it with an event id no other attempt had, and the order is paid once.
pub async fn test_payments_outlive_the_process(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let guest = Viewer::guest();
    let cart = f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await;
    let placed = f.checkout.checkout(&cart, &guest, None).await.unwrap();
    let payment = placed.payment.unwrap().id;
    let declined = f.provider.confirm(&payment, TestOutcome::Failed).await.unwrap();

    // "Restart": a new provider over the same store, with an id generator that starts from scratch again.
    let restarted = TestPaymentProvider::with_store(stores.test_payments.clone(), Arc::new(SequentialIds::new()));
    assert_eq!(restarted.payment(&payment).await.unwrap().id, payment, "the payment outlived its provider");
    let paid = restarted.confirm(&payment, TestOutcome::Succeeded).await.unwrap();
    assert_ne!(paid.event_id, declined.event_id, "event ids never repeat across restarts");
    assert_eq!(f.payments.handle(&declined).await.unwrap(), EventOutcome::Applied(OrderState::PendingPayment));
    assert_eq!(f.payments.handle(&paid).await.unwrap(), EventOutcome::Applied(OrderState::Paid));
    assert_eq!(f.payments.handle(&paid).await.unwrap(), EventOutcome::Duplicate);
    assert!(matches!(f.provider.confirm(&payment, TestOutcome::Succeeded).await, Err(Error::PaymentNotPending(_))));
    // Cancelling an unpaid order whose payment an earlier process made works too.
    let other = f.checkout.checkout(&f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await, &guest, None).await.unwrap();
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
    let after_restart = Fixture::new(stores);
    let cancelled = after_restart.fulfilment.cancel(&other.order.id, &admin, "test").await.unwrap();
    assert_eq!(cancelled.state(), OrderState::Cancelled);

    // Concurrent confirmations of one payment from many "processes": one wins, the rest find it paid.
    let third = f.checkout.checkout(&f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await, &guest, None).await.unwrap();
    let id = third.payment.unwrap().id;
    let providers: Vec<_> = (0..10)
        .map(|_| TestPaymentProvider::with_store(stores.test_payments.clone(), Arc::new(SequentialIds::new())))
        .collect();
    let results = join_all(providers.iter().map(|p| p.confirm(&id, TestOutcome::Succeeded))).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let late = results.iter().filter(|r| matches!(r, Err(Error::PaymentNotPending(_)))).count();
    assert_eq!((won, late), (1, 9), "{results:?}");
}

/// A declined card leaves the order awaiting payment with its stock held; another attempt pays it.
pub async fn declined_payments_can_be_retried(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let placed =
        f.checkout.checkout(&f.ready_cart(&[("NP-PRO-GRN", 2)], &[]).await, &Viewer::guest(), None).await.unwrap();
    let payment = placed.payment.unwrap().id;
    for _ in 0..2 {
        let declined = f.provider.confirm(&payment, TestOutcome::Failed).await.unwrap();
        assert_eq!(declined.kind, PaymentEventKind::Failed);
        f.payments.handle(&declined).await.unwrap();
    }
    let order = stores.orders.order(&placed.order.id).await.unwrap().unwrap();
    assert_eq!(order.state(), OrderState::PendingPayment);
    assert_eq!(stores.inventory.stock(&[sku("NP-PRO-GRN")]).await.unwrap()[0].reserved, 2, "still held");
    let paid = f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap();
    assert_eq!(f.payments.handle(&paid).await.unwrap(), EventOutcome::Applied(OrderState::Paid));
}

/// A cart whose total changed since it was shown is not checked out: `CartChanged`, nothing placed, and checking
/// out again confirms the new total.
pub async fn a_changed_total_is_confirmed_first(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let carts = CartService::new(f.ctx.clone());
    let guest = Viewer::guest();
    let cart = f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await;
    // The shopper's last change of the cart answered with its total.
    let shown = carts.update_item(&cart, &guest, &line_of(stores, &cart).await, 1).await.unwrap().priced.totals.total;
    // An administrator starts a 10 % sale between the shopper's look and their checkout.
    let mut sale = Promotion::new(
        PromotionId::parse("promo_flash").unwrap(),
        "Flash sale",
        Action::OrderPercentage { percentage: Percentage::new(Decimal::TEN).unwrap() },
    );
    stores.promotions.upsert_promotion(&sale).await.unwrap();
    let refused = f.checkout.checkout(&cart, &guest, None).await;
    let Err(Error::CartChanged { shown: was, now }) = refused else { panic!("expected CartChanged, got {refused:?}") };
    assert_eq!(was, shown);
    assert!(now.amount() < shown.amount());
    assert!(stores.orders.orders(&Default::default()).await.unwrap().items.is_empty(), "nothing placed");
    let placed = f.checkout.checkout(&cart, &guest, None).await.unwrap();
    assert_eq!(placed.order.totals.total, now, "the confirmed total is the one charged");

    // A change made through the cart records the total it answered with: no confirmation needed then.
    sale.enabled = false;
    stores.promotions.upsert_promotion(&sale).await.unwrap();
    let second = carts.create(&guest, None).await.unwrap().cart.id;
    carts.add_item(&second, &guest, &sku("NP-PRO-GRN"), 1).await.unwrap();
    carts.set_addresses(&second, &guest, "ada@example.com", address(), None).await.unwrap();
    let rate = carts.shipping_options(&second, &guest).await.unwrap().remove(0).id;
    carts.choose_shipping(&second, &guest, &rate).await.unwrap();
    f.checkout.checkout(&second, &guest, None).await.unwrap();
}

async fn line_of(stores: &Stores, cart: &crate::CartId) -> crate::CartLineId {
    stores.carts.cart(cart).await.unwrap().unwrap().lines[0].id.clone()
}

/// An order that costs nothing is paid at once, without a payment at the provider.
pub async fn free_orders_are_paid_at_once(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let mut free = Promotion::new(
        PromotionId::parse("promo_free").unwrap(),
        "Everything free",
        Action::OrderPercentage { percentage: Percentage::new(Decimal::ONE_HUNDRED).unwrap() },
    );
    free.code = Some(DiscountCode::new("FREE").unwrap());
    stores.promotions.upsert_promotion(&free).await.unwrap();
    let shipping = Promotion::new(PromotionId::parse("promo_freeship").unwrap(), "Free shipping", Action::FreeShipping);
    stores.promotions.upsert_promotion(&shipping).await.unwrap();
    let cart = f.ready_cart(&[("NP-BASIC-GRN", 1)], &["FREE"]).await;
    let placed = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap();
    assert!(placed.order.totals.total.is_zero(), "{:?}", placed.order.totals);
    assert!(placed.payment.is_none(), "no payment of zero");
    assert_eq!(placed.order.state(), OrderState::Paid);
    let stored = stores.orders.order(&placed.order.id).await.unwrap().unwrap();
    assert_eq!(stored.state(), OrderState::Paid);
    let level = &stores.inventory.stock(&[sku("NP-BASIC-GRN")]).await.unwrap()[0];
    assert_eq!(level.reserved, 0, "the stock is committed");
    let outbox = stores.outbox.outbox(None, 100).await.unwrap();
    assert!(outbox.iter().any(|m| matches!(m.notification, Notification::OrderConfirmation { .. })));
}

/// Ten concurrent refunds of 30 % of an order: the provider refunds at most what was captured, and the ledger
/// records exactly what the provider refunded, one email per refund.
pub async fn concurrent_refunds_never_exceed_the_capture(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let placed =
        f.checkout.checkout(&f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await, &Viewer::guest(), None).await.unwrap();
    let payment = placed.payment.unwrap().id;
    f.payments.handle(&f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    let total = placed.order.totals.total;
    let part = Money::new(total.amount() * Decimal::new(3, 1), total.currency()).round(crate::RoundingMode::HalfEven);
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
    let results = join_all((0..10).map(|_| f.fulfilment.refund(&placed.order.id, &admin, part.amount(), "r"))).await;
    let done = results.iter().filter(|r| r.is_ok()).count();
    assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(Error::RefundExceedsCaptured { .. } | Error::Conflict(_)))));
    assert_eq!(done, 3, "{results:?}");
    let order = stores.orders.order(&placed.order.id).await.unwrap().unwrap();
    let succeeded: Vec<_> = order.refunds.iter().filter(|r| r.status == RefundStatus::Succeeded).collect();
    assert_eq!(succeeded.len(), 3);
    assert!(order.refunds.iter().all(|r| r.status != RefundStatus::Pending), "no hold is left behind");
    assert_eq!(order.payment.refunded, part.checked_mul(3).unwrap());
    let provider_ids: std::collections::BTreeSet<_> = succeeded.iter().map(|r| r.provider_refund_id.clone()).collect();
    assert_eq!(provider_ids.len(), 3, "each recorded refund is its own refund at the provider");
    let emails = stores.outbox.outbox(None, 100).await.unwrap();
    let refund_emails = emails.iter().filter(|m| matches!(m.notification, Notification::Refunded { .. })).count();
    assert_eq!(refund_emails, 3);
}

/// A client may hold only so many unpaid orders; paying one frees a place. Other clients are not affected.
pub async fn unpaid_orders_per_client_are_bounded(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let max = f.ctx.settings.max_pending_orders;
    let hoarder = Viewer::guest().with_client("client-hoarder");
    let mut placed = Vec::new();
    for _ in 0..max {
        let cart = f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await;
        placed.push(f.checkout.checkout(&cart, &hoarder, None).await.unwrap());
    }
    let carts: Vec<_> = join_all((0..5).map(|_| f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]))).await;
    let refused = join_all(carts.iter().map(|c| f.checkout.checkout(c, &hoarder, None))).await;
    assert!(refused.iter().all(|r| matches!(r, Err(Error::TooManyPendingOrders { .. }))), "{refused:?}");
    let other = Viewer::guest().with_client("client-other");
    f.checkout.checkout(&carts[0], &other, None).await.unwrap();
    let first = placed.remove(0);
    let payment = first.payment.unwrap().id;
    f.payments.handle(&f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    f.checkout.checkout(&carts[1], &hoarder, None).await.unwrap();
    // An order bigger than the shop allows is refused before anything is reserved.
    let bulk = f.ready_cart(&[("NP-BASIC-GRN", 60)], &[]).await;
    let too_big = f.checkout.checkout(&bulk, &other, None).await;
    assert!(matches!(too_big, Err(Error::Validation(_))), "{too_big:?}");
    // A guest's unpaid order holds its stock for less time than a customer's.
    let order = stores.orders.order(&first.order.id).await.unwrap().unwrap();
    assert!(order.client.as_deref() == Some("client-hoarder"));
}

/// Whether an email has ordered: a guest's first-order history follows their address, not their account.
pub async fn order_history_follows_the_email(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let cart = f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await;
    let placed = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap();
    let email = placed.order.email.clone();
    let orders = &stores.orders;
    assert!(!orders.has_ordered(Some(&email), None).await.unwrap(), "an unpaid order is no history");
    let payment = placed.payment.unwrap().id;
    f.payments.handle(&f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    assert!(orders.has_ordered(Some(&email), None).await.unwrap());
    let stranger = Email::parse("new@example.com").unwrap();
    assert!(!orders.has_ordered(Some(&stranger), None).await.unwrap());
    assert!(!orders.has_ordered(None, Some(&CustomerId::parse("cus_nobody").unwrap())).await.unwrap());
}

/// A first-order promotion is judged by the guest's (normalised) email: an address that has bought before does not
/// get it again by checking out as a guest, however it is typed.
pub async fn first_orders_are_judged_by_the_email(stores: &Stores) {
    let f = Fixture::new(stores);
    f.seed().await;
    let mut welcome = Promotion::new(
        PromotionId::parse("promo_welcome").unwrap(),
        "Welcome",
        Action::OrderPercentage { percentage: Percentage::new(Decimal::TEN).unwrap() },
    );
    welcome.conditions = vec![crate::promotion::Condition::FirstOrder];
    stores.promotions.upsert_promotion(&welcome).await.unwrap();
    let carts = CartService::new(f.ctx.clone());
    let guest = Viewer::guest();
    let applies = |view: &crate::services::CartView| view.priced.applied.iter().any(|a| a.promotion_id == welcome.id);
    let first = carts.create(&guest, None).await.unwrap().cart.id;
    carts.add_item(&first, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
    let view = carts.set_addresses(&first, &guest, "jos\u{e9}@example.com", address(), None).await.unwrap();
    assert!(applies(&view), "a new address gets the welcome");
    let rate = carts.shipping_options(&first, &guest).await.unwrap().remove(0).id;
    carts.choose_shipping(&first, &guest, &rate).await.unwrap();
    let placed = f.checkout.checkout(&first, &guest, None).await.unwrap();
    let payment = placed.payment.unwrap().id;
    f.payments.handle(&f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap()).await.unwrap();
    let second = carts.create(&guest, None).await.unwrap().cart.id;
    carts.add_item(&second, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
    let view = carts.set_addresses(&second, &guest, "JOSE\u{301}@example.com", address(), None).await.unwrap();
    assert!(!applies(&view), "the same address, typed otherwise, has ordered");
    let why = view.priced.not_applied.iter().find(|n| n.promotion_id.as_ref() == Some(&welcome.id)).unwrap();
    assert_eq!(why.reason, crate::promotion::NotAppliedReason::NotFirstOrder);
}

/// Using a password-reset token voids the account's other reset tokens; revoking a customer's sessions ends every
/// refresh token they hold and nobody else's.
pub async fn password_resets_end_every_session(stores: &Stores) {
    let now = time::OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
    let ada = CustomerId::parse("cus_ada").unwrap();
    let bo = CustomerId::parse("cus_bo").unwrap();
    for (id, email) in [(&ada, "ada@example.com"), (&bo, "bo@example.com")] {
        let customer = Customer {
            id: id.clone(),
            email: Email::parse(email).unwrap(),
            name: "Someone".into(),
            role: Role::Customer,
            group: None,
            created_at: now,
        };
        stores.customers.create_customer(&customer, &PasswordHash("x".into()), &[], &[]).await.unwrap();
    }
    let sessions = &stores.sessions;
    let later = now + Duration::hours(1);
    for (hash, who) in [("reset-a1", &ada), ("reset-a2", &ada), ("reset-b1", &bo)] {
        sessions.issue_reset(hash, who, later).await.unwrap();
    }
    for (hash, family, who) in [("rt-a1", "fa1", &ada), ("rt-a2", "fa2", &ada), ("rt-b1", "fb1", &bo)] {
        let token = RefreshToken {
            token_hash: hash.into(),
            family: family.into(),
            customer_id: who.clone(),
            expires_at: later,
        };
        sessions.issue_refresh(&token).await.unwrap();
    }
    assert_eq!(sessions.use_reset("reset-a1", now).await.unwrap(), Some(ada.clone()));
    assert_eq!(sessions.use_reset("reset-a2", now).await.unwrap(), None, "the other reset of the account is void");
    assert_eq!(sessions.use_reset("reset-b1", now).await.unwrap(), Some(bo.clone()), "others' resets still work");
    sessions.revoke_customer_sessions(&ada).await.unwrap();
    for hash in ["rt-a1", "rt-a2"] {
        assert_eq!(sessions.use_refresh(hash, now).await.unwrap(), RefreshUse::Reused, "{hash} was revoked");
    }
    assert!(matches!(sessions.use_refresh("rt-b1", now).await.unwrap(), RefreshUse::Rotated { .. }));
}
