//! SQLite connections that the store holds itself, each behind a fair (first come, first served) lock, used in place
//! through rusqlite (see `lite.rs` for why in place).
//!
//! A write transaction ([`Transaction::write`]) holds the writer's lock from `BEGIN IMMEDIATE` to `COMMIT`.
//! Statements run on the caller's thread and never wait, so a transaction holds the writer only while its own
//! statements run. One dropped without a commit (an error, a cancelled request) is rolled back right there, before
//! the lock passes on; and whoever takes a connection that is still inside a transaction (a rollback that failed)
//! rolls it back first. Either way no one ever writes inside another's unfinished transaction. A read transaction
//! ([`Transaction::read`]) is the same on a reader, for port calls that read several tables.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::lite::{LiteError, batch};

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

/// The least time between two checkpoints while commits keep coming. The checkpointer sleeps until a write commits,
/// copies the log into the file, then waits this long before it looks again: often enough that each copy and its
/// `fsync` stay small, and never at all while nothing is written. In the checkout bench (8 tasks, this VM's ext4, in
/// turns), a checkout's p99 was 38–41 ms with a checkpoint every 100 ms, 24–28 ms every 25 ms and 19–20 ms every
/// 10 ms (load_tests/README). On a timer, a checkpoint with nothing to copy still cost about 0.1 ms, so 10 ms meant
/// 1 % of a core at idle; woken by commits, an idle store costs nothing.
const CHECKPOINT_GAP: Duration = Duration::from_millis(10);

/// Log frames (pages of 4 KiB) past which the checkpointer catches up with the log while holding the writer, so
/// that the log starts over from its beginning instead of growing.
///
/// A checkpoint that runs beside the writer never quite catches up while commits keep coming: by the time it has
/// copied what it saw, more has been written. SQLite starts the log over only when everything in it has been copied,
/// so under steady writes the log grew until the writer's own checkpoint at [`WRITER_CHECKPOINTS_AT`] (about 40 MB),
/// and then the writer paid, inside a commit, for the rest of the copy, an `fsync` of the database file, an `fsync`
/// of the log's header and cutting the log back to `journal_size_limit` (8 ms alone): 10–12 ms about every 300 ms
/// under 8 shoppers, which set the p99 of `POST /carts` (9–12 ms) and checkout (15–17 ms). Past this many frames the
/// checkpointer syncs the database file on its own, then takes the writer's lock (in line, like any writer) and
/// checkpoints once more: what is left is the few frames since, so the writer waits about 1 ms, and the next commit
/// starts the log over (one small `fsync`). In 10 s journey runs here the two tails fell to 3.7–4.8 and 6.6–7.2 ms
/// with 256, 1,024 or 4,096 frames alike (load_tests/README); 1,024 keeps the log within about 4 MB.
const CATCH_UP_AT: i64 = 1024;

/// What the writer tells the checkpointer: that it committed, or that the store is closing.
#[derive(Debug, Default)]
pub(crate) struct Wake {
    state: std::sync::Mutex<WakeState>,
    changed: std::sync::Condvar,
    /// The writer, which the checkpointer holds while it catches up with the log (set once shared).
    writer: std::sync::OnceLock<std::sync::Weak<Mutex<Held>>>,
}

#[derive(Debug, Default)]
struct WakeState {
    /// A write committed since the last checkpoint began.
    written: bool,
    stopped: bool,
    /// Checkpoints run so far.
    checkpoints: u64,
    /// Of those, the ones that caught up while holding the writer.
    caught_up: u64,
}

impl Wake {
    fn state(&self) -> std::sync::MutexGuard<'_, WakeState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A write committed: the checkpointer copies it soon.
    fn written(&self) {
        let mut state = self.state();
        if !state.written {
            state.written = true;
            self.changed.notify_one();
        }
    }

    /// Waits for a write, and takes it; `false` once stopped.
    fn wait_for_write(&self) -> bool {
        let mut state = self.state();
        while !state.written && !state.stopped {
            state = self.changed.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        state.written = false;
        !state.stopped
    }

    /// Waits `gap`; `false` if stopped meanwhile.
    fn pause(&self, gap: Duration) -> bool {
        let state = self.state();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, gap, |s| !s.stopped)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !state.stopped
    }

