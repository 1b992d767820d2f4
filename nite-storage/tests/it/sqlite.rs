//! The contract suites on a real SQLite file.

use std::sync::Arc;

use nite_core::ports::Stores;

use crate::harness::{fresh_sqlite, run};

async fn fresh() -> Option<Stores> {
    Some(Stores::from_store(Arc::new(fresh_sqlite().await)))
}

nite_core::contract_tests!(run: run, fresh: fresh);

#[test]
fn migrations_are_idempotent_and_ready_reports_them() {
    run(async {
        let store = fresh_sqlite().await;
        assert!(store.ready().await.unwrap());
        store.migrate().await.unwrap();
        assert!(store.ready().await.unwrap());
    });
}

/// Writes have one path, the writer connection: the reading connections refuse a write, so a port that sent one the
/// wrong way would fail its contract suite rather than contend for SQLite's lock.
#[test]
fn the_reading_connections_refuse_writes() {
    run(async {
        let store = fresh_sqlite().await;
        let write = sqlx::query("INSERT INTO inventory (sku, on_hand, reserved) VALUES ('NP-X', 1, 0)");
        let refused = write.execute(store.pool()).await.unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        let read: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inventory").fetch_one(store.pool()).await.unwrap();
        assert_eq!(read, 0);
    });
}
