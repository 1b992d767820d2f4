//! What pricing returns: every line's figures, the shipping charge's, the totals, and what each promotion did.

use serde::{Deserialize, Serialize};

use crate::promotion::{DiscountCode, NotAppliedReason, PromotionClass};
use crate::{Currency, Money, Percentage, PromotionId, Quantity};

/// The figures of one cart line, in the order of the input lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// What one unit sells for, as entered (net or gross).
    pub unit_price: Money,
    /// How many units.
    pub quantity: Quantity,
    /// `unit_price × quantity`.
    pub subtotal: Money,
    /// Every discount allocated to this line, product- and order-level.
    pub discount: Money,
    /// The line's amount without tax, after discounts.
    pub net: Money,
    /// The tax rate applied.
    pub tax_rate: Percentage,
    /// The line's tax.
    pub tax: Money,
    /// What the line costs the customer: `net + tax` (= `subtotal − discount` when prices include tax).
    pub total: Money,
}

/// The figures of the shipping charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedShipping {
    /// The charge as quoted.
    pub amount: Money,
    /// What shipping promotions took off it.
    pub discount: Money,
    /// The charge without tax, after the discount.
    pub net: Money,
    /// The tax rate applied.
    pub tax_rate: Percentage,
    /// Its tax.
    pub tax: Money,
    /// What the customer pays for shipping.
    pub total: Money,
}

/// The cart's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Σ line subtotals, before discounts.
    pub subtotal: Money,
    /// Σ line discounts.
    pub discount: Money,
    /// The shipping charge before its discount (zero when none is chosen).
    pub shipping: Money,
    /// What shipping promotions took off it.
    pub shipping_discount: Money,
    /// Σ line taxes + shipping tax.
    pub tax: Money,
    /// What the customer pays: Σ line totals + shipping total.
    pub total: Money,
}

/// A promotion that applied, and how much it took off in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedPromotion {
    /// The promotion.
    pub promotion_id: PromotionId,
    /// The code that unlocked it, if it has one.
    pub code: Option<DiscountCode>,
    /// What it discounted.
    pub class: PromotionClass,
    /// How much it took off.
    pub amount: Money,
}

/// An entered code or an automatic promotion that did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplied {
    /// The promotion, if the code named one.
    pub promotion_id: Option<PromotionId>,
    /// The code, if one was entered.
    pub code: Option<DiscountCode>,
    /// Why not.
    pub reason: NotAppliedReason,
}

/// How much of one applied promotion went to one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAllocation {
    /// Index into [`PricedCart::lines`].
    pub line: usize,
    /// Index into [`PricedCart::applied`].
    pub promotion: usize,
    /// The amount.
    pub amount: Money,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedCart {
    /// The currency of every figure.
    pub currency: Currency,
    /// One entry per input line, in input order.
    pub lines: Vec<PricedLine>,
    /// The shipping charge's figures, if one was chosen.
    pub shipping: Option<PricedShipping>,
    /// The totals.
    pub totals: Totals,
    /// The promotions that applied, in the order they were applied.
    pub applied: Vec<AppliedPromotion>,
    /// Unknown codes first (in entered order), then promotions that did not apply, in the order they were tried.
    pub not_applied: Vec<NotApplied>,
    /// How each applied promotion's line discount split over the lines.
    pub allocations: Vec<LineAllocation>,
}
