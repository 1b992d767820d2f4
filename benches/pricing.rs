//! `price_cart/N_lines`: pricing carts of 1, 10, 100, 1,000 and 10,000 lines with three promotions and two tax
//! rates, then a summary table of nanoseconds per cart and per line. The allocations per cart and per line are the
//! `pricing_allocations` bench's (it needs a counting allocator, which would slow this one).

#![allow(clippy::float_arithmetic, reason = "printed ratios and medians of timings")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use nite_benches::PricingBench;
use nite_core::pricing::price;

const SIZES: [usize; 5] = [1, 10, 100, 1_000, 10_000];

fn price_cart(c: &mut Criterion) {
    let mut group = c.benchmark_group("price_cart");
    for lines in SIZES {
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

/// The median over 15 rounds of the mean time of one pricing, each round about `budget / 15` long.
fn nanoseconds(bench: &PricingBench, budget: Duration) -> f64 {
    let (cart, ctx) = (bench.cart(), bench.context());
    let started = Instant::now();
    drop(black_box(price(&cart, &ctx)));
    let once = started.elapsed().max(Duration::from_nanos(50));
    let per_round = u32::try_from((budget / 15).as_nanos() / once.as_nanos()).unwrap_or(u32::MAX).max(1);
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_round {
                drop(black_box(price(black_box(&cart), black_box(&ctx))));
            }
            started.elapsed().as_secs_f64() * 1e9 / f64::from(per_round)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// Time per cart and per line, for every size.
fn summary() {
    println!("\npricing summary (median of 15 rounds of about 70 ms; three promotions, two tax rates)");
    println!("{:>7} {:>12} {:>12}", "lines", "ns per cart", "ns per line");
    for lines in SIZES {
        let bench = PricingBench::new(lines);
        let ns = nanoseconds(&bench, Duration::from_secs(1));
        let per_line = ns / lines as f64;
        println!("{lines:>7} {ns:>12.0} {per_line:>12.1}");
    }
}

criterion_group!(benches, price_cart);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench -- <filter>` and `--list` runs only part of the criterion benches: the table comes with a full run.
    if std::env::args().skip(1).all(|arg| arg == "--bench") {
        summary();
    }
}
