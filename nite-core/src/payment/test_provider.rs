//! `TestPaymentProvider`: payments that succeed or fail when told to. No keys, no network.
//!
//! Its payments live in a [`TestPaymentStore`]: the shop's database in a server (so they survive restarts and are
//! shared by every process), or memory for a quick test. Every change is a compare-and-set on the stored payment, so
//! two processes confirming or refunding one payment at once cannot both win. Event ids are derived from the payment
//! and its stored attempt count (`evt_test_{payment}_{n}`), so they never repeat across processes or restarts.
//!
//! It behaves like Stripe where nite's correctness depends on it: a reused idempotency key with other parameters is
//! refused (`idempotency_key_in_use`), a zero amount is refused (`amount_too_small`), a declined attempt leaves the
//! payment open for another attempt, and a refund never exceeds what is left of the capture.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::order::PaymentStatus;
use crate::payment::{
    CaptureMethod, CreatePayment, PaymentEvent, PaymentEventKind, PaymentProvider, ProviderPayment, ProviderRefund,
    RefundRequest, WebhookRequest,
};
use crate::ports::{StoredTestPayment, TestPaymentStore};
use crate::{IdGenerator, IdGeneratorExt, Money, OrderId, PaymentId};

/// How a test payment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// The customer paid.
    Succeeded,
    /// The card was declined; the payment stays open for another attempt.
    Failed,
}

/// A refund made under one idempotency key, and the request it answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyedRefund {
    fingerprint: String,
    refund: ProviderRefund,
}

/// The provider's state of one payment: what the store keeps as its document.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TestPayment {
    payment: ProviderPayment,
    order_id: OrderId,
    capture: CaptureMethod,
    refunded: Money,
    /// The request that created it, to refuse a reused key with another request.
    fingerprint: String,
    /// Attempts to pay (each one an event).
    attempts: u64,
    /// Refunds by idempotency key.
    refunds: BTreeMap<String, KeyedRefund>,
}

/// How many times a change is retried after losing a race for the stored payment.
const ATTEMPTS: usize = 8;

/// The built-in test provider: the development default, and the provider of nite's own tests.
pub struct TestPaymentProvider {
    store: Arc<dyn TestPaymentStore>,
    ids: Arc<dyn IdGenerator>,
}

fn rejected(code: &str, message: impl Into<String>) -> Error {
    Error::PaymentRejected { code: code.to_owned(), message: message.into() }
}

fn decode(stored: &StoredTestPayment) -> Result<TestPayment> {
    serde_json::from_str(&stored.doc).map_err(|e| Error::adapter("reading a test payment", e))
}

fn encode(payment: &TestPayment) -> Result<String> {
    serde_json::to_string(payment).map_err(|e| Error::adapter("writing a test payment", e))
}

impl TestPaymentProvider {
    /// A provider whose payments live in this process's memory only (for tests and quick experiments): they are
    /// gone when it stops. A server uses [`TestPaymentProvider::with_store`].
    pub fn new(ids: Arc<dyn IdGenerator>) -> TestPaymentProvider {
        TestPaymentProvider::with_store(Arc::new(MemoryTestPayments::default()), ids)
    }

    /// A provider keeping its payments in `store` (the shop's database), making ids with `ids`.
    pub fn with_store(store: Arc<dyn TestPaymentStore>, ids: Arc<dyn IdGenerator>) -> TestPaymentProvider {
        TestPaymentProvider { store, ids }
    }

    async fn load(&self, id: &PaymentId) -> Result<(StoredTestPayment, TestPayment)> {
        let stored = self.store.test_payment(id).await?.ok_or_else(|| Error::not_found("payment", id))?;
        let payment = decode(&stored)?;
        Ok((stored, payment))
    }

    /// Loads the payment, applies `change` and saves it, retrying from a fresh load when another writer saved first.
    async fn change<T>(&self, id: &PaymentId, change: impl Fn(&mut TestPayment) -> Result<Step<T>>) -> Result<T> {
        for _ in 0..ATTEMPTS {
            let (stored, mut payment) = self.load(id).await?;
            match change(&mut payment)? {
                Step::Done(answer) => return Ok(answer),
                Step::Save(answer) => {
                    let next = StoredTestPayment { doc: encode(&payment)?, ..stored };
                    if self.store.save_test_payment(&next).await? {
                        return Ok(answer);
                    }
                }
            }
        }
        Err(Error::Conflict("payment"))
    }

