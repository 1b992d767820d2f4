//! The SQL of promotions and their usage (`PromotionStore`). The same text for both databases: `sqlite.rs` and
//! `postgres.rs` each compile it (see `sql.rs`).

use async_trait::async_trait;
use nite_core::ports::PromotionStore;
use nite_core::promotion::{Promotion, PromotionUsage};
use nite_core::{Error, PromotionId, Result};
use sqlx::AssertSqlSafe;

use super::rows::{by_key, doc_of};
use super::{RowExt, Store, query};
use crate::codec::{count, to_doc};
use crate::sql::{db, in_list, int, is_unique_violation};

#[async_trait]
impl PromotionStore for Store {
    async fn promotions(&self) -> Result<Vec<Promotion>> {
        let rows = query("SELECT doc FROM promotions ORDER BY id")
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db("listing promotions"))?;
        rows.iter().map(doc_of).collect()
    }

    async fn promotion(&self, id: &PromotionId) -> Result<Option<Promotion>> {
        by_key(self, "SELECT doc FROM promotions WHERE id = $1", id.as_str(), "reading a promotion", doc_of).await
    }

    async fn upsert_promotion(&self, promotion: &Promotion) -> Result<()> {
        query(
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
        .execute(&mut *self.write().await?)
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
        let mut statement = query(AssertSqlSafe(sql)).bind(customer_key);
        for id in ids {
            statement = statement.bind(id.as_str());
        }
        let rows = statement.fetch_all(&mut *self.read().await?).await.map_err(db("reading promotion usage"))?;
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
