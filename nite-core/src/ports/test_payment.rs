//! `TestPaymentStore`: where the built-in test payment provider keeps its payments, so that they outlive the process
//! and every process over one database sees the same ones (a payment made on one process can be confirmed, replayed
//! or refunded on another, and after a restart).

use async_trait::async_trait;

use crate::PaymentId;
use crate::error::Result;

/// A test payment as stored: the provider's own document (opaque to the store) under its id and idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTestPayment {
    /// The payment's id.
    pub id: PaymentId,
    /// The key it was created under; unique.
    pub idempotency_key: String,
    /// The provider's state of the payment, serialized.
    pub doc: String,
    /// Bumped by every save; saves check it.
    pub version: i64,
}

/// The test provider's payments.
#[async_trait]
pub trait TestPaymentStore: Send + Sync {
    /// Stores a new payment (version 0) unless one exists under its idempotency key, atomically; returns the payment
    /// stored under the key: the new one, or the one created before.
    async fn create_test_payment(&self, payment: &StoredTestPayment) -> Result<StoredTestPayment>;

    /// A payment by id.
    async fn test_payment(&self, id: &PaymentId) -> Result<Option<StoredTestPayment>>;

    /// Replaces a payment's document if it is still at `payment.version` (the stored version becomes one more);
    /// `false` when another write came first.
    async fn save_test_payment(&self, payment: &StoredTestPayment) -> Result<bool>;
}
