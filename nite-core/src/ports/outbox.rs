//! `OutboxStore`: messages to send. Most are written by `OrderStore` and `CustomerStore` calls, in the transaction
//! of the change that causes them.

use async_trait::async_trait;

use crate::error::Result;
use crate::outbox::{OutboxMessage, OutboxStatus};

/// The outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Adds messages on their own (dropping any whose dedupe key exists).
    async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()>;

    /// Messages, oldest first, optionally only with `status`.
    async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>>;
}
