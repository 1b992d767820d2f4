//! Prometheus metrics, served at `/metrics` on a listener of their own (`NITE_METRICS_BIND`), never on the public
//! one. Counters are kept per process from its start:
//!
//! - `nite_http_requests_total{method,route,status}` and `nite_http_request_duration_seconds{method,route}`, by the
//!   route's template (`/api/v1/products/{slug}`), so ids never multiply the series;
//! - `nite_checkouts_total{outcome}`: `placed`, `replayed` (an `Idempotency-Key` seen before) or the problem code
//!   (`cart_changed`, `insufficient_stock`, …);
//! - `nite_payment_events_total{source,outcome}`: test confirmations and Stripe webhooks, `accepted` or the problem
//!   code;
//! - `nite_rate_limited_total{limit}`: requests refused by a per-client limit;
//! - `nite_job_runs_total{job}`: periodic jobs this process ran (one per slot across the cluster).
//!
//! Gauges are read from the database when scraped: `nite_outbox_pending`, `nite_outbox_dead`,
//! `nite_outbox_oldest_pending_seconds`, `nite_reserved_units`, `nite_db_connections{state}`, and
//! `nite_redis_up` (1 answering, 0 degraded; absent without Redis).

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::watch;

use crate::error::ProblemCode;
use crate::shared::SharedStatus;
use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PaymentLabels {
    source: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

fn latency() -> Histogram {
    // 0.5 ms to about 4 s.
    Histogram::new(exponential_buckets(0.000_5, 2.0, 14))
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    checkouts: Family<Outcome, Counter>,
    payments: Family<PaymentLabels, Counter>,
    limited: Family<LimitLabels, Counter>,
    jobs: Family<JobLabels, Counter>,
    outbox_pending: Gauge,
    outbox_dead: Gauge,
    outbox_oldest: Gauge,
    reserved: Gauge,
    pool: Family<PoolLabels, Gauge>,
    redis_up: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("nite");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register("http_requests", "HTTP requests answered, by route template and status", requests.clone());
    let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency);
    registry.register("http_request_duration_seconds", "Time to answer, by route template", durations.clone());
    let checkouts = Family::<Outcome, Counter>::default();
    registry.register("checkouts", "Checkouts, by outcome (placed, replayed, or the problem code)", checkouts.clone());
    let payments = Family::<PaymentLabels, Counter>::default();
    registry.register("payment_events", "Payment events received, by source and outcome", payments.clone());
    let limited = Family::<LimitLabels, Counter>::default();
    registry.register("rate_limited", "Requests refused by a per-client limit", limited.clone());
    let jobs = Family::<JobLabels, Counter>::default();
    registry.register("job_runs", "Periodic jobs run by this process", jobs.clone());
    let outbox_pending = Gauge::default();
    registry.register("outbox_pending", "Messages waiting to be sent", outbox_pending.clone());
    let outbox_dead = Gauge::default();
    registry.register("outbox_dead", "Messages given up on", outbox_dead.clone());
    let outbox_oldest = Gauge::default();
    registry.register("outbox_oldest_pending_seconds", "Age of the oldest pending message", outbox_oldest.clone());
    let reserved = Gauge::default();
    registry.register("reserved_units", "Units held by unpaid orders", reserved.clone());
    let pool = Family::<PoolLabels, Gauge>::default();
    registry.register("db_connections", "Database pool connections, by state (idle, busy)", pool.clone());
    let redis_up = Gauge::default();
    registry.register("redis_up", "Whether Redis answers (absent without Redis)", redis_up.clone());
    Metrics {
        registry,
        requests,
        durations,
        checkouts,
        payments,
        limited,
        jobs,
        outbox_pending,
        outbox_dead,
        outbox_oldest,
        reserved,
        pool,
        redis_up,
    }
});

