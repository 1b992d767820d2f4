//! The SQL of orders (`OrderStore`): placing one with its reservations, transitions, payments, the webhook inbox. The
//! same text for both databases: `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use async_trait::async_trait;
use std::collections::HashMap;

use nite_core::catalog::Sku;
use nite_core::events::{DomainEvent, EventData};
use nite_core::inventory::StockEffect;
use nite_core::order::{Order, Status};
use nite_core::ports::{InboxEntry, LowStock, OrderFilter, OrderStore, OrderUpdate, Page, PlaceOrder, Placed, Saved};
use nite_core::{CustomerId, Email, Error, OrderId, PaymentId, ProductId, Result};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use super::rows::{by_key, commit, insert_domain_events, insert_effects, keyset_page, order_from_row};
use super::{LOCK_ROWS, RowExt, Statement, Store, Tx, begin_write, lock_client, query, query_scalar};
use crate::codec::{contains_pattern, count, micros, to_doc};
use crate::sql::{db, int, placeholders};

/// SQL for SKUs and their units bound in pairs (`$1` the first SKU, `$2` its units, …): the `CASE sku` arms that
/// give each SKU its units, and the statement that locks their rows in SKU order (`LOCK_ROWS`), so that two
/// transactions over overlapping SKUs lock them in the same order and cannot deadlock.
fn by_sku(units: &[(Sku, u32)]) -> (String, String) {
    let case: String = (0..units.len()).map(|i| format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2)).collect();
    let skus: Vec<String> = (0..units.len()).map(|i| format!("${}", 2 * i + 1)).collect();
    let locked = format!("SELECT sku FROM inventory WHERE sku IN ({}) ORDER BY sku {LOCK_ROWS}", skus.join(", "));
    (case, locked)
}

/// A statement of [`by_sku`]'s with its SKUs and units bound.
fn bind_by_sku<'q>(mut statement: Statement<'q>, units: &'q [(Sku, u32)]) -> Statement<'q> {
    for (sku, n) in units {
        statement = statement.bind(sku.as_str()).bind(int(*n));
    }
    statement
}

/// Moves every SKU's units as `effect` says, in one statement.
async fn move_stock(tx: &mut Tx, effect: StockEffect, units: &[(Sku, u32)]) -> Result<()> {
    let set = match effect {
        StockEffect::None => return Ok(()),
        StockEffect::Commit => "on_hand = on_hand - {units}, reserved = reserved - {units}",
        StockEffect::Release => "reserved = reserved - {units}",
        StockEffect::Restock => "on_hand = on_hand + {units}",
    };
    if units.is_empty() {
        return Ok(());
    }
    let (case, locked) = by_sku(units);
    let set = set.replace("{units}", &format!("CASE sku{case} END"));
    let statement = query(AssertSqlSafe(format!("UPDATE inventory SET {set} WHERE sku IN ({locked})")));
    bind_by_sku(statement, units).execute(&mut **tx).await.map_err(db("moving stock"))?;
    Ok(())
}

