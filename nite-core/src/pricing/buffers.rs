//! The engine's working vectors, reused per thread between pricings.

use crate::pricing::engine::{MAX_LINES, Work};

/// The engine's working vectors, kept per thread between pricings: a cart priced again (each change, each checkout,
/// each candidate of [`best_combination`]) reuses them instead of allocating four vectors each time. Only what the
/// result owns is allocated per pricing.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) work: Vec<Work>,
    pub(super) weights: Vec<i128>,
    pub(super) scratch: Vec<(i128, usize)>,
    pub(super) allocations: Vec<(usize, usize, i128)>,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Vec<Buffers>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Buffers {
    /// Buffers kept by this thread, or new ones.
    pub(super) fn take() -> Buffers {
        BUFFERS.with(|kept| kept.borrow_mut().pop()).unwrap_or_default()
    }

    /// Keeps the buffers for the next pricing on this thread (emptied; at most two sets, each no larger than a cart
    /// of [`MAX_LINES`] needs).
    pub(super) fn give_back(mut self) {
        self.work.clear();
        self.weights.clear();
        self.scratch.clear();
        self.allocations.clear();
        if self.allocations.capacity() > 8 * MAX_LINES {
            return;
        }
        BUFFERS.with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() < 2 {
                kept.push(self);
            }
        });
    }
}
