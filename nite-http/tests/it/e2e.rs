//! The real binary on a real socket over a real database file: `niteputter create-admin`, then `niteputter serve`,
//! then the journey of issue 7 (browse, buy Pro and Basic with a code, pay, ship, deliver, review, approve, report)
//! over HTTP/1.1 on 127.0.0.1, ending with the emails on disk.
//! Stopped with SIGTERM by its PID, which must shut it down cleanly.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JWT: &str = "an end-to-end secret of 32+ bytes, not a real one";

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn niteputter(dir: &Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_niteputter"));
    command
        .current_dir(dir)
        .env_clear()
        .env("NITE_DATABASE_URL", database_url)
        .env("NITE_EMAIL_DIR", dir.join("mail"))
        .env("NITE_JWT_SECRET", JWT)
        .env("NITE_LOG", "warn");
    command
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One request on a fresh connection; the status and the JSON body (`Null` when empty).
pub(crate) async fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    auth: Option<&str>,
) -> (u16, Value) {
    http_with(port, method, path, body, auth, &[]).await
}

/// [`http`] with more headers.
pub(crate) async fn http_with(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    auth: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    http_from([127, 0, 0, 1], port, method, path, body, auth, headers).await
}

/// [`http_with`] from another loopback address (all of 127.0.0.0/8 is this machine): to the server, another client.
pub(crate) async fn http_from(
    source: [u8; 4],
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    auth: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    try_http_from(source, port, method, path, body, auth, headers).await.unwrap()
}

