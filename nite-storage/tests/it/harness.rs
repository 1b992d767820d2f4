//! What every database test needs: a multi-threaded runtime, a fresh SQLite file, a fresh PostgreSQL database.

use std::future::Future;

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

/// A fresh, migrated PostgreSQL database on the test server, or `None` if there is none here.
#[cfg(feature = "postgres")]
pub(crate) async fn fresh_postgres() -> Option<nite_storage::PgStore> {
    nite_storage::testing::fresh_postgres("test", 16).await
}
