//! The engine's working vectors, reused per thread between pricings.

use crate::pricing::allocation::Scratch;
use crate::pricing::engine::{MAX_LINES, Work};

/// The engine's working vectors, kept per thread between pricings: a cart priced again (each change, each checkout,
/// each candidate of [`best_combination`]) reuses them instead of allocating six vectors each time. Only what the
/// result owns is allocated per pricing.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) work: Vec<Work>,
    pub(super) weights: Vec<i128>,
    pub(super) scratch: Scratch,
    pub(super) allocations: Vec<(usize, usize, i64)>,
    /// The promotions to try, as (index into the context's promotions, index into the cart's codes).
    pub(super) candidates: Vec<(usize, Option<usize>)>,
    /// The promotions that applied, as candidates with the amount each took off.
    pub(super) applied: Vec<(usize, Option<usize>, i128)>,
}

thread_local! {
    /// One boxed set per thread, so that taking and keeping it moves a pointer, not six vectors.
    static BUFFERS: std::cell::Cell<Option<Box<Buffers>>> = const { std::cell::Cell::new(None) };
}

impl Buffers {
    /// Buffers kept by this thread, or new ones.
    pub(super) fn take() -> Box<Buffers> {
        BUFFERS.with(std::cell::Cell::take).unwrap_or_default()
    }

    /// Keeps the buffers for the next pricing on this thread (emptied, and only if no larger than a cart of
    /// [`MAX_LINES`] needs).
    pub(super) fn give_back(mut self: Box<Self>) {
        self.work.clear();
        self.weights.clear();
        self.scratch.clear();
        self.allocations.clear();
        self.candidates.clear();
        self.applied.clear();
        if self.allocations.capacity() > 8 * MAX_LINES {
            return;
        }
        BUFFERS.with(|kept| kept.set(Some(self)));
    }
}
