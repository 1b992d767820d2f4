//! The administrators' routes: who may call them, and an order taken from paid to delivered and another cancelled.

use axum::http::StatusCode;
use nite_core::outbox::Notification;
use serde_json::{Value, json};

use crate::api::{bearer_for, call, shop_and_stores};

async fn order(app: &axum::Router, key: &str, pay: bool) -> String {
    crate::api::buy(app, None, key, pay).await["order"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn only_administrators_reach_admin_routes() {
    let (app, _) = shop_and_stores().await;
    let paid = order(&app, "k1", true).await;
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    for (method, uri, body) in [
        ("GET", "/api/v1/admin/orders".to_owned(), None),
        ("GET", format!("/api/v1/admin/orders/{paid}"), None),
        (
            "POST",
            format!("/api/v1/admin/orders/{paid}/ship"),
            Some(json!({ "carrier": "ups", "tracking_number": "1Z" })),
        ),
        ("POST", format!("/api/v1/admin/orders/{paid}/deliver"), None),
        ("POST", format!("/api/v1/admin/orders/{paid}/cancel"), Some(json!({ "reason": "no" }))),
        ("POST", format!("/api/v1/admin/orders/{paid}/refunds"), Some(json!({ "amount": "1.00" }))),
        ("GET", "/api/v1/admin/inventory".to_owned(), None),
        ("PUT", "/api/v1/admin/inventory/NP-PRO-GRN".to_owned(), Some(json!({ "on_hand": 0 }))),
    ] {
        let (status, problem) = call(&app, method, &uri, body.clone(), &[]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{uri}");
        let (status, problem) = call(&app, method, &uri, body, &[("authorization", &customer)]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{uri}");
    }
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let (_, shown) =
        call(&app, "GET", &format!("/api/v1/admin/orders/{paid}"), None, &[("authorization", &admin)]).await;
    assert_eq!(shown["state"], "paid", "nothing above changed the order");
}

#[tokio::test]
async fn an_administrator_ships_delivers_and_cancels() {
    let (app, stores) = shop_and_stores().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let paid = order(&app, "k1", true).await;
    let unpaid = order(&app, "k2", false).await;

    let (status, listed) = call(&app, "GET", "/api/v1/admin/orders?status=paid", None, &auth).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let ids: Vec<&Value> = listed["data"].as_array().unwrap().iter().map(|o| &o["id"]).collect();
    assert_eq!(ids, [&json!(paid)]);
    let (status, problem) = call(&app, "GET", "/api/v1/admin/orders?status=lost", None, &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));

    let ship = format!("/api/v1/admin/orders/{paid}/ship");
    let (status, problem) =
        call(&app, "POST", &ship, Some(json!({ "carrier": "", "tracking_number": "" })), &auth).await;
    assert_eq!((status, problem["errors"].as_array().map(Vec::len)), (StatusCode::UNPROCESSABLE_ENTITY, Some(2)));
    let body = json!({ "carrier": "ups", "tracking_number": "1Z999AA10123456784" });
    let (status, shipped) = call(&app, "POST", &ship, Some(body.clone()), &auth).await;
    assert_eq!((status, shipped["state"].as_str()), (StatusCode::OK, Some("shipped")), "{shipped}");
    let (status, problem) = call(&app, "POST", &ship, Some(body), &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")), "only once");
    let (status, problem) =
        call(&app, "POST", &format!("/api/v1/admin/orders/{paid}/cancel"), Some(json!({})), &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
    let (_, delivered) = call(&app, "POST", &format!("/api/v1/admin/orders/{paid}/deliver"), None, &auth).await;
    assert_eq!(delivered["state"], "delivered");

    let refunds = format!("/api/v1/admin/orders/{paid}/refunds");
    for bad in ["0", "-1.00", "1.001", "ten", "100000.00"] {
        let (status, problem) = call(&app, "POST", &refunds, Some(json!({ "amount": bad })), &auth).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
    }
    let (status, refunded) =
        call(&app, "POST", &refunds, Some(json!({ "amount": "5.00", "reason": "scuffed" })), &auth).await;
    assert_eq!(status, StatusCode::CREATED, "{refunded}");
    assert_eq!(refunded["refunds"][0]["amount"], json!({ "amount": "5.00", "currency": "USD" }));
    assert_eq!(refunded["payment"]["refunded"], json!({ "amount": "5.00", "currency": "USD" }));
    let (_, problem) = call(&app, "POST", &refunds, Some(json!({ "amount": "100000.00" })), &auth).await;
    assert_eq!(problem["code"], "refund_exceeds_captured");

    let (_, cancelled) =
        call(&app, "POST", &format!("/api/v1/admin/orders/{unpaid}/cancel"), Some(json!({ "reason": "fraud" })), &auth)
            .await;
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    let (status, _) = call(&app, "POST", "/api/v1/admin/orders/ord_nope/deliver", None, &auth).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let kinds: Vec<&'static str> =
        stores.outbox.outbox(None, 100).await.unwrap().iter().map(|m| m.notification.kind()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "shipping_notification").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "refunded").count(), 1, "{kinds:?}");
    assert!(
        stores
            .outbox
            .outbox(None, 100)
            .await
            .unwrap()
            .iter()
            .any(|m| matches!(m.notification, Notification::Delivered { .. })),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn an_administrator_counts_stock_but_never_below_what_is_reserved() {
    let (app, _) = shop_and_stores().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    order(&app, "k1", false).await;
    let basic = |stock: &Value| -> Value {
        stock["data"].as_array().unwrap().iter().find(|s| s["sku"] == "NP-BASIC-GRN").cloned().unwrap()
    };
    let (status, stock) = call(&app, "GET", "/api/v1/admin/inventory", None, &auth).await;
    assert_eq!(status, StatusCode::OK);
    let before = basic(&stock);
    assert_eq!(before["reserved"], 1, "{before}");

    let uri = "/api/v1/admin/inventory/NP-BASIC-GRN";
    let (status, problem) = call(&app, "PUT", uri, Some(json!({ "on_hand": 0 })), &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    for bad in [json!({ "on_hand": -1 }), json!({ "on_hand": "5" }), json!({})] {
        let (status, _) = call(&app, "PUT", uri, Some(bad.clone()), &auth).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (status, level) = call(&app, "PUT", uri, Some(json!({ "on_hand": 5 })), &auth).await;
    assert_eq!(status, StatusCode::OK, "{level}");
    assert_eq!(level, json!({ "sku": "NP-BASIC-GRN", "on_hand": 5, "reserved": 1, "available": 4, "low": true }));
    let (_, stock) = call(&app, "GET", "/api/v1/admin/inventory", None, &auth).await;
    assert_eq!(basic(&stock), level);
    let (_, product) = call(&app, "GET", "/api/v1/products/niteputter-basic", None, &[]).await;
    assert!(product.to_string().contains("\"available\":4"), "{product}");

    let (status, _) =
        call(&app, "PUT", "/api/v1/admin/inventory/NO-SUCH-SKU", Some(json!({ "on_hand": 5 })), &auth).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no stock rows for SKUs the catalog does not sell");
}

#[tokio::test]
async fn the_sales_report_counts_paid_orders_and_product_views() {
    let (app, _) = shop_and_stores().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    // Two visitors view the Basic page, one of them three times (a visitor counts once), and buys it; a HEAD is
    // never a view.
    for peer in ["10.0.0.1:1", "10.0.0.1:2", "10.0.0.1:3", "10.0.0.2:1"] {
        call(&app, "GET", "/api/v1/products/niteputter-basic", None, &[("x-peer", peer)]).await;
    }
    call(&app, "HEAD", "/api/v1/products/niteputter-basic", None, &[("x-peer", "10.0.0.3:1")]).await;
    let paid = crate::api::buy_from(&app, None, Some("10.0.0.1:4"), "k1", true).await;
    order(&app, "k2", false).await;

    // Views are recorded off the request path; wait (bounded) for both to land.
    let mut report = Value::Null;
    for _ in 0..200 {
        let (status, latest) = call(&app, "GET", "/api/v1/admin/analytics/sales?granularity=day", None, &auth).await;
        assert_eq!(status, StatusCode::OK, "{latest}");
        report = latest;
        if report["periods"][0]["product_views"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let periods = report["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1, "{report}");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let day = &periods[0];
    assert_eq!(day["start"], json!(today));
    assert_eq!(
        (day["orders"].as_u64(), day["units"].as_u64(), day["product_views"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    // Revenue is what was charged (tax and shipping included) less refunds; the product's own revenue is its line.
    let total = paid["order"]["totals"]["total"].clone();
    assert_eq!((&day["revenue"], &day["gross_revenue"]), (&total, &total), "{day}");
    assert_eq!(day["refunded"], json!({ "amount": "0.00", "currency": "USD" }), "{day}");
    assert_eq!(day["products"][0]["revenue"], json!({ "amount": "49.99", "currency": "USD" }), "{day}");
    assert_eq!((&day["visitors"], &day["conversion_percent"]), (&json!(2), &json!("50")), "{day}");
    // A refund is reported in the period it was made, and taken off the revenue.
    let id = paid["order"]["id"].as_str().unwrap();
    let (status, refunded) =
        call(&app, "POST", &format!("/api/v1/admin/orders/{id}/refunds"), Some(json!({ "amount": "10.00" })), &auth)
            .await;
    assert!(status.is_success(), "{refunded}");
    let (_, after) = call(&app, "GET", "/api/v1/admin/analytics/sales?granularity=day", None, &auth).await;
    let day = &after["periods"][0];
    assert_eq!(day["refunded"], json!({ "amount": "10.00", "currency": "USD" }), "{day}");
    assert_eq!(day["refunds"], json!(1), "{day}");

    for bad in ["?granularity=hour", "?from=yesterday", "?from=2026-12-01&to=2026-11-01"] {
        let uri = format!("/api/v1/admin/analytics/sales{bad}");
        let (status, problem) = call(&app, "GET", &uri, None, &auth).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{bad}"
        );
    }
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    let (status, _) = call(&app, "GET", "/api/v1/admin/analytics/sales", None, &[("authorization", &customer)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administrators_page_through_customers() {
    let (app, _) = shop_and_stores().await;
    for n in 0..3 {
        let body = json!({ "email": format!("c{n}@example.com"), "password": "correct horse battery", "name": "C" });
        assert_eq!(call(&app, "POST", "/api/v1/auth/register", Some(body), &[]).await.0, StatusCode::CREATED);
    }
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let (status, first) = call(&app, "GET", "/api/v1/admin/customers?limit=2", None, &auth).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["data"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, rest) = call(&app, "GET", &format!("/api/v1/admin/customers?limit=2&cursor={cursor}"), None, &auth).await;
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(1), "{rest}");
    assert!(rest["next_cursor"].is_null());
    let mut emails: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["data"].as_array().unwrap())
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    emails.sort_unstable();
    assert_eq!(emails, ["c0@example.com", "c1@example.com", "c2@example.com"]);
    assert!(!first.to_string().contains("argon2"), "no password hashes: {first}");
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    let (status, _) = call(&app, "GET", "/api/v1/admin/customers", None, &[("authorization", &customer)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// What the dashboard reads: the actions the state machine allows now and what is still refundable, orders found by
/// id or email, the history's actors, and the outbox's backlog.
#[tokio::test]
async fn the_dashboard_reads_actions_searches_orders_and_sees_the_outbox() {
    let (app, _) = shop_and_stores().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let paid = order(&app, "k1", true).await;
    let unpaid = order(&app, "k2", false).await;
    let show = |id: &str| {
        let uri = format!("/api/v1/admin/orders/{id}");
        let app = app.clone();
        let admin = admin.clone();
        async move { call(&app, "GET", &uri, None, &[("authorization", &admin)]).await.1 }
    };
    let shown = show(&paid).await;
    assert_eq!(shown["actions"], json!(["ship", "cancel", "refund"]), "{shown}");
    assert_eq!(shown["refundable"], shown["totals"]["total"]);
    let bys: Vec<&str> = shown["history"].as_array().unwrap().iter().map(|h| h["by"].as_str().unwrap()).collect();
    assert!(bys.contains(&"provider") || bys.contains(&"system"), "{bys:?}");
    assert_eq!(show(&unpaid).await["actions"], json!(["cancel"]));
    let refunds = format!("/api/v1/admin/orders/{paid}/refunds");
    let (_, refunded) = call(&app, "POST", &refunds, Some(json!({ "amount": "5.00" })), &auth).await;
    let total: rust_decimal::Decimal = shown["totals"]["total"]["amount"].as_str().unwrap().parse().unwrap();
    let left: rust_decimal::Decimal = refunded["refundable"]["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(total - left, rust_decimal::Decimal::new(500, 2), "{refunded}");
    assert_eq!(refunded["actions"], json!(["ship", "cancel", "refund"]), "a partly refunded order can still go");
    let body = json!({ "carrier": "ups", "tracking_number": "1Z" });
    let (_, shipped) = call(&app, "POST", &format!("/api/v1/admin/orders/{paid}/ship"), Some(body), &auth).await;
    assert_eq!(shipped["actions"], json!(["deliver", "refund"]));
    assert_eq!(shipped["history"].as_array().unwrap().last().unwrap()["by"], "admin");

    let ids = |listed: &Value| -> Vec<String> {
        listed["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
    };
    let (_, found) = call(&app, "GET", &format!("/api/v1/admin/orders?q={paid}"), None, &auth).await;
    assert_eq!(ids(&found), [paid.as_str()]);
    let (_, found) = call(&app, "GET", "/api/v1/admin/orders?q=ADA%40EXAMPLE", None, &auth).await;
    assert_eq!(ids(&found).len(), 2, "part of the email, any case: {found}");
    let (_, found) = call(&app, "GET", "/api/v1/admin/orders?q=ada&status=pending_payment", None, &auth).await;
    assert_eq!(ids(&found), [unpaid.as_str()]);
    let (_, found) = call(&app, "GET", "/api/v1/admin/orders?q=%25", None, &auth).await;
    assert!(ids(&found).is_empty(), "% is literal");
    let (status, problem) = call(&app, "GET", "/api/v1/admin/orders?customer=nobody", None, &auth).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    let long = "a".repeat(201);
    let (status, _) = call(&app, "GET", &format!("/api/v1/admin/orders?q={long}"), None, &auth).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, outbox) = call(&app, "GET", "/api/v1/admin/outbox", None, &auth).await;
    assert_eq!(status, StatusCode::OK, "{outbox}");
    assert!(outbox["pending"].as_u64().unwrap() >= 2, "the confirmation and shipping emails wait: {outbox}");
    assert_eq!((outbox["failing"].as_u64(), outbox["dead"].as_u64()), (Some(0), Some(0)));
    assert!(outbox["oldest_pending_seconds"].as_i64().unwrap() >= 0);
    let (_, stock) = call(&app, "GET", "/api/v1/admin/inventory", None, &auth).await;
    assert!(stock["data"].as_array().unwrap().iter().all(|s| s["low"] == false), "{stock}");
    let (_, low) = call(&app, "PUT", "/api/v1/admin/inventory/NP-COMPLETE", Some(json!({ "on_hand": 5 })), &auth).await;
    assert_eq!(low["low"], true, "5 left is low by default: {low}");
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    let (status, _) = call(&app, "GET", "/api/v1/admin/outbox", None, &[("authorization", &customer)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A promotion is tried on a sample cart before it is saved: priced both ways, with why when it does not apply,
/// and nothing stored.
#[tokio::test]
async fn a_promotion_preview_prices_a_sample_cart_both_ways() {
    let (app, _) = shop_and_stores().await;
    let admin = bearer_for("cus_0000000000000000000b", "admin");
    let auth = [("authorization", admin.as_str())];
    let (_, before) = call(&app, "GET", "/api/v1/admin/promotions", None, &auth).await;
    let preview = |body: Value| {
        let app = app.clone();
        let admin = admin.clone();
        async move { call(&app, "POST", "/api/v1/admin/promotions/preview", Some(body), &[("authorization", &admin)]).await }
    };
    let money = |v: &Value| v["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    let cart = json!({ "lines": [{ "sku": "NP-BASIC-GRN", "quantity": 1 }] });
    let five_off = json!({ "name": "Five off", "code": "FIVE", "action": { "type": "order_amount",
        "amount": { "amount": "5.00", "currency": "USD" } } });
    let (status, shown) = preview(json!({ "promotion": five_off, "cart": cart })).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!((shown["applies"].as_bool(), shown["why"].as_str()), (Some(true), None), "{shown}");
    assert_eq!(money(&shown["without"]["totals"]["total"]) - money(&shown["with"]["totals"]["total"]), 5.into());
    let applied = &shown["with"]["promotions"][0];
    assert_eq!((applied["name"].as_str(), applied["code"].as_str()), (Some("Five off"), Some("FIVE")));
    assert_eq!(shown["with"]["lines"][0]["sku"], "NP-BASIC-GRN");
    let why_not = |priced: &Value, name: &str| {
        priced["promotions_not_applied"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .map(|n| n["why"].clone())
    };
    assert_eq!(why_not(&shown["with"], "Free shipping from $100"), Some(json!("min_subtotal_not_met")), "{shown}");

    let from_500 = json!({ "name": "Big spender", "action": { "type": "order_percentage", "percentage": "20" },
        "conditions": [{ "type": "min_subtotal", "amount": { "amount": "500.00", "currency": "USD" } }] });
    let (_, shown) = preview(json!({ "promotion": from_500, "cart": cart })).await;
    assert_eq!((shown["applies"].as_bool(), shown["why"].as_str()), (Some(false), Some("min_subtotal_not_met")));
    assert_eq!(shown["with"]["totals"], shown["without"]["totals"]);

    // Editing NITE10 to need $40 instead of $75: the sample cart of $49.99 qualifies with, not without.
    let nite10 = json!({ "name": "10 % off", "code": "NITE10", "action": { "type": "order_percentage",
        "percentage": "10" }, "conditions": [{ "type": "min_subtotal",
        "amount": { "amount": "40.00", "currency": "USD" } }] });
    let with_code = json!({ "lines": [{ "sku": "NP-BASIC-GRN", "quantity": 1 }], "codes": ["NITE10"] });
    let (_, shown) = preview(json!({ "promotion": nite10, "replaces": "promo_nite10", "cart": with_code })).await;
    assert_eq!(shown["applies"], true, "{shown}");
    assert_eq!(
        why_not(&shown["without"], "10 % off orders from $75"),
        Some(json!("min_subtotal_not_met")),
        "{}",
        shown["without"]
    );
    assert_eq!(shown["with"]["promotions"].as_array().unwrap().len(), 1);

    // Free shipping needs a shipping charge to show.
    let free = json!({ "name": "Ship free", "action": { "type": "free_shipping" } });
    let shipped = json!({ "lines": [{ "sku": "NP-BASIC-GRN", "quantity": 1 }], "shipping": "9.99" });
    let (_, shown) = preview(json!({ "promotion": free, "cart": shipped })).await;
    assert_eq!(money(&shown["with"]["totals"]["shipping_discount"]), rust_decimal::Decimal::new(999, 2), "{shown}");

    for (body, field) in [
        (json!({ "promotion": five_off, "cart": { "lines": [] } }), "cart.lines"),
        (
            json!({ "promotion": five_off, "cart": { "lines": [{ "sku": "NOPE", "quantity": 1 }] } }),
            "cart.lines[0].sku",
        ),
        (
            json!({ "promotion": five_off, "cart": { "lines": [{ "sku": "NP-PRO-GRN", "quantity": 0 }] } }),
            "cart.lines[0].quantity",
        ),
        (json!({ "promotion": { "name": "", "action": { "type": "free_shipping" } }, "cart": cart }), "name"),
        (json!({ "promotion": five_off, "cart": { "lines": cart["lines"], "shipping": "lots" } }), "cart.shipping"),
    ] {
        let (status, problem) = preview(body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (status, problem) = preview(json!({ "promotion": five_off, "replaces": "promo_gone", "cart": cart })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (_, after) = call(&app, "GET", "/api/v1/admin/promotions", None, &auth).await;
    assert_eq!(before, after, "a preview stores nothing");
    let customer = bearer_for("cus_0000000000000000000a", "customer");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/admin/promotions/preview",
        Some(json!({ "promotion": five_off,
        "cart": cart })),
        &[("authorization", &customer)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
