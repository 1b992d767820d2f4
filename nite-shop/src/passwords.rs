//! `Argon2Passwords`: the default [`Passwords`]: argon2id, on a bounded pool of threads of its own.

use std::sync::{Arc, Mutex};

use argon2::Argon2;
use nite_core::Error;
use nite_core::customer::PasswordHash;
use nite_core::services::Passwords;

/// Passwords hashed with argon2id (its default parameters: 19 MiB and two passes per hash) on a small pool of
/// threads of its own, so that hashing is bounded in time and memory however many requests ask at once.
///
/// At most `threads` hashes run at once (one per core by default) and at most `queue` more wait; a request past
/// that is refused at once with `Overloaded` (the server answers `503` with `Retry-After`) instead of queueing
/// without end. Each thread computes every hash in one working buffer of its own, allocated once and reused, so
/// the memory argon2 needs is `threads` × 19 MiB for the life of the process, whatever the load: the allocator
/// never sees a 19 MiB request to scatter over its arenas.
#[derive(Clone)]
pub struct Argon2Passwords {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

/// A hashing job: it runs on a pool thread, with that thread's working memory.
type Job = Box<dyn FnOnce(&mut Vec<argon2::Block>) + Send>;

impl Default for Argon2Passwords {
    fn default() -> Argon2Passwords {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Argon2Passwords::new(cores, 64)
    }
}

impl Argon2Passwords {
    /// A pool of `threads` hashing threads with room for `queue` waiting hashes.
    pub fn new(threads: usize, queue: usize) -> Argon2Passwords {
        let (jobs, queued) = std::sync::mpsc::sync_channel::<Job>(queue);
        let queued = Arc::new(Mutex::new(queued));
        for n in 0..threads.max(1) {
            let queued = Arc::clone(&queued);
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
                let mut memory = Vec::new();
                loop {
                    let job = queued.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match job {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            });
            if let Err(error) = spawned {
                tracing::error!(error = %error, "could not start a password-hashing thread");
            }
        }
        Argon2Passwords { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Vec<argon2::Block>) -> T + Send + 'static,
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
    memory: &mut Vec<argon2::Block>,
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
fn hash_in(memory: &mut Vec<argon2::Block>, password: &[u8]) -> Result<String, String> {
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
fn verify_in(memory: &mut Vec<argon2::Block>, password: &[u8], hash: &str) -> bool {
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

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        let mut memory = Vec::new();
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
}
