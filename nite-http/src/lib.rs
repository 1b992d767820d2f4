//! nite-http: the niteputter reference server over the nite crates.
//!
//! - [`Shop`] composes the ports, providers and services (a builder: swap one provider, keep the rest);
//! - [`app`] is the axum router of `docs/api.md`: thin handlers, errors as problem+json ([`ApiError`]), a body-size limit,
//!   request ids in responses and logs, timeouts;
//! - [`config::Config`] reads defaults, a TOML file and `NITE_*` variables;
//! - [`serve`] runs it all: the server, the outbox worker and the reservation sweeper, until a shutdown signal.

mod accounts;
mod admin;
mod api;
mod auth;
mod cache;
pub mod config;
mod cookies;
mod docs;
mod error;
pub mod extract;
pub mod limits;
mod metrics;
pub mod proxy;
mod recorder;
mod serve;
mod server;
pub mod shared;
mod shop;
mod views;
pub mod web;

pub use auth::{Argon2Passwords, Tokens};
pub use error::ApiError;
pub use serve::{ServeOptions, build_shop, health_url, healthcheck, serve, serve_shop, shop_builder, shutdown_signal};
pub use server::{ConnectionLimits, serve_connections};
pub use shop::{Shop, ShopBuildError, ShopBuilder};

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use nite_core::email::Mailbox;
use nite_email::EmailSettings;
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The shop.
    pub shop: Arc<Shop>,
    /// The database, for readiness; `None` for a shop over in-memory stores.
    pub database: Option<nite_storage::Database>,
    /// Access tokens.
    pub tokens: Arc<Tokens>,
    /// Sign-in, registration and reset limits per client and address.
    pub limits: Arc<limits::Limits>,
    /// Which product views are written (one per visitor and product per window, at a bounded rate).
    pub view_gate: Arc<limits::ViewGate>,
    /// What an operator must know about this shop's setup (the test payment provider, say): logged at startup and
    /// listed by `/readyz`.
    pub warnings: Vec<String>,
    /// Browser origins allowed to call the API; none (no CORS headers at all) by default.
    pub cors_origins: Vec<axum::http::HeaderValue>,
    /// Product views waiting to be written (started with the first view).
    views: Arc<std::sync::OnceLock<recorder::ViewRecorder>>,
    /// Catalog answers reused for a moment (off unless [`AppState::with_catalog_cache`] turns it on).
    pub(crate) catalog_cache: Arc<cache::CatalogCache>,
    /// What this process shares with the shop's other processes (Redis), or nothing.
    pub shared: Arc<shared::Shared>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Arc<Vec<proxy::IpRange>>,
    /// The country carts ship to until they have an address (for the free-shipping nudge); none by default.
    pub home_country: Option<nite_core::tax::CountryCode>,
    /// What the browser side needs to know: the shop's public URL and name, Stripe's publishable key, where the web
    /// assets come from.
    pub web: Arc<web::WebSettings>,
}

impl AppState {
    /// The state of a shop: tokens signed with `jwt_secret`, valid 15 minutes.
    pub fn new(shop: Shop, database: Option<nite_storage::Database>, jwt_secret: &[u8]) -> AppState {
        AppState {
            shop: Arc::new(shop),
            database,
            tokens: Arc::new(Tokens::new(jwt_secret, Duration::from_secs(15 * 60))),
            limits: Arc::new(limits::Limits::default()),
            view_gate: Arc::new(limits::ViewGate::default()),
            warnings: Vec::new(),
            cors_origins: Vec::new(),
            views: Arc::default(),
            catalog_cache: Arc::new(cache::CatalogCache::new(Duration::ZERO)),
            shared: Arc::new(shared::Shared::off()),
            trusted_proxies: Arc::default(),
            home_country: None,
            web: Arc::new(web::WebSettings::default()),
        }
    }

    /// Points the free-shipping nudge of carts without an address at `country`.
    #[must_use]
    pub fn with_home_country(mut self, country: nite_core::tax::CountryCode) -> AppState {
        self.home_country = Some(country);
        self
    }

    /// Sets what the storefront and the dashboard need (see [`web::WebSettings`]).
    #[must_use]
    pub fn with_web(mut self, web: web::WebSettings) -> AppState {
        self.web = Arc::new(web);
        self
    }

    /// Takes the client's address from `X-Forwarded-For` when the connection comes from one of these proxies.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: &[proxy::IpRange]) -> AppState {
        self.trusted_proxies = Arc::new(proxies.to_vec());
        self
    }

    /// Shares limits, view counts and catalog changes with the shop's other processes through `shared`.
    #[must_use]
    pub fn with_shared(mut self, shared: Arc<shared::Shared>) -> AppState {
        self.limits = Arc::new(limits::Limits::default().shared(Arc::clone(&shared)));
        self.shared = shared;
        self
    }

    /// Reuses catalog answers (the product list, product pages) for `ttl`: the stock they show may be that old,
    /// while carts and checkout always read it fresh. Administrators' changes through this server clear it.
    pub fn with_catalog_cache(mut self, ttl: Duration) -> AppState {
        self.catalog_cache = Arc::new(cache::CatalogCache::new(ttl));
        self
    }

    /// Writes the product views still queued (at shutdown, after the last request).
    pub(crate) async fn flush_views(&self) {
        if let Some(recorder) = self.views.get() {
            recorder.close().await;
        }
    }

    /// Records that a product page was shown to `visitor`, without waiting for the write (see `recorder`): once
    /// per visitor and product per window, and never faster than the view gate allows. A view by nobody known (no
    /// client address, no account) is not counted.
    pub(crate) fn record_view(&self, product: &nite_core::ProductId, visitor: Option<String>) {
        let Some(visitor) = visitor else { return };
        if !self.view_gate.admit(&visitor, product.as_str()) {
            return;
        }
        let event = self.shop.catalog.view_event(product, Some(visitor));
        self.views
            .get_or_init(|| {
                recorder::ViewRecorder::start(
                    self.shop.catalog.clone(),
                    Arc::clone(&self.shared),
                    self.view_gate.window(),
                )
            })
            .record(event);
    }

    /// Allows these browser origins (such as `https://shop.example`) to call the API; invalid ones are skipped
    /// (the configuration already refuses them).
    #[must_use]
    pub fn with_cors_origins(mut self, origins: &[String]) -> AppState {
        self.cors_origins = origins.iter().filter_map(|o| axum::http::HeaderValue::from_str(o).ok()).collect();
        self
    }
}

/// The email settings of the NitePutter shop.
pub fn default_email_settings() -> EmailSettings {
    let email = |address: &str| nite_core::Email::parse(address).expect("a valid address");
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: email("orders@niteputter.example") },
        reply_to: Some(Mailbox { name: None, email: email("help@niteputter.example") }),
        shop_name: "NitePutter".into(),
        shop_url: "http://127.0.0.1:8080".into(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}

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

async fn not_found() -> ApiError {
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
/// errors, request ids, metrics). Their handlers take [`AppState`] and may use nite's [extractors](extract) (the
/// viewer, a signed-in customer, an administrator; JSON bodies and queries whose failures are problems) and answer
/// [`ApiError`]. A route that collides with one of nite's panics when the router is built, as axum does.
pub fn app_with(state: AppState, routes: Router<AppState>) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let cors = (!state.cors_origins.is_empty()).then(|| {
        use axum::http::{Method, header};
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list(state.cors_origins.clone()))
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
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
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
}
