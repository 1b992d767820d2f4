//! SQLite connections that the store holds itself, each behind a fair (first come, first served) lock, used in place
//! through rusqlite (see `lite.rs` for why in place).
//!
//! A write transaction ([`Transaction::write`]) holds the writer's lock from `BEGIN IMMEDIATE` to `COMMIT`.
//! Statements run on the caller's thread and never wait, so a transaction holds the writer only while its own
//! statements run. One dropped without a commit (an error, a cancelled request) is rolled back right there, before
//! the lock passes on; and whoever takes a connection that is still inside a transaction (a rollback that failed)
//! rolls it back first. Either way no one ever writes inside another's unfinished transaction.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::lite::{LiteError, batch};

mod checkpoint;

pub(crate) use checkpoint::Checkpointer;
use checkpoint::Wake;

/// Statements a connection keeps prepared: every constant one the ports issue, with room for the built ones.
const PREPARED: usize = 256;

/// How a connection is opened.
#[derive(Debug, Clone)]
pub(crate) struct Opener {
    /// The database file.
    pub(crate) path: PathBuf,
    /// Read-only (a reader) or read-write, creating the file if missing (the writer).
    pub(crate) writer: bool,
    /// How long a statement waits for a lock another process holds (a backup, an operator's shell).
    pub(crate) busy_timeout: Duration,
}

impl Opener {
    /// Opens a connection and sets it up: the writer turns WAL on and checks foreign keys; readers keep a small page
    /// cache each (512 KiB instead of SQLite's 2 MiB), since the operating system caches the file for all of them.
    pub(crate) fn open(&self) -> Result<Connection, LiteError> {
        let mode = if self.writer {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        };
        let conn = Connection::open_with_flags(&self.path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        if self.writer {
            conn.pragma_update(None, "journal_mode", "wal")?;
            conn.pragma_update(None, "synchronous", "normal")?;
            conn.pragma_update(None, "foreign_keys", "on")?;
            // The checkpointer copies the log into the file in the background; the writer does it itself (on
            // its commit, with its fsync) only if the log grows this far (about 40 MB) anyway.
            conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINTS_AT)?;
            // After a busy spell the log file is cut back to this (16 MiB) once it starts over.
            conn.pragma_update(None, "journal_size_limit", 16 * 1024 * 1024)?;
        } else {
            conn.pragma_update(None, "cache_size", -512)?;
            // A reader's plans stay as prepared. Without this SQLite plans some statements for the values bound
            // (`LIMIT $n`, a `LIKE` on a parameter) and prepares them again every time they run with new values:
            // the product list did, on every request. The writer keeps SQLite's default: with the guarantee on
            // there too, a checkout journey cost about 10 % more CPU (some writing statements plan better knowing
            // the values bound than they lose preparing again).
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        }
        Ok(conn)
    }
}

/// Log pages after which the writer checkpoints on its own commit.
const WRITER_CHECKPOINTS_AT: i64 = 10_000;

/// One held connection (`None` once closed).
#[derive(Debug)]
pub(crate) struct Held {
    conn: Option<Connection>,
    /// The writer's: the checkpointer to wake after it changed something.
    wake: Option<Arc<Wake>>,
    /// The connection's count of changed rows when it was last let go.
    changes: u64,
}

/// A connection shared in turn: whoever holds the lock holds the connection.
pub(crate) type Shared = Arc<Mutex<Held>>;

/// Wraps a newly opened connection.
pub(crate) fn share(conn: Connection) -> Shared {
    Arc::new(Mutex::new(Held { conn: Some(conn), wake: None, changes: 0 }))
}

/// A held connection, locked for one statement or several.
#[derive(Debug)]
pub(crate) struct Conn(OwnedMutexGuard<Held>);

impl Conn {
    /// Locks `shared` (waiting in line) and rolls back a transaction left open on it.
    pub(crate) async fn lock(shared: &Shared) -> Result<Conn, LiteError> {
        Conn::ready(Arc::clone(shared).lock_owned().await)
    }

