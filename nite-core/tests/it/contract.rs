//! The contract suites, run against the in-memory store.

use std::sync::Arc;

use nite_core::ports::Stores;
use nite_core::testing::InMemoryStore;

async fn fresh() -> Option<Stores> {
    Some(Stores::from_store(Arc::new(InMemoryStore::new())))
}

nite_core::contract_tests!(run: futures::executor::block_on, fresh: fresh);
