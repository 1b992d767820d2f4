//! What an operator runs besides the shop: `niteputter backup` of a live SQLite shop while it sells, restored into a
//! fresh folder and checked for consistency; `niteputter healthcheck`; a `worker` process's endpoints; and the
//! Prometheus metrics.

use std::path::Path;
use std::time::Duration;

use futures::future::join_all;
use serde_json::json;
use sqlx::Row;

use crate::e2e::{free_port, http, http_from, niteputter, ready_cart, serve, start};

/// A guest buys one Basic from `who` and, every other time, pays.
async fn buy(port: u16, who: [u8; 4], n: usize) {
    let base = ready_cart(port, who, "NP-BASIC-GRN", 1, &format!("buyer-{n}@example.com")).await;
    let (status, placed) = http_from(who, port, "POST", &format!("{base}/checkout"), None, None, &[]).await;
    assert_eq!(status, 201, "{placed}");
    if n.is_multiple_of(2) {
        let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
        let (status, body) = http(port, "POST", &pay, Some(&json!({ "outcome": "succeeded" })), None).await;
        assert_eq!(status, 200, "{body}");
    }
}

/// The copy's own consistency, read with SQL: SQLite's integrity check, every order's payment in the test
/// provider's table (and captured for a paid order), and reserved stock equal to the pending orders' units.
async fn consistent(file: &Path) -> (i64, i64) {
    let url = format!("sqlite://{}", file.display());
    let store = nite_storage::SqliteStore::connect(&url, 1).await.unwrap();
    let pool = store.pool();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await.unwrap();
    assert_eq!(check, "ok");
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE payment_id IS NOT NULL AND payment_id NOT IN (SELECT id FROM test_payments)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "every order's payment is in the copy");
    let captured: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o JOIN test_payments t ON t.id = o.payment_id
         WHERE o.state = 'paid' AND json_extract(t.doc, '$.payment.status') = 'captured'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let rows = sqlx::query(
        "SELECT i.sku, i.reserved, COALESCE((SELECT SUM(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                                             WHERE o.state = 'pending_payment' AND l.sku = i.sku), 0) AS held
         FROM inventory i",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in &rows {
        let (sku, reserved, held): (String, i64, i64) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(reserved, held, "{sku}: reserved stock is the pending orders' units");
    }
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(pool).await.unwrap();
    let paid: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE state = 'paid'").fetch_one(pool).await.unwrap();
    assert_eq!(captured, paid, "every paid order's payment is captured");
    store.close().await;
    (orders, paid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_shop_sells_restores_to_a_consistent_shop() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let server = start(dir.path(), &url).await;
    let port = server.port;
    // Four shoppers buy for as long as the backups take, and a while after.
    let shoppers = (0..4).map(|s| async move {
        for n in 0..12 {
            buy(port, [127, 0, 9, 1 + s * 20 + u8::try_from(n).unwrap()], usize::from(s) * 100 + n).await;
        }
    });
    let backups = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let mut files = Vec::new();
        for i in 0..3 {
            let file = dir.path().join(format!("backup-{i}.db"));
            let out = niteputter(dir.path(), &url).arg("backup").arg(&file).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let again = niteputter(dir.path(), &url).arg("backup").arg(&file).output().unwrap();
            assert!(!again.status.success(), "a backup never overwrites a file");
            files.push(file);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        files
    };
    let ((), files) = tokio::join!(
        async {
            join_all(shoppers).await;
        },
        backups
    );
    drop(server);

    let mut taken = Vec::new();
    for file in &files {
        taken.push(consistent(file).await);
    }
    assert!(taken.iter().any(|(_, paid)| *paid > 0), "the backups saw paid orders: {taken:?}");
    assert!(taken.windows(2).all(|w| w[0].0 <= w[1].0), "later backups hold more: {taken:?}");
    let (all, _) = taken.last().unwrap();
    assert!(*all < 48 || taken[0].0 < 48, "at least one backup was taken mid-sale: {taken:?}");
    // Restored into a fresh folder, the copy is a working shop with every order the copy holds.
    let fresh = tempfile::tempdir().unwrap();
    let last = files.last().unwrap();
    std::fs::copy(last, fresh.path().join("shop.db")).unwrap();
    let restored_url = format!("sqlite://{}?mode=rwc", fresh.path().join("shop.db").display());
    let restored = serve(fresh.path(), &restored_url, &[]).await;
    let login = json!({ "email": "boss@example.com", "password": "the boss's passphrase" });
    let (status, session) = http(restored.port, "POST", "/api/v1/auth/login", Some(&login), None).await;
    assert_eq!(status, 200, "{session}");
    let boss = session["access_token"].as_str().unwrap();
    let (_, page) = http(restored.port, "GET", "/api/v1/admin/orders?limit=100", None, Some(boss)).await;
    let listed = page["data"].as_array().unwrap().len();
    assert_eq!(i64::try_from(listed).unwrap(), taken.last().unwrap().0, "the restored shop lists the copy's orders");
    let (_, products) = http(restored.port, "GET", "/api/v1/products", None, None).await;
    assert_eq!(products["data"].as_array().unwrap().len(), 3, "and is not seeded over");
    buy(restored.port, [127, 0, 9, 200], 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_workers_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let metrics = free_port();
    let server = serve(dir.path(), &url, &[("NITE_METRICS_BIND", &format!("127.0.0.1:{metrics}"))]).await;
    let worker = serve(dir.path(), &url, &[("NITE_ROLE", "worker")]).await;

    // healthcheck: 0 for a live server (found through NITE_BIND), 1 for none.
    let check = |port: u16| {
        niteputter(dir.path(), &url).env("NITE_BIND", format!("0.0.0.0:{port}")).arg("healthcheck").status().unwrap()
    };
    assert!(check(server.port).success());
    assert!(check(worker.port).success(), "a worker answers /healthz too");
    assert_eq!(check(free_port()).code(), Some(1));

    // A worker serves no API, and says so as a problem.
    let (status, body) = http(worker.port, "GET", "/api/v1/products", None, None).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{body}");
    let (status, ready) = http(worker.port, "GET", "/readyz", None, None).await;
    assert_eq!((status, ready["redis"].as_str()), (200, Some("off")), "{ready}");

    // Metrics: never on the public listener; on their own, by route template, with checkouts and gauges.
    assert_eq!(http(server.port, "GET", "/api/v1/metrics", None, None).await.0, 404);
    buy(server.port, [127, 0, 9, 1], 0).await;
    buy(server.port, [127, 0, 9, 2], 1).await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", metrics)).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    for line in [
        "nite_http_requests_total{method=\"POST\",route=\"/api/v1/carts/{id}/items\",status=\"201\"} 2",
        "nite_checkouts_total{outcome=\"placed\"} 2",
        "nite_payment_events_total{source=\"test\",outcome=\"accepted\"} 1",
        "nite_reserved_units 1",
        "nite_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/carts/{id}/shipping-options\"} 2",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(text.contains("nite_outbox_pending ") && text.contains("nite_db_connections{state=\"idle\"}"), "{text}");
    assert!(!text.contains("ord_") && !text.contains("cart_"), "no ids in labels");
}

/// With the `otel` feature and `NITE_OTLP_ENDPOINT`, request spans reach an OTLP/HTTP collector (a fake one here,
/// on 127.0.0.1, that keeps what it is sent), flushed at a graceful stop at the latest.
#[cfg(feature = "otel")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_spans_are_exported_over_otlp() {
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let collector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", collector.local_addr().unwrap());
    type Requests = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
    let received: Requests = Arc::default();
    let keep = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = collector.accept().await {
            let keep = Arc::clone(&keep);
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0_u8; 8192];
                loop {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if data.len() < end + 4 + length {
                        continue;
                    }
                    let body = data[end + 4..end + 4 + length].to_vec();
                    keep.lock().unwrap().push((head, body));
                    data.drain(..end + 4 + length);
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let server = serve(dir.path(), &url, &[("NITE_OTLP_ENDPOINT", &endpoint), ("NITE_LOG", "info")]).await;
    assert_eq!(http(server.port, "GET", "/api/v1/products/niteputter-pro", None, None).await.0, 200);
    crate::restarts::stop(server).await;
    let received = received.lock().unwrap();
    let traces: Vec<&(String, Vec<u8>)> =
        received.iter().filter(|(head, _)| head.starts_with("post /v1/traces")).collect();
    assert!(!traces.is_empty(), "no export reached the collector: {received:?}");
    assert!(traces.iter().all(|(head, _)| head.contains("content-type: application/x-protobuf")), "{traces:?}");
    let bodies: Vec<u8> = traces.iter().flat_map(|(_, body)| body.clone()).collect();
    let has = |needle: &[u8]| bodies.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"niteputter"), "the service name is in the export");
    assert!(has(b"/api/v1/products/niteputter-pro"), "the request's span (with its path) is in the export");
}
