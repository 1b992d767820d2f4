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

/// One shipping rate for everything: `Standard` by USPS at a fixed price, in the price's currency only.
#[derive(Debug, Clone)]
pub struct FlatRate {
    amount: crate::Money,
}

impl FlatRate {
    /// A flat rate of `amount`; its rate id is `flat:standard`.
    pub fn new(amount: crate::Money) -> FlatRate {
        FlatRate { amount }
    }
}

#[async_trait::async_trait]
impl crate::shipping::ShippingProvider for FlatRate {
    async fn quote(&self, request: &crate::shipping::QuoteRequest) -> crate::Result<Vec<crate::shipping::Rate>> {
        if request.currency != self.amount.currency() {
            return Ok(Vec::new());
        }
        Ok(vec![crate::shipping::Rate {
            id: "flat:standard".to_owned(),
            method: crate::shipping::ShippingMethod::Standard,
            name: "Standard".to_owned(),
            carrier: "USPS".to_owned(),
            amount: self.amount,
            estimated_days: Some(5),
        }])
    }

    async fn track(&self, carrier: &str, tracking_number: &str) -> crate::Result<crate::shipping::Tracking> {
        Ok(crate::shipping::Tracking {
            carrier: carrier.to_owned(),
            tracking_number: tracking_number.to_owned(),
            status: crate::shipping::TrackingStatus::Unknown,
            events: Vec::new(),
        })
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
