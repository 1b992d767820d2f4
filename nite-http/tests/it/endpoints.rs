//! Every operation of the served OpenAPI document, called on the real binary over a real socket, on a SQLite file and
//! on PostgreSQL, each with the answer it should give; the walk ends by checking that the operations it called are
//! exactly the document's. The journey in `e2e.rs` is the deep path; this is the wide one.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::e2e::{http, http_with, start};

/// Calls the API and records which operation of the document it was.
struct Walk {
    port: u16,
    called: BTreeSet<(String, String)>,
}

impl Walk {
    #[allow(clippy::too_many_arguments, reason = "a test helper that reads best flat")]
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
        auth: Option<&str>,
        headers: &[(&str, &str)],
        expect: u16,
    ) -> Value {
        let (status, answer) = http_with(self.port, method, path, body.as_ref(), auth, headers).await;
        assert_eq!(status, expect, "{method} {path}: {answer}");
        self.called.insert((method.to_ascii_lowercase(), format!("/api/v1{template}")));
        answer
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// The one-time token of the newest password-reset email in `mail` (bounded wait for the outbox worker).
async fn reset_token(mail: &Path) -> String {
    for _ in 0..200 {
        for entry in std::fs::read_dir(mail).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            // Undo quoted-printable's soft line breaks and escaped `=` before looking for the link.
            let text = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            if let Some((_, rest)) = text.split_once("reset-password?token=") {
                return rest.chars().take_while(char::is_ascii_alphanumeric).collect();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no password-reset email arrived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_over_a_real_socket_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    walk(dir.path(), &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_over_a_real_socket_on_postgres() {
    let Some(url) = nite_storage::testing::fresh_postgres_url("http_endpoints").await else { return };
    let dir = tempfile::tempdir().unwrap();
    walk(dir.path(), &url).await;
}

async fn walk(dir: &Path, url: &str) {
    let server = start(dir, url).await;
    let mut w = Walk { port: server.port, called: BTreeSet::new() };
    let address = json!({ "name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
                          "postal_code": "94105", "country": "US" });

    // Catalog.
    let listed = w.call("GET", "/products", "/api/v1/products?limit=10", None, None, &[], 200).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(3));
    w.call("GET", "/products/{slug}", "/api/v1/products/niteputter-pro", None, None, &[], 200).await;

    // Accounts: register, sign in, rotate, sign out, reset the password with the emailed token.
    let body = json!({ "email": "ada@example.com", "password": "correct horse battery", "name": "Ada" });
    w.call("POST", "/auth/register", "/api/v1/auth/register", Some(body), None, &[], 201).await;
    let login = json!({ "email": "ada@example.com", "password": "correct horse battery" });
    let session = w.call("POST", "/auth/login", "/api/v1/auth/login", Some(login), None, &[], 200).await;
    let rotate = json!({ "refresh_token": session["refresh_token"] });
    let session = w.call("POST", "/auth/refresh", "/api/v1/auth/refresh", Some(rotate), None, &[], 200).await;
    let out = json!({ "refresh_token": session["refresh_token"] });
    w.call("POST", "/auth/logout", "/api/v1/auth/logout", Some(out), None, &[], 204).await;
    let ask = json!({ "email": "ada@example.com" });
    w.call("POST", "/auth/password-reset", "/api/v1/auth/password-reset", Some(ask), None, &[], 202).await;
    let token = reset_token(&dir.join("mail")).await;
    let reset = json!({ "token": token, "new_password": "a brand new passphrase" });
    let path = "/api/v1/auth/password-reset/confirm";
    w.call("POST", "/auth/password-reset/confirm", path, Some(reset.clone()), None, &[], 204).await;
    w.call("POST", "/auth/password-reset/confirm", path, Some(reset), None, &[], 422).await;
    let login = json!({ "email": "ada@example.com", "password": "a brand new passphrase" });
    let session = w.call("POST", "/auth/login", "/api/v1/auth/login", Some(login), None, &[], 200).await;
    let ada = session["access_token"].as_str().unwrap().to_owned();
    let ada = Some(ada.as_str());
    w.call("GET", "/me", "/api/v1/me", None, ada, &[], 200).await;
    let renamed = w.call("PATCH", "/me", "/api/v1/me", Some(json!({ "name": "Ada L." })), ada, &[], 200).await;
    assert_eq!(renamed["name"], "Ada L.");

    let config = w.call("GET", "/config", "/api/v1/config", None, None, &[], 200).await;
    assert_eq!(config["payments"]["provider"], "test");

    // A guest cart, changed every way, then claimed by Ada.
    let cart = id(&w.call("POST", "/carts", "/api/v1/carts", None, None, &[], 201).await);
    let c = format!("/api/v1/carts/{cart}");
    let item = json!({ "sku": "NP-PRO-GRN", "quantity": 1 });
    let added = w.call("POST", "/carts/{id}/items", &format!("{c}/items"), Some(item), None, &[], 201).await;
    let line = id(&added["lines"][0]);
    let two = Some(json!({ "quantity": 2 }));
    let path = format!("{c}/items/{line}");
    let changed = w.call("PATCH", "/carts/{id}/items/{line}", &path, two, None, &[], 200).await;
    assert_eq!(changed["lines"][0]["quantity"], 2);
    w.call("DELETE", "/carts/{id}/items/{line}", &path, None, None, &[], 200).await;
    for sku in ["NP-PRO-GRN", "NP-BASIC-GRN"] {
        let item = json!({ "sku": sku, "quantity": 1 });
        w.call("POST", "/carts/{id}/items", &format!("{c}/items"), Some(item), None, &[], 201).await;
    }
    let code = Some(json!({ "code": "NITE10" }));
    w.call("POST", "/carts/{id}/discount-codes", &format!("{c}/discount-codes"), code.clone(), None, &[], 200).await;
    let path = format!("{c}/discount-codes/NITE10");
    let removed = w.call("DELETE", "/carts/{id}/discount-codes/{code}", &path, None, None, &[], 200).await;
    assert_eq!(removed["discount_codes"], json!([]));
    w.call("POST", "/carts/{id}/discount-codes", &format!("{c}/discount-codes"), code, None, &[], 200).await;
    let claimed = w.call("POST", "/carts/{id}/claim", &format!("{c}/claim"), None, ada, &[], 200).await;
    assert_eq!(id(&claimed), cart);
    w.call("GET", "/carts/{id}", &c, None, None, &[], 404).await;
    w.call("GET", "/carts/{id}", &c, None, ada, &[], 200).await;

    // Checkout and payment.
    let addresses = Some(json!({ "email": "ada@example.com", "shipping_address": address }));
    w.call("PUT", "/carts/{id}/addresses", &format!("{c}/addresses"), addresses.clone(), ada, &[], 200).await;
    let path = format!("{c}/shipping-options");
    let options = w.call("GET", "/carts/{id}/shipping-options", &path, None, ada, &[], 200).await;
    let option = Some(json!({ "id": options["data"][0]["id"] }));
    w.call("PUT", "/carts/{id}/shipping-option", &format!("{c}/shipping-option"), option.clone(), ada, &[], 200).await;
    let placed = w.call("POST", "/carts/{id}/checkout", &format!("{c}/checkout"), None, ada, &[], 201).await;
    let order = id(&placed["order"]);
    let payment = id(&placed["payment"]);
    let path = format!("/api/v1/payments/{payment}/test-confirm");
    let paid = Some(json!({ "outcome": "succeeded" }));
    let confirmed = w.call("POST", "/payments/{id}/test-confirm", &path, paid, None, &[], 200).await;
    assert_eq!(confirmed["outcome"], "applied:paid");
    let o = format!("/api/v1/orders/{order}");
    w.call("GET", "/orders/{id}", &o, None, ada, &[], 200).await;
    let token = placed["order_token"].as_str().map(str::to_owned);
    let headers: Vec<(&str, &str)> = token.iter().map(|t| ("x-order-token", t.as_str())).collect();
    w.call("GET", "/orders/{id}", &o, None, None, &headers, if token.is_some() { 200 } else { 404 }).await;
    let mine = w.call("GET", "/me/orders", "/api/v1/me/orders", None, ada, &[], 200).await;
    assert_eq!(mine["data"][0]["state"], "paid");

    // The administrator: orders.
    let login = json!({ "email": "boss@example.com", "password": "the boss's passphrase" });
    let boss = w.call("POST", "/auth/login", "/api/v1/auth/login", Some(login), None, &[], 200).await;
    let boss = boss["access_token"].as_str().unwrap().to_owned();
    let boss = Some(boss.as_str());
    let listed = w.call("GET", "/admin/orders", "/api/v1/admin/orders?status=paid", None, boss, &[], 200).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));
    let a = format!("/api/v1/admin/orders/{order}");
    w.call("GET", "/admin/orders/{id}", &a, None, boss, &[], 200).await;
    let ship = Some(json!({ "carrier": "ups", "tracking_number": "1Z999AA10123456784" }));
    w.call("POST", "/admin/orders/{id}/ship", &format!("{a}/ship"), ship, boss, &[], 200).await;
    let tracking = w.call("GET", "/orders/{id}/tracking", &format!("{o}/tracking"), None, ada, &[], 200).await;
    assert_eq!(tracking["tracking_number"], "1Z999AA10123456784");
    w.call("POST", "/admin/orders/{id}/deliver", &format!("{a}/deliver"), None, boss, &[], 200).await;
    let refund = Some(json!({ "amount": "5.00", "reason": "scratched box" }));
    let refunded = w.call("POST", "/admin/orders/{id}/refunds", &format!("{a}/refunds"), refund, boss, &[], 201).await;
    assert_eq!(refunded["payment"]["refunded"], json!({ "amount": "5.00", "currency": "USD" }));

    // A second order, left unpaid and cancelled.
    let cart2 = id(&w.call("POST", "/carts", "/api/v1/carts", None, ada, &[], 201).await);
    let c2 = format!("/api/v1/carts/{cart2}");
    let item = Some(json!({ "sku": "NP-COMPLETE", "quantity": 1 }));
    w.call("POST", "/carts/{id}/items", &format!("{c2}/items"), item, ada, &[], 201).await;
    w.call("PUT", "/carts/{id}/addresses", &format!("{c2}/addresses"), addresses, ada, &[], 200).await;
    w.call("PUT", "/carts/{id}/shipping-option", &format!("{c2}/shipping-option"), option, ada, &[], 200).await;
    let unpaid =
        id(&w.call("POST", "/carts/{id}/checkout", &format!("{c2}/checkout"), None, ada, &[], 201).await["order"]);
    let path = format!("/api/v1/admin/orders/{unpaid}/cancel");
    let reason = Some(json!({ "reason": "changed their mind" }));
    let cancelled = w.call("POST", "/admin/orders/{id}/cancel", &path, reason, boss, &[], 200).await;
    assert_eq!(cancelled["state"], "cancelled");

    // Reviews and their moderation.
    let review = Some(json!({ "rating": 5, "title": "Bright", "body": "I can read the break at midnight." }));
    let path = "/api/v1/products/niteputter-pro/reviews";
    let pro_review = id(&w.call("POST", "/products/{slug}/reviews", path, review, ada, &[], 201).await);
    let review = Some(json!({ "rating": 2, "title": "Meh", "body": "Too green." }));
    let path = "/api/v1/products/niteputter-basic/reviews";
    let basic_review = id(&w.call("POST", "/products/{slug}/reviews", path, review, ada, &[], 201).await);
    let queue = w.call("GET", "/admin/reviews", "/api/v1/admin/reviews?status=pending", None, boss, &[], 200).await;
    assert_eq!(queue["data"].as_array().map(Vec::len), Some(2));
    let path = format!("/api/v1/admin/reviews/{pro_review}/approve");
    w.call("POST", "/admin/reviews/{id}/approve", &path, None, boss, &[], 200).await;
    let path = format!("/api/v1/admin/reviews/{basic_review}/reject");
    w.call("POST", "/admin/reviews/{id}/reject", &path, None, boss, &[], 200).await;
    let path = "/api/v1/products/niteputter-pro/reviews";
    let shown = w.call("GET", "/products/{slug}/reviews", path, None, None, &[], 200).await;
    assert_eq!(shown["data"].as_array().map(Vec::len), Some(1));
    assert!(shown["data"][0].get("customer_id").is_none(), "{shown}");
    let path = "/api/v1/products/niteputter-basic/reviews";
    let shown = w.call("GET", "/products/{slug}/reviews", path, None, None, &[], 200).await;
    assert_eq!(shown["data"], json!([]), "rejected reviews stay hidden");

    // Inventory, customers, the sales report.
    let stock = w.call("GET", "/admin/inventory", "/api/v1/admin/inventory", None, boss, &[], 200).await;
    assert_eq!(stock["data"].as_array().map(Vec::len), Some(4));
    let path = "/api/v1/admin/inventory/NP-PRO-RGB";
    let set = w.call("PUT", "/admin/inventory/{sku}", path, Some(json!({ "on_hand": 7 })), boss, &[], 200).await;
    assert_eq!(set["on_hand"], 7);
    let customers = w.call("GET", "/admin/customers", "/api/v1/admin/customers", None, boss, &[], 200).await;
    assert_eq!(customers["data"].as_array().map(Vec::len), Some(2), "Ada and the administrator");
    let path = "/api/v1/admin/analytics/sales?granularity=month";
    let report = w.call("GET", "/admin/analytics/sales", path, None, boss, &[], 200).await;
    assert_eq!(report["periods"][0]["orders"], 1, "{report}");
    let outbox = w.call("GET", "/admin/outbox", "/api/v1/admin/outbox", None, boss, &[], 200).await;
    assert_eq!(outbox["dead"], 0, "{outbox}");

    // Products and promotions.
    let lamp = json!({
        "slug": "caddie-lamp", "name": "Caddie Lamp", "category": "basic", "tax_category": "standard",
        "variants": [{ "sku": "NP-LAMP", "name": "Lamp", "price": { "amount": "20.00", "currency": "USD" },
                       "weight_grams": 200, "dimensions": { "length_mm": 100, "width_mm": 50, "height_mm": 50 } }]
    });
    let product = id(&w.call("POST", "/admin/products", "/api/v1/admin/products", Some(lamp), boss, &[], 201).await);
    let listed = w.call("GET", "/admin/products", "/api/v1/admin/products", None, boss, &[], 200).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(4));
    let p = format!("/api/v1/admin/products/{product}");
    w.call("GET", "/admin/products/{id}", &p, None, boss, &[], 200).await;
    let patch = Some(json!({ "name": "Caddie Lamp II" }));
    let patched = w.call("PATCH", "/admin/products/{id}", &p, patch, boss, &[], 200).await;
    assert_eq!(patched["name"], "Caddie Lamp II");
    w.call("DELETE", "/admin/products/{id}", &p, None, boss, &[], 204).await;
    w.call("GET", "/admin/products/{id}", &p, None, boss, &[], 404).await;
    w.call("GET", "/admin/promotions", "/api/v1/admin/promotions", None, boss, &[], 200).await;
    let spring = json!({ "name": "Spring", "code": "SPRING5",
                         "action": { "type": "order_amount", "amount": { "amount": "5.00", "currency": "USD" } } });
    let path = "/api/v1/admin/promotions";
    let promotion = id(&w.call("POST", "/admin/promotions", path, Some(spring), boss, &[], 201).await);
    let path = format!("/api/v1/admin/promotions/{promotion}");
    w.call("GET", "/admin/promotions/{id}", &path, None, boss, &[], 200).await;
    let off = w.call("PATCH", "/admin/promotions/{id}", &path, Some(json!({ "enabled": false })), boss, &[], 200).await;
    assert_eq!(off["enabled"], false);
    let try_it = json!({ "promotion": { "name": "Ten off", "action": { "type": "order_amount",
        "amount": { "amount": "10.00", "currency": "USD" } } },
        "cart": { "lines": [{ "sku": "NP-PRO-GRN", "quantity": 1 }] } });
    let path = "/api/v1/admin/promotions/preview";
    let preview = w.call("POST", "/admin/promotions/preview", path, Some(try_it), boss, &[], 200).await;
    assert_eq!(preview["applies"], true, "{preview}");

    // Outgoing webhooks: an endpoint (its secret answered), listed without it, changed, its deliveries, removed.
    let hook = json!({ "url": "http://127.0.0.1:9/hooks", "types": ["order.paid"], "description": "ERP" });
    let path = "/api/v1/admin/webhooks";
    let created = w.call("POST", "/admin/webhooks", path, Some(hook), boss, &[], 201).await;
    assert!(created["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")), "{created}");
    let listed = w.call("GET", "/admin/webhooks", path, None, boss, &[], 200).await;
    assert!(listed["data"][0].get("secret").is_none(), "{listed}");
    let bad = Some(json!({ "url": "ftp://example.com" }));
    w.call("POST", "/admin/webhooks", path, bad, boss, &[], 422).await;
    let path = format!("/api/v1/admin/webhooks/{}", id(&created));
    w.call("GET", "/admin/webhooks/{id}", &path, None, boss, &[], 200).await;
    w.call("GET", "/admin/webhooks/{id}", &path, None, ada, &[], 403).await;
    let off = w.call("PATCH", "/admin/webhooks/{id}", &path, Some(json!({ "enabled": false })), boss, &[], 200).await;
    assert_eq!(off["enabled"], false);
    let deliveries = format!("{path}/deliveries?limit=5");
    w.call("GET", "/admin/webhooks/{id}/deliveries", &deliveries, None, boss, &[], 200).await;
    w.call("DELETE", "/admin/webhooks/{id}", &path, None, boss, &[], 204).await;
    w.call("GET", "/admin/webhooks/{id}", &path, None, boss, &[], 404).await;
    w.call("GET", "/admin/webhooks/{id}", "/api/v1/admin/webhooks/not-an-id", None, boss, &[], 404).await;

    // The Stripe webhook exists only when Stripe takes the payments; with the test provider it is not found.
    let event = Some(json!({ "id": "evt_1", "type": "payment_intent.succeeded" }));
    let signature = [("stripe-signature", "t=1,v1=00")];
    w.call("POST", "/webhooks/{provider}", "/api/v1/webhooks/stripe", event, None, &signature, 404).await;

    // Exactly the document's operations were called.
    let (status, doc) = http(w.port, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let missed: Vec<_> = documented.difference(&w.called).collect();
    assert!(missed.is_empty(), "operations not called: {missed:?}");
    let unknown: Vec<_> = w.called.difference(&documented).collect();
    assert!(unknown.is_empty(), "calls outside the document: {unknown:?}");
    assert_eq!(w.called.len(), 60);
    drop(server);
}