    /// Ends an attempt to pay as the customer would, and returns the event a real provider's webhook would carry:
    /// `succeeded` (or `authorized`, for manual capture) or `failed`. A failed attempt leaves the payment open for
    /// another one, as Stripe's PaymentIntents do. Each call is a new event with a new id.
    pub async fn confirm(&self, id: &PaymentId, outcome: TestOutcome) -> Result<PaymentEvent> {
        let provider = self.name().to_owned();
        self.change(id, |stored| {
            if stored.payment.status != PaymentStatus::Pending {
                return Err(Error::PaymentNotPending(id.clone()));
            }
            stored.attempts += 1;
            let kind = match (outcome, stored.capture) {
                (TestOutcome::Failed, _) => PaymentEventKind::Failed,
                (TestOutcome::Succeeded, CaptureMethod::Automatic) => {
                    stored.payment.status = PaymentStatus::Captured;
                    stored.payment.captured = stored.payment.amount;
                    stored.payment.client_secret = None;
                    PaymentEventKind::Succeeded
                }
                (TestOutcome::Succeeded, CaptureMethod::Manual) => {
                    stored.payment.status = PaymentStatus::Authorized;
                    stored.payment.client_secret = None;
                    PaymentEventKind::Authorized
                }
            };
            Ok(Step::Save(PaymentEvent {
                provider: provider.clone(),
                event_id: format!("evt_test_{id}_{}", stored.attempts),
                payment_id: id.clone(),
                order_id: Some(stored.order_id.clone()),
                kind,
                amount: stored.payment.amount,
            }))
        })
        .await
    }
}

/// What a change to a stored payment decided.
enum Step<T> {
    /// Save the changed payment, then answer.
    Save(T),
    /// Answer without saving.
    Done(T),
}

