//! `catalog/*`: the parts of an uncached product list that are not HTTP, each alone, on the NitePutter catalog.
//!
//! - `decode_product`, `encode_product`: a stored product document read and written (serde, JSON), one product.
//! - `shown_page_sqlite`: `ShowcaseStore::shown_products` for the first page (three products, with their stock and
//!   reviews' histograms) on a SQLite file, the one statement and the decoding of its rows.
//! - `shown_page_views`: the same page made into the storefront's views (`ProductView`).
//!
//! The HTTP server's share (middleware, headers, the socket) is what the uncached load run measures beyond these.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use nite_core::catalog::Product;
use nite_core::ports::{Limit, ProductFilter, Stores};
use nite_core::seed;
use nite_core::services::ProductView;

fn catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    let product = seed::niteputter().products.into_iter().next().expect("the seed has products");
    let doc = serde_json::to_string(&product).unwrap();
    group.bench_function("decode_product", |b| b.iter(|| serde_json::from_str::<Product>(black_box(&doc)).unwrap()));
    group.bench_function("encode_product", |b| b.iter(|| serde_json::to_string(black_box(&product)).unwrap()));

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
        let store = nite_storage::SqliteStore::connect(&url, 4).await.unwrap();
        store.migrate().await.unwrap();
        let stores = Stores::from_store(Arc::new(store));
        seed::load(&stores).await.unwrap();
        stores
    });
    let filter = ProductFilter { category: None, query: None, limit: Limit::clamped(20), cursor: None };
    let first = runtime.block_on(stores.showcase.shown_products(&filter)).unwrap();
    assert_eq!(first.items.len(), 3, "the first page holds the whole seed catalog");
    group.bench_function("shown_page_sqlite", |b| {
        b.iter(|| runtime.block_on(stores.showcase.shown_products(black_box(&filter))).unwrap())
    });
    group.bench_function("shown_page_views", |b| {
        b.iter(|| {
            let page = runtime.block_on(stores.showcase.shown_products(black_box(&filter))).unwrap();
            page.items.into_iter().map(ProductView::from).collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, catalog);
criterion_main!(benches);
