//! The in-memory store's domain events: the events in order, their consumers, and one delivery per event and
//! consumer once fanned out.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::events::{Delivery, DeliveryStatus, DomainEvent, EventConsumer};
use crate::ports::EventStore;

use super::InMemoryStore;

/// Events, consumers, deliveries.
#[derive(Default)]
pub(super) struct Events {
    /// Every event, with whether it was fanned out.
    events: Vec<(DomainEvent, bool)>,
    consumers: Vec<EventConsumer>,
    deliveries: Vec<Entry>,
}

/// A delivery and its lease.
struct Entry {
    delivery: Delivery,
    /// The event's position, for ordering.
    seq: usize,
    next_attempt_at: OffsetDateTime,
    lease_owner: Option<String>,
    lease_until: Option<OffsetDateTime>,
}

impl Events {
    /// Appends events, dropping any whose id exists.
    pub(super) fn publish(&mut self, events: &[DomainEvent]) {
        for event in events {
            if !self.events.iter().any(|(e, _)| e.id == event.id) {
                self.events.push((event.clone(), false));
            }
        }
    }

    fn held(&mut self, delivery: i64, worker: &str) -> Option<&mut Entry> {
        self.deliveries.iter_mut().find(|e| {
            e.delivery.id == delivery
                && e.lease_owner.as_deref() == Some(worker)
                && e.delivery.status == DeliveryStatus::Pending
        })
    }
}

#[async_trait]
impl EventStore for InMemoryStore {
    async fn save_consumer(&self, consumer: &EventConsumer) -> Result<()> {
        let mut s = self.state()?;
        match s.domain.consumers.iter_mut().find(|c| c.id == consumer.id) {
            Some(stored) => *stored = consumer.clone(),
            None => s.domain.consumers.push(consumer.clone()),
        }
        Ok(())
    }

    async fn consumers(&self) -> Result<Vec<EventConsumer>> {
        Ok(self.state()?.domain.consumers.clone())
    }

    async fn consumer(&self, id: &str) -> Result<Option<EventConsumer>> {
        Ok(self.state()?.domain.consumers.iter().find(|c| c.id == id).cloned())
    }

    async fn delete_consumer(&self, id: &str) -> Result<bool> {
        let mut s = self.state()?;
        let before = s.domain.consumers.len();
        s.domain.consumers.retain(|c| c.id != id);
        s.domain.deliveries.retain(|d| d.delivery.consumer_id != id || d.delivery.status == DeliveryStatus::Delivered);
        Ok(s.domain.consumers.len() < before)
    }

    async fn publish(&self, events: &[DomainEvent]) -> Result<()> {
        self.state()?.domain.publish(events);
        Ok(())
    }

    async fn fan_out(&self, now: OffsetDateTime, limit: u32) -> Result<u32> {
        let mut s = self.state()?;
        let domain = &mut s.domain;
        let mut fanned = 0;
        for seq in 0..domain.events.len() {
            if fanned >= limit {
                break;
            }
            if domain.events[seq].1 {
                continue;
            }
            let event = domain.events[seq].0.clone();
            let takers: Vec<String> =
                domain.consumers.iter().filter(|c| c.takes(event.event_type())).map(|c| c.id.clone()).collect();
            for consumer_id in takers {
                let id = i64::try_from(domain.deliveries.len()).unwrap_or(i64::MAX) + 1;
                domain.deliveries.push(Entry {
                    delivery: Delivery {
                        id,
                        consumer_id,
                        event: event.clone(),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        last_error: None,
                        delivered_at: None,
                    },
                    seq,
                    next_attempt_at: now,
                    lease_owner: None,
                    lease_until: None,
                });
            }
            domain.events[seq].1 = true;
            fanned += 1;
        }
        Ok(fanned)
    }

    async fn claim_deliveries(
        &self,
        consumers: &[String],
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let mut s = self.state()?;
        let mut due: Vec<&mut Entry> = s
            .domain
            .deliveries
            .iter_mut()
            .filter(|e| {
                e.delivery.status == DeliveryStatus::Pending
                    && consumers.contains(&e.delivery.consumer_id)
                    && e.next_attempt_at <= now
                    && e.lease_until.is_none_or(|until| until <= now)
            })
            .collect();
        due.sort_by_key(|e| (e.seq, e.delivery.id));
        Ok(due
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|e| {
                e.lease_owner = Some(worker.to_owned());
                e.lease_until = Some(now + lease);
                e.delivery.attempts += 1;
                e.delivery.clone()
            })
            .collect())
    }

    async fn delivery_done(&self, delivery: i64, worker: &str, now: OffsetDateTime) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.domain.held(delivery, worker) else { return Ok(false) };
        entry.delivery.status = DeliveryStatus::Delivered;
        entry.delivery.delivered_at = Some(now);
        entry.lease_owner = None;
        entry.lease_until = None;
        Ok(true)
    }

    async fn delivery_failed(
        &self,
        delivery: i64,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.domain.held(delivery, worker) else { return Ok(false) };
        entry.delivery.last_error = Some(error.to_owned());
        entry.lease_owner = None;
        entry.lease_until = None;
        match retry_at {
            Some(at) => entry.next_attempt_at = at,
            None => entry.delivery.status = DeliveryStatus::Dead,
        }
        Ok(true)
    }

    async fn deliveries(&self, consumer: &str, limit: crate::ports::Limit) -> Result<Vec<Delivery>> {
        let s = self.state()?;
        let mut mine: Vec<&Entry> = s.domain.deliveries.iter().filter(|e| e.delivery.consumer_id == consumer).collect();
        mine.sort_by_key(|e| std::cmp::Reverse((e.seq, e.delivery.id)));
        Ok(mine
            .into_iter()
            .take(usize::try_from(limit.get()).unwrap_or(usize::MAX))
            .map(|e| e.delivery.clone())
            .collect())
    }
}
