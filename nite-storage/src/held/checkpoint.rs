//! The checkpointer: copies SQLite's write-ahead log into the database file on a thread and connection of its own,
//! and, once the log has grown, catches up with it while holding the writer so that the log starts over.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Mutex;

use super::{Held, Opener, Shared};
use crate::lite::LiteError;

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
/// A checkpoint that runs beside the writer never quite catches up while commits keep coming: by the time it has copied
/// what it saw, more has been written. SQLite starts the log over only when everything in it has been copied, so under
/// steady writes the log grew until the writer's own checkpoint at
/// [`WRITER_CHECKPOINTS_AT`](super::WRITER_CHECKPOINTS_AT) (about 40 MB), and then the writer paid, inside a commit,
/// for the rest of the copy, an `fsync` of the database file, an `fsync` of the log's header and cutting the log back
/// to `journal_size_limit` (8 ms alone): 10–12 ms about every 300 ms under 8 shoppers, which set the p99 of `POST
/// /carts` (9–12 ms) and checkout (15–17 ms). Past this many frames the checkpointer syncs the database file on its
/// own, then takes the writer's lock (in line, like any writer) and checkpoints once more: what is left is the few
/// frames since, so the writer waits about 1 ms, and the next commit starts the log over (one small `fsync`). In 10 s
/// journey runs here the two tails fell to 3.7–4.8 and 6.6–7.2 ms with 256, 1,024 or 4,096 frames alike
/// (load_tests/README); 1,024 keeps the log within about 4 MB.
const CATCH_UP_AT: i64 = 1024;

/// What the writer tells the checkpointer: that it committed, or that the store is closing.
#[derive(Debug, Default)]
pub(super) struct Wake {
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
    pub(super) fn written(&self) {
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
                        caught_up_at = catch_up_holding_the_writer(&conn, &file, &waiting, log).unwrap_or(caught_up_at);
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

/// Syncs what the last checkpoint copied (beside the writer, not while holding it), then checkpoints again while
/// holding the writer, so that only the frames since are left to copy and the next commit starts the log over.
/// Returns the log's size after it (`log`, the size before, if that checkpoint failed); `None` once the writer is
/// gone.
fn catch_up_holding_the_writer(conn: &Connection, file: &std::fs::File, wake: &Wake, log: i64) -> Option<i64> {
    if let Err(e) = file.sync_data() {
        tracing::warn!(error = %e, "the SQLite checkpointer could not sync the database file");
    }
    let writer = wake.writer.get().and_then(std::sync::Weak::upgrade)?;
    let _held = writer.blocking_lock();
    Some(checkpoint(conn).unwrap_or(log))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::tests::count;
    use super::super::{Conn, Opener, Shared, Transaction};
    use super::*;
    use crate::lite::{query, query_scalar};

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
}
