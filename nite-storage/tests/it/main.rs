//! nite-storage's integration tests: the contract suites of `nite_core::contract` on a real SQLite file and on a
//! real PostgreSQL server, plus what only a database can show.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod harness;
#[cfg(feature = "postgres")]
mod postgres;
mod spawned;
mod sqlite;
