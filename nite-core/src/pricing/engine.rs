//! The pricing engine: promotions in priority order over integer minor units, then tax, then the figures.

use std::cmp::Reverse;

use crate::pricing::allocation::largest_remainder;
use crate::pricing::buffers::Buffers;
use crate::pricing::taxes::{Rate, RateCache, tax};
use crate::pricing::{
    AppliedPromotion, LineAllocation, NotApplied, PricedCart, PricedLine, PricedShipping, PricingCart, PricingContext,
    PricingError, Totals,
};
use crate::promotion::{Action, Condition, NotAppliedReason, Promotion, PromotionClass, Target};
use crate::tax::PriceMode;
use crate::{Currency, Money, Percentage, PromotionId, RoundingMode};

/// The most lines one pricing takes. A shop's own limits on a cart are usually far lower; this one bounds the
/// engine's arithmetic (see [`MAX_UNIT_MINOR`]) and work.
pub const MAX_LINES: usize = 10_000;

/// The largest unit price, shipping charge or promotion amount, in minor units (a billion dollars).
///
/// With [`MAX_LINES`] and [`Quantity::MAX`](crate::Quantity::MAX) this keeps every intermediate product of the
/// engine far inside `i128`, so its integer arithmetic cannot overflow.
pub const MAX_UNIT_MINOR: i128 = 100_000_000_000;

/// Prices `cart` in `ctx`: see the [module documentation](crate::pricing) for the rules and guarantees.
///
/// Promotions are tried in ascending priority, ties by id; each one that applies works on what earlier ones left.
/// Input order of promotions never changes the result. Errors only on unusable input (a line in another currency, a
/// negative or sub-minor price, too many lines); a promotion that does not apply is reported, not an error.
///
/// When promotions exclude each other (one is `exclusive`, or their `combines_with` refuse each other's class), the
/// shopper gets the combination that costs them least, never merely the one that happened to run first: see
/// [`best_combination`]. A cart without such a conflict is priced once.
pub fn price(cart: &PricingCart<'_>, ctx: &PricingContext<'_>) -> Result<PricedCart, PricingError> {
    let greedy = Engine::new(cart, ctx, &[])?.run();
    match greedy {
        Ok(greedy) if greedy.not_applied.iter().any(|n| n.reason == NotAppliedReason::NotCombinable) => {
            best_combination(cart, ctx, greedy)
        }
        // Returned as it is, not unpacked and packed again: the result is a few hundred bytes to move.
        other => other,
    }
}

/// Up to how many candidate promotions are put in order by insertion: a cart meets a handful, where it beats a
/// general sort.
const SORTED_BY_INSERTION: usize = 12;

/// How many promotions in conflict are searched exhaustively (2^n pricings at most); past that, each refused
/// promotion is tried in place of those it conflicts with.
const EXHAUSTIVE_CONFLICTS: usize = 6;

/// The cheapest way for the shopper to resolve the conflicts of `greedy` (the cart priced in priority order).
///
/// The promotions in conflict are those refused as not combinable and the applied ones that refuse one of them.
/// Every way of leaving some of them out is priced (up to [`EXHAUSTIVE_CONFLICTS`] of them; beyond, each refused
/// promotion in place of the ones it conflicts with), and so is the cart without any entered code, so that a code
/// can never make a cart dearer. The lowest total wins; on a tie, the earlier candidate (the priority order first),
/// so the answer is deterministic. Promotions left out are reported as `not_combinable`.
fn best_combination(
    cart: &PricingCart<'_>,
    ctx: &PricingContext<'_>,
    greedy: PricedCart,
) -> Result<PricedCart, PricingError> {
    let find = |id: &PromotionId| ctx.promotions.iter().find(|p| &p.id == id);
    let refused: Vec<&Promotion> = greedy
        .not_applied
        .iter()
        .filter(|n| n.reason == NotAppliedReason::NotCombinable)
        .filter_map(|n| n.promotion_id.as_ref().and_then(find))
        .collect();
    let applied: Vec<&Promotion> = greedy.applied.iter().filter_map(|a| find(&a.promotion_id)).collect();
    let mut conflicted: Vec<&PromotionId> = refused.iter().map(|p| &p.id).collect();
    conflicted.extend(applied.iter().filter(|a| refused.iter().any(|r| !r.combines(a))).map(|a| &a.id));
    conflicted.sort();
    conflicted.dedup();
    let coded: Vec<&PromotionId> = greedy
        .applied
        .iter()
        .filter(|a| a.code.is_some())
        .filter_map(|a| find(&a.promotion_id).map(|p| &p.id))
        .collect();
    let mut ways: Vec<Vec<&PromotionId>> = Vec::new();
    if conflicted.len() <= EXHAUSTIVE_CONFLICTS {
        for mask in 1..(1_u32 << conflicted.len()) {
            ways.push(conflicted.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, id)| *id).collect());
        }
    } else {
        for r in &refused {
            ways.push(applied.iter().filter(|a| !r.combines(a)).map(|a| &a.id).collect());
        }
    }
    if !coded.is_empty() {
        ways.push(coded);
    }
    let mut best = greedy;
    for excluded in ways {
        let candidate = Engine::new(cart, ctx, &excluded)?.run()?;
        if candidate.totals.total.amount() < best.totals.total.amount() {
            best = candidate;
        }
    }
    Ok(best)
}

