//! `CatalogStore`: products and their variants; `ShowcaseStore`: products as the storefront shows them.

use std::sync::Arc;

use async_trait::async_trait;

use crate::catalog::{Product, Sku, Slug};
use crate::error::{Error, Result};
use crate::inventory::StockLevel;
use crate::ports::{InventoryStore, Page, ReviewStore};
use crate::review::RatingSummary;
use crate::{Category, ProductId};

/// Which products to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilter {
    /// Only this category.
    pub category: Option<Category>,
    /// Only products whose name or description contains this, case-insensitively.
    pub query: Option<String>,
    /// At most this many.
    pub limit: crate::ports::Limit,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

/// Products and variants.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Creates or replaces a product with its variants. Slugs and SKUs are unique across products: reusing one is a
    /// validation error naming it.
    async fn upsert_product(&self, product: &Product) -> Result<()>;

    /// Deletes a product; `NotFound` if absent.
    async fn delete_product(&self, id: &ProductId) -> Result<()>;

    /// A product by id.
    async fn product(&self, id: &ProductId) -> Result<Option<Product>>;

    /// A product by slug.
    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>>;

    /// Products, in the order they were first created.
    async fn products(&self, filter: &ProductFilter) -> Result<Page<Product>>;

    /// The products holding these SKUs (each product once); unknown SKUs are simply absent.
    async fn products_by_skus(&self, skus: &[Sku]) -> Result<Vec<Product>>;
}

/// A product as the storefront shows it: with the stock of its SKUs and its approved reviews' summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownProduct {
    /// The product.
    pub product: Product,
    /// The stock of its SKUs that have any (a SKU without a stock row has none to sell), in SKU order.
    pub stock: Vec<StockLevel>,
    /// Its approved reviews' summary.
    pub reviews: RatingSummary,
}

/// Products with their stock and reviews' summaries, read together: what every storefront page of the catalog shows.
///
/// The answers are exactly those of [`CatalogStore::products`] and [`CatalogStore::product_by_slug`], with
/// [`InventoryStore::stock`] of each product's SKUs and [`ReviewStore::rating_summaries`], which is what
/// [`ComposedShowcase`] does for any three stores. An adapter serving all three reads them in one go: the SQL
/// stores on one connection, SQLite in one read transaction (one snapshot, and one take of the log's read lock
/// instead of three).
#[async_trait]
pub trait ShowcaseStore: Send + Sync {
    /// A page of products, as [`CatalogStore::products`] lists them, each with its stock and reviews' summary.
    async fn shown_products(&self, filter: &ProductFilter) -> Result<Page<ShownProduct>>;

    /// One product by slug, with its stock and reviews' summary; `None` if there is none.
    async fn shown_product(&self, slug: &Slug) -> Result<Option<ShownProduct>>;
}

/// The [`ShowcaseStore`] of any catalog, inventory and review stores: three reads, one after the other.
#[derive(Clone)]
pub struct ComposedShowcase {
    /// Where the products come from.
    pub catalog: Arc<dyn CatalogStore>,
    /// Where their stock comes from.
    pub inventory: Arc<dyn InventoryStore>,
    /// Where their reviews' summaries come from.
    pub reviews: Arc<dyn ReviewStore>,
}

impl std::fmt::Debug for ComposedShowcase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComposedShowcase").finish_non_exhaustive()
    }
}

/// The three stores a composed showcase reads, borrowed: [`ComposedShowcase`] lends its own, and a store serving
/// all three (the in-memory one) lends itself three times.
pub(crate) struct Composed<'a> {
    pub(crate) catalog: &'a dyn CatalogStore,
    pub(crate) inventory: &'a dyn InventoryStore,
    pub(crate) reviews: &'a dyn ReviewStore,
}

impl Composed<'_> {
    /// `products` with the stock of their SKUs and their reviews' summaries.
    async fn show(&self, products: Vec<Product>) -> Result<Vec<ShownProduct>> {
        let skus: Vec<Sku> = products.iter().flat_map(|p| p.variants.iter().map(|v| v.sku.clone())).collect();
        let stock = self.inventory.stock(&skus).await?;
        let ids: Vec<ProductId> = products.iter().map(|p| p.id.clone()).collect();
        let summaries = self.reviews.rating_summaries(&ids).await?;
        shown(products, &stock, summaries)
    }

    /// [`ShowcaseStore::shown_products`], in three reads.
    pub(crate) async fn shown_products(&self, filter: &ProductFilter) -> Result<Page<ShownProduct>> {
        let page = self.catalog.products(filter).await?;
        Ok(Page { items: self.show(page.items).await?, next_cursor: page.next_cursor })
    }

    /// [`ShowcaseStore::shown_product`], in three reads.
    pub(crate) async fn shown_product(&self, slug: &Slug) -> Result<Option<ShownProduct>> {
        let Some(product) = self.catalog.product_by_slug(slug).await? else { return Ok(None) };
        Ok(self.show(vec![product]).await?.pop())
    }
}

impl ComposedShowcase {
    fn parts(&self) -> Composed<'_> {
        Composed { catalog: &*self.catalog, inventory: &*self.inventory, reviews: &*self.reviews }
    }
}

/// Puts products, the stock of their SKUs and their summaries (one per product, in order) together.
///
/// # Errors
/// `Adapter` if the summaries are not one per product.
pub fn shown(products: Vec<Product>, stock: &[StockLevel], summaries: Vec<RatingSummary>) -> Result<Vec<ShownProduct>> {
    if summaries.len() != products.len() {
        return Err(Error::adapter("summarising reviews", "the store answered for other products than asked"));
    }
    Ok(products
        .into_iter()
        .zip(summaries)
        .map(|(product, reviews)| {
            let stock = stock.iter().filter(|s| product.variants.iter().any(|v| v.sku == s.sku)).cloned().collect();
            ShownProduct { product, stock, reviews }
        })
        .collect())
}

#[async_trait]
impl ShowcaseStore for ComposedShowcase {
    async fn shown_products(&self, filter: &ProductFilter) -> Result<Page<ShownProduct>> {
        self.parts().shown_products(filter).await
    }

    async fn shown_product(&self, slug: &Slug) -> Result<Option<ShownProduct>> {
        self.parts().shown_product(slug).await
    }
}
