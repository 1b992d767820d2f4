//! `ReviewStore`: reviews and their moderation.

use async_trait::async_trait;

use crate::error::Result;
use crate::events::DomainEvent;
use crate::ports::Page;
use crate::review::{RatingSummary, Review, ReviewStatus};
use crate::{ProductId, ReviewId};

/// Which reviews to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// Only of this product.
    pub product_id: Option<ProductId>,
    /// Only with this status.
    pub status: Option<ReviewStatus>,
    /// At most this many.
    pub limit: crate::ports::Limit,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

/// Reviews.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Stores a new review and, in the same transaction, `events` (`review.submitted`); `AlreadyReviewed` if the
    /// customer reviewed the product before.
    async fn create_review(&self, review: &Review, events: &[DomainEvent]) -> Result<()>;

    /// A review by id.
    async fn review(&self, id: &ReviewId) -> Result<Option<Review>>;

    /// Reviews, newest first.
    async fn reviews(&self, filter: &ReviewFilter) -> Result<Page<Review>>;

    /// Sets a review's status and returns it; `NotFound` if absent.
    async fn set_review_status(&self, id: &ReviewId, status: ReviewStatus) -> Result<Review>;

    /// The summaries of these products' approved reviews, one per product in the order given (a page of products
    /// is summarised in one call).
    async fn rating_summaries(&self, products: &[ProductId]) -> Result<Vec<RatingSummary>>;
}
