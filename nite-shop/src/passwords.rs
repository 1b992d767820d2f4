//! `Argon2Passwords`: the default [`Passwords`]: argon2id, on a bounded pool of threads of its own.

use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use nite_core::Error;
use nite_core::customer::PasswordHash;
use nite_core::services::Passwords;

/// Passwords hashed with argon2id (its default parameters: 19 MiB and two passes per hash) on a small pool of
/// threads of its own, so that hashing is bounded in time and memory however many requests ask at once.
///
/// At most `threads` hashes run at once (one per core by default) and at most `queue` more wait; a request past
/// that is refused at once with `Overloaded` (the server answers `503` with `Retry-After`) instead of queueing
/// without end. Hashes run in working buffers that are reused while sign-ins keep coming, so the memory argon2
/// needs is at most `threads` × 19 MiB whatever the load, and given back to the system once no hash has needed a
/// buffer for [`KEEP_MEMORY_FOR`](Argon2Passwords::KEEP_MEMORY_FOR) (released within twice that).
#[derive(Clone)]
pub struct Argon2Passwords {
    jobs: std::sync::mpsc::SyncSender<Job>,
    #[cfg(test)]
    pool: Arc<Pool>,
}

/// A hashing job: it runs on a pool thread, in a working buffer lent by the pool.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// A working buffer: argon2's blocks, allocated from the system allocator (glibc's `malloc` on Linux) whatever the
/// program's global allocator is. The niteputter binary allocates with mimalloc, which returns freed memory to the
/// system only when later allocations in the process give it occasion: an idle server kept a released buffer's
/// 19 MiB for good. glibc unmaps it on free (see [`RESERVED_BLOCKS`]).
type Memory = allocator_api2::vec::Vec<argon2::Block, std::alloc::System>;

/// The capacity a new working buffer reserves, in 1 KiB blocks: 33 MiB of address space, of which a hash touches
/// the 19 MiB it uses. glibc serves an allocation above 32 MiB (the ceiling of its sliding mmap threshold) with a
/// mapping of its own and unmaps it when it is freed, so a released buffer really leaves the process. A 19 MiB
/// allocation would be served from the heap once the first was freed, and stay resident when freed: measured,
/// about 10 MB more after each allocate-and-free cycle. The memory test below fails without the reserve.
const RESERVED_BLOCKS: usize = 33 * 1024;

/// What the hashing threads share: the queue and the idle working buffers with the time each was last used.
struct Pool {
    queued: Mutex<std::sync::mpsc::Receiver<Job>>,
    spare: Mutex<Vec<(Memory, Instant)>>,
    keep: Duration,
}

impl Pool {
    /// The next job, or `None` once the pool is dropped. Whoever waits for it drops, every `keep`, the buffers
    /// idle that long.
    fn next(&self) -> Option<Job> {
        let queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match queued.recv_timeout(self.keep) {
                Ok(job) => return Some(job),
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {
                    let keep = self.keep;
                    self.spare().retain(|(_, used)| used.elapsed() < keep);
                }
            }
        }
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<(Memory, Instant)>> {
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `job` in a spare buffer (or a new one) and keeps the buffer for the next.
    fn run(&self, job: Job) {
        let mut memory = self
            .spare()
            .pop()
            .map_or_else(|| Memory::with_capacity_in(RESERVED_BLOCKS, std::alloc::System), |(memory, _)| memory);
        job(&mut memory);
        self.spare().push((memory, Instant::now()));
    }
}

impl Default for Argon2Passwords {
    fn default() -> Argon2Passwords {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Argon2Passwords::new(cores, 64)
    }
}

impl Argon2Passwords {
    /// How long a working buffer is kept after its last hash. A sign-in after that allocates (and the kernel
    /// zeroes) 19 MiB again: a few milliseconds next to the tens that the hash itself takes.
    pub const KEEP_MEMORY_FOR: Duration = Duration::from_secs(20);

    /// A pool of `threads` hashing threads with room for `queue` waiting hashes.
    pub fn new(threads: usize, queue: usize) -> Argon2Passwords {
        Argon2Passwords::with_memory_kept_for(threads, queue, Argon2Passwords::KEEP_MEMORY_FOR)
    }

    /// A pool of `threads` hashing threads with room for `queue` waiting hashes, that keeps a working buffer for
    /// `keep` (at least 100 ms) after its last hash: longer spares busy sign-in periods the allocation, shorter
    /// gives memory back sooner.
    pub fn with_memory_kept_for(threads: usize, queue: usize, keep: Duration) -> Argon2Passwords {
        // An idle pool wakes once per `keep` to look for buffers to release: never in a tight loop.
        let keep = keep.max(Duration::from_millis(100));
        let (jobs, queued) = std::sync::mpsc::sync_channel::<Job>(queue);
        let pool = Arc::new(Pool { queued: Mutex::new(queued), spare: Mutex::new(Vec::new()), keep });
        for n in 0..threads.max(1) {
            let pool = Arc::clone(&pool);
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
                while let Some(job) = pool.next() {
                    pool.run(job);
                }
            });
            if let Err(error) = spawned {
                tracing::error!(error = %error, "could not start a password-hashing thread");
            }
        }
        Argon2Passwords {
            jobs,
            #[cfg(test)]
            pool,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> nite_core::Result<T> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = done.send(job(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => answer.await.map_err(|e| Error::adapter("hashing a password", e)),
            Err(std::sync::mpsc::TrySendError::Full(_)) => {
                Err(Error::Overloaded { what: "password hashing", retry_after_secs: 1 })
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                Err(Error::adapter("hashing a password", "the hashing threads are gone"))
            }
        }
    }
}

/// The most working memory a stored hash may ask for (its `m`, in KiB): 256 MiB.
const MAX_MEMORY_KIB: u32 = 256 * 1024;

/// argon2 of `password` with `salt` under `params` into `out`, in `memory` (grown to fit, then kept).
fn argon2_into(
    memory: &mut Memory,
    algorithm: argon2::Algorithm,
    version: argon2::Version,
    params: argon2::Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), String> {
    if params.m_cost() > MAX_MEMORY_KIB {
        return Err(format!("a hash asking for {} KiB of memory", params.m_cost()));
    }
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let hasher = Argon2::new(algorithm, version, params);
    hasher.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks]).map_err(|e| e.to_string())
}

