//! Email: the `EmailSender` port and the message it sends.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Email;
use crate::error::Result;

/// A name and an address, as a `From` or `Reply-To` header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// Display name (`NitePutter`), if any.
    pub name: Option<String>,
    /// The address.
    pub email: Email,
}

/// A rendered email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// The `Message-ID`, stable per outbox message (`<msg_…@domain>`): a resend after a crash carries the same id,
    /// so a receiver can tell a duplicate.
    pub message_id: String,
    /// The sender.
    pub from: Mailbox,
    /// Where replies go, if not the sender.
    pub reply_to: Option<Mailbox>,
    /// The recipient.
    pub to: Email,
    /// The subject (UTF-8).
    pub subject: String,
    /// The plain-text body: always present.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// Sends email.
///
/// An `Err(Adapter)` is a failure worth retrying (the server is down, a 4xx SMTP reply); `Err(EmailRejected)` is
/// final (a 5xx SMTP reply, a refused recipient): the outbox worker retries the first and gives up on the second.
#[async_trait]
pub trait EmailSender: Send + Sync {
    /// Its name (`smtp`, `file`), for logs.
    fn name(&self) -> &'static str;

    /// Sends one message.
    async fn send(&self, message: &EmailMessage) -> Result<()>;
}
