//! nite-email: senders for nite's `EmailSender` port, the templates, and the outbox worker.
//!
//! - `SmtpEmailSender` (feature `smtp`, on by default): SMTP through lettre (plain, STARTTLS, implicit TLS;
//!   credentials in the URL).
//! - `PostmarkEmailSender` (feature `postmark`, on by default): Postmark's HTTP email API over reqwest.
//! - [`FileEmailSender`]: `.eml` files in a folder, one per `Message-ID`; the reference server's default.
//! - [`Renderer`]: order confirmation, shipping notification (with the carrier's tracking link), delivered,
//!   cancelled, refunded, welcome and password-reset emails, each with a text and an HTML body.
//! - [`OutboxWorker`]: leases messages from the outbox, sends them, retries with backoff and jitter, gives up
//!   after a limit, and never sends a message twice unless a worker crashed mid-send (then once more, with the
//!   same `Message-ID`).
//!
//! Rendering an email and writing it as a file:
//!
//! ```
//! use nite_core::email::EmailSender;
//! use nite_core::outbox::{Notification, OutboxMessage};
//! use nite_core::{CustomerId, Email, MessageId};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = nite_email::EmailSettings {
//!     from: nite_core::email::Mailbox { name: Some("Shop".into()), email: Email::parse("orders@shop.example")? },
//!     reply_to: None,
//!     shop_name: "Shop".into(),
//!     shop_url: "https://shop.example".into(),
//!     support_email: "help@shop.example".into(),
//!     message_id_domain: "shop.example".into(),
//!     reset_valid_minutes: 30,
//! };
//! let now = time::OffsetDateTime::now_utc();
//! let ada = nite_core::customer::Customer {
//!     id: CustomerId::parse("cus_1")?,
//!     email: Email::parse("ada@example.com")?,
//!     name: "Ada".into(),
//!     role: nite_core::customer::Role::Customer,
//!     group: None,
//!     created_at: now,
//! };
//! let id = MessageId::parse("msg_1")?;
//! let welcome = Notification::Welcome { customer_id: ada.id.clone() };
//! let message = OutboxMessage::new(id, ada.email.clone(), welcome, ada.id.as_str(), now);
//! // Templates render at send time from the records the message names: here, the customer.
//! let email = nite_email::Renderer::new(settings).render(&message, None, Some(&ada))?;
//! assert!(email.text.contains("https://shop.example"));
//! let dir = std::env::temp_dir().join(format!("nite-email-doc-{}", std::process::id()));
//! nite_email::FileEmailSender::new(&dir)?.send(&email).await?;
//! assert_eq!(std::fs::read_dir(&dir)?.count(), 1);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

mod file;
mod mime;
#[cfg(feature = "postmark")]
mod postmark;
mod render;
#[cfg(feature = "smtp")]
mod smtp;
#[cfg(feature = "testing")]
pub mod testing;
mod worker;

pub use file::FileEmailSender;
#[cfg(feature = "postmark")]
pub use postmark::{PostmarkConfigError, PostmarkEmailSender};
pub use render::{EmailSettings, Renderer, tracking_url};
#[cfg(feature = "smtp")]
pub use smtp::{SmtpConfigError, SmtpEmailSender};
pub use worker::{OutboxWorker, Pass, WorkerOptions, backoff};
