//! The server's configuration: defaults, then a TOML file, then `NITE_*` environment variables. A bad value fails
//! at startup with a message naming its key; secrets are never printed.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A value that must not reach a log: `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which payment provider the shop uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payments {
    /// The built-in test provider: no keys, payments confirmed through `POST /payments/{id}/test-confirm`.
    Test,
    /// Stripe.
    Stripe {
        /// `sk_…`.
        secret_key: Secret,
        /// `whsec_…`, several while rotating.
        webhook_secrets: Vec<Secret>,
        /// A local fake's URL, in tests.
        api_base: Option<String>,
    },
}

/// Where shipping rates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shipping {
    /// Table rates only (the default): NitePutter's, or the TOML file in `NITE_SHIPPING_RATES`.
    Table,
    /// EasyPost's live rates and tracking, falling back to the table when EasyPost cannot answer.
    EasyPost {
        /// The API key (`NITE_EASYPOST_API_KEY`).
        api_key: Secret,
        /// The API base (`NITE_EASYPOST_API_BASE`, EasyPost's by default; a local fake's in tests).
        api_base: String,
    },
}

/// Where email goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailTransport {
    /// `.eml` files in a folder (the default).
    File {
        /// The folder.
        dir: PathBuf,
    },
    /// An SMTP server.
    Smtp {
        /// `smtp://…`, `smtps://…`; may hold credentials.
        url: Secret,
    },
    /// Postmark's HTTP API.
    Postmark {
        /// The server token.
        token: Secret,
        /// The API base (Postmark's by default).
        api_base: String,
    },
}

/// What one `niteputter serve` process does (`NITE_ROLE` or `serve --role`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Role {
    /// Serves requests and runs the background work: one process is the whole shop (the default).
    #[default]
    All,
    /// Serves requests only; stateless, so any number run behind a load balancer.
    Http,
    /// Runs the outbox worker and the periodic jobs, and answers `/healthz` and `/readyz` only. Periodic jobs claim
    /// their time slot in the database, so each runs once per interval however many workers start.
    Worker,
}

impl Role {
    /// Parses `all`, `http` or `worker`.
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" => Some(Role::All),
            "http" => Some(Role::Http),
            "worker" => Some(Role::Worker),
            _ => None,
        }
    }

    /// Whether this role serves the API.
    pub fn serves_requests(self) -> bool {
        self != Role::Worker
    }

    /// Whether this role runs the outbox worker and the periodic jobs.
    pub fn runs_jobs(self) -> bool {
        self != Role::Http
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people.
    Pretty,
    /// One JSON object a line.
    Json,
}

