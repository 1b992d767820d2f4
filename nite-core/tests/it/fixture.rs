//! Builders for carts and shops, and a compact rendering of a priced cart for `expect!` snapshots.

use std::fmt::Write;

use nite_core::catalog::Sku;
use nite_core::pricing::{
    CustomerFacts, LineItem, PricePolicy, PricedCart, PricingCart, PricingContext, PricingError, ShippingCharge, price,
};
use nite_core::promotion::{DiscountCode, Promotion, PromotionUsage};
use nite_core::tax::{Region, TaxRule, TaxRules};
use nite_core::{Category, Currency, Money, Percentage, ProductId, PromotionId, Quantity, TaxCategory, VariantId};
use rust_decimal::Decimal;
use time::OffsetDateTime;

/// 2026-06-01T12:00:00Z: the instant every fixture prices at.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_315_200).unwrap()
}

pub(crate) fn money(amount: &str, currency: Currency) -> Money {
    Money::parse(amount, currency).unwrap()
}

pub(crate) fn pct(value: &str) -> Percentage {
    Percentage::new(value.parse::<Decimal>().unwrap()).unwrap()
}

/// A line of `quantity` × `unit` of product `product` (category `category`), taxed as `standard`.
pub(crate) fn line(product: &str, category: &Category, unit: Money, quantity: u32) -> LineItem {
    LineItem {
        product_id: ProductId::parse(&format!("prod_{product}")).unwrap(),
        variant_id: VariantId::parse(&format!("var_{product}")).unwrap(),
        sku: Sku::new(&product.to_uppercase()).unwrap(),
        name: product.to_owned(),
        category: category.clone(),
        tax_category: TaxCategory::STANDARD,
        unit_price: unit,
        quantity: Quantity::new(i64::from(quantity)).unwrap(),
        weight_grams: 100,
    }
}

pub(crate) fn promo_id(name: &str) -> PromotionId {
    PromotionId::parse(&format!("promo_{name}")).unwrap()
}

pub(crate) fn code(text: &str) -> DiscountCode {
    DiscountCode::new(text).unwrap()
}

/// One rule taxing `standard` goods in `region` at `rate` %.
pub(crate) fn rule(region: &str, rate: &str) -> TaxRule {
    TaxRule {
        region: Region::parse(region).unwrap(),
        category: TaxCategory::STANDARD,
        rate: pct(rate),
        name: format!("{region} tax"),
    }
}

/// A store and a buyer, ready to price lines.
#[derive(Debug)]
pub(crate) struct Shop {
    pub(crate) currency: Currency,
    pub(crate) policy: PricePolicy,
    pub(crate) rules: TaxRules,
    pub(crate) promotions: Vec<Promotion>,
    pub(crate) usage: Vec<PromotionUsage>,
    pub(crate) codes: Vec<DiscountCode>,
    pub(crate) shipping: Option<ShippingCharge>,
    pub(crate) destination: Option<Region>,
    pub(crate) customer: CustomerFacts,
}

impl Shop {
    pub(crate) fn new(currency: Currency) -> Shop {
        Shop {
            currency,
            policy: PricePolicy::default(),
            rules: TaxRules::none(),
            promotions: Vec::new(),
            usage: Vec::new(),
            codes: Vec::new(),
            shipping: None,
            destination: None,
            customer: CustomerFacts::guest(),
        }
    }

    /// Taxes `standard` goods at `rate` % in `region`, and ships there.
    pub(crate) fn taxed(mut self, region: &str, rate: &str) -> Shop {
        self.rules = TaxRules::new(vec![rule(region, rate)]);
        self.destination = Some(Region::parse(region).unwrap());
        self
    }

    pub(crate) fn try_price(&self, lines: &[LineItem]) -> Result<PricedCart, PricingError> {
        let cart = PricingCart {
            currency: self.currency,
            lines,
            codes: &self.codes,
            shipping: self.shipping.as_ref(),
            destination: self.destination.as_ref(),
            customer: &self.customer,
        };
        let ctx = PricingContext {
            policy: &self.policy,
            tax_rules: &self.rules,
            promotions: &self.promotions,
            usage: &self.usage,
            now: now(),
        };
        price(&cart, &ctx)
    }

    pub(crate) fn price(&self, lines: &[LineItem]) -> PricedCart {
        self.try_price(lines).unwrap()
    }
}

/// One line per figure, amounts without the currency, for snapshots that read like a receipt.
pub(crate) fn render(priced: &PricedCart) -> String {
    let mut out = String::new();
    for (i, l) in priced.lines.iter().enumerate() {
        writeln!(
            out,
            "line {i}: {} x {} = {} - {} = net {} + tax {} ({}) = {}",
            l.quantity,
            l.unit_price.amount_string(),
            l.subtotal.amount_string(),
            l.discount.amount_string(),
            l.net.amount_string(),
            l.tax.amount_string(),
            l.tax_rate,
            l.total.amount_string(),
        )
        .unwrap();
    }
    if let Some(s) = &priced.shipping {
        writeln!(
            out,
            "shipping: {} - {} = net {} + tax {} = {}",
            s.amount.amount_string(),
            s.discount.amount_string(),
            s.net.amount_string(),
            s.tax.amount_string(),
            s.total.amount_string(),
        )
        .unwrap();
    }
    let t = &priced.totals;
    writeln!(
        out,
        "totals: subtotal {} discount {} shipping {} - {} tax {} total {} {}",
        t.subtotal.amount_string(),
        t.discount.amount_string(),
        t.shipping.amount_string(),
        t.shipping_discount.amount_string(),
        t.tax.amount_string(),
        t.total.amount_string(),
        priced.currency,
    )
    .unwrap();
    for (i, a) in priced.applied.iter().enumerate() {
        let lines: Vec<String> = priced
            .allocations
            .iter()
            .filter(|al| al.promotion == i)
            .map(|al| format!("{}:{}", al.line, al.amount.amount_string()))
            .collect();
        writeln!(out, "applied: {} {} [{}]", a.promotion_id, a.amount.amount_string(), lines.join(" ")).unwrap();
    }
    for n in &priced.not_applied {
        let who = match (&n.promotion_id, &n.code) {
            (Some(id), _) => id.to_string(),
            (None, Some(code)) => code.to_string(),
            (None, None) => "?".to_owned(),
        };
        writeln!(out, "not applied: {who} {}", n.reason).unwrap();
    }
    out
}
