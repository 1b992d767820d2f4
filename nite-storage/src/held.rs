//! SQLite connections that the store holds itself, instead of borrowing them from sqlx's pool for each statement.
//!
//! sqlx's pool tests a connection every time one is given back (a `ping`, in a task of its own), and the next
//! caller waits for that test. For SQLite a ping is a round trip to the connection's thread, as costly as a small
//! statement, so every statement through the pool cost about two round trips and a task (measured here: 130 µs for
//! `SELECT 1` through a pool of one, 30 µs on a held connection). These connections are opened once, kept behind
//! fair (first come, first served) locks, and used directly.
//!
//! A write transaction ([`WriteTx`]) holds the writer's lock from `BEGIN IMMEDIATE` to `COMMIT`. One dropped
//! without a commit (an error, a cancelled request) is rolled back by a task before the lock passes on; where no
//! runtime can run that task, the next holder rolls it back first. Either way no one ever writes inside another's
//! unfinished transaction.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// One held connection and whether a transaction on it was left open.
#[derive(Debug)]
pub(crate) struct Held {
    conn: Option<SqliteConnection>,
    open_transaction: bool,
}

/// A connection shared in turn: whoever holds the lock holds the connection.
pub(crate) type Shared = Arc<Mutex<Held>>;

/// Wraps a newly opened connection.
pub(crate) fn share(conn: SqliteConnection) -> Shared {
    Arc::new(Mutex::new(Held { conn: Some(conn), open_transaction: false }))
}

fn closed() -> sqlx::Error {
    sqlx::Error::PoolClosed
}

/// A held connection, locked for one statement or several.
#[derive(Debug)]
pub(crate) struct Conn(OwnedMutexGuard<Held>);

impl Conn {
    /// Locks `shared` (waiting in line) and rolls back a transaction its last holder left open.
    pub(crate) async fn lock(shared: &Shared) -> Result<Conn, sqlx::Error> {
        Conn::ready(Arc::clone(shared).lock_owned().await).await
    }

    async fn ready(mut guard: OwnedMutexGuard<Held>) -> Result<Conn, sqlx::Error> {
        if guard.conn.is_none() {
            return Err(closed());
        }
        if guard.open_transaction {
            let conn = guard.conn.as_mut().ok_or_else(closed)?;
            sqlx::query("ROLLBACK").execute(&mut *conn).await?;
            guard.open_transaction = false;
        }
        Ok(Conn(guard))
    }
}

impl Deref for Conn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        // `Conn::ready` checked it; only `close` takes it, behind the same lock.
        self.0.conn.as_ref().expect("a locked connection is open")
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.0.conn.as_mut().expect("a locked connection is open")
    }
}

/// Up to `n` read connections, opened as readers need them: a caller takes a free open one, else opens one while
/// fewer than `n` are, else waits in line for the next in turn.
#[derive(Debug)]
pub(crate) struct Readers {
    options: SqliteConnectOptions,
    /// The open connections (never more than `max`).
    conns: std::sync::RwLock<Vec<Shared>>,
    max: usize,
    next: AtomicUsize,
    closed: std::sync::atomic::AtomicBool,
}

