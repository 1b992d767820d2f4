//! `EventStore`: domain events and their deliveries. Events are written by the other ports' calls, in the
//! transaction of the change that causes them; this port fans them out to consumers and leases deliveries.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::events::{Delivery, DomainEvent, EventConsumer};

/// Domain events, their consumers and their deliveries.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Creates or replaces a consumer. Only events fanned out after this see it.
    async fn save_consumer(&self, consumer: &EventConsumer) -> Result<()>;

    /// Every consumer, oldest first.
    async fn consumers(&self) -> Result<Vec<EventConsumer>>;

    /// A consumer by id.
    async fn consumer(&self, id: &str) -> Result<Option<EventConsumer>>;

    /// Removes a consumer and its undelivered deliveries; `false` if there was none.
    async fn delete_consumer(&self, id: &str) -> Result<bool>;

    /// Writes events on their own, outside another change (an event whose id exists is dropped).
    async fn publish(&self, events: &[DomainEvent]) -> Result<()>;

    /// Fans up to `limit` events not fanned out yet out to the consumers that take them, oldest first: one pending
    /// delivery per event and consumer, due at `now`. Idempotent: two callers at once create each delivery once.
    /// Returns how many events it fanned out.
    async fn fan_out(&self, now: OffsetDateTime, limit: u32) -> Result<u32>;

    /// Atomically leases up to `limit` due deliveries to any of `consumers` (pending, due by `now`, not leased or
    /// with a lease that ran out) to `worker` until `now + lease`, counting an attempt on each; oldest event first.
    /// Two workers never hold the same delivery.
    async fn claim_deliveries(
        &self,
        consumers: &[String],
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>>;

    /// Marks a delivery `worker` holds as delivered; `false` if it no longer holds it.
    async fn delivery_done(&self, delivery: i64, worker: &str, now: OffsetDateTime) -> Result<bool>;

    /// Records a failed attempt of a delivery `worker` holds: pending again from `retry_at`, or dead when `None`.
    /// `false` if it no longer holds it.
    async fn delivery_failed(
        &self,
        delivery: i64,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool>;

    /// A consumer's deliveries, newest event first.
    async fn deliveries(&self, consumer: &str, limit: crate::ports::Limit) -> Result<Vec<Delivery>>;
}
