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