/// The server's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen (`NITE_BIND`, default `127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// The database (`NITE_DATABASE_URL`, default a SQLite file in the working folder).
    pub database_url: String,
    /// The payment provider (`NITE_PAYMENTS`: `test` or `stripe`).
    pub payments: Payments,
    /// The email transport (`NITE_EMAIL`: `file`, `smtp` or `postmark`).
    pub email: EmailTransport,
    /// The shipping provider (`NITE_SHIPPING`: `table` or `easypost`).
    pub shipping: Shipping,
    /// A table of rates in TOML (`NITE_SHIPPING_RATES`, a file); NitePutter's table when unset.
    pub shipping_rates: Option<PathBuf>,
    /// The storefront's URL, for links in emails, canonical links and the sitemap (`NITE_SHOP_URL`; by default
    /// `http://` and the bind address).
    pub shop_url: String,
    /// Stripe's publishable key (`NITE_STRIPE_PUBLISHABLE_KEY`, `pk_…`), which the storefront's Payment Element
    /// needs when the shop takes payments with Stripe.
    pub stripe_publishable_key: Option<String>,
    /// Serve the storefront and dashboard from this folder (holding `shop/` and `admin/`, as `web/` builds them)
    /// instead of the files inside the binary (`NITE_WEB_DIR`; for frontend work).
    pub web_dir: Option<PathBuf>,
    /// The key access tokens are signed with (`NITE_JWT_SECRET`, at least 32 bytes); random per process if unset,
    /// which signs everyone out at every restart.
    pub jwt_secret: Option<Secret>,
    /// Browser origins allowed to call the API (`NITE_CORS_ORIGINS`, comma-separated); none by default.
    pub cors_origins: Vec<String>,
    /// The log filter (`NITE_LOG`, default `info`).
    pub log: String,
    /// The log format (`NITE_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// What this process does (`NITE_ROLE`: `all`, `http` or `worker`; default `all`).
    pub role: Role,
    /// How often the reservation sweeper runs, in seconds (`NITE_SWEEP_SECONDS`, default 30): once per interval
    /// across every worker.
    pub sweep_seconds: u32,
    /// Redis, shared by every process (`NITE_REDIS_URL`, `redis://…`; none by default): sign-in and other limits,
    /// product-view dedupe, and catalog cache invalidation. Without it each process keeps its own.
    pub redis_url: Option<Secret>,
    /// Reverse proxies (addresses or ranges such as `10.0.0.0/8`) whose `X-Forwarded-For` names the client
    /// (`NITE_TRUSTED_PROXIES`, comma-separated; none by default). Set it behind a load balancer, or every shopper
    /// shares the balancer's per-client limits.
    pub trusted_proxies: Vec<crate::proxy::IpRange>,
    /// An OpenTelemetry collector's OTLP/HTTP base URL (`NITE_OTLP_ENDPOINT`, say `http://127.0.0.1:4318`; none by
    /// default): request spans are exported there. Needs the binary built with the `otel` feature.
    pub otlp_endpoint: Option<String>,
    /// Where Prometheus metrics are served (`NITE_METRICS_BIND`, say `127.0.0.1:9090`; off by default): a listener
    /// of its own, never the public one.
    pub metrics_bind: Option<SocketAddr>,
    /// How long catalog answers (the product list and product pages) are reused, in milliseconds
    /// (`NITE_CATALOG_CACHE_MS`, default 1000; 0 turns the cache off). Stock shown may lag by this much; adding to
    /// a cart and checking out always read the stock itself.
    pub catalog_cache_ms: u64,
    /// Whether the shop is live (`NITE_ENV=production`; `development` by default). A live shop refuses to start with
    /// the test payment provider, which lets anyone mark an order paid.
    pub production: bool,
    /// How long a signed-in customer's unpaid order holds its stock, in minutes (`NITE_HOLD_MINUTES`, default 30).
    pub hold_minutes: u32,
    /// How long a guest's unpaid order holds its stock, in minutes (`NITE_GUEST_HOLD_MINUTES`, default 15).
    pub guest_hold_minutes: u32,
    /// The most unpaid orders one client (a customer, or a guest's address) may hold at once
    /// (`NITE_MAX_PENDING_ORDERS`, default 3).
    pub max_pending_orders: u32,
    /// The most units one order may hold (`NITE_MAX_ORDER_UNITS`, default 50).
    pub max_order_units: u32,
    /// A SKU with this many units available or fewer shows as low on stock (`NITE_LOW_STOCK_AT`, default 5).
    pub low_stock_at: u32,
    /// The most connections served at once (`NITE_MAX_CONNECTIONS`, default 1024); more wait to be accepted.
    pub max_connections: u32,
    /// How long a client may take to send a request's headers, in milliseconds (`NITE_HEADER_TIMEOUT_MS`,
    /// default 10000): slower connections are closed.
    pub header_timeout_ms: u32,
    /// The most database connections this process opens (`NITE_DATABASE_CONNECTIONS`, default twice the cores it may
    /// use, at least 4): on PostgreSQL the pool's size, which every process of a shop takes from the server's
    /// `max_connections`; on SQLite the reading connections beside the one writer.
    pub database_connections: u32,
}

/// A configuration value that cannot work, named by its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration `{key}`: {problem}")]
pub struct ConfigError {
    /// The key (`NITE_BIND` or the TOML name).
    pub key: String,
    /// What is wrong.
    pub problem: String,
}

fn bad(key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_owned(), problem: problem.into() }
}

