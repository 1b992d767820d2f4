//! nite-storage: every storage port of `nite_core::ports`, for SQLite (the embedded default: one file, WAL, its
//! statements run in place through rusqlite) and PostgreSQL (for several processes over one database, through sqlx),
//! with embedded migrations (sqlx's migrator).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let db = nite_storage::Database::connect("sqlite://niteputter.db", 8).await?;
//! db.migrate().await?;
//! let stores = db.stores();
//! let stock = stores.inventory.all_stock().await?;
//! # Ok(()) }
//! ```
//!
//! Both databases run the same SQL (see `sql.rs`) and pass the same contract suites (`nite_core::contract`).
//! Money is stored as integer minor units with its currency code, times as Unix microseconds, and whole aggregates
//! as JSON documents beside the columns queries filter and lock on.

mod codec;
mod error;
#[cfg(feature = "sqlite")]
mod held;
#[cfg(feature = "sqlite")]
mod lite;
mod migrations;
#[cfg(feature = "postgres")]
#[allow(clippy::duplicate_mod, reason = "both backends compile the same `sql/` files, by design (see `sql.rs`)")]
mod postgres;
mod sql;
#[cfg(feature = "sqlite")]
#[allow(clippy::duplicate_mod, reason = "both backends compile the same `sql/` files, by design (see `sql.rs`)")]
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{StorageError, redact};
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use std::sync::Arc;

use nite_core::ports::Stores;

/// Notifications from other processes over the same PostgreSQL database ([`Database::listen`]).
#[derive(Debug)]
pub struct Listener {
    #[cfg(feature = "postgres")]
    inner: sqlx::postgres::PgListener,
}

impl Listener {
    /// The next notification: `Ok(true)` for one, `Ok(false)` when the connection was lost and re-established
    /// (notifications sent meanwhile were missed: act as if one came).
    pub async fn next(&mut self) -> Result<bool, StorageError> {
        #[cfg(feature = "postgres")]
        {
            let received = self.inner.try_recv().await;
            received
                .map(|n| n.is_some())
                .map_err(|source| StorageError::Query { context: "receiving a notification", source })
        }
        #[cfg(not(feature = "postgres"))]
        {
            std::future::pending::<()>().await;
            Ok(false)
        }
    }
}

/// A database chosen by its URL.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Database {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteStore),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(PgStore),
}

impl Database {
    /// Connects by URL: `sqlite:…` for SQLite, `postgres://…` or `postgresql://…` for PostgreSQL.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Database, StorageError> {
        #[cfg(feature = "sqlite")]
        if url.starts_with("sqlite:") {
            return Ok(Database::Sqlite(SqliteStore::connect(url, max_connections).await?));
        }
        #[cfg(feature = "postgres")]
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(PgStore::connect(url, max_connections).await?));
        }
        let _ = max_connections;
        Err(StorageError::UnsupportedUrl(redact(url)))
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => store.migrate().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.migrate().await,
        }
    }

    /// Whether the database answers and is fully migrated.
    pub async fn ready(&self) -> Result<bool, StorageError> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => store.ready().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.ready().await,
        }
    }

    /// Every storage port, served by this database.
    pub fn stores(&self) -> Stores {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => Stores::from_store(Arc::new(store.clone())),
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => Stores::from_store(Arc::new(store.clone())),
        }
    }

    /// Writes a consistent copy of a live SQLite shop to `target`, a new file (see [`SqliteStore::backup_to`]);
    /// PostgreSQL is backed up with its own tools (`pg_dump`), so this answers [`StorageError::Unsupported`].
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<(), StorageError> {
        let _ = target;
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => store.backup_to(target).await,
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => Err(StorageError::Unsupported(
                "a PostgreSQL shop is backed up with pg_dump (see docs/deployment.md), not niteputter backup",
            )),
        }
    }

    /// Tells every process listening on this database that `channel` changed (PostgreSQL `NOTIFY`); `false` on
    /// SQLite, which has no such thing (one file is one process's).
    pub async fn notify(&self, channel: &str) -> Result<bool, StorageError> {
        let _ = channel;
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(_) => Ok(false),
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => {
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(channel)
                    .execute(store.pool())
                    .await
                    .map_err(|source| StorageError::Query { context: "notifying other processes", source })?;
                Ok(true)
            }
        }
    }

    /// Listens for [`Database::notify`] on `channel` (PostgreSQL `LISTEN`, on a connection of its own); `None` on
    /// SQLite.
    pub async fn listen(&self, channel: &str) -> Result<Option<Listener>, StorageError> {
        let _ = channel;
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(_) => Ok(None),
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => {
                let query = |source| StorageError::Query { context: "listening for other processes", source };
                let mut listener = sqlx::postgres::PgListener::connect_with(store.pool()).await.map_err(query)?;
                listener.listen(channel).await.map_err(query)?;
                Ok(Some(Listener { inner: listener }))
            }
        }
    }

    /// The connection pool's use now: connections open, and of those idle.
    pub fn pool_use(&self) -> (u32, u32) {
        let (size, idle) = match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => (store.pool().size(), store.pool().num_idle()),
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => (store.pool().size(), store.pool().num_idle()),
        };
        (size, u32::try_from(idle).unwrap_or(u32::MAX))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(store) => store.close().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.close().await,
        }
    }
}
