//! `StripePaymentProvider`: PaymentIntents and Refunds through async-stripe, every create and capture under an
//! idempotency key, transient failures retried under the same key so they can never charge twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use nite_core::order::PaymentStatus;
use nite_core::payment::{
    CaptureMethod, CreatePayment, PaymentEvent, PaymentProvider, ProviderPayment, ProviderRefund, RefundRequest,
    WebhookRequest,
};
use nite_core::{Clock, Currency, Error, Money, PaymentId, Result};
use stripe::{ApiErrorsType, Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CapturePaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
    RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_core::{PaymentIntent, PaymentIntentCaptureMethod, PaymentIntentStatus};

use crate::webhook::{self, DEFAULT_TOLERANCE_SECS, SignatureError};

/// A Stripe setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StripeConfigError {
    /// The secret key is missing or is not a Stripe secret or restricted key.
    #[error("the Stripe secret key must start with `sk_` or `rk_`")]
    SecretKey,
    /// A webhook secret does not start with `whsec_`.
    #[error("each Stripe webhook secret must start with `whsec_`")]
    WebhookSecret,
    /// The API base is not an http(s) URL.
    #[error("the Stripe API base must be an http:// or https:// URL")]
    ApiBase,
    /// async-stripe refused the client settings.
    #[error("the Stripe client could not be built: {0}")]
    Client(String),
}

/// Builds a [`StripePaymentProvider`]; `build` validates every setting.
#[derive(Clone)]
pub struct StripeConfigBuilder {
    secret_key: String,
    webhook_secrets: Vec<String>,
    api_base: Option<String>,
    capture: CaptureMethod,
    timeout: Duration,
    attempts: u32,
    tolerance_secs: i64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for StripeConfigBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach a log.
        f.debug_struct("StripeConfigBuilder")
            .field("api_base", &self.api_base)
            .field("capture", &self.capture)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl StripeConfigBuilder {
    /// The endpoint's webhook signing secrets; several while rotating.
    pub fn webhook_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Self {
        self.webhook_secrets = secrets.into_iter().collect();
        self
    }

    /// Where the Stripe API is (a local fake in tests); Stripe's own by default. Without `/v1`.
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = Some(url.into());
        self
    }

    /// When payments are captured.
    pub fn capture(mut self, capture: CaptureMethod) -> Self {
        self.capture = capture;
        self
    }

    /// How long one attempt may take (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many attempts a request gets when Stripe is unreachable or answers 5xx (default 3).
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// How old a webhook's timestamp may be (default 300 s).
    pub fn tolerance_secs(mut self, secs: i64) -> Self {
        self.tolerance_secs = secs;
        self
    }

    /// The clock webhook timestamps are judged by.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Validates the settings and builds the provider.
    pub fn build(self) -> Result<StripePaymentProvider, StripeConfigError> {
        if !(self.secret_key.starts_with("sk_") || self.secret_key.starts_with("rk_")) {
            return Err(StripeConfigError::SecretKey);
        }
        if self.webhook_secrets.iter().any(|s| !s.starts_with("whsec_")) {
            return Err(StripeConfigError::WebhookSecret);
        }
        let mut builder = ClientBuilder::new(self.secret_key.clone()).timeout(self.timeout);
        if let Some(base) = &self.api_base {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(StripeConfigError::ApiBase);
            }
            builder = builder.url(base.trim_end_matches('/').trim_end_matches("/v1").to_owned());
        }
        let client = builder.build().map_err(|e| StripeConfigError::Client(e.to_string()))?;
        Ok(StripePaymentProvider {
            client,
            webhook_secrets: self.webhook_secrets,
            capture: self.capture,
            attempts: self.attempts,
            tolerance_secs: self.tolerance_secs,
            clock: self.clock,
        })
    }
}

/// Stripe, through PaymentIntents.
pub struct StripePaymentProvider {
    client: Client,
    webhook_secrets: Vec<String>,
    capture: CaptureMethod,
    attempts: u32,
    tolerance_secs: i64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for StripePaymentProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripePaymentProvider").field("capture", &self.capture).finish_non_exhaustive()
    }
}

impl StripePaymentProvider {
    /// Starts configuring a provider with its secret key.
    pub fn builder(secret_key: impl Into<String>) -> StripeConfigBuilder {
        StripeConfigBuilder {
            secret_key: secret_key.into(),
            webhook_secrets: Vec::new(),
            api_base: None,
            capture: CaptureMethod::Automatic,
            timeout: Duration::from_secs(10),
            attempts: 3,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
            clock: Arc::new(nite_core::SystemClock),
        }
    }