/// The TOML file's shape: the same names as the variables, lower case, without `NITE_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    payments: Option<String>,
    stripe_secret_key: Option<String>,
    stripe_webhook_secret: Option<String>,
    stripe_api_base: Option<String>,
    email: Option<String>,
    email_dir: Option<String>,
    smtp_url: Option<String>,
    postmark_token: Option<String>,
    postmark_api_base: Option<String>,
    shipping: Option<String>,
    shipping_rates: Option<String>,
    easypost_api_key: Option<String>,
    easypost_api_base: Option<String>,
    shop_url: Option<String>,
    stripe_publishable_key: Option<String>,
    web_dir: Option<String>,
    jwt_secret: Option<String>,
    cors_origins: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    role: Option<String>,
    sweep_seconds: Option<u32>,
    redis_url: Option<String>,
    metrics_bind: Option<String>,
    trusted_proxies: Option<String>,
    otlp_endpoint: Option<String>,
    catalog_cache_ms: Option<u64>,
    env: Option<String>,
    hold_minutes: Option<u32>,
    guest_hold_minutes: Option<u32>,
    max_pending_orders: Option<u32>,
    max_order_units: Option<u32>,
    low_stock_at: Option<u32>,
    max_connections: Option<u32>,
    header_timeout_ms: Option<u32>,
    database_connections: Option<u32>,
}

/// A whole number from the environment (`NITE_{KEY}`) or the file, within `range`, or `default`.
/// Database connections a process opens unless told otherwise: twice the cores it may use, at least 4.
///
/// Past that, more connections only spread the same work over more PostgreSQL backends, each a process of its own
/// to wake and keep warm: with 8 shoppers on this 2-core machine (server and PostgreSQL on the same cores, 20 s runs
/// in turns), PostgreSQL used 3.0–3.1 ms of CPU a journey with 4 connections, 2.8–4.5 with 8 and 3.4–4.6 with 16,
/// and checkout's p99 fell from 15.5–21.0 ms with 16 to 12.5–13.4 with 4 (load_tests/README); of those 4, one
/// listens for the other processes' catalog changes. On SQLite statements run on the threads that ask, one per core,
/// so more readers than that would sit idle anyway.
fn default_database_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX).clamp(4, 1000)
}

fn number(
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
    from_file: Option<u32>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let name = format!("NITE_{}", key.to_ascii_uppercase());
    let (source, value) = match env(&name) {
        Some(v) => (name, v.trim().parse::<u32>().map_err(|_| v)),
        None => match from_file {
            Some(n) => (key.to_owned(), Ok(n)),
            None => return Ok(default),
        },
    };
    match value {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(n) => Err(bad(&source, format!("{n} is not from {} to {}", range.start(), range.end()))),
        Err(v) => Err(bad(&source, format!("`{v}` is not a whole number"))),
    }
}

