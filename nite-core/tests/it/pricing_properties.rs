//! Properties of `price` over generated carts: 1–200 lines, every currency the issue names, random promotions, tax
//! rules and policies. The figures must always add up, and the result must not depend on the promotions' order.

use std::num::NonZeroU32;

use nite_core::catalog::Sku;
use nite_core::pricing::{CustomerFacts, LineItem, PricePolicy, PricedCart, ShippingCharge};
use nite_core::promotion::{Action, CombinesWith, Condition, Promotion, PromotionClass, PromotionUsage, Target};
use nite_core::tax::{PriceMode, Region, TaxRounding, TaxRule, TaxRules};
use nite_core::{
    Category, Currency, CustomerGroup, Money, Percentage, ProductId, Quantity, RoundingMode, TaxCategory, VariantId,
};
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;
use time::Duration;

use crate::fixture::{Shop, code, now, promo_id, render};

const CURRENCIES: [Currency; 8] = [
    Currency::USD,
    Currency::EUR,
    Currency::GBP,
    Currency::CAD,
    Currency::AUD,
    Currency::JPY,
    Currency::KWD,
    Currency::BHD,
];
const MODES: [RoundingMode; 5] =
    [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown, RoundingMode::Up, RoundingMode::Down];
const REGIONS: [&str; 4] = ["US-CA", "US-NY", "DE", "FR"];
const CODES: [&str; 4] = ["ALPHA", "BETA", "GAMMA", "NOSUCH"];

fn category(i: usize) -> Category {
    [Category::BASIC, Category::PRO, Category::COMPLETE][i % 3].clone()
}

fn tax_category(i: usize) -> TaxCategory {
    if i == 0 { TaxCategory::STANDARD } else { TaxCategory::new("reduced").unwrap() }
}

/// A percentage from 0 to 100 with up to two decimals, biased to round values.
fn percentage() -> impl Strategy<Value = Percentage> {
    prop_oneof![
        select(vec![0_i64, 5, 10, 15, 19, 20, 25, 33, 50, 100]).prop_map(|v| Decimal::new(v, 0)),
        (0_i64..=10_000).prop_map(|v| Decimal::new(v, 2)),
    ]
    .prop_map(|d| Percentage::new(d).unwrap())
}

fn line_item(currency: Currency) -> impl Strategy<Value = LineItem> {
    (0_usize..6, 0_i64..100_000, 1_u32..=20, 0_usize..2).prop_map(move |(product, unit, quantity, tax)| LineItem {
        product_id: ProductId::parse(&format!("prod_p{product}")).unwrap(),
        variant_id: VariantId::parse(&format!("var_p{product}")).unwrap(),
        sku: Sku::new(&format!("SKU-{product}")).unwrap(),
        name: format!("Product {product}"),
        category: category(product),
        tax_category: tax_category(tax),
        unit_price: Money::from_minor(unit, currency),
        quantity: Quantity::new(i64::from(quantity)).unwrap(),
        weight_grams: 100,
    })
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        prop::collection::vec(0_usize..3, 1..3).prop_map(|c| Target::Categories(c.into_iter().map(category).collect())),
        prop::collection::vec(0_usize..6, 1..3).prop_map(|p| Target::Products(
            p.into_iter().map(|p| ProductId::parse(&format!("prod_p{p}")).unwrap()).collect()
        )),
        prop::collection::vec(0_usize..6, 1..3)
            .prop_map(|p| Target::Skus(p.into_iter().map(|p| Sku::new(&format!("SKU-{p}")).unwrap()).collect())),
    ]
}

/// Amounts are drawn in minor units; one in ten is in a foreign currency, to exercise `currency_mismatch`.
fn amount(currency: Currency) -> impl Strategy<Value = Money> {
    (0_i64..50_000, 0_u8..10).prop_map(move |(minor, foreign)| {
        let c = if foreign == 0 && currency != Currency::GBP { Currency::GBP } else { currency };
        Money::from_minor(minor, c)
    })
}

