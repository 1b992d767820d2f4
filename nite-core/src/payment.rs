//! Payment events: what a payment provider says happened, in nite's words.

use serde::{Deserialize, Serialize};

use crate::{Money, OrderId, PaymentId};

/// What happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentEventKind {
    /// The money was captured.
    Succeeded,
    /// The payment failed.
    Failed,
    /// The payment was canceled before capture.
    Canceled,
    /// Money was refunded (partially or fully).
    Refunded,
    /// The customer must act (3-D Secure, for instance).
    RequiresAction,
    /// The customer disputed the charge.
    Disputed,
}

/// A verified event from a payment provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// The provider (`test`, `stripe`).
    pub provider: String,
    /// The provider's event id: with the provider, the key that makes handling exactly-once.
    pub event_id: String,
    /// The payment it is about.
    pub payment_id: PaymentId,
    /// The order, when the provider carries it (as metadata).
    pub order_id: Option<OrderId>,
    /// What happened.
    pub kind: PaymentEventKind,
    /// The amount concerned.
    pub amount: Money,
}