    /// Sends a request under `key`, again under the same key while Stripe is unreachable or failing (a replay is
    /// answered from Stripe's idempotency record, so nothing happens twice).
    async fn send<R>(&self, request: &R, key: Option<&str>, context: &'static str) -> Result<R::Output>
    where
        R: StripeRequest + Sync,
        R::Output: miniserde::Deserialize + Send,
    {
        let strategy = match key {
            Some(key) => RequestStrategy::Idempotent(
                IdempotencyKey::new(key).map_err(|e| Error::adapter(context, format!("{e:?}")))?,
            ),
            None => RequestStrategy::Once,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = request.customize().request_strategy(strategy.clone()).send(&self.client).await;
            match result {
                Ok(output) => return Ok(output),
                Err(error) if attempt < self.attempts && transient(&error) => {
                    tracing::warn!(attempt, context, "Stripe request failed, retrying under the same key");
                    tokio_sleep(Duration::from_millis(100 * 2_u64.pow(attempt - 1))).await;
                }
                Err(error) => return Err(map_error(error, context)),
            }
        }
    }
}

async fn tokio_sleep(duration: Duration) {
    // async-stripe runs on tokio; its timer is there whenever a request is.
    tokio::time::sleep(duration).await;
}

/// Whether a request may be retried: no answer, a timeout, or a 5xx / 409 / 429 from Stripe.
fn transient(error: &StripeError) -> bool {
    match error {
        StripeError::Timeout | StripeError::ClientError(_) => true,
        StripeError::Stripe(_, status) => *status >= 500 || *status == 409 || *status == 429,
        StripeError::JSONDeserialize(_) | StripeError::ConfigError(_) => false,
    }
}

fn map_error(error: StripeError, context: &'static str) -> Error {
    match error {
        StripeError::Stripe(api, status) => {
            let code = api
                .decline_code
                .clone()
                .or_else(|| api.code.as_ref().map(|c| c.as_str().to_owned()))
                .unwrap_or_else(|| api.type_.as_str().to_owned());
            let message = api.message.clone().unwrap_or_else(|| "Stripe refused the request".to_owned());
            match (&api.type_, status) {
                (ApiErrorsType::CardError, _) => Error::PaymentDeclined { code, message },
                (_, 404) => Error::not_found("payment", message),
                (_, s) if s >= 500 => Error::adapter(context, format!("Stripe answered {s}: {message}")),
                _ => Error::PaymentRejected { code, message },
            }
        }
        other => Error::adapter(context, other.to_string()),
    }
}

fn money(minor: i64, currency: &stripe_types::Currency) -> Result<Money> {
    let code = currency.to_string();
    let currency = Currency::from_code(&code).map_err(|e| Error::adapter("reading a Stripe amount", e))?;
    Ok(Money::from_minor(minor, currency))
}

fn to_payment(intent: &PaymentIntent) -> Result<ProviderPayment> {
    let status = match intent.status {
        PaymentIntentStatus::Succeeded => PaymentStatus::Captured,
        PaymentIntentStatus::RequiresCapture => PaymentStatus::Authorized,
        PaymentIntentStatus::Canceled => PaymentStatus::Failed,
        _ => PaymentStatus::Pending,
    };
    Ok(ProviderPayment {
        id: PaymentId::parse(intent.id.as_str()).map_err(|e| Error::adapter("reading a PaymentIntent", e))?,
        status,
        amount: money(intent.amount, &intent.currency)?,
        captured: money(intent.amount_received, &intent.currency)?,
        client_secret: if status == PaymentStatus::Pending { intent.client_secret.clone() } else { None },
    })
}

fn stripe_currency(money: Money) -> stripe_types::Currency {
    // `FromStr` for Stripe's currency is infallible; unknown codes travel as they are.
    money
        .currency()
        .code()
        .to_ascii_lowercase()
        .parse()
        .unwrap_or_else(|never: std::convert::Infallible| match never {})
}

#[async_trait]
impl PaymentProvider for StripePaymentProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<ProviderPayment> {
        let amount = request.amount.to_minor()?;
        let capture = match request.capture {
            CaptureMethod::Automatic => PaymentIntentCaptureMethod::Automatic,
            CaptureMethod::Manual => PaymentIntentCaptureMethod::Manual,
        };
        let create = CreatePaymentIntent::new(amount, stripe_currency(request.amount))
            .metadata(HashMap::from([("order_id".to_owned(), request.order_id.to_string())]))
            .receipt_email(request.email.as_str())
            .capture_method(capture)
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true));
        let intent = self.send(&create, Some(&request.idempotency_key), "creating a Stripe PaymentIntent").await?;
        to_payment(&intent)
    }

    async fn payment(&self, id: &PaymentId) -> Result<ProviderPayment> {
        let intent =
            self.send(&RetrievePaymentIntent::new(id.as_str()), None, "reading a Stripe PaymentIntent").await?;
        to_payment(&intent)
    }

    async fn capture(&self, id: &PaymentId, amount: Option<Money>) -> Result<ProviderPayment> {
        let mut capture = CapturePaymentIntent::new(id.as_str());
        if let Some(amount) = amount {
            capture = capture.amount_to_capture(amount.to_minor()?);
        }
        let key = format!("nite-capture-{id}");
        let intent = self.send(&capture, Some(&key), "capturing a Stripe PaymentIntent").await?;
        to_payment(&intent)
    }

    async fn cancel(&self, id: &PaymentId) -> Result<ProviderPayment> {
        let key = format!("nite-cancel-{id}");
        let intent =
            self.send(&CancelPaymentIntent::new(id.as_str()), Some(&key), "canceling a Stripe PaymentIntent").await?;
        to_payment(&intent)
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund> {
        let mut create = CreateRefund::new()
            .payment_intent(request.payment_id.as_str())
            .metadata(HashMap::from([("reason".to_owned(), request.reason.clone())]));
        if let Some(amount) = request.amount {
            create = create.amount(amount.to_minor()?);
        }
        let refund = self.send(&create, Some(&request.idempotency_key), "creating a Stripe refund").await?;
        Ok(ProviderRefund { id: refund.id.as_str().to_owned(), amount: money(refund.amount, &refund.currency)? })
    }

    fn parse_webhook(&self, request: &WebhookRequest<'_>) -> Result<Option<PaymentEvent>> {
        let now = self.clock.now().unix_timestamp();
        webhook::verify(
            request.body,
            request.header("Stripe-Signature"),
            &self.webhook_secrets,
            self.tolerance_secs,
            now,
        )
        .map_err(|e: SignatureError| Error::SignatureInvalid(e.to_string()))?;
        crate::event::parse(request.body)
    }
}
