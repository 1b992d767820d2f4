//! The contract suites, run against the in-memory store.

use std::sync::Arc;

use nite_core::ports::Stores;
use nite_core::testing::InMemoryStore;

async fn fresh() -> Option<Stores> {
    Some(Stores::from_store(Arc::new(InMemoryStore::new())))
}

nite_core::contract_tests!(run: futures::executor::block_on, fresh: fresh);

#[test]
fn the_test_provider_keeps_the_payment_contract() {
    futures::executor::block_on(async {
        let provider = nite_core::payment::TestPaymentProvider::new(Arc::new(nite_core::testing::SequentialIds::new()));
        let provider = &provider;
        nite_core::contract::payment_provider(provider, |id, outcome| async move {
            provider.confirm(&id, outcome).await.unwrap()
        })
        .await;
    });
}
