//! Extractors for handlers of nite's routes and an embedder's own ([`app_with`](crate::app_with)): who is asking
//! ([`Who`], [`SignedIn`], [`Admin`], checked as nite checks its own routes), a JSON body and a query whose failures
//! are problems too, the `Idempotency-Key` header.

pub use crate::auth::{Admin, SignedIn, Who};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` whose failures answer `422 validation_failed`, `413 payload_too_large` or `415`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_problem(&rejection)),
        }
    }
}

fn json_problem(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is too large",
            rejection.body_text(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send application/json",
            rejection.body_text(),
        ),
        _ => ApiError::invalid("body", &rejection.body_text()),
    }
}

/// The `Idempotency-Key` header and a digest of the request it came with (method, path and body).
pub(crate) struct IdempotencyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else { return Ok(IdempotencyHeader(None)) };
        let key = value.to_str().ok().map(str::trim).filter(|k| (1..=255).contains(&k.len()));
        key.map(|k| IdempotencyHeader(Some(k.to_owned())))
            .ok_or_else(|| ApiError::invalid("Idempotency-Key", "must be 1 to 255 visible characters"))
    }
}

/// SHA-256 (hex) of a request's method, path and body: what makes "the same request".
pub(crate) fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    digest.update(method.as_bytes());
    digest.update(b" ");
    digest.update(path.as_bytes());
    digest.update(b"\n");
    digest.update(body);
    hex::encode(digest.finalize())
}

/// A path segment parsed into a typed id; a malformed id is `404 not_found`, as an unknown one is.
pub(crate) fn id<T>(
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, nite_core::IdError>,
    entity: &'static str,
) -> Result<T, ApiError> {
    parse(value).map_err(|_| ApiError::from(nite_core::Error::not_found(entity, value)))
}

/// `Query<T>` whose failures answer `422 validation_failed` as problems, like every other bad input.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::invalid("query", &rejection.body_text())),
        }
    }
}
