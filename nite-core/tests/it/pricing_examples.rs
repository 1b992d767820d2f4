//! Worked examples, each checked by hand against the source cited above it.

use expect_test::{Expect, expect};
use nite_core::pricing::{LineItem, ShippingCharge};
use nite_core::promotion::{Action, Promotion};
use nite_core::tax::{PriceMode, Region, TaxRounding};
use nite_core::{Category, Currency, Quantity, RoundingMode, seed};

use crate::fixture::{Shop, line, money, pct, promo_id, render};

fn check(shop: &Shop, lines: &[LineItem], expect: Expect) {
    expect.assert_eq(&render(&shop.price(lines)));
}

// commercetools documentation, "Tax rounding" (Carts API, `taxRoundingMode` / `taxCalculationMode`): a line of
// 3 × 1.08 at 19 %: line-item level 3.24 × 0.19 = 0.6156 → 0.62, total 3.86; unit-price level 1.08 × 0.19 = 0.2052
// → 0.21, × 3 = 0.63, total 3.87.
#[test]
fn commercetools_line_item_level() {
    let shop = Shop::new(Currency::EUR).taxed("DE", "19");
    let lines = [line("a", &Category::BASIC, money("1.08", Currency::EUR), 3)];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 3 x 1.08 = 3.24 - 0.00 = net 3.24 + tax 0.62 (19%) = 3.86
            totals: subtotal 3.24 discount 0.00 shipping 0.00 - 0.00 tax 0.62 total 3.86 EUR
        "#]],
    );
}

#[test]
fn commercetools_unit_price_level() {
    let mut shop = Shop::new(Currency::EUR).taxed("DE", "19");
    shop.policy.tax_rounding = TaxRounding::UnitPriceLevel;
    let lines = [line("a", &Category::BASIC, money("1.08", Currency::EUR), 3)];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 3 x 1.08 = 3.24 - 0.00 = net 3.24 + tax 0.63 (19%) = 3.87
            totals: subtotal 3.24 discount 0.00 shipping 0.00 - 0.00 tax 0.63 total 3.87 EUR
        "#]],
    );
}

// Japan, National Tax Agency: consumption tax 10 % (standard rate since 2019-10-01); prices are shown tax-inclusive
// (総額表示, mandatory since 2021-04-01); the yen has no minor unit (ISO 4217 exponent 0) and fractions of a yen of
// tax are commonly truncated. A ¥500 coupon over ¥6,238 of goods: 500 × 5940 / 6238 = 476.11 and
// 500 × 298 / 6238 = 23.89, so the leftover yen goes to the second line (remainder .89 > .11): 476 + 24.
// Tax inside ¥5,464: 5464 × 10 / 110 = 496.7 → 496; inside ¥274: 24.9 → 24.
#[test]
fn jpy_tax_inclusive_with_coupon() {
    let mut shop = Shop::new(Currency::JPY).taxed("JP", "10");
    shop.policy.price_mode = PriceMode::TaxInclusive;
    shop.policy.rounding = RoundingMode::Down;
    shop.promotions = vec![Promotion::new(
        promo_id("yen500"),
        "¥500 off",
        Action::OrderAmount { amount: money("500", Currency::JPY) },
    )];
    let lines = [
        line("a", &Category::PRO, money("1980", Currency::JPY), 3),
        line("b", &Category::BASIC, money("298", Currency::JPY), 1),
    ];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 3 x 1980 = 5940 - 476 = net 4968 + tax 496 (10%) = 5464
            line 1: 1 x 298 = 298 - 24 = net 250 + tax 24 (10%) = 274
            totals: subtotal 6238 discount 500 shipping 0 - 0 tax 520 total 5738 JPY
            applied: promo_yen500 500 [0:476 1:24]
        "#]],
    );
}

// Bahrain, National Bureau for Revenue: VAT 10 % (since 2022-01-01); the Bahraini dinar has three decimals (ISO 4217
// exponent 3). 3 × 2.345 = 7.035; 7.035 × 0.10 = 0.7035, a tie: half-even → 0.704 (4 is even), half-down → 0.703.
#[test]
fn three_decimal_currency() {
    let mut shop = Shop::new(Currency::BHD).taxed("BH", "10");
    let lines = [line("a", &Category::PRO, money("2.345", Currency::BHD), 3)];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 3 x 2.345 = 7.035 - 0.000 = net 7.035 + tax 0.704 (10%) = 7.739
            totals: subtotal 7.035 discount 0.000 shipping 0.000 - 0.000 tax 0.704 total 7.739 BHD
        "#]],
    );
    shop.policy.rounding = RoundingMode::HalfDown;
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 3 x 2.345 = 7.035 - 0.000 = net 7.035 + tax 0.703 (10%) = 7.738
            totals: subtotal 7.035 discount 0.000 shipping 0.000 - 0.000 tax 0.703 total 7.738 BHD
        "#]],
    );
}