    fn ready(guard: OwnedMutexGuard<Held>) -> Result<Conn, LiteError> {
        let conn = guard.conn.as_ref().ok_or(LiteError::Closed)?;
        if !conn.is_autocommit() {
            batch(conn, "ROLLBACK")?;
        }
        Ok(Conn(guard))
    }
}

impl Drop for Conn {
    /// The writer, let go after changing rows (a commit, or a statement on its own), wakes the checkpointer. (A
    /// schema change alone does not count; the migrations run on a connection of their own anyway.)
    fn drop(&mut self) {
        let held = &mut *self.0;
        if let (Some(wake), Some(conn)) = (&held.wake, &held.conn) {
            let changes = conn.total_changes();
            if changes != held.changes {
                held.changes = changes;
                wake.written();
            }
        }
    }
}

impl Deref for Conn {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // `Conn::ready` checked it; only `close` takes it, behind the same lock.
        self.0.conn.as_ref().expect("a locked connection is open")
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        self.0.conn.as_mut().expect("a locked connection is open")
    }
}

/// Up to `max` read connections, opened as readers need them: a caller takes a free open one, else opens one while
/// fewer than `max` are, else waits in line for the next in turn.
#[derive(Debug)]
pub(crate) struct Readers {
    opener: Opener,
    /// The open connections (never more than `max`).
    conns: std::sync::RwLock<Vec<Shared>>,
    max: usize,
    next: AtomicUsize,
    closed: AtomicBool,
}

impl Readers {
    pub(crate) fn new(opener: Opener, max: usize) -> Readers {
        Readers {
            opener,
            conns: std::sync::RwLock::default(),
            max: max.max(1),
            next: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// Keeps a newly opened connection, unless a race opened `max` already.
    fn keep(&self, shared: Shared) {
        let mut all = self.conns.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if all.len() < self.max {
            all.push(shared);
        }
    }

    fn open(&self) -> std::sync::RwLockReadGuard<'_, Vec<Shared>> {
        self.conns.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A free connection if there is one, else a new one if there may be more, else the next in turn once free.
    pub(crate) async fn read(&self) -> Result<Conn, LiteError> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(LiteError::Closed);
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        // Looked at under the list's lock, which no await crosses: nothing is copied but the one connection taken.
        let (free, open, in_turn) = {
            let conns = self.open();
            let n = conns.len();
            let free = (0..n).find_map(|i| Arc::clone(&conns[(start + i) % n]).try_lock_owned().ok());
            (free, n, conns.get(start % n.max(1)).cloned())
        };
        if let Some(guard) = free {
            return Conn::ready(guard);
        }
        if open < self.max {
            let shared = share(self.opener.open()?);
            let guard = Arc::clone(&shared).lock_owned().await;
            self.keep(shared);
            // One opened past the limit by a race serves this read and is closed when dropped.
            return Conn::ready(guard);
        }
        Conn::lock(&in_turn.ok_or(LiteError::Closed)?).await
    }

    /// Closes every connection, waiting for each to be free; later reads fail.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        let conns = self.open().clone();
        for shared in conns {
            close(&shared).await;
        }
    }
}

/// Closes a held connection once it is free; later users get [`LiteError::Closed`].
pub(crate) async fn close(shared: &Shared) {
    let mut guard = shared.lock().await;
    if let Some(conn) = guard.conn.take() {
        // A connection that fails to close cleanly is gone either way.
        let _closed = conn.close();
    }
}

/// A write transaction on the writer ([`Transaction::write`]), from its `BEGIN IMMEDIATE` to
/// [`Transaction::commit`], holding the writer's lock throughout; one dropped before is rolled back right there,
/// before the connection passes on.
#[derive(Debug)]
pub(crate) struct Transaction(Conn);

