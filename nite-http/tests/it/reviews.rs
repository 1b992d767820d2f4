//! Reviews over the API: only buyers write them, once per product, and shoppers see them only once approved, without
//! the author's customer id.

use axum::http::StatusCode;
use serde_json::json;

use crate::api::{address, call, shop_and_stores};

async fn signed_in(app: &axum::Router, email: &str, name: &str) -> String {
    let body = json!({ "email": email, "password": "correct horse battery", "name": name });
    let (status, session) = call(app, "POST", "/api/v1/auth/register", Some(body), &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    format!("Bearer {}", session["access_token"].as_str().unwrap())
}

/// A signed-in customer buys (and pays for) one Basic.
async fn buy_basic(app: &axum::Router, auth: &str) {
    let who = [("authorization", auth)];
    let (_, cart) = call(app, "POST", "/api/v1/carts", None, &who).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    call(app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), &who).await;
    let contact = json!({ "email": "ada@example.com", "shipping_address": address() });
    call(app, "PUT", &format!("{base}/addresses"), Some(contact), &who).await;
    let (_, options) = call(app, "GET", &format!("{base}/shipping-options"), None, &who).await;
    let option = json!({ "id": options["data"][0]["id"].clone() });
    call(app, "PUT", &format!("{base}/shipping-option"), Some(option), &who).await;
    let keyed = [("authorization", auth), ("idempotency-key", "buy")];
    let (status, placed) = call(app, "POST", &format!("{base}/checkout"), None, &keyed).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
    let (status, body) = call(app, "POST", &pay, Some(json!({ "outcome": "succeeded" })), &[]).await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn buyers_review_once_and_moderators_decide_what_shoppers_see() {
    let (app, _) = shop_and_stores().await;
    let ada = signed_in(&app, "ada@example.com", "Ada").await;
    let bo = signed_in(&app, "bo@example.com", "Bo").await;
    buy_basic(&app, &ada).await;
    let uri = "/api/v1/products/niteputter-basic/reviews";
    let review = json!({ "rating": 5, "title": "Bright", "body": "I can read the break at midnight." });

    let (status, problem) = call(&app, "POST", uri, Some(review.clone()), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (status, problem) = call(&app, "POST", uri, Some(review.clone()), &[("authorization", &bo)]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_verified_buyer")));
    let bad = json!({ "rating": 6, "title": "", "body": "x" });
    let (status, problem) = call(&app, "POST", uri, Some(bad), &[("authorization", &ada)]).await;
    assert_eq!((status, problem["errors"].as_array().map(Vec::len)), (StatusCode::UNPROCESSABLE_ENTITY, Some(2)));

    let (status, written) = call(&app, "POST", uri, Some(review.clone()), &[("authorization", &ada)]).await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    assert_eq!((written["status"].as_str(), written["author"].as_str()), (Some("pending"), Some("Ada")));
    let (status, problem) = call(&app, "POST", uri, Some(review), &[("authorization", &ada)]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("already_reviewed")));
    let (_, shown) = call(&app, "GET", uri, None, &[]).await;
    assert_eq!(shown["data"], json!([]), "pending reviews are not shown");

    let admin = crate::admin::bearer_for("cus_0000000000000000000b", "admin");
    let moderator = [("authorization", admin.as_str())];
    let (status, _) = call(&app, "GET", "/api/v1/admin/reviews?status=pending", None, &[("authorization", &ada)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, queue) = call(&app, "GET", "/api/v1/admin/reviews?status=pending", None, &moderator).await;
    assert_eq!(queue["data"].as_array().map(Vec::len), Some(1), "{queue}");
    let id = queue["data"][0]["id"].as_str().unwrap().to_owned();
    let (status, approved) = call(&app, "POST", &format!("/api/v1/admin/reviews/{id}/approve"), None, &moderator).await;
    assert_eq!((status, approved["status"].as_str()), (StatusCode::OK, Some("approved")), "{approved}");
    let (_, queue) = call(&app, "GET", "/api/v1/admin/reviews?status=pending", None, &moderator).await;
    assert_eq!(queue["data"], json!([]));

    let (_, shown) = call(&app, "GET", uri, None, &[]).await;
    assert_eq!(shown["data"].as_array().map(Vec::len), Some(1), "{shown}");
    assert_eq!(shown["data"][0]["author"], "Ada");
    assert!(shown["data"][0].get("customer_id").is_none(), "shoppers never see customer ids: {shown}");
    let (_, product) = call(&app, "GET", "/api/v1/products/niteputter-basic", None, &[]).await;
    assert_eq!(product["reviews_summary"]["count"], 1, "{product}");

    let (status, _) = call(&app, "POST", "/api/v1/admin/reviews/rev_nope/reject", None, &moderator).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
