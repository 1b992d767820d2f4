//! The SQL of idempotency keys (`IdempotencyStore`), the outbox (`OutboxStore`) and analytics events
//! (`AnalyticsStore`). The same text for both databases: `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use async_trait::async_trait;
use nite_core::analytics::{AnalyticsEvent, EventKind};
use nite_core::outbox::{OutboxMessage, OutboxStatus};
use nite_core::ports::{AnalyticsStore, IdempotencyRecord, IdempotencyStore, OutboxStore, Remembered};
use nite_core::{Currency, CustomerId, Email, Error, Money, OrderId, ProductId, Result};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use super::rows::{EVENTS_PER_STATEMENT, commit, insert_events, insert_outbox};
use super::{CLAIM_OUTBOX, DbRow, RowExt, Store, begin_write, query};
use crate::codec::{count, from_doc, from_micros, micros};
use crate::sql::{db, enum_name, in_list, int, parse_name};

fn idempotency_from_row(row: &DbRow) -> Result<IdempotencyRecord> {
    let context = "reading an idempotency key";
    Ok(IdempotencyRecord {
        scope: row.try_get("scope").map_err(db(context))?,
        key: row.try_get("key").map_err(db(context))?,
        fingerprint: row.try_get("fingerprint").map_err(db(context))?,
        resource_id: row.try_get("resource_id").map_err(db(context))?,
        response: row.try_get("response").map_err(db(context))?,
        created_at: from_micros(row.try_get("created_at").map_err(db(context))?)?,
    })
}

#[async_trait]
impl IdempotencyStore for Store {
    async fn idempotency(&self, scope: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        let row = query(
            "SELECT scope, key, fingerprint, resource_id, response, created_at FROM idempotency_keys
             WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db("reading an idempotency key"))?;
        row.as_ref().map(idempotency_from_row).transpose()
    }

    async fn remember(&self, record: &IdempotencyRecord) -> Result<Remembered> {
        let inserted = query(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, response, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(&record.scope)
        .bind(&record.key)
        .bind(&record.fingerprint)
        .bind(&record.resource_id)
        .bind(record.response.as_deref())
        .bind(micros(record.created_at))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("recording an idempotency key"))?;
        if inserted.rows_affected() == 1 {
            return Ok(Remembered::New);
        }
        let existing = self.idempotency(&record.scope, &record.key).await?;
        existing.map(Remembered::Existing).ok_or(Error::Conflict("idempotency key"))
    }

    async fn forget_before(&self, cutoff: OffsetDateTime) -> Result<u64> {
        let deleted = query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(micros(cutoff))
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("expiring idempotency keys"))?;
        Ok(deleted.rows_affected())
    }
}

fn outbox_from_row(row: &DbRow) -> Result<OutboxMessage> {
    let context = "reading the outbox";
    let id: String = row.try_get("id").map_err(db(context))?;
    let to: String = row.try_get("recipient").map_err(db(context))?;
    let payload: String = row.try_get("payload").map_err(db(context))?;
    let status: String = row.try_get("status").map_err(db(context))?;
    Ok(OutboxMessage {
        id: nite_core::MessageId::parse(&id).map_err(|e| Error::adapter(context, e))?,
        dedupe_key: row.try_get("dedupe_key").map_err(db(context))?,
        to: Email::parse(&to).map_err(|e| Error::adapter(context, e))?,
        notification: from_doc(&payload)?,
        status: parse_name(&status)?,
        attempts: count(row.try_get("attempts").map_err(db(context))?)?,
        created_at: from_micros(row.try_get("created_at").map_err(db(context))?)?,
    })
}

#[async_trait]
impl OutboxStore for Store {
    async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()> {
        let mut tx = begin_write(self).await?;
        insert_outbox(&mut tx, messages).await?;
        commit(tx).await
    }

    async fn claim_outbox(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        let mut tx = begin_write(self).await?;
        let rows = query(CLAIM_OUTBOX)
            .bind(worker)
            .bind(micros(now + lease))
            .bind(micros(now))
            .bind(int(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db("claiming outbox messages"))?;
        commit(tx).await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let seq: i64 = row.try_get("seq").map_err(db("claiming outbox messages"))?;
            claimed.push((seq, outbox_from_row(row)?));
        }
        claimed.sort_by_key(|(seq, _)| *seq);
        Ok(claimed.into_iter().map(|(_, m)| m).collect())
    }

