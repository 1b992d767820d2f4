//! `SqliteStore`: every storage port over one SQLite file in WAL mode. SQLite runs one writer at a time, so the store
//! gives writes one path: one connection that every write (a transaction or a single statement) goes through, in
//! the order it asked, waiting in a fair queue instead of busy-waiting on SQLite's lock. Reads go to read-only
//! connections, which WAL lets read while the writer writes (and which refuse a write, so a write sent the wrong way
//! fails every test). Write transactions begin `IMMEDIATE`. The store holds these connections itself and runs the
//! ports' statements on them in place, through rusqlite (`held.rs`, `lite.rs`); sqlx serves the migrations and the
//! public [`SqliteStore::pool`].

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::migrate::MigrateError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StorageError, redact};
use crate::held::{self, Conn, Opener, Readers, Shared, Transaction};
use crate::migrations::{SQLITE, latest, migrator};

/// The storage ports over SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Read-only connections for callers of [`SqliteStore::pool`] (tests, operators' queries, backups).
    pool: SqlitePool,
    /// The ports' reads: read-only connections held by the store.
    readers: Arc<Readers>,
    /// Every write: the one writing connection.
    writer: Shared,
    /// How sqlx connects, for the migrations (shared: the store is cloned for every request).
    options: Arc<SqliteConnectOptions>,
    /// Checkpoints the write-ahead log in the background while any clone of the store lives.
    _checkpoints: Arc<held::Checkpointer>,
}

/// How long a statement waits for a lock another process holds (a backup, an operator's shell).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path/to/nite.db` or `sqlite:nite.db`) with one
    /// writing connection and up to `max_connections` reading ones. Does not migrate: call [`SqliteStore::migrate`].
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqliteStore, StorageError> {
        let connect = |source| StorageError::Connect { url: redact(url), source };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // Only another process (a backup, an operator's shell) can hold the lock now; wait for it a while.
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        // The writer first: it creates the file and turns WAL on, which the read-only connections cannot.
        let opener = Opener { path, writer: true, busy_timeout: BUSY_TIMEOUT };
        let writer = opener.open().map_err(|e| connect(sqlx::Error::Configuration(e.into())))?;
        let reading = options.clone().read_only(true).pragma("cache_size", "-512");
        // sqlx's pool, for callers of `pool()`: it opens connections only when asked for one.
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .connect_lazy_with(reading.clone());
        let checkpoints =
            held::Checkpointer::start(&opener).map_err(|e| connect(sqlx::Error::Configuration(e.into())))?;
        let readers = Readers::new(Opener { writer: false, ..opener }, usize::try_from(max_connections).unwrap_or(1));
        Ok(SqliteStore {
            pool,
            options: Arc::new(options),
            readers: Arc::new(readers),
            writer: checkpoints.share_writer(writer),
            _checkpoints: Arc::new(checkpoints),
        })
    }

    /// The writing connection, once every write before has finished with it.
    pub(crate) async fn write(&self) -> nite_core::Result<Conn> {
        Conn::lock(&self.writer).await.map_err(crate::sql::db("taking the writing connection"))
    }

    /// A reading connection.
    pub(crate) async fn read(&self) -> nite_core::Result<Conn> {
        self.readers.read().await.map_err(crate::sql::db("taking a reading connection"))
    }

    /// Applies every migration not applied yet.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        // On a connection of sqlx's own, opened for the purpose, while the store's writer waits.
        let _writer =
            Conn::lock(&self.writer).await.map_err(|e| StorageError::Migrate(MigrateError::Source(e.into())))?;
        let mut conn = self.options.connect().await.map_err(|e| StorageError::Migrate(e.into()))?;
        let migrated = migrator(SQLITE).run(&mut conn).await.map_err(StorageError::Migrate);
        // A connection that fails to close cleanly is gone either way.
        let _closed = sqlx::Connection::close(conn).await;
        migrated
    }

    /// Whether the database answers and has every migration applied.
    pub async fn ready(&self) -> Result<bool, StorageError> {
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(|source| StorageError::Query { context: "checking migrations", source })?;
        Ok(version == Some(latest(SQLITE)))
    }

    /// Writes a consistent copy of the live database to `target` (a new file) with `VACUUM INTO`: one read
    /// transaction, so checkouts go on while it runs and the copy is the database as of one moment, compacted and
    /// with no write-ahead log to carry along. Open the copy as any shop file to restore it.
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<(), StorageError> {
        if target.exists() {
            return Err(StorageError::TargetExists(target.display().to_string()));
        }
        let target = target.to_str().ok_or(StorageError::Unsupported("the backup's path must be UTF-8"))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(|source| StorageError::Query { context: "backing up the database", source })?;
        Ok(())
    }

    /// The pool of reading connections.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
        self.readers.close().await;
        held::close(&self.writer).await;
    }
}

/// Serializes checkouts of one client: SQLite's write transactions are serialized already (one writer), so nothing to
/// do.
#[allow(clippy::unused_async, reason = "the same shape as PostgreSQL's")]
async fn lock_client(_tx: &mut Tx, _client: &str) -> nite_core::Result<()> {
    Ok(())
}

async fn begin_write(store: &SqliteStore) -> nite_core::Result<Tx> {
    Transaction::write(&store.writer).await.map_err(crate::sql::db("starting a write transaction"))
}

/// A row's `doc` column, borrowed from the row.
fn doc_text(row: &DbRow) -> Result<&str, crate::lite::LiteError> {
    row.text("doc")
}

/// Leases due outbox messages; SQLite runs one writer at a time, so the update is the claim.
const CLAIM_OUTBOX: &str = "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
     WHERE seq IN (SELECT seq FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
                   AND (lease_until IS NULL OR lease_until <= $3) ORDER BY seq LIMIT $4)
     RETURNING seq, id, dedupe_key, recipient, payload, status, attempts, created_at";

// The ports' SQL (`sql.rs`), compiled for this database: the files are shared with the other backend.

/// How a claim skips rows another transaction holds: SQLite runs one writer at a time, so there are none.
const SKIP_LOCKED: &str = "";

/// How a statement locks the rows a subquery picks, in its order: SQLite's one writer holds them all already.
const LOCK_ROWS: &str = "";

/// Whether several inserts go in one statement, as `WITH`s: SQLite takes no insert inside a `WITH`.
const WRITES_IN_WITH: bool = false;

/// The store the shared SQL implements the ports for.
type Store = SqliteStore;
/// A connection the shared SQL runs statements on.
type DbConn = rusqlite::Connection;
/// A row the shared SQL reads.
type DbRow = crate::lite::Row;
/// A write transaction, holding the writer.
type Tx = Transaction;
/// A statement with its values bound so far (owned: the lifetime is sqlx's, for the shared SQL).
type Statement<'q> = crate::lite::Query;
// The statements, run in place (`lite.rs`).
use crate::lite::{RowExt, query, query_scalar};

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
