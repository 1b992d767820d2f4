//! The storage ports in SQL, written once for both databases: `sql_store!(Store, Database)` implements every port
//! for a struct with a `pool: sqlx::Pool<Database>` field. The SQL is the same on SQLite and PostgreSQL (`$n`
//! placeholders, `ON CONFLICT`, `RETURNING`); what differs (how a write transaction begins, the pool's options,
//! the migrations' DDL) lives in the backend modules, which also define `begin_write`.
//!
//! Every atomic port call is one transaction. Stock is reserved by a conditional update per SKU
//! (`… WHERE on_hand - reserved >= $n`), never read-then-written in Rust; promotion limits likewise; order saves
//! check the version they loaded; the webhook inbox, idempotency keys and outbox dedupe keys are unique keys, so a
//! race loses at the database instead of writing twice.
//!
//! `sql_store!` holds the imports and helpers every part shares; each port (or a few close ones) has its part in
//! `sql/`, a macro of its own that `sql_store!` expands in place.

pub(crate) mod carts;
pub(crate) mod catalog;
pub(crate) mod customers;
pub(crate) mod operations;
pub(crate) mod orders;
pub(crate) mod promotions;
pub(crate) mod records;
pub(crate) mod reviews;

/// `$1, $2, …` groups for a multi-row insert of `rows` rows of `columns` values, starting at `$first`.
pub(crate) fn placeholders(rows: usize, columns: usize, first: usize) -> String {
    let mut out = String::new();
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(first + row * columns + column).to_string());
        }
        out.push(')');
    }
    out
}

