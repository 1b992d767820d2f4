//! `SmtpEmailSender`: email over SMTP with lettre: plain (`smtp://host:port`), STARTTLS
//! (`smtp://host:587?tls=required`) or implicit TLS (`smtps://host:465`), with credentials in the URL.

use std::time::Duration;

use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use nite_core::email::{EmailMessage, EmailSender};
use nite_core::{Error, Result};

/// A URL lettre cannot use.
#[derive(Debug, thiserror::Error)]
#[error("the SMTP URL is not usable: {0}")]
pub struct SmtpConfigError(String);

/// Email over SMTP.
#[derive(Clone)]
pub struct SmtpEmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
}

impl std::fmt::Debug for SmtpEmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show the host only.
        f.debug_struct("SmtpEmailSender").field("host", &self.host).finish_non_exhaustive()
    }
}

impl SmtpEmailSender {
    /// A sender for `url`, each attempt limited to `timeout`.
    pub fn from_url(url: &str, timeout: Duration) -> std::result::Result<SmtpEmailSender, SmtpConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpConfigError(e.to_string()))?
            .timeout(Some(timeout))
            .build();
        let host = url.rsplit_once('@').map_or(url, |(_, host)| host).to_owned();
        Ok(SmtpEmailSender { transport, host })
    }
}

#[async_trait]
impl EmailSender for SmtpEmailSender {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, email: &EmailMessage) -> Result<()> {
        let message = crate::mime::message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Error::EmailRejected(e.to_string())),
            Err(e) => Err(Error::adapter(format!("sending through SMTP at {}", self.host), e)),
        }
    }
}
