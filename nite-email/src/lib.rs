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
