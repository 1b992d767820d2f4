//! Tax: where a cart is taxed, at which rate for which tax category, and how prices relate to tax.

mod region;
mod rules;

pub use region::{CountryCode, Region, RegionError};
pub use rules::{TaxRule, TaxRules};

use serde::{Deserialize, Serialize};

/// Whether the store's prices are entered without tax (tax is added on top) or with tax (tax is contained in them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceMode {
    /// Prices are net; a line's tax is added to it (typical in the US).
    #[default]
    TaxExclusive,
    /// Prices are gross; a line's tax is the part of it the rate accounts for (typical in the EU).
    TaxInclusive,
}

/// Where tax is rounded, in commercetools' terms.
///
/// Example (commercetools' documentation): 3 units at 1.08 with 19 % tax. Line level: 3.24 × 0.19 = 0.6156 → 0.62.
/// Unit level: 1.08 × 0.19 = 0.2052 → 0.21, × 3 = 0.63.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxRounding {
    /// `LineItemLevel`: the tax of a whole line is computed, then rounded once.
    #[default]
    LineItemLevel,
    /// `UnitPriceLevel`: the tax of one unit is rounded, then multiplied by the quantity.
    UnitPriceLevel,
}
