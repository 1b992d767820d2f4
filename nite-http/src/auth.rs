//! Who is asking: argon2id passwords, short-lived JWT access tokens (HS256), and the extractor that turns a
//! `Bearer` token into a `Viewer`. A bad token is `401`, never a guest.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use nite_core::customer::{Customer, PasswordHash, Role};
use nite_core::services::{Passwords, Viewer};
use nite_core::{CustomerId, Error};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

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

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    iat: i64,
    exp: i64,
}

/// Issues and checks access tokens.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
    /// The key of the CSRF tokens that go with refresh cookies (derived from the signing secret).
    csrf_key: [u8; 32],
}

impl Tokens {
    /// Tokens signed with `secret` (HS256), valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Tokens {
        use sha2::Digest;
        let csrf_key = sha2::Sha256::new().chain_update(b"nite-csrf\0").chain_update(secret).finalize().into();
        Tokens { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), ttl, csrf_key }
    }

    /// The CSRF token that goes with a refresh token kept in a cookie: an HMAC of it, so it cannot be made without
    /// the server's key nor reused with another session, and it changes whenever the refresh token rotates.
    pub fn csrf_token(&self, refresh_token: &str) -> String {
        use hmac::Mac;
        hex::encode(self.csrf_mac(refresh_token).finalize().into_bytes())
    }

    /// Whether `presented` is the CSRF token of `refresh_token` (compared in constant time).
    pub fn csrf_matches(&self, refresh_token: &str, presented: &str) -> bool {
        use hmac::Mac;
        hex::decode(presented).is_ok_and(|tag| self.csrf_mac(refresh_token).verify_slice(&tag).is_ok())
    }

    fn csrf_mac(&self, refresh_token: &str) -> hmac::Hmac<sha2::Sha256> {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.csrf_key).expect("HMAC takes any key length");
        mac.update(refresh_token.as_bytes());
        mac
    }

    /// How long an access token lives, in seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl.as_secs()
    }

    /// An access token for `customer`.
    pub fn issue(&self, customer: &Customer) -> Result<String, ApiError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: customer.id.to_string(),
            role: customer.role,
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::from(Error::adapter("signing a token", e.to_string())))
    }

    /// The viewer a token names: only HS256 with our key, unexpired (no leeway).
    fn check(&self, token: &str) -> Result<Viewer, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|_| unauthorized())?;
        let id = CustomerId::parse(&data.claims.sub).map_err(|_| unauthorized())?;
        Ok(match data.claims.role {
            Role::Admin => Viewer::admin(id),
            Role::Customer => Viewer::customer(id),
        })
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Not signed in",
        "the access token is missing, invalid or expired",
    )
}

/// The viewer: a guest without `Authorization`, the token's customer with a valid `Bearer` token; `401` otherwise.
pub struct Who(pub Viewer);

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("authorization") else {
            let guest = Viewer::guest();
            return Ok(Who(match client_key(parts) {
                Some(client) => guest.with_client(client),
                None => guest,
            }));
        };
        let token = value.to_str().ok().and_then(bearer).ok_or_else(unauthorized)?;
        let viewer = state.tokens.check(token)?;
        Ok(Who(match client_key(parts) {
            Some(client) => viewer.with_client(client),
            None => viewer,
        }))
    }
}

/// The token of an `Authorization: Bearer …` value; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A pseudonymous key of the client's address (SHA-256 of it, cut to 16 bytes; an IPv6 client is keyed by its
/// /64, which is what one subscriber holds): what per-client limits and analytics count by, without storing the
/// address itself. `None` when the server was not given the peer's address (tests without a socket).
pub(crate) fn client_key(parts: &Parts) -> Option<String> {
    use sha2::Digest;
    let axum::extract::ConnectInfo(peer) =
        parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?;
    let address = match peer.ip() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    };
    let digest = sha2::Sha256::digest(format!("nite-client:{address}").as_bytes());
    Some(format!("client_{}", hex::encode(&digest[..16])))
}

/// The client's pseudonymous key ([`client_key`]), `unknown` when the server has no peer address.
pub(crate) struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_key(parts).unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// A signed-in customer (or administrator): `401` for a guest.
pub struct SignedIn(pub Viewer);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Who(viewer) = Who::from_request_parts(parts, state).await?;
        if viewer.customer_id.is_none() {
            return Err(unauthorized());
        }
        Ok(SignedIn(viewer))
    }
}

/// An administrator: `401` for a guest, `403 forbidden` for a customer.
pub struct Admin(pub Viewer);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(viewer) = SignedIn::from_request_parts(parts, state).await?;
        if !viewer.is_admin() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Administrators only",
                "this route needs the admin role",
            ));
        }
        Ok(Admin(viewer))
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