impl Config {
    /// Loads the configuration: defaults, then `file` (if given), then the environment as `env` reads it.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let from_file: FileConfig = match file {
            None => FileConfig::default(),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| bad("--config", format!("{}: {e}", path.display())))?;
                toml::from_str(&text).map_err(|e| bad("--config", e.to_string()))?
            }
        };
        let value = |key: &str, file_value: Option<String>| -> Option<(String, String)> {
            let name = format!("NITE_{}", key.to_ascii_uppercase());
            env(&name).map(|v| (name, v)).or_else(|| file_value.map(|v| (key.to_owned(), v)))
        };
        let bind = match value("bind", from_file.bind) {
            Some((key, v)) => {
                v.parse().map_err(|_| bad(&key, format!("`{v}` is not an address like 127.0.0.1:8080")))?
            }
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let database_url = value("database_url", from_file.database_url)
            .map_or_else(|| "sqlite://niteputter.db".to_owned(), |(_, v)| v);
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(bad("NITE_DATABASE_URL", "must start with sqlite:, postgres:// or postgresql://"));
        }
        let payments = match value("payments", from_file.payments).map(|(k, v)| (k, v.to_ascii_lowercase())) {
            None => Payments::Test,
            Some((_, v)) if v == "test" => Payments::Test,
            Some((_, v)) if v == "stripe" => {
                let (key_name, secret_key) = value("stripe_secret_key", from_file.stripe_secret_key)
                    .ok_or_else(|| bad("NITE_STRIPE_SECRET_KEY", "is required when NITE_PAYMENTS=stripe"))?;
                if !(secret_key.starts_with("sk_") || secret_key.starts_with("rk_")) {
                    return Err(bad(&key_name, "must be a Stripe secret key (sk_…) or restricted key (rk_…)"));
                }
                let (hook_name, hooks) = value("stripe_webhook_secret", from_file.stripe_webhook_secret)
                    .ok_or_else(|| bad("NITE_STRIPE_WEBHOOK_SECRET", "is required when NITE_PAYMENTS=stripe"))?;
                let webhook_secrets: Vec<Secret> =
                    hooks.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Secret(s.to_owned())).collect();
                if webhook_secrets.is_empty() || webhook_secrets.iter().any(|s| !s.0.starts_with("whsec_")) {
                    return Err(bad(&hook_name, "must be one or more comma-separated whsec_… secrets"));
                }
                let api_base = value("stripe_api_base", from_file.stripe_api_base).map(|(_, v)| v);
                Payments::Stripe { secret_key: Secret(secret_key), webhook_secrets, api_base }
            }
            Some((key, v)) => return Err(bad(&key, format!("`{v}` is not a payment provider (test or stripe)"))),
        };
        let email = match value("email", from_file.email).map(|(k, v)| (k, v.to_ascii_lowercase())) {
            None => EmailTransport::File {
                dir: PathBuf::from(
                    value("email_dir", from_file.email_dir).map_or_else(|| "outbox-mail".to_owned(), |(_, v)| v),
                ),
            },
            Some((_, v)) if v == "file" => EmailTransport::File {
                dir: PathBuf::from(
                    value("email_dir", from_file.email_dir).map_or_else(|| "outbox-mail".to_owned(), |(_, v)| v),
                ),
            },
            Some((_, v)) if v == "smtp" => {
                let (key, url) = value("smtp_url", from_file.smtp_url)
                    .ok_or_else(|| bad("NITE_SMTP_URL", "is required when NITE_EMAIL=smtp"))?;
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(bad(&key, "must start with smtp:// or smtps://"));
                }
                EmailTransport::Smtp { url: Secret(url) }
            }
            Some((_, v)) if v == "postmark" => {
                let (_, token) = value("postmark_token", from_file.postmark_token)
                    .ok_or_else(|| bad("NITE_POSTMARK_TOKEN", "is required when NITE_EMAIL=postmark"))?;
                let api_base = value("postmark_api_base", from_file.postmark_api_base)
                    .map_or_else(|| "https://api.postmarkapp.com".to_owned(), |(_, v)| v);
                EmailTransport::Postmark { token: Secret(token), api_base }
            }
            Some((key, v)) => {
                return Err(bad(&key, format!("`{v}` is not an email transport (file, smtp or postmark)")));
            }
        };
        let shipping = match value("shipping", from_file.shipping).map(|(k, v)| (k, v.to_ascii_lowercase())) {
            None => Shipping::Table,
            Some((_, v)) if v == "table" => Shipping::Table,
            Some((_, v)) if v == "easypost" => {
                let (_, api_key) = value("easypost_api_key", from_file.easypost_api_key)
                    .filter(|(_, v)| !v.trim().is_empty())
                    .ok_or_else(|| bad("NITE_EASYPOST_API_KEY", "is required when NITE_SHIPPING=easypost"))?;
                let api_base = value("easypost_api_base", from_file.easypost_api_base)
                    .map_or_else(|| "https://api.easypost.com".to_owned(), |(_, v)| v);
                Shipping::EasyPost { api_key: Secret(api_key), api_base }
            }
            Some((key, v)) => return Err(bad(&key, format!("`{v}` is not a shipping provider (table or easypost)"))),
        };
        let shipping_rates = value("shipping_rates", from_file.shipping_rates).map(|(_, v)| PathBuf::from(v));
        let shop_url = value("shop_url", from_file.shop_url)
            .map_or_else(|| format!("http://{bind}"), |(_, v)| v.trim_end_matches('/').to_owned());
        let stripe_publishable_key = match value("stripe_publishable_key", from_file.stripe_publishable_key) {
            None => None,
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) if !v.starts_with("pk_") => return Err(bad(&key, "must be a publishable key (pk_…)")),
            Some((_, v)) => Some(v),
        };
        let web_dir = value("web_dir", from_file.web_dir).filter(|(_, v)| !v.trim().is_empty()).map(|(_, v)| v.into());
        let jwt_secret = match value("jwt_secret", from_file.jwt_secret) {
            Some((key, v)) if v.len() < 32 => return Err(bad(&key, "must be at least 32 bytes")),
            Some((_, v)) => Some(Secret(v)),
            None => None,
        };
        let cors_origins = match value("cors_origins", from_file.cors_origins) {
            None => Vec::new(),
            Some((key, v)) => {
                let origins: Vec<String> =
                    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                let valid = |o: &String| {
                    (o.starts_with("http://") || o.starts_with("https://"))
                        && !o.ends_with('/')
                        && axum::http::HeaderValue::from_str(o).is_ok()
                };
                if let Some(wrong) = origins.iter().find(|o| !valid(o)) {
                    return Err(bad(
                        &key,
                        format!("`{wrong}` is not an origin (such as https://shop.example, no path, no `*`)"),
                    ));
                }
                origins
            }
        };
        let log = value("log", from_file.log).map_or_else(|| "info".to_owned(), |(_, v)| v);
        let log_format = match value("log_format", from_file.log_format).map(|(k, v)| (k, v.to_ascii_lowercase())) {
            None => LogFormat::Pretty,
            Some((_, v)) if v == "pretty" => LogFormat::Pretty,
            Some((_, v)) if v == "json" => LogFormat::Json,
            Some((key, v)) => return Err(bad(&key, format!("`{v}` is not a log format (pretty or json)"))),
        };
        let role = match value("role", from_file.role) {
            None => Role::All,
            Some((key, v)) => {
                Role::parse(&v).ok_or_else(|| bad(&key, format!("`{v}` is not a role (all, http or worker)")))?
            }
        };
        let sweep_seconds = number(env, "sweep_seconds", from_file.sweep_seconds, 30, 1..=3600)?;
        let redis_url = match value("redis_url", from_file.redis_url) {
            None => None,
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) if !(v.starts_with("redis://") || v.starts_with("rediss://")) => {
                return Err(bad(&key, "must start with redis:// or rediss://"));
            }
            Some((_, v)) => Some(Secret(v)),
        };
        let metrics_bind = match value("metrics_bind", from_file.metrics_bind) {
            None => None,
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) => {
                Some(v.parse().map_err(|_| bad(&key, format!("`{v}` is not an address like 127.0.0.1:9090")))?)
            }
        };
        let catalog_cache_ms =
            match env("NITE_CATALOG_CACHE_MS") {
                Some(v) => v.trim().parse::<u64>().ok().filter(|ms| *ms <= 60_000).ok_or_else(|| {
                    bad("NITE_CATALOG_CACHE_MS", format!("`{v}` is not milliseconds from 0 to 60000"))
                })?,
                None => from_file.catalog_cache_ms.unwrap_or(1000),
            };
        let production = match value("env", from_file.env).map(|(k, v)| (k, v.to_ascii_lowercase())) {
            None => false,
            Some((_, v)) if v == "development" => false,
            Some((_, v)) if v == "production" => true,
            Some((key, v)) => {
                return Err(bad(&key, format!("`{v}` is not an environment (development or production)")));
            }
        };
        if production && payments == Payments::Test {
            return Err(bad(
                "NITE_PAYMENTS",
                "the test payment provider lets anyone mark an order paid: a shop with NITE_ENV=production needs \
                 NITE_PAYMENTS=stripe",
            ));
        }
        let hold_minutes = number(env, "hold_minutes", from_file.hold_minutes, 30, 1..=1440)?;
        let guest_hold_minutes = number(env, "guest_hold_minutes", from_file.guest_hold_minutes, 15, 1..=1440)?;
        let max_pending_orders = number(env, "max_pending_orders", from_file.max_pending_orders, 3, 1..=1000)?;
        let max_order_units = number(env, "max_order_units", from_file.max_order_units, 50, 1..=100_000)?;
        let low_stock_at = number(env, "low_stock_at", from_file.low_stock_at, 5, 0..=1_000_000)?;
        let max_connections = number(env, "max_connections", from_file.max_connections, 1024, 1..=100_000)?;
        let header_timeout_ms = number(env, "header_timeout_ms", from_file.header_timeout_ms, 10_000, 100..=120_000)?;
        let database_connections = number(
            env,
            "database_connections",
            from_file.database_connections,
            default_database_connections(),
            1..=1000,
        )?;
        let trusted_proxies = match value("trusted_proxies", from_file.trusted_proxies) {
            None => Vec::new(),
            Some((key, v)) => {
                let parts = v.split(',').map(str::trim).filter(|p| !p.is_empty());
                parts
                    .map(|p| {
                        crate::proxy::IpRange::parse(p)
                            .ok_or_else(|| bad(&key, format!("`{p}` is not an address or a range like 10.0.0.0/8")))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        let otlp_endpoint = match value("otlp_endpoint", from_file.otlp_endpoint) {
            None => None,
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) if !v.starts_with("http://") => {
                return Err(bad(&key, "must be an http:// URL of an OTLP collector (say, one beside the process)"));
            }
            Some((_, v)) => Some(v),
        };
        Ok(Config {
            bind,
            database_url,
            payments,
            email,
            shipping,
            shipping_rates,
            shop_url,
            stripe_publishable_key,
            web_dir,
            jwt_secret,
            cors_origins,
            log,
            log_format,
            role,
            sweep_seconds,
            redis_url,
            metrics_bind,
            trusted_proxies,
            otlp_endpoint,
            catalog_cache_ms,
            production,
            hold_minutes,
            guest_hold_minutes,
            max_pending_orders,
            max_order_units,
            low_stock_at,
            max_connections,
            header_timeout_ms,
            database_connections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_need_no_keys() {
        let config = Config::load(None, &env(&[])).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://niteputter.db");
        assert_eq!(config.payments, Payments::Test);
        assert_eq!(config.email, EmailTransport::File { dir: "outbox-mail".into() });
        assert_eq!((config.shipping, config.shipping_rates, config.catalog_cache_ms), (Shipping::Table, None, 1000));
        assert_eq!(
            (config.role, config.sweep_seconds, config.redis_url, config.metrics_bind),
            (Role::All, 30, None, None)
        );
    }

    #[test]
    fn the_environment_beats_the_file_and_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nite.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nlog_format = \"json\"\n").unwrap();
        let config = Config::load(Some(&file), &env(&[("NITE_BIND", "127.0.0.1:9001")])).unwrap();
        assert_eq!((config.bind.port(), config.log_format), (9001, LogFormat::Json));
        let error = |pairs: &[(&str, &str)]| Config::load(None, &env(pairs)).unwrap_err().key;
        assert_eq!(error(&[("NITE_BIND", "nowhere")]), "NITE_BIND");
        for origin in ["*", "shop.example", "https://shop.example/", "https://shop.example/path/"] {
            assert_eq!(error(&[("NITE_CORS_ORIGINS", origin)]), "NITE_CORS_ORIGINS", "{origin}");
        }
        let origins =
            Config::load(None, &env(&[("NITE_CORS_ORIGINS", "https://shop.example, http://localhost:3000,")]));
        assert_eq!(origins.unwrap().cors_origins, ["https://shop.example", "http://localhost:3000"]);
        assert_eq!(error(&[("NITE_PAYMENTS", "stripe")]), "NITE_STRIPE_SECRET_KEY");
        assert_eq!(error(&[("NITE_PAYMENTS", "stripe"), ("NITE_STRIPE_SECRET_KEY", "pk_x")]), "NITE_STRIPE_SECRET_KEY");
        assert_eq!(
            error(&[
                ("NITE_PAYMENTS", "stripe"),
                ("NITE_STRIPE_SECRET_KEY", "sk_x"),
                ("NITE_STRIPE_WEBHOOK_SECRET", "x")
            ]),
            "NITE_STRIPE_WEBHOOK_SECRET"
        );
        assert_eq!(error(&[("NITE_EMAIL", "pigeon")]), "NITE_EMAIL");
        assert_eq!(error(&[("NITE_SHIPPING", "pigeon")]), "NITE_SHIPPING");
        assert_eq!(error(&[("NITE_SHIPPING", "easypost")]), "NITE_EASYPOST_API_KEY");
        assert_eq!(error(&[("NITE_SHIPPING", "easypost"), ("NITE_EASYPOST_API_KEY", " ")]), "NITE_EASYPOST_API_KEY");
        assert_eq!(error(&[("NITE_CATALOG_CACHE_MS", "soon")]), "NITE_CATALOG_CACHE_MS");
        assert_eq!(error(&[("NITE_ROLE", "cron")]), "NITE_ROLE");
        assert_eq!(error(&[("NITE_SWEEP_SECONDS", "0")]), "NITE_SWEEP_SECONDS");
        assert_eq!(error(&[("NITE_REDIS_URL", "localhost:6379")]), "NITE_REDIS_URL");
        assert_eq!(error(&[("NITE_METRICS_BIND", "9090")]), "NITE_METRICS_BIND");
        assert_eq!(error(&[("NITE_TRUSTED_PROXIES", "10.0.0.0/8, lan")]), "NITE_TRUSTED_PROXIES");
        let proxied = Config::load(None, &env(&[("NITE_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")])).unwrap();
        assert_eq!(proxied.trusted_proxies.len(), 2);
        let scaled = Config::load(
            None,
            &env(&[
                ("NITE_ROLE", "Worker"),
                ("NITE_REDIS_URL", "redis://127.0.0.1:6379/0"),
                ("NITE_METRICS_BIND", "127.0.0.1:9090"),
            ]),
        )
        .unwrap();
        assert_eq!(scaled.role, Role::Worker);
        assert!(!scaled.role.serves_requests() && scaled.role.runs_jobs());
        assert_eq!(scaled.metrics_bind.map(|a| a.port()), Some(9090));
        assert!(!format!("{scaled:?}").contains("6379"), "the Redis URL may hold a password");
        let carrier = Config::load(
            None,
            &env(&[
                ("NITE_SHIPPING", "EasyPost"),
                ("NITE_EASYPOST_API_KEY", "EZTK_secret"),
                ("NITE_SHIPPING_RATES", "r.toml"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (carrier.shipping, carrier.shipping_rates),
            (
                Shipping::EasyPost {
                    api_key: Secret("EZTK_secret".into()),
                    api_base: "https://api.easypost.com".into()
                },
                Some(PathBuf::from("r.toml"))
            )
        );
        assert_eq!(error(&[("NITE_DATABASE_URL", "mysql://x")]), "NITE_DATABASE_URL");
        std::fs::write(&file, "bnd = 1\n").unwrap();
        assert_eq!(Config::load(Some(&file), &env(&[])).unwrap_err().key, "--config");
    }

    #[test]
    fn a_live_shop_refuses_the_test_provider_and_limits_are_checked() {
        let error = |pairs: &[(&str, &str)]| Config::load(None, &env(pairs)).unwrap_err();
        let live = error(&[("NITE_ENV", "production")]);
        assert_eq!(live.key, "NITE_PAYMENTS");
        assert!(live.problem.contains("anyone mark an order paid"), "{live}");
        assert_eq!(error(&[("NITE_ENV", "staging")]).key, "NITE_ENV");
        let stripe = Config::load(
            None,
            &env(&[
                ("NITE_ENV", "Production"),
                ("NITE_PAYMENTS", "stripe"),
                ("NITE_STRIPE_SECRET_KEY", "sk_live_x"),
                ("NITE_STRIPE_WEBHOOK_SECRET", "whsec_x"),
            ]),
        )
        .unwrap();
        assert!(stripe.production);
        let defaults = Config::load(None, &env(&[])).unwrap();
        assert_eq!(
            (defaults.hold_minutes, defaults.guest_hold_minutes, defaults.max_pending_orders, defaults.max_order_units),
            (30, 15, 3, 50)
        );
        assert_eq!(
            (defaults.max_connections, defaults.header_timeout_ms, defaults.database_connections),
            (1024, 10_000, default_database_connections())
        );
        assert!((4..=1000).contains(&defaults.database_connections));
        assert_eq!(error(&[("NITE_MAX_PENDING_ORDERS", "0")]).key, "NITE_MAX_PENDING_ORDERS");
        assert_eq!(error(&[("NITE_DATABASE_CONNECTIONS", "0")]).key, "NITE_DATABASE_CONNECTIONS");
        let pool = Config::load(None, &env(&[("NITE_DATABASE_CONNECTIONS", "6")])).unwrap();
        assert_eq!(pool.database_connections, 6);
        assert_eq!(error(&[("NITE_GUEST_HOLD_MINUTES", "soon")]).key, "NITE_GUEST_HOLD_MINUTES");
        let set = Config::load(None, &env(&[("NITE_MAX_ORDER_UNITS", "5"), ("NITE_HEADER_TIMEOUT_MS", "500")]));
        let set = set.unwrap();
        assert_eq!((set.max_order_units, set.header_timeout_ms), (5, 500));
    }

    #[test]
    fn secrets_never_print() {
        let config = Config::load(
            None,
            &env(&[
                ("NITE_PAYMENTS", "stripe"),
                ("NITE_STRIPE_SECRET_KEY", "sk_test_supersecret"),
                ("NITE_STRIPE_WEBHOOK_SECRET", "whsec_a,whsec_b"),
            ]),
        )
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("supersecret") && !printed.contains("whsec_a"), "{printed}");
    }
}
