//! An order line: the variant as sold, with every figure of its price.

use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::pricing::{LineItem, PricedLine};
use crate::{Category, Money, Percentage, ProductId, Quantity, VariantId};

/// One line of an order, frozen at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    /// The product.
    pub product_id: ProductId,
    /// The variant.
    pub variant_id: VariantId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name, as shown at checkout.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// How many.
    pub quantity: Quantity,
    /// Price of one unit.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub subtotal: Money,
    /// Discounts allocated to the line.
    pub discount: Money,
    /// Without tax, after discounts.
    pub net: Money,
    /// The tax rate.
    pub tax_rate: Percentage,
    /// The tax.
    pub tax: Money,
    /// What the line cost.
    pub total: Money,
}

impl OrderLine {
    /// Freezes a priced cart line.
    pub fn new(item: &LineItem, priced: &PricedLine) -> OrderLine {
        OrderLine {
            product_id: item.product_id.clone(),
            variant_id: item.variant_id.clone(),
            sku: item.sku.clone(),
            name: item.name.clone(),
            category: item.category.clone(),
            quantity: priced.quantity,
            unit_price: priced.unit_price,
            subtotal: priced.subtotal,
            discount: priced.discount,
            net: priced.net,
            tax_rate: priced.tax_rate,
            tax: priced.tax,
            total: priced.total,
        }
    }
}
