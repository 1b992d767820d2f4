//! The API driven in process (`oneshot`, no socket): a guest's whole purchase, and the problems bad requests get.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use nite_core::ports::Stores;
use nite_core::testing::InMemoryStore;
use nite_http::{AppState, app};

/// The key the test server signs access tokens with.
pub(crate) const SECRET: &[u8] = b"a test secret of at least 32 bytes!";
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) async fn shop() -> axum::Router {
    shop_and_stores().await.0
}

/// The test shop and the stores behind it, for tests that look at what the API wrote.
pub(crate) async fn shop_and_stores() -> (axum::Router, Stores) {
    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    let shop = niteputter_shop(stores.clone()).build().unwrap();
    (app(AppState::new(shop, None, SECRET)), stores)
}

/// A builder of the NitePutter shop over `stores`, its emails written as files to a temporary folder.
pub(crate) fn niteputter_shop(stores: Stores) -> nite_shop::ShopBuilder {
    let email = Arc::new(nite_email::FileEmailSender::new(tempfile::tempdir().unwrap().keep()).unwrap());
    nite_shop::niteputter::builder(stores, "http://127.0.0.1:8080").email_sender(email)
}

pub(crate) async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        // `x-peer` is no header: it stands for the client's address, which a socket would give.
        if *name == "x-peer" {
            let peer: std::net::SocketAddr = value.parse().unwrap();
            request = request.extension(axum::extract::ConnectInfo(peer));
        } else {
            request = request.header(*name, *value);
        }
    }
    let request = match body {
        Some(json) => request.header("content-type", "application/json").body(Body::from(json.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{uri}: {value}");
    }
    (status, value)
}

/// A token with these claims, signed with `key` (our `SECRET`, or another key to forge one).
pub(crate) fn mint(sub: &str, role: &str, exp_from_now: i64, key: &[u8]) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({ "sub": sub, "role": role, "iat": now, "exp": now + exp_from_now });
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(key)).unwrap()
}

/// An `Authorization` value for a valid ten-minute token of `sub` with `role`.
pub(crate) fn bearer_for(sub: &str, role: &str) -> String {
    format!("Bearer {}", mint(sub, role, 600, SECRET))
}

/// Places an order for one Basic (as the holder of `auth`, or a guest), paid through the test provider when `pay`;
/// the checkout's answer.
pub(crate) async fn buy(app: &axum::Router, auth: Option<&str>, key: &str, pay: bool) -> Value {
    buy_from(app, auth, None, key, pay).await
}

/// [`buy`] from the client at `peer` (an address such as `10.0.0.1:1`).
pub(crate) async fn buy_from(
    app: &axum::Router,
    auth: Option<&str>,
    peer: Option<&str>,
    key: &str,
    pay: bool,
) -> Value {
    let mut who: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
    who.extend(peer.map(|p| ("x-peer", p)));
    let (_, cart) = call(app, "POST", "/api/v1/carts", None, &who).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    call(app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), &who).await;
    let contact = json!({ "email": "ada@example.com", "shipping_address": address() });
    call(app, "PUT", &format!("{base}/addresses"), Some(contact), &who).await;
    let (_, options) = call(app, "GET", &format!("{base}/shipping-options"), None, &who).await;
    let option = json!({ "id": options["data"][0]["id"].clone() });
    call(app, "PUT", &format!("{base}/shipping-option"), Some(option), &who).await;
    let mut keyed = who.clone();
    keyed.push(("idempotency-key", key));
    let (status, placed) = call(app, "POST", &format!("{base}/checkout"), None, &keyed).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    if pay {
        let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
        let (status, body) = call(app, "POST", &pay, Some(json!({ "outcome": "succeeded" })), &[]).await;
        assert!(status.is_success(), "{body}");
    }
    placed
}

pub(crate) fn address() -> Value {
    json!({ "name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
            "postal_code": "94105", "country": "US" })
}

