//! `SmtpEmailSender`: email over SMTP with lettre: plain (`smtp://host:port`), STARTTLS
//! (`smtp://host:587?tls=required`) or implicit TLS (`smtps://host:465`), with credentials in the URL.

use std::time::Duration;

use async_trait::async_trait;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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
    /// A sender for `url`, each attempt limited to `timeout`; TLS servers are checked against the public roots.
    pub fn from_url(url: &str, timeout: Duration) -> std::result::Result<SmtpEmailSender, SmtpConfigError> {
        SmtpEmailSender::with_root_certificate(url, timeout, None)
    }

    /// As [`from_url`](SmtpEmailSender::from_url), also trusting the PEM certificate `root` (a relay with a
    /// private CA) for STARTTLS (`?tls=required|opportunistic`) and implicit TLS (`smtps://`).
    pub fn with_root_certificate(
        url: &str,
        timeout: Duration,
        root: Option<&[u8]>,
    ) -> std::result::Result<SmtpEmailSender, SmtpConfigError> {
        let config = |e: lettre::transport::smtp::Error| SmtpConfigError(e.to_string());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(config)?.timeout(Some(timeout));
        let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let host = authority.split(['/', '?']).next().unwrap_or_default().to_owned();
        if let Some(pem) = root {
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(SmtpConfigError("the root certificate is not a PEM certificate".into()));
            }
            let domain = host.rsplit_once(':').map_or(host.as_str(), |(name, _)| name).to_owned();
            let certificate = Certificate::from_pem(pem).map_err(config)?;
            let parameters =
                TlsParameters::builder(domain).add_root_certificate(certificate).build_rustls().map_err(config)?;
            let tls = if url.starts_with("smtps://") {
                Some(Tls::Wrapper(parameters))
            } else if url.contains("tls=required") {
                Some(Tls::Required(parameters))
            } else if url.contains("tls=opportunistic") {
                Some(Tls::Opportunistic(parameters))
            } else {
                None
            };
            if let Some(tls) = tls {
                builder = builder.tls(tls);
            }
        }
        Ok(SmtpEmailSender { transport: builder.build(), host })
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
