//! Allocations of one pricing, per cart and per line, for carts of 1 to 10,000 lines (the `price_cart` bench's
//! carts). Counted exactly by a counting global allocator, so this is a count and not a timing; the test
//! `pricing_allocates_the_same_for_ten_lines_as_for_a_thousand` holds the same property in the test command.

#![allow(clippy::float_arithmetic, reason = "printed ratios")]

use std::alloc::System;

use nite_benches::PricingBench;
use nite_core::pricing::price;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() {
    // Only under `cargo bench`. Test runners list a harness-less bench's tests with `--list`: it has none.
    if !std::env::args().any(|a| a == "--bench") {
        if !std::env::args().any(|a| a == "--list") {
            println!("pricing allocations: run it with `cargo bench -p nite-benches --bench pricing_allocations`");
        }
        return;
    }
    println!("pricing allocations (allocations and reallocations of one pricing, buffers warm)");
    println!("{:>7} {:>16} {:>16} {:>14}", "lines", "allocs per cart", "allocs per line", "bytes per line");
    for lines in [1, 10, 100, 1_000, 10_000] {
        let bench = PricingBench::new(lines);
        let (cart, ctx) = (bench.cart(), bench.context());
        drop(price(&cart, &ctx));
        let region = Region::new(GLOBAL);
        let priced = price(&cart, &ctx);
        let change = region.change();
        drop(priced);
        let allocations = change.allocations + change.reallocations;
        let (per_line, bytes) = (allocations as f64 / lines as f64, change.bytes_allocated as f64 / lines as f64);
        println!("{lines:>7} {allocations:>16} {per_line:>16.4} {bytes:>14.0}");
    }
}
