//! The OpenAPI document: generated from the routes, OpenAPI 3.1, every route of `docs/api.md` in it with its methods, and
//! Swagger UI at `/docs` from assets inside the binary.

use axum::http::StatusCode;
use serde_json::Value;
use tower::ServiceExt;

use crate::api::{call, shop};

async fn document() -> Value {
    let (status, doc) = call(&shop().await, "GET", "/api/v1/openapi.json", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    if let Ok(path) = std::env::var("NITE_DUMP_OPENAPI") {
        std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    }
    doc
}

#[tokio::test]
async fn the_document_lists_every_route_of_api_md() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/config", &["get"]),
        ("/api/v1/products", &["get"]),
        ("/api/v1/products/{slug}", &["get"]),
        ("/api/v1/products/{slug}/reviews", &["get", "post"]),
        ("/api/v1/auth/register", &["post"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/refresh", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
        ("/api/v1/auth/password-reset", &["post"]),
        ("/api/v1/auth/password-reset/confirm", &["post"]),
        ("/api/v1/me", &["get", "patch"]),
        ("/api/v1/me/orders", &["get"]),
        ("/api/v1/carts", &["post"]),
        ("/api/v1/carts/{id}", &["get"]),
        ("/api/v1/carts/{id}/items", &["post"]),
        ("/api/v1/carts/{id}/items/{line}", &["patch", "delete"]),
        ("/api/v1/carts/{id}/discount-codes", &["post"]),
        ("/api/v1/carts/{id}/discount-codes/{code}", &["delete"]),
        ("/api/v1/carts/{id}/addresses", &["put"]),
        ("/api/v1/carts/{id}/shipping-options", &["get"]),
        ("/api/v1/carts/{id}/shipping-option", &["put"]),
        ("/api/v1/carts/{id}/checkout", &["post"]),
        ("/api/v1/carts/{id}/claim", &["post"]),
        ("/api/v1/orders/{id}", &["get"]),
        ("/api/v1/orders/{id}/tracking", &["get"]),
        ("/api/v1/payments/{id}/test-confirm", &["post"]),
        ("/api/v1/webhooks/{provider}", &["post"]),
        ("/api/v1/admin/products", &["get", "post"]),
        ("/api/v1/admin/products/{id}", &["get", "patch", "delete"]),
        ("/api/v1/admin/inventory", &["get"]),
        ("/api/v1/admin/inventory/{sku}", &["put"]),
        ("/api/v1/admin/orders", &["get"]),
        ("/api/v1/admin/orders/{id}", &["get"]),
        ("/api/v1/admin/orders/{id}/ship", &["post"]),
        ("/api/v1/admin/orders/{id}/deliver", &["post"]),
        ("/api/v1/admin/orders/{id}/cancel", &["post"]),
        ("/api/v1/admin/orders/{id}/refunds", &["post"]),
        ("/api/v1/admin/promotions", &["get", "post"]),
        ("/api/v1/admin/promotions/{id}", &["get", "patch"]),
        ("/api/v1/admin/promotions/preview", &["post"]),
        ("/api/v1/admin/webhooks", &["get", "post"]),
        ("/api/v1/admin/webhooks/{id}", &["get", "patch", "delete"]),
        ("/api/v1/admin/webhooks/{id}/deliveries", &["get"]),
        ("/api/v1/admin/outbox", &["get"]),
        ("/api/v1/admin/reviews", &["get"]),
        ("/api/v1/admin/reviews/{id}/approve", &["post"]),
        ("/api/v1/admin/reviews/{id}/reject", &["post"]),
        ("/api/v1/admin/customers", &["get"]),
        ("/api/v1/admin/analytics/sales", &["get"]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in expected {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} is missing"));
        let mut found: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        found.sort_unstable();
        let mut want = methods.to_vec();
        want.sort_unstable();
        assert_eq!(found, want, "{path}");
        for method in *methods {
            let op = &item[*method];
            assert!(op["responses"]["4XX"]["content"]["application/problem+json"].is_object(), "{method} {path}");
            assert!(op["summary"].is_string() || op["description"].is_string(), "{method} {path} is described");
        }
    }
    assert_eq!(paths.len(), expected.len(), "no route outside docs/api.md: {:?}", paths.keys().collect::<Vec<_>>());
    let schemes = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!((&schemes["type"], &schemes["scheme"]), (&Value::from("http"), &Value::from("bearer")));
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for reference in refs {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{reference} resolves");
    }
    let money = &doc["components"]["schemas"]["Money"];
    assert_eq!(money["properties"]["amount"]["type"], "string", "money is never a JSON number: {money}");
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = shop().await;
    let request = axum::http::Request::get("/docs/").body(axum::body::Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://") && !html.contains("http://"), "the page loads nothing from elsewhere: {html}");
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let request = axum::http::Request::get(asset).body(axum::body::Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        if asset.ends_with("initializer.js") {
            let script = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            let script = String::from_utf8_lossy(&script);
            // Swagger UI would otherwise send the document to validator.swagger.io from the reader's browser.
            assert!(script.contains(r#""validatorUrl": "none""#), "{script}");
            assert!(script.contains("/api/v1/openapi.json"), "{script}");
        }
    }
}

fn collect_refs<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member.as_str()) {
                    ("$ref", Some(reference)) => into.push(reference),
                    _ => collect_refs(member, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, into)),
        _ => {}
    }
}
