//! Products: what a storefront shows, and the variants a customer buys.

use serde::{Deserialize, Serialize};

use crate::catalog::{Sku, Slug, Variant};
use crate::{Category, ProductId, TaxCategory};

/// One line of a product's technical specification, e.g. `Battery life = 8 hours`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spec {
    /// What is specified.
    pub name: String,
    /// Its value, units included.
    pub value: String,
}

/// A product image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Image {
    /// Where the image is served from (absolute URL or a path on the shop's host).
    pub url: String,
    /// Alternative text for screen readers.
    pub alt: String,
}

/// A product as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Its id.
    pub id: ProductId,
    /// Its URL name, unique across the catalog.
    pub slug: Slug,
    /// Its display name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Marketing description (plain text).
    pub description: String,
    /// Bullet-point features.
    pub features: Vec<String>,
    /// Technical specifications.
    pub technical_specs: Vec<Spec>,
    /// Images, the first one the main image.
    pub images: Vec<Image>,
    /// Which tax rules apply.
    pub tax_category: TaxCategory,
    /// Its variants; at least one.
    pub variants: Vec<Variant>,
}

impl Product {
    /// The variant with this SKU, if the product has it.
    pub fn variant(&self, sku: &Sku) -> Option<&Variant> {
        self.variants.iter().find(|v| &v.sku == sku)
    }
}
