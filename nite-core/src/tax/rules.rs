//! Tax rules: the rate for each region and tax category.

use serde::{Deserialize, Serialize};

use crate::tax::Region;
use crate::{Percentage, TaxCategory};

/// The rate of one tax category in one region, e.g. 19 % `standard` in `DE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRule {
    /// Where it applies; a subdivision rule beats a country-wide one.
    pub region: Region,
    /// What it applies to.
    pub category: TaxCategory,
    /// The rate.
    pub rate: Percentage,
    /// The name shown to customers, e.g. `VAT` or `CA sales tax`.
    pub name: String,
}

/// A store's tax rules.
///
/// A line whose tax category has no rule for the destination is not taxed (rate 0 %): a store that must tax
/// everything lists a rule for every category it sells.
///
/// ```
/// use nite_core::tax::{Region, TaxRule, TaxRules};
/// use nite_core::{Percentage, TaxCategory};
/// use rust_decimal_macros::dec;
///
/// let rules = TaxRules::new(vec![
///     TaxRule { region: Region::parse("US")?, category: TaxCategory::STANDARD, rate: Percentage::new(dec!(0))?, name: "none".into() },
///     TaxRule { region: Region::parse("US-CA")?, category: TaxCategory::STANDARD, rate: Percentage::new(dec!(7.25))?, name: "CA sales tax".into() },
/// ]);
/// let rate = |r| rules.rule_for(&Region::parse(r).unwrap(), &TaxCategory::STANDARD).map(|rule| rule.rate.value());
/// assert_eq!(rate("US-CA"), Some(dec!(7.25)));
/// assert_eq!(rate("US-NY"), Some(dec!(0)));
/// assert_eq!(rate("FR"), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaxRules {
    rules: Vec<TaxRule>,
}

impl TaxRules {
    /// Rules from a list, in any order.
    pub fn new(rules: Vec<TaxRule>) -> TaxRules {
        TaxRules { rules }
    }

    /// No rules: nothing is taxed.
    pub fn none() -> TaxRules {
        TaxRules::default()
    }

    /// The rules, as given.
    pub fn rules(&self) -> &[TaxRule] {
        &self.rules
    }

    /// The most specific rule for `category` in `destination`: a subdivision rule beats a country-wide rule, and
    /// among equally specific rules the first listed wins.
    pub fn rule_for(&self, destination: &Region, category: &TaxCategory) -> Option<&TaxRule> {
        let mut best: Option<&TaxRule> = None;
        for rule in &self.rules {
            if &rule.category != category || !rule.region.covers(destination) {
                continue;
            }
            let specific = rule.region.subdivision.is_some();
            match best {
                Some(b) if b.region.subdivision.is_some() || !specific => {}
                _ => best = Some(rule),
            }
        }
        best
    }
}
