//! `CatalogService`: products as a storefront shows them, with availability and their reviews' summary.

use serde::Serialize;

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::catalog::{Product, Sku, Slug};
use crate::error::{Error, Result};
use crate::inventory::StockLevel;
use crate::ports::{Page, ProductFilter, ShownProduct};
use crate::review::RatingSummary;
use crate::services::ShopContext;

/// A product with what a shopper wants to know besides: what can be bought now, and what others thought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductView {
    /// The product.
    pub product: Product,
    /// Units that can be sold now, per SKU, in variant order.
    pub available: Vec<(Sku, u32)>,
    /// Whether any variant can be bought now.
    pub in_stock: bool,
    /// The approved reviews' summary.
    pub reviews_summary: RatingSummary,
}

impl From<ShownProduct> for ProductView {
    /// Each variant's units that can be sold now (none without a stock row), in variant order.
    fn from(shown: ShownProduct) -> ProductView {
        let ShownProduct { product, stock, reviews } = shown;
        let available: Vec<(Sku, u32)> = product
            .variants
            .iter()
            .map(|v| (v.sku.clone(), stock.iter().find(|s| s.sku == v.sku).map_or(0, StockLevel::available)))
            .collect();
        ProductView { in_stock: available.iter().any(|(_, n)| *n > 0), available, product, reviews_summary: reviews }
    }
}

/// The storefront's catalog.
#[derive(Clone)]
pub struct CatalogService {
    ctx: ShopContext,
}

impl CatalogService {
    /// A catalog service over `ctx`.
    pub fn new(ctx: ShopContext) -> CatalogService {
        CatalogService { ctx }
    }

    /// A page of products.
    pub async fn products(&self, filter: &ProductFilter) -> Result<Page<ProductView>> {
        let page = self.ctx.stores.showcase.shown_products(filter).await?;
        Ok(Page { items: page.items.into_iter().map(ProductView::from).collect(), next_cursor: page.next_cursor })
    }

    /// One product by slug; `NotFound` if there is none.
    pub async fn product(&self, slug: &str) -> Result<ProductView> {
        let parsed = Slug::new(slug).map_err(|_| Error::not_found("product", slug))?;
        let shown = self.ctx.stores.showcase.shown_product(&parsed).await?;
        shown.map(ProductView::from).ok_or_else(|| Error::not_found("product", slug))
    }

    /// Every SKU's stock, for administrators (`NotFound` for anyone else).
    pub async fn stock(&self, viewer: &crate::services::Viewer) -> Result<Vec<crate::inventory::StockLevel>> {
        if !viewer.is_admin() {
            return Err(Error::not_found("inventory", "all"));
        }
        self.ctx.stores.inventory.all_stock().await
    }

    /// Sets a catalog SKU's units on hand, for administrators. An unknown SKU is `NotFound` (no orphan stock rows);
    /// a figure below what unpaid orders hold is a validation error.
    pub async fn set_on_hand(
        &self,
        viewer: &crate::services::Viewer,
        sku: &str,
        on_hand: u32,
    ) -> Result<crate::inventory::StockLevel> {
        let Some(sku) = Sku::new(sku).ok().filter(|_| viewer.is_admin()) else {
            return Err(Error::not_found("sku", sku));
        };
        if self.ctx.stores.catalog.products_by_skus(std::slice::from_ref(&sku)).await?.is_empty() {
            return Err(Error::not_found("sku", sku.as_str()));
        }
        self.ctx.stores.inventory.set_on_hand(&sku, on_hand).await
    }

    /// Records that a product page was shown to `visitor`.
    pub async fn record_view(&self, product: &Product, visitor: Option<String>) -> Result<()> {
        self.record_events(&[self.view_event(&product.id, visitor)]).await
    }

    /// The event of a product page shown now, to record later with others ([`CatalogService::record_events`]).
    pub fn view_event(&self, product: &crate::ProductId, visitor: Option<String>) -> AnalyticsEvent {
        AnalyticsEvent {
            visitor,
            ..AnalyticsEvent::product(EventKind::ProductView, product.clone(), self.ctx.clock.now())
        }
    }

    /// Records a batch of analytics events in one write.
    pub async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()> {
        self.ctx.stores.analytics.record_events(events).await
    }
}
