//! The SQL of reviews (`ReviewStore`). The same text for both databases: `sqlite.rs` and `postgres.rs` each compile it
//! (see `sql.rs`).

use async_trait::async_trait;
use nite_core::events::DomainEvent;
use nite_core::ports::{Page, ReviewFilter, ReviewStore};
use nite_core::review::{RatingSummary, Review, ReviewStatus};
use nite_core::{Error, ProductId, Result, ReviewId};
use sqlx::AssertSqlSafe;

use super::rows::{by_key, commit, insert_domain_events, keyset_page, review_from_row};
use super::{RowExt, Store, begin_write, query};
use crate::codec::{count, micros, to_doc};
use crate::sql::{db, in_list, is_unique_violation};

#[async_trait]
impl ReviewStore for Store {
    async fn create_review(&self, review: &Review, events: &[DomainEvent]) -> Result<()> {
        let mut tx = begin_write(self).await?;
        query(
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
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) { Error::AlreadyReviewed } else { Error::adapter("saving a review", e) }
        })?;
        insert_domain_events(&mut tx, events).await?;
        commit(tx).await
    }

    async fn review(&self, id: &ReviewId) -> Result<Option<Review>> {
        by_key(self, "SELECT status, doc FROM reviews WHERE id = $1", id.as_str(), "reading a review", review_from_row)
            .await
    }

    async fn reviews(&self, filter: &ReviewFilter) -> Result<Page<Review>> {
        keyset_page(
            self,
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
        let row = query("UPDATE reviews SET status = $2 WHERE id = $1 RETURNING status, doc")
            .bind(id.as_str())
            .bind(status.as_str())
            .fetch_optional(&mut *self.write().await?)
            .await
            .map_err(db("moderating a review"))?;
        row.as_ref().map(review_from_row).transpose()?.ok_or_else(|| Error::not_found("review", id))
    }

    async fn rating_summaries(&self, products: &[ProductId]) -> Result<Vec<RatingSummary>> {
        rating_summaries_of(self, products).await
    }
}

/// The summaries of these products' approved reviews, one per product in the order given.
async fn rating_summaries_of(store: &Store, products: &[ProductId]) -> Result<Vec<RatingSummary>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT product_id, rating, COUNT(*) AS n FROM reviews
         WHERE product_id IN ({}) AND status = 'approved' GROUP BY product_id, rating",
        in_list(products.len(), 1)
    );
    let mut statement = query(AssertSqlSafe(sql));
    for product in products {
        statement = statement.bind(product.as_str());
    }
    let rows = statement.fetch_all(&mut *store.read().await?).await.map_err(db("summarising reviews"))?;
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
