//! nite-webhooks: outgoing webhooks for nite's `WebhookSender` port, signed per the
//! [Standard Webhooks](https://www.standardwebhooks.com/) specification, so a receiver verifies them with any of
//! that specification's libraries.
//!
//! Each request is a `POST` of the event's JSON (`{"id", "timestamp", "type", "data"}`) with three headers:
//! `webhook-id` (the event id: the same on every retry, so receivers deduplicate on it), `webhook-timestamp` (Unix
//! seconds, when this attempt was signed) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
//! `{id}.{timestamp}.{body}` under the endpoint's secret, the base64 after its `whsec_` prefix decoded).
//!
//! ```
//! // The specification's own example (its secret, id, timestamp and body).
//! let signature = nite_webhooks::sign(
//!     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
//!     "msg_p5jXN8AQM9LWM0D4loKWxJek",
//!     1614265330,
//!     r#"{"test": 2432232314}"#,
//! )?;
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! # Ok::<(), nite_webhooks::SecretError>(())
//! ```

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use nite_core::events::{DomainEvent, WebhookEndpoint};
use nite_core::services::WebhookSender;
use nite_core::{Error, Result};
use sha2::Sha256;

/// A signing secret that is not `whsec_` followed by base64.
#[derive(Debug, thiserror::Error)]
#[error("a webhook secret is `whsec_` followed by base64")]
pub struct SecretError;

/// The `webhook-signature` header of `body` sent as message `id` at `timestamp` (Unix seconds) under `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> std::result::Result<String, SecretError> {
    let key = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = STANDARD.decode(key).map_err(|_| SecretError)?;
    if key.is_empty() {
        return Err(SecretError);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SecretError)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// Sends events over HTTP with reqwest: `POST` to the endpoint's URL, signed, with a timeout. Any `2xx` is
/// accepted; anything else (or no answer) is an error the dispatcher retries with backoff. Redirects are not
/// followed: a receiver answers where it was configured.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::Client,
}

impl HttpWebhookSender {
    /// A sender whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<HttpWebhookSender> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = |e: String| Error::adapter("configuring the webhook client", e);
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| config(e.to_string()))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| config(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("nite-webhooks/", env!("CARGO_PKG_VERSION")))
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| config(e.to_string()))?;
        Ok(HttpWebhookSender { client })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, endpoint: &WebhookEndpoint, event: &DomainEvent, body: &str) -> Result<()> {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(&endpoint.secret, event.id.as_str(), timestamp, body)
            .map_err(|e| Error::adapter("signing a webhook", e))?;
        let response = self
            .client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("webhook-id", event.id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| Error::adapter("sending a webhook", e.without_url()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(Error::adapter("sending a webhook", format!("the endpoint answered {status}")))
        }
    }
}
