//! The in-memory store's records: idempotency keys (`IdempotencyStore`), the outbox (`OutboxStore`) and analytics
//! events (`AnalyticsStore`).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::InMemoryStore;
use crate::MessageId;
use crate::analytics::{AnalyticsEvent, EventKind};
use crate::error::Result;
use crate::outbox::{OutboxMessage, OutboxStatus};
use crate::ports::{AnalyticsStore, IdempotencyRecord, IdempotencyStore, OutboxStore, Remembered};

#[async_trait]
impl IdempotencyStore for InMemoryStore {
    async fn idempotency(&self, scope: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        Ok(self.state()?.idempotency.get(&(scope.to_owned(), key.to_owned())).cloned())
    }

    async fn remember(&self, record: &IdempotencyRecord) -> Result<Remembered> {
        let mut s = self.state()?;
        let key = (record.scope.clone(), record.key.clone());
        if let Some(existing) = s.idempotency.get(&key) {
            return Ok(Remembered::Existing(existing.clone()));
        }
        s.idempotency.insert(key, record.clone());
        Ok(Remembered::New)
    }

    async fn forget_before(&self, cutoff: OffsetDateTime) -> Result<u64> {
        let mut s = self.state()?;
        let before = s.idempotency.len();
        s.idempotency.retain(|_, r| r.created_at >= cutoff);
        Ok(u64::try_from(before - s.idempotency.len()).unwrap_or(0))
    }
}

#[async_trait]
impl OutboxStore for InMemoryStore {
    async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()> {
        self.state()?.enqueue(messages);
        Ok(())
    }

    async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let s = self.state()?;
        Ok(s.outbox
            .iter()
            .map(|e| &e.message)
            .filter(|m| status.is_none_or(|st| m.status == st))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn outbox_health(&self) -> Result<crate::ports::OutboxHealth> {
        let s = self.state()?;
        let count = |status| s.outbox.iter().filter(|e| e.message.status == status).count() as u64;
        let oldest =
            s.outbox.iter().filter(|e| e.message.status == OutboxStatus::Pending).map(|e| e.message.created_at).min();
        Ok(crate::ports::OutboxHealth {
            pending: count(OutboxStatus::Pending),
            failing: s.outbox.iter().filter(|e| e.message.status == OutboxStatus::Pending && e.failed).count() as u64,
            dead: count(OutboxStatus::Dead),
            oldest_pending: oldest,
        })
    }

    async fn claim_outbox(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        let mut s = self.state()?;
        let mut claimed = Vec::new();
        for entry in s.outbox.iter_mut() {
            if claimed.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                break;
            }
            let due = entry.message.status == OutboxStatus::Pending
                && entry.next_attempt_at <= now
                && entry.lease_until.is_none_or(|until| until <= now);
            if due {
                entry.lease_owner = Some(worker.to_owned());
                entry.lease_until = Some(now + lease);
                entry.message.attempts += 1;
                claimed.push(entry.message.clone());
            }
        }
        Ok(claimed)
    }

    async fn outbox_sent(&self, id: &MessageId, worker: &str, _now: OffsetDateTime) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.held(id, worker) else { return Ok(false) };
        entry.message.status = OutboxStatus::Sent;
        entry.lease_owner = None;
        entry.lease_until = None;
        Ok(true)
    }

    async fn outbox_failed(
        &self,
        id: &MessageId,
        worker: &str,
        _error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.held(id, worker) else { return Ok(false) };
        entry.failed = true;
        match retry_at {
            Some(at) => entry.next_attempt_at = at,
            None => entry.message.status = OutboxStatus::Dead,
        }
        entry.lease_owner = None;
        entry.lease_until = None;
        Ok(true)
    }
}

#[async_trait]
impl AnalyticsStore for InMemoryStore {
    async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()> {
        self.state()?.events.extend_from_slice(events);
        Ok(())
    }

    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> Result<Vec<AnalyticsEvent>> {
        let s = self.state()?;
        let mut events: Vec<AnalyticsEvent> =
            s.events.iter().filter(|e| e.at >= from && e.at < to && kinds.contains(&e.kind)).cloned().collect();
        events.sort_by_key(|e| e.at);
        Ok(events)
    }
}
