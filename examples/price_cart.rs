//! Prices a NitePutter cart (two Pro lights, a Basic, code NITE10, shipping to California) and prints a receipt.
//!
//! Run with `cargo run -p nite-examples --example price_cart`.

use nite_core::pricing::{CustomerFacts, LineItem, PricePolicy, PricingCart, PricingContext, ShippingCharge, price};
use nite_core::promotion::DiscountCode;
use nite_core::tax::Region;
use nite_core::{Currency, Money, Quantity, seed};

fn main() -> anyhow::Result<()> {
    let catalog = seed::niteputter();
    let basic = &catalog.products[0];
    let pro = &catalog.products[1];

    let lines = vec![
        LineItem::snapshot(pro, &pro.variants[0], Quantity::new(2)?),
        LineItem::snapshot(basic, &basic.variants[0], Quantity::ONE),
    ];
    let codes = vec![DiscountCode::new("nite10")?, DiscountCode::new("FREEPUTT")?];
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
    let policy = PricePolicy::default();
    let ctx = PricingContext::new(&policy, &catalog.tax_rules, &catalog.promotions, time::OffsetDateTime::now_utc());
    let priced = price(&cart, &ctx)?;

    println!(
        "{:<34} {:>4} {:>9} {:>10} {:>9} {:>8} {:>10}",
        "item", "qty", "unit", "subtotal", "discount", "tax", "total"
    );
    for (line, figures) in lines.iter().zip(&priced.lines) {
        println!(
            "{:<34} {:>4} {:>9} {:>10} {:>9} {:>8} {:>10}",
            line.name,
            figures.quantity,
            figures.unit_price.amount_string(),
            figures.subtotal.amount_string(),
            figures.discount.amount_string(),
            figures.tax.amount_string(),
            figures.total.amount_string(),
        );
    }
    let t = &priced.totals;
    println!();
    println!("{:<16} {:>10}", "subtotal", t.subtotal.amount_string());
    println!("{:<16} {:>10}", "discount", format!("-{}", t.discount.amount_string()));
    println!("{:<16} {:>10}", "shipping", t.shipping.amount_string());
    println!("{:<16} {:>10}", "free shipping", format!("-{}", t.shipping_discount.amount_string()));
    println!("{:<16} {:>10}", "tax (CA 7.25 %)", t.tax.amount_string());
    println!("{:<16} {:>10} {}", "total", t.total.amount_string(), priced.currency);
    println!();
    for applied in &priced.applied {
        println!("applied      {:<20} -{}", applied.promotion_id, applied.amount);
    }
    for skipped in &priced.not_applied {
        let what = skipped.code.as_ref().map(ToString::to_string).unwrap_or_default();
        println!("not applied  {:<20} why: {}", what, skipped.reason);
    }
    Ok(())
}