impl Transaction {
    /// Waits for the writer and begins.
    pub(crate) async fn write(writer: &Shared) -> Result<Transaction, LiteError> {
        let conn = Conn::lock(writer).await?;
        batch(&conn, "BEGIN IMMEDIATE")?;
        Ok(Transaction(conn))
    }

    /// Commits and lets the connection go (rolling back, as a drop does, if the commit fails).
    #[allow(clippy::unused_async, reason = "the same shape as sqlx's transactions, which the shared SQL awaits")]
    pub(crate) async fn commit(self) -> Result<(), LiteError> {
        batch(&self.0, "COMMIT")?;
        Ok(())
    }
}

impl Deref for Transaction {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // Committed: nothing is open. Otherwise (an error between, a cancelled request) roll back before the lock
        // passes on; should that fail, the next holder rolls back first (`Conn::ready`).
        if !self.0.is_autocommit() {
            let _rolled_back = batch(&self.0, "ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::lite::{query, query_scalar};

    fn writer(dir: &tempfile::TempDir) -> Shared {
        let opener = Opener { path: dir.path().join("held.db"), writer: true, busy_timeout: Duration::from_secs(1) };
        let conn = opener.open().unwrap();
        conn.execute_batch("CREATE TABLE n (v INTEGER NOT NULL)").unwrap();
        share(conn)
    }

    pub(super) async fn count(shared: &Shared) -> i64 {
        query_scalar("SELECT COUNT(*) FROM n").fetch_one(&mut *Conn::lock(shared).await.unwrap()).await.unwrap()
    }

    /// A reader's statement that runs again with other values keeps its plan: it is not prepared again each time
    /// (SQLite would for `LIMIT $n` and a `LIKE` on a parameter, unless its query planner is told to keep plans).
    #[tokio::test]
    async fn statements_are_prepared_once_whatever_values_they_run_with() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir);
        let setup = "INSERT INTO n (v) VALUES (1), (2), (3);
                     CREATE TABLE t (s TEXT NOT NULL); INSERT INTO t VALUES ('ab'), ('bc')";
        Conn::lock(&shared).await.unwrap().execute_batch(setup).unwrap();
        let reader = Opener { path: dir.path().join("held.db"), writer: false, busy_timeout: Duration::from_secs(1) };
        let mut conn = reader.open().unwrap();
        let limited = "SELECT v FROM n WHERE v > $1 ORDER BY v LIMIT $2";
        let like = "SELECT s FROM t WHERE ($1 IS NULL OR s LIKE $1) ORDER BY s";
        for round in 0..5_i64 {
            let all: Vec<i64> =
                query_scalar(limited).bind(round % 2).bind(round + 1).fetch_all(&mut conn).await.unwrap();
            assert_eq!(all.len(), usize::try_from((round + 1).min(3 - round % 2)).unwrap());
            let pattern = (round % 2 == 1).then_some("%b%".to_owned());
            let found: Vec<String> = query_scalar(like).bind(pattern).fetch_all(&mut conn).await.unwrap();
            assert_eq!(found.len(), 2);
        }
        for sql in [limited, like] {
            let statement = conn.prepare_cached(sql).unwrap();
            assert_eq!(statement.get_status(rusqlite::StatementStatus::RePrepare), 0, "{sql}");
        }
    }

