//! Oversell under real parallelism: 200 checkouts as 200 spawned tasks on a multi-threaded runtime, against both
//! databases (the contract suites drive theirs from one task; here they are separate tasks on several threads).

use std::sync::Arc;

use nite_core::Error;
use nite_core::catalog::Sku;
use nite_core::contract::Fixture;
use nite_core::ports::Stores;
use nite_core::services::Viewer;

use crate::harness::run;

async fn two_hundred_tasks_five_units(stores: Stores) {
    let fixture = Arc::new(Fixture::new(&stores));
    fixture.seed().await;
    let sku = Sku::new("NP-PRO-RGB").unwrap();
    stores.inventory.set_on_hand(&sku, 5).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let fixture = fixture.clone();
        tasks.push(tokio::spawn(async move {
            let cart = fixture.ready_cart(&[("NP-PRO-RGB", 1)], &[]).await;
            fixture.checkout.checkout(&cart, &Viewer::guest(), None).await
        }));
    }
    let (mut placed, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => placed += 1,
            Err(Error::InsufficientStock { .. }) => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((placed, refused), (5, 195));
    let level = &stores.inventory.stock(std::slice::from_ref(&sku)).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved), (5, 5));
}

#[test]
fn sqlite_spawned_checkouts_never_oversell() {
    run(async {
        let store = crate::harness::fresh_sqlite().await;
        two_hundred_tasks_five_units(Stores::from_store(Arc::new(store))).await;
    });
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_spawned_checkouts_never_oversell() {
    run(async {
        let Some(store) = crate::harness::fresh_postgres().await else { return };
        two_hundred_tasks_five_units(Stores::from_store(Arc::new(store))).await;
    });
}
