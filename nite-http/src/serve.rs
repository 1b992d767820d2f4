//! Running the shop: the database, the providers chosen by the configuration, the HTTP server, the outbox worker
//! and the reservation sweeper, until a shutdown signal; then in-flight requests finish and the workers stop.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use nite_core::RandomIds;
use nite_core::email::EmailSender;
use nite_core::payment::{PaymentProvider, TestPaymentProvider};
use nite_core::services::ShopSettings;
use nite_core::shipping::ShippingProvider;
use nite_email::{FileEmailSender, PostmarkEmailSender, SmtpEmailSender, WorkerOptions};
use nite_payments::StripePaymentProvider;
use nite_shipping::{EasyPostCarrier, TableRates};
use nite_shop::{Shop, ShopBuilder, niteputter};
use nite_storage::Database;
use tokio::sync::watch;

use crate::config::{Config, EmailTransport, Payments, Shipping};
use crate::state::AppState;

/// Opens the database (migrating it) and builds the shop the configuration describes.
pub async fn build_shop(config: &Config) -> anyhow::Result<(Shop, Database)> {
    let (builder, database) = shop_builder(config).await?;
    Ok((builder.build()?, database))
}

/// Opens the database (migrating it) and starts a [`ShopBuilder`] with everything the configuration chooses, so an
/// embedding program swaps one part (say, the email sender) and keeps the rest.
pub async fn shop_builder(config: &Config) -> anyhow::Result<(ShopBuilder, Database)> {
    let database = Database::connect(&config.database_url, config.database_connections)
        .await
        .with_context(|| format!("opening {}", nite_storage::redact(&config.database_url)))?;
    database.migrate().await.context("migrating the database")?;
    let ids = Arc::new(RandomIds);
    let email: Arc<dyn EmailSender> = match &config.email {
        EmailTransport::File { dir } => {
            Arc::new(FileEmailSender::new(dir).with_context(|| format!("creating {}", dir.display()))?)
        }
        EmailTransport::Smtp { url } => Arc::new(SmtpEmailSender::from_url(url.expose(), Duration::from_secs(15))?),
        EmailTransport::Postmark { token, api_base } => {
            Arc::new(PostmarkEmailSender::new(token.expose(), api_base, Duration::from_secs(15))?)
        }
    };
    let table = match &config.shipping_rates {
        None => TableRates::niteputter(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            TableRates::from_toml(&text).with_context(|| format!("NITE_SHIPPING_RATES: {}", path.display()))?
        }
    };
    let shipping: Arc<dyn ShippingProvider> = match &config.shipping {
        Shipping::Table => Arc::new(table),
        Shipping::EasyPost { api_key, api_base } => Arc::new(
            EasyPostCarrier::new(
                api_key.expose(),
                api_base,
                niteputter::ship_from(),
                Duration::from_secs(10),
                Some(table),
            )
            .context("NITE_EASYPOST_API_KEY")?,
        ),
    };
    let mut stores = database.stores();
    // Analytics events a request records (an add to cart) are written in batches, off the request path.
    stores.analytics = Arc::new(crate::queued::QueuedAnalytics::new(Arc::clone(&stores.analytics)));
    let settings = ShopSettings {
        reservation_ttl: time::Duration::minutes(i64::from(config.hold_minutes)),
        guest_reservation_ttl: time::Duration::minutes(i64::from(config.guest_hold_minutes)),
        max_pending_orders: config.max_pending_orders,
        max_order_units: config.max_order_units,
        low_stock_at: config.low_stock_at,
        ..niteputter::settings()
    };
    let webhooks = nite_webhooks::HttpWebhookSender::new(Duration::from_secs(10)).context("the webhook client")?;
    let mut builder = niteputter::builder(stores.clone(), &config.shop_url)
        .ids(ids.clone())
        .email_sender(email)
        .webhook_sender(Arc::new(webhooks))
        .shipping(shipping)
        .settings(settings)
        // Promotions and products are read through a cache as old as the catalog's answers may be; the server
        // clears both together when the catalog changes.
        .read_cache(Duration::from_millis(config.catalog_cache_ms));
    builder = match &config.payments {
        Payments::Test => {
            builder.test_payments(Arc::new(TestPaymentProvider::with_store(stores.test_payments.clone(), ids)))
        }
        Payments::Stripe { secret_key, webhook_secrets, api_base } => {
            let mut stripe = StripePaymentProvider::builder(secret_key.expose())
                .webhook_secrets(webhook_secrets.iter().map(|s| s.expose().to_owned()));
            if let Some(base) = api_base {
                stripe = stripe.api_base(base.clone());
            }
            builder.payments(Arc::new(stripe.build()?) as Arc<dyn PaymentProvider>)
        }
    };
    Ok((builder, database))
}

