//! `OutboxStore`: messages to send. Most are written by `OrderStore` and `CustomerStore` calls, in the transaction
//! of the change that causes them.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::MessageId;
use crate::error::Result;
use crate::outbox::{OutboxMessage, OutboxStatus};

/// The outbox's backlog, for operators (metrics, the dashboard).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxHealth {
    /// Messages waiting to be sent or retried.
    pub pending: u64,
    /// Of those, the ones that failed at least once and wait for a retry.
    pub failing: u64,
    /// Messages given up on.
    pub dead: u64,
    /// When the oldest pending message was written.
    pub oldest_pending: Option<OffsetDateTime>,
}

/// The outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Adds messages on their own (dropping any whose dedupe key exists).
    async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()>;

    /// Messages, oldest first, optionally only with `status`.
    async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>>;

    /// How the outbox is doing: pending and dead messages, and when the oldest pending one was written.
    async fn outbox_health(&self) -> Result<OutboxHealth>;

    /// Atomically leases up to `limit` due messages (pending, due by `now`, and not leased or with a lease that
    /// ran out) to `worker` until `now + lease`, counting an attempt on each; oldest first. Two workers never hold
    /// the same message: a message comes back only when its lease expires (its worker crashed).
    async fn claim_outbox(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>>;

    /// Marks a message `worker` holds as sent; `false` if the worker no longer holds it (its lease ran out and
    /// another worker took it).
    async fn outbox_sent(&self, id: &MessageId, worker: &str, now: OffsetDateTime) -> Result<bool>;

    /// Records a failed attempt of a message `worker` holds: pending again from `retry_at`, or dead when `None`.
    /// `false` if the worker no longer holds it.
    async fn outbox_failed(
        &self,
        id: &MessageId,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool>;
}
