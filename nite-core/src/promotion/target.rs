//! Targets: which cart lines a product-level promotion or condition looks at.

use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::pricing::LineItem;
use crate::{Category, ProductId};

/// A set of cart lines, chosen by product, by category or by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "by", content = "values")]
pub enum Target {
    /// Lines of any of these products.
    Products(Vec<ProductId>),
    /// Lines of products in any of these categories.
    Categories(Vec<Category>),
    /// Lines of any of these SKUs.
    Skus(Vec<Sku>),
}

impl Target {
    /// Whether `line` is in the set.
    pub fn matches(&self, line: &LineItem) -> bool {
        match self {
            Target::Products(ids) => ids.contains(&line.product_id),
            Target::Categories(categories) => categories.contains(&line.category),
            Target::Skus(skus) => skus.contains(&line.sku),
        }
    }
}
