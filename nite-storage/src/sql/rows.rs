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

use super::{DbConn, DbRow, RowExt, Statement, Store, Tx, WRITES_IN_WITH, doc_text, query};

pub(super) async fn commit(tx: Tx) -> Result<()> {
    tx.commit().await.map_err(db("committing"))
}

pub(super) fn cart_from_row(row: &DbRow) -> Result<Cart> {
    let mut cart: Cart = from_doc(doc_text(row).map_err(db("reading a cart"))?)?;
    cart.version = row.try_get("version").map_err(db("reading a cart"))?;
    cart.state = parse_name(&row.try_get::<String, _>("state").map_err(db("reading a cart"))?)?;
    Ok(cart)
}

pub(super) fn order_from_row(row: &DbRow) -> Result<Order> {
    let context = "reading an order";
    let mut order: Order = from_doc(doc_text(row).map_err(db(context))?)?;
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
    let mut review: Review = from_doc(doc_text(row).map_err(db("reading a review"))?)?;
    review.status = parse_name(&row.try_get::<String, _>("status").map_err(db("reading a review"))?)?;
    Ok(review)
}

pub(super) fn doc_of<T: serde::de::DeserializeOwned>(row: &DbRow) -> Result<T> {
    from_doc(doc_text(row).map_err(db("reading a document"))?)
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

/// Binds one analytics event's row (9 values).
fn bind_event<'q>(statement: Statement<'q>, e: &'q AnalyticsEvent) -> Result<Statement<'q>> {
    let amount = e.amount.map(|a| a.to_minor()).transpose()?;
    Ok(statement
        .bind(e.kind.as_str())
        .bind(micros(e.at))
        .bind(e.product_id.as_ref().map(|p| p.to_string()))
        .bind(e.order_id.as_ref().map(|o| o.to_string()))
        .bind(e.customer_id.as_ref().map(|c| c.to_string()))
        .bind(int(e.quantity))
        .bind(amount)
        .bind(e.amount.map(|a| a.currency().to_string()))
        .bind(e.visitor.as_deref()))
}

/// Binds one outbox message's row (8 values).
fn bind_message<'q>(statement: Statement<'q>, m: &'q OutboxMessage) -> Result<Statement<'q>> {
    Ok(statement
        .bind(m.id.as_str())
        .bind(m.dedupe_key.as_str())
        .bind(m.to.as_str())
        .bind(to_doc(&m.notification)?)
        .bind(enum_name(&m.status)?)
        .bind(int(m.attempts))
        .bind(micros(m.created_at))
        .bind(micros(m.created_at)))
}

/// Binds one domain event's row (4 values).
fn bind_domain_event<'q>(statement: Statement<'q>, event: &'q DomainEvent) -> Result<Statement<'q>> {
    Ok(statement
        .bind(event.id.as_str())
        .bind(event.event_type().as_str())
        .bind(micros(event.at))
        .bind(event.to_json()?))
}

const INSERT_EVENTS: &str = "INSERT INTO analytics_events
    (kind, at, product_id, order_id, customer_id, quantity, amount_minor, currency, visitor)";
const INSERT_OUTBOX: &str =
    "INSERT INTO outbox (id, dedupe_key, recipient, payload, status, attempts, next_attempt_at, created_at)";
const INSERT_DOMAIN_EVENTS: &str = "INSERT INTO domain_events (id, kind, at, payload)";

/// Inserts `events`, [`EVENTS_PER_STATEMENT`] to a statement, on `conn` (a transaction, or the writer for one
/// statement's worth).
pub(super) async fn insert_events(conn: &mut DbConn, events: &[AnalyticsEvent]) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let sql = format!("{INSERT_EVENTS} VALUES {}", placeholders(chunk.len(), 9, 1));
        let mut statement = query(AssertSqlSafe(sql));
        for e in chunk {
            statement = bind_event(statement, e)?;
        }
        statement.execute(&mut *conn).await.map_err(db("recording analytics events"))?;
    }
    Ok(())
}

pub(super) async fn insert_outbox(tx: &mut Tx, messages: &[OutboxMessage]) -> Result<()> {
    for m in messages {
        let sql = format!("{INSERT_OUTBOX} VALUES {} ON CONFLICT (dedupe_key) DO NOTHING", placeholders(1, 8, 1));
        let statement = bind_message(query(AssertSqlSafe(sql)), m)?;
        statement.execute(&mut **tx).await.map_err(db("writing the outbox"))?;
    }
    Ok(())
}

/// The most values [`insert_effects`] binds to its one statement (PostgreSQL takes up to 65,535).
const EFFECT_VALUES: usize = 4_000;

/// Writes what a change leaves besides its own rows: its outbox messages, analytics events and domain events. On
/// PostgreSQL that is one statement, each insert a data-modifying `WITH` of it: one round trip instead of up to
/// three, inside a transaction that holds stock rows. On SQLite, whose statements run in place and which takes no
/// insert in a `WITH`, and for a very large change, one statement each (events in chunks).
pub(super) async fn insert_effects(
    tx: &mut Tx,
    outbox: &[OutboxMessage],
    events: &[AnalyticsEvent],
    domain_events: &[DomainEvent],
) -> Result<()> {
    let kinds = [outbox.len(), events.len(), domain_events.len()].iter().filter(|n| **n > 0).count();
    let values = 8 * outbox.len() + 9 * events.len() + 4 * domain_events.len();
    if !WRITES_IN_WITH || kinds < 2 || values > EFFECT_VALUES {
        insert_outbox(tx, outbox).await?;
        insert_events(&mut *tx, events).await?;
        return insert_domain_events(tx, domain_events).await;
    }
    let mut next = 1;
    let mut inserts = Vec::with_capacity(3);
    for (head, rows, columns, tail) in [
        (INSERT_OUTBOX, outbox.len(), 8, " ON CONFLICT (dedupe_key) DO NOTHING"),
        (INSERT_EVENTS, events.len(), 9, ""),
        (INSERT_DOMAIN_EVENTS, domain_events.len(), 4, " ON CONFLICT (id) DO NOTHING"),
    ] {
        if rows > 0 {
            let i = inserts.len();
            inserts.push(format!("w{i} AS ({head} VALUES {}{tail})", placeholders(rows, columns, next)));
            next += rows * columns;
        }
    }
    let mut statement = query(AssertSqlSafe(format!("WITH {} SELECT 1", inserts.join(", "))));
    for m in outbox {
        statement = bind_message(statement, m)?;
    }
    for e in events {
        statement = bind_event(statement, e)?;
    }
    for event in domain_events {
        statement = bind_domain_event(statement, event)?;
    }
    statement.execute(&mut **tx).await.map_err(db("writing a change's messages and events"))?;
    Ok(())
}

/// Writes domain events in one statement, dropping any whose id exists.
pub(super) async fn insert_domain_events(tx: &mut Tx, events: &[DomainEvent]) -> Result<()> {
    for chunk in events.chunks(100) {
        let sql =
            format!("{INSERT_DOMAIN_EVENTS} VALUES {} ON CONFLICT (id) DO NOTHING", placeholders(chunk.len(), 4, 1));
        let mut statement = query(AssertSqlSafe(sql));
        for event in chunk {
            statement = bind_domain_event(statement, event)?;
        }
        statement.execute(&mut **tx).await.map_err(db("writing domain events"))?;
    }
    Ok(())
}
