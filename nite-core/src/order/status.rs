//! The order states, each its own type: a state's methods are the legal transitions out of it.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where an order is in its life; the stable snake_case names are part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Placed, stock reserved, waiting for the payment.
    PendingPayment,
    /// Paid; stock committed.
    Paid,
    /// Handed to a carrier.
    Shipped,
    /// Arrived.
    Delivered,
    /// Cancelled: unpaid (reservation released) or refunded.
    Cancelled,
}

impl OrderState {
    /// The stable name (`pending_payment`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::PendingPayment => "pending_payment",
            OrderState::Paid => "paid",
            OrderState::Shipped => "shipped",
            OrderState::Delivered => "delivered",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// Parses a stable name.
    pub fn parse(value: &str) -> Option<OrderState> {
        [Self::PendingPayment, Self::Paid, Self::Shipped, Self::Delivered, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A parcel handed to a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The carrier (`USPS`, `UPS`, `DHL`).
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// When it was handed over.
    #[serde(with = "time::serde::rfc3339")]
    pub shipped_at: OffsetDateTime,
}

/// `pending_payment`: stock is reserved until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingPayment {
    /// When the reservation lapses if no payment arrives.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `paid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paid {
    /// When the payment was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
}

/// `shipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipped {
    /// When the payment was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
    /// The parcel.
    pub shipment: Shipment,
}

/// `delivered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// When the payment was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
    /// The parcel.
    pub shipment: Shipment,
    /// When it arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub delivered_at: OffsetDateTime,
}

/// `cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancelled {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub cancelled_at: OffsetDateTime,
    /// Why.
    pub reason: String,
    /// Whether it had been paid (and so was refunded, and its stock returned).
    pub was_paid: bool,
}

impl AwaitingPayment {
    /// The payment arrived.
    pub fn pay(self, at: OffsetDateTime) -> Paid {
        Paid { paid_at: at }
    }

    /// The payment failed or the reservation expired.
    pub fn cancel(self, reason: &str, at: OffsetDateTime) -> Cancelled {
        Cancelled { cancelled_at: at, reason: reason.to_owned(), was_paid: false }
    }
}

impl Paid {
    /// Handed to a carrier.
    pub fn ship(self, shipment: Shipment) -> Shipped {
        Shipped { paid_at: self.paid_at, shipment }
    }

    /// Refunded in full and cancelled.
    pub fn cancel(self, reason: &str, at: OffsetDateTime) -> Cancelled {
        Cancelled { cancelled_at: at, reason: reason.to_owned(), was_paid: true }
    }
}

impl Shipped {
    /// Arrived.
    pub fn deliver(self, at: OffsetDateTime) -> Delivered {
        Delivered { paid_at: self.paid_at, shipment: self.shipment, delivered_at: at }
    }
}

/// An order's state and what that state carries, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Status {
    /// See [`AwaitingPayment`].
    PendingPayment(AwaitingPayment),
    /// See [`Paid`].
    Paid(Paid),
    /// See [`Shipped`].
    Shipped(Shipped),
    /// See [`Delivered`].
    Delivered(Delivered),
    /// See [`Cancelled`].
    Cancelled(Cancelled),
}

impl Status {
    /// The state, without its data.
    pub fn state(&self) -> OrderState {
        match self {
            Status::PendingPayment(_) => OrderState::PendingPayment,
            Status::Paid(_) => OrderState::Paid,
            Status::Shipped(_) => OrderState::Shipped,
            Status::Delivered(_) => OrderState::Delivered,
            Status::Cancelled(_) => OrderState::Cancelled,
        }
    }

    /// The shipment, once shipped.
    pub fn shipment(&self) -> Option<&Shipment> {
        match self {
            Status::Shipped(s) => Some(&s.shipment),
            Status::Delivered(d) => Some(&d.shipment),
            _ => None,
        }
    }
}
