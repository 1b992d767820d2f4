//! What pricing takes: the cart's lines and choices, the buyer, the store's policy, its rules and promotions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::{Product, Sku, Variant};
use crate::promotion::{DiscountCode, Promotion, PromotionUsage};
use crate::tax::{PriceMode, Region, TaxRounding, TaxRules};
use crate::{
    Category, Currency, CustomerGroup, CustomerId, Money, ProductId, Quantity, RoundingMode, TaxCategory, VariantId,
};

/// A cart line: a snapshot of the variant as it was when priced, and a quantity.
///
/// The snapshot is what an order keeps, so a later catalog change never alters a placed order; pricing reads only
/// the ids, category, tax category, unit price and quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The product.
    pub product_id: ProductId,
    /// The variant.
    pub variant_id: VariantId,
    /// The variant's SKU.
    pub sku: Sku,
    /// Product and variant name, for receipts.
    pub name: String,
    /// The product's category.
    pub category: Category,
    /// The product's tax category.
    pub tax_category: TaxCategory,
    /// What one unit sells for (the sale price while on sale), net or gross as the store's [`PriceMode`] says.
    pub unit_price: Money,
    /// How many units.
    pub quantity: Quantity,
    /// Shipping weight of one unit, in grams.
    pub weight_grams: u32,
}

impl LineItem {
    /// Snapshots `variant` of `product` at its current selling price.
    pub fn snapshot(product: &Product, variant: &Variant, quantity: Quantity) -> LineItem {
        let name =
            if variant.name.is_empty() { product.name.clone() } else { format!("{} ({})", product.name, variant.name) };
        LineItem {
            product_id: product.id.clone(),
            variant_id: variant.id.clone(),
            sku: variant.sku.clone(),
            name,
            category: product.category.clone(),
            tax_category: product.tax_category.clone(),
            unit_price: variant.price.selling(),
            quantity,
            weight_grams: variant.weight_grams,
        }
    }
}

/// The chosen shipping rate: an amount from whoever quoted it, and how it is taxed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingCharge {
    /// The charge, net or gross as the store's [`PriceMode`] says.
    pub amount: Money,
    /// The tax category of shipping; untaxed if absent.
    pub tax_category: Option<TaxCategory>,
}

/// What promotions may ask about the buyer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFacts {
    /// The customer, if signed in.
    pub customer_id: Option<CustomerId>,
    /// The customer's group, if any.
    pub group: Option<CustomerGroup>,
    /// Whether this would be the buyer's first order.
    pub is_first_order: bool,
}

impl CustomerFacts {
    /// A guest: no id, no group, and (not knowing better) a first order.
    pub fn guest() -> CustomerFacts {
        CustomerFacts { customer_id: None, group: None, is_first_order: true }
    }
}

/// The cart being priced: borrowed, so pricing copies nothing it does not return.
#[derive(Debug, Clone, Copy)]
pub struct PricingCart<'a> {
    /// The cart's currency; every line and the shipping charge must be in it.
    pub currency: Currency,
    /// The lines.
    pub lines: &'a [LineItem],
    /// The discount codes the customer entered, in the order entered.
    pub codes: &'a [DiscountCode],
    /// The chosen shipping rate, if one is chosen.
    pub shipping: Option<&'a ShippingCharge>,
    /// Where the order ships to, for tax; the store's origin region if absent.
    pub destination: Option<&'a Region>,
    /// The buyer.
    pub customer: &'a CustomerFacts,
}

impl<'a> PricingCart<'a> {
    /// A cart with lines and a buyer, and no codes, shipping or destination yet.
    pub fn new(currency: Currency, lines: &'a [LineItem], customer: &'a CustomerFacts) -> PricingCart<'a> {
        PricingCart { currency, lines, codes: &[], shipping: None, destination: None, customer }
    }
}

/// How a store prices: whether prices include tax, where tax is rounded, and the rounding mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePolicy {
    /// Whether prices are entered with or without tax.
    pub price_mode: PriceMode,
    /// Whether tax is rounded per line or per unit.
    pub tax_rounding: TaxRounding,
    /// How every rounding point rounds.
    pub rounding: RoundingMode,
    /// The region taxed when the cart has no destination yet (the store's own), if any.
    pub origin: Option<Region>,
}

/// Everything the store brings to pricing: policy, tax rules, promotions and their usage, and the time.
#[derive(Debug, Clone, Copy)]
pub struct PricingContext<'a> {
    /// The price policy.
    pub policy: &'a PricePolicy,
    /// The tax rules.
    pub tax_rules: &'a TaxRules,
    /// Every promotion that could apply, in any order.
    pub promotions: &'a [Promotion],
    /// How often promotions with usage limits have been used; a promotion not listed counts as unused.
    pub usage: &'a [PromotionUsage],
    /// The instant to judge date windows at.
    pub now: OffsetDateTime,
}

impl<'a> PricingContext<'a> {
    /// A context with no usage counts.
    pub fn new(
        policy: &'a PricePolicy,
        tax_rules: &'a TaxRules,
        promotions: &'a [Promotion],
        now: OffsetDateTime,
    ) -> PricingContext<'a> {
        PricingContext { policy, tax_rules, promotions, usage: &[], now }
    }
}