/// One line while promotions run, in minor units.
///
/// Stored in 64 bits (48 bytes a line, so a large cart's lines stay in cache): a line's subtotal is at most
/// [`MAX_UNIT_MINOR`] × [`Quantity::MAX`](crate::Quantity::MAX), about 10^15, and every field is at most that.
/// Arithmetic that multiplies (by a rate, by another amount) widens to `i128` first.
#[derive(Clone, Copy)]
pub(super) struct Work {
    unit: i64,
    quantity: i64,
    subtotal: i64,
    discount: i64,
    /// Scratch: the share of the promotion being applied, or (buy X get Y) the units given.
    pending: i64,
    /// Scratch (buy X get Y): units not yet used as bought or given.
    free: i64,
}

impl Work {
    fn remaining(&self) -> i128 {
        i128::from(self.subtotal - self.discount)
    }
}

/// An amount of one line (a share, a discount) as a [`Work`] field: it is at most the line's subtotal, so it fits.
fn narrow(amount: i128) -> i64 {
    debug_assert!(i64::try_from(amount).is_ok(), "{amount} is more than a line holds");
    #[allow(clippy::cast_possible_truncation, reason = "bounded by the line's subtotal, see `Work`")]
    let narrow = amount as i64;
    narrow
}

struct Engine<'c, 'x, 'e> {
    cart: &'c PricingCart<'c>,
    ctx: &'x PricingContext<'x>,
    /// Promotions left out (to resolve a conflict another way): reported as not combinable.
    excluded: &'e [&'e PromotionId],
    currency: Currency,
    rounding: RoundingMode,
    /// The working vectors (lines, applied promotions, allocations, scratch), boxed so that the engine stays small
    /// to move and the box goes back to the thread's keeping whole.
    b: Box<Buffers>,
    /// Σ line subtotals before any discount.
    merchandise: i128,
    shipping: Option<i128>,
    shipping_discount: i128,
    not_applied: Vec<NotApplied>,
}

fn minor(amount: Money, currency: Currency) -> Option<i128> {
    if amount.currency() != currency {
        return None;
    }
    amount.to_minor_i128().ok().filter(|m| (0..=MAX_UNIT_MINOR).contains(m))
}

