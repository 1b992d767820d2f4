//! Who is asking: short-lived JWT access tokens (HS256), and the extractor that turns a
//! `Bearer` token into a `Viewer`. A bad token is `401`, never a guest.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use nite_core::customer::{Customer, Role};
use nite_core::services::Viewer;
use nite_core::{CustomerId, Error};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

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
