//! A short-lived cache in front of what every cart change reads: the promotions, and products by SKU.
//!
//! Each change to a cart (and each checkout) prices it from the current catalog and promotions: two reads, each a
//! round trip and a decode, of data that changes a few times a day. [`ReadCache`] keeps them for a moment (`ttl`),
//! and [`ReadCache::wrap`] puts it in front of a shop's [`Stores`]. What it changes:
//!
//! - A promotion or product changed through the wrapped stores clears the cache at once. One changed elsewhere
//!   (another process, a database shell) is seen within `ttl`, or at once when the other process calls
//!   [`ReadCache::clear`] (the HTTP server does, when its processes announce catalog changes to each other).
//! - Stock, carts, orders and promotion usage are never cached: no one can buy what is not there, and usage limits
//!   are checked where the order is placed.
//! - A cart is priced at checkout from the same cache it was shown from, and checkout refuses a total that differs
//!   from the one last shown (`CartChanged`), so a stale answer can delay a change by `ttl` but never charge a
//!   shopper differently from what they saw.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::catalog::{Product, Sku, Slug};
use crate::error::Result;
use crate::ports::{CatalogStore, Page, ProductFilter, PromotionStore, Stores};
use crate::promotion::{Promotion, PromotionUsage};
use crate::{ProductId, PromotionId};

/// The most products kept by SKU; past that, the cache starts again.
const MAX_SKUS: usize = 4096;

#[derive(Default)]
struct Kept {
    promotions: Option<(Instant, Vec<Promotion>)>,
    products: HashMap<Sku, (Instant, Arc<Product>)>,
}

/// Promotions and products by SKU, each kept for `ttl` after it was read.
pub struct ReadCache {
    ttl: Duration,
    kept: Mutex<Kept>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl ReadCache {
    /// A cache keeping each answer for `ttl`.
    pub fn new(ttl: Duration) -> Arc<ReadCache> {
        Arc::new(ReadCache { ttl, kept: Mutex::default() })
    }

    /// `stores` with their catalog and promotions read through this cache (the rest unchanged).
    pub fn wrap(self: &Arc<Self>, stores: Stores) -> Stores {
        Stores {
            catalog: Arc::new(CachedCatalog { inner: stores.catalog.clone(), cache: Arc::clone(self) }),
            promotions: Arc::new(CachedPromotions { inner: stores.promotions.clone(), cache: Arc::clone(self) }),
            ..stores
        }
    }

    /// Forgets everything (after a change to products or promotions).
    pub fn clear(&self) {
        *self.lock() = Kept::default();
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // The maps hold no invariant a panic could break: keep using them.
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self, at: Instant) -> bool {
        at.elapsed() < self.ttl
    }
}

/// A [`CatalogStore`] whose `products_by_skus` answers from a [`ReadCache`].
struct CachedCatalog {
    inner: Arc<dyn CatalogStore>,
    cache: Arc<ReadCache>,
}

#[async_trait]
impl CatalogStore for CachedCatalog {
    async fn upsert_product(&self, product: &Product) -> Result<()> {
        let done = self.inner.upsert_product(product).await;
        self.cache.clear();
        done
    }

    async fn delete_product(&self, id: &ProductId) -> Result<()> {
        let done = self.inner.delete_product(id).await;
        self.cache.clear();
        done
    }

