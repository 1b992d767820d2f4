//! `TestPaymentProvider`: payments in memory that succeed or fail when told to. No keys, no network.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::order::PaymentStatus;
use crate::payment::{
    CaptureMethod, CreatePayment, PaymentEvent, PaymentEventKind, PaymentProvider, ProviderPayment, ProviderRefund,
    RefundRequest, WebhookRequest,
};
use crate::{IdGenerator, IdGeneratorExt, Money, OrderId, PaymentId};

/// How a test payment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// The customer paid.
    Succeeded,
    /// The card was declined.
    Failed,
}

#[derive(Debug, Clone)]
struct TestPayment {
    payment: ProviderPayment,
    order_id: OrderId,
    capture: CaptureMethod,
    refunded: Money,
    /// The request that created it, to refuse a reused key with another request.
    fingerprint: String,
}

#[derive(Default)]
struct State {
    payments: HashMap<PaymentId, TestPayment>,
    by_key: HashMap<String, PaymentId>,
    refunds: HashMap<String, ProviderRefund>,
    events: u64,
}

/// The built-in test provider: the development default, and the provider of nite's own tests.
pub struct TestPaymentProvider {
    state: Mutex<State>,
    ids: Arc<dyn IdGenerator>,
}

fn rejected(code: &str, message: impl Into<String>) -> Error {
    Error::PaymentRejected { code: code.to_owned(), message: message.into() }
}

impl TestPaymentProvider {
    /// A provider making ids with `ids`.
    pub fn new(ids: Arc<dyn IdGenerator>) -> TestPaymentProvider {
        TestPaymentProvider { state: Mutex::new(State::default()), ids }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends a pending payment as the customer would, and returns the event a real provider's webhook would carry:
    /// `succeeded` (or `authorized`, for manual capture) or `failed`. Each call is a new event with a new id.
    pub fn confirm(&self, id: &PaymentId, outcome: TestOutcome) -> Result<PaymentEvent> {
        let mut state = self.state();
        state.events += 1;
        let event_id = format!("evt_test_{}", state.events);
        let stored = state.payments.get_mut(id).ok_or_else(|| Error::not_found("payment", id))?;
        if stored.payment.status != PaymentStatus::Pending {
            return Err(Error::PaymentNotPending(id.clone()));
        }
        let kind = match (outcome, stored.capture) {
            (TestOutcome::Failed, _) => {
                stored.payment.status = PaymentStatus::Failed;
                PaymentEventKind::Failed
            }
            (TestOutcome::Succeeded, CaptureMethod::Automatic) => {
                stored.payment.status = PaymentStatus::Captured;
                stored.payment.captured = stored.payment.amount;
                PaymentEventKind::Succeeded
            }
            (TestOutcome::Succeeded, CaptureMethod::Manual) => {
                stored.payment.status = PaymentStatus::Authorized;
                PaymentEventKind::Authorized
            }
        };
        stored.payment.client_secret = None;
        Ok(PaymentEvent {
            provider: self.name().to_owned(),
            event_id,
            payment_id: id.clone(),
            order_id: Some(stored.order_id.clone()),
            kind,
            amount: stored.payment.amount,
        })
    }
}

#[async_trait]
impl PaymentProvider for TestPaymentProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<ProviderPayment> {
        let fingerprint = format!("{}:{}:{}", request.order_id, request.amount, request.email);
        let mut state = self.state();
        if let Some(id) = state.by_key.get(&request.idempotency_key) {
            let existing = &state.payments[id];
            if existing.fingerprint != fingerprint {
                return Err(rejected("idempotency_key_in_use", "the key was used with other parameters"));
            }
            return Ok(existing.payment.clone());
        }
        if request.amount.is_negative() || request.amount.to_minor().is_err() {
            return Err(rejected("parameter_invalid_integer", "the amount must be whole minor units, not negative"));
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
        state.by_key.insert(request.idempotency_key.clone(), id.clone());
        state.payments.insert(
            id,
            TestPayment {
                payment: payment.clone(),
                order_id: request.order_id.clone(),
                capture: request.capture,
                refunded: zero,
                fingerprint,
            },
        );
        Ok(payment)
    }

    async fn payment(&self, id: &PaymentId) -> Result<ProviderPayment> {
        self.state().payments.get(id).map(|p| p.payment.clone()).ok_or_else(|| Error::not_found("payment", id))
    }

    async fn capture(&self, id: &PaymentId, amount: Option<Money>) -> Result<ProviderPayment> {
        let mut state = self.state();
        let stored = state.payments.get_mut(id).ok_or_else(|| Error::not_found("payment", id))?;
        if stored.payment.status != PaymentStatus::Authorized {
            return Err(rejected("payment_intent_unexpected_state", "only an authorized payment can be captured"));
        }
        let amount = amount.unwrap_or(stored.payment.amount);
        if amount.currency() != stored.payment.amount.currency() || amount.amount() > stored.payment.amount.amount() {
            return Err(rejected("amount_too_large", "cannot capture more than was authorized"));
        }
        stored.payment.captured = amount;
        stored.payment.status = PaymentStatus::Captured;
        Ok(stored.payment.clone())
    }

    async fn cancel(&self, id: &PaymentId) -> Result<ProviderPayment> {
        let mut state = self.state();
        let stored = state.payments.get_mut(id).ok_or_else(|| Error::not_found("payment", id))?;
        match stored.payment.status {
            PaymentStatus::Pending | PaymentStatus::Authorized => {
                stored.payment.status = PaymentStatus::Failed;
                stored.payment.client_secret = None;
                Ok(stored.payment.clone())
            }
            PaymentStatus::Failed => Ok(stored.payment.clone()),
            _ => Err(rejected("payment_intent_unexpected_state", "a captured payment cannot be canceled; refund it")),
        }
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund> {
        let mut state = self.state();
        if let Some(refund) = state.refunds.get(&request.idempotency_key) {
            return Ok(refund.clone());
        }
        let stored = state
            .payments
            .get_mut(&request.payment_id)
            .ok_or_else(|| Error::not_found("payment", &request.payment_id))?;
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
        let refund = ProviderRefund { id: format!("re_test_{}", self.ids.next_body()), amount };
        state.refunds.insert(request.idempotency_key.clone(), refund.clone());
        Ok(refund)
    }

    fn parse_webhook(&self, _request: &WebhookRequest<'_>) -> Result<Option<PaymentEvent>> {
        Err(Error::SignatureInvalid("the test provider sends no webhooks: its events come from `confirm`".into()))
    }
}
