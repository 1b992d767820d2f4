//! What a hostile or unlucky client meets at the edge: problems for every error, idempotent cart creation, limits
//! counted before the work they guard, totals that changed, declined cards, hoarded stock, and sessions that a
//! password reset ends.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::future::join_all;
use nite_core::outbox::Notification;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

use nite_core::ports::Stores;
use nite_core::testing::InMemoryStore;
use nite_http::{AppState, app};

use crate::accounts::register;
use crate::api::{address, bearer_for, buy_from, call, shop, shop_and_stores};

/// A raw request, for what `call` cannot say (a bad path, a lying `Content-Length`).
async fn raw(app: &axum::Router, request: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, kind, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_error_is_a_problem_with_a_stable_code() {
    let app = shop().await;
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            Request::delete("/api/v1/products").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            // A declared body over the limit is refused at once, before a byte of it is read.
            Request::post("/api/v1/carts")
                .header("content-type", "application/json")
                .header("content-length", "10000000")
                .body(Body::from("{}"))
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            Request::post("/api/v1/carts")
                .header("content-type", "application/json")
                .body(Body::from(vec![b' '; 70 * 1024]))
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (Request::get("/api/v1/products/%FF%FE").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "bad_request"),
        (Request::get("/api/v1/nowhere").body(Body::empty()).unwrap(), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (request, status, code) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let (got, kind, problem) = raw(&app, request).await;
        assert_eq!((got, problem["code"].as_str()), (status, Some(code)), "{what}: {problem}");
        assert_eq!(kind.as_deref(), Some("application/problem+json"), "{what}");
        assert_eq!(problem["status"], json!(status.as_u16()), "{what}");
    }
}

#[tokio::test]
async fn a_retried_cart_creation_opens_one_cart() {
    let app = shop().await;
    let me = [("idempotency-key", "cart-1"), ("x-peer", "10.0.0.1:1")];
    let (status, first) = call(&app, "POST", "/api/v1/carts", None, &me).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = call(&app, "POST", "/api/v1/carts", None, &me).await;
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &first["id"]), "the same cart");
    let (status, problem) = call(&app, "POST", "/api/v1/carts", Some(json!({ "currency": "USD" })), &me).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
    // Another client with the same key never gets this cart.
    let stranger = [("idempotency-key", "cart-1"), ("x-peer", "10.0.0.2:1")];
    let (status, problem) = call(&app, "POST", "/api/v1/carts", None, &stranger).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
    // A currency the shop does not sell is refused before any line is stored.
    let (status, problem) = call(&app, "POST", "/api/v1/carts", Some(json!({ "currency": "EUR" })), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = shop().await;
    let token = bearer_for("cus_0000000000000000000a", "customer");
    let token = token.strip_prefix("Bearer ").unwrap();
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let (status, body) =
            call(&app, "GET", "/api/v1/me/orders", None, &[("authorization", &format!("{scheme} {token}"))]).await;
        assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
    }
    let (status, _) =
        call(&app, "GET", "/api/v1/me/orders", None, &[("authorization", &format!("Basic {token}"))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn promotions_from_the_admin_api_are_validated_and_combine_by_default() {
    let app = shop().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let bad = [
        json!({ "name": "Minus", "action": { "type": "order_amount", "amount": { "amount": "-50.00", "currency": "USD" } } }),
        json!({ "name": "Zero", "action": { "type": "order_amount", "amount": { "amount": "0.00", "currency": "USD" } } }),
        json!({ "name": "Euro", "action": { "type": "order_amount", "amount": { "amount": "5.00", "currency": "EUR" } } }),
        json!({ "name": "Nothing", "action": { "type": "order_percentage", "percentage": "0" } }),
        json!({ "name": "Min", "action": { "type": "free_shipping" },
                "conditions": [{ "type": "min_subtotal", "amount": { "amount": "-1.00", "currency": "USD" } }] }),
    ];
    for body in bad {
        let (status, problem) = call(&app, "POST", "/api/v1/admin/promotions", Some(body.clone()), &auth).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{body}: {problem}"
        );
    }
    let five = json!({ "name": "Five off", "code": "FIVE",
                       "action": { "type": "order_amount", "amount": { "amount": "5.00", "currency": "USD" } } });
    let (status, created) = call(&app, "POST", "/api/v1/admin/promotions", Some(five), &auth).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["priority"], json!(100));
    assert_eq!(created["combines_with"], json!({ "order": true, "product": true, "shipping": true }));
}

