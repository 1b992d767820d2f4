//! The SQL of products (`CatalogStore`) and their stock (`InventoryStore`). The same text for both databases:
//! `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use std::sync::LazyLock;

use async_trait::async_trait;
use nite_core::catalog::{Product, Sku, Slug};
use nite_core::inventory::StockLevel;
use nite_core::ports::{CatalogStore, InventoryStore, Page, ProductFilter, ShowcaseStore, ShownProduct};
use nite_core::review::RatingSummary;
use nite_core::{Error, ProductId, Result};
use sqlx::AssertSqlSafe;

use super::rows::{by_key, commit, doc_of};
use super::{DbRow, RowExt, Store, begin_write, query, query_scalar};
use crate::codec::{contains_pattern, count, limit, parse_position, rating_histogram, stock_levels, to_doc};
use crate::sql::{db, in_list, int, is_unique_violation, page_of};

#[async_trait]
impl CatalogStore for Store {
    async fn upsert_product(&self, product: &Product) -> Result<()> {
        let mut tx = begin_write(self).await?;
        let id = product.id.as_str();
        let clash: Option<String> = query_scalar("SELECT id FROM products WHERE slug = $1 AND id <> $2")
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
                query_scalar("SELECT product_id FROM variants WHERE sku = $1 AND product_id <> $2")
                    .bind(variant.sku.as_str())
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("checking a SKU"))?;
            if owner.is_some() {
                return Err(Error::invalid("variants.sku", format!("`{}` is used by another product", variant.sku)));
            }
        }
        let search = format!("{} {}", product.name, product.description).to_lowercase();
        query(
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
        query("DELETE FROM variants WHERE product_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("saving a product's variants"))?;
        for variant in &product.variants {
            query("INSERT INTO variants (sku, product_id) VALUES ($1, $2)")
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
        let mut tx = begin_write(self).await?;
        query("DELETE FROM variants WHERE product_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db("deleting a product's variants"))?;
        let deleted = query("DELETE FROM products WHERE id = $1")
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
        by_key(self, "SELECT doc FROM products WHERE id = $1", id.as_str(), "reading a product", doc_of).await
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>> {
        by_key(self, "SELECT doc FROM products WHERE slug = $1", slug.as_str(), "reading a product", doc_of).await
    }

    async fn products(&self, filter: &ProductFilter) -> Result<Page<Product>> {
        page_of_products(self, PRODUCTS_PAGE.as_str(), filter, "listing products", doc_of).await
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
        let mut statement = query(AssertSqlSafe(sql));
        for sku in skus {
            statement = statement.bind(sku.as_str());
        }
        let rows = statement.fetch_all(&mut *self.read().await?).await.map_err(db("finding products by SKU"))?;
        rows.iter().map(doc_of).collect()
    }
}

/// What filters a page of products (`p`): `$1` a category, `$2` a search pattern, `$3` the position the page
/// starts after, `$4` one more than the page holds (to know whether another follows).
const PAGE: &str = "WHERE ($1 IS NULL OR p.category = $1) AND ($2 IS NULL OR p.search LIKE $2 ESCAPE '\\')
       AND p.position > $3
     ORDER BY p.position LIMIT $4";

/// A page of products.
static PRODUCTS_PAGE: LazyLock<String> = LazyLock::new(|| format!("SELECT p.position, p.doc FROM products p {PAGE}"));

/// The page of products that `sql` (which ends in [`PAGE`]) selects for `filter`, each row decoded.
async fn page_of_products<T>(
    store: &Store,
    sql: &'static str,
    filter: &ProductFilter,
    context: &'static str,
    decode: fn(&DbRow) -> Result<T>,
) -> Result<Page<T>> {
    let after = filter.cursor.as_deref().map(parse_position).transpose()?.unwrap_or(0);
    let limit = limit(filter.limit);
    let rows = query(sql)
        .bind(filter.category.as_ref().map(|c| c.as_str().to_owned()))
        .bind(filter.query.as_deref().map(contains_pattern))
        .bind(after)
        .bind(limit + 1)
        .fetch_all(&mut *store.read().await?)
        .await
        .map_err(db(context))?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let position: i64 = row.try_get("position").map_err(db(context))?;
        items.push((position, decode(row)?));
    }
    let page = page_of(items, limit, |(position, _)| position.to_string());
    Ok(Page { items: page.items.into_iter().map(|(_, item)| item).collect(), next_cursor: page.next_cursor })
}

/// The stock of `skus` (not empty) that have a stock row, in SKU order.
async fn stock_of(store: &Store, skus: &[Sku]) -> Result<Vec<StockLevel>> {
    let sql =
        format!("SELECT sku, on_hand, reserved FROM inventory WHERE sku IN ({}) ORDER BY sku", in_list(skus.len(), 1));
    let mut statement = query(AssertSqlSafe(sql));
    for sku in skus {
        statement = statement.bind(sku.as_str());
    }
    let rows = statement.fetch_all(&mut *store.read().await?).await.map_err(db("reading stock"))?;
    rows.iter().map(stock_from_row).collect()
}

/// The head of the showcase's one statement: each product with its stock and its approved reviews' histogram, in
/// one snapshot on both databases and with no `IN` list to build. `stock` is `sku on_hand reserved …` in SKU order,
/// `ratings` is `stars count …`; each is NULL when there is none (SKUs hold no spaces, see `Sku::new`).
/// `string_agg` needs SQLite 3.44 or later; the bundled one is.
const SHOWN: &str = "SELECT p.position, p.doc,
       (SELECT string_agg(i.sku || ' ' || i.on_hand || ' ' || i.reserved, ' ' ORDER BY i.sku)
          FROM variants v JOIN inventory i ON i.sku = v.sku WHERE v.product_id = p.id) AS stock,
       (SELECT string_agg(g.rating || ' ' || g.n, ' ')
          FROM (SELECT r.rating, COUNT(*) AS n FROM reviews r
                WHERE r.product_id = p.id AND r.status = 'approved' GROUP BY r.rating) g) AS ratings
     FROM products p ";

/// A page of the showcase.
static SHOWN_PAGE: LazyLock<String> = LazyLock::new(|| format!("{SHOWN}{PAGE}"));

/// One product of the showcase, by slug.
static SHOWN_BY_SLUG: LazyLock<String> = LazyLock::new(|| format!("{SHOWN}WHERE p.slug = $1"));

/// A row of [`SHOWN`]: the product shown.
fn shown_of(row: &DbRow) -> Result<ShownProduct> {
    let product = doc_of::<Product>(row)?;
    let stock: Option<String> = row.try_get("stock").map_err(db("showing products"))?;
    let ratings: Option<String> = row.try_get("ratings").map_err(db("showing products"))?;
    let reviews = RatingSummary::from_histogram(rating_histogram(ratings.as_deref())?);
    Ok(ShownProduct { product, stock: stock_levels(stock.as_deref())?, reviews })
}

#[async_trait]
impl ShowcaseStore for Store {
    async fn shown_products(&self, filter: &ProductFilter) -> Result<Page<ShownProduct>> {
        page_of_products(self, SHOWN_PAGE.as_str(), filter, "showing products", shown_of).await
    }

    async fn shown_product(&self, slug: &Slug) -> Result<Option<ShownProduct>> {
        by_key(self, SHOWN_BY_SLUG.as_str(), slug.as_str(), "showing a product", shown_of).await
    }
}

fn stock_from_row(row: &DbRow) -> Result<StockLevel> {
    let sku: String = row.try_get("sku").map_err(db("reading stock"))?;
    Ok(StockLevel {
        sku: Sku::new(&sku).map_err(|e| Error::adapter("reading stock", e))?,
        on_hand: count(row.try_get("on_hand").map_err(db("reading stock"))?)?,
        reserved: count(row.try_get("reserved").map_err(db("reading stock"))?)?,
    })
}

#[async_trait]
impl InventoryStore for Store {
    async fn stock(&self, skus: &[Sku]) -> Result<Vec<StockLevel>> {
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        stock_of(self, skus).await
    }

    async fn all_stock(&self) -> Result<Vec<StockLevel>> {
        let rows = query("SELECT sku, on_hand, reserved FROM inventory ORDER BY sku")
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db("reading stock"))?;
        rows.iter().map(stock_from_row).collect()
    }

    async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<StockLevel> {
        let row = query(
            "INSERT INTO inventory (sku, on_hand, reserved) VALUES ($1, $2, 0)
             ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand
             WHERE inventory.reserved <= excluded.on_hand
             RETURNING sku, on_hand, reserved",
        )
        .bind(sku.as_str())
        .bind(int(on_hand))
        .fetch_optional(&mut *self.write().await?)
        .await
        .map_err(db("setting stock"))?;
        match row {
            Some(row) => stock_from_row(&row),
            None => {
                let reserved: i64 = query_scalar("SELECT reserved FROM inventory WHERE sku = $1")
                    .bind(sku.as_str())
                    .fetch_one(&mut *self.read().await?)
                    .await
                    .map_err(db("reading stock"))?;
                Err(Error::invalid("on_hand", format!("is below the {reserved} units reserved")))
            }
        }
    }
}