    async fn product(&self, id: &ProductId) -> Result<Option<Product>> {
        self.inner.product(id).await
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>> {
        self.inner.product_by_slug(slug).await
    }

    async fn products(&self, filter: &ProductFilter) -> Result<Page<Product>> {
        self.inner.products(filter).await
    }

    async fn products_by_skus(&self, skus: &[Sku]) -> Result<Vec<Product>> {
        {
            let kept = self.cache.lock();
            let mut found: Vec<Product> = Vec::with_capacity(skus.len());
            let mut all = true;
            for sku in skus {
                match kept.products.get(sku) {
                    Some((at, product)) if self.cache.fresh(*at) => {
                        if !found.iter().any(|p| p.id == product.id) {
                            found.push(Product::clone(product));
                        }
                    }
                    _ => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                return Ok(found);
            }
        }
        let products = self.inner.products_by_skus(skus).await?;
        let now = Instant::now();
        let mut kept = self.cache.lock();
        if kept.products.len() + skus.len() > MAX_SKUS {
            kept.products.clear();
        }
        for product in &products {
            let shared = Arc::new(product.clone());
            for variant in &product.variants {
                kept.products.insert(variant.sku.clone(), (now, Arc::clone(&shared)));
            }
        }
        Ok(products)
    }
}

/// A [`PromotionStore`] whose list of promotions answers from a [`ReadCache`].
struct CachedPromotions {
    inner: Arc<dyn PromotionStore>,
    cache: Arc<ReadCache>,
}

#[async_trait]
impl PromotionStore for CachedPromotions {
    async fn promotions(&self) -> Result<Vec<Promotion>> {
        if let Some((at, promotions)) = &self.cache.lock().promotions
            && self.cache.fresh(*at)
        {
            return Ok(promotions.clone());
        }
        let promotions = self.inner.promotions().await?;
        self.cache.lock().promotions = Some((Instant::now(), promotions.clone()));
        Ok(promotions)
    }

    async fn promotion(&self, id: &PromotionId) -> Result<Option<Promotion>> {
        self.inner.promotion(id).await
    }

    async fn upsert_promotion(&self, promotion: &Promotion) -> Result<()> {
        let done = self.inner.upsert_promotion(promotion).await;
        self.cache.clear();
        done
    }

    async fn promotion_usage(&self, ids: &[PromotionId], customer_key: &str) -> Result<Vec<PromotionUsage>> {
        self.inner.promotion_usage(ids, customer_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::InMemoryStore;

    fn run(test: impl std::future::Future<Output = ()>) {
        futures::executor::block_on(test);
    }

    #[test]
    fn changes_through_the_cache_are_seen_at_once_and_others_after_clear() {
        run(async {
            let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
            crate::seed::load_if_empty(&stores).await.unwrap();
            let cache = ReadCache::new(Duration::from_secs(3600));
            let cached = cache.wrap(stores.clone());
            let catalog = crate::seed::niteputter();
            let sku = catalog.products[0].variants[0].sku.clone();
            let read = cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap();
            assert_eq!(read.len(), 1);

            // Changed behind the cache's back: the cache still answers the old product...
            let mut renamed = read[0].clone();
            renamed.name = "Renamed".to_owned();
            stores.catalog.upsert_product(&renamed).await.unwrap();
            let read = cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap();
            assert_eq!(read[0].name, catalog.products[0].name);
            // ...until told.
            cache.clear();
            let read = cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap();
            assert_eq!(read[0].name, "Renamed");

            // Through the cache: at once.
            let mut again = renamed.clone();
            again.name = "Again".to_owned();
            cached.catalog.upsert_product(&again).await.unwrap();
            let read = cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap();
            assert_eq!(read[0].name, "Again");

            let before = cached.promotions.promotions().await.unwrap();
            let mut changed = before[0].clone();
            changed.enabled = !changed.enabled;
            cached.promotions.upsert_promotion(&changed).await.unwrap();
            let after = cached.promotions.promotions().await.unwrap();
            assert_eq!(after.iter().find(|p| p.id == changed.id).unwrap().enabled, changed.enabled);
        });
    }

    #[test]
    fn answers_expire_and_stock_is_never_cached() {
        run(async {
            let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
            crate::seed::load_if_empty(&stores).await.unwrap();
            let cached = ReadCache::new(Duration::ZERO).wrap(stores.clone());
            let product = crate::seed::niteputter().products[0].clone();
            let sku = product.variants[0].sku.clone();
            assert_eq!(cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap().len(), 1);
            stores.catalog.delete_product(&product.id).await.unwrap();
            assert!(cached.catalog.products_by_skus(std::slice::from_ref(&sku)).await.unwrap().is_empty());
            // The wrapped stores share everything else with the originals.
            assert!(Arc::ptr_eq(&cached.inventory, &stores.inventory));
        });
    }
}
