//! `IdempotencyStore`: keys of requests that create something, so a retry answers like the first attempt.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::Result;

/// A request that was handled under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// What kind of request (`checkout`, `POST /api/v1/carts`): keys are unique per scope.
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// A digest of the request, so the same key with another request is refused.
    pub fingerprint: String,
    /// What the request created (an order id, for a checkout).
    pub resource_id: String,
    /// The response to replay, if the caller stores one.
    pub response: Option<String>,
    /// When first seen; keys are kept at least 24 hours.
    pub created_at: OffsetDateTime,
}

/// Whether a key was new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remembered {
    /// Stored now.
    New,
    /// Stored before: here is what it said.
    Existing(IdempotencyRecord),
}

/// Idempotency keys.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The record under `scope` and `key`.
    async fn idempotency(&self, scope: &str, key: &str) -> Result<Option<IdempotencyRecord>>;

    /// Stores the record unless its key exists, atomically.
    async fn remember(&self, record: &IdempotencyRecord) -> Result<Remembered>;

    /// Deletes records created before `cutoff`; returns how many.
    async fn forget_before(&self, cutoff: OffsetDateTime) -> Result<u64>;
}
