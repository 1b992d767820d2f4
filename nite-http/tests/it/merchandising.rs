//! Administrators' products and promotions, and a guest cart claimed by the customer who signs in.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{bearer, register};
use crate::api::{bearer_for, call, shop};

fn usd(amount: &str) -> Value {
    json!({ "amount": amount, "currency": "USD" })
}

fn lamp() -> Value {
    json!({
        "slug": "caddie-lamp", "name": "Caddie Lamp", "category": "basic", "tax_category": "standard",
        "description": "A lamp for the bag.", "features": ["Clips on"],
        "variants": [{
            "sku": "NP-LAMP", "name": "Lamp", "price": usd("20.00"), "weight_grams": 200,
            "dimensions": { "length_mm": 100, "width_mm": 50, "height_mm": 50 }
        }]
    })
}

#[tokio::test]
async fn administrators_add_change_and_remove_products() {
    let app = shop().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];

    let (status, created) = call(&app, "POST", "/api/v1/admin/products", Some(lamp()), &auth).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("prod_"), "{id}");
    assert!(created["variants"][0]["id"].as_str().unwrap().starts_with("var_"), "{created}");
    let (_, listed) = call(&app, "GET", "/api/v1/admin/products?limit=100", None, &auth).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 4, "the three seeded products and the lamp");

    // A new SKU is listed in the inventory with nothing on hand, and the shop sells it once it is stocked.
    let (_, shown) = call(&app, "GET", "/api/v1/products/caddie-lamp", None, &[]).await;
    assert_eq!((shown["in_stock"].as_bool(), &shown["variants"][0]["price"]), (Some(false), &usd("20.00")));
    let (status, stock) =
        call(&app, "PUT", "/api/v1/admin/inventory/NP-LAMP", Some(json!({ "on_hand": 3 })), &auth).await;
    assert_eq!((status, &stock["available"]), (StatusCode::OK, &json!(3)), "{stock}");
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let cart_id = cart["id"].as_str().unwrap().to_owned();
    let items = format!("/api/v1/carts/{cart_id}/items");
    let (status, cart) = call(&app, "POST", &items, Some(json!({ "sku": "NP-LAMP", "quantity": 2 })), &[]).await;
    assert_eq!((status, &cart["totals"]["subtotal"]), (StatusCode::CREATED, &usd("40.00")), "{cart}");

    // A merge patch: a sale price on the one variant (arrays replace, so the variant is restated with its id).
    let mut variant = created["variants"][0].clone();
    variant["sale_price"] = usd("15.00");
    let path = format!("/api/v1/admin/products/{id}");
    let patch = json!({ "name": "Caddie Lamp II", "variants": [variant] });
    let (status, updated) = call(&app, "PATCH", &path, Some(patch), &auth).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (&updated["name"], &updated["variants"][0]["id"]),
        (&json!("Caddie Lamp II"), &created["variants"][0]["id"])
    );
    let (_, cart) = call(&app, "GET", &format!("/api/v1/carts/{cart_id}"), None, &[]).await;
    assert_eq!(cart["totals"]["subtotal"], usd("30.00"), "carts price from the catalog as it is now");

    // Bad drafts are typed errors naming the field, and change nothing.
    for (patch, field) in [
        (json!({ "variants": [] }), "variants"),
        (json!({ "name": " " }), "name"),
        (json!({ "slug": "niteputter-pro" }), "slug"),
        (
            json!({ "variants": [{ "sku": "NP-PRO-GRN", "name": "x", "price": usd("1.00"), "weight_grams": 1,
            "dimensions": { "length_mm": 1, "width_mm": 1, "height_mm": 1 } }] }),
            "variants.sku",
        ),
        (
            json!({ "variants": [{ "sku": "NP-X", "name": "x", "price": { "amount": "1.00", "currency": "EUR" },
            "weight_grams": 1, "dimensions": { "length_mm": 1, "width_mm": 1, "height_mm": 1 } }] }),
            "variants[0].price",
        ),
        (json!({ "id": "prod_other" }), "body"),
    ] {
        let (status, problem) = call(&app, "PATCH", &path, Some(patch.clone()), &auth).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{patch}: {problem}"
        );
        assert!(problem.to_string().contains(field), "{field} named in {problem}");
    }
    let (_, same) = call(&app, "GET", &path, None, &auth).await;
    assert_eq!(same, updated, "refused patches changed nothing");

    let (status, _) = call(&app, "DELETE", &path, None, &auth).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, "GET", "/api/v1/products/caddie-lamp", None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, cart) = call(&app, "GET", &format!("/api/v1/carts/{cart_id}"), None, &[]).await;
    assert_eq!(cart["unavailable_lines"].as_array().map(Vec::len), Some(1), "{cart}");
    let (status, _) = call(&app, "DELETE", &path, None, &auth).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_and_guests_cannot_reach_products_or_promotions() {
    let app = shop().await;
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    for (method, uri, body) in [
        ("GET", "/api/v1/admin/products", None),
        ("POST", "/api/v1/admin/products", Some(lamp())),
        ("GET", "/api/v1/admin/products/prod_pro", None),
        ("PATCH", "/api/v1/admin/products/prod_pro", Some(json!({ "name": "Mine" }))),
        ("DELETE", "/api/v1/admin/products/prod_pro", None),
        ("GET", "/api/v1/admin/promotions", None),
        ("POST", "/api/v1/admin/promotions", Some(json!({ "name": "x", "action": { "type": "free_shipping" } }))),
        ("PATCH", "/api/v1/admin/promotions/promo_nite10", Some(json!({ "enabled": false }))),
    ] {
        let (status, problem) = call(&app, method, uri, body.clone(), &[]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{uri}");
        let (status, problem) = call(&app, method, uri, body, &[("authorization", &customer)]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{uri}");
    }
    let (_, pro) = call(&app, "GET", "/api/v1/products/niteputter-pro", None, &[]).await;
    assert_eq!(pro["name"], "NitePutter Pro", "{pro}");
}

#[tokio::test]
async fn administrators_create_and_switch_off_promotions() {
    let app = shop().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let (_, listed) = call(&app, "GET", "/api/v1/admin/promotions", None, &auth).await;
    assert!(listed["data"].as_array().unwrap().iter().any(|p| p["code"] == "NITE10"), "{listed}");

    let spring = json!({ "name": "Spring", "code": "SPRING5",
                         "action": { "type": "order_amount", "amount": usd("5.00") },
                         "usage_limit": 100 });
    let (status, created) = call(&app, "POST", "/api/v1/admin/promotions", Some(spring.clone()), &auth).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, problem) = call(&app, "POST", "/api/v1/admin/promotions", Some(spring), &auth).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
        "the code is taken: {problem}"
    );

    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let cart_id = cart["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "POST",
        &format!("/api/v1/carts/{cart_id}/items"),
        Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })),
        &[],
    )
    .await;
    let (_, cart) =
        call(&app, "POST", &format!("/api/v1/carts/{cart_id}/discount-codes"), Some(json!({ "code": "SPRING5" })), &[])
            .await;
    assert_eq!(cart["totals"]["discount"], usd("5.00"), "{cart}");

    let path = format!("/api/v1/admin/promotions/{id}");
    let (status, off) = call(&app, "PATCH", &path, Some(json!({ "enabled": false })), &auth).await;
    assert_eq!((status, &off["enabled"], &off["code"]), (StatusCode::OK, &json!(false), &json!("SPRING5")), "{off}");
    let (_, cart) = call(&app, "GET", &format!("/api/v1/carts/{cart_id}"), None, &[]).await;
    assert_eq!(cart["discount_codes"], json!([{ "code": "SPRING5", "applied": false, "why": "disabled" }]), "{cart}");

    for patch in [
        json!({ "starts_at": "2026-06-01T00:00:00Z", "ends_at": "2026-05-01T00:00:00Z" }),
        json!({ "usage_limit": 0 }),
        json!({ "action": { "type": "order_percentage", "percentage": "150" } }),
        json!({ "code": "not a code" }),
        json!([1]),
    ] {
        let (status, problem) = call(&app, "PATCH", &path, Some(patch.clone()), &auth).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{patch}: {problem}"
        );
    }
    let (status, cleared) = call(&app, "PATCH", &path, Some(json!({ "code": null, "enabled": true })), &auth).await;
    assert_eq!((status, &cleared["code"]), (StatusCode::OK, &Value::Null), "null removes the code: {cleared}");
    let (status, _) = call(&app, "PATCH", "/api/v1/admin/promotions/promo_nothing", Some(json!({})), &auth).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_guest_cart_is_claimed_and_merged_on_sign_in() {
    let app = shop().await;
    let session = register(&app, "ada@example.com").await;
    let ada = bearer(&session);
    let auth = [("authorization", ada.as_str())];
    // Ada's own open cart holds one Basic.
    let (_, mine) = call(&app, "POST", "/api/v1/carts", None, &auth).await;
    let mine_id = mine["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "POST",
        &format!("/api/v1/carts/{mine_id}/items"),
        Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })),
        &auth,
    )
    .await;
    // As a guest she filled another with a Pro and a Basic.
    let (_, guest) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let guest_id = guest["id"].as_str().unwrap().to_owned();
    for sku in ["NP-PRO-GRN", "NP-BASIC-GRN"] {
        call(&app, "POST", &format!("/api/v1/carts/{guest_id}/items"), Some(json!({ "sku": sku, "quantity": 1 })), &[])
            .await;
    }
    let claim = format!("/api/v1/carts/{guest_id}/claim");
    let (status, problem) = call(&app, "POST", &claim, None, &[]).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "guests cannot claim"
    );

    let (status, merged) = call(&app, "POST", &claim, None, &auth).await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["id"], json!(mine_id), "merged into her open cart");
    let units: u64 = merged["lines"].as_array().unwrap().iter().map(|l| l["quantity"].as_u64().unwrap()).sum();
    assert!(units >= 2, "{merged}");
    let (_, closed) = call(&app, "GET", &format!("/api/v1/carts/{guest_id}"), None, &auth).await;
    assert_eq!(closed["state"], "merged", "{closed}");
    let (status, problem) = call(&app, "POST", &claim, None, &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("cart_not_open")), "{problem}");

    // Bob cannot take Ada's cart, nor see that it exists.
    let bob = bearer(&register(&app, "bob@example.com").await);
    let (status, _) =
        call(&app, "POST", &format!("/api/v1/carts/{mine_id}/claim"), None, &[("authorization", &bob)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalog_cache_reuses_answers_but_never_sells_what_is_gone() {
    use std::sync::Arc;
    let stores = nite_core::ports::Stores::from_store(Arc::new(nite_core::testing::InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    let shop = crate::api::niteputter_shop(stores.clone()).build().unwrap();
    let state =
        nite_http::AppState::new(shop, None, crate::api::SECRET).with_catalog_cache(std::time::Duration::from_secs(60));
    let app = nite_http::app(state);
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let page = "/api/v1/products/niteputter-complete-system";
    let available = |product: &Value| product["variants"][0]["available"].clone();

    call(&app, "PUT", "/api/v1/admin/inventory/NP-COMPLETE", Some(json!({ "on_hand": 1 })), &auth).await;
    let (_, shown) = call(&app, "GET", page, None, &[]).await;
    assert_eq!(available(&shown), json!(1));
    // Another process sells the last one: this server's page still shows it for the cache's TTL…
    let sku = nite_core::catalog::Sku::new("NP-COMPLETE").unwrap();
    stores.inventory.set_on_hand(&sku, 0).await.unwrap();
    let (_, cached) = call(&app, "GET", page, None, &[]).await;
    assert_eq!(available(&cached), json!(1), "answered from the cache");
    // …but a cart reads the stock itself.
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let items = format!("/api/v1/carts/{}/items", cart["id"].as_str().unwrap());
    let (status, problem) = call(&app, "POST", &items, Some(json!({ "sku": "NP-COMPLETE", "quantity": 1 })), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("insufficient_stock")), "{problem}");
    // An administrator's change shows at once.
    call(&app, "PUT", "/api/v1/admin/inventory/NP-COMPLETE", Some(json!({ "on_hand": 2 })), &auth).await;
    let (_, fresh) = call(&app, "GET", page, None, &[]).await;
    assert_eq!(available(&fresh), json!(2));

    // Every visitor's view counts, cached or not (they are written in batches, off the request path).
    for peer in ["10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1"] {
        call(&app, "GET", page, None, &[("x-peer", peer)]).await;
    }
    let report = "/api/v1/admin/analytics/sales?granularity=month";
    let mut views = Value::Null;
    for _ in 0..100 {
        let (_, sales) = call(&app, "GET", report, None, &auth).await;
        let products = sales["periods"][0]["products"].as_array().cloned().unwrap_or_default();
        views =
            products.iter().find(|p| p["product_id"] == "prod_complete").map_or(Value::Null, |p| p["views"].clone());
        if views == json!(3) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(views, json!(3));
}