// Largest remainder (Hamilton's method) on the smallest case the issue names: 33.33 % off three lines of 0.01.
// The order discount is round(0.03 × 0.3333) = round(0.009999) = 0.01; each line's exact share is 0.00333…, the
// remainders tie, and the one cent goes to the first line. The lines still add up: 0.00 + 0.01 + 0.01 = 0.02.
#[test]
fn a_third_off_three_cents() {
    let mut shop = Shop::new(Currency::USD);
    shop.promotions =
        vec![Promotion::new(promo_id("third"), "33.33 % off", Action::OrderPercentage { percentage: pct("33.33") })];
    let cent = money("0.01", Currency::USD);
    let lines = [
        line("a", &Category::BASIC, cent, 1),
        line("b", &Category::BASIC, cent, 1),
        line("c", &Category::BASIC, cent, 1),
    ];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 1 x 0.01 = 0.01 - 0.01 = net 0.00 + tax 0.00 (0%) = 0.00
            line 1: 1 x 0.01 = 0.01 - 0.00 = net 0.01 + tax 0.00 (0%) = 0.01
            line 2: 1 x 0.01 = 0.01 - 0.00 = net 0.01 + tax 0.00 (0%) = 0.01
            totals: subtotal 0.03 discount 0.01 shipping 0.00 - 0.00 tax 0.00 total 0.02 USD
            applied: promo_third 0.01 [0:0.01]
        "#]],
    );
}

// IEEE 754-2008 §4.3.1 and §4.3.3: roundTiesToEven versus roundTiesToAway. At 10 % tax, 0.25 → 0.025 and
// 1.05 → 0.105 are both ties: half-even gives 0.02 and 0.10, half-up gives 0.03 and 0.11.
#[test]
fn half_even_and_half_up_differ() {
    let mut shop = Shop::new(Currency::USD).taxed("US-WA", "10");
    let lines = [
        line("a", &Category::BASIC, money("0.25", Currency::USD), 1),
        line("b", &Category::BASIC, money("1.05", Currency::USD), 1),
    ];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 1 x 0.25 = 0.25 - 0.00 = net 0.25 + tax 0.02 (10%) = 0.27
            line 1: 1 x 1.05 = 1.05 - 0.00 = net 1.05 + tax 0.10 (10%) = 1.15
            totals: subtotal 1.30 discount 0.00 shipping 0.00 - 0.00 tax 0.12 total 1.42 USD
        "#]],
    );
    shop.policy.rounding = RoundingMode::HalfUp;
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 1 x 0.25 = 0.25 - 0.00 = net 0.25 + tax 0.03 (10%) = 0.28
            line 1: 1 x 1.05 = 1.05 - 0.00 = net 1.05 + tax 0.11 (10%) = 1.16
            totals: subtotal 1.30 discount 0.00 shipping 0.00 - 0.00 tax 0.14 total 1.44 USD
        "#]],
    );
}

// The NitePutter seed (nite_core::seed): 2 × Pro (on sale at 89.99) and 1 × Basic (49.99), code NITE10, 9.95
// shipping to California (7.25 % sales tax on goods, shipping untaxed). By priority: buy 2 Pro get a Basic free takes
// 49.99; NITE10 takes 10 % of the 179.98 left = 18.00, all on the Pro line; free shipping from $100 takes the 9.95.
// Tax: (179.98 − 18.00) × 0.0725 = 11.74355 → 11.74.
#[test]
fn niteputter_cart() {
    let catalog = seed::niteputter();
    let (basic, pro) = (&catalog.products[0], &catalog.products[1]);
    let mut shop = Shop::new(Currency::USD);
    shop.rules = catalog.tax_rules.clone();
    shop.destination = Some(Region::parse("US-CA").unwrap());
    shop.promotions = catalog.promotions.clone();
    shop.codes = vec![crate::fixture::code("nite10")];
    shop.shipping = Some(ShippingCharge { amount: money("9.95", Currency::USD), tax_category: None });
    let lines = [
        LineItem::snapshot(pro, &pro.variants[0], Quantity::new(2).unwrap()),
        LineItem::snapshot(basic, &basic.variants[0], Quantity::ONE),
    ];
    check(
        &shop,
        &lines,
        expect![[r#"
            line 0: 2 x 89.99 = 179.98 - 18.00 = net 161.98 + tax 11.74 (7.25%) = 173.72
            line 1: 1 x 49.99 = 49.99 - 49.99 = net 0.00 + tax 0.00 (7.25%) = 0.00
            shipping: 9.95 - 9.95 = net 0.00 + tax 0.00 = 0.00
            totals: subtotal 229.97 discount 67.99 shipping 9.95 - 9.95 tax 11.74 total 173.72 USD
            applied: promo_pro2basic 49.99 [1:49.99]
            applied: promo_nite10 18.00 [0:18.00]
            applied: promo_freeship100 9.95 []
        "#]],
    );
}

// The engine takes up to MAX_LINES lines, exactly: 10,000 lines of 1 × 0.01 at 19 % are 100.00 and no tax
// (0.0019 → 0.00 on each line: tax is rounded per line, so none); one more line is refused, naming the count.
#[test]
fn the_most_lines_price_exactly_and_one_more_is_refused() {
    use nite_core::pricing::{MAX_LINES, PricingError};
    let shop = Shop::new(Currency::USD).taxed("DE", "19");
    let cent = line("cent", &Category::BASIC, money("0.01", Currency::USD), 1);
    let mut lines = vec![cent; MAX_LINES];
    let priced = shop.price(&lines);
    assert_eq!(priced.lines.len(), 10_000);
    assert_eq!(priced.totals.subtotal, money("100.00", Currency::USD));
    assert_eq!(priced.totals.tax, money("0.00", Currency::USD));
    assert_eq!(priced.totals.total, money("100.00", Currency::USD));
    lines.push(lines[0].clone());
    assert!(matches!(shop.try_price(&lines), Err(PricingError::TooManyLines { count: 10_001 })));
}