/// Reserves every SKU's units in one statement, each only if that much is available (`InsufficientStock`
/// otherwise, naming the first SKU short and what it has; the caller's transaction then rolls back). Rows are
/// locked in SKU order (`LOCK_ROWS`), so concurrent checkouts of overlapping carts cannot deadlock. What is left
/// comes back with the reservation, so noticing stock running low costs no statement: the `stock.low` events of
/// the SKUs this takes to `low_stock.at` or below are returned.
async fn reserve(
    tx: &mut Tx,
    reservations: &[(Sku, u32)],
    low_stock: Option<LowStock<'_>>,
) -> Result<Vec<DomainEvent>> {
    if reservations.is_empty() {
        return Ok(Vec::new());
    }
    let (case, locked) = by_sku(reservations);
    let sql = format!(
        "UPDATE inventory SET reserved = reserved + CASE sku{case} END
         WHERE sku IN ({locked}) AND on_hand - reserved >= CASE sku{case} END
         RETURNING sku, on_hand - reserved AS remaining"
    );
    let statement = bind_by_sku(query(AssertSqlSafe(sql)), reservations);
    let rows = statement.fetch_all(&mut **tx).await.map_err(db("reserving stock"))?;
    let mut left = HashMap::with_capacity(rows.len());
    for row in &rows {
        let sku: String = row.try_get("sku").map_err(db("reserving stock"))?;
        left.insert(sku, count(row.try_get::<i64, _>("remaining").map_err(db("reserving stock"))?.max(0))?);
    }
    let mut running_low = Vec::new();
    for (index, (sku, units)) in reservations.iter().enumerate() {
        let Some(&available) = left.get(sku.as_str()) else {
            let available: Option<i64> = query_scalar("SELECT on_hand - reserved FROM inventory WHERE sku = $1")
                .bind(sku.as_str())
                .fetch_optional(&mut **tx)
                .await
                .map_err(db("reading stock"))?;
            let available = count(available.unwrap_or(0).max(0))?;
            return Err(Error::InsufficientStock { sku: sku.clone(), requested: *units, available });
        };
        if let Some(low) = low_stock
            && available <= low.at
            && available.saturating_add(*units) > low.at
            && let Some(id) = low.ids.get(index)
        {
            let data = EventData::StockLow { sku: sku.clone(), available, low_stock_at: low.at };
            running_low.push(DomainEvent { id: id.clone(), at: low.now, data });
        }
    }
    Ok(running_low)
}

fn expires_at(order: &Order) -> Option<i64> {
    match &order.status {
        Status::PendingPayment(p) => Some(micros(p.expires_at)),
        _ => None,
    }
}

