//! `PromotionStore`: promotions and how often each has been used. Uses are counted in `OrderStore::place_order`.

use async_trait::async_trait;

use crate::PromotionId;
use crate::error::Result;
use crate::promotion::{Promotion, PromotionUsage};

/// Promotions.
#[async_trait]
pub trait PromotionStore: Send + Sync {
    /// Every promotion, in any order (pricing sorts them).
    async fn promotions(&self) -> Result<Vec<Promotion>>;

    /// A promotion by id.
    async fn promotion(&self, id: &PromotionId) -> Result<Option<Promotion>>;

    /// Creates or replaces a promotion; a code used by another promotion is a validation error.
    async fn upsert_promotion(&self, promotion: &Promotion) -> Result<()>;

    /// Usage counts of these promotions, and per customer for `customer_key` (a customer id or a guest's email);
    /// per-customer counts are kept only for promotions with a per-customer limit.
    async fn promotion_usage(&self, ids: &[PromotionId], customer_key: &str) -> Result<Vec<PromotionUsage>>;
}
