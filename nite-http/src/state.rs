//! `AppState`: what every handler shares (the shop, tokens, limits, caches, what the browser side needs).

use std::sync::Arc;
use std::time::Duration;

use crate::{auth::Tokens, cache, limits, proxy, recorder, shared, web};
use nite_shop::Shop;

/// What every handler shares. Cloning it counts one reference: axum clones the state, with every layer that holds
/// it, for each request. Its parts are read through it (`state.shop`) and changed with [`AppState::parts_mut`].
#[derive(Clone)]
pub struct AppState(Arc<StateParts>);

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// The parts of an [`AppState`].
#[derive(Clone)]
pub struct StateParts {
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
        let reads = shop.read_cache.clone();
        AppState(Arc::new(StateParts {
            shop: Arc::new(shop),
            database,
            tokens: Arc::new(Tokens::new(jwt_secret, Duration::from_secs(15 * 60))),
            limits: Arc::new(limits::Limits::default()),
            view_gate: Arc::new(limits::ViewGate::default()),
            warnings: Vec::new(),
            cors_origins: Vec::new(),
            views: Arc::default(),
            catalog_cache: Arc::new(cache::CatalogCache::new(Duration::ZERO, reads)),
            shared: Arc::new(shared::Shared::off()),
            trusted_proxies: Arc::default(),
            home_country: None,
            web: Arc::new(web::WebSettings::default()),
        }))
    }

    /// The parts, to change (copied first if another clone of this state shares them).
    pub fn parts_mut(&mut self) -> &mut StateParts {
        Arc::make_mut(&mut self.0)
    }

    /// Points the free-shipping nudge of carts without an address at `country`.
    #[must_use]
    pub fn with_home_country(mut self, country: nite_core::tax::CountryCode) -> AppState {
        self.parts_mut().home_country = Some(country);
        self
    }

    /// Sets what the storefront and the dashboard need (see [`web::WebSettings`]).
    #[must_use]
    pub fn with_web(mut self, web: web::WebSettings) -> AppState {
        self.parts_mut().web = Arc::new(web);
        self
    }

    /// Takes the client's address from `X-Forwarded-For` when the connection comes from one of these proxies.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: &[proxy::IpRange]) -> AppState {
        self.parts_mut().trusted_proxies = Arc::new(proxies.to_vec());
        self
    }

    /// Shares limits, view counts and catalog changes with the shop's other processes through `shared`.
    #[must_use]
    pub fn with_shared(mut self, shared: Arc<shared::Shared>) -> AppState {
        let parts = self.parts_mut();
        parts.limits = Arc::new(limits::Limits::default().shared(Arc::clone(&shared)));
        parts.shared = shared;
        self
    }

    /// Reuses catalog answers (the product list, product pages) for `ttl`: the stock they show may be that old,
    /// while carts and checkout always read it fresh. Administrators' changes through this server clear it.
    pub fn with_catalog_cache(mut self, ttl: Duration) -> AppState {
        let cache = Arc::new(cache::CatalogCache::new(ttl, self.shop.read_cache.clone()));
        self.parts_mut().catalog_cache = cache;
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
        self.parts_mut().cors_origins =
            origins.iter().filter_map(|o| axum::http::HeaderValue::from_str(o).ok()).collect();
        self
    }
}
