//! An order's payment: its status at the provider, what was captured, and what was refunded.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::{Money, PaymentId};

/// The payment's own status, apart from the order's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created, not yet paid.
    Pending,
    /// Authorized, to be captured.
    Authorized,
    /// Captured in full.
    Captured,
    /// Some of it refunded.
    PartiallyRefunded,
    /// All of it refunded.
    Refunded,
    /// Failed, or abandoned.
    Failed,
}

/// The payment of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// The provider's name (`test`, `stripe`).
    pub provider: Option<String>,
    /// The provider's id for it, once created.
    pub payment_id: Option<PaymentId>,
    /// Its status.
    pub status: PaymentStatus,
    /// What is to be paid: the order total.
    pub amount: Money,
    /// What was captured.
    pub captured: Money,
    /// What was refunded of it.
    pub refunded: Money,
}

impl PaymentRecord {
    /// A pending payment of `amount`.
    pub fn pending(amount: Money) -> PaymentRecord {
        let zero = Money::zero(amount.currency());
        PaymentRecord {
            provider: None,
            payment_id: None,
            status: PaymentStatus::Pending,
            amount,
            captured: zero,
            refunded: zero,
        }
    }

    /// What can still be refunded.
    pub fn refundable(&self) -> Result<Money> {
        Ok(self.captured.checked_sub(self.refunded)?)
    }

    pub(crate) fn captured(&mut self, amount: Money) -> Result<()> {
        if amount != self.amount {
            return Err(Error::invalid("amount", format!("captured {amount}, but the order is for {}", self.amount)));
        }
        self.captured = amount;
        self.status = PaymentStatus::Captured;
        Ok(())
    }

    pub(crate) fn abandoned(&mut self) {
        self.status = PaymentStatus::Failed;
    }

    pub(crate) fn refunded(&mut self, amount: Money) -> Result<()> {
        let refundable = self.refundable()?;
        if amount.is_negative() || amount.is_zero() || !amount.is_at_minor_unit() {
            return Err(Error::invalid("amount", "a refund is a positive amount in whole minor units"));
        }
        if amount.currency() != refundable.currency() || amount.amount() > refundable.amount() {
            return Err(Error::RefundExceedsCaptured { requested: amount, refundable });
        }
        self.refunded = self.refunded.checked_add(amount)?;
        self.status =
            if self.refunded == self.captured { PaymentStatus::Refunded } else { PaymentStatus::PartiallyRefunded };
        Ok(())
    }
}

/// Where a refund stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Recorded before the provider was asked: its amount is held, so that concurrent refunds can never add up to
    /// more than was captured.
    Pending,
    /// The provider made it.
    #[default]
    Succeeded,
    /// The provider refused it; nothing was refunded.
    Failed,
}

/// A refund of some or all of an order's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Its id, made before the provider is asked (refunds recorded before ids existed have none).
    #[serde(default)]
    pub id: Option<crate::RefundId>,
    /// Where it stands.
    #[serde(default)]
    pub status: RefundStatus,
    /// The provider's id for it, when it has one.
    pub provider_refund_id: Option<String>,
    /// How much.
    pub amount: Money,
    /// Why.
    pub reason: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}
