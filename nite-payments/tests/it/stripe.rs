//! The Stripe adapter against the fake: the payment contract, retries that never charge twice, declines, and the
//! requests it really sends.

use std::time::Duration;

use nite_core::payment::{
    CaptureMethod, CreatePayment, PaymentEventKind, PaymentProvider, TestOutcome, WebhookRequest,
};
use nite_core::{Currency, Email, Error, Money, OrderId, PaymentId};
use nite_payments::StripePaymentProvider;
use nite_payments::webhook::sign;

use crate::fake_stripe::{Failure, FakeStripe, event};

const SECRET_KEY: &str = "sk_test_nite_fake_key";
const WEBHOOK_SECRET: &str = "whsec_nite_fake_secret";

fn provider(fake: &FakeStripe, timeout: Duration) -> StripePaymentProvider {
    StripePaymentProvider::builder(SECRET_KEY)
        .api_base(fake.url.clone())
        .webhook_secrets([WEBHOOK_SECRET.to_owned()])
        .timeout(timeout)
        .build()
        .unwrap()
}

fn create(order: &str) -> CreatePayment {
    CreatePayment {
        order_id: OrderId::parse(order).unwrap(),
        amount: Money::from_minor(17_372, Currency::USD),
        email: Email::parse("ada+nite@example.com").unwrap(),
        capture: CaptureMethod::Automatic,
        idempotency_key: format!("nite-order-{order}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

#[test]
fn stripe_keeps_the_payment_contract() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_secs(5));
        let n = std::sync::atomic::AtomicU32::new(0);
        nite_core::contract::payment_provider(&stripe, |id: PaymentId, outcome| {
            let intent = fake.settle(id.as_str(), outcome == TestOutcome::Succeeded);
            let kind = match (outcome, intent["status"].as_str()) {
                (TestOutcome::Failed, _) => "payment_intent.payment_failed",
                (_, Some("requires_capture")) => "payment_intent.amount_capturable_updated",
                _ => "payment_intent.succeeded",
            };
            let number = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let body = event(&format!("evt_contract_{number}"), kind, intent);
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let headers = vec![("Stripe-Signature".to_owned(), sign(body.as_bytes(), WEBHOOK_SECRET, now))];
            let parsed = stripe.parse_webhook(&WebhookRequest { body: body.as_bytes(), headers: &headers });
            let parsed = parsed.unwrap().expect("a payment event");
            async move { parsed }
        })
        .await;
    });
}

#[test]
fn requests_speak_stripes_wire_format() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_secs(5));
        let payment = stripe.create_payment(&create("ord_wire")).await.unwrap();
        assert!(payment.id.as_str().starts_with("pi_"));
        assert_eq!(payment.client_secret.as_deref(), Some(format!("{}_secret_fake", payment.id).as_str()));
        let sent = &fake.requests()[0];
        assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v1/payment_intents"));
        assert_eq!(sent.authorization.as_deref(), Some(format!("Bearer {SECRET_KEY}").as_str()));
        assert_eq!(sent.idempotency_key.as_deref(), Some("nite-order-ord_wire"));
        let form: std::collections::HashMap<_, _> = sent.form.iter().cloned().collect();
        assert_eq!(form["amount"], "17372");
        assert_eq!(form["currency"], "usd");
        assert_eq!(form["metadata[order_id]"], "ord_wire");
        assert_eq!(form["receipt_email"], "ada+nite@example.com");
        assert_eq!(form["capture_method"], "automatic");
        assert_eq!(form["automatic_payment_methods[enabled]"], "true");
    });
}

#[test]
fn a_server_error_is_retried_under_the_same_key() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_secs(5));
        fake.fail_next(Failure::ServerError);
        stripe.create_payment(&create("ord_retry")).await.unwrap();
        let keys: Vec<_> = fake.requests().iter().map(|r| r.idempotency_key.clone()).collect();
        assert_eq!(keys, vec![Some("nite-order-ord_retry".to_owned()); 2]);
        assert_eq!(fake.intents_created(), 1);
    });
}

#[test]
fn a_timeout_after_stripe_applied_the_request_charges_once() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_millis(300));
        fake.fail_next(Failure::SlowAfterApplying(Duration::from_secs(2)));
        let payment = stripe.create_payment(&create("ord_slow")).await.unwrap();
        assert_eq!(fake.requests().len(), 2, "the first attempt timed out and was retried");
        assert_eq!(fake.intents_created(), 1, "the retry was answered from Stripe's idempotency record");
        assert_eq!(stripe.payment(&payment.id).await.unwrap().id, payment.id);
    });
}

#[test]
fn giving_up_is_a_typed_error_and_a_decline_says_why() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_secs(5));
        for _ in 0..3 {
            fake.fail_next(Failure::ServerError);
        }
        assert!(matches!(stripe.create_payment(&create("ord_down")).await, Err(Error::Adapter { .. })));
        assert_eq!(fake.intents_created(), 0);
        fake.fail_next(Failure::Decline);
        match stripe.create_payment(&create("ord_declined")).await {
            Err(Error::PaymentDeclined { code, message }) => {
                assert_eq!(code, "insufficient_funds");
                assert!(message.contains("insufficient funds"));
            }
            other => panic!("expected a decline, got {other:?}"),
        }
        let wrong_key =
            StripePaymentProvider::builder("sk_live_not_the_fakes_key").api_base(fake.url.clone()).build().unwrap();
        assert!(matches!(wrong_key.create_payment(&create("ord_auth")).await, Err(Error::PaymentRejected { .. })));
    });
}

#[test]
fn settings_are_checked_when_built() {
    assert!(StripePaymentProvider::builder("pk_test_publishable").build().is_err());
    assert!(StripePaymentProvider::builder(SECRET_KEY).webhook_secrets(["secret".to_owned()]).build().is_err());
    assert!(StripePaymentProvider::builder(SECRET_KEY).api_base("ftp://x").build().is_err());
    let debug = format!("{:?}", StripePaymentProvider::builder(SECRET_KEY));
    assert!(!debug.contains(SECRET_KEY), "secrets never reach a log: {debug}");
}

#[test]
fn events_round_trip_through_the_adapter() {
    runtime().block_on(async {
        let fake = FakeStripe::start().await;
        let stripe = provider(&fake, Duration::from_secs(5));
        let payment = stripe.create_payment(&create("ord_evt")).await.unwrap();
        let intent = fake.settle(payment.id.as_str(), true);
        let body = event("evt_1", "payment_intent.succeeded", intent);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let headers = vec![("stripe-signature".to_owned(), sign(body.as_bytes(), WEBHOOK_SECRET, now))];
        let event =
            stripe.parse_webhook(&WebhookRequest { body: body.as_bytes(), headers: &headers }).unwrap().unwrap();
        assert_eq!(event.kind, PaymentEventKind::Succeeded);
        assert_eq!(event.order_id, Some(OrderId::parse("ord_evt").unwrap()));
        assert_eq!(event.amount, Money::from_minor(17_372, Currency::USD));
        let none: Vec<(String, String)> = Vec::new();
        assert!(matches!(
            stripe.parse_webhook(&WebhookRequest { body: body.as_bytes(), headers: &none }),
            Err(Error::SignatureInvalid(_))
        ));
    });
}
