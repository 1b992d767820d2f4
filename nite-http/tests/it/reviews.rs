//! Reviews over the API: only buyers write them, once per product, and shoppers see them only once approved, without
//! the author's customer id.

use axum::http::StatusCode;
use serde_json::json;

use crate::accounts::{bearer, register};
use crate::api::{bearer_for, buy, call, shop_and_stores};

#[tokio::test]
async fn buyers_review_once_and_moderators_decide_what_shoppers_see() {
    let (app, _) = shop_and_stores().await;
    let ada = bearer(&register(&app, "ada@example.com").await);
    let bo = bearer(&register(&app, "bo@example.com").await);
    buy(&app, Some(&ada), "buy", true).await;
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

    let admin = bearer_for("cus_0000000000000000000b", "admin");
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