fn action(currency: Currency) -> impl Strategy<Value = Action> {
    let nz = |n: u32| NonZeroU32::new(n).unwrap();
    prop_oneof![
        percentage().prop_map(|percentage| Action::OrderPercentage { percentage }),
        amount(currency).prop_map(|amount| Action::OrderAmount { amount }),
        (target(), percentage()).prop_map(|(target, percentage)| Action::ItemsPercentage { target, percentage }),
        (target(), amount(currency))
            .prop_map(|(target, amount_per_unit)| Action::ItemsAmount { target, amount_per_unit }),
        Just(Action::FreeShipping),
        (target(), 1_u32..4, target(), 1_u32..3, percentage(), prop::option::of(1_u32..4)).prop_map(
            move |(buy, x, get, y, percentage, max)| Action::BuyXGetY {
                buy,
                buy_quantity: nz(x),
                get,
                get_quantity: nz(y),
                percentage,
                max_applications: max.map(nz),
            }
        ),
    ]
}

fn condition(currency: Currency) -> impl Strategy<Value = Condition> {
    prop_oneof![
        amount(currency).prop_map(|amount| Condition::MinSubtotal { amount }),
        (prop::option::of(target()), 0_u32..30)
            .prop_map(|(target, quantity)| Condition::MinQuantity { target, quantity }),
        Just(Condition::FirstOrder),
        Just(Condition::CustomerGroups { groups: vec![CustomerGroup::new("vip").unwrap()] }),
    ]
}

fn promotion(currency: Currency) -> impl Strategy<Value = Promotion> {
    (
        action(currency),
        prop::collection::vec(condition(currency), 0..2),
        (0_u32..4, 0_u8..6, any::<[bool; 3]>(), prop::option::of(0_usize..3), 0_u8..10),
        (prop::option::of(-3_i64..3), prop::option::of(-3_i64..3), prop::option::of(0_u32..4)),
    )
        .prop_map(move |(action, conditions, (priority, exclusive, combines, code_index, enabled), dates)| {
            let (starts, ends, limit) = dates;
            let mut p = Promotion::new(promo_id("placeholder"), "generated", action);
            p.conditions = conditions;
            p.priority = priority;
            p.exclusive = exclusive == 0;
            p.combines_with = CombinesWith { order: combines[0], product: combines[1], shipping: combines[2] };
            p.code = code_index.map(|i| code(CODES[i]));
            p.enabled = enabled != 0;
            p.starts_at = starts.map(|d| now() + Duration::days(d));
            p.ends_at = ends.map(|d| now() + Duration::days(d));
            p.usage_limit = limit;
            p
        })
}

fn tax_rules() -> impl Strategy<Value = TaxRules> {
    let rule = (select(vec!["US", "US-CA", "DE", "FR"]), 0_usize..3, percentage()).prop_map(|(region, cat, rate)| {
        let category = if cat == 2 { TaxCategory::SHIPPING } else { tax_category(cat) };
        TaxRule { region: Region::parse(region).unwrap(), category, rate, name: region.to_owned() }
    });
    prop::collection::vec(rule, 0..6).prop_map(TaxRules::new)
}

fn policy() -> impl Strategy<Value = PricePolicy> {
    (any::<bool>(), any::<bool>(), select(MODES.to_vec()), prop::option::of(select(REGIONS.to_vec()))).prop_map(
        |(inclusive, unit_level, rounding, origin)| PricePolicy {
            price_mode: if inclusive { PriceMode::TaxInclusive } else { PriceMode::TaxExclusive },
            tax_rounding: if unit_level { TaxRounding::UnitPriceLevel } else { TaxRounding::LineItemLevel },
            rounding,
            origin: origin.map(|r| Region::parse(r).unwrap()),
        },
    )
}

