//! Tax in the engine: per line or per unit, exclusive or inclusive, and the rate lookup per tax category.

use crate::pricing::PricingContext;
use crate::tax::{PriceMode, Region, TaxRounding};
use crate::{Percentage, RoundingMode, TaxCategory};

/// The tax in `amount` (net or gross, as `mode` says) of `quantity` units at `rate`, rounded per line or per unit.
pub(super) fn tax(
    amount: i128,
    quantity: i128,
    rate: Percentage,
    mode: PriceMode,
    level: TaxRounding,
    rounding: RoundingMode,
) -> i128 {
    if rate.is_zero() || amount == 0 {
        return 0;
    }
    let (n, d) = rate.fraction();
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

/// Looks tax rates up once per tax category, since carts repeat a few categories over many lines.
pub(super) struct RateCache<'a> {
    ctx: &'a PricingContext<'a>,
    region: Option<&'a Region>,
    last: Option<(&'a TaxCategory, Percentage)>,
}

impl<'a> RateCache<'a> {
    pub(super) fn new(ctx: &'a PricingContext<'a>, region: Option<&'a Region>) -> RateCache<'a> {
        RateCache { ctx, region, last: None }
    }

    pub(super) fn rate(&mut self, category: &'a TaxCategory) -> Percentage {
        // Lines of one category usually share the catalog's label: the pointer check saves comparing the text.
        if let Some((cached, rate)) = self.last
            && (std::ptr::eq(cached, category) || cached == category)
        {
            return rate;
        }
        let rate = self
            .region
            .and_then(|region| self.ctx.tax_rules.rule_for(region, category))
            .map_or(Percentage::ZERO, |rule| rule.rate);
        self.last = Some((category, rate));
        rate
    }
}