/// A new argon2id hash of `password` in PHC string form, with a random 16-byte salt and the default parameters.
fn hash_in(memory: &mut Memory, password: &[u8]) -> Result<String, String> {
    use argon2::password_hash::phc::{Output, ParamsString, PasswordHash as Phc, Salt};
    let mut salt = [0_u8; argon2::RECOMMENDED_SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let params = argon2::Params::default();
    let mut out = [0_u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    let (algorithm, version) = (argon2::Algorithm::Argon2id, argon2::Version::V0x13);
    argon2_into(memory, algorithm, version, params.clone(), password, &salt, &mut out)?;
    let phc = Phc {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (any argon2 variant and parameters), compared in constant time.
fn verify_in(memory: &mut Memory, password: &[u8], hash: &str) -> bool {
    use argon2::password_hash::phc::{Output, PasswordHash as Phc};
    let Ok(phc) = Phc::new(hash) else { return false };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else { return false };
    let Ok(algorithm) = argon2::Algorithm::try_from(phc.algorithm.as_str()) else { return false };
    let Ok(version) = phc.version.map_or(Ok(argon2::Version::V0x13), argon2::Version::try_from) else {
        return false;
    };
    let Ok(params) = argon2::Params::try_from(&phc) else { return false };
    let mut out = vec![0_u8; expected.len()];
    if argon2_into(memory, algorithm, version, params, password, salt.as_ref(), &mut out).is_err() {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

#[async_trait::async_trait]
impl Passwords for Argon2Passwords {
    async fn hash(&self, password: &str) -> nite_core::Result<PasswordHash> {
        let password = password.to_owned();
        let hashed = self
            .run(move |memory| hash_in(memory, password.as_bytes()))
            .await?
            .map_err(|e| Error::adapter("hashing a password", e))?;
        Ok(PasswordHash(hashed))
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> nite_core::Result<bool> {
        let (password, hash) = (password.to_owned(), hash.0.clone());
        self.run(move |memory| verify_in(memory, password.as_bytes(), &hash)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    /// Taken by every test that hashes, so that the memory test reads only its own buffers.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        let _serial = SERIAL.blocking_lock();
        let mut memory = Memory::new_in(std::alloc::System);
        let ours = hash_in(&mut memory, b"correct horse battery").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        // The argon2 crate's own verifier accepts ours, and ours accepts its hashes.
        assert!(Argon2::default().verify_password(b"correct horse battery", ours.as_str()).is_ok());
        let theirs = Argon2::default().hash_password(b"correct horse battery").unwrap().to_string();
        assert!(verify_in(&mut memory, b"correct horse battery", &theirs));
        assert!(!verify_in(&mut memory, b"correct horse batterY", &theirs));
        assert!(!verify_in(&mut memory, b"correct horse battery", "$argon2id$v=19$garbage"));
        assert_eq!(memory.len(), argon2::Params::default().block_count(), "one working buffer, reused");
    }

    /// Polls `condition` for up to five seconds.
    async fn eventually(condition: impl Fn() -> bool) -> bool {
        for _ in 0..500 {
            if condition() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// The process's resident memory, in KiB.
    fn resident_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap();
        line.split_whitespace().next().unwrap().parse().unwrap()
    }

    #[tokio::test]
    async fn working_memory_is_reused_while_hashing_and_released_when_idle() {
        // The resident memory this test reads is the whole process's: no other hashing test may run meanwhile.
        let _serial = SERIAL.lock().await;
        let passwords = Argon2Passwords::with_memory_kept_for(2, 8, Duration::from_millis(300));
        let spare = || passwords.pool.spare().len();
        let hash = passwords.hash("correct horse battery").await.unwrap();
        assert!(eventually(|| spare() == 1).await, "the buffer is kept after a hash");
        // One hash after another: the kept buffer is lent again, whichever thread takes the job.
        for _ in 0..3 {
            assert!(passwords.verify("correct horse battery", &hash).await.unwrap());
            assert!(eventually(|| spare() == 1).await, "still one buffer, not {}", spare());
        }
        // Idle, the buffer is released and leaves the process: every time, not only the first (a 19 MiB buffer
        // freed to glibc stays resident from the second time on).
        for round in 0..3 {
            assert!(eventually(|| spare() == 0).await, "round {round}: the idle buffer is released");
            let released = resident_kib();
            assert!(passwords.verify("correct horse battery", &hash).await.unwrap());
            assert!(eventually(|| spare() == 1).await, "round {round}: the buffer is back");
            let held = resident_kib();
            assert!(held >= released + 15 * 1024, "round {round}: a hash holds its 19 MiB: {released} -> {held} KiB");
            assert!(eventually(|| spare() == 0).await, "round {round}: released again");
            let after = resident_kib();
            assert!(after + 15 * 1024 <= held, "round {round}: the 19 MiB left the process: {held} -> {after} KiB");
        }
        assert!(!passwords.verify("correct horse batterY", &hash).await.unwrap());
    }
}
