//! nite-email's integration tests: templates, the file sender, and SMTP and the outbox worker against a real SMTP
//! server (Python's aiosmtpd, which `./scripts/test` installs) on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod file;
mod harness;
mod render;
mod senders;
mod smtp;
mod tls;