/// `$first, …` for an `IN (…)` list of `n` values.
pub(crate) fn in_list(n: usize, first: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Whether a database error is a unique-key violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// Wraps a sqlx error with what was being done.
pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> nite_core::Error {
    move |e| nite_core::Error::adapter(context, e)
}

macro_rules! sql_store {
    ($Store:ident, $Db:ty) => {
        use async_trait::async_trait;
        use nite_core::analytics::{AnalyticsEvent, EventKind};
        use nite_core::cart::Cart;
        use nite_core::catalog::{Product, Sku, Slug};
        use nite_core::customer::{Customer, PasswordHash};
        use nite_core::inventory::{StockEffect, StockLevel};
        use nite_core::order::{Order, Status};
        use nite_core::outbox::{OutboxMessage, OutboxStatus};
        use nite_core::ports::{
            AnalyticsStore, CartStore, CatalogStore, CustomerStore, IdempotencyRecord, IdempotencyStore, InboxEntry,
            InventoryStore, OrderFilter, OrderStore, OrderUpdate, OutboxStore, Page, PlaceOrder, Placed,
            ProductFilter, PromotionStore, RefreshToken, RefreshUse, Remembered, ReviewFilter, ReviewStore, Saved,
            SessionStore,
        };
        use nite_core::promotion::{Promotion, PromotionUsage};
        use nite_core::review::{RatingSummary, Review, ReviewStatus};
        use nite_core::{
            CartId, Currency, CustomerId, Email, Error, Money, OrderId, PaymentId, ProductId, PromotionId, Result,
            ReviewId,
        };
        use sqlx::{AssertSqlSafe, Row};
        use time::OffsetDateTime;

        use $crate::codec::{
            contains_pattern, count, cursor, from_doc, from_micros, limit, micros, parse_cursor, parse_position,
            to_doc,
        };
        use $crate::sql::{db, in_list, is_unique_violation, placeholders};

        type Tx = sqlx::Transaction<'static, $Db>;

        fn enum_name<T: serde::Serialize>(value: &T) -> Result<String> {
            match serde_json::to_value(value).map_err(|e| Error::adapter("encoding a stored name", e))? {
                serde_json::Value::String(name) => Ok(name),
                other => Err(Error::adapter("encoding a stored name", format!("not a string: {other}"))),
            }
        }

        fn parse_name<T: serde::de::DeserializeOwned>(name: &str) -> Result<T> {
            serde_json::from_value(serde_json::Value::String(name.to_owned()))
                .map_err(|e| Error::adapter("decoding a stored name", e))
        }

        fn int(value: u32) -> i64 {
            i64::from(value)
        }

        async fn commit(tx: Tx) -> Result<()> {
            tx.commit().await.map_err(db("committing"))
        }

        fn cart_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<Cart> {
            let mut cart: Cart = from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a cart"))?)?;
            cart.version = row.try_get("version").map_err(db("reading a cart"))?;
            cart.state = parse_name(&row.try_get::<String, _>("state").map_err(db("reading a cart"))?)?;
            Ok(cart)
        }

        fn order_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<Order> {
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

        fn review_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<Review> {
            let mut review: Review = from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a review"))?)?;
            review.status = parse_name(&row.try_get::<String, _>("status").map_err(db("reading a review"))?)?;
            Ok(review)
        }

        fn doc_of<T: serde::de::DeserializeOwned>(row: &<$Db as sqlx::Database>::Row) -> Result<T> {
            from_doc(&row.try_get::<String, _>("doc").map_err(db("reading a document"))?)
        }

        /// The one row `sql` finds for `key` (its only parameter), decoded.
        async fn by_key<T>(
            pool: &sqlx::Pool<$Db>,
            sql: &'static str,
            key: &str,
            context: &'static str,
            decode: fn(&<$Db as sqlx::Database>::Row) -> Result<T>,
        ) -> Result<Option<T>> {
            let row = sqlx::query::<$Db>(sql).bind(key).fetch_optional(pool).await.map_err(db(context))?;
            row.as_ref().map(decode).transpose()
        }

        /// A page of rows ordered by `created_at` with `id` breaking ties, after a `created_at:id` cursor. `sql` binds
        /// `filters` first (a `NULL` filter matches every row), then the cursor's time and id, then the row limit.
        #[allow(clippy::too_many_arguments, reason = "one query's parts, each used once")]
        async fn keyset_page<T>(
            pool: &sqlx::Pool<$Db>,
            sql: &'static str,
            filters: &[Option<String>],
            after: Option<&str>,
            page_size: u32,
            context: &'static str,
            decode: fn(&<$Db as sqlx::Database>::Row) -> Result<T>,
            id_of: fn(&T) -> &str,
        ) -> Result<Page<T>> {
            let after = after.map(parse_cursor).transpose()?;
            let page_size = limit(page_size);
            let mut query = sqlx::query::<$Db>(sql);
            for filter in filters {
                query = query.bind(filter.clone());
            }
            let rows = query
                .bind(after.as_ref().map(|(at, _)| *at))
                .bind(after.map(|(_, id)| id))
                .bind(page_size + 1)
                .fetch_all(pool)
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

        /// Keeps `limit` rows and returns the cursor of the next page, if there is one.
        fn page_of<T>(mut items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
            let limit = usize::try_from(limit).unwrap_or(100);
            let next_cursor = if items.len() > limit {
                items.truncate(limit);
                items.last().map(&cursor_of)
            } else {
                None
            };
            Page { items, next_cursor }
        }

        async fn insert_events(tx: &mut Tx, events: &[AnalyticsEvent]) -> Result<()> {
            for chunk in events.chunks(100) {
                let sql = format!(
                    "INSERT INTO analytics_events (kind, at, product_id, order_id, customer_id, quantity, amount_minor, currency, visitor) VALUES {}",
                    placeholders(chunk.len(), 9, 1)
                );
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql));
                for e in chunk {
                    let amount = e.amount.map(|a| a.to_minor()).transpose()?;
                    query = query
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
                query.execute(&mut **tx).await.map_err(db("recording analytics events"))?;
            }
            Ok(())
        }

        async fn insert_outbox(tx: &mut Tx, messages: &[OutboxMessage]) -> Result<()> {
            for m in messages {
                sqlx::query::<$Db>(
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


        $crate::sql::catalog::catalog_sql!($Store, $Db);
        $crate::sql::carts::carts_sql!($Store, $Db);
        $crate::sql::orders::orders_sql!($Store, $Db);
        $crate::sql::customers::customers_sql!($Store, $Db);
        $crate::sql::reviews::reviews_sql!($Store, $Db);
        $crate::sql::promotions::promotions_sql!($Store, $Db);
        $crate::sql::records::records_sql!($Store, $Db);
        $crate::sql::operations::operations_sql!($Store, $Db);
    };
}

pub(crate) use sql_store;
