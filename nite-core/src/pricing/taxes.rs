//! Tax in the engine: per line or per unit, exclusive or inclusive, and the rate lookup per tax category.

use crate::pricing::PricingContext;
use crate::tax::{PriceMode, Region, TaxRounding};
use crate::{Percentage, RoundingMode, TaxCategory};

/// The tax in `amount` (net or gross, as `mode` says) of `quantity` units at the rate `n / d`, rounded per line or
/// per unit. Inlined into the engine's loop over the lines, where it runs once a line.
#[inline(always)]
pub(super) fn tax(
    amount: i128,
    quantity: i128,
    (n, d): (i128, i128),
    mode: PriceMode,
    level: TaxRounding,
    rounding: RoundingMode,
) -> i128 {
    if n == 0 || amount == 0 {
        return 0;
    }
    // Exclusive: tax = amount × r. Inclusive: the amount already holds it, tax = amount × r / (1 + r).
    let denominator = match mode {
        PriceMode::TaxExclusive => d,
        PriceMode::TaxInclusive => d + n,
    };
    let of = |x: i128| rounding.div(x * n, denominator);
    match level {
        TaxRounding::LineItemLevel => of(amount),
        TaxRounding::UnitPriceLevel => {
            // After discounts a line's units may differ by one minor unit: `extra` units carry one more.
            let base = amount / quantity;
            let extra = amount % quantity;
            (quantity - extra) * of(base) + extra * of(base + 1)
        }
    }
}

/// A tax rate, with its exact fraction worked out once.
#[derive(Clone, Copy)]
pub(super) struct Rate {
    pub(super) percentage: Percentage,
    /// `percentage` as `(numerator, denominator)`.
    pub(super) fraction: (i128, i128),
}

impl Rate {
    /// No tax.
    pub(super) const ZERO: Rate = Rate { percentage: Percentage::ZERO, fraction: (0, 1) };
}

/// How many tax categories [`RateCache`] remembers; a cart with more looks the rest up each time.
const REMEMBERED: usize = 4;

/// Looks tax rates up once per tax category, since carts repeat a few categories over many lines.
pub(super) struct RateCache<'a> {
    ctx: &'a PricingContext<'a>,
    region: Option<&'a Region>,
    /// The categories seen so far and their rates, without allocating.
    seen: [Option<(&'a str, Rate)>; REMEMBERED],
}

impl<'a> RateCache<'a> {
    pub(super) fn new(ctx: &'a PricingContext<'a>, region: Option<&'a Region>) -> RateCache<'a> {
        RateCache { ctx, region, seen: [None; REMEMBERED] }
    }

    pub(super) fn rate(&mut self, category: &'a TaxCategory) -> Rate {
        let label = category.as_str();
        // Lines of one category often share the label's text (the catalog's constant): comparing the pointer first
        // saves comparing the bytes.
        let same = |seen: &str| seen.len() == label.len() && (std::ptr::eq(seen, label) || seen == label);
        let mut free = None;
        for (slot, entry) in self.seen.iter().enumerate() {
            match entry {
                Some((seen, rate)) if same(seen) => return *rate,
                Some(_) => {}
                None => {
                    free = Some(slot);
                    break;
                }
            }
        }
        let percentage = self
            .region
            .and_then(|region| self.ctx.tax_rules.rule_for(region, category))
            .map_or(Percentage::ZERO, |rule| rule.rate);
        let rate = Rate { percentage, fraction: percentage.fraction() };
        if let Some(slot) = free {
            self.seen[slot] = Some((label, rate));
        }
        rate
    }
}
