//! `price_cart/N_lines`: pricing carts of 1, 10, 100 and 1,000 lines with three promotions and two tax rates.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nite_benches::PricingBench;
use nite_core::pricing::price;

fn price_cart(c: &mut Criterion) {
    let mut group = c.benchmark_group("price_cart");
    for lines in [1, 10, 100, 1_000] {
        let bench = PricingBench::new(lines);
        let (cart, ctx) = (bench.cart(), bench.context());
        // Every case really applies all three promotions; a silent miss would flatter the figure.
        let priced = price(&cart, &ctx).expect("the benchmark cart prices");
        assert_eq!(priced.applied.len(), if lines >= 2 { 3 } else { 2 }, "{:?}", priced.not_applied);
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{lines}_lines")), &lines, |b, _| {
            b.iter(|| price(black_box(&cart), black_box(&ctx)))
        });
    }
    group.finish();
}

criterion_group!(benches, price_cart);
criterion_main!(benches);