#[async_trait]
impl PaymentProvider for TestPaymentProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<ProviderPayment> {
        let fingerprint = format!("{}:{}:{}:{:?}", request.order_id, request.amount, request.email, request.capture);
        if request.amount.is_negative() || request.amount.to_minor().is_err() {
            return Err(rejected("parameter_invalid_integer", "the amount must be whole minor units, not negative"));
        }
        if request.amount.is_zero() {
            return Err(rejected("amount_too_small", "a payment must be for more than nothing"));
        }
        let id: PaymentId = self.ids.new_id();
        let zero = Money::zero(request.amount.currency());
        let payment = ProviderPayment {
            id: id.clone(),
            status: PaymentStatus::Pending,
            amount: request.amount,
            captured: zero,
            client_secret: Some(format!("{id}_secret_{}", self.ids.secret_token())),
        };
        let state = TestPayment {
            payment,
            order_id: request.order_id.clone(),
            capture: request.capture,
            refunded: zero,
            fingerprint: fingerprint.clone(),
            attempts: 0,
            refunds: BTreeMap::new(),
        };
        let new = StoredTestPayment {
            id,
            idempotency_key: request.idempotency_key.clone(),
            doc: encode(&state)?,
            version: 0,
        };
        let stored = decode(&self.store.create_test_payment(&new).await?)?;
        if stored.fingerprint != fingerprint {
            return Err(rejected("idempotency_key_in_use", "the key was used with other parameters"));
        }
        Ok(stored.payment)
    }

    async fn payment(&self, id: &PaymentId) -> Result<ProviderPayment> {
        Ok(self.load(id).await?.1.payment)
    }

    async fn capture(&self, id: &PaymentId, amount: Option<Money>) -> Result<ProviderPayment> {
        self.change(id, |stored| {
            if stored.payment.status != PaymentStatus::Authorized {
                return Err(rejected("payment_intent_unexpected_state", "only an authorized payment can be captured"));
            }
            let amount = amount.unwrap_or(stored.payment.amount);
            if amount.currency() != stored.payment.amount.currency() || amount.amount() > stored.payment.amount.amount()
            {
                return Err(rejected("amount_too_large", "cannot capture more than was authorized"));
            }
            stored.payment.captured = amount;
            stored.payment.status = PaymentStatus::Captured;
            Ok(Step::Save(stored.payment.clone()))
        })
        .await
    }

    async fn cancel(&self, id: &PaymentId) -> Result<ProviderPayment> {
        self.change(id, |stored| match stored.payment.status {
            PaymentStatus::Pending | PaymentStatus::Authorized => {
                stored.payment.status = PaymentStatus::Failed;
                stored.payment.client_secret = None;
                Ok(Step::Save(stored.payment.clone()))
            }
            PaymentStatus::Failed => Ok(Step::Done(stored.payment.clone())),
            _ => Err(rejected("payment_intent_unexpected_state", "a captured payment cannot be canceled; refund it")),
        })
        .await
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund> {
        let fingerprint = format!("{}:{:?}", request.payment_id, request.amount);
        let refund_id = format!("re_test_{}", self.ids.next_body());
        self.change(&request.payment_id, |stored| {
            if let Some(earlier) = stored.refunds.get(&request.idempotency_key) {
                if earlier.fingerprint != fingerprint {
                    return Err(rejected("idempotency_key_in_use", "the key was used with other parameters"));
                }
                return Ok(Step::Done(earlier.refund.clone()));
            }
            if stored.payment.status != PaymentStatus::Captured {
                return Err(rejected("charge_not_refundable", "only a captured payment can be refunded"));
            }
            let left = stored.payment.captured.checked_sub(stored.refunded)?;
            let amount = request.amount.unwrap_or(left);
            if amount.currency() != left.currency() || amount.amount() > left.amount() || !amount.is_at_minor_unit() {
                return Err(rejected("amount_too_large", format!("at most {left} can be refunded")));
            }
            if amount.is_zero() || amount.is_negative() {
                return Err(rejected("parameter_invalid_integer", "a refund is a positive amount"));
            }
            stored.refunded = stored.refunded.checked_add(amount)?;
            let refund = ProviderRefund { id: refund_id.clone(), amount };
            stored.refunds.insert(
                request.idempotency_key.clone(),
                KeyedRefund { fingerprint: fingerprint.clone(), refund: refund.clone() },
            );
            Ok(Step::Save(refund))
        })
        .await
    }

    fn parse_webhook(&self, _request: &WebhookRequest<'_>) -> Result<Option<PaymentEvent>> {
        Err(Error::SignatureInvalid("the test provider sends no webhooks: its events come from `confirm`".into()))
    }
}

/// Test payments in this process's memory.
#[derive(Default)]
pub(crate) struct MemoryTestPayments {
    payments: Mutex<(HashMap<PaymentId, StoredTestPayment>, HashMap<String, PaymentId>)>,
}

#[async_trait]
impl TestPaymentStore for MemoryTestPayments {
    async fn create_test_payment(&self, payment: &StoredTestPayment) -> Result<StoredTestPayment> {
        let mut guard = self.payments.lock().unwrap_or_else(|e| e.into_inner());
        let (by_id, by_key) = &mut *guard;
        if let Some(existing) = by_key.get(&payment.idempotency_key).and_then(|id| by_id.get(id)) {
            return Ok(existing.clone());
        }
        by_key.insert(payment.idempotency_key.clone(), payment.id.clone());
        by_id.insert(payment.id.clone(), payment.clone());
        Ok(payment.clone())
    }

    async fn test_payment(&self, id: &PaymentId) -> Result<Option<StoredTestPayment>> {
        Ok(self.payments.lock().unwrap_or_else(|e| e.into_inner()).0.get(id).cloned())
    }

    async fn save_test_payment(&self, payment: &StoredTestPayment) -> Result<bool> {
        let mut guard = self.payments.lock().unwrap_or_else(|e| e.into_inner());
        match guard.0.get_mut(&payment.id) {
            Some(stored) if stored.version == payment.version => {
                *stored = StoredTestPayment { version: payment.version + 1, ..payment.clone() };
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
