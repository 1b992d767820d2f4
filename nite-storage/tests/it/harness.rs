//! What every database test needs: a multi-threaded runtime, a fresh SQLite file, a fresh PostgreSQL database.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

/// Runs a test body on a fresh multi-threaded tokio runtime, so that store calls really run in parallel.
pub(crate) fn run(body: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(body);
}

/// A fresh, migrated SQLite database in a new temporary folder (kept until the process ends).
#[cfg(feature = "sqlite")]
pub(crate) async fn fresh_sqlite() -> nite_storage::SqliteStore {
    let dir = tempfile::tempdir().expect("a temporary folder").keep();
    let url = format!("sqlite://{}", dir.join("nite.db").display());
    let store = nite_storage::SqliteStore::connect(&url, 8).await.expect("SQLite opens");
    store.migrate().await.expect("SQLite migrates");
    store
}

/// The admin URL of the test PostgreSQL server; `None` (said loudly) when it is not set, which CI never allows.
#[cfg(feature = "postgres")]
pub(crate) fn postgres_url() -> Option<String> {
    match std::env::var("NITE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "NITE_TEST_DATABASE_URL is not set in CI: the PostgreSQL suites must run there (./scripts/test sets it)"
            );
            eprintln!("SKIPPED: NITE_TEST_DATABASE_URL is not set, so this PostgreSQL test did not run");
            None
        }
    }
}

/// `url` pointing at database `name` instead.
#[cfg(feature = "postgres")]
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let root = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap_or(0) + 2 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// A fresh, migrated PostgreSQL database on the test server, or `None` if there is none here.
#[cfg(feature = "postgres")]
pub(crate) async fn fresh_postgres() -> Option<nite_storage::PgStore> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin_url = postgres_url()?;
    let name = format!("nite_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = nite_storage::PgStore::connect(&admin_url, 1).await.expect("the test PostgreSQL server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .expect("a test database is created");
    admin.close().await;
    let store = nite_storage::PgStore::connect(&with_database(&admin_url, &name), 16).await.expect("connects");
    store.migrate().await.expect("PostgreSQL migrates");
    Some(store)
}

#[cfg(feature = "postgres")]
#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(with_database("postgres://u@h:5/postgres", "x"), "postgres://u@h:5/x");
    assert_eq!(with_database("postgres://u@h:5/postgres?sslmode=disable", "x"), "postgres://u@h:5/x?sslmode=disable");
    assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
}

#[cfg(not(feature = "postgres"))]
#[allow(dead_code)]
fn unused(_: &AtomicU32, _: Ordering) {}
