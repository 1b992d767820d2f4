//! Accounts and sign-in over the API: registration, login and its limit, tokens that are expired, forged, unsigned
//! or signed with another key, refresh rotation with reuse detection, sign-out, password reset, and customers
//! that cannot see each other's carts and orders.

use axum::http::StatusCode;
use nite_core::outbox::Notification;
use serde_json::{Value, json};

use crate::api::{SECRET, address, call, mint, shop};

pub(crate) async fn register(app: &axum::Router, email: &str) -> Value {
    let body = json!({ "email": email, "password": "correct horse battery", "name": "Ada" });
    let (status, session) = call(app, "POST", "/api/v1/auth/register", Some(body), &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    session
}

pub(crate) fn bearer(session: &Value) -> String {
    format!("Bearer {}", session["access_token"].as_str().unwrap())
}

#[tokio::test]
async fn register_login_and_me() {
    let app = shop().await;
    let ada = register(&app, "ada@example.com").await;
    assert_eq!(ada["customer"]["email"], "ada@example.com");
    assert_eq!(ada["expires_in"], 900, "access tokens live 15 minutes");
    let (status, problem) = call(
        &app,
        "POST",
        "/api/v1/auth/register",
        Some(json!({ "email": "ADA@example.com", "password": "correct horse battery", "name": "A" })),
        &[],
    )
    .await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("email_taken")));
    let (status, problem) = call(
        &app,
        "POST",
        "/api/v1/auth/register",
        Some(json!({ "email": "bo@example.com", "password": "short", "name": "Bo" })),
        &[],
    )
    .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));

    let (status, me) = call(&app, "GET", "/api/v1/me", None, &[("authorization", &bearer(&ada))]).await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("Ada")));
    let (_, renamed) =
        call(&app, "PATCH", "/api/v1/me", Some(json!({ "name": "Ada King" })), &[("authorization", &bearer(&ada))])
            .await;
    assert_eq!(renamed["name"], "Ada King");
    let (status, _) = call(&app, "GET", "/api/v1/me", None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let login = |email: &'static str, password: &'static str| json!({ "email": email, "password": password });
    let (status, session) =
        call(&app, "POST", "/api/v1/auth/login", Some(login("ada@example.com", "correct horse battery")), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session["access_token"].is_string() && session["refresh_token"].is_string());
    let wrong = call(&app, "POST", "/api/v1/auth/login", Some(login("ada@example.com", "wrong password!")), &[]).await;
    let unknown =
        call(&app, "POST", "/api/v1/auth/login", Some(login("nobody@example.com", "wrong password!")), &[]).await;
    assert_eq!((wrong.0, wrong.1["code"].clone()), (StatusCode::UNAUTHORIZED, json!("invalid_credentials")));
    assert_eq!(
        (unknown.0, unknown.1["code"].clone()),
        (wrong.0, wrong.1["code"].clone()),
        "the same answer either way"
    );
    for _ in 0..4 {
        call(&app, "POST", "/api/v1/auth/login", Some(login("ada@example.com", "wrong password!")), &[]).await;
    }
    let (status, problem) =
        call(&app, "POST", "/api/v1/auth/login", Some(login("ada@example.com", "correct horse battery")), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let app = shop().await;
    let ada = register(&app, "ada@example.com").await;
    let id = ada["customer"]["id"].as_str().unwrap();
    let expired = mint(id, "admin", -1, SECRET);
    let wrong_key = mint(id, "admin", 600, b"another secret of at least 32 bytes");
    let unsigned = {
        let payload = mint(id, "admin", 600, SECRET);
        let body = payload.split('.').nth(1).unwrap().to_owned();
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{body}.")
    };
    let mut forged = bearer(&ada);
    forged.pop();
    forged.push('x');
    for bad in [
        format!("Bearer {expired}"),
        format!("Bearer {wrong_key}"),
        format!("Bearer {unsigned}"),
        forged,
        "Basic abc".into(),
        "Bearer".into(),
    ] {
        let (status, problem) = call(&app, "GET", "/api/v1/me", None, &[("authorization", &bad)]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{bad}");
        // A bad token is not a guest either: it is refused even where guests are welcome.
        let (status, _) = call(&app, "POST", "/api/v1/carts", None, &[("authorization", &bad)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replay_revokes_the_sign_in() {
    let app = shop().await;
    let ada = register(&app, "ada@example.com").await;
    let first = ada["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) =
        call(&app, "POST", "/api/v1/auth/refresh", Some(json!({ "refresh_token": first })), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let second = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let (status, problem) =
        call(&app, "POST", "/api/v1/auth/refresh", Some(json!({ "refresh_token": first })), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("refresh_token_reused")));
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({ "refresh_token": second })), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the replay revoked the whole sign-in");

    let (_, session) = call(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "email": "ada@example.com", "password": "correct horse battery" })),
        &[],
    )
    .await;
    let token = session["refresh_token"].as_str().unwrap().to_owned();
    let (status, _) = call(&app, "POST", "/api/v1/auth/logout", Some(json!({ "refresh_token": token })), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({ "refresh_token": token })), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn customers_cannot_see_each_others_carts_or_orders() {
    let app = shop().await;
    let ada = register(&app, "ada@example.com").await;
    let bo = register(&app, "bo@example.com").await;
    let (ada_auth, bo_auth) = (bearer(&ada), bearer(&bo));
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[("authorization", &ada_auth)]).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    for (who, expected) in
        [(Some(&ada_auth), StatusCode::OK), (Some(&bo_auth), StatusCode::NOT_FOUND), (None, StatusCode::NOT_FOUND)]
    {
        let headers: Vec<(&str, &str)> = who.map(|w| vec![("authorization", w.as_str())]).unwrap_or_default();
        let (status, _) = call(&app, "GET", &base, None, &headers).await;
        assert_eq!(status, expected, "{who:?}");
    }
    call(
        &app,
        "POST",
        &format!("{base}/items"),
        Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })),
        &[("authorization", &ada_auth)],
    )
    .await;
    call(
        &app,
        "PUT",
        &format!("{base}/addresses"),
        Some(json!({ "email": "ada@example.com", "shipping_address": address() })),
        &[("authorization", &ada_auth)],
    )
    .await;
    call(
        &app,
        "PUT",
        &format!("{base}/shipping-option"),
        Some(json!({ "id": "table:us:standard" })),
        &[("authorization", &ada_auth)],
    )
    .await;
    let (status, placed) = call(
        &app,
        "POST",
        &format!("{base}/checkout"),
        None,
        &[("authorization", &ada_auth), ("idempotency-key", "k")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let order = format!("/api/v1/orders/{}", placed["order"]["id"].as_str().unwrap());
    assert_eq!(call(&app, "GET", &order, None, &[("authorization", &ada_auth)]).await.0, StatusCode::OK);
    assert_eq!(call(&app, "GET", &order, None, &[("authorization", &bo_auth)]).await.0, StatusCode::NOT_FOUND);
    let (_, mine) = call(&app, "GET", "/api/v1/me/orders", None, &[("authorization", &ada_auth)]).await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let (_, theirs) = call(&app, "GET", "/api/v1/me/orders", None, &[("authorization", &bo_auth)]).await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_password_is_reset_once_by_the_emailed_token() {
    let (app, stores) = crate::api::shop_and_stores().await;
    register(&app, "ada@example.com").await;
    let (status, _) =
        call(&app, "POST", "/api/v1/auth/password-reset", Some(json!({ "email": "nobody@example.com" })), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "the same answer for an unknown address");
    let (status, _) =
        call(&app, "POST", "/api/v1/auth/password-reset", Some(json!({ "email": "ada@example.com" })), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // The token travels only in the email; read it from the outbox as the email would carry it.
    let queued = stores.outbox.outbox(None, 100).await.unwrap();
    let resets: Vec<&str> = queued
        .iter()
        .filter_map(|message| match &message.notification {
            Notification::PasswordReset { token, .. } => Some(token.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(resets.len(), 1, "one email, and none for the unknown address");
    let token = resets[0];
    let confirm = json!({ "token": token, "new_password": "a brand new passphrase" });
    let (status, _) = call(&app, "POST", "/api/v1/auth/password-reset/confirm", Some(confirm.clone()), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, "POST", "/api/v1/auth/password-reset/confirm", Some(confirm), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "once");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "email": "ada@example.com", "password": "a brand new passphrase" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
