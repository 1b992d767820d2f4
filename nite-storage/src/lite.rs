//! SQLite in place: the ports' statements run on the calling thread, through rusqlite, instead of being handed to a
//! connection thread and back.
//!
//! sqlx runs every SQLite connection on a thread of its own, so each statement was a hand-over to that thread and a
//! wake-up back (30–70 µs here, however small the statement), and a write transaction held the one writer across
//! every hand-over. SQLite itself is a library call of a few microseconds for the statements the ports issue, so they
//! run right where they are asked for, on prepared statements the connection keeps. A transaction now holds the
//! writer only while its statements actually run.
//!
//! This module offers the small part of sqlx's query interface the shared SQL uses (`query`, `query_scalar`,
//! `bind`, `execute`, `fetch_one`, `fetch_optional`, `fetch_all`, `Row::try_get`), so `sql/*.rs` compiles unchanged
//! against either backend (see `sql.rs`). The futures it returns are ready at once: nothing here waits, except for
//! the connection's lock, in `held.rs`.
//!
//! Parameters are `$1`, `$2`, … as on PostgreSQL, bound by number wherever they appear. Every statement is logged at
//! `debug` under the target `nite_storage::statement`, as sqlx logs its own under `sqlx::query`.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::types::{FromSql, ToSql, ToSqlOutput, Value, ValueRef};

/// What went wrong running a statement.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LiteError {
    /// SQLite refused the statement, or a value.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A thread the store needs could not start.
    #[error("starting the SQLite checkpointer: {0}")]
    Thread(#[source] std::io::Error),
    /// The store was closed.
    #[error("the SQLite store is closed")]
    Closed,
    /// A statement's parameter is not `$n`, or `$n` was not bound.
    #[error("parameter `{0}` is not `$n` for a bound value n")]
    Parameter(String),
    /// A column's value is not of the type asked for, or there is no such column.
    #[error("column `{column}`: {source}")]
    Column {
        /// The column.
        column: String,
        /// Why it could not be read.
        source: rusqlite::types::FromSqlError,
    },
}

impl LiteError {
    /// Whether this is a unique (or primary) key violation.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            LiteError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    }
}

/// Runs `sql`, one statement with no values and no rows (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`), logged like the
/// others and, like them, prepared once per connection: every write transaction runs two of these.
pub(crate) fn batch(conn: &Connection, sql: &str) -> Result<(), LiteError> {
    log(sql, 0);
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn log(sql: &str, values: usize) {
    if tracing::enabled!(target: "nite_storage::statement", tracing::Level::DEBUG) {
        let summary = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        tracing::debug!(target: "nite_storage::statement", summary = %summary, values);
    }
}

/// What statements run on: a connection. (A trait rather than `&mut Connection`, so the shared SQL's `&mut *tx`,
/// which sqlx's generic executors need, reads the same here.)
pub(crate) trait OnConnection {
    /// The connection.
    fn connection(&mut self) -> &Connection;
}

impl OnConnection for Connection {
    fn connection(&mut self) -> &Connection {
        self
    }
}

/// A statement's text: most are constants, a few are built for the number of values they take.
#[derive(Debug)]
pub(crate) enum Sql {
    /// A constant.
    Static(&'static str),
    /// Built at run time from constant parts.
    Built(String),
}

impl Sql {
    fn as_str(&self) -> &str {
        match self {
            Sql::Static(s) => s,
            Sql::Built(s) => s,
        }
    }
}

impl From<&'static str> for Sql {
    fn from(sql: &'static str) -> Sql {
        Sql::Static(sql)
    }
}

impl From<sqlx::AssertSqlSafe<String>> for Sql {
    fn from(sql: sqlx::AssertSqlSafe<String>) -> Sql {
        Sql::Built(sql.0)
    }
}

/// A statement and its values, to run on a connection.
#[derive(Debug)]
#[must_use = "a query does nothing until it runs"]
pub(crate) struct Query {
    sql: Sql,
    values: Vec<Value>,
    /// The first value that could not be converted, reported when the query runs.
    invalid: Option<rusqlite::Error>,
}

/// A statement whose rows are read for their first column.
#[derive(Debug)]
#[must_use = "a query does nothing until it runs"]
pub(crate) struct Scalar<O> {
    query: Query,
    output: PhantomData<fn() -> O>,
}

/// A statement to run.
pub(crate) fn query(sql: impl Into<Sql>) -> Query {
    Query { sql: sql.into(), values: Vec::new(), invalid: None }
}

/// A statement whose rows are read for their first column, as an `O`.
pub(crate) fn query_scalar<O: FromSql>(sql: impl Into<Sql>) -> Scalar<O> {
    Scalar { query: query(sql), output: PhantomData }
}

/// What a statement changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done {
    rows_affected: u64,
}