    #[tokio::test]
    async fn a_transaction_dropped_or_cancelled_mid_way_leaves_nothing_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir);

        // Dropped after a write, without a commit: rolled back before anyone else writes.
        let mut tx = Transaction::write(&shared).await.unwrap();
        query("INSERT INTO n (v) VALUES (1)").execute(&mut *tx).await.unwrap();
        drop(tx);
        assert_eq!(count(&shared).await, 0);

        // Cancelled while holding the transaction (a request whose client went away).
        let stuck = async {
            let mut tx = Transaction::write(&shared).await.unwrap();
            query("INSERT INTO n (v) VALUES (2)").execute(&mut *tx).await.unwrap();
            std::future::pending::<()>().await;
        };
        assert!(tokio::time::timeout(Duration::from_millis(50), stuck).await.is_err());
        assert_eq!(count(&shared).await, 0);

        // A transaction left open some other way (a rollback that failed) is rolled back by the next holder.
        Conn::lock(&shared).await.unwrap().execute_batch("BEGIN; INSERT INTO n (v) VALUES (5)").unwrap();
        assert_eq!(count(&shared).await, 0);

        // A committed one stays, and a single statement after it writes on its own.
        let mut tx = Transaction::write(&shared).await.unwrap();
        query("INSERT INTO n (v) VALUES ($1)").bind(3_i64).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        query("INSERT INTO n (v) VALUES (4)").execute(&mut *Conn::lock(&shared).await.unwrap()).await.unwrap();
        assert_eq!(count(&shared).await, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_take_turns_and_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir);
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut tx = Transaction::write(&shared).await.unwrap();
                    let n: i64 = query_scalar("SELECT COUNT(*) FROM n").fetch_one(&mut *tx).await.unwrap();
                    tokio::task::yield_now().await;
                    query("INSERT INTO n (v) VALUES ($1)").bind(n).execute(&mut *tx).await.unwrap();
                    // Every fourth gives up half-way: its row must not count.
                    if i % 4 == 3 {
                        return;
                    }
                    tx.commit().await.unwrap();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(count(&shared).await, 30);
        // Each committed transaction saw every one committed before it: the values are 0..30, each once.
        let values: Vec<i64> = query_scalar("SELECT v FROM n ORDER BY v")
            .fetch_all(&mut *Conn::lock(&shared).await.unwrap())
            .await
            .unwrap();
        assert_eq!(values, (0..30).collect::<Vec<i64>>());
    }

    #[tokio::test]
    async fn parameters_bind_by_number_and_bad_ones_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir);
        let mut conn = Conn::lock(&shared).await.unwrap();
        // `$2` appears first: it is still the second value.
        let row =
            query("SELECT $2 AS b, $1 AS a, $2 AS b2").bind("one").bind(2_i64).fetch_one(&mut *conn).await.unwrap();
        use crate::lite::RowExt as _;
        assert_eq!(row.try_get::<i64, _>("b").unwrap(), 2);
        assert_eq!(row.try_get::<String, _>("a").unwrap(), "one");
        assert_eq!(row.try_get::<i64, _>(2_usize).unwrap(), 2);
        assert!(row.try_get::<i64, _>("a").is_err(), "text is not an integer");
        assert!(row.try_get::<i64, _>("missing").is_err());
        // A value not bound, or a parameter not numbered, is refused rather than read as NULL.
        let unbound = query("SELECT $1, $2").bind(1_i64).fetch_all(&mut *conn).await;
        assert!(matches!(unbound, Err(LiteError::Parameter(p)) if p == "$2"));
        let named = query("SELECT :name").bind(1_i64).fetch_all(&mut *conn).await;
        assert!(matches!(named, Err(LiteError::Parameter(_))));
        // A unique violation is told apart from other failures.
        conn.execute_batch("CREATE TABLE u (k TEXT PRIMARY KEY)").unwrap();
        query("INSERT INTO u (k) VALUES ($1)").bind("a").execute(&mut *conn).await.unwrap();
        let again = query("INSERT INTO u (k) VALUES ($1)").bind("a").execute(&mut *conn).await.unwrap_err();
        assert!(again.is_unique_violation(), "{again}");
        let other = query("INSERT INTO nowhere (k) VALUES ($1)").bind("a").execute(&mut *conn).await.unwrap_err();
        assert!(!other.is_unique_violation(), "{other}");
        // RETURNING rows come back from `execute` too, counted as changes.
        let done = query("UPDATE u SET k = 'b' RETURNING k").execute(&mut *conn).await.unwrap();
        assert_eq!(done.rows_affected(), 1);
    }
}
