//! The SQL of domain events (`EventStore`): consumers, fan-out into one delivery per event and consumer, and leased
//! deliveries. The same text for both databases: `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use std::collections::HashMap;

use async_trait::async_trait;
use nite_core::events::{Delivery, DeliveryStatus, DomainEvent, EventConsumer};
use nite_core::ports::EventStore;
use nite_core::{Error, Result};
use sqlx::AssertSqlSafe;
use time::{Duration, OffsetDateTime};

use super::rows::{commit, insert_domain_events};
use super::{DbRow, RowExt, SKIP_LOCKED, Store, begin_write, doc_text, query, query_scalar};
use crate::codec::{count, from_doc, from_micros, micros, to_doc};
use crate::sql::{db, enum_name, in_list, int, parse_name};

/// The kinds a consumer takes, as the fan-out matches them: `*`, or `,order.paid,order.placed,`.
fn kinds_column(consumer: &EventConsumer) -> String {
    if consumer.types.is_empty() {
        return "*".to_owned();
    }
    let names: Vec<&str> = consumer.types.iter().map(|t| t.as_str()).collect();
    format!(",{},", names.join(","))
}

fn delivery_from_row(row: &DbRow, event: DomainEvent) -> Result<Delivery> {
    let context = "reading a delivery";
    Ok(Delivery {
        id: row.try_get("seq").map_err(db(context))?,
        consumer_id: row.try_get("consumer_id").map_err(db(context))?,
        event,
        status: parse_name(&row.try_get::<String, _>("status").map_err(db(context))?)?,
        attempts: count(row.try_get("attempts").map_err(db(context))?)?,
        last_error: row.try_get("last_error").map_err(db(context))?,
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")
            .map_err(db(context))?
            .map(from_micros)
            .transpose()?,
    })
}

fn event_from(payload: &str) -> Result<DomainEvent> {
    serde_json::from_str(payload).map_err(|e| Error::adapter("decoding an event", e))
}

