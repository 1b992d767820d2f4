//! The storage ports in SQL, written once for both databases. Each file in `sql/` is plain Rust over a few names that
//! its parent module defines: `Store`, `Tx`, `DbConn`, `DbRow`, `RowExt`, `query` and `query_scalar`. `sqlite.rs`
//! and `postgres.rs` each include every file as a module of their own (`#[path = "sql/carts.rs"] mod carts;`), so
//! the same text compiles once as `impl CartStore for SqliteStore` over rusqlite (through `lite.rs`, which speaks
//! the part of sqlx's query interface used here) and once for `PgStore` over `sqlx::Postgres`. No macro is
//! involved: rustfmt, clippy and rust-analyzer see ordinary modules.
//!
//! The SQL is the same on SQLite and PostgreSQL (`$n` placeholders, `ON CONFLICT`, `RETURNING`); what differs (how
//! a write transaction begins, the pool's options, the migrations' DDL, claiming outbox rows) lives in the backend
//! modules beside those names: `begin_write`, `lock_client` and `CLAIM_OUTBOX`.
//!
//! Every atomic port call is one transaction. Stock is reserved by a conditional update per SKU
//! (`… WHERE on_hand - reserved >= $n`), never read-then-written in Rust; promotion limits likewise; order saves
//! check the version they loaded; the webhook inbox, idempotency keys and outbox dedupe keys are unique keys, so a
//! race loses at the database instead of writing twice.
//!
//! This file holds the helpers that do not depend on the database.

use nite_core::ports::Page;
use nite_core::{Error, Result};

/// `$1, $2, …` groups for a multi-row insert of `rows` rows of `columns` values, starting at `$first`.
pub(crate) fn placeholders(rows: usize, columns: usize, first: usize) -> String {
    let mut out = String::new();
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(first + row * columns + column).to_string());
        }
        out.push(')');
    }
    out
}

/// `$first, …` for an `IN (…)` list of `n` values.
pub(crate) fn in_list(n: usize, first: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A backend's error, as the shared SQL sees it.
pub(crate) trait DbError: std::error::Error + Send + Sync + 'static {
    /// Whether this is a unique-key violation.
    fn is_unique_violation(&self) -> bool;
}

impl DbError for sqlx::Error {
    fn is_unique_violation(&self) -> bool {
        matches!(self, sqlx::Error::Database(e) if e.is_unique_violation())
    }
}

#[cfg(feature = "sqlite")]
impl DbError for crate::lite::LiteError {
    fn is_unique_violation(&self) -> bool {
        crate::lite::LiteError::is_unique_violation(self)
    }
}

/// Whether a database error is a unique-key violation.
pub(crate) fn is_unique_violation(error: &impl DbError) -> bool {
    error.is_unique_violation()
}

/// Wraps a database error with what was being done.
pub(crate) fn db<E: DbError>(context: &'static str) -> impl FnOnce(E) -> nite_core::Error {
    move |e| nite_core::Error::adapter(context, e)
}

/// A unit enum's stored name: its serde name.
pub(crate) fn enum_name<T: serde::Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value).map_err(|e| Error::adapter("encoding a stored name", e))? {
        serde_json::Value::String(name) => Ok(name),
        other => Err(Error::adapter("encoding a stored name", format!("not a string: {other}"))),
    }
}

/// The unit enum a stored name names.
pub(crate) fn parse_name<T: serde::de::DeserializeOwned>(name: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| Error::adapter("decoding a stored name", e))
}

/// A count as SQL's integer.
pub(crate) fn int(value: u32) -> i64 {
    i64::from(value)
}

/// Keeps `limit` rows and returns the cursor of the next page, if there is one.
pub(crate) fn page_of<T>(mut items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(100);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&cursor_of)
    } else {
        None
    };
    Page { items, next_cursor }
}
