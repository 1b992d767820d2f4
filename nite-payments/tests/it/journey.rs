//! A checkout paid through Stripe: the order's PaymentIntent is created on the fake, the customer pays, and the
//! signed webhook — delivered twice, as Stripe may — moves the order to `paid` exactly once.

use std::sync::Arc;
use std::time::Duration;

use nite_core::contract::Fixture;
use nite_core::order::OrderState;
use nite_core::payment::{PaymentProvider, WebhookRequest};
use nite_core::ports::Stores;
use nite_core::services::{EventOutcome, IdempotencyKey, Viewer};
use nite_core::testing::InMemoryStore;
use nite_payments::StripePaymentProvider;
use nite_payments::webhook::sign;

use crate::fake_stripe::{FakeStripe, event};

#[test]
fn a_stripe_payment_settles_the_order_once() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
        let fake = FakeStripe::start().await;
        let secret = "whsec_journey";
        let stripe: Arc<StripePaymentProvider> = Arc::new(
            StripePaymentProvider::builder("sk_test_journey")
                .api_base(fake.url.clone())
                .webhook_secrets([secret.to_owned()])
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        );
        let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
        let f = Fixture::with_payments(&stores, Some(stripe.clone()));
        f.seed().await;
        let cart = f.ready_cart(&[("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)], &["NITE10"]).await;
        let key = IdempotencyKey { key: "checkout-1".into(), fingerprint: "fp".into() };
        let placed = f.checkout.checkout(&cart, &Viewer::guest(), Some(&key)).await.unwrap();
        assert!(placed.payment.as_ref().unwrap().id.as_str().starts_with("pi_"));
        assert!(placed.payment.as_ref().unwrap().client_secret.is_some());
        assert_eq!(placed.order.payment.provider.as_deref(), Some("stripe"));
        // A retried checkout answers the same order and the same PaymentIntent.
        let retried = f.checkout.checkout(&cart, &Viewer::guest(), Some(&key)).await.unwrap();
        assert_eq!(
            (retried.order.id.clone(), retried.payment.as_ref().unwrap().id.clone()),
            (placed.order.id.clone(), placed.payment.as_ref().unwrap().id.clone())
        );
        assert_eq!(fake.intents_created(), 1);

        let intent = fake.settle(placed.payment.as_ref().unwrap().id.as_str(), true);
        let body = event("evt_journey", "payment_intent.succeeded", intent);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let headers = vec![("Stripe-Signature".to_owned(), sign(body.as_bytes(), secret, now))];
        let request = WebhookRequest { body: body.as_bytes(), headers: &headers };
        let verified = stripe.parse_webhook(&request).unwrap().unwrap();
        assert_eq!(f.payments.handle(&verified).await.unwrap(), EventOutcome::Applied(OrderState::Paid));
        let again = stripe.parse_webhook(&request).unwrap().unwrap();
        assert_eq!(f.payments.handle(&again).await.unwrap(), EventOutcome::Duplicate);
        let order = stores.orders.order(&placed.order.id).await.unwrap().unwrap();
        assert_eq!(order.state(), OrderState::Paid);
        assert_eq!(order.history.iter().filter(|h| h.to == OrderState::Paid).count(), 1);

        // A refund goes to Stripe under an idempotency key and is recorded with Stripe's id.
        let admin = Viewer::admin(nite_core::CustomerId::parse("cus_admin").unwrap());
        let ten = nite_core::Money::from_minor(1000, nite_core::Currency::USD);
        let refunded = f.fulfilment.refund(&order.id, &admin, ten.amount(), "scuffed").await.unwrap();
        assert!(refunded.refunds[0].provider_refund_id.as_deref().is_some_and(|id| id.starts_with("re_")));
        let refund_request = fake.requests().into_iter().find(|r| r.path == "/v1/refunds").unwrap();
        // The key is the refund's own (made before Stripe was asked), never derived from a count of refunds.
        let refund_id = refunded.refunds[0].id.clone().unwrap();
        assert_eq!(refund_request.idempotency_key.as_deref(), Some(format!("nite-refund-{refund_id}").as_str()));
    });
}