#[async_trait]
impl EventStore for Store {
    async fn save_consumer(&self, consumer: &EventConsumer) -> Result<()> {
        query(
            "INSERT INTO event_consumers (id, kinds, enabled, created_at, doc) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET kinds = excluded.kinds, enabled = excluded.enabled, doc = excluded.doc",
        )
        .bind(&consumer.id)
        .bind(kinds_column(consumer))
        .bind(i64::from(consumer.enabled))
        .bind(micros(consumer.created_at))
        .bind(to_doc(consumer)?)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("saving an event consumer"))?;
        Ok(())
    }

    async fn consumers(&self) -> Result<Vec<EventConsumer>> {
        let rows = query("SELECT doc FROM event_consumers ORDER BY created_at, id")
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db("listing event consumers"))?;
        rows.iter().map(|row| from_doc(doc_text(row).map_err(db("reading a consumer"))?)).collect()
    }

    async fn consumer(&self, id: &str) -> Result<Option<EventConsumer>> {
        let doc: Option<String> = query_scalar("SELECT doc FROM event_consumers WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db("reading an event consumer"))?;
        doc.as_deref().map(from_doc).transpose()
    }

    async fn delete_consumer(&self, id: &str) -> Result<bool> {
        let mut tx = begin_write(self).await?;
        query("DELETE FROM event_deliveries WHERE consumer_id = $1 AND status <> 'delivered'")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("dropping a consumer's deliveries"))?;
        let deleted = query("DELETE FROM event_consumers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("removing an event consumer"))?;
        commit(tx).await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn publish(&self, events: &[DomainEvent]) -> Result<()> {
        let mut tx = begin_write(self).await?;
        insert_domain_events(&mut tx, events).await?;
        commit(tx).await
    }

    async fn fan_out(&self, now: OffsetDateTime, limit: u32) -> Result<u32> {
        let mut tx = begin_write(self).await?;
        let waiting: Vec<i64> =
            query_scalar("SELECT seq FROM domain_events WHERE fanned_out = 0 ORDER BY seq LIMIT $1")
                .bind(int(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(db("finding events to fan out"))?;
        if waiting.is_empty() {
            return Ok(0);
        }
        // One delivery per event and consumer that takes its kind; the unique key makes a second fan-out of the
        // same events (another process at the same moment) add nothing.
        let sql = format!(
            "INSERT INTO event_deliveries (event_seq, event_id, consumer_id, status, attempts, next_attempt_at)
             SELECT e.seq, e.id, c.id, 'pending', 0, $1 FROM domain_events e
             JOIN event_consumers c ON c.enabled = 1 AND (c.kinds = '*' OR c.kinds LIKE '%,' || e.kind || ',%')
             WHERE e.seq IN ({}) ON CONFLICT (event_id, consumer_id) DO NOTHING",
            in_list(waiting.len(), 2)
        );
        let mut statement = query(AssertSqlSafe(sql)).bind(micros(now));
        for seq in &waiting {
            statement = statement.bind(*seq);
        }
        statement.execute(&mut *tx).await.map_err(db("fanning out events"))?;
        let sql = format!("UPDATE domain_events SET fanned_out = 1 WHERE seq IN ({})", in_list(waiting.len(), 1));
        let mut statement = query(AssertSqlSafe(sql));
        for seq in &waiting {
            statement = statement.bind(*seq);
        }
        statement.execute(&mut *tx).await.map_err(db("marking events fanned out"))?;
        commit(tx).await?;
        Ok(u32::try_from(waiting.len()).unwrap_or(u32::MAX))
    }

    async fn claim_deliveries(
        &self,
        consumers: &[String],
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        if consumers.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE event_deliveries SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
             WHERE seq IN (SELECT seq FROM event_deliveries WHERE status = 'pending' AND next_attempt_at <= $3
                           AND (lease_until IS NULL OR lease_until <= $3) AND consumer_id IN ({})
                           ORDER BY event_seq, seq LIMIT $4 {SKIP_LOCKED})
             RETURNING seq, event_id, consumer_id, status, attempts, last_error, delivered_at",
            in_list(consumers.len(), 5)
        );
        let mut statement =
            query(AssertSqlSafe(sql)).bind(worker).bind(micros(now + lease)).bind(micros(now)).bind(int(limit));
        for consumer in consumers {
            statement = statement.bind(consumer);
        }
        let mut tx = begin_write(self).await?;
        let rows = statement.fetch_all(&mut *tx).await.map_err(db("claiming deliveries"))?;
        commit(tx).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> =
            rows.iter().map(|row| row.try_get("event_id").map_err(db("reading a delivery"))).collect::<Result<_>>()?;
        let sql = format!("SELECT id, payload FROM domain_events WHERE id IN ({})", in_list(ids.len(), 1));
        let mut statement = query(AssertSqlSafe(sql));
        for id in &ids {
            statement = statement.bind(id);
        }
        let mut events = HashMap::new();
        let found = statement.fetch_all(&mut *self.read().await?).await.map_err(db("reading events"))?;
        for row in found {
            let id: String = row.try_get("id").map_err(db("reading an event"))?;
            events.insert(id, event_from(&row.try_get::<String, _>("payload").map_err(db("reading an event"))?)?);
        }
        let mut claimed = Vec::with_capacity(rows.len());
        for (row, id) in rows.iter().zip(&ids) {
            let event =
                events.get(id).cloned().ok_or_else(|| Error::adapter("claiming deliveries", "event missing"))?;
            claimed.push(delivery_from_row(row, event)?);
        }
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    async fn delivery_done(&self, delivery: i64, worker: &str, now: OffsetDateTime) -> Result<bool> {
        let done = query(
            "UPDATE event_deliveries SET status = 'delivered', delivered_at = $3, lease_owner = NULL, lease_until = NULL
             WHERE seq = $1 AND lease_owner = $2 AND status = 'pending'",
        )
        .bind(delivery)
        .bind(worker)
        .bind(micros(now))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("recording a delivery"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn delivery_failed(
        &self,
        delivery: i64,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let status = if retry_at.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::Dead };
        let failed = query(
            "UPDATE event_deliveries
             SET status = $4, last_error = $3, next_attempt_at = COALESCE($5, next_attempt_at), lease_owner = NULL,
                 lease_until = NULL
             WHERE seq = $1 AND lease_owner = $2 AND status = 'pending'",
        )
        .bind(delivery)
        .bind(worker)
        .bind(error)
        .bind(enum_name(&status)?)
        .bind(retry_at.map(micros))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("recording a failed delivery"))?;
        Ok(failed.rows_affected() == 1)
    }

    async fn deliveries(&self, consumer: &str, limit: nite_core::ports::Limit) -> Result<Vec<Delivery>> {
        let rows = query(
            "SELECT d.seq, d.consumer_id, d.status, d.attempts, d.last_error, d.delivered_at, e.payload
             FROM event_deliveries d JOIN domain_events e ON e.id = d.event_id
             WHERE d.consumer_id = $1 ORDER BY d.event_seq DESC, d.seq DESC LIMIT $2",
        )
        .bind(consumer)
        .bind(crate::codec::limit(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db("listing deliveries"))?;
        rows.iter()
            .map(|row| {
                let payload: String = row.try_get("payload").map_err(db("reading a delivery"))?;
                delivery_from_row(row, event_from(&payload)?)
            })
            .collect()
    }
}
