//! Email adapters for nite's `EmailSender` port (SMTP, an HTTP email API, a file sender) and the outbox worker.
//!
//! Nothing lives here yet: the port and its adapters arrive with the email work.
