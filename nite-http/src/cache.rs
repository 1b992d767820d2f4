//! A short-lived cache of catalog answers: the product list and product pages, as rendered JSON, for a few hundred
//! milliseconds. Storefront traffic is mostly these reads, and each costs several queries (the product, its stock,
//! its reviews' summary); reusing the answer briefly turns a burst of identical reads into one. The price is that
//! the stock a page shows may be that old: adding to a cart and checking out always read the stock itself, so
//! nobody can buy what is not there. Any change an administrator makes through this server (products, stock,
//! reviews, a cancelled order's released stock) clears the cache at once, in one place: [`clear_after_admin_writes`],
//! which also tells the shop's other processes: through Redis when it is configured (`crate::shared`), and through
//! PostgreSQL's `NOTIFY` when the shop runs on it ([`spawn_database_listener`]). On SQLite without Redis, other
//! processes see the change when their own answers expire.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use nite_core::ProductId;
use nite_core::ports::ReadCache;

use crate::state::AppState;

/// The PostgreSQL channel catalog changes are announced on (`NOTIFY`), for processes without Redis.
pub(crate) const CATALOG_CHANNEL: &str = "nite_catalog";

/// The most answers kept; when full, everything is dropped and the cache fills again.
const MAX_ENTRIES: usize = 1024;

/// One cached answer: when it was made, the JSON body, and the product it shows (whose view must still count).
#[derive(Clone)]
pub(crate) struct Cached {
    made: Instant,
    pub(crate) body: Bytes,
    pub(crate) product: Option<ProductId>,
}

/// Rendered catalog answers by request target (path and query).
pub(crate) struct CatalogCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, Cached>>,
    /// The shop's cache of promotions and products (`ShopBuilder::read_cache`), cleared with this one.
    reads: Option<Arc<ReadCache>>,
}

impl CatalogCache {
    /// A cache keeping answers for `ttl`; a zero `ttl` keeps nothing.
    pub(crate) fn new(ttl: Duration, reads: Option<Arc<ReadCache>>) -> CatalogCache {
        CatalogCache { ttl, entries: RwLock::new(HashMap::new()), reads }
    }

    /// The key of a request's answer (its path and query), or `None` when the cache keeps nothing (then no key is
    /// made: the uncached catalog answers without one allocation more).
    pub(crate) fn key(&self, uri: &axum::http::Uri) -> Option<String> {
        (!self.ttl.is_zero()).then(|| uri.to_string())
    }

    /// The answer for `target`, if one was made less than the TTL ago.
    pub(crate) fn get(&self, target: &str) -> Option<Cached> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(target).filter(|c| c.made.elapsed() < self.ttl).cloned()
    }

    /// Keeps an answer.
    pub(crate) fn put(&self, target: &str, body: Bytes, product: Option<ProductId>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(target) {
            entries.clear();
        }
        entries.insert(target.to_owned(), Cached { made: Instant::now(), body, product });
    }

    /// Forgets every answer (after a change to products, stock or reviews).
    pub(crate) fn clear(&self) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).clear();
        if let Some(reads) = &self.reads {
            reads.clear();
        }
    }
}

/// Middleware: after an administrator's request that changed something (any method but `GET` under
/// `/api/v1/admin/`, answered with success), forgets every cached catalog answer.
pub(crate) async fn clear_after_admin_writes(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let write = request.method() != Method::GET && request.uri().path().starts_with("/api/v1/admin/");
    let response = next.run(request).await;
    if write && response.status().is_success() {
        app.catalog_cache.clear();
        app.shared.publish_catalog_change().await;
        if let Some(database) = &app.database
            && let Err(error) = database.notify(CATALOG_CHANNEL).await
        {
            tracing::warn!(error = %error, "could not tell the other processes that the catalog changed");
        }
    }
    response
}

/// Clears `cache` whenever another process announces a catalog change through the database (PostgreSQL `LISTEN`),
/// and once more after every reconnection (announcements may have been missed), until `stop`. `None` on SQLite.
pub(crate) async fn spawn_database_listener(
    database: nite_storage::Database,
    cache: std::sync::Arc<CatalogCache>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let first = match database.listen(CATALOG_CHANNEL).await {
        Ok(None) => return None,
        Ok(Some(listener)) => Some(listener),
        Err(error) => {
            tracing::warn!(error = %error, "cannot listen for catalog changes yet; retrying");
            None
        }
    };
    Some(tokio::spawn(async move {
        let mut listener = first;
        loop {
            if let Some(l) = listener.as_mut() {
                tokio::select! {
                    next = l.next() => match next {
                        Ok(_) => cache.clear(),
                        Err(error) => {
                            tracing::warn!(error = %error, "catalog notifications stopped; reconnecting");
                            listener = None;
                        }
                    },
                    _ = stop.changed() => return,
                }
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => return,
            }
            if let Ok(Some(l)) = database.listen(CATALOG_CHANNEL).await {
                cache.clear();
                listener = Some(l);
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_live_for_the_ttl_and_clear_forgets_them() {
        let cache = CatalogCache::new(Duration::from_millis(50), None);
        cache.put("/products", Bytes::from_static(b"[]"), None);
        assert!(cache.get("/products").is_some());
        assert!(cache.get("/products?limit=5").is_none(), "the query is part of the key");
        cache.clear();
        assert!(cache.get("/products").is_none());
        cache.put("/products", Bytes::from_static(b"[]"), None);
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("/products").is_none(), "expired");
        let off = CatalogCache::new(Duration::ZERO, None);
        off.put("/products", Bytes::from_static(b"[]"), None);
        assert!(off.get("/products").is_none(), "a zero TTL keeps nothing");
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = CatalogCache::new(Duration::from_secs(60), None);
        for i in 0..=MAX_ENTRIES {
            cache.put(&format!("/products?q={i}"), Bytes::new(), None);
        }
        assert!(cache.entries.read().unwrap().len() <= MAX_ENTRIES);
    }
}
