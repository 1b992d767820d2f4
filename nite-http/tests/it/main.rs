//! nite-http's integration tests: the crates composed as the server composes them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod abuse;
mod accounts;
mod admin;
mod api;
mod cluster;
mod e2e;
mod endpoints;
mod hardening;
mod merchandising;
mod openapi;
mod operations;
mod outbox;
mod outgoing;
mod providers;
mod restarts;
mod reviews;
mod web;
mod webhook;