    fn stop(&self) {
        self.state().stopped = true;
        self.changed.notify_all();
    }
}

/// Checkpoints the write-ahead log on a thread and connection of its own, so the copy into the database file and
/// its fsync happen beside the writer instead of inside a commit (where they held every write up to 150 ms here).
/// `PASSIVE`: it copies what no reader still needs and never waits for anyone. It runs after commits (at most every
/// [`CHECKPOINT_GAP`]); once the log passes [`CATCH_UP_AT`] frames it catches up with it while holding the writer, so
/// that the log starts over. It stops when dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    wake: Arc<Wake>,
}

impl Checkpointer {
    /// Opens the checkpointer's connection to the database `writer` opens, and starts its thread.
    pub(crate) fn start(writer: &Opener) -> Result<Checkpointer, LiteError> {
        let conn = Opener { writer: true, ..writer.clone() }.open()?;
        // For syncing the database file before catching up (an `fsync` of any descriptor syncs the file).
        let file = std::fs::File::open(&writer.path).map_err(LiteError::Thread)?;
        let wake = Arc::new(Wake::default());
        let waiting = Arc::clone(&wake);
        std::thread::Builder::new()
            .name("nite-sqlite-checkpoint".into())
            .spawn(move || {
                // The log's size when the checkpointer last caught up; 0 once it has started over since.
                let mut caught_up_at = 0;
                while waiting.wait_for_write() {
                    let log = checkpoint(&conn).unwrap_or(0);
                    if log < caught_up_at {
                        caught_up_at = 0;
                    }
                    // Past the mark, and grown by as much again since the last catch-up: a reader that keeps an old
                    // snapshot (a backup) stops a catch-up short, and trying again every pass would take the writer
                    // for nothing.
                    let catch_up = log >= caught_up_at + CATCH_UP_AT;
                    if catch_up {
                        // What this checkpoint copied is synced now, beside the writer, not while holding it.
                        if let Err(e) = file.sync_data() {
                            tracing::warn!(error = %e, "the SQLite checkpointer could not sync the database file");
                        }
                        if let Some(writer) = waiting.writer.get().and_then(std::sync::Weak::upgrade) {
                            let _held = writer.blocking_lock();
                            caught_up_at = checkpoint(&conn).unwrap_or(log);
                        }
                    }
                    let mut state = waiting.state();
                    state.checkpoints += 1;
                    state.caught_up += u64::from(catch_up);
                    drop(state);
                    if !waiting.pause(CHECKPOINT_GAP) {
                        break;
                    }
                }
            })
            .map_err(LiteError::Thread)?;
        Ok(Checkpointer { wake })
    }

    /// Shares `conn` as the writer whose commits wake this checkpointer.
    pub(crate) fn share_writer(&self, conn: Connection) -> Shared {
        let changes = conn.total_changes();
        let shared = Arc::new(Mutex::new(Held { conn: Some(conn), wake: Some(Arc::clone(&self.wake)), changes }));
        // Only the first writer shared is caught up with; a store shares exactly one.
        let _first = self.wake.writer.set(Arc::downgrade(&shared));
        shared
    }
}

/// Copies the log into the database file as far as no reader still needs it (`PASSIVE`: it never waits), and
/// returns how many frames the log holds; `None` if it failed (the writer's own checkpoint still bounds the log).
fn checkpoint(conn: &Connection) -> Option<i64> {
    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get::<_, i64>(1)) {
        Ok(log) => Some(log),
        Err(e) => {
            tracing::warn!(error = %e, "the SQLite checkpointer failed; the writer checkpoints instead");
            None
        }
    }
}

#[cfg(test)]
impl Checkpointer {
    fn checkpoints(&self) -> u64 {
        self.wake.state().checkpoints
    }

    fn caught_up(&self) -> u64 {
        self.wake.state().caught_up
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake.stop();
    }
}

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

/// A transaction on a held connection, from its `BEGIN` to [`Transaction::commit`]; one dropped before is rolled
/// back right there, before the connection passes on.
///
/// - On the writer ([`Transaction::write`]): `BEGIN IMMEDIATE`, holding the writer's lock throughout.
/// - On a reader ([`Transaction::read`]): `BEGIN`. Its statements see one snapshot, and SQLite takes the log's read
///   lock (a `fcntl` on the `-shm` file, and another to let it go) once for all of them instead of once a
///   statement: for a product page's three reads, that was about a tenth of the server's CPU.
#[derive(Debug)]
pub(crate) struct Transaction(Conn);