impl Done {
    /// The rows the statement inserted, updated or deleted.
    pub(crate) fn rows_affected(self) -> u64 {
        self.rows_affected
    }
}

/// One row, its values copied out of SQLite.
#[derive(Debug)]
pub(crate) struct Row {
    columns: Arc<[Box<str>]>,
    values: Vec<Value>,
}

impl Row {
    /// The text column `name`, borrowed from the row (a stored document is parsed from it without another copy).
    pub(crate) fn text(&self, name: &str) -> Result<&str, LiteError> {
        match name.position(&self.columns).and_then(|i| self.values.get(i)) {
            Some(Value::Text(text)) => Ok(text),
            Some(_) => {
                Err(LiteError::Column { column: name.to_owned(), source: rusqlite::types::FromSqlError::InvalidType })
            }
            None => Err(LiteError::Column {
                column: name.to_owned(),
                source: rusqlite::types::FromSqlError::Other("no such column".into()),
            }),
        }
    }
}

/// Reading a row's columns, by name or position: the one method the shared SQL uses, named as sqlx names it.
pub(crate) trait RowExt {
    /// The column `index` as a `T`.
    fn try_get<T: FromSql, I: ColumnIndex>(&self, index: I) -> Result<T, LiteError>;
}

/// A way to name a column: its name or its position.
pub(crate) trait ColumnIndex {
    /// The position of this column among `columns`.
    fn position(&self, columns: &[Box<str>]) -> Option<usize>;
    /// How to name it in an error.
    fn describe(&self) -> String;
}

impl ColumnIndex for &str {
    fn position(&self, columns: &[Box<str>]) -> Option<usize> {
        columns.iter().position(|c| &**c == *self)
    }

    fn describe(&self) -> String {
        (*self).to_owned()
    }
}

impl ColumnIndex for usize {
    fn position(&self, columns: &[Box<str>]) -> Option<usize> {
        (*self < columns.len()).then_some(*self)
    }

    fn describe(&self) -> String {
        format!("#{self}")
    }
}

impl RowExt for Row {
    fn try_get<T: FromSql, I: ColumnIndex>(&self, index: I) -> Result<T, LiteError> {
        let column_error = |source| LiteError::Column { column: index.describe(), source };
        let value = index
            .position(&self.columns)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| column_error(rusqlite::types::FromSqlError::Other("no such column".into())))?;
        T::column_result(ValueRef::from(value)).map_err(column_error)
    }
}

fn owned(output: ToSqlOutput<'_>) -> Result<Value, rusqlite::Error> {
    match output {
        ToSqlOutput::Borrowed(value) => Ok(owned_value(value)),
        ToSqlOutput::Owned(value) => Ok(value),
        _ => Err(rusqlite::Error::ToSqlConversionFailure("a value SQLite cannot store in place".into())),
    }
}

