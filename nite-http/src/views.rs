//! The JSON the API answers with: built from the core's types, in the shapes API.md describes.

use nite_core::cart::{Cart, ShippingSelection};
use nite_core::order::{Order, PaymentStatus};
use nite_core::payment::ProviderPayment;
use nite_core::pricing::Totals;
use nite_core::services::{CartView, ProductView};
use nite_core::shipping::Rate;
use serde::Serialize;
use serde_json::{Value, json};

/// A product as listed and shown.
pub(crate) fn product(view: &ProductView) -> Value {
    let p = &view.product;
    let variants: Vec<Value> = p
        .variants
        .iter()
        .map(|v| {
            let available = view.available.iter().find(|(sku, _)| sku == &v.sku).map_or(0, |(_, n)| *n);
            json!({
                "id": v.id, "sku": v.sku, "name": v.name, "options": v.options,
                "price": v.price.selling(), "compare_at_price": v.price.compare_at(),
                "weight_grams": v.weight_grams, "dimensions": v.dimensions,
                "available": available, "in_stock": available > 0,
            })
        })
        .collect();
    json!({
        "id": p.id, "slug": p.slug, "name": p.name, "category": p.category, "description": p.description,
        "features": p.features, "technical_specs": p.technical_specs, "images": p.images,
        "variants": variants, "in_stock": view.in_stock, "reviews_summary": view.reviews_summary,
    })
}

#[derive(Serialize)]
struct CodeView<'a> {
    code: &'a str,
    applied: bool,
    why: Option<&'static str>,
}

/// A cart with its prices, and for every code that did not apply, why.
pub(crate) fn cart(view: &CartView) -> Value {
    let priced = &view.priced;
    let lines: Vec<Value> = view
        .items
        .iter()
        .zip(&priced.lines)
        .zip(&view.line_ids)
        .map(|((item, line), id)| {
            json!({
                "id": id, "sku": item.sku, "name": item.name, "quantity": line.quantity,
                "unit_price": line.unit_price, "subtotal": line.subtotal, "discount": line.discount,
                "tax": line.tax, "total": line.total,
            })
        })
        .collect();
    let codes: Vec<CodeView<'_>> = view
        .cart
        .codes
        .iter()
        .map(|code| {
            let applied = priced.applied.iter().any(|a| a.code.as_ref() == Some(code));
            let why = priced.not_applied.iter().find(|n| n.code.as_ref() == Some(code)).map(|n| n.reason.code());
            CodeView { code: code.as_str(), applied, why }
        })
        .collect();
    let promotions: Vec<Value> = priced
        .applied
        .iter()
        .map(|a| json!({ "id": a.promotion_id, "code": a.code, "kind": a.class, "amount": a.amount }))
        .collect();
    let not_applied: Vec<Value> = priced
        .not_applied
        .iter()
        .map(|n| json!({ "id": n.promotion_id, "code": n.code, "why": n.reason.code() }))
        .collect();
    let c: &Cart = &view.cart;
    json!({
        "id": c.id, "currency": c.currency, "state": c.state, "lines": lines,
        "unavailable_lines": view.unavailable, "discount_codes": codes, "promotions": promotions,
        "promotions_not_applied": not_applied, "totals": totals(&priced.totals), "email": c.email,
        "shipping_address": c.shipping_address, "billing_address": c.billing_address,
        "shipping_option": c.shipping.as_ref().map(shipping_selection),
    })
}

fn totals(t: &Totals) -> Value {
    json!({
        "subtotal": t.subtotal, "discount": t.discount, "shipping": t.shipping,
        "shipping_discount": t.shipping_discount, "tax": t.tax, "total": t.total,
    })
}

fn shipping_selection(s: &ShippingSelection) -> Value {
    json!({ "id": s.id, "name": s.name, "carrier": s.carrier, "price": s.amount, "estimated_days": s.estimated_days })
}

/// A shipping rate.
pub(crate) fn rate(r: &Rate) -> Value {
    json!({ "id": r.id, "name": r.name, "method": r.method, "carrier": r.carrier, "price": r.amount, "estimated_days": r.estimated_days })
}

/// An order.
pub(crate) fn order(o: &Order) -> Value {
    let history: Vec<Value> = o
        .history
        .iter()
        .map(|h| json!({ "from": h.from, "to": h.to, "at": rfc3339(h.at), "reason": h.reason }))
        .collect();
    let shipments: Vec<Value> = o
        .status
        .shipment()
        .map(|s| {
            json!({
                "carrier": s.carrier, "tracking_number": s.tracking_number, "shipped_at": rfc3339(s.shipped_at),
                "tracking_url": nite_email::tracking_url(&s.carrier, &s.tracking_number),
            })
        })
        .into_iter()
        .collect();
    let refunds: Vec<Value> =
        o.refunds.iter().map(|r| json!({ "amount": r.amount, "reason": r.reason, "at": rfc3339(r.at) })).collect();
    json!({
        "id": o.id, "state": o.state(), "email": o.email, "currency": o.currency,
        "lines": o.lines, "totals": totals(&o.totals), "promotions": o.promotions,
        "shipping_address": o.shipping_address, "billing_address": o.billing_address,
        "shipping_option": o.shipping_method.as_ref().map(shipping_selection),
        "payment": { "provider": o.payment.provider, "id": o.payment.payment_id, "status": o.payment.status,
                     "amount": o.payment.amount, "captured": o.payment.captured, "refunded": o.payment.refunded },
        "refunds": refunds, "shipments": shipments, "history": history, "created_at": rfc3339(o.created_at),
    })
}

/// A payment as checkout returns it.
pub(crate) fn payment(provider: &str, p: &ProviderPayment) -> Value {
    let status: PaymentStatus = p.status;
    json!({ "id": p.id, "provider": provider, "status": status, "amount": p.amount, "client_secret": p.client_secret })
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A review as its author and the moderators see it.
pub(crate) fn review(r: &nite_core::review::Review) -> Value {
    let mut view = public_review(r);
    view["customer_id"] = json!(r.customer_id);
    view
}

/// A review as shoppers see it: the author's display name, never their customer id.
pub(crate) fn public_review(r: &nite_core::review::Review) -> Value {
    json!({ "id": r.id, "product_id": r.product_id, "author": r.author, "rating": r.rating, "title": r.title,
            "body": r.body, "status": r.status, "created_at": rfc3339(r.created_at) })
}