/// A cart ready for checkout from client `peer`: one Pro, an address and the cheapest rate.
async fn ready_cart(app: &axum::Router, peer: &str) -> String {
    let who = [("x-peer", peer)];
    let (_, cart) = call(app, "POST", "/api/v1/carts", None, &who).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    call(app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-PRO-GRN", "quantity": 1 })), &who).await;
    let contact = json!({ "email": "ada@example.com", "shipping_address": address() });
    call(app, "PUT", &format!("{base}/addresses"), Some(contact), &who).await;
    let (_, options) = call(app, "GET", &format!("{base}/shipping-options"), None, &who).await;
    let option = json!({ "id": options["data"][0]["id"].clone() });
    call(app, "PUT", &format!("{base}/shipping-option"), Some(option), &who).await;
    base
}

#[tokio::test]
async fn a_changed_total_is_shown_before_it_is_charged() {
    let app = shop().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let base = ready_cart(&app, "10.0.0.1:1").await;
    let (_, shown) = call(&app, "GET", &base, None, &[]).await;
    let sale = json!({ "name": "Flash sale", "action": { "type": "order_percentage", "percentage": "10" } });
    let (status, _) = call(&app, "POST", "/api/v1/admin/promotions", Some(sale), &[("authorization", &admin)]).await;
    assert_eq!(status, StatusCode::CREATED);
    let checkout = format!("{base}/checkout");
    let who = [("x-peer", "10.0.0.1:1"), ("idempotency-key", "attempt-1")];
    let (status, problem) = call(&app, "POST", &checkout, None, &who).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("cart_changed")), "{problem}");
    let now = &problem["cart"]["totals"]["total"];
    assert_ne!(now, &shown["totals"]["total"], "{problem}");
    let (_, orders) = call(&app, "GET", "/api/v1/admin/orders", None, &[("authorization", &admin)]).await;
    assert_eq!(orders["data"], json!([]), "nothing was placed");
    // Checking out again accepts the total the 409 showed.
    let who = [("x-peer", "10.0.0.1:1"), ("idempotency-key", "attempt-2")];
    let (status, placed) = call(&app, "POST", &checkout, None, &who).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(&placed["order"]["totals"]["total"], now);
}

#[tokio::test]
async fn a_declined_card_can_be_tried_again() {
    let app = shop().await;
    let placed = buy_from(&app, None, Some("10.0.0.1:1"), "k1", false).await;
    let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
    let (status, declined) = call(&app, "POST", &pay, Some(json!({ "outcome": "failed" })), &[]).await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    let order = placed["order"]["id"].as_str().unwrap();
    let token = placed["order_token"].as_str().unwrap();
    let (_, shown) = call(&app, "GET", &format!("/api/v1/orders/{order}"), None, &[("x-order-token", token)]).await;
    assert_eq!(shown["state"], "pending_payment", "a decline ends nothing: {shown}");
    let (status, paid) = call(&app, "POST", &pay, Some(json!({ "outcome": "succeeded" })), &[]).await;
    assert_eq!((status, paid["outcome"].as_str()), (StatusCode::OK, Some("applied:paid")), "{paid}");
}

#[tokio::test]
async fn one_client_holds_only_so_many_unpaid_orders() {
    let app = shop().await;
    for n in 0..3 {
        buy_from(&app, None, Some("10.0.0.7:1"), &format!("hoard-{n}"), false).await;
    }
    let base = ready_cart(&app, "10.0.0.7:2").await;
    let who = [("x-peer", "10.0.0.7:2"), ("idempotency-key", "hoard-4")];
    let (status, problem) = call(&app, "POST", &format!("{base}/checkout"), None, &who).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_pending_orders")));
    // Someone else is served.
    buy_from(&app, None, Some("10.0.0.8:1"), "other", false).await;
}

#[tokio::test]
async fn every_sign_in_attempt_counts_before_the_password_is_checked() {
    let app = shop().await;
    register(&app, "victim@example.com").await;
    let guess = |n: usize| {
        let app = app.clone();
        async move {
            let body = json!({ "email": "victim@example.com", "password": format!("guess number {n}") });
            let request = Request::post("/api/v1/auth/login")
                .header("content-type", "application/json")
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 6, 6, 6], 1))))
                .body(Body::from(body.to_string()))
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            (response.status(), response.headers().get("retry-after").is_some())
        }
    };
    let answers = join_all((0..40).map(guess)).await;
    let wrong = answers.iter().filter(|(s, _)| *s == StatusCode::UNAUTHORIZED).count();
    let limited = answers.iter().filter(|(s, retry)| *s == StatusCode::TOO_MANY_REQUESTS && *retry).count();
    assert_eq!((wrong, limited), (5, 35), "{answers:?}");
    // The owner, from their own client, still signs in.
    let mine = json!({ "email": "victim@example.com", "password": "correct horse battery" });
    let (status, session) = call(&app, "POST", "/api/v1/auth/login", Some(mine), &[("x-peer", "10.0.0.1:1")]).await;
    assert_eq!(status, StatusCode::OK, "{session}");
}