#[async_trait]
impl OrderStore for Store {
    async fn place_order(&self, request: PlaceOrder<'_>) -> Result<Placed> {
        let order = request.order;
        let mut tx = begin_write(self).await?;
        if let Some(record) = request.idempotency {
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
            .execute(&mut *tx)
            .await
            .map_err(db("recording an idempotency key"))?;
            if inserted.rows_affected() == 0 {
                let row = query("SELECT fingerprint, resource_id FROM idempotency_keys WHERE scope = $1 AND key = $2")
                    .bind(&record.scope)
                    .bind(&record.key)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db("reading an idempotency key"))?;
                let fingerprint: String = row.try_get("fingerprint").map_err(db("reading an idempotency key"))?;
                if fingerprint != record.fingerprint {
                    return Err(Error::IdempotencyKeyReused);
                }
                let id: String = row.try_get("resource_id").map_err(db("reading an idempotency key"))?;
                let id = OrderId::parse(&id).map_err(|e| Error::adapter("reading an idempotency key", e))?;
                return Ok(Placed::Replayed(id));
            }
        }
        let frozen = query(
            "UPDATE carts SET state = 'checked_out', version = version + 1
             WHERE id = $1 AND version = $2 AND state = 'open'",
        )
        .bind(order.cart_id.as_str())
        .bind(request.cart_version)
        .execute(&mut *tx)
        .await
        .map_err(db("freezing the cart"))?;
        if frozen.rows_affected() == 0 {
            let state: Option<String> = query_scalar("SELECT state FROM carts WHERE id = $1")
                .bind(order.cart_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading a cart"))?;
            return Err(match state.as_deref() {
                None => Error::not_found("cart", &order.cart_id),
                Some("open") => Error::Conflict("cart"),
                Some(_) => Error::CartNotOpen,
            });
        }
        for usage in request.promotion_uses {
            let limit: Option<Option<i64>> = query_scalar(
                "UPDATE promotions SET used = used + 1
                 WHERE id = $1 AND (usage_limit IS NULL OR used < usage_limit) RETURNING per_customer_limit",
            )
            .bind(usage.promotion_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("counting a promotion use"))?;
            let Some(per_customer) = limit else {
                return Err(Error::PromotionExhausted(usage.promotion_id.clone()));
            };
            let Some(per_customer) = per_customer else { continue };
            let counted = query(
                "INSERT INTO promotion_customer_usage (promotion_id, customer_key, used) VALUES ($1, $2, 1)
                 ON CONFLICT (promotion_id, customer_key) DO UPDATE SET used = promotion_customer_usage.used + 1
                 WHERE promotion_customer_usage.used < $3",
            )
            .bind(usage.promotion_id.as_str())
            .bind(&usage.customer_key)
            .bind(per_customer)
            .execute(&mut *tx)
            .await
            .map_err(db("counting a customer's promotion use"))?;
            if counted.rows_affected() == 0 || per_customer == 0 {
                return Err(Error::PromotionExhausted(usage.promotion_id.clone()));
            }
        }
        // The limit on a client's unpaid orders is a condition of the insert itself: no extra statement.
        let max_pending = match (request.max_pending, &order.client) {
            (Some(max), Some(client)) => {
                lock_client(&mut tx, client).await?;
                Some(int(max))
            }
            _ => None,
        };
        let inserted = query(
            "INSERT INTO orders (id, customer_id, state, version, payment_provider, payment_id, expires_at, created_at,
                                 doc, client_key, email)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
             WHERE $12 IS NULL
                OR (SELECT count(*) FROM orders WHERE client_key = $10 AND state = 'pending_payment') < $12",
        )
        .bind(order.id.as_str())
        .bind(order.customer_id.as_ref().map(|c| c.to_string()))
        .bind(order.state().as_str())
        .bind(order.version)
        .bind(order.payment.provider.as_deref())
        .bind(order.payment.payment_id.as_ref().map(|p| p.to_string()))
        .bind(expires_at(order))
        .bind(micros(order.created_at))
        .bind(to_doc(order)?)
        .bind(order.client.as_deref())
        .bind(order.email.as_str())
        .bind(max_pending)
        .execute(&mut *tx)
        .await
        .map_err(db("inserting an order"))?;
        if inserted.rows_affected() == 0 {
            return Err(Error::TooManyPendingOrders { limit: request.max_pending.unwrap_or(0) });
        }
        if !order.lines.is_empty() {
            let sql = format!(
                "INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity) VALUES {}",
                placeholders(order.lines.len(), 5, 1)
            );
            let mut statement = query(AssertSqlSafe(sql));
            for (n, line) in order.lines.iter().enumerate() {
                statement = statement
                    .bind(order.id.as_str())
                    .bind(i64::try_from(n).unwrap_or(i64::MAX))
                    .bind(line.product_id.as_str())
                    .bind(line.sku.as_str())
                    .bind(int(line.quantity.get()));
            }
            statement.execute(&mut *tx).await.map_err(db("inserting order lines"))?;
        }
        insert_effects(&mut tx, &[], request.events, request.domain_events).await?;
        // Stock last: every checkout of a popular product waits for its row (on PostgreSQL), so the row is held for
        // as short a time as the transaction allows: this statement and the commit. Only a reservation that takes
        // stock to its low mark costs one more, for its `stock.low` events.
        let running_low = reserve(&mut tx, request.reservations, request.low_stock).await?;
        if !running_low.is_empty() {
            insert_domain_events(&mut tx, &running_low).await?;
        }
        commit(tx).await?;
        Ok(Placed::Created)
    }

    async fn save_order(&self, update: OrderUpdate<'_>) -> Result<Saved> {
        let order = update.order;
        let mut tx = begin_write(self).await?;
        if let Some(entry) = update.inbox {
            let inserted = query(
                "INSERT INTO webhook_inbox (provider, event_id, received_at) VALUES ($1, $2, $3)
                 ON CONFLICT (provider, event_id) DO NOTHING",
            )
            .bind(&entry.provider)
            .bind(&entry.event_id)
            .bind(micros(entry.received_at))
            .execute(&mut *tx)
            .await
            .map_err(db("remembering a webhook event"))?;
            if inserted.rows_affected() == 0 {
                return Ok(Saved::Duplicate);
            }
        }
        let saved = Order { version: order.version + 1, ..order.clone() };
        let updated = query(
            "UPDATE orders SET state = $2, version = $3, payment_id = $4, expires_at = $5, doc = $6,
             payment_provider = $8 WHERE id = $1 AND version = $7",
        )
        .bind(order.id.as_str())
        .bind(order.state().as_str())
        .bind(saved.version)
        .bind(order.payment.payment_id.as_ref().map(|p| p.to_string()))
        .bind(expires_at(order))
        .bind(to_doc(&saved)?)
        .bind(order.version)
        .bind(order.payment.provider.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(db("saving an order"))?;
        if updated.rows_affected() == 0 {
            let exists: Option<i64> = query_scalar("SELECT version FROM orders WHERE id = $1")
                .bind(order.id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading an order"))?;
            return Err(match exists {
                Some(_) => Error::Conflict("order"),
                None => Error::not_found("order", &order.id),
            });
        }
        insert_effects(&mut tx, update.outbox, update.events, update.domain_events).await?;
        // Stock last, as in `place_order`: the rows of popular products are held only for this and the commit.
        move_stock(&mut tx, update.stock, &order.units_by_sku()).await?;
        commit(tx).await?;
        Ok(Saved::Saved)
    }

    async fn attach_payment(&self, order: &OrderId, provider: &str, payment: &PaymentId) -> Result<()> {
        let updated = query("UPDATE orders SET payment_provider = $2, payment_id = $3 WHERE id = $1")
            .bind(order.as_str())
            .bind(provider)
            .bind(payment.as_str())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("attaching a payment"))?;
        if updated.rows_affected() == 0 { Err(Error::not_found("order", order)) } else { Ok(()) }
    }

    async fn remember_event(&self, entry: &InboxEntry) -> Result<bool> {
        let inserted = query(
            "INSERT INTO webhook_inbox (provider, event_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (provider, event_id) DO NOTHING",
        )
        .bind(&entry.provider)
        .bind(&entry.event_id)
        .bind(micros(entry.received_at))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("remembering a webhook event"))?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn order(&self, id: &OrderId) -> Result<Option<Order>> {
        by_key(
            self,
            "SELECT version, payment_provider, payment_id, doc FROM orders WHERE id = $1",
            id.as_str(),
            "reading an order",
            order_from_row,
        )
        .await
    }

    async fn order_by_payment(&self, payment_id: &PaymentId) -> Result<Option<Order>> {
        by_key(
            self,
            "SELECT version, payment_provider, payment_id, doc FROM orders WHERE payment_id = $1",
            payment_id.as_str(),
            "reading an order",
            order_from_row,
        )
        .await
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Page<Order>> {
        keyset_page(
            self,
            "SELECT version, payment_provider, payment_id, created_at, doc FROM orders
             WHERE ($1 IS NULL OR customer_id = $1) AND ($2 IS NULL OR state = $2)
               AND ($3 IS NULL OR id = $3 OR lower(email) LIKE $4 ESCAPE '\\')
               AND ($5 IS NULL OR created_at < $5 OR (created_at = $5 AND id < $6))
             ORDER BY created_at DESC, id DESC LIMIT $7",
            &[
                filter.customer_id.as_ref().map(|c| c.to_string()),
                filter.state.map(|s| s.as_str().to_owned()),
                filter.search.clone(),
                filter.search.as_deref().map(contains_pattern),
            ],
            filter.cursor.as_deref(),
            filter.limit,
            "listing orders",
            order_from_row,
            |o| o.id.as_str(),
        )
        .await
    }

    async fn expired_orders(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Order>> {
        let rows = query(
            "SELECT version, payment_provider, payment_id, doc FROM orders
             WHERE state = 'pending_payment' AND expires_at <= $1
             ORDER BY expires_at, id LIMIT $2",
        )
        .bind(micros(now))
        .bind(int(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db("finding expired orders"))?;
        rows.iter().map(order_from_row).collect()
    }

    async fn has_purchased(&self, customer: &CustomerId, product: &ProductId) -> Result<bool> {
        let found: Option<String> = query_scalar(
            "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.customer_id = $1 AND l.product_id = $2 AND o.state IN ('paid', 'shipped', 'delivered')
             LIMIT 1",
        )
        .bind(customer.as_str())
        .bind(product.as_str())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db("checking a purchase"))?;
        Ok(found.is_some())
    }

    async fn has_ordered(&self, email: Option<&Email>, customer: Option<&CustomerId>) -> Result<bool> {
        let found: Option<String> = query_scalar(
            "SELECT id FROM orders WHERE (email = $1 OR customer_id = $2)
             AND state IN ('paid', 'shipped', 'delivered') LIMIT 1",
        )
        .bind(email.map(Email::as_str))
        .bind(customer.map(CustomerId::as_str))
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db("checking an order history"))?;
        Ok(found.is_some())
    }
}
