//! `niteputter`: the NitePutter reference shop.
//!
//! The HTTP server arrives with the reference-server work; until then this binary prices the demo cart of the
//! seeded catalog and prints it as the cart endpoint will return it, so the README's first command shows nite working.

use anyhow::Context;
use nite_core::pricing::{CustomerFacts, LineItem, PricingCart, PricingContext, ShippingCharge, price};
use nite_core::promotion::DiscountCode;
use nite_core::tax::Region;
use nite_core::{Currency, Money, Quantity, seed};

fn main() -> anyhow::Result<()> {
    let catalog = seed::niteputter();
    let [basic, pro, _complete] = &catalog.products[..] else {
        anyhow::bail!("the seed catalog has three products");
    };
    let lines = [
        LineItem::snapshot(pro, &pro.variants[0], Quantity::new(2)?),
        LineItem::snapshot(basic, &basic.variants[0], Quantity::ONE),
    ];
    let codes = [DiscountCode::new("NITE10")?];
    let shipping = ShippingCharge { amount: Money::from_minor(995, Currency::USD), tax_category: None };
    let destination = Region::parse("US-CA")?;
    let customer = CustomerFacts::guest();
    let cart = PricingCart {
        currency: Currency::USD,
        lines: &lines,
        codes: &codes,
        shipping: Some(&shipping),
        destination: Some(&destination),
        customer: &customer,
    };
    let policy = Default::default();
    let ctx = PricingContext::new(&policy, &catalog.tax_rules, &catalog.promotions, time::OffsetDateTime::now_utc());
    let priced = price(&cart, &ctx).context("pricing the demo cart")?;
    println!("niteputter {}: the HTTP server is not built yet; the demo cart prices as:", env!("CARGO_PKG_VERSION"));
    println!("{}", serde_json::to_string_pretty(&priced)?);
    Ok(())
}
