//! Pricing allocates its result and a few buffers, never once per line: the count is the same for 10 lines as for
//! 1,000. Counted with a global allocator that tallies calls, so the check is exact, not timed.

use std::alloc::System;

use nite_benches::PricingBench;
use nite_core::pricing::price;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) made by one `price` call on a cart of `lines` lines. The counter is global, so
/// another thread of the test harness can add to one measurement; pricing itself is deterministic, so the smallest
/// of several measurements is its own count.
fn allocations_for(lines: usize) -> usize {
    let bench = PricingBench::new(lines);
    let (cart, ctx) = (bench.cart(), bench.context());
    // Warm up once, so lazily initialised statics do not count.
    drop(price(&cart, &ctx));
    (0..7)
        .map(|_| {
            let region = Region::new(GLOBAL);
            let priced = price(&cart, &ctx).unwrap();
            let change = region.change();
            assert_eq!(priced.lines.len(), lines);
            change.allocations + change.reallocations
        })
        .min()
        .unwrap_or(usize::MAX)
}

#[test]
fn pricing_allocates_the_same_for_ten_lines_as_for_a_thousand() {
    let ten = allocations_for(10);
    let hundred = allocations_for(100);
    let thousand = allocations_for(1_000);
    assert_eq!(ten, hundred, "10 lines: {ten} allocations, 100 lines: {hundred}");
    assert_eq!(ten, thousand, "10 lines: {ten} allocations, 1,000 lines: {thousand}");
    assert!(ten <= 16, "{ten} allocations for one pricing call");
}
