//! The storage ports in SQL, written once for both databases: `sql_store!(Store, Database)` implements every port
//! for a struct with a `pool: sqlx::Pool<Database>` field. The SQL is the same on SQLite and PostgreSQL (`$n`
//! placeholders, `ON CONFLICT`, `RETURNING`); what differs (how a write transaction begins, the pool's options,
//! the migrations' DDL) lives in the backend modules, which also define `begin_write`.
//!
//! Every atomic port call is one transaction. Stock is reserved by a conditional update per SKU
//! (`… WHERE on_hand - reserved >= $n`), never read-then-written in Rust; promotion limits likewise; order saves
//! check the version they loaded; the webhook inbox, idempotency keys and outbox dedupe keys are unique keys, so a
//! race loses at the database instead of writing twice.

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

        #[async_trait]
        impl CatalogStore for $Store {
            async fn upsert_product(&self, product: &Product) -> Result<()> {
                let mut tx = begin_write(&self.pool).await?;
                let id = product.id.as_str();
                let clash: Option<String> = sqlx::query_scalar("SELECT id FROM products WHERE slug = $1 AND id <> $2")
                    .bind(product.slug.as_str())
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("checking a slug"))?;
                if clash.is_some() {
                    return Err(Error::invalid("slug", format!("`{}` is used by another product", product.slug)));
                }
                for variant in &product.variants {
                    let owner: Option<String> =
                        sqlx::query_scalar("SELECT product_id FROM variants WHERE sku = $1 AND product_id <> $2")
                            .bind(variant.sku.as_str())
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db("checking a SKU"))?;
                    if owner.is_some() {
                        return Err(Error::invalid(
                            "variants.sku",
                            format!("`{}` is used by another product", variant.sku),
                        ));
                    }
                }
                let search = format!("{} {}", product.name, product.description).to_lowercase();
                sqlx::query::<$Db>(
                    "INSERT INTO products (id, slug, category, search, doc) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, category = excluded.category,
                     search = excluded.search, doc = excluded.doc",
                )
                .bind(id)
                .bind(product.slug.as_str())
                .bind(product.category.as_str())
                .bind(search)
                .bind(to_doc(product)?)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        Error::invalid("slug", format!("`{}` is used by another product", product.slug))
                    } else {
                        Error::adapter("saving a product", e)
                    }
                })?;
                sqlx::query::<$Db>("DELETE FROM variants WHERE product_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("saving a product's variants"))?;
                for variant in &product.variants {
                    sqlx::query::<$Db>("INSERT INTO variants (sku, product_id) VALUES ($1, $2)")
                        .bind(variant.sku.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            if is_unique_violation(&e) {
                                Error::invalid("variants.sku", format!("`{}` is used twice", variant.sku))
                            } else {
                                Error::adapter("saving a product's variants", e)
                            }
                        })?;
                }
                commit(tx).await
            }

            async fn delete_product(&self, id: &ProductId) -> Result<()> {
                let mut tx = begin_write(&self.pool).await?;
                sqlx::query::<$Db>("DELETE FROM variants WHERE product_id = $1")
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db("deleting a product's variants"))?;
                let deleted = sqlx::query::<$Db>("DELETE FROM products WHERE id = $1")
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db("deleting a product"))?;
                if deleted.rows_affected() == 0 {
                    return Err(Error::not_found("product", id));
                }
                commit(tx).await
            }

            async fn product(&self, id: &ProductId) -> Result<Option<Product>> {
                by_key(&self.pool, "SELECT doc FROM products WHERE id = $1", id.as_str(), "reading a product", doc_of).await
            }

            async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>> {
                by_key(&self.pool, "SELECT doc FROM products WHERE slug = $1", slug.as_str(), "reading a product", doc_of).await
            }

            async fn products(&self, filter: &ProductFilter) -> Result<Page<Product>> {
                let after = filter.cursor.as_deref().map(parse_position).transpose()?.unwrap_or(0);
                let limit = limit(filter.limit);
                let rows = sqlx::query::<$Db>(
                    "SELECT position, doc FROM products
                     WHERE ($1 IS NULL OR category = $1) AND ($2 IS NULL OR search LIKE $2 ESCAPE '\\')
                       AND position > $3
                     ORDER BY position LIMIT $4",
                )
                .bind(filter.category.as_ref().map(|c| c.as_str().to_owned()))
                .bind(filter.query.as_deref().map(contains_pattern))
                .bind(after)
                .bind(limit + 1)
                .fetch_all(&self.pool)
                .await
                .map_err(db("listing products"))?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    let position: i64 = row.try_get("position").map_err(db("listing products"))?;
                    items.push((position, doc_of::<Product>(row)?));
                }
                let page = page_of(items, limit, |(position, _)| position.to_string());
                Ok(Page { items: page.items.into_iter().map(|(_, p)| p).collect(), next_cursor: page.next_cursor })
            }

            async fn products_by_skus(&self, skus: &[Sku]) -> Result<Vec<Product>> {
                if skus.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT p.position, p.doc FROM products p WHERE p.id IN
                     (SELECT v.product_id FROM variants v WHERE v.sku IN ({})) ORDER BY p.position",
                    in_list(skus.len(), 1)
                );
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql));
                for sku in skus {
                    query = query.bind(sku.as_str());
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db("finding products by SKU"))?;
                rows.iter().map(doc_of).collect()
            }
        }

        fn stock_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<StockLevel> {
            let sku: String = row.try_get("sku").map_err(db("reading stock"))?;
            Ok(StockLevel {
                sku: Sku::new(&sku).map_err(|e| Error::adapter("reading stock", e))?,
                on_hand: count(row.try_get("on_hand").map_err(db("reading stock"))?)?,
                reserved: count(row.try_get("reserved").map_err(db("reading stock"))?)?,
            })
        }

        #[async_trait]
        impl InventoryStore for $Store {
            async fn stock(&self, skus: &[Sku]) -> Result<Vec<StockLevel>> {
                if skus.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT sku, on_hand, reserved FROM inventory WHERE sku IN ({}) ORDER BY sku",
                    in_list(skus.len(), 1)
                );
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql));
                for sku in skus {
                    query = query.bind(sku.as_str());
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db("reading stock"))?;
                rows.iter().map(stock_from_row).collect()
            }

            async fn all_stock(&self) -> Result<Vec<StockLevel>> {
                let rows = sqlx::query::<$Db>("SELECT sku, on_hand, reserved FROM inventory ORDER BY sku")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db("reading stock"))?;
                rows.iter().map(stock_from_row).collect()
            }

            async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<StockLevel> {
                let row = sqlx::query::<$Db>(
                    "INSERT INTO inventory (sku, on_hand, reserved) VALUES ($1, $2, 0)
                     ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand
                     WHERE inventory.reserved <= excluded.on_hand
                     RETURNING sku, on_hand, reserved",
                )
                .bind(sku.as_str())
                .bind(int(on_hand))
                .fetch_optional(&self.pool)
                .await
                .map_err(db("setting stock"))?;
                match row {
                    Some(row) => stock_from_row(&row),
                    None => {
                        let reserved: i64 = sqlx::query_scalar("SELECT reserved FROM inventory WHERE sku = $1")
                            .bind(sku.as_str())
                            .fetch_one(&self.pool)
                            .await
                            .map_err(db("reading stock"))?;
                        Err(Error::invalid("on_hand", format!("is below the {reserved} units reserved")))
                    }
                }
            }
        }

        #[async_trait]
        impl CartStore for $Store {
            async fn create_cart(&self, cart: &Cart) -> Result<()> {
                sqlx::query::<$Db>(
                    "INSERT INTO carts (id, customer_id, state, version, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(cart.id.as_str())
                .bind(cart.customer_id.as_ref().map(|c| c.to_string()))
                .bind(enum_name(&cart.state)?)
                .bind(cart.version)
                .bind(micros(cart.created_at))
                .bind(to_doc(cart)?)
                .execute(&self.pool)
                .await
                .map_err(|e| if is_unique_violation(&e) { Error::Conflict("cart") } else { Error::adapter("creating a cart", e) })?;
                Ok(())
            }

            async fn cart(&self, id: &CartId) -> Result<Option<Cart>> {
                by_key(&self.pool, "SELECT state, version, doc FROM carts WHERE id = $1", id.as_str(), "reading a cart", cart_from_row).await
            }

            async fn save_cart(&self, cart: &Cart) -> Result<Cart> {
                let saved = Cart { version: cart.version + 1, ..cart.clone() };
                let updated = sqlx::query::<$Db>(
                    "UPDATE carts SET customer_id = $2, state = $3, version = $4, doc = $5 WHERE id = $1 AND version = $6",
                )
                .bind(cart.id.as_str())
                .bind(cart.customer_id.as_ref().map(|c| c.to_string()))
                .bind(enum_name(&cart.state)?)
                .bind(saved.version)
                .bind(to_doc(&saved)?)
                .bind(cart.version)
                .execute(&self.pool)
                .await
                .map_err(db("saving a cart"))?;
                if updated.rows_affected() == 1 {
                    return Ok(saved);
                }
                match self.cart(&cart.id).await? {
                    Some(_) => Err(Error::Conflict("cart")),
                    None => Err(Error::not_found("cart", &cart.id)),
                }
            }

            async fn open_cart_of(&self, customer: &CustomerId) -> Result<Option<Cart>> {
                let row = sqlx::query::<$Db>(
                    "SELECT state, version, doc FROM carts WHERE customer_id = $1 AND state = 'open'
                     ORDER BY created_at DESC, id DESC LIMIT 1",
                )
                .bind(customer.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("finding a customer's cart"))?;
                row.as_ref().map(cart_from_row).transpose()
            }
        }

        fn expires_at(order: &Order) -> Option<i64> {
            match &order.status {
                Status::PendingPayment(p) => Some(micros(p.expires_at)),
                _ => None,
            }
        }

        #[async_trait]
        impl OrderStore for $Store {
            async fn place_order(&self, request: PlaceOrder<'_>) -> Result<Placed> {
                let order = request.order;
                let mut tx = begin_write(&self.pool).await?;
                if let Some(record) = request.idempotency {
                    let inserted = sqlx::query::<$Db>(
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
                        let row = sqlx::query::<$Db>(
                            "SELECT fingerprint, resource_id FROM idempotency_keys WHERE scope = $1 AND key = $2",
                        )
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
                let frozen = sqlx::query::<$Db>(
                    "UPDATE carts SET state = 'checked_out', version = version + 1
                     WHERE id = $1 AND version = $2 AND state = 'open'",
                )
                .bind(order.cart_id.as_str())
                .bind(request.cart_version)
                .execute(&mut *tx)
                .await
                .map_err(db("freezing the cart"))?;
                if frozen.rows_affected() == 0 {
                    let state: Option<String> = sqlx::query_scalar("SELECT state FROM carts WHERE id = $1")
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
                for (sku, units) in request.reservations {
                    let reserved = sqlx::query::<$Db>(
                        "UPDATE inventory SET reserved = reserved + $2 WHERE sku = $1 AND on_hand - reserved >= $2",
                    )
                    .bind(sku.as_str())
                    .bind(int(*units))
                    .execute(&mut *tx)
                    .await
                    .map_err(db("reserving stock"))?;
                    if reserved.rows_affected() == 0 {
                        let available: Option<i64> =
                            sqlx::query_scalar("SELECT on_hand - reserved FROM inventory WHERE sku = $1")
                                .bind(sku.as_str())
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(db("reading stock"))?;
                        let available = count(available.unwrap_or(0).max(0))?;
                        return Err(Error::InsufficientStock { sku: sku.clone(), requested: *units, available });
                    }
                }
                for usage in request.promotion_uses {
                    let limit: Option<Option<i64>> = sqlx::query_scalar(
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
                    let counted = sqlx::query::<$Db>(
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
                let inserted = sqlx::query::<$Db>(
                    "INSERT INTO orders (id, customer_id, state, version, payment_provider, payment_id, expires_at, created_at, doc, client_key, email)
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
                    let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql));
                    for (n, line) in order.lines.iter().enumerate() {
                        query = query
                            .bind(order.id.as_str())
                            .bind(i64::try_from(n).unwrap_or(i64::MAX))
                            .bind(line.product_id.as_str())
                            .bind(line.sku.as_str())
                            .bind(int(line.quantity.get()));
                    }
                    query.execute(&mut *tx).await.map_err(db("inserting order lines"))?;
                }
                insert_events(&mut tx, request.events).await?;
                commit(tx).await?;
                Ok(Placed::Created)
            }

            async fn save_order(&self, update: OrderUpdate<'_>) -> Result<Saved> {
                let order = update.order;
                let mut tx = begin_write(&self.pool).await?;
                if let Some(entry) = update.inbox {
                    let inserted = sqlx::query::<$Db>(
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
                let updated = sqlx::query::<$Db>(
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
                    let exists: Option<i64> = sqlx::query_scalar("SELECT version FROM orders WHERE id = $1")
                        .bind(order.id.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db("reading an order"))?;
                    return Err(match exists {
                        Some(_) => Error::Conflict("order"),
                        None => Error::not_found("order", &order.id),
                    });
                }
                let statement = match update.stock {
                    StockEffect::None => None,
                    StockEffect::Commit => {
                        Some("UPDATE inventory SET on_hand = on_hand - $2, reserved = reserved - $2 WHERE sku = $1")
                    }
                    StockEffect::Release => Some("UPDATE inventory SET reserved = reserved - $2 WHERE sku = $1"),
                    StockEffect::Restock => Some("UPDATE inventory SET on_hand = on_hand + $2 WHERE sku = $1"),
                };
                if let Some(statement) = statement {
                    for (sku, units) in order.units_by_sku() {
                        sqlx::query::<$Db>(statement)
                            .bind(sku.as_str())
                            .bind(int(units))
                            .execute(&mut *tx)
                            .await
                            .map_err(db("moving stock"))?;
                    }
                }
                insert_outbox(&mut tx, update.outbox).await?;
                insert_events(&mut tx, update.events).await?;
                commit(tx).await?;
                Ok(Saved::Saved)
            }

            async fn attach_payment(&self, order: &OrderId, provider: &str, payment: &PaymentId) -> Result<()> {
                let updated = sqlx::query::<$Db>("UPDATE orders SET payment_provider = $2, payment_id = $3 WHERE id = $1")
                    .bind(order.as_str())
                    .bind(provider)
                    .bind(payment.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(db("attaching a payment"))?;
                if updated.rows_affected() == 0 { Err(Error::not_found("order", order)) } else { Ok(()) }
            }

            async fn remember_event(&self, entry: &InboxEntry) -> Result<bool> {
                let inserted = sqlx::query::<$Db>(
                    "INSERT INTO webhook_inbox (provider, event_id, received_at) VALUES ($1, $2, $3)
                     ON CONFLICT (provider, event_id) DO NOTHING",
                )
                .bind(&entry.provider)
                .bind(&entry.event_id)
                .bind(micros(entry.received_at))
                .execute(&self.pool)
                .await
                .map_err(db("remembering a webhook event"))?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn order(&self, id: &OrderId) -> Result<Option<Order>> {
                by_key(&self.pool, "SELECT version, payment_provider, payment_id, doc FROM orders WHERE id = $1", id.as_str(), "reading an order", order_from_row).await
            }

            async fn order_by_payment(&self, payment_id: &PaymentId) -> Result<Option<Order>> {
                by_key(&self.pool, "SELECT version, payment_provider, payment_id, doc FROM orders WHERE payment_id = $1", payment_id.as_str(), "reading an order", order_from_row).await
            }

            async fn orders(&self, filter: &OrderFilter) -> Result<Page<Order>> {
                keyset_page(
                    &self.pool,
                    "SELECT version, payment_provider, payment_id, created_at, doc FROM orders
                     WHERE ($1 IS NULL OR customer_id = $1) AND ($2 IS NULL OR state = $2)
                       AND ($3 IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
                     ORDER BY created_at DESC, id DESC LIMIT $5",
                    &[filter.customer_id.as_ref().map(|c| c.to_string()), filter.state.map(|s| s.as_str().to_owned())],
                    filter.cursor.as_deref(),
                    filter.limit,
                    "listing orders",
                    order_from_row,
                    |o| o.id.as_str(),
                )
                .await
            }

            async fn expired_orders(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Order>> {
                let rows = sqlx::query::<$Db>(
                    "SELECT version, payment_provider, payment_id, doc FROM orders
                     WHERE state = 'pending_payment' AND expires_at <= $1
                     ORDER BY expires_at, id LIMIT $2",
                )
                .bind(micros(now))
                .bind(int(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db("finding expired orders"))?;
                rows.iter().map(order_from_row).collect()
            }

            async fn has_purchased(&self, customer: &CustomerId, product: &ProductId) -> Result<bool> {
                let found: Option<String> = sqlx::query_scalar(
                    "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id
                     WHERE o.customer_id = $1 AND l.product_id = $2 AND o.state IN ('paid', 'shipped', 'delivered')
                     LIMIT 1",
                )
                .bind(customer.as_str())
                .bind(product.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("checking a purchase"))?;
                Ok(found.is_some())
            }

            async fn has_ordered(&self, email: Option<&Email>, customer: Option<&CustomerId>) -> Result<bool> {
                let found: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM orders WHERE (email = $1 OR customer_id = $2)
                     AND state IN ('paid', 'shipped', 'delivered') LIMIT 1",
                )
                .bind(email.map(Email::as_str))
                .bind(customer.map(CustomerId::as_str))
                .fetch_optional(&self.pool)
                .await
                .map_err(db("checking an order history"))?;
                Ok(found.is_some())
            }
        }

        #[async_trait]
        impl CustomerStore for $Store {
            async fn create_customer(
                &self,
                customer: &Customer,
                hash: &PasswordHash,
                outbox: &[OutboxMessage],
            ) -> Result<()> {
                let mut tx = begin_write(&self.pool).await?;
                sqlx::query::<$Db>(
                    "INSERT INTO customers (id, email, created_at, password_hash, doc) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(customer.id.as_str())
                .bind(customer.email.as_str())
                .bind(micros(customer.created_at))
                .bind(&hash.0)
                .bind(to_doc(customer)?)
                .execute(&mut *tx)
                .await
                .map_err(|e| if is_unique_violation(&e) { Error::EmailTaken } else { Error::adapter("creating a customer", e) })?;
                insert_outbox(&mut tx, outbox).await?;
                commit(tx).await
            }

            async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>> {
                by_key(&self.pool, "SELECT doc FROM customers WHERE id = $1", id.as_str(), "reading a customer", doc_of).await
            }

            async fn customer_by_email(&self, email: &Email) -> Result<Option<(Customer, PasswordHash)>> {
                let row = sqlx::query::<$Db>("SELECT doc, password_hash FROM customers WHERE email = $1")
                    .bind(email.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db("reading a customer"))?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let hash: String = row.try_get("password_hash").map_err(db("reading a customer"))?;
                        Ok(Some((doc_of(&row)?, PasswordHash(hash))))
                    }
                }
            }

            async fn update_customer(&self, customer: &Customer) -> Result<()> {
                let updated = sqlx::query::<$Db>("UPDATE customers SET email = $2, doc = $3 WHERE id = $1")
                    .bind(customer.id.as_str())
                    .bind(customer.email.as_str())
                    .bind(to_doc(customer)?)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| if is_unique_violation(&e) { Error::EmailTaken } else { Error::adapter("saving a customer", e) })?;
                if updated.rows_affected() == 0 { Err(Error::not_found("customer", &customer.id)) } else { Ok(()) }
            }

            async fn set_password(&self, id: &CustomerId, hash: &PasswordHash) -> Result<()> {
                let updated = sqlx::query::<$Db>("UPDATE customers SET password_hash = $2 WHERE id = $1")
                    .bind(id.as_str())
                    .bind(&hash.0)
                    .execute(&self.pool)
                    .await
                    .map_err(db("setting a password"))?;
                if updated.rows_affected() == 0 { Err(Error::not_found("customer", id)) } else { Ok(()) }
            }

            async fn customers(&self, limit: u32, after: Option<&str>) -> Result<Page<Customer>> {
                keyset_page(
                    &self.pool,
                    "SELECT created_at, doc FROM customers
                     WHERE ($1 IS NULL OR created_at > $1 OR (created_at = $1 AND id > $2))
                     ORDER BY created_at, id LIMIT $3",
                    &[],
                    after,
                    limit,
                    "listing customers",
                    doc_of::<Customer>,
                    |c| c.id.as_str(),
                )
                .await
            }
        }

        #[async_trait]
        impl ReviewStore for $Store {
            async fn create_review(&self, review: &Review) -> Result<()> {
                sqlx::query::<$Db>(
                    "INSERT INTO reviews (id, product_id, customer_id, status, rating, created_at, doc)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(review.id.as_str())
                .bind(review.product_id.as_str())
                .bind(review.customer_id.as_str())
                .bind(review.status.as_str())
                .bind(i64::from(review.rating.stars()))
                .bind(micros(review.created_at))
                .bind(to_doc(review)?)
                .execute(&self.pool)
                .await
                .map_err(|e| if is_unique_violation(&e) { Error::AlreadyReviewed } else { Error::adapter("saving a review", e) })?;
                Ok(())
            }

            async fn review(&self, id: &ReviewId) -> Result<Option<Review>> {
                by_key(&self.pool, "SELECT status, doc FROM reviews WHERE id = $1", id.as_str(), "reading a review", review_from_row).await
            }

            async fn reviews(&self, filter: &ReviewFilter) -> Result<Page<Review>> {
                keyset_page(
                    &self.pool,
                    "SELECT status, created_at, doc FROM reviews
                     WHERE ($1 IS NULL OR product_id = $1) AND ($2 IS NULL OR status = $2)
                       AND ($3 IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
                     ORDER BY created_at DESC, id DESC LIMIT $5",
                    &[filter.product_id.as_ref().map(|p| p.to_string()), filter.status.map(|s| s.as_str().to_owned())],
                    filter.cursor.as_deref(),
                    filter.limit,
                    "listing reviews",
                    review_from_row,
                    |r| r.id.as_str(),
                )
                .await
            }

            async fn set_review_status(&self, id: &ReviewId, status: ReviewStatus) -> Result<Review> {
                let row = sqlx::query::<$Db>("UPDATE reviews SET status = $2 WHERE id = $1 RETURNING status, doc")
                    .bind(id.as_str())
                    .bind(status.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db("moderating a review"))?;
                row.as_ref().map(review_from_row).transpose()?.ok_or_else(|| Error::not_found("review", id))
            }

            async fn rating_summaries(&self, products: &[ProductId]) -> Result<Vec<RatingSummary>> {
                if products.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT product_id, rating, COUNT(*) AS n FROM reviews
                     WHERE product_id IN ({}) AND status = 'approved' GROUP BY product_id, rating",
                    in_list(products.len(), 1)
                );
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql));
                for product in products {
                    query = query.bind(product.as_str());
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db("summarising reviews"))?;
                let mut histograms = vec![[0_u32; 5]; products.len()];
                for row in &rows {
                    let product: String = row.try_get("product_id").map_err(db("summarising reviews"))?;
                    let rating: i64 = row.try_get("rating").map_err(db("summarising reviews"))?;
                    let n: i64 = row.try_get("n").map_err(db("summarising reviews"))?;
                    let Some(at) = products.iter().position(|p| p.as_str() == product) else { continue };
                    if let Some(slot) = usize::try_from(rating - 1).ok().and_then(|i| histograms[at].get_mut(i)) {
                        *slot = count(n)?;
                    }
                }
                Ok(histograms.into_iter().map(RatingSummary::from_histogram).collect())
            }
        }

        #[async_trait]
        impl PromotionStore for $Store {
            async fn promotions(&self) -> Result<Vec<Promotion>> {
                let rows = sqlx::query::<$Db>("SELECT doc FROM promotions ORDER BY id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db("listing promotions"))?;
                rows.iter().map(doc_of).collect()
            }

            async fn promotion(&self, id: &PromotionId) -> Result<Option<Promotion>> {
                by_key(&self.pool, "SELECT doc FROM promotions WHERE id = $1", id.as_str(), "reading a promotion", doc_of).await
            }

            async fn upsert_promotion(&self, promotion: &Promotion) -> Result<()> {
                sqlx::query::<$Db>(
                    "INSERT INTO promotions (id, code, usage_limit, per_customer_limit, used, doc)
                     VALUES ($1, $2, $3, $4, 0, $5)
                     ON CONFLICT (id) DO UPDATE SET code = excluded.code, usage_limit = excluded.usage_limit,
                     per_customer_limit = excluded.per_customer_limit, doc = excluded.doc",
                )
                .bind(promotion.id.as_str())
                .bind(promotion.code.as_ref().map(|c| c.to_string()))
                .bind(promotion.usage_limit.map(int))
                .bind(promotion.usage_limit_per_customer.map(int))
                .bind(to_doc(promotion)?)
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        Error::invalid("code", "is used by another promotion")
                    } else {
                        Error::adapter("saving a promotion", e)
                    }
                })?;
                Ok(())
            }

            async fn promotion_usage(&self, ids: &[PromotionId], customer_key: &str) -> Result<Vec<PromotionUsage>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT p.id, p.used, COALESCE(c.used, 0) AS mine FROM promotions p
                     LEFT JOIN promotion_customer_usage c ON c.promotion_id = p.id AND c.customer_key = $1
                     WHERE p.id IN ({})",
                    in_list(ids.len(), 2)
                );
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql)).bind(customer_key);
                for id in ids {
                    query = query.bind(id.as_str());
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db("reading promotion usage"))?;
                let mut usage = Vec::with_capacity(ids.len());
                for id in ids {
                    let mut found = PromotionUsage { promotion_id: id.clone(), total: 0, by_customer: 0 };
                    for row in &rows {
                        let row_id: String = row.try_get("id").map_err(db("reading promotion usage"))?;
                        if row_id == id.as_str() {
                            found.total = count(row.try_get("used").map_err(db("reading promotion usage"))?)?;
                            found.by_customer = count(row.try_get("mine").map_err(db("reading promotion usage"))?)?;
                        }
                    }
                    usage.push(found);
                }
                Ok(usage)
            }
        }

        fn idempotency_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<IdempotencyRecord> {
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
        impl IdempotencyStore for $Store {
            async fn idempotency(&self, scope: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
                let row = sqlx::query::<$Db>(
                    "SELECT scope, key, fingerprint, resource_id, response, created_at FROM idempotency_keys
                     WHERE scope = $1 AND key = $2",
                )
                .bind(scope)
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading an idempotency key"))?;
                row.as_ref().map(idempotency_from_row).transpose()
            }

            async fn remember(&self, record: &IdempotencyRecord) -> Result<Remembered> {
                let inserted = sqlx::query::<$Db>(
                    "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, response, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING",
                )
                .bind(&record.scope)
                .bind(&record.key)
                .bind(&record.fingerprint)
                .bind(&record.resource_id)
                .bind(record.response.as_deref())
                .bind(micros(record.created_at))
                .execute(&self.pool)
                .await
                .map_err(db("recording an idempotency key"))?;
                if inserted.rows_affected() == 1 {
                    return Ok(Remembered::New);
                }
                let existing = self.idempotency(&record.scope, &record.key).await?;
                existing.map(Remembered::Existing).ok_or(Error::Conflict("idempotency key"))
            }

            async fn forget_before(&self, cutoff: OffsetDateTime) -> Result<u64> {
                let deleted = sqlx::query::<$Db>("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(micros(cutoff))
                    .execute(&self.pool)
                    .await
                    .map_err(db("expiring idempotency keys"))?;
                Ok(deleted.rows_affected())
            }
        }

        fn outbox_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<OutboxMessage> {
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
        impl OutboxStore for $Store {
            async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()> {
                let mut tx = begin_write(&self.pool).await?;
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
                let mut tx = begin_write(&self.pool).await?;
                let rows = sqlx::query::<$Db>(CLAIM_OUTBOX)
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
                let updated = sqlx::query::<$Db>(
                    "UPDATE outbox SET status = 'sent', sent_at = $3, lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_owner = $2 AND status = 'pending'",
                )
                .bind(id.as_str())
                .bind(worker)
                .bind(micros(now))
                .execute(&self.pool)
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
                let updated = sqlx::query::<$Db>(
                    "UPDATE outbox SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5,
                     lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_owner = $2 AND status = 'pending'",
                )
                .bind(id.as_str())
                .bind(worker)
                .bind(if retry_at.is_some() { "pending" } else { "dead" })
                .bind(retry_at.map(micros))
                .bind(error)
                .execute(&self.pool)
                .await
                .map_err(db("recording a failed send"))?;
                Ok(updated.rows_affected() == 1)
            }

            async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>> {
                let rows = sqlx::query::<$Db>(
                    "SELECT id, dedupe_key, recipient, payload, status, attempts, created_at FROM outbox
                     WHERE ($1 IS NULL OR status = $1) ORDER BY seq LIMIT $2",
                )
                .bind(status.map(|s| enum_name(&s)).transpose()?)
                .bind(int(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db("reading the outbox"))?;
                rows.iter().map(outbox_from_row).collect()
            }

            async fn outbox_health(&self) -> Result<nite_core::ports::OutboxHealth> {
                let context = "reading the outbox's health";
                let rows = sqlx::query::<$Db>(
                    "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
                     WHERE status IN ('pending', 'dead') GROUP BY status",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db(context))?;
                let mut health = nite_core::ports::OutboxHealth::default();
                for row in &rows {
                    let status: String = row.try_get("status").map_err(db(context))?;
                    let n: i64 = row.try_get("n").map_err(db(context))?;
                    let n = u64::try_from(n).unwrap_or(0);
                    if status == "pending" {
                        health.pending = n;
                        let oldest: Option<i64> = row.try_get("oldest").map_err(db(context))?;
                        health.oldest_pending = oldest.map(from_micros).transpose()?;
                    } else {
                        health.dead = n;
                    }
                }
                Ok(health)
            }
        }

        fn event_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<AnalyticsEvent> {
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
        impl AnalyticsStore for $Store {
            async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()> {
                if events.is_empty() {
                    return Ok(());
                }
                let mut tx = begin_write(&self.pool).await?;
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
                let mut query = sqlx::query::<$Db>(AssertSqlSafe(sql)).bind(micros(from)).bind(micros(to));
                for kind in kinds {
                    query = query.bind(kind.as_str());
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db("reading analytics events"))?;
                rows.iter().map(event_from_row).collect()
            }
        }

        #[async_trait]
        impl SessionStore for $Store {
            async fn issue_refresh(&self, token: &RefreshToken) -> Result<()> {
                sqlx::query::<$Db>(
                    "INSERT INTO refresh_tokens (token_hash, family, customer_id, expires_at, spent) VALUES ($1, $2, $3, $4, 0)",
                )
                .bind(&token.token_hash)
                .bind(&token.family)
                .bind(token.customer_id.as_str())
                .bind(micros(token.expires_at))
                .execute(&self.pool)
                .await
                .map_err(db("storing a refresh token"))?;
                Ok(())
            }

            async fn use_refresh(&self, token_hash: &str, now: OffsetDateTime) -> Result<RefreshUse> {
                let mut tx = begin_write(&self.pool).await?;
                let row = sqlx::query::<$Db>(
                    "UPDATE refresh_tokens SET spent = 1 WHERE token_hash = $1 AND spent = 0 AND expires_at > $2
                     RETURNING customer_id, family",
                )
                .bind(token_hash)
                .bind(micros(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("using a refresh token"))?;
                if let Some(row) = row {
                    let customer: String = row.try_get("customer_id").map_err(db("using a refresh token"))?;
                    let family: String = row.try_get("family").map_err(db("using a refresh token"))?;
                    commit(tx).await?;
                    let customer_id = CustomerId::parse(&customer).map_err(|e| Error::adapter("reading a refresh token", e))?;
                    return Ok(RefreshUse::Rotated { customer_id, family });
                }
                let found = sqlx::query::<$Db>("SELECT family, spent, expires_at FROM refresh_tokens WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("reading a refresh token"))?;
                let Some(found) = found else { return Ok(RefreshUse::Unknown) };
                let spent: i64 = found.try_get("spent").map_err(db("reading a refresh token"))?;
                if spent == 0 {
                    return Ok(RefreshUse::Expired);
                }
                let family: String = found.try_get("family").map_err(db("reading a refresh token"))?;
                sqlx::query::<$Db>("UPDATE refresh_tokens SET spent = 1 WHERE family = $1")
                    .bind(&family)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("revoking a token family"))?;
                commit(tx).await?;
                Ok(RefreshUse::Reused)
            }

            async fn revoke_family(&self, family: &str) -> Result<()> {
                sqlx::query::<$Db>("UPDATE refresh_tokens SET spent = 1 WHERE family = $1")
                    .bind(family)
                    .execute(&self.pool)
                    .await
                    .map_err(db("revoking a token family"))?;
                Ok(())
            }

            async fn issue_reset(&self, token_hash: &str, customer: &CustomerId, expires_at: OffsetDateTime) -> Result<()> {
                sqlx::query::<$Db>("INSERT INTO password_resets (token_hash, customer_id, expires_at, used) VALUES ($1, $2, $3, 0)")
                    .bind(token_hash)
                    .bind(customer.as_str())
                    .bind(micros(expires_at))
                    .execute(&self.pool)
                    .await
                    .map_err(db("storing a password-reset token"))?;
                Ok(())
            }

            async fn use_reset(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<CustomerId>> {
                let context = "using a password-reset token";
                let mut tx = begin_write(&self.pool).await?;
                let customer: Option<String> = sqlx::query_scalar(
                    "UPDATE password_resets SET used = 1 WHERE token_hash = $1 AND used = 0 AND expires_at > $2
                     RETURNING customer_id",
                )
                .bind(token_hash)
                .bind(micros(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db(context))?;
                if let Some(customer) = &customer {
                    sqlx::query::<$Db>("UPDATE password_resets SET used = 1 WHERE customer_id = $1 AND used = 0")
                        .bind(customer)
                        .execute(&mut *tx)
                        .await
                        .map_err(db(context))?;
                }
                commit(tx).await?;
                customer.map(|c| CustomerId::parse(&c).map_err(|e| Error::adapter(context, e))).transpose()
            }

            async fn revoke_customer_sessions(&self, customer: &CustomerId) -> Result<()> {
                sqlx::query::<$Db>("UPDATE refresh_tokens SET spent = 1 WHERE customer_id = $1")
                    .bind(customer.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(db("revoking a customer's sessions"))?;
                Ok(())
            }
        }

        #[async_trait]
        impl nite_core::ports::TestPaymentStore for $Store {
            async fn create_test_payment(
                &self,
                payment: &nite_core::ports::StoredTestPayment,
            ) -> Result<nite_core::ports::StoredTestPayment> {
                // One statement: a key seen before answers with the row it made (the no-op update returns it).
                let row = sqlx::query::<$Db>(
                    "INSERT INTO test_payments (id, idempotency_key, version, doc) VALUES ($1, $2, 0, $3)
                     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
                     RETURNING id, idempotency_key, version, doc",
                )
                .bind(payment.id.as_str())
                .bind(&payment.idempotency_key)
                .bind(&payment.doc)
                .fetch_one(&self.pool)
                .await
                .map_err(db("storing a test payment"))?;
                test_payment_from_row(&row)
            }

            async fn test_payment(&self, id: &PaymentId) -> Result<Option<nite_core::ports::StoredTestPayment>> {
                by_key(
                    &self.pool,
                    "SELECT id, idempotency_key, version, doc FROM test_payments WHERE id = $1",
                    id.as_str(),
                    "reading a test payment",
                    test_payment_from_row,
                )
                .await
            }

            async fn save_test_payment(&self, payment: &nite_core::ports::StoredTestPayment) -> Result<bool> {
                let done = sqlx::query::<$Db>("UPDATE test_payments SET doc = $1, version = version + 1 WHERE id = $2 AND version = $3")
                    .bind(&payment.doc)
                    .bind(payment.id.as_str())
                    .bind(payment.version)
                    .execute(&self.pool)
                    .await
                    .map_err(db("saving a test payment"))?;
                Ok(done.rows_affected() == 1)
            }
        }

        #[async_trait]
        impl nite_core::ports::JobStore for $Store {
            async fn claim_job_slot(&self, job: &str, slot: i64, holder: &str, at: OffsetDateTime) -> Result<bool> {
                if slot % 64 == 0 {
                    sqlx::query::<$Db>("DELETE FROM job_runs WHERE job = $1 AND claimed_at < $2")
                        .bind(job)
                        .bind(micros(at - time::Duration::days(1)))
                        .execute(&self.pool)
                        .await
                        .map_err(db("forgetting old job slots"))?;
                }
                let done = sqlx::query::<$Db>(
                    "INSERT INTO job_runs (job, slot, holder, claimed_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (job, slot) DO NOTHING",
                )
                .bind(job)
                .bind(slot)
                .bind(holder)
                .bind(micros(at))
                .execute(&self.pool)
                .await
                .map_err(db("claiming a job slot"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn job_runs(&self, job: &str, since: OffsetDateTime) -> Result<u64> {
                let row = sqlx::query::<$Db>("SELECT COUNT(*) AS n FROM job_runs WHERE job = $1 AND claimed_at >= $2")
                    .bind(job)
                    .bind(micros(since))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db("counting job runs"))?;
                let n: i64 = row.try_get("n").map_err(db("counting job runs"))?;
                Ok(u64::try_from(n).unwrap_or(0))
            }
        }

        fn test_payment_from_row(row: &<$Db as sqlx::Database>::Row) -> Result<nite_core::ports::StoredTestPayment> {
            let context = "reading a test payment";
            let id: String = row.try_get("id").map_err(db(context))?;
            Ok(nite_core::ports::StoredTestPayment {
                id: PaymentId::parse(&id).map_err(|e| Error::adapter(context, e))?,
                idempotency_key: row.try_get("idempotency_key").map_err(db(context))?,
                version: row.try_get("version").map_err(db(context))?,
                doc: row.try_get("doc").map_err(db(context))?,
            })
        }
    };
}

pub(crate) use sql_store;
