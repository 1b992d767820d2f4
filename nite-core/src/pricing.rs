//! Cart pricing: lines, promotions, tax and a shipping charge in; every figure of the cart out, adding up exactly.
//!
//! [`price`] is pure and synchronous: no I/O, no locks, no clock (the caller passes `now`). Amounts are handled as
//! integers of the currency's minor unit and rates as exact fractions, so the only inexact steps are the named
//! rounding points, each done once with the store's [`RoundingMode`](crate::RoundingMode):
//!
//! 1. a percentage discount of one line (product promotions), or of the order (then allocated, below);
//! 2. a line's tax ([`TaxRounding::LineItemLevel`](crate::tax::TaxRounding)) or a unit's tax
//!    ([`TaxRounding::UnitPriceLevel`](crate::tax::TaxRounding)).
//!
//! An order-level discount is spread over the lines in proportion to what is left of each, by largest remainder, so
//! the shares add up to the discount exactly. The figures then satisfy, for every cart:
//!
//! - Σ line totals + shipping total = total;
//! - Σ line discounts = discount, and Σ line taxes + shipping tax = tax;
//! - no line, and no total, is below zero; no discount exceeds what it discounts.
//!
//! ```
//! use nite_core::pricing::{price, CustomerFacts, LineItem, PricePolicy, PricingCart, PricingContext};
//! use nite_core::tax::TaxRules;
//! use nite_core::{Currency, Money, Quantity, seed};
//!
//! let catalog = seed::niteputter();
//! let pro = &catalog.products[1];
//! let line = LineItem::snapshot(pro, &pro.variants[0], Quantity::new(2)?);
//! let lines = [line];
//! let customer = CustomerFacts::guest();
//! let cart = PricingCart::new(Currency::USD, &lines, &customer);
//! let policy = PricePolicy::default();
//! let rules = TaxRules::none();
//! let ctx = PricingContext::new(&policy, &rules, &[], time::OffsetDateTime::UNIX_EPOCH);
//! let priced = price(&cart, &ctx)?;
//! assert_eq!(priced.totals.total, pro.variants[0].price.selling().checked_mul(2)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod allocation;
mod buffers;
mod engine;
mod input;
mod output;
mod taxes;

pub use allocation::allocate;
pub use engine::{MAX_LINES, MAX_UNIT_MINOR, price};
pub use input::{CustomerFacts, LineItem, PricePolicy, PricingCart, PricingContext, ShippingCharge};
pub use output::{AppliedPromotion, LineAllocation, NotApplied, PricedCart, PricedLine, PricedShipping, Totals};

use crate::{Currency, Money, MoneyError};

/// Why a cart could not be priced at all. (A promotion that does not apply is not an error: it is reported in
/// [`PricedCart::not_applied`] with its reason.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PricingError {
    /// More lines than [`MAX_LINES`].
    #[error("a cart may hold at most {max} lines, this one holds {count}", max = MAX_LINES)]
    TooManyLines {
        /// How many lines the cart holds.
        count: usize,
    },
    /// A line's unit price is in another currency than the cart.
    #[error("line {line} is priced in {found}, the cart in {expected}")]
    LineCurrency {
        /// The index of the line.
        line: usize,
        /// The cart's currency.
        expected: Currency,
        /// The line's currency.
        found: Currency,
    },
    /// The shipping charge is in another currency than the cart.
    #[error("the shipping charge is in {found}, the cart in {expected}")]
    ShippingCurrency {
        /// The cart's currency.
        expected: Currency,
        /// The charge's currency.
        found: Currency,
    },
    /// A price or charge is negative, finer than its minor unit, or above [`MAX_UNIT_MINOR`] minor units.
    #[error("{what} {amount} is not a usable price (negative, finer than the minor unit, or too large)")]
    InvalidAmount {
        /// What the amount is, e.g. `line 3 unit price`.
        what: String,
        /// The amount.
        amount: Money,
    },
    /// A figure did not fit its representation (cannot happen within the documented bounds).
    #[error(transparent)]
    Money(#[from] MoneyError),
}
