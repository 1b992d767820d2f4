//! The outbox: messages written in the same transaction as the change that causes them, sent later by a worker.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CustomerId, Email, MessageId, Money, OrderId};

/// A transactional email to send; templates render it at send time from the ids it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Notification {
    /// The order was paid.
    OrderConfirmation {
        /// The order.
        order_id: OrderId,
    },
    /// The order was handed to a carrier.
    ShippingNotification {
        /// The order.
        order_id: OrderId,
    },
    /// The order arrived.
    Delivered {
        /// The order.
        order_id: OrderId,
    },
    /// The order was cancelled.
    OrderCancelled {
        /// The order.
        order_id: OrderId,
    },
    /// Money was refunded.
    Refunded {
        /// The order.
        order_id: OrderId,
        /// How much.
        amount: Money,
    },
    /// A new account.
    Welcome {
        /// The customer.
        customer_id: CustomerId,
    },
    /// A password reset was asked for; the token is a secret, carried only to the email.
    PasswordReset {
        /// The customer.
        customer_id: CustomerId,
        /// The one-time token.
        token: String,
    },
}

impl Notification {
    /// A short stable name for logs and dedupe keys (`order_confirmation`).
    pub fn kind(&self) -> &'static str {
        match self {
            Notification::OrderConfirmation { .. } => "order_confirmation",
            Notification::ShippingNotification { .. } => "shipping_notification",
            Notification::Delivered { .. } => "delivered",
            Notification::OrderCancelled { .. } => "order_cancelled",
            Notification::Refunded { .. } => "refunded",
            Notification::Welcome { .. } => "welcome",
            Notification::PasswordReset { .. } => "password_reset",
        }
    }
}

/// Whether a message still has to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be sent (or retried).
    Pending,
    /// Sent.
    Sent,
    /// Given up on after too many attempts.
    Dead,
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its id, also the email's stable message id.
    pub id: MessageId,
    /// Unique: a second message with the same key is dropped, so one cause yields one email even under races.
    pub dedupe_key: String,
    /// The recipient.
    pub to: Email,
    /// What to send.
    pub notification: Notification,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Sending attempts so far.
    pub attempts: u32,
    /// Written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl OutboxMessage {
    /// A pending message, deduplicated by `kind:subject` (e.g. `order_confirmation:ord_…`).
    pub fn new(id: MessageId, to: Email, notification: Notification, subject: &str, now: OffsetDateTime) -> Self {
        OutboxMessage {
            id,
            dedupe_key: format!("{}:{subject}", notification.kind()),
            to,
            notification,
            status: OutboxStatus::Pending,
            attempts: 0,
            created_at: now,
        }
    }
}
