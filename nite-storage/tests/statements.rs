//! How many SQL statements one checkout (and one product page) issues, counted from the store's statement log
//! (`nite_storage::statement`, where the SQLite store logs every statement it runs, as sqlx logs its own under
//! `sqlx::query`).
//!
//! A binary of its own, apart from `tests/it`: it installs a global tracing subscriber, which must see only this
//! test's statements.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::{Arc, Mutex};

use nite_core::contract::Fixture;
use nite_core::order::OrderState;
use nite_core::payment::TestOutcome;
use nite_core::ports::Stores;
use nite_core::services::{EventOutcome, IdempotencyKey, Viewer};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Records the summary of every statement logged.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if matches!(event.metadata().target(), "nite_storage::statement" | "sqlx::query") {
            let mut summary = Summary(String::new());
            event.record(&mut summary);
            self.0.lock().unwrap().push(summary.0);
        }
    }
}

impl Statements {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The statements of one checkout (with an idempotency key, a promotion code and two SKUs): the reads that price
/// the cart, then the one transaction that places the order. Then those of the payment's `succeeded` event.
/// The statements of the Pro's product page (the seeded catalog's), checking it shows one stock level a variant.
async fn product_page(stores: &Stores, log: &Statements) -> Vec<String> {
    log.take();
    let slug = nite_core::catalog::Slug::new("niteputter-pro").unwrap();
    let shown = stores.showcase.shown_product(&slug).await.unwrap().expect("the seeded product");
    assert_eq!(shown.stock.len(), shown.product.variants.len());
    log.take()
}

async fn checkout_statements(stores: &Stores, log: &Statements) -> (Vec<String>, Vec<String>) {
    let f = Fixture::new(stores);
    f.seed().await;
    let cart = f.ready_cart(&[("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)], &["NITE10"]).await;
    let key = IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
    log.take();
    let order = f.checkout.checkout(&cart, &Viewer::guest(), Some(&key)).await.unwrap().order;
    // A connection the pool opens meanwhile sets itself up (`PRAGMA …`): that is not the checkout's. Nor is the
    // test payment provider's own record of the payment (with Stripe, that is an HTTP call).
    let ours = |all: Vec<String>| -> Vec<String> {
        all.into_iter().filter(|s| !s.starts_with("PRAGMA") && !s.contains("test_payments")).collect()
    };
    let checkout = ours(log.take());
    let payment = order.payment.payment_id.clone().expect("the order has its payment");
    let event = f.provider.confirm(&payment, TestOutcome::Succeeded).await.unwrap();
    log.take();
    assert_eq!(f.payments.handle(&event).await.unwrap(), EventOutcome::Applied(OrderState::Paid));
    (checkout, ours(log.take()))
}

#[test]
fn placing_an_order_issues_at_most_twelve_statements_and_paying_it_moves_its_stock_in_one() {
    let log = Statements::default();
    tracing_subscriber::registry().with(log.clone()).init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("nite.db").display());
        let sqlite = nite_storage::SqliteStore::connect(&url, 4).await.unwrap();
        sqlite.migrate().await.unwrap();
        let stores = Stores::from_store(Arc::new(sqlite));
        let (statements, paying) = checkout_statements(&stores, &log).await;
        // The store's write transaction sends BEGIN and COMMIT as statements, so they are logged and counted. The
        // last statement records the provider's payment, made after the order is placed (the design's order:
        // place, then pay); it is counted apart.
        eprintln!("SQLite checkout, {} statements:\n  {}", statements.len(), statements.join("\n  "));
        let (attach, placing) = statements.split_last().expect("statements were logged");
        assert!(attach.starts_with("UPDATE orders SET payment_provider"), "{attach}");
        assert!(placing.iter().any(|s| s == "BEGIN IMMEDIATE"), "{placing:?}");
        assert_eq!(placing.last().map(String::as_str), Some("COMMIT"), "{placing:?}");
        assert!(placing.len() <= 12, "placing the order took {} statements", placing.len());
        assert!(placing.len() >= 10, "the log missed statements: {placing:?}");

        // Paid: the stock of both SKUs moves in one statement.
        eprintln!("SQLite payment, {} statements:\n  {}", paying.len(), paying.join("\n  "));
        let moves = paying.iter().filter(|s| s.starts_with("UPDATE inventory")).count();
        assert_eq!(moves, 1, "{paying:?}");
        assert_eq!(paying.last().map(String::as_str), Some("COMMIT"), "{paying:?}");

        // A product page reads the product, its stock and its reviews' summary in one statement.
        let page = product_page(&stores, &log).await;
        eprintln!("SQLite product page, {} statements:\n  {}", page.len(), page.join("\n  "));
        assert!(page.len() == 1 && page[0].starts_with("SELECT p.position, p.doc,"), "{page:?}");

        // PostgreSQL: each statement a round trip. The order's analytics and domain events go in one statement, and
        // so do the payment's outbox message, analytics and domain events.
        let Some(admin) = nite_storage::testing::postgres_url() else { return };
        let url = nite_storage::testing::create_database(&admin, "statements").await;
        let postgres = nite_storage::PgStore::connect(&url, 4).await.unwrap();
        postgres.migrate().await.unwrap();
        let postgres_stores = Stores::from_store(Arc::new(postgres));
        let (statements, paying) = checkout_statements(&postgres_stores, &log).await;
        eprintln!("PostgreSQL checkout, {} statements:\n  {}", statements.len(), statements.join("\n  "));
        eprintln!("PostgreSQL payment, {} statements:\n  {}", paying.len(), paying.join("\n  "));
        // sqlx logs the transaction's statements from the first after `BEGIN` (which it does not log) to `COMMIT`.
        let transaction = |all: &[String]| -> usize {
            let first = all.iter().position(|s| !s.starts_with("SELECT")).expect("a write");
            let commit = all.iter().position(|s| s.starts_with("COMMIT")).expect("a commit");
            commit - first + 1
        };
        let combined = |all: &[String]| all.iter().filter(|s| s.starts_with("WITH w0 AS (INSERT")).count();
        // Idempotency key, cart, order, lines, stock, then the analytics and domain events together, and COMMIT.
        assert_eq!(transaction(&statements), 7, "{statements:?}");
        assert_eq!(combined(&statements), 1, "{statements:?}");
        // Inbox, order, stock, then the outbox message, analytics and domain events together, and COMMIT.
        assert_eq!(transaction(&paying), 5, "{paying:?}");
        assert_eq!(combined(&paying), 1, "{paying:?}");
        // A product page: one round trip.
        let page = product_page(&postgres_stores, &log).await;
        assert!(page.len() == 1 && page[0].starts_with("SELECT p.position, p.doc,"), "{page:?}");
    });
}
