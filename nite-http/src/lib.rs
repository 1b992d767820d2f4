//! nite-http: the niteputter reference server over the nite crates.
//!
//! Serving the configured shop with a route of one's own beside nite's (see `docs/embedding.md`):
//!
//! ```no_run
//! use axum::routing::get;
//! use nite_http::config::Config;
//!
//! # async fn run() -> anyhow::Result<()> {
//! let config = Config::load(None, &|key| std::env::var(key).ok())?;
//! let (builder, database) = nite_http::shop_builder(&config).await?;
//! let mut options = nite_http::ServeOptions::from_config(&config);
//! options.routes = axum::Router::new().route("/api/v1/hello", get(|| async { "hello" }));
//! let listener = tokio::net::TcpListener::bind(config.bind).await?;
//! nite_http::serve_shop(options, builder.build()?, database, listener, nite_http::shutdown_signal()).await?;
//! # Ok(()) }
//! ```
//!
//! - [`nite_shop::Shop`] (crate `nite-shop`, no web dependency) composes the ports, providers and services; the
//!   configuration chooses its parts ([`shop_builder`]);
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
mod outgoing;
pub mod proxy;
mod queued;
mod recorder;
mod router;
mod serve;
mod server;
pub mod shared;
mod state;
mod views;
pub mod web;

pub use auth::Tokens;
pub use error::ApiError;
pub use queued::QueuedAnalytics;
pub use router::{MAX_BODY_BYTES, REQUEST_TIMEOUT, app, app_with, openapi, ops_app};
pub use serve::{ServeOptions, build_shop, health_url, healthcheck, serve, serve_shop, shop_builder, shutdown_signal};
pub use server::{ConnectionLimits, serve_connections};
pub use state::{AppState, StateParts};
