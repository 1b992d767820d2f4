//! The contract suite of `EmailSender`: what every sender must deliver, read back from wherever it delivers.

use std::future::Future;

use crate::Email;
use crate::email::{EmailMessage, EmailSender, Mailbox};

/// A message as the receiving end saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The recipient.
    pub to: String,
    /// The `Message-ID`.
    pub message_id: String,
    /// The subject.
    pub subject: String,
    /// The whole message as received (raw MIME, or the provider's JSON), to search for the bodies.
    pub raw: String,
}

fn email(n: u32) -> EmailMessage {
    EmailMessage {
        message_id: format!("<contract-{n}@nite.example>"),
        from: Mailbox { name: Some("NitePutter Orders".into()), email: Email::parse("orders@nite.example").unwrap() },
        reply_to: Some(Mailbox { name: None, email: Email::parse("help@nite.example").unwrap() }),
        to: Email::parse(&format!("shopper{n}@example.com")).unwrap(),
        subject: format!("Contract message {n}"),
        text: format!("Plain body {n}"),
        html: format!("<p>HTML body {n}</p>"),
    }
}

/// Sends two messages and checks that `delivered()` then shows exactly them, each with its recipient, subject,
/// `Message-ID`, text body and HTML body.
pub async fn email_sender<F, Fut>(sender: &dyn EmailSender, delivered: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Vec<Received>>,
{
    assert!(!sender.name().is_empty());
    for n in [1, 2] {
        sender.send(&email(n)).await.unwrap();
    }
    let mut received = delivered().await;
    received.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    assert_eq!(received.len(), 2, "{received:?}");
    for (n, got) in [1, 2].into_iter().zip(&received) {
        let sent = email(n);
        assert_eq!(got.message_id, sent.message_id);
        assert_eq!(got.to, sent.to.as_str());
        assert_eq!(got.subject, sent.subject);
        assert!(got.raw.contains(&sent.text), "the text body is there: {}", got.raw);
        assert!(got.raw.contains(&format!("HTML body {n}")), "the HTML body is there: {}", got.raw);
    }
}
