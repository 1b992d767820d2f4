//! Stripe's webhook over HTTP, with the shop taking payments through Stripe: a request whose signature does not
//! verify is `400 signature_invalid` and leaves no trace (the same event, signed, is then new to the shop), and a
//! signed event is taken exactly once.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use nite_core::ports::Stores;
use nite_core::testing::InMemoryStore;
use nite_http::{AppState, app};
use nite_payments::StripePaymentProvider;
use nite_payments::webhook::sign;
use serde_json::{Value, json};
use tower::ServiceExt;

const WEBHOOK_SECRET: &str = "whsec_test_webhook_secret";

async fn deliver(app: &axum::Router, body: &str, signature: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/webhooks/stripe").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = app.clone().oneshot(request.body(Body::from(body.to_owned())).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_leaves_no_trace() {
    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    // Nothing listens at the API base: the webhook never calls Stripe.
    let stripe = StripePaymentProvider::builder("sk_test_webhook")
        .webhook_secrets([WEBHOOK_SECRET.to_owned()])
        .api_base("http://127.0.0.1:9")
        .build()
        .unwrap();
    let shop = crate::api::niteputter_shop(stores).payments(Arc::new(stripe)).build().unwrap();
    let app = app(AppState::new(shop, None, crate::api::SECRET));

    let intent = json!({
        "id": "pi_3Q0unknown", "object": "payment_intent", "amount": 17_372, "amount_capturable": 0,
        "amount_received": 17_372, "capture_method": "automatic", "confirmation_method": "automatic",
        "created": 1_780_315_200, "currency": "usd", "livemode": false, "metadata": { "order_id": "ord_42" },
        "payment_method_types": ["card"], "status": "succeeded", "client_secret": null,
    });
    let body = json!({
        "id": "evt_webhook_1", "object": "event", "api_version": "2026-09-30.endive", "created": 1_780_315_200,
        "data": { "object": intent }, "livemode": false, "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null }, "type": "payment_intent.succeeded",
    })
    .to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let good = sign(body.as_bytes(), WEBHOOK_SECRET, now);
    let tampered = body.replace("17372", "1");
    for (what, body, signature) in [
        ("a wrong secret", body.as_str(), Some(sign(body.as_bytes(), "whsec_someone_else", now))),
        ("a changed body", tampered.as_str(), Some(good.clone())),
        ("an old timestamp", body.as_str(), Some(sign(body.as_bytes(), WEBHOOK_SECRET, now - 3_600))),
        ("a malformed header", body.as_str(), Some("t=now,v1=zz".to_owned())),
        ("no header", body.as_str(), None),
    ] {
        let (status, problem) = deliver(&app, body, signature.as_deref()).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("signature_invalid")), "{what}");
    }
    // None of those was recorded: signed, the event is new to the shop (about a payment it does not know, so it
    // is remembered and changes nothing), and a replay is a duplicate.
    let (status, first) = deliver(&app, &body, Some(&good)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first, json!({ "received": true, "handled": true, "outcome": "ignored" }));
    let (_, again) = deliver(&app, &body, Some(&good)).await;
    assert_eq!(again["outcome"], "duplicate");
}
