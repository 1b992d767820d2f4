//! Decoding rows and the writes several ports share. The same text for both databases: `sqlite.rs` and `postgres.rs`
//! each compile it (see `sql.rs`).

use nite_core::analytics::AnalyticsEvent;
use nite_core::cart::Cart;
use nite_core::events::DomainEvent;
use nite_core::order::Order;
use nite_core::outbox::OutboxMessage;
use nite_core::ports::Page;
use nite_core::review::Review;
use nite_core::{Error, PaymentId, Result};
use sqlx::AssertSqlSafe;

use crate::codec::{cursor, from_doc, limit, micros, parse_cursor, to_doc};
use crate::sql::{db, enum_name, int, page_of, parse_name, placeholders};

use super::{DbConn, DbRow, RowExt, Store, Tx, query};

pub(super) async fn commit(tx: Tx) -> Result<()> {
    tx.commit().await.map_err(db("committing"))
}

pub(super) fn cart_from_row(row: &DbRow) -> Result<Cart> {
    let mut cart: Cart = from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a cart"))?)?;
    cart.version = row.try_get("version").map_err(db("reading a cart"))?;
    cart.state = parse_name(&row.try_get::<String, _>("state").map_err(db("reading a cart"))?)?;
    Ok(cart)
}

pub(super) fn order_from_row(row: &DbRow) -> Result<Order> {
    let context = "reading an order";
    let mut order: Order = from_doc(&row.try_get::<String, _>("doc").map_err(db(context))?)?;
    order.version = row.try_get("version").map_err(db(context))?;
    // The payment columns are authoritative: `attach_payment` sets them without rewriting the document.
    let provider: Option<String> = row.try_get("payment_provider").map_err(db(context))?;
    let payment: Option<String> = row.try_get("payment_id").map_err(db(context))?;
    if let Some(payment) = payment {
        order.payment.payment_id = Some(PaymentId::parse(&payment).map_err(|e| Error::adapter(context, e))?);
        order.payment.provider = provider;
    }
    Ok(order)
}

pub(super) fn review_from_row(row: &DbRow) -> Result<Review> {
    let mut review: Review = from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a review"))?)?;
    review.status = parse_name(&row.try_get::<String, _>("status").map_err(db("reading a review"))?)?;
    Ok(review)
}

pub(super) fn doc_of<T: serde::de::DeserializeOwned>(row: &DbRow) -> Result<T> {
    from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a document"))?)
}

/// The one row `sql` finds for `key` (its only parameter), decoded.
pub(super) async fn by_key<T>(
    store: &Store,
    sql: &'static str,
    key: &str,
    context: &'static str,
    decode: fn(&DbRow) -> Result<T>,
) -> Result<Option<T>> {
    let row = query(sql).bind(key).fetch_optional(&mut *store.read().await?).await.map_err(db(context))?;
    row.as_ref().map(decode).transpose()
}

/// A page of rows ordered by `created_at` with `id` breaking ties, after a `created_at:id` cursor. `sql` binds
/// `filters` first (a `NULL` filter matches every row), then the cursor's time and id, then the row limit.
#[allow(clippy::too_many_arguments, reason = "one query's parts, each used once")]
pub(super) async fn keyset_page<T>(
    store: &Store,
    sql: &'static str,
    filters: &[Option<String>],
    after: Option<&str>,
    page_size: nite_core::ports::Limit,
    context: &'static str,
    decode: fn(&DbRow) -> Result<T>,
    id_of: fn(&T) -> &str,
) -> Result<Page<T>> {
    let after = after.map(parse_cursor).transpose()?;
    let page_size = limit(page_size);
    let mut statement = query(sql);
    for filter in filters {
        statement = statement.bind(filter.clone());
    }
    let rows = statement
        .bind(after.as_ref().map(|(at, _)| *at))
        .bind(after.map(|(_, id)| id))
        .bind(page_size + 1)
        .fetch_all(&mut *store.read().await?)
        .await
        .map_err(db(context))?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let at: i64 = row.try_get("created_at").map_err(db(context))?;
        items.push((at, decode(row)?));
    }
    let page = page_of(items, page_size, |(at, item)| cursor(*at, id_of(item)));
    Ok(Page { items: page.items.into_iter().map(|(_, item)| item).collect(), next_cursor: page.next_cursor })
}

/// The most analytics events one `INSERT` takes.
pub(super) const EVENTS_PER_STATEMENT: usize = 100;

/// Inserts `events`, [`EVENTS_PER_STATEMENT`] to a statement, on `conn` (a transaction, or the writer for one
/// statement's worth).
pub(super) async fn insert_events(conn: &mut DbConn, events: &[AnalyticsEvent]) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO analytics_events
             (kind, at, product_id, order_id, customer_id, quantity, amount_minor, currency, visitor) VALUES {}",
            placeholders(chunk.len(), 9, 1)
        );
        let mut statement = query(AssertSqlSafe(sql));
        for e in chunk {
            let amount = e.amount.map(|a| a.to_minor()).transpose()?;
            statement = statement
                .bind(e.kind.as_str())
                .bind(micros(e.at))
                .bind(e.product_id.as_ref().map(|p| p.to_string()))
                .bind(e.order_id.as_ref().map(|o| o.to_string()))
                .bind(e.customer_id.as_ref().map(|c| c.to_string()))
                .bind(int(e.quantity))
                .bind(amount)
                .bind(e.amount.map(|a| a.currency().to_string()))
                .bind(e.visitor.as_deref());
        }
        statement.execute(&mut *conn).await.map_err(db("recording analytics events"))?;
    }
    Ok(())
}

pub(super) async fn insert_outbox(tx: &mut Tx, messages: &[OutboxMessage]) -> Result<()> {
    for m in messages {
        query(
            "INSERT INTO outbox (id, dedupe_key, recipient, payload, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(m.id.as_str())
        .bind(&m.dedupe_key)
        .bind(m.to.as_str())
        .bind(to_doc(&m.notification)?)
        .bind(enum_name(&m.status)?)
        .bind(int(m.attempts))
        .bind(micros(m.created_at))
        .bind(micros(m.created_at))
        .execute(&mut **tx)
        .await
        .map_err(db("writing the outbox"))?;
    }
    Ok(())
}

/// Writes domain events in one statement, dropping any whose id exists.
pub(super) async fn insert_domain_events(tx: &mut Tx, events: &[DomainEvent]) -> Result<()> {
    for chunk in events.chunks(100) {
        let sql = format!(
            "INSERT INTO domain_events (id, kind, at, payload) VALUES {} ON CONFLICT (id) DO NOTHING",
            placeholders(chunk.len(), 4, 1)
        );
        let mut statement = query(AssertSqlSafe(sql));
        for event in chunk {
            statement = statement
                .bind(event.id.as_str())
                .bind(event.event_type().as_str())
                .bind(micros(event.at))
                .bind(event.to_json()?);
        }
        statement.execute(&mut **tx).await.map_err(db("writing domain events"))?;
    }
    Ok(())
}
