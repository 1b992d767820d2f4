//! nite-http's integration tests: the crates composed as the server composes them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod accounts;
mod admin;
mod api;
mod e2e;
mod endpoints;
mod merchandising;
mod openapi;
mod outbox;
mod providers;
mod reviews;
mod webhook;
