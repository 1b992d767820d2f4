//! The contract suites on a real PostgreSQL server (the one `./scripts/test` starts on 127.0.0.1).

use std::sync::Arc;

use nite_core::ports::Stores;

use crate::harness::{fresh_postgres, run};

async fn fresh() -> Option<Stores> {
    Some(Stores::from_store(Arc::new(fresh_postgres().await?)))
}

nite_core::contract_tests!(run: run, fresh: fresh);

#[test]
fn migrations_are_idempotent_and_ready_reports_them() {
    run(async {
        let Some(store) = fresh_postgres().await else { return };
        assert!(store.ready().await.unwrap());
        store.migrate().await.unwrap();
        assert!(store.ready().await.unwrap());
    });
}
