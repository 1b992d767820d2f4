//! Reviews: one per customer and product, from verified buyers only, moderated before they show.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CustomerId, ProductId, ReviewId};

/// A star rating from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// A rating from 1 to 5.
    pub fn new(stars: i64) -> Result<Rating, String> {
        u8::try_from(stars)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .map(Rating)
            .ok_or_else(|| format!("a rating is 1 to 5 stars, not {stars}"))
    }

    /// The stars.
    pub fn stars(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Rating {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Rating::new(value)
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

/// Where a review is in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Waiting for a moderator.
    Pending,
    /// Shown.
    Approved,
    /// Not shown.
    Rejected,
}

impl ReviewStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Rejected => "rejected",
        }
    }

    /// Parses a stable name.
    pub fn parse(value: &str) -> Option<ReviewStatus> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|s| s.as_str() == value)
    }
}

/// A review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// The product.
    pub product_id: ProductId,
    /// The author.
    pub customer_id: CustomerId,
    /// The author's display name.
    pub author: String,
    /// Stars.
    pub rating: Rating,
    /// Headline.
    pub title: String,
    /// Text.
    pub body: String,
    /// Moderation status.
    pub status: ReviewStatus,
    /// Written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// How a product's approved reviews add up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSummary {
    /// Approved reviews.
    pub count: u32,
    /// Average stars, to two decimals (a decimal string), or `None` with no reviews.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub average: Option<rust_decimal::Decimal>,
    /// Reviews with 1, 2, 3, 4 and 5 stars.
    pub histogram: [u32; 5],
}

impl RatingSummary {
    /// The summary of these ratings.
    ///
    /// ```
    /// use nite_core::review::{Rating, RatingSummary};
    ///
    /// let summary = RatingSummary::of([5, 4, 4].map(|s| Rating::new(s).unwrap()));
    /// assert_eq!(summary.count, 3);
    /// assert_eq!(summary.average.unwrap().to_string(), "4.33");
    /// assert_eq!(summary.histogram, [0, 0, 0, 2, 1]);
    /// ```
    pub fn of(ratings: impl IntoIterator<Item = Rating>) -> RatingSummary {
        let mut histogram = [0_u32; 5];
        for r in ratings {
            histogram[usize::from(r.stars() - 1)] += 1;
        }
        RatingSummary::from_histogram(histogram)
    }

    /// The summary of a histogram of 1- to 5-star counts.
    pub fn from_histogram(histogram: [u32; 5]) -> RatingSummary {
        let count: u32 = histogram.iter().sum();
        let stars: u64 = histogram.iter().zip(1_u64..).map(|(n, s)| u64::from(*n) * s).sum();
        let average = (count > 0).then(|| {
            (rust_decimal::Decimal::from(stars) / rust_decimal::Decimal::from(count))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
        });
        RatingSummary { count, average, histogram }
    }
}