/// Runs the outbox worker until `stop`.
fn spawn_outbox(shop: &Arc<Shop>, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let worker = shop.outbox_worker(WorkerOptions::default());
    tokio::spawn(async move { worker.run(Duration::from_secs(2), stop).await })
}

/// Registers the shop's event subscribers, then runs its event dispatcher until `stop`: a pass every second, and
/// at once again after a pass that found work. A pass in flight when `stop` comes is finished first.
async fn spawn_events(
    shop: &Arc<Shop>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let options = nite_core::services::DispatchOptions {
        id: format!("events-{}-{}", std::process::id(), nite_core::IdGenerator::secret_token(&RandomIds)),
        ..Default::default()
    };
    let dispatcher = shop.event_dispatcher(options);
    dispatcher.register().await.context("registering the event subscribers")?;
    Ok(tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                return;
            }
            let busy = match dispatcher.run_once().await {
                Ok(pass) => pass.fanned_out > 0 || pass.delivered + pass.retried + pass.dead > 0,
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "an event dispatch pass failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }))
}

/// Runs the reservation sweeper once per `every` across all workers (see [`spawn_periodic`]) until `stop`.
fn spawn_sweeper(
    shop: &Arc<Shop>,
    every: Duration,
    holder: String,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let sweeper_shop = Arc::clone(shop);
    spawn_periodic("sweeper", every, shop.ctx.stores.jobs.clone(), holder, stop, move || {
        let shop = Arc::clone(&sweeper_shop);
        async move {
            match shop.sweeper.sweep(100).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cancelled = n, "released expired reservations"),
                Err(error) => tracing::warn!(error = %format!("{error:#}"), "the reservation sweep failed"),
            }
        }
    })
}