#[tokio::test]
async fn a_guest_buys_through_the_api() {
    let app = shop().await;
    let (status, products) = call(&app, "GET", "/api/v1/products?limit=10", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(products["data"].as_array().unwrap().len(), 3);
    let (_, pro) = call(&app, "GET", "/api/v1/products/niteputter-pro", None, &[]).await;
    assert_eq!(pro["variants"][0]["price"], json!({ "amount": "89.99", "currency": "USD" }));
    assert_eq!(pro["variants"][0]["compare_at_price"], json!({ "amount": "99.99", "currency": "USD" }));

    let (status, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = cart["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/carts/{id}");
    let (status, _) =
        call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-PRO-GRN", "quantity": 2 })), &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), &[]).await;
    let (_, cart) = call(&app, "POST", &format!("{base}/discount-codes"), Some(json!({ "code": "nite10" })), &[]).await;
    assert_eq!(cart["discount_codes"][0], json!({ "code": "NITE10", "applied": true, "why": null }));
    let (status, cart) = call(
        &app,
        "PUT",
        &format!("{base}/addresses"),
        Some(json!({ "email": "ada@example.com", "shipping_address": address() })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cart}");
    let (_, options) = call(&app, "GET", &format!("{base}/shipping-options"), None, &[]).await;
    let standard = options["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(standard, "table:us:standard");
    let (_, cart) = call(&app, "PUT", &format!("{base}/shipping-option"), Some(json!({ "id": standard })), &[]).await;
    // Buy 2 Pro get a Basic free, NITE10, free standard shipping over $100, California tax.
    assert_eq!(cart["totals"]["total"], json!({ "amount": "173.72", "currency": "USD" }));

    let (status, problem) = call(&app, "POST", &format!("{base}/checkout"), None, &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    let key = [("idempotency-key", "checkout-1")];
    let (status, placed) = call(&app, "POST", &format!("{base}/checkout"), None, &key).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let (_, again) = call(&app, "POST", &format!("{base}/checkout"), None, &key).await;
    assert_eq!(again["order"]["id"], placed["order"]["id"], "the same key answers the same order");
    assert_eq!(again["order_token"], placed["order_token"]);
    assert_eq!(placed["order"]["state"], "pending_payment");
    assert_eq!(placed["payment"]["provider"], "test");
    let order = placed["order"]["id"].as_str().unwrap().to_owned();
    let token = placed["order_token"].as_str().unwrap().to_owned();
    let payment = placed["payment"]["id"].as_str().unwrap().to_owned();

    let (status, _) = call(&app, "GET", &format!("/api/v1/orders/{order}"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a guest order needs its token");
    let (status, _) = call(&app, "GET", &format!("/api/v1/orders/{order}"), None, &[("x-order-token", "guess")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, confirmed) = call(
        &app,
        "POST",
        &format!("/api/v1/payments/{payment}/test-confirm"),
        Some(json!({ "outcome": "succeeded" })),
        &[],
    )
    .await;
    assert_eq!((status, confirmed["outcome"].as_str()), (StatusCode::OK, Some("applied:paid")));
    let (status, paid) =
        call(&app, "GET", &format!("/api/v1/orders/{order}"), None, &[("x-order-token", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["payment"]["status"], "captured");
    assert_eq!(paid["history"].as_array().unwrap().len(), 2);
    // Paying twice is the client's mistake, not a provider failure (schemathesis found it answering 502).
    let confirm = format!("/api/v1/payments/{payment}/test-confirm");
    let (status, problem) = call(&app, "POST", &confirm, Some(json!({ "outcome": "succeeded" })), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("payment_not_pending")), "{problem}");
    let (status, problem) =
        call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-PRO-GRN", "quantity": 1 })), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("cart_not_open")));
}

#[tokio::test]
async fn bad_requests_get_problems_with_stable_codes() {
    let app = shop().await;
    let (_, cart) = call(&app, "POST", "/api/v1/carts", Some(json!({ "currency": "USD" })), &[]).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    let cases: Vec<(&str, String, Option<Value>, StatusCode, &str)> = vec![
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "sku": "NOPE", "quantity": 1 })),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "sku": "NP-PRO-GRN", "quantity": 100 })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "sku": "NP-PRO-GRN", "quantity": 0 })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "sku": "NP-PRO-GRN", "quantity": -1 })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "sku": "NP-COMPLETE", "quantity": 26 })),
            StatusCode::CONFLICT,
            "insufficient_stock",
        ),
        (
            "POST",
            format!("{base}/items"),
            Some(json!({ "quantity": 1 })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "POST",
            format!("{base}/discount-codes"),
            Some(json!({ "code": "BOGUS" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "discount_code_invalid",
        ),
        (
            "PUT",
            format!("{base}/addresses"),
            Some(
                json!({ "email": "no", "shipping_address": { "name": "", "line1": "x", "city": "y", "postal_code": "1", "country": "US" } }),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        ("GET", format!("{base}/shipping-options"), None, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        ("GET", "/api/v1/carts/cart_doesnotexist".to_owned(), None, StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/v1/carts/not-an-id".to_owned(), None, StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/v1/products?limit=0".to_owned(), None, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        ("GET", "/api/v1/products/no-such-light".to_owned(), None, StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/v1/nowhere".to_owned(), None, StatusCode::NOT_FOUND, "not_found"),
        ("POST", "/api/v1/webhooks/stripe".to_owned(), Some(json!({})), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (method, uri, body, status, code) in cases {
        let (got, problem) = call(&app, method, &uri, body.clone(), &[]).await;
        assert_eq!((got, problem["code"].as_str()), (status, Some(code)), "{method} {uri} {body:?}: {problem}");
    }
    let (_, problem) =
        call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-COMPLETE", "quantity": 26 })), &[]).await;
    assert_eq!(problem["available"], 25);
    let (_, problem) = call(&app, "PUT", &format!("{base}/addresses"), Some(json!({ "email": "no", "shipping_address": { "name": "", "line1": "x", "city": "y", "postal_code": "1", "country": "US" } })), &[]).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "shipping_address.name", "shipping_address.postal_code", "shipping_address.region"]);

    // Too large a body, not JSON, JSON of the wrong shape.
    let huge = json!({ "code": "x".repeat(nite_http::MAX_BODY_BYTES + 1) });
    let (status, problem) = call(&app, "POST", &format!("{base}/discount-codes"), Some(huge), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    let request = Request::post(format!("{base}/discount-codes"))
        .header("content-type", "application/json")
        .body(Body::from("{nope"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(&app, "POST", &format!("{base}/discount-codes"), Some(json!({ "code": 5 })), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn health_and_request_ids() {
    let app = shop().await;
    let (status, body) = call(&app, "GET", "/healthz", None, &[]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, _) = call(&app, "GET", "/readyz", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let response = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert!(response.headers().get("x-request-id").is_some(), "every response carries a request id");
    let response = app
        .clone()
        .oneshot(Request::get("/healthz").header("x-request-id", "abc").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap(), "abc", "a caller's id is kept");
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let preflight = |origin: &'static str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/v1/carts")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, idempotency-key")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = |response: &axum::response::Response| {
        response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned())
    };
    let closed = shop().await;
    let response = closed.clone().oneshot(preflight("https://shop.example")).await.unwrap();
    assert_eq!(allowed(&response), None, "no CORS unless configured");

    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    let shop = niteputter_shop(stores).build().unwrap();
    let open = app(AppState::new(shop, None, SECRET).with_cors_origins(&["https://shop.example".to_owned()]));
    let response = open.clone().oneshot(preflight("https://shop.example")).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(allowed(&response).as_deref(), Some("https://shop.example"));
    let methods = response.headers().get("access-control-allow-methods").unwrap().to_str().unwrap().to_owned();
    assert!(methods.contains("POST") && methods.contains("PATCH"), "{methods}");
    let response = open.clone().oneshot(preflight("https://evil.example")).await.unwrap();
    assert_eq!(allowed(&response), None);
    let simple =
        Request::builder().uri("/api/v1/products").header("origin", "https://shop.example").body(Body::empty());
    let response = open.oneshot(simple.unwrap()).await.unwrap();
    assert_eq!(allowed(&response).as_deref(), Some("https://shop.example"));
    assert!(response.headers().get("access-control-expose-headers").is_some());
}

#[tokio::test]
async fn prices_sent_by_the_client_never_reach_the_cart() {
    let app = shop().await;
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let items = format!("/api/v1/carts/{}/items", cart["id"].as_str().unwrap());
    for cheat in [
        json!({ "sku": "NP-PRO-GRN", "quantity": 1, "unit_price": "0.01" }),
        json!({ "sku": "NP-PRO-GRN", "quantity": 1, "price": { "amount": "0.01", "currency": "USD" } }),
    ] {
        let (status, problem) = call(&app, "POST", &items, Some(cheat.clone()), &[]).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{cheat}"
        );
    }
    let (_, cart) = call(&app, "GET", &items.replace("/items", ""), None, &[]).await;
    assert_eq!(cart["lines"], json!([]), "{cart}");
    let (_, cart) = call(&app, "POST", &items, Some(json!({ "sku": "NP-PRO-GRN", "quantity": 1 })), &[]).await;
    assert_eq!(cart["totals"]["subtotal"], json!({ "amount": "89.99", "currency": "USD" }), "{cart}");
}