#[tokio::test]
async fn registrations_and_reset_requests_are_throttled_per_client() {
    let app = shop().await;
    let me = [("x-peer", "10.0.0.9:1")];
    for n in 0..10 {
        let body = json!({ "email": format!("user{n}@example.com"), "password": "correct horse battery", "name": "U" });
        let (status, body) = call(&app, "POST", "/api/v1/auth/register", Some(body), &me).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let body = json!({ "email": "one-too-many@example.com", "password": "correct horse battery", "name": "U" });
    let (status, problem) = call(&app, "POST", "/api/v1/auth/register", Some(body), &me).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
    for n in 0..3 {
        let (status, _) = call(
            &app,
            "POST",
            "/api/v1/auth/password-reset",
            Some(json!({ "email": "user0@example.com" })),
            &[("x-peer", &format!("10.0.1.{n}:1"))],
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/auth/password-reset",
        Some(json!({ "email": "USER0@example.com" })),
        &[("x-peer", "10.0.1.9:1")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "three resets per address an hour");
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_voids_the_other_tokens() {
    let (app, stores) = shop_and_stores().await;
    let first = register(&app, "ada@example.com").await;
    let login = json!({ "email": "ada@example.com", "password": "correct horse battery" });
    let (_, second) = call(&app, "POST", "/api/v1/auth/login", Some(login), &[]).await;
    for _ in 0..2 {
        call(&app, "POST", "/api/v1/auth/password-reset", Some(json!({ "email": "ada@example.com" })), &[]).await;
    }
    let tokens: Vec<String> = stores
        .outbox
        .outbox(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m.notification {
            Notification::PasswordReset { token, .. } => Some(token),
            _ => None,
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    let confirm = json!({ "token": tokens[1], "new_password": "a brand new passphrase" });
    let (status, _) = call(&app, "POST", "/api/v1/auth/password-reset/confirm", Some(confirm), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for session in [&first, &second] {
        let refresh = json!({ "refresh_token": session["refresh_token"] });
        let (status, problem) = call(&app, "POST", "/api/v1/auth/refresh", Some(refresh), &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "every sign-in ended: {problem}");
    }
    let older = json!({ "token": tokens[0], "new_password": "an attacker's passphrase" });
    let (status, problem) = call(&app, "POST", "/api/v1/auth/password-reset/confirm", Some(older), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the other reset token is void: {problem}");
}

#[tokio::test]
async fn readiness_says_the_test_provider_is_in_use() {
    let app = shop().await;
    let (status, ready) = call(&app, "GET", "/readyz", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["payments"], "test", "{ready}");
}

/// Behind a trusted proxy, each shopper is the address the proxy forwards: one shopper's wrong passwords do not
/// spend another's attempts. From an untrusted peer, `X-Forwarded-For` is ignored (it would let anyone pick a key).
#[tokio::test]
async fn behind_a_trusted_proxy_each_shopper_has_their_own_limits() {
    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    let shop = crate::api::niteputter_shop(stores).build().unwrap();
    let proxies = [nite_http::proxy::IpRange::parse("10.0.0.0/8").unwrap()];
    let app =
        app(AppState::new(shop, None, b"a test secret of at least thirty-two bytes!").with_trusted_proxies(&proxies));
    let wrong = json!({ "email": "ada@example.com", "password": "wrong" });
    let attempt = |peer: &'static str, forwarded: &'static str| {
        let app = app.clone();
        let wrong = wrong.clone();
        async move {
            call(&app, "POST", "/api/v1/auth/login", Some(wrong), &[("x-peer", peer), ("x-forwarded-for", forwarded)])
                .await
                .0
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("10.0.0.2:1", "203.0.113.7").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("10.0.0.2:1", "203.0.113.7").await, StatusCode::TOO_MANY_REQUESTS, "the same shopper");
    assert_eq!(attempt("10.0.0.2:1", "203.0.113.8").await, StatusCode::UNAUTHORIZED, "another shopper, same proxy");
    // An untrusted client cannot escape its limit by forging the header.
    for _ in 0..5 {
        assert_eq!(attempt("198.51.100.1:1", "192.0.2.1").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("198.51.100.1:1", "192.0.2.2").await, StatusCode::TOO_MANY_REQUESTS, "forged header ignored");
}
