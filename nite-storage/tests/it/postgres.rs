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

/// Connections the server closed while they sat idle in the pool (PostgreSQL restarted, an idle timeout) are
/// noticed and replaced before a caller gets one: the store answers the next call as if nothing happened.
#[test]
fn connections_closed_by_the_server_while_idle_are_replaced() {
    use nite_core::ports::CatalogStore;
    run(async {
        let Some(store) = fresh_postgres().await else { return };
        // Several connections in the pool, all idle afterwards.
        let filter = nite_core::ports::ProductFilter::default();
        let reads: Vec<_> = (0..4).map(|_| store.products(&filter)).collect();
        for read in futures::future::join_all(reads).await {
            read.unwrap();
        }
        let mut admin = store.pool().acquire().await.unwrap();
        let closed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut *admin)
        .await
        .unwrap();
        drop(admin);
        assert!(!closed.is_empty(), "the pool had idle connections to close");
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        for _ in 0..8 {
            store.products(&filter).await.expect("a closed connection was handed out");
        }
    });
}
