//! The routers, composed in one place: the API, its OpenAPI document and Swagger UI, the browser side, `/healthz` and
//! `/readyz`, and the middleware every request passes (body and time limits, problem+json errors, request ids,
//! traces, metrics, CORS).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use serde_json::json;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{api, cache, docs, error, metrics, proxy, shared, web};

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(json!({ "status": "ok" }))
}

async fn readyz(State(app): State<AppState>) -> (StatusCode, axum::Json<serde_json::Value>) {
    let ready = match &app.database {
        None => Ok(true),
        Some(db) => db.ready().await,
    };
    let payments = app.shop.ctx.payments.name();
    let (status, state) = match ready {
        Ok(true) => (StatusCode::OK, "ready"),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    };
    let redis = match app.shared.check().await {
        shared::SharedStatus::Off => json!("off"),
        shared::SharedStatus::Ok => json!("ok"),
        shared::SharedStatus::Degraded(why) => json!({ "degraded": why }),
    };
    let mut degraded = Vec::new();
    if let shared::SharedStatus::Degraded(why) = app.shared.status() {
        degraded.push(format!(
            "redis: {why}; sign-in and other limits count per process and catalog caches expire by their TTL"
        ));
    }
    let body = json!({
        "status": state,
        "payments": payments,
        "redis": redis,
        "degraded": degraded,
        "warnings": app.warnings,
    });
    (status, axum::Json(body))
}

/// The router of a `worker` process: `/healthz` and `/readyz` only (for health checks and orchestrators).
pub fn ops_app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(error::problems_everywhere))
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::from(nite_core::Error::not_found("route", "this path"))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "The method is not allowed here",
        "this path does not take this method",
    )
}

/// How long a request may take, headers to response.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers `503 timeout` (a problem) to a request that takes longer than `limit` ([`REQUEST_TIMEOUT`] in [`app`]).
async fn time_limit(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "The request took too long",
            format!("no answer within {} ms; try again", limit.as_millis()),
        )
        .with_retry_after(1)
        .into_response(),
    }
}

/// Refuses a body declared larger than [`MAX_BODY_BYTES`] at once, before reading any of it.
async fn declared_size(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        let mut response = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is too large",
            format!("bodies are at most {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
        // The body was never read: the connection cannot be reused for another request.
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .nest("/api/v1", api::routes())
        .split_for_parts()
}

/// The API's OpenAPI 3.1 document, as `/api/v1/openapi.json` serves it (`niteputter openapi` prints it; `web/client`
/// generates its types from it).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// The router: `/healthz`, `/readyz`, the API of `docs/api.md` under `/api/v1`, its OpenAPI document at `/api/v1/openapi.json` and
/// Swagger UI at `/docs`.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// [`app`] with the embedder's own `routes` merged in, behind the same middleware (body and time limits, problem+json
/// errors, request ids, metrics). Their handlers take [`AppState`] and may use nite's [extractors](crate::extract) (the
/// viewer, a signed-in customer, an administrator; JSON bodies and queries whose failures are problems) and answer
/// [`ApiError`]. A route that collides with one of nite's panics when the router is built, as axum does.
pub fn app_with(state: AppState, routes: Router<AppState>) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let cors = (!state.cors_origins.is_empty()).then(|| {
        use axum::http::{Method, header};
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list(state.cors_origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("x-order-token"),
            ])
            .expose_headers([request_id.clone()])
            .max_age(Duration::from_secs(600))
    });
    let trusted = Arc::clone(&state.trusted_proxies);
    let (api, openapi) = api_parts();
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(api)
        .merge(routes)
        .merge(docs::swagger_ui(openapi))
        .merge(web::routes())
        .fallback(web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::clear_after_admin_writes))
        .route_layer(axum::middleware::from_fn(metrics::track_requests))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(declared_size))
        .layer(axum::middleware::from_fn_with_state(REQUEST_TIMEOUT, time_limit))
        .layer(axum::middleware::from_fn(error::problems_everywhere))
        .layer(axum::middleware::from_fn_with_state(trusted, proxy::forwarded_client))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, RequestIds::default()));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Makes the `x-request-id` of requests that come without one: version 4 UUIDs whose random bits are a bijective mix
/// of a counter and two keys drawn once per process. Unique within the process, unrelated across processes, and no
/// `getrandom` system call per request (as `MakeRequestUuid` makes).
#[derive(Clone)]
struct RequestIds {
    keys: (u64, u64),
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> RequestIds {
        // As `RandomIds`: without the operating system's random source no shop can run.
        let key = || getrandom::u64().expect("the operating system's random source is available");
        RequestIds { keys: (key(), key()), next: Arc::default() }
    }
}

/// SplitMix64's finaliser: a bijection of `u64` that spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl RequestIds {
    /// The next id (`uuid` sets its version and variant bits).
    fn next_id(&self) -> uuid::Uuid {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let bits = (u128::from(mix(n ^ self.keys.0)) << 64) | u128::from(mix(n.wrapping_add(self.keys.1)));
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        axum::http::HeaderValue::from_str(self.next_id().hyphenated().encode_lower(&mut text)).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    /// A request slower than the limit is answered `503 timeout` as a problem, with `Retry-After`.
    #[tokio::test]
    async fn a_slow_request_ends_in_a_timeout_problem() {
        let slow = Router::new()
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }))
            .layer(axum::middleware::from_fn_with_state(Duration::from_millis(20), time_limit))
            .layer(axum::middleware::from_fn(error::problems_everywhere));
        let request = axum::http::Request::get("/slow").body(Body::empty()).unwrap();
        let response = slow.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert!(response.headers().contains_key("retry-after"));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "timeout");
    }

    /// Request ids are version 4 UUIDs, all different, and two processes (two generators) make different ones.
    #[test]
    fn request_ids_are_unique_version_4_uuids() {
        let (first, second) = (RequestIds::default(), RequestIds::default());
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50_000 {
            for id in [first.next_id(), second.next_id()] {
                let id = id.to_string();
                let groups: Vec<usize> = id.split('-').map(str::len).collect();
                assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
                assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{id}");
                assert_eq!(&id[14..15], "4", "{id}");
                assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
                assert!(seen.insert(id.clone()), "{id} twice");
            }
        }
    }
}
