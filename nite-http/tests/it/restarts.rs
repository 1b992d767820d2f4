//! The real binary restarted on the same database, and two of them over one database at once: test payments made
//! before a restart (or on the other process) are confirmed, refunded and cancelled like any other, event ids never
//! collide, and the administrators' changes to the catalog and promotions survive every start.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::e2e::{Server, http, ready_cart, serve, start};

/// A guest's checkout of one Pro: the placed order, its payment and token.
async fn guest_checkout(port: u16) -> Value {
    let base = ready_cart(port, [127, 0, 0, 1], "NP-PRO-GRN", 1, "ada@example.com").await;
    let (status, placed) = http(port, "POST", &format!("{base}/checkout"), None, None).await;
    assert_eq!(status, 201, "{placed}");
    placed
}

async fn confirm(port: u16, placed: &Value) -> Value {
    let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
    let (status, outcome) = http(port, "POST", &pay, Some(&json!({ "outcome": "succeeded" })), None).await;
    assert_eq!(status, 200, "{outcome}");
    outcome
}

async fn admin_token(port: u16) -> String {
    let login = json!({ "email": "boss@example.com", "password": "the boss's passphrase" });
    let (status, session) = http(port, "POST", "/api/v1/auth/login", Some(&login), None).await;
    assert_eq!(status, 200, "{session}");
    session["access_token"].as_str().unwrap().to_owned()
}

/// Stops a server with SIGTERM and waits (bounded) for its clean exit.
pub(crate) async fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    for _ in 0..200 {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "a clean exit: {status}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("niteputter did not stop");
}

async fn restarts_keep_payments_and_the_admins_work(dir: &Path, url: &str) {
    let first = start(dir, url).await;
    let boss = admin_token(first.port).await;
    let pending = guest_checkout(first.port).await;
    let to_cancel = guest_checkout(first.port).await;
    let paid_before = guest_checkout(first.port).await;
    assert_eq!(confirm(first.port, &paid_before).await["outcome"], "applied:paid");

    // The administrators change the seeded catalog and promotions.
    let (_, promotions) = http(first.port, "GET", "/api/v1/admin/promotions", None, Some(&boss)).await;
    let nite10 = promotions["data"].as_array().unwrap().iter().find(|p| p["code"] == "NITE10").unwrap().clone();
    let path = format!("/api/v1/admin/promotions/{}", nite10["id"].as_str().unwrap());
    let (status, off) = http(first.port, "PATCH", &path, Some(&json!({ "enabled": false })), Some(&boss)).await;
    assert_eq!(status, 200, "{off}");
    let (_, products) = http(first.port, "GET", "/api/v1/admin/products", None, Some(&boss)).await;
    let id_of = |slug: &str| {
        products["data"].as_array().unwrap().iter().find(|p| p["slug"] == slug).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let pro = format!("/api/v1/admin/products/{}", id_of("niteputter-pro"));
    let renamed = json!({ "name": "NitePutter Pro Mk II" });
    assert_eq!(http(first.port, "PATCH", &pro, Some(&renamed), Some(&boss)).await.0, 200);
    let basic = format!("/api/v1/admin/products/{}", id_of("niteputter-basic"));
    assert_eq!(http(first.port, "DELETE", &basic, None, Some(&boss)).await.0, 204);
    stop(first).await;

    // Restarted on the same database: a redeploy.
    let second = serve(dir, url, &[]).await;
    let port = second.port;
    assert_eq!(confirm(port, &pending).await["outcome"], "applied:paid", "a payment made before the restart");
    let fresh = guest_checkout(port).await;
    assert_eq!(confirm(port, &fresh).await["outcome"], "applied:paid", "no event id of the last run is reused");
    let boss = admin_token(port).await;
    let cancel = format!("/api/v1/admin/orders/{}/cancel", to_cancel["order"]["id"].as_str().unwrap());
    let (status, cancelled) =
        http(port, "POST", &cancel, Some(&json!({ "reason": "changed mind" })), Some(&boss)).await;
    assert_eq!((status, &cancelled["state"]), (200, &json!("cancelled")), "{cancelled}");
    let refund = format!("/api/v1/admin/orders/{}/refunds", paid_before["order"]["id"].as_str().unwrap());
    let (status, refunded) = http(port, "POST", &refund, Some(&json!({ "amount": "5.00" })), Some(&boss)).await;
    assert!((200..300).contains(&status), "a refund of a payment made before the restart: {refunded}");

    let (_, promotions) = http(port, "GET", "/api/v1/admin/promotions", None, Some(&boss)).await;
    let kept = promotions["data"].as_array().unwrap().iter().find(|p| p["code"] == "NITE10").unwrap().clone();
    assert_eq!(kept["enabled"], false, "a disabled promotion stays off");
    let (_, shown) = http(port, "GET", "/api/v1/products/niteputter-pro", None, None).await;
    assert_eq!(shown["name"], "NitePutter Pro Mk II", "a renamed product keeps its name");
    assert_eq!(http(port, "GET", "/api/v1/products/niteputter-basic", None, None).await.0, 404, "still removed");

    // A second process over the same database: a payment made on one is confirmed on the other.
    let other = serve(dir, url, &[]).await;
    let made_here = guest_checkout(port).await;
    assert_eq!(confirm(other.port, &made_here).await["outcome"], "applied:paid");
    let replay = format!("/api/v1/payments/{}/test-confirm", made_here["payment"]["id"].as_str().unwrap());
    let (status, late) = http(port, "POST", &replay, Some(&json!({ "outcome": "succeeded" })), None).await;
    assert_eq!((status, late["code"].as_str()), (409, Some("payment_not_pending")), "{late}");
    stop(other).await;
    stop(second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_on_sqlite_keep_payments_and_the_admins_work() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    restarts_keep_payments_and_the_admins_work(dir.path(), &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_on_postgres_keep_payments_and_the_admins_work() {
    let Some(url) = crate::e2e::fresh_postgres("restarts").await else { return };
    let dir = tempfile::tempdir().unwrap();
    restarts_keep_payments_and_the_admins_work(dir.path(), &url).await;
}

#[tokio::test]
async fn a_live_shop_refuses_to_start_with_the_test_provider() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let output = crate::e2e::niteputter(dir.path(), &url).env("NITE_ENV", "production").arg("serve").output().unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("NITE_PAYMENTS") && said.contains("anyone mark an order paid"), "{said}");
}
