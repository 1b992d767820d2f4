//! Shipping: the `ShippingProvider` port (rate quotes and parcel tracking) and what it speaks in.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::{Dimensions, Sku};
use crate::error::Result;
use crate::{Address, Currency, Money};

/// How fast a parcel travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShippingMethod {
    /// Ground, the cheapest.
    Standard,
    /// Two or three days.
    Express,
    /// Next day.
    Overnight,
}

/// One line of what is shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipItem {
    /// The SKU.
    pub sku: Sku,
    /// How many units.
    pub quantity: u32,
    /// Weight of one unit, in grams.
    pub weight_grams: u32,
    /// Size of one unit's box, if known.
    pub dimensions: Option<Dimensions>,
}

/// What a quote is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRequest {
    /// What ships.
    pub items: Vec<ShipItem>,
    /// Where to.
    pub destination: Address,
    /// The currency rates are wanted in.
    pub currency: Currency,
    /// The merchandise subtotal, for free-shipping thresholds.
    pub subtotal: Money,
}

impl QuoteRequest {
    /// The total weight in grams.
    pub fn weight_grams(&self) -> u64 {
        self.items.iter().map(|i| u64::from(i.weight_grams) * u64::from(i.quantity)).sum()
    }
}

/// One way to ship, at a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Names the rate when the shopper chooses it (stable for the same request).
    pub id: String,
    /// The method.
    pub method: ShippingMethod,
    /// A name for people (`Standard`, `UPS Ground`).
    pub name: String,
    /// The carrier.
    pub carrier: String,
    /// The price.
    pub amount: Money,
    /// Days in transit, if the carrier says.
    pub estimated_days: Option<u32>,
}

/// Where a parcel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// The label exists; the carrier does not have the parcel yet.
    PreTransit,
    /// On its way.
    InTransit,
    /// Out for delivery today.
    OutForDelivery,
    /// Delivered.
    Delivered,
    /// Returned to the sender.
    ReturnToSender,
    /// Something went wrong.
    Failure,
    /// The carrier says nothing nite understands.
    Unknown,
}

/// One scan of a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackingEvent {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What it means.
    pub status: TrackingStatus,
    /// The carrier's words.
    pub description: String,
    /// Where, if said.
    pub location: Option<String>,
}

/// A parcel's journey so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tracking {
    /// The carrier.
    pub carrier: String,
    /// Its tracking number.
    pub tracking_number: String,
    /// Where it is now.
    pub status: TrackingStatus,
    /// Its scans, oldest first.
    pub events: Vec<TrackingEvent>,
}

/// Quotes rates and tracks parcels.
#[async_trait]
pub trait ShippingProvider: Send + Sync {
    /// The rates for shipping `request`, cheapest first; none if the destination is not served.
    async fn quote(&self, request: &QuoteRequest) -> Result<Vec<Rate>>;

    /// Where a parcel is; `NotFound` if the carrier does not know the number.
    async fn track(&self, carrier: &str, tracking_number: &str) -> Result<Tracking>;

    /// The lowest cart subtotal (before discounts) above which some rate to `country` is free, if the provider
    /// knows one without a quote: what a storefront's "free shipping over …" nudge says. `None` by default.
    fn free_shipping_above(&self, country: &crate::tax::CountryCode) -> Option<Money> {
        let _ = country;
        None
    }
}
