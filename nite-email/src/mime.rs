//! The MIME form of an email, built by lettre: `multipart/alternative` (text, then HTML), UTF-8 headers encoded
//! as RFC 2047 requires, and the stable `Message-ID`.

use lettre::Message;
use lettre::message::{Mailbox as LettreMailbox, MultiPart, header};
use nite_core::email::{EmailMessage, Mailbox};
use nite_core::{Error, Result};

fn mailbox(m: &Mailbox) -> Result<LettreMailbox> {
    let address = m.email.as_str().parse().map_err(|e| Error::EmailRejected(format!("address {}: {e}", m.email)))?;
    Ok(LettreMailbox::new(m.name.clone(), address))
}

/// The lettre message for `email`.
pub(crate) fn message(email: &EmailMessage) -> Result<Message> {
    let to = Mailbox { name: None, email: email.to.clone() };
    let mut builder = Message::builder()
        .message_id(Some(email.message_id.clone()))
        .from(mailbox(&email.from)?)
        .to(mailbox(&to)?)
        .subject(email.subject.clone());
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    builder
        .header(header::MIME_VERSION_1_0)
        .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
        .map_err(|e| Error::EmailRejected(format!("building the message: {e}")))
}