/// A value copied out of SQLite (or out of a borrowed parameter).
fn owned_value(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(match std::str::from_utf8(t) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// The first of what a statement read, if anything.
fn first<T>(read: Vec<T>) -> Option<T> {
    read.into_iter().next()
}

/// The first of what a statement read; an error if it read nothing.
fn only<T>(read: Vec<T>) -> Result<T, LiteError> {
    first(read).ok_or(LiteError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

impl Query {
    /// Adds the value of the next parameter (`$1` first).
    pub(crate) fn bind<T: ToSql>(mut self, value: T) -> Query {
        match value.to_sql().and_then(owned) {
            Ok(value) => self.values.push(value),
            Err(e) => {
                self.values.push(Value::Null);
                self.invalid.get_or_insert(e);
            }
        }
        self
    }

    /// Runs the statement (reading and dropping any rows it returns).
    pub(crate) fn execute<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<Done, LiteError>> {
        ready(self.run(conn.connection(), |_| Ok(())).map(|((), rows_affected)| Done { rows_affected }))
    }

    /// Every row.
    pub(crate) fn fetch_all<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<Vec<Row>, LiteError>> {
        ready(self.rows(conn.connection(), usize::MAX))
    }

    /// The first row, if there is one.
    pub(crate) fn fetch_optional<C: OnConnection + ?Sized>(
        self,
        conn: &mut C,
    ) -> Ready<Result<Option<Row>, LiteError>> {
        ready(self.rows(conn.connection(), 1).map(first))
    }

    /// The first row; an error if there is none.
    pub(crate) fn fetch_one<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<Row, LiteError>> {
        ready(self.rows(conn.connection(), 1).and_then(only))
    }

    fn rows(self, conn: &Connection, most: usize) -> Result<Vec<Row>, LiteError> {
        let (rows, _) = self.run(conn, |rows| {
            let names: Arc<[Box<str>]> = match rows.as_ref() {
                Some(statement) => statement.column_names().into_iter().map(Box::from).collect(),
                None => Arc::new([]),
            };
            let mut out = Vec::new();
            while out.len() < most {
                let Some(row) = rows.next()? else { break };
                let values = (0..names.len()).map(|i| row.get_ref(i).map(owned_value)).collect::<Result<_, _>>()?;
                out.push(Row { columns: Arc::clone(&names), values });
            }
            Ok(out)
        })?;
        Ok(rows)
    }

    /// Prepares (or takes from the connection's cache) the statement, binds its values by number, and hands its rows
    /// to `read`; then steps through whatever rows `read` left, so the statement runs to its end.
    fn run<T>(
        self,
        conn: &Connection,
        read: impl FnOnce(&mut rusqlite::Rows<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<(T, u64), LiteError> {
        if let Some(e) = self.invalid {
            return Err(e.into());
        }
        let sql = self.sql.as_str();
        log(sql, self.values.len());
        let mut statement = conn.prepare_cached(sql)?;
        for index in 1..=statement.parameter_count() {
            let name = statement.parameter_name(index).unwrap_or("?");
            let value = name
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| self.values.get(n))
                .ok_or_else(|| LiteError::Parameter(name.to_owned()))?;
            statement.raw_bind_parameter(index, value)?;
        }
        let mut rows = statement.raw_query();
        let out = read(&mut rows)?;
        while rows.next()?.is_some() {}
        drop(rows);
        Ok((out, conn.changes()))
    }
}

impl<O: FromSql> Scalar<O> {
    /// Adds the value of the next parameter (`$1` first).
    pub(crate) fn bind<T: ToSql>(self, value: T) -> Scalar<O> {
        Scalar { query: self.query.bind(value), output: PhantomData }
    }

    /// The first column of every row.
    pub(crate) fn fetch_all<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<Vec<O>, LiteError>> {
        ready(self.scalars(conn.connection(), usize::MAX))
    }

    /// The first column of the first row, if there is one.
    pub(crate) fn fetch_optional<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<Option<O>, LiteError>> {
        ready(self.scalars(conn.connection(), 1).map(first))
    }

    /// The first column of the first row; an error if there is none.
    pub(crate) fn fetch_one<C: OnConnection + ?Sized>(self, conn: &mut C) -> Ready<Result<O, LiteError>> {
        ready(self.scalars(conn.connection(), 1).and_then(only))
    }

    fn scalars(self, conn: &Connection, most: usize) -> Result<Vec<O>, LiteError> {
        let (values, _) = self.query.run(conn, |rows| {
            let mut out = Vec::new();
            while out.len() < most {
                let Some(row) = rows.next()? else { break };
                out.push(row.get::<_, O>(0)?);
            }
            Ok(out)
        })?;
        Ok(values)
    }
}
