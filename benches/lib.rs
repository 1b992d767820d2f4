//! Inputs for nite's benchmarks, built from the public API only.
//!
//! [`PricingBench`] holds a cart of any size over the NitePutter catalog with the load the issue names: three
//! promotions that apply (a product percentage, an order percentage unlocked by a code, free shipping) and tax with
//! two categories in play.

use nite_core::pricing::{CustomerFacts, LineItem, PricePolicy, PricingCart, PricingContext, ShippingCharge};
use nite_core::promotion::{Action, DiscountCode, Promotion, Target};
use nite_core::tax::{Region, TaxRule, TaxRules};
use nite_core::{Category, Currency, Money, Percentage, PromotionId, Quantity, TaxCategory, seed};
use rust_decimal::Decimal;

/// Everything `price` needs for one benchmark case, owned so the measured call only borrows.
#[derive(Debug, Clone)]
pub struct PricingBench {
    /// The cart's lines.
    pub lines: Vec<LineItem>,
    codes: Vec<DiscountCode>,
    shipping: ShippingCharge,
    destination: Region,
    customer: CustomerFacts,
    policy: PricePolicy,
    rules: TaxRules,
    promotions: Vec<Promotion>,
    now: time::OffsetDateTime,
}

fn percentage(value: i64) -> Percentage {
    Percentage::new(Decimal::from(value)).expect("benchmark percentages are in range")
}

fn id(value: &str) -> PromotionId {
    PromotionId::parse(value).expect("benchmark ids are valid")
}

impl PricingBench {
    /// A cart of `lines` lines cycling through the NitePutter variants, quantities 1 to 4, every fifth line in the
    /// `reduced` tax category.
    pub fn new(lines: usize) -> PricingBench {
        let catalog = seed::niteputter();
        let variants: Vec<_> = catalog.products.iter().flat_map(|p| p.variants.iter().map(move |v| (p, v))).collect();
        let reduced = TaxCategory::new("reduced").expect("valid label");
        let lines = (0..lines)
            .map(|i| {
                let (product, variant) = variants[i % variants.len()];
                let quantity = Quantity::new(i64::try_from(i % 4 + 1).unwrap_or(1)).expect("1 to 4");
                let mut line = LineItem::snapshot(product, variant, quantity);
                if i % 5 == 4 {
                    line.tax_category = reduced.clone();
                }
                line
            })
            .collect();

        let pro_off = Promotion::new(
            id("promo_pro15"),
            "15 % off Pro",
            Action::ItemsPercentage { target: Target::Categories(vec![Category::PRO]), percentage: percentage(15) },
        );
        let mut order_off =
            Promotion::new(id("promo_save10"), "10 % off", Action::OrderPercentage { percentage: percentage(10) });
        order_off.code = Some(DiscountCode::new("SAVE10").expect("valid code"));
        let free_shipping = Promotion::new(id("promo_ship"), "free shipping", Action::FreeShipping);

        let region = Region::parse("DE").expect("valid region");
        let rule = |category: TaxCategory, rate| TaxRule {
            region: region.clone(),
            category,
            rate: percentage(rate),
            name: "VAT".to_owned(),
        };
        PricingBench {
            lines,
            codes: vec![DiscountCode::new("SAVE10").expect("valid code")],
            shipping: ShippingCharge { amount: Money::from_minor(995, Currency::USD), tax_category: None },
            destination: region.clone(),
            customer: CustomerFacts::guest(),
            policy: PricePolicy::default(),
            rules: TaxRules::new(vec![rule(TaxCategory::STANDARD, 19), rule(reduced, 7)]),
            promotions: vec![free_shipping, order_off, pro_off],
            now: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// The cart, borrowed.
    pub fn cart(&self) -> PricingCart<'_> {
        PricingCart {
            currency: Currency::USD,
            lines: &self.lines,
            codes: &self.codes,
            shipping: Some(&self.shipping),
            destination: Some(&self.destination),
            customer: &self.customer,
        }
    }

    /// The store's side, borrowed.
    pub fn context(&self) -> PricingContext<'_> {
        PricingContext::new(&self.policy, &self.rules, &self.promotions, self.now)
    }
}