/// A shop (store, buyer, codes, shipping) and a cart of 1–200 lines.
fn case() -> impl Strategy<Value = (Shop, Vec<LineItem>)> {
    select(CURRENCIES.to_vec()).prop_flat_map(|currency| {
        (
            prop::collection::vec(line_item(currency), 1..=200),
            (prop::collection::vec(promotion(currency), 0..=6), policy(), tax_rules()),
            prop::collection::vec(select(CODES.to_vec()), 0..4),
            (prop::option::of((0_i64..3_000, any::<bool>())), prop::option::of(select(REGIONS.to_vec()))),
            (any::<bool>(), any::<bool>(), prop::collection::vec((0_usize..6, 0_u32..5), 0..4)),
        )
            .prop_map(move |(lines, (promotions, policy, rules), codes, (shipping, destination), buyer)| {
                let (first_order, vip, usage) = buyer;
                let mut shop = Shop::new(currency);
                shop.policy = policy;
                shop.rules = rules;
                shop.promotions = promotions
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| Promotion { id: promo_id(&format!("p{i}")), ..p })
                    .collect();
                shop.codes = codes.iter().map(|c| code(c)).collect();
                shop.shipping = shipping.map(|(minor, taxed)| ShippingCharge {
                    amount: Money::from_minor(minor, currency),
                    tax_category: taxed.then_some(TaxCategory::SHIPPING),
                });
                shop.destination = destination.map(|r| Region::parse(r).unwrap());
                shop.customer = CustomerFacts {
                    customer_id: None,
                    group: vip.then(|| CustomerGroup::new("vip").unwrap()),
                    is_first_order: first_order,
                };
                shop.usage = usage
                    .iter()
                    .map(|&(i, n)| PromotionUsage {
                        promotion_id: promo_id(&format!("p{i}")),
                        total: n,
                        by_customer: n / 2,
                    })
                    .collect();
                (shop, lines)
            })
    })
}

fn sum<'a>(currency: Currency, items: impl IntoIterator<Item = &'a Money>) -> Money {
    items.into_iter().fold(Money::zero(currency), |acc, m| acc.checked_add(*m).unwrap())
}

fn sub(a: Money, b: Money) -> Money {
    a.checked_sub(b).unwrap()
}