/// [`http_from`], answering what went wrong instead of panicking when the server is gone (killed mid-request).
pub(crate) async fn try_http_from(
    source: [u8; 4],
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    auth: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<(u16, Value), String> {
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.bind(std::net::SocketAddr::from((source, 0))).map_err(|e| e.to_string())?;
    let mut stream =
        socket.connect(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await.map_err(|e| e.to_string())?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    if let Some(token) = auth {
        request.push_str(&format!("authorization: Bearer {token}\r\n"));
    }
    if method == "POST" && path.ends_with("/checkout") && !headers.iter().any(|(n, _)| *n == "idempotency-key") {
        // One key per cart: the same key for another cart is refused, as it should be.
        request.push_str(&format!("idempotency-key: e2e{}\r\n", path.replace('/', "-")));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if body.is_some() {
        request.push_str("content-type: application/json\r\n");
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{payload}", payload.len()));
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8(response).map_err(|e| e.to_string())?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| format!("no complete answer: {text:?}"))?;
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("a bad head: {head}"))?;
    let body = if body.is_empty() { Value::Null } else { serde_json::from_str(body).map_err(|e| e.to_string())? };
    Ok((status, body))
}

/// A guest cart of `quantity` × `sku`, addressed and with shipping chosen, made by `who` on `port`: its path.
pub(crate) async fn ready_cart(port: u16, who: [u8; 4], sku: &str, quantity: u32, email: &str) -> String {
    let (status, cart) = http_from(who, port, "POST", "/api/v1/carts", None, None, &[]).await;
    assert_eq!(status, 201, "{cart}");
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    let item = json!({ "sku": sku, "quantity": quantity });
    let (status, body) = http_from(who, port, "POST", &format!("{base}/items"), Some(&item), None, &[]).await;
    assert_eq!(status, 201, "{body}");
    let contact = json!({ "email": email, "shipping_address": crate::api::address() });
    assert_eq!(http_from(who, port, "PUT", &format!("{base}/addresses"), Some(&contact), None, &[]).await.0, 200);
    let (_, options) = http_from(who, port, "GET", &format!("{base}/shipping-options"), None, None, &[]).await;
    let option = json!({ "id": options["data"][0]["id"].clone() });
    assert_eq!(http_from(who, port, "PUT", &format!("{base}/shipping-option"), Some(&option), None, &[]).await.0, 200);
    base
}

pub(crate) async fn start(dir: &Path, database_url: &str) -> Server {
    create_admin(dir, database_url);
    serve(dir, database_url, &[]).await
}

/// `niteputter create-admin` for boss@example.com, the password on stdin.
pub(crate) fn create_admin(dir: &Path, database_url: &str) {
    let mut admin = niteputter(dir, database_url)
        .args(["create-admin", "--email", "boss@example.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut admin.stdin.take().unwrap(), b"the boss's passphrase\n").unwrap();
    assert!(admin.wait().unwrap().success(), "create-admin");
}

/// `niteputter serve` on a free port with `env` besides the test's settings, once it is ready.
pub(crate) async fn serve(dir: &Path, database_url: &str, env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let child = niteputter(dir, database_url)
        .env("NITE_BIND", format!("127.0.0.1:{port}"))
        .envs(env.iter().copied())
        .arg("serve")
        .spawn()
        .unwrap();
    let server = Server { child, port };
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
            && http(port, "GET", "/readyz", None, None).await.0 == 200
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("niteputter did not become ready on port {port}");
}

async fn journey(dir: &Path, database_url: &str) {
    let mut server = start(dir, database_url).await;
    let port = server.port;
    let (status, session) = http(
        port,
        "POST",
        "/api/v1/auth/register",
        Some(&json!({ "email": "ada@example.com", "password": "correct horse battery", "name": "Ada" })),
        None,
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let ada = session["access_token"].as_str().unwrap().to_owned();
    let (status, _) = http(port, "GET", "/api/v1/products/niteputter-pro", None, None).await;
    assert_eq!(status, 200);
    let (_, cart) = http(port, "POST", "/api/v1/carts", None, Some(&ada)).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    let (status, _) =
        http(port, "POST", &format!("{base}/items"), Some(&json!({ "sku": "NP-PRO-GRN", "quantity": 1 })), Some(&ada))
            .await;
    assert_eq!(status, 201);
    http(port, "POST", &format!("{base}/items"), Some(&json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), Some(&ada))
        .await;
    let (_, priced) =
        http(port, "POST", &format!("{base}/discount-codes"), Some(&json!({ "code": "NITE10" })), Some(&ada)).await;
    assert_eq!(priced["discount_codes"][0]["applied"], true, "{priced}");
    let address = json!({ "name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA", "postal_code": "94105", "country": "US" });
    let (status, _) = http(
        port,
        "PUT",
        &format!("{base}/addresses"),
        Some(&json!({ "email": "ada@example.com", "shipping_address": address })),
        Some(&ada),
    )
    .await;
    assert_eq!(status, 200);
    let (_, options) = http(port, "GET", &format!("{base}/shipping-options"), None, Some(&ada)).await;
    http(port, "PUT", &format!("{base}/shipping-option"), Some(&json!({ "id": options["data"][0]["id"] })), Some(&ada))
        .await;
    let (status, placed) = http(port, "POST", &format!("{base}/checkout"), None, Some(&ada)).await;
    assert_eq!(status, 201, "{placed}");
    let order = placed["order"]["id"].as_str().unwrap().to_owned();
    let pay = format!("/api/v1/payments/{}/test-confirm", placed["payment"]["id"].as_str().unwrap());
    let (status, _) = http(port, "POST", &pay, Some(&json!({ "outcome": "succeeded" })), None).await;
    assert!((200..300).contains(&status));

    let (status, login) = http(
        port,
        "POST",
        "/api/v1/auth/login",
        Some(&json!({ "email": "boss@example.com", "password": "the boss's passphrase" })),
        None,
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let boss = login["access_token"].as_str().unwrap().to_owned();
    let (status, _) = http(port, "GET", "/api/v1/admin/orders", None, Some(&ada)).await;
    assert_eq!(status, 403);
    let ship = json!({ "carrier": "ups", "tracking_number": "1Z999AA10123456784" });
    let (status, shipped) =
        http(port, "POST", &format!("/api/v1/admin/orders/{order}/ship"), Some(&ship), Some(&boss)).await;
    assert_eq!((status, shipped["state"].as_str()), (200, Some("shipped")), "{shipped}");
    let (_, mine) = http(port, "GET", "/api/v1/me/orders", None, Some(&ada)).await;
    assert_eq!(mine["data"][0]["state"], "shipped");
    let (_, delivered) = http(port, "POST", &format!("/api/v1/admin/orders/{order}/deliver"), None, Some(&boss)).await;
    assert_eq!(delivered["state"], "delivered");

    let review = json!({ "rating": 5, "title": "Bright", "body": "I can read the break at midnight." });
    let (status, written) =
        http(port, "POST", "/api/v1/products/niteputter-pro/reviews", Some(&review), Some(&ada)).await;
    assert_eq!(status, 201, "{written}");
    let approve = format!("/api/v1/admin/reviews/{}/approve", written["id"].as_str().unwrap());
    assert_eq!(http(port, "POST", &approve, None, Some(&boss)).await.0, 200);
    let (_, shown) = http(port, "GET", "/api/v1/products/niteputter-pro/reviews", None, None).await;
    assert_eq!(shown["data"].as_array().map(Vec::len), Some(1), "{shown}");

    let (status, report) =
        http(port, "GET", "/api/v1/admin/analytics/sales?granularity=month", None, Some(&boss)).await;
    assert_eq!(status, 200, "{report}");
    let period = &report["periods"][0];
    assert_eq!((period["orders"].as_u64(), period["units"].as_u64()), (Some(1), Some(2)), "{report}");
    // Revenue is what was charged, as the order's own totals say; a product's revenue is its lines' (Pro 89.99 less
    // NITE10's share).
    assert_eq!(period["revenue"], placed["order"]["totals"]["total"], "{report}");
    assert_eq!(period["gross_revenue"], placed["order"]["totals"]["total"], "{report}");
    assert_eq!(placed["order"]["totals"]["discount"], json!({ "amount": "14.00", "currency": "USD" }));
    let pro = period["products"].as_array().unwrap().iter().find(|p| p["product_id"] == "prod_pro").cloned();
    assert_eq!(
        pro.as_ref().map(|p| (&p["views"], &p["conversion_percent"])),
        Some((&json!(1), &json!("100"))),
        "{report}"
    );

    // The outbox worker delivers the welcome, confirmation and shipping emails to the file sender (bounded wait).
    let mail = dir.join("mail");
    let mut count = 0;
    for _ in 0..200 {
        count = std::fs::read_dir(&mail).map(|entries| entries.count()).unwrap_or(0);
        if count >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count, 5, "two welcomes (Ada, the admin), a confirmation, a shipping and a delivery notification");
    let mut subjects: Vec<String> = std::fs::read_dir(&mail)
        .unwrap()
        .map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let subject = text.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default().to_owned();
            assert!(subject.is_ascii() || subject.starts_with("=?"), "{subject}");
            subject
        })
        .collect();
    subjects.sort();
    for wanted in [format!("order {order} is confirmed"), format!("order {order} has shipped")] {
        assert!(subjects.iter().any(|s| s.contains(&wanted)), "{wanted} in {subjects:?}");
    }
    let shipped = std::fs::read_dir(&mail)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .find(|text| text.contains("has shipped"))
        .unwrap();
    assert!(shipped.contains("1Z999AA10123456784"), "the shipping email carries the tracking number");

    // Views right before the signal are still written: the queue is flushed at shutdown. Twenty visitors (twenty
    // loopback addresses) count twenty times; one of them again, and a HEAD, not at all.
    for n in 0..20 {
        let (status, _) =
            http_from([127, 0, 1, n], port, "GET", "/api/v1/products/niteputter-basic", None, None, &[]).await;
        assert_eq!(status, 200);
    }
    http_from([127, 0, 1, 0], port, "GET", "/api/v1/products/niteputter-basic", None, None, &[]).await;
    http_from([127, 0, 1, 0], port, "HEAD", "/api/v1/products/niteputter-basic", None, None, &[]).await;
    // A request in flight when the signal comes is finished: its body arrives after SIGTERM.
    let mut in_flight = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = "POST /api/v1/carts HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\
                content-type: application/json\r\ncontent-length: 2\r\n\r\n";
    in_flight.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    in_flight.write_all(b"{}").await.unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "the in-flight request was answered: {answer}");
    let mut exited = None;
    for _ in 0..200 {
        exited = server.child.try_wait().unwrap();
        if exited.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(exited.is_some_and(|status| status.success()), "a clean exit on SIGTERM: {exited:?}");
    let database = nite_storage::Database::connect(database_url, 1).await.unwrap();
    let views: i64 = match &database {
        nite_storage::Database::Sqlite(store) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM analytics_events WHERE kind = 'product_view'")
                .fetch_one(store.pool())
                .await
                .unwrap()
        }
        nite_storage::Database::Postgres(store) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM analytics_events WHERE kind = 'product_view'")
                .fetch_one(store.pool())
                .await
                .unwrap()
        }
        _ => unreachable!("the tests build both backends"),
    };
    assert_eq!(views, 21, "the Pro page once, the Basic page by 20 visitors");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_a_whole_journey_over_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    journey(dir.path(), &url).await;
}

/// The URL of a new, empty database on the test server (`NITE_TEST_DATABASE_URL`), keeping the URL's parameters;
/// `None`, said loudly, when no server is configured (and a failure under CI).
pub(crate) async fn fresh_postgres(purpose: &str) -> Option<String> {
    nite_storage::testing::fresh_postgres_url(purpose).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_a_whole_journey_over_postgres() {
    let Some(url) = fresh_postgres("http_e2e").await else { return };
    let dir = tempfile::tempdir().unwrap();
    journey(dir.path(), &url).await;
}
