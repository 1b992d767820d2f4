//! Promotion rules: each condition's reason code, stacking, exclusivity, and buy X get Y.

use std::num::NonZeroU32;

use expect_test::expect;
use nite_core::pricing::ShippingCharge;
use nite_core::promotion::{Action, CombinesWith, Condition, NotAppliedReason, Promotion, PromotionUsage, Target};
use nite_core::{Category, Currency, CustomerGroup, CustomerId, Money};
use time::Duration;

use crate::fixture::{Shop, code, line, money, now, pct, promo_id, render};

fn usd(amount: &str) -> Money {
    money(amount, Currency::USD)
}

fn ten_percent(name: &str) -> Promotion {
    Promotion::new(promo_id(name), name, Action::OrderPercentage { percentage: pct("10") })
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// The reasons `shop` gives for each promotion that did not apply, as `id-or-code reason`.
fn reasons(shop: &Shop) -> Vec<String> {
    let lines = [line("pro", &Category::PRO, usd("50.00"), 2), line("basic", &Category::BASIC, usd("20.00"), 1)];
    shop.price(&lines)
        .not_applied
        .iter()
        .map(|n| {
            let who = n.promotion_id.as_ref().map_or_else(|| n.code.as_ref().unwrap().to_string(), |id| id.to_string());
            format!("{who} {}", n.reason)
        })
        .collect()
}

fn only_reason(shop: &Shop) -> NotAppliedReason {
    let lines = [line("pro", &Category::PRO, usd("50.00"), 2), line("basic", &Category::BASIC, usd("20.00"), 1)];
    let priced = shop.price(&lines);
    assert!(priced.applied.is_empty(), "{}", render(&priced));
    assert_eq!(priced.not_applied.len(), 1, "{}", render(&priced));
    priced.not_applied[0].reason
}

fn shop_with(promotion: Promotion) -> Shop {
    let mut shop = Shop::new(Currency::USD);
    shop.promotions = vec![promotion];
    shop
}

/// Changes a promotion and its shop so that exactly one condition fails.
type Setup = dyn Fn(&mut Promotion, &mut Shop);

#[test]
fn each_condition_says_why() {
    use NotAppliedReason as R;
    let cases: Vec<(Box<Setup>, R)> = vec![
        (Box::new(|p, _| p.enabled = false), R::Disabled),
        (Box::new(|p, _| p.starts_at = Some(now() + Duration::seconds(1))), R::NotStarted),
        (Box::new(|p, _| p.ends_at = Some(now())), R::Expired),
        (
            Box::new(|p, s| {
                p.usage_limit = Some(3);
                s.usage = vec![PromotionUsage { promotion_id: p.id.clone(), total: 3, by_customer: 0 }];
            }),
            R::UsageLimitReached,
        ),
        (
            Box::new(|p, s| {
                p.usage_limit_per_customer = Some(1);
                s.usage = vec![PromotionUsage { promotion_id: p.id.clone(), total: 9, by_customer: 1 }];
            }),
            R::CustomerUsageLimitReached,
        ),
        (Box::new(|p, _| p.conditions = vec![Condition::MinSubtotal { amount: usd("120.01") }]), R::MinSubtotalNotMet),
        (
            Box::new(|p, _| p.conditions = vec![Condition::MinSubtotal { amount: money("1", Currency::EUR) }]),
            R::CurrencyMismatch,
        ),
        (
            Box::new(|p, _| {
                let target = Some(Target::Categories(vec![Category::PRO]));
                p.conditions = vec![Condition::MinQuantity { target, quantity: 3 }];
            }),
            R::MinQuantityNotMet,
        ),
        (
            Box::new(|p, s| {
                p.conditions = vec![Condition::FirstOrder];
                s.customer.is_first_order = false;
            }),
            R::NotFirstOrder,
        ),
        (
            Box::new(|p, s| {
                p.conditions = vec![Condition::CustomerGroups { groups: vec![CustomerGroup::new("vip").unwrap()] }];
                s.customer.group = Some(CustomerGroup::new("regular").unwrap());
            }),
            R::CustomerGroupMismatch,
        ),
        (
            Box::new(|p, _| {
                p.action = Action::ItemsPercentage {
                    target: Target::Categories(vec![Category::COMPLETE]),
                    percentage: pct("10"),
                }
            }),
            R::NoMatchingItems,
        ),
        (Box::new(|p, _| p.action = Action::FreeShipping), R::ShippingNotSelected),
        (
            Box::new(|p, s| {
                p.action = Action::FreeShipping;
                s.shipping = Some(ShippingCharge { amount: usd("0.00"), tax_category: None });
            }),
            R::NothingToDiscount,
        ),
        (Box::new(|p, _| p.action = Action::OrderAmount { amount: usd("0.001") }), R::Misconfigured),
        (Box::new(|p, _| p.action = Action::OrderAmount { amount: money("5", Currency::GBP) }), R::CurrencyMismatch),
    ];
    for (i, (setup, expected)) in cases.into_iter().enumerate() {
        let mut promotion = ten_percent("case");
        let mut shop = Shop::new(Currency::USD);
        setup(&mut promotion, &mut shop);
        shop.promotions = vec![promotion];
        assert_eq!(only_reason(&shop), expected, "case {i}");
    }
}

#[test]
fn conditions_that_hold_apply() {
    let mut p = ten_percent("ok");
    p.starts_at = Some(now());
    p.ends_at = Some(now() + Duration::seconds(1));
    p.usage_limit = Some(3);
    p.usage_limit_per_customer = Some(1);
    p.conditions = vec![
        Condition::MinSubtotal { amount: usd("120.00") },
        Condition::MinQuantity { target: None, quantity: 3 },
        Condition::FirstOrder,
        Condition::CustomerGroups { groups: vec![CustomerGroup::new("vip").unwrap()] },
    ];
    let mut shop = shop_with(p);
    shop.usage = vec![PromotionUsage { promotion_id: promo_id("ok"), total: 2, by_customer: 0 }];
    shop.customer.customer_id = Some(CustomerId::parse("cus_1").unwrap());
    shop.customer.group = Some(CustomerGroup::new("vip").unwrap());
    assert_eq!(reasons(&shop), Vec::<String>::new());
}

#[test]
fn codes_are_matched_case_insensitively_and_unknown_ones_reported_once() {
    let mut p = ten_percent("coded");
    p.code = Some(code("SAVE10"));
    let mut shop = shop_with(p);
    shop.codes = vec![code("nope"), code("save10"), code("NOPE")];
    let lines = [line("pro", &Category::PRO, usd("50.00"), 2)];
    expect![[r#"
        line 0: 2 x 50.00 = 100.00 - 10.00 = net 90.00 + tax 0.00 (0%) = 90.00
        totals: subtotal 100.00 discount 10.00 shipping 0.00 - 0.00 tax 0.00 total 90.00 USD
        applied: promo_coded 10.00 [0:10.00]
        not applied: NOPE code_unknown
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
    // A coded promotion whose code was not entered is neither applied nor reported.
    shop.codes.clear();
    assert_eq!(reasons(&shop), Vec::<String>::new());
}

#[test]
fn stacking_follows_priority_and_combines_with() {
    let mut shop = Shop::new(Currency::USD);
    let mut order = ten_percent("order");
    order.priority = 2;
    order.combines_with = CombinesWith { order: true, product: false, shipping: true };
    let mut product = Promotion::new(
        promo_id("product"),
        "20 % off Pro",
        Action::ItemsPercentage { target: Target::Categories(vec![Category::PRO]), percentage: pct("20") },
    );
    product.priority = 1;
    shop.promotions = vec![order.clone(), product.clone()];
    // The product promotion runs first; the order promotion refuses to follow a product one.
    assert_eq!(reasons(&shop), ["promo_order not_combinable"]);
    // Swap the priorities: the order promotion would run first and refuse the product one, but 20 % off the Pro
    // lines (20.00) is worth more to the shopper than 10 % off the order (12.00): the shopper gets the better one.
    order.priority = 1;
    product.priority = 2;
    shop.promotions = vec![product.clone(), order.clone()];
    assert_eq!(reasons(&shop), ["promo_order not_combinable"]);
    // Both sides must agree to combine: the product one allowing it is not enough.
    product.combines_with = CombinesWith::ALL;
    shop.promotions = vec![product, order];
    assert_eq!(reasons(&shop), ["promo_order not_combinable"]);
}

#[test]
fn exclusive_promotions_stand_alone() {
    let mut shop = Shop::new(Currency::USD);
    let mut vip = ten_percent("vip");
    vip.exclusive = true;
    vip.priority = 5;
    let mut a = ten_percent("a");
    a.priority = 1;
    let mut c = ten_percent("c");
    c.priority = 9;
    shop.promotions = vec![c.clone(), vip.clone(), a.clone()];
    // `a` ran first, so the exclusive one is refused; `c` still combines with `a`.
    assert_eq!(reasons(&shop), ["promo_vip not_combinable"]);
    // Run first, the exclusive one would shut `a` and `c` out; but the two together take more off than it alone,
    // so the shopper gets them.
    vip.priority = 0;
    shop.promotions = vec![c.clone(), vip.clone(), a.clone()];
    assert_eq!(reasons(&shop), ["promo_vip not_combinable"]);
    // Worth more than both, the exclusive one stands alone.
    vip.action = Action::OrderPercentage { percentage: pct("25") };
    shop.promotions = vec![c, vip, a];
    assert_eq!(reasons(&shop), ["promo_a not_combinable", "promo_c not_combinable"]);
}

#[test]
fn equal_priorities_are_broken_by_id_whatever_the_input_order() {
    let mut shop = Shop::new(Currency::USD);
    let mut b = Promotion::new(promo_id("b"), "5 off", Action::OrderAmount { amount: usd("5.00") });
    b.exclusive = true;
    let mut a = ten_percent("a");
    a.exclusive = true;
    shop.promotions = vec![b.clone(), a.clone()];
    let first = shop.price(&[line("pro", &Category::PRO, usd("50.00"), 1)]);
    shop.promotions = vec![a, b];
    let second = shop.price(&[line("pro", &Category::PRO, usd("50.00"), 1)]);
    assert_eq!(first, second);
    assert_eq!(first.applied[0].promotion_id, promo_id("a"));
}

#[test]
fn sequential_discounts_work_on_what_is_left() {
    let mut shop = Shop::new(Currency::USD);
    let mut first = ten_percent("first");
    first.priority = 1;
    let mut huge = Promotion::new(promo_id("huge"), "500 off", Action::OrderAmount { amount: usd("500.00") });
    huge.priority = 200;
    shop.promotions = vec![huge, first, ten_percent("second")];
    let lines = [line("pro", &Category::PRO, usd("50.00"), 2)];
    // 10 % of 100 = 10; 10 % of 90 = 9; then 500 off is capped at the 81 left, and the line ends at zero.
    expect![[r#"
        line 0: 2 x 50.00 = 100.00 - 100.00 = net 0.00 + tax 0.00 (0%) = 0.00
        totals: subtotal 100.00 discount 100.00 shipping 0.00 - 0.00 tax 0.00 total 0.00 USD
        applied: promo_first 10.00 [0:10.00]
        applied: promo_second 9.00 [0:9.00]
        applied: promo_huge 81.00 [0:81.00]
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
}

#[test]
fn fixed_amount_off_each_unit_is_capped_by_the_line() {
    let shop = shop_with(Promotion::new(
        promo_id("each"),
        "15 off each Basic",
        Action::ItemsAmount { target: Target::Categories(vec![Category::BASIC]), amount_per_unit: usd("15.00") },
    ));
    let lines = [
        line("basic", &Category::BASIC, usd("20.00"), 3),
        line("cheap", &Category::BASIC, usd("10.00"), 2),
        line("pro", &Category::PRO, usd("50.00"), 1),
    ];
    expect![[r#"
        line 0: 3 x 20.00 = 60.00 - 45.00 = net 15.00 + tax 0.00 (0%) = 15.00
        line 1: 2 x 10.00 = 20.00 - 20.00 = net 0.00 + tax 0.00 (0%) = 0.00
        line 2: 1 x 50.00 = 50.00 - 0.00 = net 50.00 + tax 0.00 (0%) = 50.00
        totals: subtotal 130.00 discount 65.00 shipping 0.00 - 0.00 tax 0.00 total 65.00 USD
        applied: promo_each 65.00 [0:45.00 1:20.00]
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
}

fn buy_get(buy: Category, x: u32, get: Category, y: u32, max: Option<u32>) -> Promotion {
    Promotion::new(
        promo_id("bxgy"),
        "buy x get y",
        Action::BuyXGetY {
            buy: Target::Categories(vec![buy]),
            buy_quantity: nz(x),
            get: Target::Categories(vec![get]),
            get_quantity: nz(y),
            percentage: pct("100"),
            max_applications: max.map(nz),
        },
    )
}

#[test]
fn buy_two_pro_get_a_basic_free() {
    let shop = shop_with(buy_get(Category::PRO, 2, Category::BASIC, 1, None));
    let lines = [
        line("pro", &Category::PRO, usd("89.99"), 5),
        line("basic", &Category::BASIC, usd("49.99"), 1),
        line("basic2", &Category::BASIC, usd("39.99"), 3),
    ];
    // 5 Pro make two applications; the two cheapest Basics are free.
    expect![[r#"
        line 0: 5 x 89.99 = 449.95 - 0.00 = net 449.95 + tax 0.00 (0%) = 449.95
        line 1: 1 x 49.99 = 49.99 - 0.00 = net 49.99 + tax 0.00 (0%) = 49.99
        line 2: 3 x 39.99 = 119.97 - 79.98 = net 39.99 + tax 0.00 (0%) = 39.99
        totals: subtotal 619.91 discount 79.98 shipping 0.00 - 0.00 tax 0.00 total 539.93 USD
        applied: promo_bxgy 79.98 [2:79.98]
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
    let only_pro = [line("pro", &Category::PRO, usd("89.99"), 2)];
    assert_eq!(shop.price(&only_pro).not_applied[0].reason, NotAppliedReason::NoMatchingItems);
    let one_pro = [line("pro", &Category::PRO, usd("89.99"), 1), line("basic", &Category::BASIC, usd("49.99"), 1)];
    assert_eq!(shop.price(&one_pro).not_applied[0].reason, NotAppliedReason::NoMatchingItems);
}

#[test]
fn buy_x_get_y_within_one_category_never_gives_a_bought_unit() {
    // Buy 2 get 1 free on Pro; 7 units across three prices: the six dearest make two applications, buying the four
    // dearest and giving the next two, the cheapest in reach; the seventh unit is left alone.
    let shop = shop_with(buy_get(Category::PRO, 2, Category::PRO, 1, None));
    let lines = [
        line("p30", &Category::PRO, usd("30.00"), 2),
        line("p10", &Category::PRO, usd("10.00"), 3),
        line("p20", &Category::PRO, usd("20.00"), 2),
    ];
    expect![[r#"
        line 0: 2 x 30.00 = 60.00 - 0.00 = net 60.00 + tax 0.00 (0%) = 60.00
        line 1: 3 x 10.00 = 30.00 - 20.00 = net 10.00 + tax 0.00 (0%) = 10.00
        line 2: 2 x 20.00 = 40.00 - 0.00 = net 40.00 + tax 0.00 (0%) = 40.00
        totals: subtotal 130.00 discount 20.00 shipping 0.00 - 0.00 tax 0.00 total 110.00 USD
        applied: promo_bxgy 20.00 [1:20.00]
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
    // Three units of one line make exactly one application; two make none.
    let three = [line("p", &Category::PRO, usd("10.00"), 3)];
    assert_eq!(shop.price(&three).totals.discount, usd("10.00"));
    let two = [line("p", &Category::PRO, usd("10.00"), 2)];
    assert_eq!(shop.price(&two).not_applied[0].reason, NotAppliedReason::NoMatchingItems);
}

#[test]
fn buy_x_get_y_respects_max_applications() {
    let shop = shop_with(buy_get(Category::PRO, 1, Category::BASIC, 1, Some(2)));
    let lines = [line("pro", &Category::PRO, usd("50.00"), 9), line("basic", &Category::BASIC, usd("20.00"), 9)];
    assert_eq!(shop.price(&lines).totals.discount, usd("40.00"));
}

#[test]
fn free_shipping_waives_the_charge_and_its_tax() {
    let mut shop = shop_with(Promotion::new(promo_id("ship"), "free shipping", Action::FreeShipping)).taxed("DE", "19");
    shop.rules = nite_core::tax::TaxRules::new(vec![
        crate::fixture::rule("DE", "19"),
        nite_core::tax::TaxRule { category: nite_core::TaxCategory::SHIPPING, ..crate::fixture::rule("DE", "7") },
    ]);
    shop.shipping = Some(ShippingCharge { amount: usd("4.99"), tax_category: Some(nite_core::TaxCategory::SHIPPING) });
    let lines = [line("basic", &Category::BASIC, usd("20.00"), 1)];
    expect![[r#"
        line 0: 1 x 20.00 = 20.00 - 0.00 = net 20.00 + tax 3.80 (19%) = 23.80
        shipping: 4.99 - 4.99 = net 0.00 + tax 0.00 = 0.00
        totals: subtotal 20.00 discount 0.00 shipping 4.99 - 4.99 tax 3.80 total 23.80 USD
        applied: promo_ship 4.99 []
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
    // Without the promotion the shipping charge is taxed at its own rate: 4.99 × 7 % = 0.3493 → 0.35.
    shop.promotions.clear();
    expect![[r#"
        line 0: 1 x 20.00 = 20.00 - 0.00 = net 20.00 + tax 3.80 (19%) = 23.80
        shipping: 4.99 - 0.00 = net 4.99 + tax 0.35 = 5.34
        totals: subtotal 20.00 discount 0.00 shipping 4.99 - 0.00 tax 4.15 total 29.14 USD
    "#]]
    .assert_eq(&render(&shop.price(&lines)));
}

/// A code created the way the old admin defaults made it (priority 0, combining with nothing) never makes the cart
/// dearer: if it would knock out automatic promotions worth more, the cart is priced without it, and it says why.
#[test]
fn a_code_never_costs_the_shopper_money() {
    let mut shop = Shop::new(Currency::USD);
    let mut pro_sale = Promotion::new(
        promo_id("prosale"),
        "25 % off Pro",
        Action::ItemsPercentage { target: Target::Categories(vec![Category::PRO]), percentage: pct("25") },
    );
    pro_sale.priority = 10;
    let mut five = Promotion::new(promo_id("five"), "5 off", Action::OrderAmount { amount: usd("5.00") });
    five.code = Some(code("FIVE"));
    five.priority = 0;
    five.combines_with = CombinesWith::NONE;
    shop.promotions = vec![pro_sale, five];
    let lines = [line("pro", &Category::PRO, usd("50.00"), 2), line("basic", &Category::BASIC, usd("20.00"), 1)];
    let without = shop.price(&lines).totals.total;
    shop.codes = vec![code("FIVE")];
    let with = shop.price(&lines);
    assert_eq!(with.totals.total, without, "{}", render(&with));
    assert_eq!(reasons(&shop), ["promo_five not_combinable"]);
    // Where the code is worth more, it wins and the automatic promotion says why it did not apply.
    shop.promotions[1].action = Action::OrderAmount { amount: usd("40.00") };
    let better = shop.price(&lines);
    assert_eq!(better.totals.total, usd("80.00"), "{}", render(&better));
    assert_eq!(reasons(&shop), ["promo_prosale not_combinable"]);
}