/// Runs `job` once per `every` across the cluster until `stop`: at each boundary of wall-clock time cut into slots of
/// `every` (and once at start), this worker claims the slot in the [`JobStore`](nite_core::ports::JobStore) and runs
/// the job only if the claim is its own. However many workers start, each slot runs once; if the database cannot
/// be reached the slot is skipped (the job would need it anyway).
pub(crate) fn spawn_periodic<F, Fut>(
    name: &'static str,
    every: Duration,
    jobs: Arc<dyn nite_core::ports::JobStore>,
    holder: String,
    mut stop: watch::Receiver<bool>,
    job: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
    tokio::spawn(async move {
        loop {
            let now = time::OffsetDateTime::now_utc();
            let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
            let slot = now_ms / every_ms;
            match jobs.claim_job_slot(name, slot, &holder, now).await {
                Ok(true) => {
                    job().await;
                    crate::metrics::job_ran(name);
                    tracing::debug!(job = name, slot, "ran a periodic job");
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(job = name, error = %error, "could not claim a periodic job's slot"),
            }
            let next = (slot + 1) * every_ms;
            let wait = u64::try_from(next - now_ms).unwrap_or(0).max(1);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                _ = stop.changed() => return,
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Serves the shop on `config.bind` until SIGINT or SIGTERM: the binary's `serve`. It seeds the NitePutter catalog
/// into an empty shop only: a shop with products, promotions or orders is never overwritten (`niteputter seed`
/// resets the demo data on purpose).
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (shop, database) = build_shop(&config).await?;
    if nite_core::seed::load_if_empty(&shop.ctx.stores).await.context("seeding the catalog")? {
        tracing::info!("seeded the NitePutter catalog into an empty shop");
    }
    let listener =
        tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    let ready_in_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(address = %listener.local_addr()?, ready_in_ms, "niteputter is serving");
    serve_shop(ServeOptions::from_config(&config), shop, database, listener, shutdown_signal()).await
}

/// What [`serve_shop`] needs besides the shop, its database and a listener. [`ServeOptions::from_config`] reads them
/// from the [`Config`]; an embedder changes what it needs, such as [`routes`](ServeOptions::routes).
#[non_exhaustive]
pub struct ServeOptions {
    /// The key access tokens are signed with (at least 32 bytes); a random key per process when `None`, which signs
    /// everyone out on restart.
    pub jwt_secret: Option<Vec<u8>>,
    /// Browser origins allowed to call the API (no CORS headers when empty).
    pub cors_origins: Vec<String>,
    /// How long catalog answers are reused (zero turns the cache off).
    pub catalog_cache: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<crate::proxy::IpRange>,
    /// The country carts ship to before they have an address (for the free-shipping nudge).
    pub home_country: Option<nite_core::tax::CountryCode>,
    /// What the storefront and the dashboard need: the shop's public URL and name, Stripe's publishable key.
    pub web: crate::web::WebSettings,
    /// Redis shared by the shop's processes (limits, view dedupe, catalog cache invalidation).
    pub redis_url: Option<String>,
    /// Whether this process serves requests, runs the background work, or both.
    pub role: crate::config::Role,
    /// How often the reservation sweeper runs.
    pub sweep_every: Duration,
    /// A separate listener for Prometheus metrics at `/metrics`.
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// How many connections are served at once and how long a client has to send its headers.
    pub limits: crate::server::ConnectionLimits,
    /// The embedder's own routes, merged into the served app behind nite's middleware (limits, timeouts,
    /// problem+json errors, request ids). Their handlers take [`AppState`] and may use nite's
    /// [extractors](crate::extract) and [`ApiError`](crate::ApiError).
    pub routes: axum::Router<AppState>,
}

impl Default for ServeOptions {
    /// Serving and background work on one process, no CORS, no cache, no Redis, the default connection limits.
    fn default() -> ServeOptions {
        ServeOptions {
            jwt_secret: None,
            cors_origins: Vec::new(),
            catalog_cache: Duration::ZERO,
            trusted_proxies: Vec::new(),
            home_country: None,
            web: crate::web::WebSettings::default(),
            redis_url: None,
            role: crate::config::Role::default(),
            sweep_every: Duration::from_secs(30),
            metrics_bind: None,
            limits: crate::server::ConnectionLimits::default(),
            routes: axum::Router::new(),
        }
    }
}

impl ServeOptions {
    /// The options the configuration sets (the NitePutter shop's name and home country, the US).
    pub fn from_config(config: &Config) -> ServeOptions {
        ServeOptions {
            jwt_secret: config.jwt_secret.as_ref().map(|s| s.expose().as_bytes().to_vec()),
            cors_origins: config.cors_origins.clone(),
            catalog_cache: Duration::from_millis(config.catalog_cache_ms),
            trusted_proxies: config.trusted_proxies.clone(),
            home_country: nite_core::tax::CountryCode::new("US").ok(),
            web: crate::web::WebSettings {
                shop_url: config.shop_url.clone(),
                shop_name: niteputter::email_settings(&config.shop_url).shop_name,
                stripe_publishable_key: config.stripe_publishable_key.clone(),
                assets_dir: config.web_dir.clone(),
            },
            redis_url: config.redis_url.as_ref().map(|s| s.expose().to_owned()),
            role: config.role,
            sweep_every: Duration::from_secs(u64::from(config.sweep_seconds)),
            metrics_bind: config.metrics_bind,
            limits: crate::server::ConnectionLimits {
                max_connections: usize::try_from(config.max_connections).unwrap_or(1024),
                header_timeout: Duration::from_millis(u64::from(config.header_timeout_ms)),
                ..crate::server::ConnectionLimits::default()
            },
            routes: axum::Router::new(),
        }
    }
}

/// Serves `shop` on `listener` with `options` (the token secret, the browser settings, background work, the
/// embedder's own routes) until `shutdown` resolves; then in-flight requests finish, the workers stop and the
/// database closes. This is how a program that built its own [`Shop`] runs it.
pub async fn serve_shop(
    options: ServeOptions,
    shop: Shop,
    database: Database,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let secret = match &options.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            tracing::warn!(
                "NITE_JWT_SECRET is not set: signing tokens with a random key, so restarts sign everyone out"
            );
            nite_core::IdGenerator::secret_token(&RandomIds).into_bytes()
        }
    };
    let mut state = AppState::new(shop, Some(database.clone()), &secret)
        .with_cors_origins(&options.cors_origins)
        .with_catalog_cache(options.catalog_cache)
        .with_trusted_proxies(&options.trusted_proxies)
        .with_web(options.web);
    if let Some(country) = options.home_country {
        state = state.with_home_country(country);
    }
    if let Some(url) = &options.redis_url {
        let shared = crate::shared::Shared::redis(url).context("NITE_REDIS_URL")?;
        shared.connect().await;
        state = state.with_shared(Arc::new(shared));
    }
    if state.shop.test_payments.is_some() {
        let warning = "payments go to the built-in test provider: anyone can mark an order paid with \
                       POST /api/v1/payments/{id}/test-confirm. Never take real orders this way; set \
                       NITE_PAYMENTS=stripe (and NITE_ENV=production to make this a startup error)";
        tracing::warn!("{warning}");
        state.parts_mut().warnings.push(warning.to_owned());
    }
    let shop = Arc::clone(&state.shop);
    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::new();
    if options.role.runs_jobs() {
        let holder = format!("{}-{}", std::process::id(), nite_core::IdGenerator::secret_token(&RandomIds));
        let every = options.sweep_every;
        workers.push(spawn_outbox(&shop, stopped.clone()));
        workers.push(spawn_events(&shop, stopped.clone()).await?);
        workers.push(spawn_sweeper(&shop, every, holder, stopped.clone()));
    }
    if options.role.serves_requests() {
        let cache = Arc::clone(&state.catalog_cache);
        if let Some(listener) = state.shared.spawn_catalog_listener(move || cache.clear(), stopped.clone()) {
            workers.push(listener);
        }
        let cache = Arc::clone(&state.catalog_cache);
        if let Some(listener) = crate::cache::spawn_database_listener(database.clone(), cache, stopped.clone()).await {
            workers.push(listener);
        }
    }
    if let Some(bind) = options.metrics_bind {
        let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("binding {bind}"))?;
        tracing::info!(address = %listener.local_addr()?, "serving metrics at /metrics");
        workers.push(crate::metrics::spawn_endpoint(listener, state.clone(), stopped));
    }
    let after = state.clone();
    let router = if options.role.serves_requests() {
        crate::router::app_with(state, options.routes)
    } else {
        crate::router::ops_app(state)
    };
    crate::server::serve_connections(listener, router, options.limits, shutdown).await.context("serving")?;
    tracing::info!("shutting down: stopping the workers");
    after.flush_views().await;
    // Bounded: a database that stopped answering must not keep the process from exiting.
    match tokio::time::timeout(Duration::from_secs(10), shop.ctx.stores.analytics.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(error = %error, "writing the last analytics events failed"),
        Err(_) => tracing::warn!("the last analytics events were not written within 10 s; leaving them"),
    }
    let _ = stop.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    database.close().await;
    Ok(())
}

/// The `/healthz` URL of a server bound to `bind`, asked from the same machine (an unspecified address such as
/// `0.0.0.0` becomes loopback).
pub fn health_url(bind: std::net::SocketAddr) -> String {
    let ip = match bind.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/healthz", std::net::SocketAddr::new(ip, bind.port()))
}

/// Asks `url` (plain `http://host:port/path`) with one HTTP/1.1 GET within `timeout`: `Ok` on a 200, otherwise what
/// went wrong. What `niteputter healthcheck` runs, so container images need no curl.
pub async fn healthcheck(url: &str, timeout: Duration) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are checked")?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/"), |(a, p)| (a, p));
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(authority).await.map_err(|e| e.to_string())?;
        let request = format!("GET {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut head = vec![0_u8; 64];
        let n = stream.read(&mut head).await.map_err(|e| e.to_string())?;
        let line = String::from_utf8_lossy(&head[..n]).lines().next().unwrap_or_default().to_owned();
        if line.starts_with("HTTP/1.1 200") { Ok(()) } else { Err(format!("answered `{line}`")) }
    };
    tokio::time::timeout(timeout, ask).await.map_err(|_| format!("no answer within {} s", timeout.as_secs()))?
}