impl Transaction {
    /// Waits for the writer and begins.
    pub(crate) async fn write(writer: &Shared) -> Result<Transaction, LiteError> {
        let conn = Conn::lock(writer).await?;
        batch(&conn, "BEGIN IMMEDIATE")?;
        Ok(Transaction(conn))
    }

    /// Takes a reader and begins (SQLite takes the snapshot at the first statement).
    pub(crate) async fn read(readers: &Readers) -> Result<Transaction, LiteError> {
        let conn = readers.read().await?;
        batch(&conn, "BEGIN")?;
        Ok(Transaction(conn))
    }

    /// Commits (a read's: ends it) and lets the connection go (rolling back, as a drop does, if the commit fails).
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

    async fn count(shared: &Shared) -> i64 {
        query_scalar("SELECT COUNT(*) FROM n").fetch_one(&mut *Conn::lock(shared).await.unwrap()).await.unwrap()
    }

    /// A store in `dir` with its checkpointer, the writer shared, and the blob table of the checkpointer's tests.
    async fn blob_store(dir: &tempfile::TempDir) -> (Opener, Checkpointer, Shared) {
        let opener = Opener { path: dir.path().join("held.db"), writer: true, busy_timeout: Duration::from_secs(1) };
        let checkpointer = Checkpointer::start(&opener).unwrap();
        let shared = checkpointer.share_writer(opener.open().unwrap());
        Conn::lock(&shared)
            .await
            .unwrap()
            .execute_batch("CREATE TABLE b (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
            .unwrap();
        (opener, checkpointer, shared)
    }

    /// Rows in the blob table of the checkpointer's tests.
    async fn blobs(shared: &Shared) -> i64 {
        query_scalar("SELECT COUNT(*) FROM b").fetch_one(&mut *Conn::lock(shared).await.unwrap()).await.unwrap()
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

    /// A read transaction sees one snapshot: what the writer commits meanwhile shows only in the next one. One
    /// dropped before its end lets its reader go free of any transaction.
    #[tokio::test]
    async fn a_read_transaction_sees_one_snapshot_and_a_dropped_one_ends() {
        let dir = tempfile::tempdir().unwrap();
        let shared = writer(&dir);
        let readers = Readers::new(
            Opener { path: dir.path().join("held.db"), writer: false, busy_timeout: Duration::from_secs(1) },
            1,
        );
        let read_count = |conn: &mut Connection| query_scalar::<i64>("SELECT COUNT(*) FROM n").fetch_one(conn);

        let mut read = Transaction::read(&readers).await.unwrap();
        assert_eq!(read_count(&mut read).await.unwrap(), 0);
        query("INSERT INTO n (v) VALUES (1)").execute(&mut *Conn::lock(&shared).await.unwrap()).await.unwrap();
        assert_eq!(read_count(&mut read).await.unwrap(), 0, "the snapshot taken at the first read");
        read.commit().await.unwrap();
        let mut read = Transaction::read(&readers).await.unwrap();
        assert_eq!(read_count(&mut read).await.unwrap(), 1);
        drop(read);

        // The one reader is free again, outside any transaction, and sees the next commit at once.
        query("INSERT INTO n (v) VALUES (2)").execute(&mut *Conn::lock(&shared).await.unwrap()).await.unwrap();
        let mut conn = readers.read().await.unwrap();
        assert!(conn.is_autocommit());
        assert_eq!(read_count(&mut conn).await.unwrap(), 2);
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
    async fn the_checkpointer_copies_what_the_writer_commits_and_sleeps_while_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("held.db");
        let opener = Opener { path: file.clone(), writer: true, busy_timeout: Duration::from_secs(1) };
        let checkpointer = Checkpointer::start(&opener).unwrap();
        let shared = checkpointer.share_writer(opener.open().unwrap());
        Conn::lock(&shared).await.unwrap().execute_batch("CREATE TABLE n (v INTEGER NOT NULL)").unwrap();
        let size = || std::fs::metadata(&file).unwrap().len();
        let settle = async |want: u64| {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while checkpointer.checkpoints() < want && std::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            checkpointer.checkpoints()
        };
        // About 200 pages of rows, far below the writer's own threshold: only the checkpointer copies them.
        let before = size();
        let mut tx = Transaction::write(&shared).await.unwrap();
        for v in 0..20_000_i64 {
            query("INSERT INTO n (v) VALUES ($1)").bind(v).execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(settle(1).await, 1, "the commit woke the checkpointer");
        assert!(size() > before, "the database file is still {before} bytes: nothing was checkpointed");

        // Nothing written: a read on the writer, a transaction rolled back before changing anything, time passing.
        assert_eq!(count(&shared).await, 20_000);
        drop(Transaction::write(&shared).await.unwrap());
        tokio::time::sleep(CHECKPOINT_GAP * 10).await;
        assert_eq!(checkpointer.checkpoints(), 1, "the checkpointer ran with nothing to copy");

        // A single statement on the writer, outside a transaction, wakes it too.
        query("INSERT INTO n (v) VALUES (1)").execute(&mut *Conn::lock(&shared).await.unwrap()).await.unwrap();
        assert_eq!(settle(2).await, 2);
        drop(checkpointer);
        assert_eq!(count(&shared).await, 20_001);
    }

    #[tokio::test]
    async fn the_log_starts_over_while_commits_keep_coming() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("held.db-wal");
        let (_, checkpointer, shared) = blob_store(&dir).await;
        // 6,000 commits back to back, each a row of a page of its own and the pages above it: over 10,000 frames
        // (40 MB). A checkpointer that only copies beside the writer never catches up with them, so the log started
        // over once, at the writer's own checkpoint; caught up past 1,024 frames, it started over 10–11 times and
        // the file stayed within 9–12 MB (debug builds here). Each start over increments the checkpoint sequence
        // number in the log's header (bytes 12–16, big-endian), read here after every commit.
        let sequence = || {
            let mut header = [0_u8; 16];
            let read = std::fs::File::open(&log).and_then(|f| std::io::Read::read_exact(&mut &f, &mut header));
            read.map_or(0, |()| u32::from_be_bytes([header[12], header[13], header[14], header[15]]))
        };
        let first = sequence();
        let mut restarts = 0;
        let mut seen = first;
        for k in 0..6_000_i64 {
            let mut conn = Conn::lock(&shared).await.unwrap();
            query("INSERT INTO b (k, v) VALUES ($1, zeroblob(3000))").bind(k).execute(&mut *conn).await.unwrap();
            drop(conn);
            let now = sequence();
            if now != seen {
                restarts += 1;
                seen = now;
            }
        }
        assert!(checkpointer.checkpoints() > 0);
        assert!(
            restarts >= 3,
            "the log started over {restarts} times (sequence {first} to {seen}) in 40 MB of commits"
        );
        drop(checkpointer);
        assert_eq!(blobs(&shared).await, 6_000);
    }

    #[tokio::test]
    async fn a_reader_that_keeps_an_old_snapshot_is_not_waited_on_every_pass() {
        let dir = tempfile::tempdir().unwrap();
        let (opener, checkpointer, shared) = blob_store(&dir).await;
        // A backup's long read: its snapshot keeps every frame after it in the log, so no catch-up can finish.
        let reader = Opener { writer: false, ..opener.clone() }.open().unwrap();
        reader.execute_batch("BEGIN").unwrap();
        assert_eq!(reader.query_row("SELECT COUNT(*) FROM b", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
        // About 3,300 frames over 1.5 s: the checkpointer passes about every 10 ms, but catches up only when the log
        // has grown by 1,024 frames since it last tried: here 3 times in about 190 passes (132 times when it tried
        // on every pass past 1,024 frames).
        for k in 0..300_i64 {
            let mut tx = Transaction::write(&shared).await.unwrap();
            for i in 0..10 {
                query("INSERT INTO b (k, v) VALUES ($1, zeroblob(3000))")
                    .bind(k * 10 + i)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (passes, caught_up) = (checkpointer.checkpoints(), checkpointer.caught_up());
        assert!(passes >= 20, "only {passes} passes");
        assert!((1..=5).contains(&caught_up), "caught up {caught_up} times in {passes} passes");
        reader.execute_batch("COMMIT").unwrap();
        drop(checkpointer);
        assert_eq!(blobs(&shared).await, 3_000);
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