    async fn outbox_sent(&self, id: &nite_core::MessageId, worker: &str, now: OffsetDateTime) -> Result<bool> {
        let updated = query(
            "UPDATE outbox SET status = 'sent', sent_at = $3, lease_owner = NULL, lease_until = NULL
             WHERE id = $1 AND lease_owner = $2 AND status = 'pending'",
        )
        .bind(id.as_str())
        .bind(worker)
        .bind(micros(now))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("marking an outbox message sent"))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn outbox_failed(
        &self,
        id: &nite_core::MessageId,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let updated = query(
            "UPDATE outbox SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5,
             lease_owner = NULL, lease_until = NULL
             WHERE id = $1 AND lease_owner = $2 AND status = 'pending'",
        )
        .bind(id.as_str())
        .bind(worker)
        .bind(if retry_at.is_some() { "pending" } else { "dead" })
        .bind(retry_at.map(micros))
        .bind(error)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("recording a failed send"))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows = query(
            "SELECT id, dedupe_key, recipient, payload, status, attempts, created_at FROM outbox
             WHERE ($1 IS NULL OR status = $1) ORDER BY seq LIMIT $2",
        )
        .bind(status.map(|s| enum_name(&s)).transpose()?)
        .bind(int(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db("reading the outbox"))?;
        rows.iter().map(outbox_from_row).collect()
    }

    async fn outbox_health(&self) -> Result<nite_core::ports::OutboxHealth> {
        let context = "reading the outbox's health";
        let rows = query(
            "SELECT status, COUNT(*) AS n, COUNT(last_error) AS failing,
               MIN(created_at) AS oldest
             FROM outbox WHERE status IN ('pending', 'dead') GROUP BY status",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db(context))?;
        let mut health = nite_core::ports::OutboxHealth::default();
        for row in &rows {
            let status: String = row.try_get("status").map_err(db(context))?;
            let n: i64 = row.try_get("n").map_err(db(context))?;
            let n = u64::try_from(n).unwrap_or(0);
            if status == "pending" {
                health.pending = n;
                let failing: i64 = row.try_get("failing").map_err(db(context))?;
                health.failing = u64::try_from(failing).unwrap_or(0);
                let oldest: Option<i64> = row.try_get("oldest").map_err(db(context))?;
                health.oldest_pending = oldest.map(from_micros).transpose()?;
            } else {
                health.dead = n;
            }
        }
        Ok(health)
    }
}

fn event_from_row(row: &DbRow) -> Result<AnalyticsEvent> {
    let context = "reading analytics events";
    let kind: String = row.try_get("kind").map_err(db(context))?;
    let product: Option<String> = row.try_get("product_id").map_err(db(context))?;
    let order: Option<String> = row.try_get("order_id").map_err(db(context))?;
    let customer: Option<String> = row.try_get("customer_id").map_err(db(context))?;
    let amount: Option<i64> = row.try_get("amount_minor").map_err(db(context))?;
    let currency: Option<String> = row.try_get("currency").map_err(db(context))?;
    let bad = |e: nite_core::IdError| Error::adapter(context, e);
    let amount = match (amount, currency) {
        (Some(minor), Some(code)) => {
            let currency = Currency::from_code(&code).map_err(|e| Error::adapter(context, e))?;
            Some(Money::from_minor(minor, currency))
        }
        _ => None,
    };
    Ok(AnalyticsEvent {
        kind: EventKind::parse(&kind).ok_or_else(|| Error::adapter(context, format!("unknown kind {kind}")))?,
        at: from_micros(row.try_get("at").map_err(db(context))?)?,
        product_id: product.as_deref().map(ProductId::parse).transpose().map_err(bad)?,
        order_id: order.as_deref().map(OrderId::parse).transpose().map_err(bad)?,
        customer_id: customer.as_deref().map(CustomerId::parse).transpose().map_err(bad)?,
        visitor: row.try_get("visitor").map_err(db(context))?,
        quantity: count(row.try_get("quantity").map_err(db(context))?)?,
        amount,
    })
}

#[async_trait]
impl AnalyticsStore for Store {
    async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        // One statement is atomic on its own: a transaction would add two round trips to the writer.
        if events.len() <= EVENTS_PER_STATEMENT {
            return insert_events(&mut *self.write().await?, events).await;
        }
        let mut tx = begin_write(self).await?;
        insert_events(&mut tx, events).await?;
        commit(tx).await
    }

    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> Result<Vec<AnalyticsEvent>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT kind, at, product_id, order_id, customer_id, quantity, amount_minor, currency, visitor
             FROM analytics_events WHERE at >= $1 AND at < $2 AND kind IN ({}) ORDER BY at, seq",
            in_list(kinds.len(), 3)
        );
        let mut statement = query(AssertSqlSafe(sql)).bind(micros(from)).bind(micros(to));
        for kind in kinds {
            statement = statement.bind(kind.as_str());
        }
        let rows = statement.fetch_all(&mut *self.read().await?).await.map_err(db("reading analytics events"))?;
        rows.iter().map(event_from_row).collect()
    }
}
