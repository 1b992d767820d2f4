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

/// `?limit=&cursor=` of a paged list: take it with [`ApiQuery<PageQuery>`](ApiQuery), then [`PageQuery::page`].
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for: `422` on `limit` outside 1–100 (the bounds are the core's [`Limit`]).
    ///
    /// [`Limit`]: nite_core::ports::Limit
    pub fn page(self) -> Result<nite_core::ports::PageRequest, ApiError> {
        Ok(nite_core::ports::PageRequest::asked(self.limit, self.cursor)?)
    }
}

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

/// An id a path may carry: how it parses, and the entity a `404` names when it does not.
pub trait PathIdType: Sized + Send {
    /// The entity named when the id is malformed (`order`).
    const ENTITY: &'static str;
    /// Parses the id.
    fn parse_id(value: &str) -> Result<Self, nite_core::IdError>;
}

macro_rules! path_id_types {
    ($($id:ty => $entity:literal),* $(,)?) => {
        $(
            impl PathIdType for $id {
                const ENTITY: &'static str = $entity;
                fn parse_id(value: &str) -> Result<Self, nite_core::IdError> {
                    <$id>::parse(value)
                }
            }
        )*
    };
}

path_id_types!(
    nite_core::CartId => "cart",
    nite_core::CartLineId => "cart line",
    nite_core::OrderId => "order",
    nite_core::PaymentId => "payment",
    nite_core::ReviewId => "review",
    nite_core::CustomerId => "customer",
    nite_core::ProductId => "product",
    nite_core::PromotionId => "promotion",
    nite_core::WebhookEndpointId => "webhook endpoint",
);

fn path_not_found(entity: &'static str, value: &str) -> ApiError {
    ApiError::from(nite_core::Error::not_found(entity, value))
}

/// The route's one path parameter as a typed id (`PathId<OrderId>` for `/orders/{id}`): a malformed id is
/// `404 not_found`, as an unknown one is, never a parsing error that tells a prober ids apart.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: PathIdType> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| path_not_found(T::ENTITY, &e.body_text()))?;
        T::parse_id(&raw).map(PathId).map_err(|_| path_not_found(T::ENTITY, &raw))
    }
}

/// A route's two path parameters, the first a typed id and the second a typed id or a plain `String`
/// (`/carts/{id}/items/{line}`, `/carts/{id}/discount-codes/{code}`).
pub struct PathIds<A, B>(pub A, pub B);

/// The second parameter of [`PathIds`]: a typed id, or any text.
pub trait PathPart: Sized + Send {
    /// Parses the segment, naming the entity of a `404`.
    fn parse_part(value: &str) -> Result<Self, ApiError>;
}

impl<T: PathIdType> PathPart for T {
    fn parse_part(value: &str) -> Result<Self, ApiError> {
        T::parse_id(value).map_err(|_| path_not_found(T::ENTITY, value))
    }
}

impl PathPart for String {
    fn parse_part(value: &str) -> Result<Self, ApiError> {
        Ok(value.to_owned())
    }
}

impl<S: Send + Sync, A: PathIdType, B: PathPart> FromRequestParts<S> for PathIds<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)) = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e| path_not_found(A::ENTITY, &e.body_text()))?;
        let first = A::parse_id(&a).map_err(|_| path_not_found(A::ENTITY, &a))?;
        Ok(PathIds(first, B::parse_part(&b)?))
    }
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

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use nite_core::{CartId, CartLineId, OrderId};
    use tower::ServiceExt;

    use super::{PathId, PathIds};

    async fn status_and_body(app: &Router, uri: &str) -> (StatusCode, String) {
        let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    /// Typed path ids: a well-formed one reaches the handler typed; a malformed one is the entity's `404`, as an
    /// unknown one would be.
    #[tokio::test]
    async fn path_ids_parse_or_are_not_found() {
        let app = Router::new()
            .route("/orders/{id}", get(|PathId(order): PathId<OrderId>| async move { order.to_string() }))
            .route(
                "/carts/{id}/items/{line}",
                get(|PathIds(cart, line): PathIds<CartId, CartLineId>| async move { format!("{cart} {line}") }),
            )
            .route(
                "/carts/{id}/codes/{code}",
                get(|PathIds(cart, code): PathIds<CartId, String>| async move { format!("{cart} {code}") }),
            );
        assert_eq!(status_and_body(&app, "/orders/ord_1").await, (StatusCode::OK, "ord_1".to_owned()));
        let (status, body) = status_and_body(&app, "/orders/not%20an%20id").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("\"code\":\"not_found\"") && body.contains("order"), "{body}");
        assert_eq!(status_and_body(&app, "/carts/cart_1/items/line_2").await.1, "cart_1 line_2");
        let (status, body) = status_and_body(&app, "/carts/cart_1/items/%00").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("cart line"), "{body}");
        assert_eq!(status_and_body(&app, "/carts/cart_1/codes/NITE10").await.1, "cart_1 NITE10");
        assert_eq!(status_and_body(&app, "/carts/%2e%2e/codes/NITE10").await.0, StatusCode::NOT_FOUND);
    }
}
