//! `ReviewService`: verified buyers write reviews; administrators moderate them.

use crate::catalog::Slug;
use crate::error::{Error, FieldError, Result};
use crate::ports::{Page, ReviewFilter};
use crate::review::{Rating, RatingSummary, Review, ReviewStatus};
use crate::services::{ShopContext, Viewer};
use crate::{IdGeneratorExt, ReviewId};

/// A review as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// Stars, 1 to 5.
    pub rating: i64,
    /// Headline, 1 to 120 characters.
    pub title: String,
    /// Text, 1 to 5,000 characters.
    pub body: String,
}

/// Reviews.
#[derive(Clone)]
pub struct ReviewService {
    ctx: ShopContext,
}

impl ReviewService {
    /// A review service over `ctx`.
    pub fn new(ctx: ShopContext) -> ReviewService {
        ReviewService { ctx }
    }

    /// Writes a review of the product with `slug`: only a signed-in customer who bought it, once per product. It
    /// waits in moderation (`pending`).
    pub async fn write(&self, viewer: &Viewer, slug: &str, review: NewReview) -> Result<Review> {
        let Some(customer_id) = viewer.customer_id.clone() else {
            return Err(Error::NotVerifiedBuyer);
        };
        let mut problems = Vec::new();
        let rating = Rating::new(review.rating).map_err(|m| problems.push(FieldError::new("rating", m))).ok();
        let (title, body) = (review.title.trim(), review.body.trim());
        if title.is_empty() || title.chars().count() > 120 {
            problems.push(FieldError::new("title", "1 to 120 characters"));
        }
        if body.is_empty() || body.chars().count() > 5_000 {
            problems.push(FieldError::new("body", "1 to 5,000 characters"));
        }
        let Some(rating) = rating.filter(|_| problems.is_empty()) else { return Err(Error::Validation(problems)) };
        let product = self.product(slug).await?;
        if !self.ctx.stores.orders.has_purchased(&customer_id, &product.id).await? {
            return Err(Error::NotVerifiedBuyer);
        }
        let author = self.ctx.stores.customers.customer(&customer_id).await?.map(|c| c.name).unwrap_or_default();
        let review = Review {
            id: self.ctx.ids.new_id(),
            product_id: product.id,
            customer_id,
            author,
            rating,
            title: title.to_owned(),
            body: body.to_owned(),
            status: ReviewStatus::Pending,
            created_at: self.ctx.clock.now(),
        };
        let submitted = crate::events::DomainEvent::new(
            &*self.ctx.ids,
            review.created_at,
            crate::events::EventData::ReviewSubmitted {
                review_id: review.id.clone(),
                product_id: review.product_id.clone(),
                rating: review.rating.stars(),
            },
        );
        self.ctx.stores.reviews.create_review(&review, &[submitted]).await?;
        Ok(review)
    }

    /// Approved reviews of a product, newest first.
    pub async fn approved(&self, slug: &str, page: crate::ports::PageRequest) -> Result<Page<Review>> {
        let product = self.product(slug).await?;
        let crate::ports::PageRequest { limit, cursor } = page;
        let filter = ReviewFilter { product_id: Some(product.id), status: Some(ReviewStatus::Approved), limit, cursor };
        self.ctx.stores.reviews.reviews(&filter).await
    }

    /// A product's rating summary.
    pub async fn summary(&self, slug: &str) -> Result<RatingSummary> {
        let product = self.product(slug).await?;
        let mut summaries = self.ctx.stores.reviews.rating_summaries(std::slice::from_ref(&product.id)).await?;
        Ok(summaries.pop().unwrap_or_default())
    }

    /// Reviews for moderation (administrators only).
    pub async fn moderation_queue(&self, viewer: &Viewer, filter: &ReviewFilter) -> Result<Page<Review>> {
        if !viewer.is_admin() {
            return Err(Error::not_found("reviews", "moderation"));
        }
        self.ctx.stores.reviews.reviews(filter).await
    }

    /// Approves or rejects a review (administrators only).
    pub async fn moderate(&self, viewer: &Viewer, id: &ReviewId, status: ReviewStatus) -> Result<Review> {
        if !viewer.is_admin() {
            return Err(Error::not_found("review", id));
        }
        self.ctx.stores.reviews.set_review_status(id, status).await
    }

    async fn product(&self, slug: &str) -> Result<crate::catalog::Product> {
        let parsed = Slug::new(slug).map_err(|_| Error::not_found("product", slug))?;
        self.ctx.stores.catalog.product_by_slug(&parsed).await?.ok_or_else(|| Error::not_found("product", slug))
    }
}
