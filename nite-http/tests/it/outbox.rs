//! Two outbox workers over one real database (a SQLite file; PostgreSQL when the test server is there) and one real
//! SMTP server (aiosmtpd): every message is delivered exactly once, counted at the server; and a worker stops
//! cleanly when told to.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use nite_core::contract::Fixture;
use nite_core::outbox::{Notification, OutboxMessage};
use nite_core::ports::Stores;
use nite_core::testing::FixedClock;
use nite_core::{Email, MessageId};
use nite_email::testing::{SmtpSink, header};
use nite_email::{OutboxWorker, Renderer, SmtpEmailSender, WorkerOptions};

/// The Message-IDs of every message the sink received.
fn message_ids(sink: &SmtpSink) -> Vec<String> {
    sink.messages().iter().filter_map(|raw| header(raw, "Message-ID")).collect()
}

fn worker(stores: &Stores, url: &str, clock: Arc<FixedClock>, id: &str) -> OutboxWorker {
    let sender = Arc::new(SmtpEmailSender::from_url(url, StdDuration::from_secs(5)).unwrap());
    let options = WorkerOptions { id: id.into(), batch: 7, ..WorkerOptions::default() };
    OutboxWorker::new(
        stores.outbox.clone(),
        stores.orders.clone(),
        stores.customers.clone(),
        sender,
        Arc::new(Renderer::new(nite_shop::niteputter::email_settings("http://127.0.0.1:8080"))),
        clock,
        options,
    )
}

/// 40 welcome emails, two workers racing over `stores`: each delivered once.
async fn two_workers_exactly_once(stores: Stores) {
    let Some(sink) = SmtpSink::start() else { return };
    let f = Fixture::new(&stores);
    let hash = nite_core::customer::PasswordHash("$argon2id$stub".into());
    for n in 0..40 {
        f.customers
            .register(&format!("c{n}@example.com"), "Golfer", hash.clone(), nite_core::customer::Role::Customer)
            .await
            .unwrap();
    }
    let url = sink.url();
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
    let mut ids = message_ids(&sink);
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
        let Some(url) = nite_storage::testing::fresh_postgres_url("http_outbox").await else { return };
        let db = nite_storage::Database::connect(&url, 8).await.unwrap();
        db.migrate().await.unwrap();
        two_workers_exactly_once(db.stores()).await;
    });
}

#[test]
fn a_running_worker_stops_when_told() {
    runtime().block_on(async {
        let Some(sink) = SmtpSink::start() else { return };
        let stores = Stores::from_store(Arc::new(nite_core::testing::InMemoryStore::new()));
        let message = OutboxMessage::new(
            MessageId::parse("msg_stop").unwrap(),
            Email::parse("a@example.com").unwrap(),
            Notification::Welcome { customer_id: nite_core::CustomerId::parse("cus_gone").unwrap() },
            "x",
            FixedClock::at_noon().now(),
        );
        stores.outbox.enqueue(&[message]).await.unwrap();
        let w = worker(&stores, &sink.url(), Arc::new(FixedClock::at_noon()), "runner");
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
