//! Test doubles (feature `testing`): an in-memory store for every storage port, a clock the test moves, and ids
//! from a counter. They are real implementations, not mocks: the contract suites in [`crate::contract`] hold them to
//! the same behaviour as the database adapters.

mod memory;

pub use memory::InMemoryStore;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use time::{Duration, OffsetDateTime};

use crate::{Clock, IdGenerator};

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<OffsetDateTime>,
}

impl FixedClock {
    /// A clock showing `now`.
    pub fn new(now: OffsetDateTime) -> FixedClock {
        FixedClock { now: Mutex::new(now) }
    }

    /// 2026-06-01T12:00:00Z.
    pub fn at_noon() -> FixedClock {
        FixedClock::new(OffsetDateTime::from_unix_timestamp(1_780_315_200).unwrap_or(OffsetDateTime::UNIX_EPOCH))
    }

    /// What the clock shows.
    pub fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        FixedClock::now(self)
    }
}

/// Ids from a counter (`ord_1`, `cart_2`, …) and tokens likewise: deterministic.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    /// Starts at 1.
    pub fn new() -> SequentialIds {
        SequentialIds::default()
    }
}

impl IdGenerator for SequentialIds {
    fn next_body(&self) -> String {
        (self.next.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    fn secret_token(&self) -> String {
        format!("token{}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
}
