//! The contract suite of `PaymentProvider`: what the test provider and every real provider (against its fake) do.

use std::future::Future;

use crate::error::Error;
use crate::order::PaymentStatus;
use crate::payment::{
    CaptureMethod, CreatePayment, PaymentEvent, PaymentEventKind, PaymentProvider, RefundRequest, TestOutcome,
};
use crate::{Currency, Email, Money, OrderId, PaymentId};

fn create(order: &str, cents: i64, capture: CaptureMethod) -> CreatePayment {
    CreatePayment {
        order_id: OrderId::parse(order).unwrap(),
        amount: Money::from_minor(cents, Currency::USD),
        email: Email::parse("ada@example.com").unwrap(),
        capture,
        idempotency_key: format!("nite-order-{order}"),
    }
}

fn refund(payment: &PaymentId, cents: Option<i64>, key: &str) -> RefundRequest {
    RefundRequest {
        payment_id: payment.clone(),
        amount: cents.map(|c| Money::from_minor(c, Currency::USD)),
        reason: "contract".into(),
        idempotency_key: key.into(),
    }
}

/// Runs the suite. `settle(payment, outcome)` makes the customer pay (or fail) at the provider and returns the
/// verified event the provider then sends: for the test provider, its `confirm`; for a real provider, its fake
/// completing the payment and a signed webhook through `parse_webhook`.
pub async fn payment_provider<F, Fut>(provider: &dyn PaymentProvider, settle: F)
where
    F: Fn(PaymentId, TestOutcome) -> Fut,
    Fut: Future<Output = PaymentEvent>,
{
    let usd = |cents| Money::from_minor(cents, Currency::USD);

    // Create: pending, with what the client needs; the same key answers the same payment.
    let request = create("ord_contract1", 12_345, CaptureMethod::Automatic);
    let payment = provider.create_payment(&request).await.unwrap();
    assert_eq!((payment.status, payment.amount), (PaymentStatus::Pending, usd(12_345)));
    assert!(payment.client_secret.is_some(), "a pending payment carries a client secret");
    let again = provider.create_payment(&request).await.unwrap();
    assert_eq!(again.id, payment.id, "a retried create never makes a second payment");
    let other = CreatePayment { amount: usd(1), ..request.clone() };
    assert!(matches!(provider.create_payment(&other).await, Err(Error::PaymentRejected { .. })), "key reuse");
    assert_eq!(provider.payment(&payment.id).await.unwrap().id, payment.id);
    assert!(matches!(provider.payment(&PaymentId::parse("pay_missing").unwrap()).await, Err(Error::NotFound { .. })));

    // Paid: a succeeded event for the whole amount, naming the order.
    let event = settle(payment.id.clone(), TestOutcome::Succeeded).await;
    assert_eq!(event.kind, PaymentEventKind::Succeeded);
    assert_eq!((event.payment_id.clone(), event.amount), (payment.id.clone(), usd(12_345)));
    assert_eq!(event.order_id, Some(request.order_id.clone()));
    assert_eq!(event.provider, provider.name());
    let captured = provider.payment(&payment.id).await.unwrap();
    assert_eq!((captured.status, captured.captured), (PaymentStatus::Captured, usd(12_345)));
    assert!(matches!(provider.cancel(&payment.id).await, Err(Error::PaymentRejected { .. })), "captured: refund it");

    // Refunds: partial, then the rest; never more; a retried refund is the same refund.
    let first = provider.refund(&refund(&payment.id, Some(2_345), "r1")).await.unwrap();
    assert_eq!(first.amount, usd(2_345));
    assert_eq!(provider.refund(&refund(&payment.id, Some(2_345), "r1")).await.unwrap().id, first.id);
    // A key is one refund: reused for another amount, the provider refuses (Stripe's `idempotency_key_in_use`).
    assert!(
        matches!(provider.refund(&refund(&payment.id, Some(1_000), "r1")).await, Err(Error::PaymentRejected { .. })),
        "a refund key reused with other parameters"
    );
    assert!(matches!(
        provider.refund(&refund(&payment.id, Some(10_001), "r2")).await,
        Err(Error::PaymentRejected { .. })
    ));
    let rest = provider.refund(&refund(&payment.id, None, "r3")).await.unwrap();
    assert_eq!(rest.amount, usd(10_000));
    assert_ne!(rest.id, first.id);

    // A declined attempt: a failed event, and the payment stays open for another card; nothing to refund yet.
    let declined = provider.create_payment(&create("ord_contract2", 500, CaptureMethod::Automatic)).await.unwrap();
    let event = settle(declined.id.clone(), TestOutcome::Failed).await;
    assert_eq!(event.kind, PaymentEventKind::Failed);
    assert_eq!(provider.payment(&declined.id).await.unwrap().status, PaymentStatus::Pending, "retryable");
    assert!(matches!(provider.refund(&refund(&declined.id, None, "r4")).await, Err(Error::PaymentRejected { .. })));
    let retried = settle(declined.id.clone(), TestOutcome::Succeeded).await;
    assert_eq!(retried.kind, PaymentEventKind::Succeeded);
    assert_ne!(retried.event_id, event.event_id, "every attempt is its own event");

    // Nothing to pay is no payment (Stripe refuses an amount of zero).
    let free = provider.create_payment(&create("ord_contract5", 0, CaptureMethod::Automatic)).await;
    assert!(matches!(free, Err(Error::PaymentRejected { .. })), "{free:?}");

    // An abandoned payment is canceled.
    let abandoned = provider.create_payment(&create("ord_contract3", 700, CaptureMethod::Automatic)).await.unwrap();
    assert_eq!(provider.cancel(&abandoned.id).await.unwrap().status, PaymentStatus::Failed);

    // Authorize, then capture.
    let manual = provider.create_payment(&create("ord_contract4", 900, CaptureMethod::Manual)).await.unwrap();
    let event = settle(manual.id.clone(), TestOutcome::Succeeded).await;
    assert_eq!(event.kind, PaymentEventKind::Authorized);
    assert_eq!(provider.payment(&manual.id).await.unwrap().status, PaymentStatus::Authorized);
    let captured = provider.capture(&manual.id, None).await.unwrap();
    assert_eq!((captured.status, captured.captured), (PaymentStatus::Captured, usd(900)));
}
