//! `CatalogStore`: products and their variants.

use async_trait::async_trait;

use crate::catalog::{Product, Sku, Slug};
use crate::error::Result;
use crate::ports::Page;
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
