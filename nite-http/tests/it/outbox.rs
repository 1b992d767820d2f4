//! Two outbox workers over one real database (a SQLite file; PostgreSQL when the test server is there) and one real
//! SMTP server (aiosmtpd): every message is delivered exactly once, counted at the server; and a worker stops
//! cleanly when told to.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use nite_core::contract::Fixture;
use nite_core::email::Mailbox;
use nite_core::outbox::{Notification, OutboxMessage};
use nite_core::ports::Stores;
use nite_core::testing::FixedClock;
use nite_core::{Email, MessageId};
use nite_email::{EmailSettings, OutboxWorker, Renderer, SmtpEmailSender, WorkerOptions};

struct Sink {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sink() -> Option<Sink> {
    if !Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "aiosmtpd must be installed in CI");
        eprintln!("SKIPPED: aiosmtpd is not installed, so this SMTP test did not run");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let maildir = tempfile::tempdir().unwrap().keep().join("mail");
    let mut child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Sink { child, port, maildir });
        }
        std::thread::sleep(StdDuration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start");
}

fn message_ids(maildir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let raw = std::fs::read_to_string(e.path()).ok()?;
            raw.lines().find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_owned))
        })
        .collect()
}

fn settings() -> EmailSettings {
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: Email::parse("orders@niteputter.example").unwrap() },
        reply_to: None,
        shop_name: "NitePutter".into(),
        shop_url: "https://niteputter.example".into(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}

fn worker(stores: &Stores, url: &str, clock: Arc<FixedClock>, id: &str) -> OutboxWorker {
    let sender = Arc::new(SmtpEmailSender::from_url(url, StdDuration::from_secs(5)).unwrap());
    let options = WorkerOptions { id: id.into(), batch: 7, ..WorkerOptions::default() };
    OutboxWorker::new(
        stores.outbox.clone(),
        stores.orders.clone(),
        stores.customers.clone(),
        sender,
        Arc::new(Renderer::new(settings())),
        clock,
        options,
    )
}

/// 40 welcome emails, two workers racing over `stores`: each delivered once.
async fn two_workers_exactly_once(stores: Stores) {
    let Some(sink) = sink() else { return };
    let f = Fixture::new(&stores);
    let hash = nite_core::customer::PasswordHash("$argon2id$stub".into());
    for n in 0..40 {
        f.customers
            .register(&format!("c{n}@example.com"), "Golfer", hash.clone(), nite_core::customer::Role::Customer)
            .await
            .unwrap();
    }
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let clock = Arc::new(FixedClock::at_noon());
    let (a, b) =
        (Arc::new(worker(&stores, &url, clock.clone(), "a")), Arc::new(worker(&stores, &url, clock.clone(), "b")));
    let run = |w: Arc<OutboxWorker>| {
        tokio::spawn(async move {
            let mut sent = 0;
            for _ in 0..10 {
                sent += w.run_once().await.unwrap().sent;
            }
            sent
        })
    };
    // Both spawned before either is awaited: they race for the same rows.
    let (ha, hb) = (run(a), run(b));
    let (sent_a, sent_b) = (ha.await.unwrap(), hb.await.unwrap());
    assert_eq!(sent_a + sent_b, 40);
    let mut ids = message_ids(&sink.maildir);
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((total, ids.len()), (40, 40), "every message once, none twice");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap()
}

#[test]
fn two_workers_over_one_sqlite_file_deliver_exactly_once() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("nite.db").display());
        let db = nite_storage::Database::connect(&url, 8).await.unwrap();
        db.migrate().await.unwrap();
        two_workers_exactly_once(db.stores()).await;
    });
}

#[test]
fn two_workers_over_one_postgres_database_deliver_exactly_once() {
    runtime().block_on(async {
        let Ok(admin_url) = std::env::var("NITE_TEST_DATABASE_URL") else {
            assert!(std::env::var_os("CI").is_none(), "NITE_TEST_DATABASE_URL must be set in CI");
            eprintln!("SKIPPED: NITE_TEST_DATABASE_URL is not set, so this PostgreSQL test did not run");
            return;
        };
        let admin = nite_storage::PgStore::connect(&admin_url, 1).await.unwrap();
        let name = format!("nite_http_test_{}", std::process::id());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
        let root = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(root, _)| root);
        let db = nite_storage::Database::connect(&format!("{root}/{name}"), 8).await.unwrap();
        db.migrate().await.unwrap();
        two_workers_exactly_once(db.stores()).await;
    });
}

#[test]
fn a_running_worker_stops_when_told() {
    runtime().block_on(async {
        let Some(sink) = sink() else { return };
        let stores = Stores::from_store(Arc::new(nite_core::testing::InMemoryStore::new()));
        let message = OutboxMessage::new(
            MessageId::parse("msg_stop").unwrap(),
            Email::parse("a@example.com").unwrap(),
            Notification::Welcome { customer_id: nite_core::CustomerId::parse("cus_gone").unwrap() },
            "x",
            FixedClock::at_noon().now(),
        );
        stores.outbox.enqueue(&[message]).await.unwrap();
        let w = worker(&stores, &format!("smtp://127.0.0.1:{}", sink.port), Arc::new(FixedClock::at_noon()), "runner");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move { w.run(StdDuration::from_millis(20), stopped).await });
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        stop.send(true).unwrap();
        tokio::time::timeout(StdDuration::from_secs(5), task).await.expect("the worker stops").unwrap();
        // The welcome email's customer does not exist: the message is dead, not retried forever.
        let dead = stores.outbox.outbox(Some(nite_core::outbox::OutboxStatus::Dead), 10).await.unwrap();
        assert_eq!(dead.len(), 1);
    });
}
