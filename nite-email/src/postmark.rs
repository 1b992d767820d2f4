//! `PostmarkEmailSender`: email through Postmark's HTTP API (`POST /email`, `X-Postmark-Server-Token`), with the
//! API base configurable for a local fake.
//!
//! Postmark answers 200 with `ErrorCode: 0` when it accepted the message; 401 (bad token), 406 (inactive
//! recipient) and 422 (invalid request) are final; 429, 5xx, timeouts and refused connections are worth a retry.

use std::time::Duration;

use async_trait::async_trait;
use nite_core::email::{EmailMessage, EmailSender, Mailbox};
use nite_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Postmark settings that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostmarkConfigError {
    /// No server token.
    #[error("the Postmark server token is empty")]
    Token,
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// Email through Postmark.
#[derive(Clone)]
pub struct PostmarkEmailSender {
    client: reqwest::Client,
    token: String,
    api_base: String,
    stream: String,
}

impl std::fmt::Debug for PostmarkEmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token never reaches a log.
        f.debug_struct("PostmarkEmailSender").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Header<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Outgoing<'a> {
    from: String,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<String>,
    subject: &'a str,
    text_body: &'a str,
    html_body: &'a str,
    headers: Vec<Header<'a>>,
    message_stream: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error_code: i64,
    message: String,
}

fn address(m: &Mailbox) -> String {
    match &m.name {
        // Quoted, with quotes and backslashes escaped, as RFC 5322 display names allow.
        Some(name) => format!("\"{}\" <{}>", name.replace('\\', "\\\\").replace('"', "\\\""), m.email),
        None => m.email.to_string(),
    }
}

impl PostmarkEmailSender {
    /// A sender with `token`, talking to `api_base` (Postmark's is `https://api.postmarkapp.com`), each request
    /// limited to `timeout`.
    pub fn new(token: &str, api_base: &str, timeout: Duration) -> std::result::Result<Self, PostmarkConfigError> {
        if token.trim().is_empty() {
            return Err(PostmarkConfigError::Token);
        }
        let client = http_client(timeout).map_err(PostmarkConfigError::Client)?;
        Ok(PostmarkEmailSender {
            client,
            token: token.to_owned(),
            api_base: api_base.trim_end_matches('/').to_owned(),
            stream: "outbound".to_owned(),
        })
    }
}

/// An HTTP client whose TLS uses ring and the platform's roots, set on the client itself: nothing process-wide is
/// installed (that is the binary's choice, not a library's), and nothing panics for want of a default provider.
fn http_client(timeout: std::time::Duration) -> std::result::Result<reqwest::Client, String> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| e.to_string())?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
        .with_no_client_auth();
    reqwest::Client::builder().timeout(timeout).tls_backend_preconfigured(tls).build().map_err(|e| e.to_string())
}

#[async_trait]
impl EmailSender for PostmarkEmailSender {
    fn name(&self) -> &'static str {
        "postmark"
    }

    async fn send(&self, email: &EmailMessage) -> Result<()> {
        let body = Outgoing {
            from: address(&email.from),
            to: email.to.as_str(),
            reply_to: email.reply_to.as_ref().map(address),
            subject: &email.subject,
            text_body: &email.text,
            html_body: &email.html,
            headers: vec![Header { name: "Message-ID", value: &email.message_id }],
            message_stream: &self.stream,
        };
        let response = self
            .client
            .post(format!("{}/email", self.api_base))
            .header("Accept", "application/json")
            .header("X-Postmark-Server-Token", &self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::adapter("sending through Postmark", e))?;
        let status = response.status().as_u16();
        let answer: Option<Answer> = response.json().await.ok();
        match (status, answer) {
            (200, Some(a)) if a.error_code == 0 => Ok(()),
            (401 | 406 | 422, Some(a)) => {
                Err(Error::EmailRejected(format!("Postmark {} ({}): {}", status, a.error_code, a.message)))
            }
            (401 | 406 | 422, None) => Err(Error::EmailRejected(format!("Postmark answered {status}"))),
            (200, Some(a)) => Err(Error::EmailRejected(format!("Postmark ({}): {}", a.error_code, a.message))),
            (status, _) => Err(Error::adapter("sending through Postmark", format!("Postmark answered {status}"))),
        }
    }
}
