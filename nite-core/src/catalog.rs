//! The catalog: products, their variants, and the names and prices a cart line snapshots from them.

mod product;
mod sku;
mod slug;
mod variant;

pub use product::{Image, Product, Spec};
pub use sku::{Sku, SkuError};
pub use slug::{Slug, SlugError};
pub use variant::{Dimensions, Price, PriceError, Variant, VariantOption};