/// Every figure of `priced` adds up, is non-negative, and is whole minor units of the cart's currency.
fn check_invariants(shop: &Shop, priced: &PricedCart) -> Result<(), TestCaseError> {
    let c = shop.currency;
    let t = &priced.totals;
    let ctx = render(priced);
    let zero = Money::zero(c);
    let shipping_total = priced.shipping.as_ref().map_or(zero, |s| s.total);
    let shipping_tax = priced.shipping.as_ref().map_or(zero, |s| s.tax);

    // Σ line totals + shipping − shipping discount (+ shipping tax, when shipping is taxed on top) == total.
    let line_totals = sum(c, priced.lines.iter().map(|l| &l.total));
    prop_assert_eq!(line_totals.checked_add(shipping_total).unwrap(), t.total, "{}", ctx);
    let on_top = if shop.policy.price_mode == PriceMode::TaxExclusive { shipping_tax } else { zero };
    let literal = line_totals.checked_add(sub(t.shipping, t.shipping_discount)).unwrap().checked_add(on_top).unwrap();
    prop_assert_eq!(literal, t.total, "{}", ctx);

    // Σ allocated discounts == Σ line discounts == order and product discounts; Σ line taxes + shipping tax == tax.
    let line_discounts = sum(c, priced.lines.iter().map(|l| &l.discount));
    prop_assert_eq!(line_discounts, t.discount, "{}", ctx);
    prop_assert_eq!(sum(c, priced.allocations.iter().map(|a| &a.amount)), t.discount, "{}", ctx);
    for (i, applied) in priced.applied.iter().enumerate() {
        let allocated = sum(c, priced.allocations.iter().filter(|a| a.promotion == i).map(|a| &a.amount));
        match applied.class {
            PromotionClass::Shipping => prop_assert_eq!(allocated, zero, "{}", ctx),
            _ => prop_assert_eq!(allocated, applied.amount, "{}", ctx),
        }
        prop_assert!(applied.amount.amount() > Decimal::ZERO, "{}", ctx);
    }
    for (i, line) in priced.lines.iter().enumerate() {
        let allocated = sum(c, priced.allocations.iter().filter(|a| a.line == i).map(|a| &a.amount));
        prop_assert_eq!(allocated, line.discount, "{}", ctx);
    }
    let shipping_discounts =
        sum(c, priced.applied.iter().filter(|a| a.class == PromotionClass::Shipping).map(|a| &a.amount));
    prop_assert_eq!(shipping_discounts, t.shipping_discount, "{}", ctx);
    let line_taxes = sum(c, priced.lines.iter().map(|l| &l.tax));
    prop_assert_eq!(line_taxes.checked_add(shipping_tax).unwrap(), t.tax, "{}", ctx);
    prop_assert_eq!(sum(c, priced.lines.iter().map(|l| &l.subtotal)), t.subtotal, "{}", ctx);

    // Nothing negative; no discount above what it discounts; each line's figures agree with each other.
    let mut figures = vec![t.subtotal, t.discount, t.shipping, t.shipping_discount, t.tax, t.total];
    for l in &priced.lines {
        figures.extend([l.subtotal, l.discount, l.net, l.tax, l.total]);
        prop_assert!(l.discount.amount() <= l.subtotal.amount(), "{}", ctx);
        prop_assert_eq!(l.unit_price.checked_mul(i64::from(l.quantity.get())).unwrap(), l.subtotal, "{}", ctx);
        prop_assert_eq!(l.net.checked_add(l.tax).unwrap(), l.total, "{}", ctx);
        match shop.policy.price_mode {
            PriceMode::TaxExclusive => {
                prop_assert_eq!(sub(l.subtotal, l.discount), l.net, "{}", ctx)
            }
            PriceMode::TaxInclusive => {
                prop_assert_eq!(sub(l.subtotal, l.discount), l.total, "{}", ctx)
            }
        }
    }
    if let Some(s) = &priced.shipping {
        figures.extend([s.amount, s.discount, s.net, s.tax, s.total]);
        prop_assert!(s.discount.amount() <= s.amount.amount(), "{}", ctx);
    }
    for m in figures {
        prop_assert!(!m.is_negative(), "negative figure {} in\n{}", m, ctx);
        prop_assert_eq!(m.currency(), c);
        prop_assert!(m.is_at_minor_unit(), "{} is finer than the minor unit", m);
    }
    Ok(())
}

