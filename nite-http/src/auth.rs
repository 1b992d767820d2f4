//! Who is asking: argon2id passwords, short-lived JWT access tokens (HS256), and the extractor that turns a
//! `Bearer` token into a `Viewer`. A bad token is `401`, never a guest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use nite_core::customer::{Customer, PasswordHash, Role};
use nite_core::services::{Passwords, Viewer};
use nite_core::{CustomerId, Error};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;

/// Passwords hashed with argon2id (its default parameters), off the async threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2Passwords;

#[async_trait::async_trait]
impl Passwords for Argon2Passwords {
    async fn hash(&self, password: &str) -> nite_core::Result<PasswordHash> {
        let password = password.to_owned();
        let hashed = tokio::task::spawn_blocking(move || {
            Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string())
        })
        .await
        .map_err(|e| Error::adapter("hashing a password", e))?
        .map_err(|e| Error::adapter("hashing a password", e.to_string()))?;
        Ok(PasswordHash(hashed))
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> bool {
        let (password, hash) = (password.to_owned(), hash.0.clone());
        tokio::task::spawn_blocking(move || {
            Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()
        })
        .await
        .unwrap_or(false)
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
}

impl Tokens {
    /// Tokens signed with `secret` (HS256), valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Tokens {
        Tokens { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), ttl }
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
pub(crate) struct Who(pub Viewer);

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("authorization") else { return Ok(Who(Viewer::guest())) };
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(unauthorized)?;
        state.tokens.check(token.trim()).map(Who)
    }
}

/// A signed-in customer (or administrator): `401` for a guest.
pub(crate) struct SignedIn(pub Viewer);

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
pub(crate) struct Admin(pub Viewer);

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

/// Failed sign-ins per email: five in fifteen minutes, then `429` until the window passes.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
const ALLOWED_FAILURES: u32 = 5;

impl LoginLimiter {
    /// `429` if `email` has failed too often lately.
    pub fn check(&self, email: &str) -> Result<(), ApiError> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(&email.trim().to_lowercase()) {
            Some((count, since)) if *count >= ALLOWED_FAILURES && since.elapsed() < WINDOW => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many failed sign-ins",
                "try again in a few minutes",
            )),
            _ => Ok(()),
        }
    }

    /// Counts a failure.
    pub fn failed(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures.entry(email.trim().to_lowercase()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets the failures of an email after a good sign-in.
    pub fn succeeded(&self, email: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&email.trim().to_lowercase());
    }
}
