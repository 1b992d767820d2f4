//! Payments: the `PaymentProvider` port, the events providers send, and the built-in test provider.
//!
//! A provider creates one payment per order (keyed by an idempotency key derived from the order, so a retried
//! checkout never creates a second one), can retrieve, capture, cancel and refund it, and turns its webhook requests
//! into verified [`PaymentEvent`]s. [`TestPaymentProvider`] needs no keys and no network: payments succeed or fail on
//! command, and its events go down the same path as a real provider's.

mod test_provider;

#[cfg(feature = "testing")]
pub(crate) use test_provider::MemoryTestPayments;
pub use test_provider::{TestOutcome, TestPaymentProvider};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::order::PaymentStatus;
use crate::{Email, Money, OrderId, PaymentId};

/// What happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentEventKind {
    /// The money was captured.
    Succeeded,
    /// The money is authorized, to be captured later (stores that capture on shipping).
    Authorized,
    /// The payment failed.
    Failed,
    /// The payment was canceled before capture.
    Canceled,
    /// Money was refunded; the amount is the payment's cumulative refunded amount.
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

/// When the money is taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    /// As soon as the customer pays.
    #[default]
    Automatic,
    /// Authorized when the customer pays, captured later by the shop.
    Manual,
}

/// A payment to create for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePayment {
    /// The order it pays for (sent to the provider as metadata).
    pub order_id: OrderId,
    /// How much.
    pub amount: Money,
    /// The customer's email, for the receipt.
    pub email: Email,
    /// When to capture.
    pub capture: CaptureMethod,
    /// The idempotency key: derived from the order, so a retry returns the same payment.
    pub idempotency_key: String,
}

/// A payment as the provider sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPayment {
    /// Its id at the provider.
    pub id: PaymentId,
    /// Its status, in nite's words.
    pub status: PaymentStatus,
    /// What is to be paid.
    pub amount: Money,
    /// What has been captured. (Refunds are the order's record: a provider reports each one as it happens.)
    pub captured: Money,
    /// What a client needs to complete the payment (Stripe's `client_secret`), while it is pending.
    pub client_secret: Option<String>,
}

/// A refund to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The payment.
    pub payment_id: PaymentId,
    /// How much; everything still refundable if absent.
    pub amount: Option<Money>,
    /// Why (sent as metadata).
    pub reason: String,
    /// The idempotency key, derived from the order and the refund's number.
    pub idempotency_key: String,
}

/// A refund the provider made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRefund {
    /// Its id at the provider.
    pub id: String,
    /// How much.
    pub amount: Money,
}

/// A webhook request as it arrived: the raw body, never re-serialized, and its headers.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// The body, byte for byte.
    pub body: &'a [u8],
    /// The headers, as `(name, value)` pairs.
    pub headers: &'a [(String, String)],
}

impl WebhookRequest<'_> {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A payment provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Its name (`test`, `stripe`), recorded on orders and events.
    fn name(&self) -> &'static str;

    /// Creates the payment of an order, or returns the one created before under the same idempotency key.
    async fn create_payment(&self, request: &CreatePayment) -> Result<ProviderPayment>;

    /// The payment as it is now; `NotFound` if the provider has none with this id.
    async fn payment(&self, id: &PaymentId) -> Result<ProviderPayment>;

    /// Captures an authorized payment (all of it, or `amount`).
    async fn capture(&self, id: &PaymentId, amount: Option<Money>) -> Result<ProviderPayment>;

    /// Cancels a payment that has not been captured.
    async fn cancel(&self, id: &PaymentId) -> Result<ProviderPayment>;

    /// Refunds some or all of a captured payment; never more than is left.
    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund>;

    /// Verifies a webhook request and turns it into an event: `Ok(None)` for a verified event of a type nite does
    /// not act on (acknowledge it), `Err(SignatureInvalid)` when it cannot be trusted.
    fn parse_webhook(&self, request: &WebhookRequest<'_>) -> Result<Option<PaymentEvent>>;
}