/// Middleware on every matched route: counts the request and its time under the route's template, and the
/// outcomes of checkouts and payment events.
pub(crate) async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "-".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    let m = &*METRICS;
    m.durations
        .get_or_create(&RouteLabels { method: method.clone(), route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    let outcome = || match response.extensions().get::<ProblemCode>() {
        Some(ProblemCode(code)) => (*code).to_owned(),
        None if status.is_success() => String::new(),
        None => status.as_u16().to_string(),
    };
    match route.as_str() {
        "/api/v1/carts/{id}/checkout" => {
            let outcome = match status {
                StatusCode::CREATED => "placed".to_owned(),
                StatusCode::OK => "replayed".to_owned(),
                _ => outcome(),
            };
            m.checkouts.get_or_create(&Outcome { outcome }).inc();
        }
        "/api/v1/payments/{id}/test-confirm" | "/api/v1/webhooks/stripe" => {
            let source = if route.ends_with("stripe") { "stripe" } else { "test" };
            let outcome = if status.is_success() { "accepted".to_owned() } else { outcome() };
            m.payments.get_or_create(&PaymentLabels { source: source.to_owned(), outcome }).inc();
        }
        _ => {}
    }
    m.requests.get_or_create(&RequestLabels { method, route, status: status.as_u16() }).inc();
    response
}

/// A request refused by a per-client limit (`what` is the problem's title).
pub(crate) fn rate_limited(what: &str) {
    let limit = match what {
        w if w.contains("sign-in") => "login",
        w if w.contains("registration") => "register",
        w if w.contains("reset") => "password_reset",
        _ => "other",
    };
    METRICS.limited.get_or_create(&LimitLabels { limit: limit.to_owned() }).inc();
}

/// A periodic job ran here.
pub(crate) fn job_ran(job: &str) {
    METRICS.jobs.get_or_create(&JobLabels { job: job.to_owned() }).inc();
}

/// The text exposition of every metric, with the gauges read now.
pub(crate) async fn render(app: &AppState) -> String {
    let m = &*METRICS;
    let stores = &app.shop.ctx.stores;
    match stores.outbox.outbox_health().await {
        Ok(health) => {
            m.outbox_pending.set(i64::try_from(health.pending).unwrap_or(i64::MAX));
            m.outbox_dead.set(i64::try_from(health.dead).unwrap_or(i64::MAX));
            let age = health.oldest_pending.map_or(0, |at| (time::OffsetDateTime::now_utc() - at).whole_seconds());
            m.outbox_oldest.set(age.max(0));
        }
        Err(error) => tracing::warn!(error = %error, "metrics: reading the outbox failed"),
    }
    match stores.inventory.all_stock().await {
        Ok(levels) => {
            m.reserved.set(levels.iter().map(|l| i64::from(l.reserved)).sum());
        }
        Err(error) => tracing::warn!(error = %error, "metrics: reading the stock failed"),
    }
    if let Some(database) = &app.database {
        let (size, idle) = database.pool_use();
        m.pool.get_or_create(&PoolLabels { state: "idle".to_owned() }).set(i64::from(idle));
        m.pool.get_or_create(&PoolLabels { state: "busy".to_owned() }).set(i64::from(size.saturating_sub(idle)));
    }
    match app.shared.check().await {
        SharedStatus::Off => {}
        SharedStatus::Ok => {
            m.redis_up.set(1);
        }
        SharedStatus::Degraded(_) => {
            m.redis_up.set(0);
        }
    }
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &m.registry) {
        tracing::warn!(error = %error, "metrics: encoding failed");
    }
    text
}

async fn metrics(State(app): State<AppState>) -> Response {
    let text = render(&app).await;
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
}

/// Serves `/metrics` on `listener` until `stop`.
pub(crate) fn spawn_endpoint(
    listener: tokio::net::TcpListener,
    app: AppState,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let router = axum::Router::new().route("/metrics", axum::routing::get(metrics)).with_state(app);
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.changed().await;
        };
        if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
            tracing::warn!(error = %error, "the metrics listener stopped");
        }
    })
}