impl Readers {
    pub(crate) fn new(options: SqliteConnectOptions, max: usize) -> Readers {
        Readers {
            options,
            conns: std::sync::RwLock::default(),
            max: max.max(1),
            next: AtomicUsize::new(0),
            closed: std::sync::atomic::AtomicBool::new(false),
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
    pub(crate) async fn read(&self) -> Result<Conn, sqlx::Error> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(closed());
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
            return Conn::ready(guard).await;
        }
        if open < self.max {
            let shared = share(self.options.connect().await?);
            let guard = Arc::clone(&shared).lock_owned().await;
            self.keep(shared);
            // One opened past the limit by a race serves this read and is closed when dropped.
            return Conn::ready(guard).await;
        }
        Conn::lock(&in_turn.ok_or_else(closed)?).await
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

/// Closes a held connection once it is free; later users get [`sqlx::Error::PoolClosed`].
pub(crate) async fn close(shared: &Shared) {
    let mut guard = shared.lock().await;
    if let Some(conn) = guard.conn.take() {
        // A connection that fails to close cleanly is gone either way.
        let _closed = sqlx::Connection::close(conn).await;
    }
}

/// A write transaction on the held writer: `BEGIN IMMEDIATE` to [`WriteTx::commit`], holding the writer's lock.
#[derive(Debug)]
pub(crate) struct WriteTx(Option<Conn>);

impl WriteTx {
    /// Waits for the writer and begins.
    pub(crate) async fn begin(writer: &Shared) -> Result<WriteTx, sqlx::Error> {
        let mut conn = Conn::lock(writer).await?;
        // Marked first: if this future is dropped mid-`BEGIN`, the next holder rolls back whatever began.
        conn.0.open_transaction = true;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        Ok(WriteTx(Some(conn)))
    }

    /// Commits and lets the writer go.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let mut conn = self.0.take().ok_or_else(closed)?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        conn.0.open_transaction = false;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.0.as_deref().expect("a transaction holds its connection until it ends")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.0.as_deref_mut().expect("a transaction holds its connection until it ends")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(mut conn) = self.0.take() else { return };
        // Roll back now, keeping the lock until done; without a runtime the flag makes the next holder do it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_ok() {
                    conn.0.open_transaction = false;
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

    use super::*;

    async fn writer(dir: &tempfile::TempDir) -> Shared {
        let url = format!("sqlite://{}", dir.path().join("held.db").display());
        let options = SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true);
        let mut conn = options.journal_mode(SqliteJournalMode::Wal).connect().await.unwrap();
        sqlx::query("CREATE TABLE n (v INTEGER NOT NULL)").execute(&mut conn).await.unwrap();
        share(conn)
    }

    async fn count(shared: &Shared) -> i64 {
        let mut conn = Conn::lock(shared).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM n").fetch_one(&mut *conn).await.unwrap()
    }

    #[tokio::test]
    async fn a_transaction_dropped_or_cancelled_mid_way_leaves_nothing_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir).await;

        // Dropped after a write, without a commit: rolled back before anyone else writes.
        let mut tx = WriteTx::begin(&shared).await.unwrap();
        sqlx::query("INSERT INTO n (v) VALUES (1)").execute(&mut *tx).await.unwrap();
        drop(tx);
        assert_eq!(count(&shared).await, 0);

        // Cancelled while holding the transaction (a request whose client went away).
        let stuck = async {
            let mut tx = WriteTx::begin(&shared).await.unwrap();
            sqlx::query("INSERT INTO n (v) VALUES (2)").execute(&mut *tx).await.unwrap();
            std::future::pending::<()>().await;
        };
        assert!(tokio::time::timeout(Duration::from_millis(50), stuck).await.is_err());
        assert_eq!(count(&shared).await, 0);

        // A committed one stays, and a single statement after it writes on its own.
        let mut tx = WriteTx::begin(&shared).await.unwrap();
        sqlx::query("INSERT INTO n (v) VALUES (3)").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        sqlx::query("INSERT INTO n (v) VALUES (4)").execute(&mut *Conn::lock(&shared).await.unwrap()).await.unwrap();
        assert_eq!(count(&shared).await, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_take_turns_and_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir).await;
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut tx = WriteTx::begin(&shared).await.unwrap();
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM n").fetch_one(&mut *tx).await.unwrap();
                    tokio::task::yield_now().await;
                    sqlx::query("INSERT INTO n (v) VALUES ($1)").bind(n).execute(&mut *tx).await.unwrap();
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
        let mut conn = Conn::lock(&shared).await.unwrap();
        let values: Vec<i64> = sqlx::query_scalar("SELECT v FROM n ORDER BY v").fetch_all(&mut *conn).await.unwrap();
        assert_eq!(values, (0..30).collect::<Vec<i64>>());
    }
}
