//! `PgStore`: every storage port over PostgreSQL, for several `niteputter` processes over one database. Consistency
//! across processes (stock, idempotency, webhook dedupe, promotion limits) comes from conditional updates and
//! unique keys in the database, never from locks in a process.

use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions, Postgres};

use crate::error::{StorageError, redact};
use crate::migrations::{POSTGRES, latest, migrator};

/// The storage ports over PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

/// A pooled connection idle this long is tested (a round trip) before it is used again.
const TEST_IDLE_AFTER: Duration = Duration::from_secs(1);

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) with up to `max_connections`
    /// connections. Does not migrate: call [`PgStore::migrate`].
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore, StorageError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            // sqlx tests every connection it hands out with a round trip to the server; under load that doubled
            // the round trips of the statements run outside a transaction. A connection is now tested only when
            // it has been idle a while, which is when the server may have closed it (a restart, an idle timeout);
            // a broken one is closed and another taken.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= TEST_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(|source| StorageError::Connect { url: redact(url), source })?;
        Ok(PgStore { pool })
    }

    /// Applies every migration not applied yet (under an advisory lock, so concurrent starters migrate once).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        migrator(POSTGRES).run(&self.pool).await.map_err(StorageError::Migrate)
    }

    /// Whether the database answers and has every migration applied.
    pub async fn ready(&self) -> Result<bool, StorageError> {
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(|source| StorageError::Query { context: "checking migrations", source })?;
        Ok(version == Some(latest(POSTGRES)))
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection for a write: any of the pool's (PostgreSQL runs writers concurrently and locks rows).
    pub(crate) async fn write(&self) -> nite_core::Result<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(crate::sql::db("taking a connection"))
    }

    /// A connection for a read.
    pub(crate) async fn read(&self) -> nite_core::Result<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(crate::sql::db("taking a connection"))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn begin_write(store: &PgStore) -> nite_core::Result<Tx> {
    store.pool.begin().await.map_err(crate::sql::db("starting a transaction"))
}

/// Serializes checkouts of one client for the rest of the transaction, so that its count of unpaid orders cannot
/// be read by two transactions at once (under READ COMMITTED each would miss the other's insert).
async fn lock_client(tx: &mut Tx, client: &str) -> nite_core::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(client)
        .execute(&mut **tx)
        .await
        .map_err(crate::sql::db("locking a client's checkouts"))?;
    Ok(())
}

/// A row's `doc` column, borrowed from the row.
fn doc_text(row: &DbRow) -> Result<&str, sqlx::Error> {
    sqlx::Row::try_get(row, "doc")
}

/// Leases due outbox messages; `SKIP LOCKED` lets concurrent workers pass over each other's rows instead of waiting.
const CLAIM_OUTBOX: &str = "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
     WHERE seq IN (SELECT seq FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
                   AND (lease_until IS NULL OR lease_until <= $3) ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING seq, id, dedupe_key, recipient, payload, status, attempts, created_at";

// The ports' SQL (`sql.rs`), compiled for this database: the files are shared with the other backend.

/// How a claim skips rows another transaction holds, so concurrent dispatchers pass over each other's rows.
const SKIP_LOCKED: &str = "FOR UPDATE SKIP LOCKED";

/// How a statement locks the rows a subquery picks, in its order (so two transactions lock in the same order).
const LOCK_ROWS: &str = "FOR UPDATE";

/// Whether several inserts go in one statement, as `WITH`s: PostgreSQL runs them as data-modifying `WITH`s.
const WRITES_IN_WITH: bool = true;

/// The store the shared SQL implements the ports for.
type Store = PgStore;
/// The database the shared SQL runs on.
type Db = sqlx::Postgres;
/// A connection the shared SQL runs statements on.
type DbConn = sqlx::PgConnection;
/// A row the shared SQL reads.
type DbRow = sqlx::postgres::PgRow;
/// A transaction on [`Db`].
type Tx = sqlx::Transaction<'static, Db>;
use sqlx::Row as RowExt;

/// A statement with its values bound so far.
type Statement<'q> = sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments>;

/// A statement to run (sqlx's, for [`Db`]).
fn query<'q>(sql: impl sqlx::SqlSafeStr) -> sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments> {
    sqlx::query(sql)
}

/// A statement whose rows are read for their first column, as an `O`.
fn query_scalar<'q, O>(sql: impl sqlx::SqlSafeStr) -> sqlx::query::QueryScalar<'q, Db, O, sqlx::postgres::PgArguments>
where
    (O,): for<'r> sqlx::FromRow<'r, DbRow>,
{
    sqlx::query_scalar(sql)
}

#[path = "sql/carts.rs"]
mod carts;
#[path = "sql/catalog.rs"]
mod catalog;
#[path = "sql/customers.rs"]
mod customers;
#[path = "sql/events.rs"]
mod events;
#[path = "sql/operations.rs"]
mod operations;
#[path = "sql/orders.rs"]
mod orders;
#[path = "sql/promotions.rs"]
mod promotions;
#[path = "sql/records.rs"]
mod records;
#[path = "sql/reviews.rs"]
mod reviews;
#[path = "sql/rows.rs"]
mod rows;