/// The tax of each line, recomputed independently with `rust_decimal` for line-level rounding.
fn check_tax_oracle(shop: &Shop, priced: &PricedCart) -> Result<(), TestCaseError> {
    if shop.policy.tax_rounding != TaxRounding::LineItemLevel {
        return Ok(());
    }
    let exponent = shop.currency.exponent();
    let strategy = shop.policy.rounding.strategy();
    for line in &priced.lines {
        let r = line.tax_rate.value();
        let exact = match shop.policy.price_mode {
            PriceMode::TaxExclusive => line.net.amount() * r / Decimal::ONE_HUNDRED,
            PriceMode::TaxInclusive => line.total.amount() * r / (Decimal::ONE_HUNDRED + r),
        };
        prop_assert_eq!(line.tax.amount(), exact.round_dp_with_strategy(exponent, strategy), "{}", render(priced));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn figures_always_add_up((shop, lines) in case()) {
        let priced = shop.price(&lines);
        check_invariants(&shop, &priced)?;
        check_tax_oracle(&shop, &priced)?;
    }

    #[test]
    fn pricing_is_deterministic_whatever_the_promotion_order(
        (mut shop, lines) in case(),
        seed in any::<u64>(),
    ) {
        let first = shop.price(&lines);
        prop_assert_eq!(&shop.price(&lines), &first);
        // A deterministic shuffle of the promotions (Fisher–Yates over a xorshift sequence).
        let mut state = seed | 1;
        for i in (1..shop.promotions.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap();
            shop.promotions.swap(i, j);
        }
        prop_assert_eq!(&shop.price(&lines), &first);
    }

    /// With equal rates, a store entering gross prices and one entering net prices agree on every line's net and tax,
    /// where the gross unit price is the net one plus its rounded tax, and tax is rounded per unit with a
    /// round-to-nearest mode (the identity does not hold for `Up` and `Down`).
    #[test]
    fn inclusive_and_exclusive_agree_on_the_net(
        currency in select(CURRENCIES.to_vec()),
        rounding in select(vec![RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown]),
        rate in percentage(),
        net_lines in prop::collection::vec((0_i64..100_000, 1_u32..=20), 1..=50),
    ) {
        let mut exclusive = Shop::new(currency);
        exclusive.rules = TaxRules::new(vec![TaxRule {
            region: Region::parse("DE").unwrap(),
            category: TaxCategory::STANDARD,
            rate,
            name: "VAT".into(),
        }]);
        exclusive.destination = Some(Region::parse("DE").unwrap());
        exclusive.policy.rounding = rounding;
        exclusive.policy.tax_rounding = TaxRounding::UnitPriceLevel;
        let mut inclusive = Shop { policy: PricePolicy { price_mode: PriceMode::TaxInclusive, ..exclusive.policy.clone() }, ..Shop::new(currency) };
        inclusive.rules = exclusive.rules.clone();
        inclusive.destination = exclusive.destination.clone();

        let (n, d) = (rate.value(), Decimal::ONE_HUNDRED);
        let make = |unit: Money, quantity: u32| LineItem {
            product_id: ProductId::parse("prod_x").unwrap(),
            variant_id: VariantId::parse("var_x").unwrap(),
            sku: Sku::new("X").unwrap(),
            name: "x".into(),
            category: Category::BASIC,
            tax_category: TaxCategory::STANDARD,
            unit_price: unit,
            quantity: Quantity::new(i64::from(quantity)).unwrap(),
            weight_grams: 1,
        };
        let mut net = Vec::new();
        let mut gross = Vec::new();
        for &(minor, quantity) in &net_lines {
            let unit = Money::from_minor(minor, currency);
            let unit_tax = Money::new(unit.amount() * n / d, currency).round(rounding);
            net.push(make(unit, quantity));
            gross.push(make(unit.checked_add(unit_tax).unwrap(), quantity));
        }
        let a = exclusive.price(&net);
        let b = inclusive.price(&gross);
        for (x, y) in a.lines.iter().zip(&b.lines) {
            prop_assert_eq!(x.net, y.net);
            prop_assert_eq!(x.tax, y.tax);
            prop_assert_eq!(x.total, y.total);
        }
        prop_assert_eq!(a.totals.tax, b.totals.tax);
        prop_assert_eq!(a.totals.total, b.totals.total);
    }
}

/// The generator reaches every kind of outcome, so the properties above are not vacuously true.
#[test]
fn generated_cases_reach_every_outcome() {
    use std::collections::BTreeSet;

    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let mut classes = BTreeSet::new();
    let mut reasons = BTreeSet::new();
    let (mut leftover_units, mut taxed_lines, mut zero_totals) = (0, 0, 0);
    for _ in 0..600 {
        let (shop, lines) = strategy.new_tree(&mut runner).unwrap().current();
        let priced = shop.price(&lines);
        classes.extend(priced.applied.iter().map(|a| a.class));
        reasons.extend(priced.not_applied.iter().map(|n| n.reason));
        taxed_lines += priced.lines.iter().filter(|l| !l.tax.is_zero()).count();
        zero_totals += usize::from(priced.totals.total.is_zero());
        // An order-level allocation that needed the largest-remainder step: some share is not proportional.
        leftover_units += priced
            .applied
            .iter()
            .enumerate()
            .filter(|(_, a)| a.class == PromotionClass::Order)
            .filter(|(i, _)| priced.allocations.iter().filter(|al| al.promotion == *i).count() > 1)
            .count();
    }
    assert_eq!(classes.len(), 3, "applied classes: {classes:?}");
    assert!(reasons.len() >= 12, "reasons reached: {reasons:?}");
    assert!(taxed_lines > 1_000, "taxed lines: {taxed_lines}");
    assert!(leftover_units > 50, "order allocations over several lines: {leftover_units}");
    assert!(zero_totals > 0, "no cart was discounted to zero");
}
