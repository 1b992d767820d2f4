//! nite-shipping's integration tests.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod easypost;
mod table;