impl<'c, 'x, 'e> Engine<'c, 'x, 'e> {
    fn new(
        cart: &'c PricingCart<'c>,
        ctx: &'x PricingContext<'x>,
        excluded: &'e [&'e PromotionId],
    ) -> Result<Engine<'c, 'x, 'e>, PricingError> {
        let currency = cart.currency;
        if cart.lines.len() > MAX_LINES {
            return Err(PricingError::TooManyLines { count: cart.lines.len() });
        }
        let mut b = Buffers::take();
        let work = &mut b.work;
        work.reserve(cart.lines.len());
        let mut merchandise = 0;
        for (index, line) in cart.lines.iter().enumerate() {
            let Some(unit) = minor(line.unit_price, currency) else {
                let found = line.unit_price.currency();
                return Err(if found != currency {
                    PricingError::LineCurrency { line: index, expected: currency, found }
                } else {
                    PricingError::InvalidAmount { what: format!("line {index} unit price"), amount: line.unit_price }
                });
            };
            let quantity = i64::from(line.quantity.get());
            let (unit, subtotal) = (narrow(unit), narrow(unit * i128::from(quantity)));
            merchandise += i128::from(subtotal);
            work.push(Work { unit, quantity, subtotal, discount: 0, pending: 0, free: 0 });
        }
        let shipping = match cart.shipping {
            None => None,
            Some(charge) if charge.amount.currency() != currency => {
                return Err(PricingError::ShippingCurrency { expected: currency, found: charge.amount.currency() });
            }
            Some(charge) => Some(minor(charge.amount, currency).ok_or_else(|| PricingError::InvalidAmount {
                what: "shipping charge".to_owned(),
                amount: charge.amount,
            })?),
        };
        Ok(Engine {
            cart,
            ctx,
            excluded,
            currency,
            rounding: ctx.policy.rounding,
            b,
            merchandise,
            shipping,
            shipping_discount: 0,
            // Allocated only when something does not apply.
            not_applied: Vec::new(),
        })
    }

    fn run(mut self) -> Result<PricedCart, PricingError> {
        self.candidates();
        let promotions = self.ctx.promotions;
        let codes = self.cart.codes;
        // One allocation each, however many lines: every line-level promotion gives each line at most one share.
        let line_level =
            self.b.candidates.iter().filter(|&&(p, _)| promotions[p].class() != PromotionClass::Shipping).count();
        self.b.allocations.reserve_exact(line_level * self.b.work.len());
        for i in 0..self.b.candidates.len() {
            let (index, code) = self.b.candidates[i];
            let promotion = &promotions[index];
            let outcome = if self.excluded.contains(&&promotion.id) {
                Err(NotAppliedReason::NotCombinable)
            } else {
                self.eligibility(promotion).and_then(|()| self.apply(promotion))
            };
            match outcome {
                Ok(amount) => self.b.applied.push((index, code, amount)),
                Err(reason) => self.not_applied.push(NotApplied {
                    promotion_id: Some(promotion.id.clone()),
                    code: code.map(|c| codes[c].clone()),
                    reason,
                }),
            }
        }
        self.finish()
    }

    /// Fills `candidates`: automatic promotions and those whose code was entered, sorted by (priority, id); unknown
    /// codes are reported.
    fn candidates(&mut self) {
        let codes = self.cart.codes;
        let promotions = self.ctx.promotions;
        let candidates = &mut self.b.candidates;
        candidates.clear();
        candidates.reserve(promotions.len());
        for (i, p) in promotions.iter().enumerate() {
            match &p.code {
                None => candidates.push((i, None)),
                // The first entry of the code: a code entered twice counts once.
                Some(code) => {
                    if let Some(c) = codes.iter().position(|c| c == code) {
                        candidates.push((i, Some(c)));
                    }
                }
            }
        }
        // A code is known if a promotion carries it, and then a candidate holds its first entry.
        for (i, code) in codes.iter().enumerate() {
            let first = !codes[..i].contains(code);
            if first && !candidates.iter().any(|&(_, c)| c == Some(i)) {
                self.not_applied.push(NotApplied {
                    promotion_id: None,
                    code: Some(code.clone()),
                    reason: NotAppliedReason::CodeUnknown,
                });
            }
        }
        let key = |i: usize| (promotions[i].priority, &promotions[i].id);
        if candidates.len() <= SORTED_BY_INSERTION {
            // Stable, so equal keys stay in input order, as the sort below orders them.
            for i in 1..candidates.len() {
                let mut j = i;
                while j > 0 && key(candidates[j - 1].0) > key(candidates[j].0) {
                    candidates.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            candidates.sort_unstable_by(|&(a, _), &(b, _)| key(a).cmp(&key(b)).then(a.cmp(&b)));
        }
        candidates.dedup_by(|(a, _), (b, _)| promotions[*a].id == promotions[*b].id);
    }

    /// Everything but the action: enabled, dates, usage, conditions, combinability.
    fn eligibility(&self, p: &Promotion) -> Result<(), NotAppliedReason> {
        use NotAppliedReason as R;
        if !p.enabled {
            return Err(R::Disabled);
        }
        if p.starts_at.is_some_and(|start| self.ctx.now < start) {
            return Err(R::NotStarted);
        }
        if p.ends_at.is_some_and(|end| self.ctx.now >= end) {
            return Err(R::Expired);
        }
        let usage = self.ctx.usage.iter().find(|u| u.promotion_id == p.id);
        let (total, by_customer) = usage.map_or((0, 0), |u| (u.total, u.by_customer));
        if p.usage_limit.is_some_and(|limit| total >= limit) {
            return Err(R::UsageLimitReached);
        }
        if p.usage_limit_per_customer.is_some_and(|limit| by_customer >= limit) {
            return Err(R::CustomerUsageLimitReached);
        }
        for condition in &p.conditions {
            self.condition(condition)?;
        }
        if self.b.applied.iter().any(|&(other, _, _)| !p.combines(&self.ctx.promotions[other])) {
            return Err(R::NotCombinable);
        }
        Ok(())
    }

    fn condition(&self, condition: &Condition) -> Result<(), NotAppliedReason> {
        use NotAppliedReason as R;
        match condition {
            Condition::MinSubtotal { amount } => {
                if amount.currency() != self.currency {
                    return Err(R::CurrencyMismatch);
                }
                let min = amount.to_minor_i128().map_err(|_| R::Misconfigured)?;
                if self.merchandise < min {
                    return Err(R::MinSubtotalNotMet);
                }
            }
            Condition::MinQuantity { target, quantity } => {
                let units: i128 = self
                    .cart
                    .lines
                    .iter()
                    .zip(&self.b.work)
                    .filter(|(line, _)| target.as_ref().is_none_or(|t| t.matches(line)))
                    .map(|(_, w)| i128::from(w.quantity))
                    .sum();
                if units < i128::from(*quantity) {
                    return Err(R::MinQuantityNotMet);
                }
            }
            Condition::FirstOrder => {
                if !self.cart.customer.is_first_order {
                    return Err(R::NotFirstOrder);
                }
            }
            Condition::CustomerGroups { groups } => {
                if !self.cart.customer.group.as_ref().is_some_and(|g| groups.contains(g)) {
                    return Err(R::CustomerGroupMismatch);
                }
            }
        }
        Ok(())
    }

    /// Applies the action to the lines or shipping and returns what it took off, or why it took nothing.
    fn apply(&mut self, p: &Promotion) -> Result<i128, NotAppliedReason> {
        use NotAppliedReason as R;
        let promotion = self.b.applied.len();
        let amount = match &p.action {
            Action::OrderPercentage { percentage } => {
                let left = self.remaining();
                let discount = self.percent_of(left, *percentage);
                self.allocate(discount, promotion);
                discount
            }
            Action::OrderAmount { amount } => {
                let off = self.promotion_amount(*amount)?;
                let discount = off.min(self.remaining());
                self.allocate(discount, promotion);
                discount
            }
            Action::ItemsPercentage { target, percentage } => {
                let (n, d) = percentage.fraction();
                let rounding = self.rounding;
                self.discount_lines(target, promotion, |w| rounding.div(w.remaining() * n, d))?
            }
            Action::ItemsAmount { target, amount_per_unit } => {
                let per_unit = self.promotion_amount(*amount_per_unit)?;
                self.discount_lines(target, promotion, |w| (per_unit * i128::from(w.quantity)).min(w.remaining()))?
            }
            Action::FreeShipping => {
                let shipping = self.shipping.ok_or(R::ShippingNotSelected)?;
                let off = shipping - self.shipping_discount;
                self.shipping_discount += off;
                off
            }
            Action::BuyXGetY { buy, buy_quantity, get, get_quantity, percentage, max_applications } => {
                let x = i64::from(buy_quantity.get());
                let y = i64::from(get_quantity.get());
                let max = max_applications.map(|m| i64::from(m.get()));
                self.buy_x_get_y(buy, x, get, y, *percentage, max, promotion)?
            }
        };
        if amount == 0 { Err(R::NothingToDiscount) } else { Ok(amount) }
    }

    fn promotion_amount(&self, amount: Money) -> Result<i128, NotAppliedReason> {
        if amount.currency() != self.currency {
            return Err(NotAppliedReason::CurrencyMismatch);
        }
        minor(amount, self.currency).ok_or(NotAppliedReason::Misconfigured)
    }

    fn remaining(&self) -> i128 {
        self.b.work.iter().map(Work::remaining).sum()
    }

    fn percent_of(&self, amount: i128, percentage: Percentage) -> i128 {
        let (n, d) = percentage.fraction();
        self.rounding.div(amount * n, d)
    }

    /// Spreads an order-level discount over the lines by what is left of each (largest remainder).
    fn allocate(&mut self, discount: i128, promotion: usize) {
        let Buffers { work, weights, scratch, .. } = &mut *self.b;
        weights.clear();
        weights.extend(work.iter().map(Work::remaining));
        largest_remainder(discount, weights.iter().copied(), scratch, |i, units| work[i].pending += narrow(units));
        self.commit_pending(promotion);
    }

    /// Moves every line's pending share into its discount and records it as an allocation.
    fn commit_pending(&mut self, promotion: usize) {
        for (index, w) in self.b.work.iter_mut().enumerate() {
            if w.pending > 0 {
                w.discount += w.pending;
                self.b.allocations.push((index, promotion, w.pending));
                w.pending = 0;
            }
        }
    }

    /// A product-level discount: `off(line)` for each line `target` matches, never more than what is left of it.
    fn discount_lines(
        &mut self,
        target: &Target,
        promotion: usize,
        off: impl Fn(&Work) -> i128,
    ) -> Result<i128, NotAppliedReason> {
        let mut matched = false;
        let mut total = 0;
        for (index, (line, w)) in self.cart.lines.iter().zip(self.b.work.iter_mut()).enumerate() {
            if !target.matches(line) {
                continue;
            }
            matched = true;
            let discount = off(w).clamp(0, w.remaining());
            if discount > 0 {
                let discount = narrow(discount);
                w.discount += discount;
                total += i128::from(discount);
                self.b.allocations.push((index, promotion, discount));
            }
        }
        if matched { Ok(total) } else { Err(NotAppliedReason::NoMatchingItems) }
    }

    /// Buy `x` of `buy`, get `y` of `get` at `percentage` off: the most expensive units count as bought, the cheapest
    /// as given, and no unit is both.
    #[allow(clippy::too_many_arguments)]
    fn buy_x_get_y(
        &mut self,
        buy: &Target,
        x: i64,
        get: &Target,
        y: i64,
        percentage: Percentage,
        max: Option<i64>,
        promotion: usize,
    ) -> Result<i128, NotAppliedReason> {
        let lines = self.cart.lines;
        let mut buys: Vec<usize> = (0..lines.len()).filter(|&i| buy.matches(&lines[i])).collect();
        let mut gets: Vec<usize> = (0..lines.len()).filter(|&i| get.matches(&lines[i])).collect();
        buys.sort_by_key(|&i| (Reverse(self.b.work[i].unit), i));
        gets.sort_by_key(|&i| (self.b.work[i].unit, i));
        for w in &mut self.b.work {
            w.free = w.quantity;
            w.pending = 0;
        }
        let work = &mut self.b.work;
        let (mut b, mut g, mut applications) = (0, 0, 0_i64);
        let mut taken: Vec<(usize, i64)> = Vec::new();
        loop {
            let left = max.map_or(i64::MAX, |m| m - applications);
            while b < buys.len() && work[buys[b]].free == 0 {
                b += 1;
            }
            while g < gets.len() && work[gets[g]].free == 0 {
                g += 1;
            }
            if left == 0 || b == buys.len() || g == gets.len() {
                break;
            }
            // Fast path: whole applications from the current buy and get lines at once.
            let (lb, lg) = (buys[b], gets[g]);
            let bulk = if lb == lg {
                (work[lb].free / (x + y)).min(left)
            } else {
                (work[lb].free / x).min(work[lg].free / y).min(left)
            };
            if bulk > 0 {
                work[lb].free -= bulk * x;
                work[lg].free -= bulk * y;
                work[lg].pending += bulk * y;
                applications += bulk;
                continue;
            }
            // One application across line boundaries: x units to buy, then up to y to give.
            taken.clear();
            let mut need = x;
            for &i in &buys[b..] {
                let take = work[i].free.min(need);
                if take > 0 {
                    work[i].free -= take;
                    taken.push((i, take));
                    need -= take;
                }
                if need == 0 {
                    break;
                }
            }
            let mut given = 0;
            if need == 0 {
                for &i in &gets[g..] {
                    let give = work[i].free.min(y - given);
                    if give > 0 {
                        work[i].free -= give;
                        work[i].pending += give;
                        given += give;
                    }
                    if given == y {
                        break;
                    }
                }
            }
            if given == 0 {
                for &(i, take) in &taken {
                    work[i].free += take;
                }
                break;
            }
            applications += 1;
        }
        if applications == 0 {
            return Err(NotAppliedReason::NoMatchingItems);
        }
        let (n, d) = percentage.fraction();
        let rounding = self.rounding;
        for w in self.b.work.iter_mut() {
            let units = i128::from(std::mem::take(&mut w.pending));
            w.pending = narrow(rounding.div(units * i128::from(w.unit) * n, d).min(w.remaining()));
        }
        let total = self.b.work.iter().map(|w| i128::from(w.pending)).sum();
        self.commit_pending(promotion);
        Ok(total)
    }

    /// Tax, then every figure.
    fn finish(self) -> Result<PricedCart, PricingError> {
        let currency = self.currency;
        let money = |minor: i128| Money::from_minor_i128(minor, currency);
        let policy = self.ctx.policy;
        let region = self.cart.destination.or(policy.origin.as_ref());
        let mut rates = RateCache::new(self.ctx, region);
        let rounding = self.rounding;
        let tax_of = |amount: i128, quantity: i128, rate: Rate| {
            tax(amount, quantity, rate.fraction, policy.price_mode, policy.tax_rounding, rounding)
        };

        // A line's figures are each at most twice its subtotal (tax is at most 100 %), so they fit the `i64` of
        // `Work`, and none is negative: they become money without a fallible conversion or a sign (the sums are
        // checked below).
        let line_money = |minor: i64| {
            debug_assert!(minor >= 0, "a line figure below zero: {minor}");
            Money::from_minor_u64(minor.unsigned_abs(), currency)
        };
        let mut lines = Vec::with_capacity(self.b.work.len());
        let (mut subtotal, mut discount, mut tax_total, mut total) = (0, 0, 0, 0);
        for (line, w) in self.cart.lines.iter().zip(&self.b.work) {
            let rate = rates.rate(&line.tax_category);
            let after_discount = w.subtotal - w.discount;
            let tax = narrow(tax_of(i128::from(after_discount), i128::from(w.quantity), rate));
            let (net, line_total) = match policy.price_mode {
                PriceMode::TaxExclusive => (after_discount, after_discount + tax),
                PriceMode::TaxInclusive => (after_discount - tax, after_discount),
            };
            subtotal += i128::from(w.subtotal);
            discount += i128::from(w.discount);
            tax_total += i128::from(tax);
            total += i128::from(line_total);
            lines.push(PricedLine {
                unit_price: line.unit_price,
                quantity: line.quantity,
                subtotal: line_money(w.subtotal),
                discount: line_money(w.discount),
                net: line_money(net),
                tax_rate: rate.percentage,
                tax: line_money(tax),
                total: line_money(line_total),
            });
        }

        let shipping = match (self.shipping, self.cart.shipping) {
            (Some(amount), Some(charge)) => {
                let rate = charge.tax_category.as_ref().map_or(Rate::ZERO, |c| rates.rate(c));
                let after_discount = amount - self.shipping_discount;
                let tax = tax_of(after_discount, 1, rate);
                let rate = rate.percentage;
                let (net, shipping_total) = match policy.price_mode {
                    PriceMode::TaxExclusive => (after_discount, after_discount + tax),
                    PriceMode::TaxInclusive => (after_discount - tax, after_discount),
                };
                tax_total += tax;
                total += shipping_total;
                // Like a line's, each figure is at most twice the charge (at most `MAX_UNIT_MINOR`).
                Some(PricedShipping {
                    amount: charge.amount,
                    discount: line_money(narrow(self.shipping_discount)),
                    net: line_money(narrow(net)),
                    tax_rate: rate,
                    tax: line_money(narrow(tax)),
                    total: line_money(narrow(shipping_total)),
                })
            }
            _ => None,
        };

        let mut applied = Vec::with_capacity(self.b.applied.len());
        for &(p, code, amount) in &self.b.applied {
            let p = &self.ctx.promotions[p];
            applied.push(AppliedPromotion {
                promotion_id: p.id.clone(),
                code: code.map(|c| self.cart.codes[c].clone()),
                class: p.class(),
                amount: money(amount)?,
            });
        }
        let mut allocations = Vec::with_capacity(self.b.allocations.len());
        for &(line, promotion, amount) in &self.b.allocations {
            allocations.push(LineAllocation { line, promotion, amount: line_money(amount) });
        }
        let not_applied = self.not_applied;
        self.b.give_back();

        Ok(PricedCart {
            currency,
            lines,
            totals: Totals {
                subtotal: money(subtotal)?,
                discount: money(discount)?,
                shipping: money(self.shipping.unwrap_or(0))?,
                shipping_discount: money(self.shipping_discount)?,
                tax: money(tax_total)?,
                total: money(total)?,
            },
            shipping,
            applied,
            not_applied,
            allocations,
        })
    }
}
