//! The JSON the API answers with: typed views built from the core's types, in the shapes `docs/api.md` describes. Each
//! derives its OpenAPI schema, so the published document is the code's own description of what it sends.

use nite_core::cart::{CartState, ShippingSelection};
use nite_core::catalog::{Dimensions, Image, Sku, Slug, Spec, VariantOption};
use nite_core::customer::{Customer, Role};
use nite_core::order::{Order, OrderLine, OrderState, PaymentStatus};
use nite_core::payment::ProviderPayment;
use nite_core::pricing::{AppliedPromotion, Totals};
use nite_core::promotion::{DiscountCode, PromotionClass};
use nite_core::review::{Rating, RatingSummary, Review, ReviewStatus};
use nite_core::services::{CartView, ProductView};
use nite_core::shipping::{Rate, ShippingMethod};
use nite_core::{
    Address, CartId, CartLineId, Category, Currency, CustomerId, Email, Money, OrderId, PaymentId, ProductId,
    PromotionId, ReviewId, VariantId,
};
use serde::Serialize;
use utoipa::ToSchema;

mod admin;

pub(crate) use admin::{AdminOrderOut, OutboxOut, PreviewOut, admin_order, outbox, preview};

/// A page of a list: `{data, next_cursor}`; `next_cursor` is null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Listed<T> {
    /// The items.
    pub(crate) data: Vec<T>,
    /// Pass as `cursor` for the next page.
    pub(crate) next_cursor: Option<String>,
}

impl<T> Listed<T> {
    /// A page of the core's items, each shown with `view`.
    pub(crate) fn of<U>(page: &nite_core::ports::Page<U>, view: impl Fn(&U) -> T) -> Listed<T> {
        Listed { data: page.items.iter().map(view).collect(), next_cursor: page.next_cursor.clone() }
    }

    /// A page of the core's items, each made into what is shown with `view`.
    pub(crate) fn of_owned<U>(page: nite_core::ports::Page<U>, view: impl FnMut(U) -> T) -> Listed<T> {
        Listed { data: page.items.into_iter().map(view).collect(), next_cursor: page.next_cursor }
    }
}

impl<T> From<nite_core::ports::Page<T>> for Listed<T> {
    /// A page of items shown as they are.
    fn from(page: nite_core::ports::Page<T>) -> Listed<T> {
        Listed { data: page.items, next_cursor: page.next_cursor }
    }
}

/// A whole list, unpaged: `{data}`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Items<T> {
    /// The items.
    pub(crate) data: Vec<T>,
}

/// A product as listed and shown to shoppers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProductOut {
    id: ProductId,
    slug: Slug,
    name: String,
    category: Category,
    description: String,
    features: Vec<String>,
    technical_specs: Vec<Spec>,
    images: Vec<Image>,
    variants: Vec<VariantOut>,
    /// Whether any variant can be bought now.
    in_stock: bool,
    reviews_summary: RatingSummary,
}

/// A variant as shoppers see it: what it sells for now, and the regular price when on sale.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VariantOut {
    id: VariantId,
    sku: Sku,
    name: String,
    options: Vec<VariantOption>,
    /// The selling price.
    price: Money,
    /// The regular price, when the variant is on sale.
    compare_at_price: Option<Money>,
    weight_grams: u32,
    dimensions: Dimensions,
    /// Units that can be bought now.
    available: u32,
    in_stock: bool,
}

/// A product as listed and shown, made of the view's own parts (moved, not copied: a page of products is answered
/// often, and copying every name, description, feature and image cost each answer dozens of allocations).
pub(crate) fn product(view: ProductView) -> ProductOut {
    let ProductView { product: p, available, in_stock, reviews_summary } = view;
    let variants = p
        .variants
        .into_iter()
        .map(|v| {
            let available = available.iter().find(|(sku, _)| sku == &v.sku).map_or(0, |(_, n)| *n);
            VariantOut {
                price: v.price.selling(),
                compare_at_price: v.price.compare_at(),
                id: v.id,
                sku: v.sku,
                name: v.name,
                options: v.options,
                weight_grams: v.weight_grams,
                dimensions: v.dimensions,
                available,
                in_stock: available > 0,
            }
        })
        .collect();
    ProductOut {
        id: p.id,
        slug: p.slug,
        name: p.name,
        category: p.category,
        description: p.description,
        features: p.features,
        technical_specs: p.technical_specs,
        images: p.images,
        variants,
        in_stock,
        reviews_summary,
    }
}

/// A cart with its prices, and for every code that did not apply, why.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CartOut {
    id: CartId,
    currency: Currency,
    state: CartState,
    lines: Vec<CartLineOut>,
    /// Lines whose product is no longer sold; they are left out of the totals.
    unavailable_lines: Vec<CartLineId>,
    discount_codes: Vec<CodeOut>,
    /// The promotions that apply.
    promotions: Vec<PromotionOut>,
    /// The promotions that were considered and did not apply, with why.
    promotions_not_applied: Vec<NotAppliedOut>,
    totals: TotalsOut,
    email: Option<Email>,
    shipping_address: Option<Address>,
    billing_address: Option<Address>,
    shipping_option: Option<ShippingOptionOut>,
    /// How far the cart is from free shipping to its shipping country (or the shop's home country), when the
    /// shipping provider has such a threshold; `null` otherwise.
    free_shipping: Option<FreeShippingOut>,
}

/// The free-shipping nudge: the threshold and what is still missing (zero once the cart qualifies).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FreeShippingOut {
    /// The country the threshold is for (ISO 3166-1 alpha-2).
    country: String,
    /// Carts whose subtotal (before discounts) reaches this ship free by at least one method.
    above: Money,
    /// What the subtotal still lacks; zero when the cart qualifies.
    remaining: Money,
    qualifies: bool,
}

impl CartOut {
    /// Adds the free-shipping nudge for the cart's shipping country, or `home` without an address.
    pub(crate) fn with_free_shipping(
        mut self,
        shipping: &dyn nite_core::shipping::ShippingProvider,
        home: Option<&nite_core::tax::CountryCode>,
    ) -> CartOut {
        let country = self.shipping_address.as_ref().map(|a| &a.country).or(home);
        self.free_shipping = country.and_then(|country| {
            let above = shipping.free_shipping_above(country)?;
            let subtotal = self.totals.subtotal;
            if above.currency() != subtotal.currency() {
                return None;
            }
            let missing = above.checked_sub(subtotal).ok()?;
            let remaining = if missing.is_negative() { Money::zero(above.currency()) } else { missing };
            Some(FreeShippingOut { country: country.to_string(), above, remaining, qualifies: remaining.is_zero() })
        });
        self
    }
}

/// A priced cart line.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CartLineOut {
    id: CartLineId,
    sku: Sku,
    name: String,
    quantity: nite_core::Quantity,
    unit_price: Money,
    subtotal: Money,
    discount: Money,
    tax: Money,
    total: Money,
}

/// A discount code entered on the cart: whether it applied and, if not, why (a stable reason code).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CodeOut {
    code: DiscountCode,
    applied: bool,
    why: Option<&'static str>,
}

/// A promotion that applied to the cart.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PromotionOut {
    id: PromotionId,
    code: Option<DiscountCode>,
    kind: PromotionClass,
    amount: Money,
}

/// A promotion that did not apply, and why (a stable reason code).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NotAppliedOut {
    id: Option<PromotionId>,
    code: Option<DiscountCode>,
    why: &'static str,
}

/// A cart's or an order's totals; the lines' totals and the shipping total add up to `total`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TotalsOut {
    subtotal: Money,
    discount: Money,
    shipping: Money,
    shipping_discount: Money,
    tax: Money,
    total: Money,
}

/// The chosen shipping option.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ShippingOptionOut {
    id: String,
    name: String,
    carrier: String,
    price: Money,
    estimated_days: Option<u32>,
}

/// A cart with its prices, and for every code that did not apply, why.
pub(crate) fn cart(view: &CartView) -> CartOut {
    let priced = &view.priced;
    let lines = view
        .items
        .iter()
        .zip(&priced.lines)
        .zip(&view.line_ids)
        .map(|((item, line), id)| CartLineOut {
            id: id.clone(),
            sku: item.sku.clone(),
            name: item.name.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            subtotal: line.subtotal,
            discount: line.discount,
            tax: line.tax,
            total: line.total,
        })
        .collect();
    let discount_codes = view
        .cart
        .codes
        .iter()
        .map(|code| {
            let applied = priced.applied.iter().any(|a| a.code.as_ref() == Some(code));
            let why = priced.not_applied.iter().find(|n| n.code.as_ref() == Some(code)).map(|n| n.reason.code());
            CodeOut { code: code.clone(), applied, why }
        })
        .collect();
    let promotions = priced
        .applied
        .iter()
        .map(|a| PromotionOut { id: a.promotion_id.clone(), code: a.code.clone(), kind: a.class, amount: a.amount })
        .collect();
    let promotions_not_applied = priced
        .not_applied
        .iter()
        .map(|n| NotAppliedOut { id: n.promotion_id.clone(), code: n.code.clone(), why: n.reason.code() })
        .collect();
    let c = &view.cart;
    CartOut {
        id: c.id.clone(),
        currency: c.currency,
        state: c.state,
        lines,
        unavailable_lines: view.unavailable.clone(),
        discount_codes,
        promotions,
        promotions_not_applied,
        totals: totals(&priced.totals),
        email: c.email.clone(),
        shipping_address: c.shipping_address.clone(),
        billing_address: c.billing_address.clone(),
        shipping_option: c.shipping.as_ref().map(shipping_selection),
        free_shipping: None,
    }
}

fn totals(t: &Totals) -> TotalsOut {
    TotalsOut {
        subtotal: t.subtotal,
        discount: t.discount,
        shipping: t.shipping,
        shipping_discount: t.shipping_discount,
        tax: t.tax,
        total: t.total,
    }
}

fn shipping_selection(s: &ShippingSelection) -> ShippingOptionOut {
    ShippingOptionOut {
        id: s.id.clone(),
        name: s.name.clone(),
        carrier: s.carrier.clone(),
        price: s.amount,
        estimated_days: s.estimated_days,
    }
}

/// A shipping option the cart can choose.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RateOut {
    /// Pass to `PUT /carts/{id}/shipping-option`.
    id: String,
    name: String,
    method: ShippingMethod,
    carrier: String,
    price: Money,
    estimated_days: Option<u32>,
}

/// A shipping rate.
pub(crate) fn rate(r: &Rate) -> RateOut {
    RateOut {
        id: r.id.clone(),
        name: r.name.clone(),
        method: r.method,
        carrier: r.carrier.clone(),
        price: r.amount,
        estimated_days: r.estimated_days,
    }
}

/// An order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OrderOut {
    pub(crate) id: OrderId,
    state: OrderState,
    email: Email,
    currency: Currency,
    lines: Vec<OrderLine>,
    totals: TotalsOut,
    promotions: Vec<AppliedPromotion>,
    shipping_address: Address,
    billing_address: Address,
    shipping_option: Option<ShippingOptionOut>,
    payment: OrderPaymentOut,
    refunds: Vec<RefundOut>,
    shipments: Vec<ShipmentOut>,
    history: Vec<HistoryOut>,
    /// RFC 3339.
    created_at: String,
}

/// An order's payment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OrderPaymentOut {
    provider: Option<String>,
    id: Option<PaymentId>,
    status: PaymentStatus,
    amount: Money,
    captured: Money,
    refunded: Money,
}

/// A refund.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RefundOut {
    amount: Money,
    reason: String,
    /// RFC 3339.
    at: String,
}

/// A shipment, with the carrier's tracking page when nite knows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ShipmentOut {
    carrier: String,
    tracking_number: String,
    /// RFC 3339.
    shipped_at: String,
    tracking_url: Option<String>,
}

/// One step of an order's history.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryOut {
    from: Option<OrderState>,
    to: OrderState,
    /// RFC 3339.
    at: String,
    /// Who made the change: `customer`, `guest`, `admin`, `provider` (the payment provider) or `system`.
    by: &'static str,
    reason: Option<String>,
}

fn actor(actor: &nite_core::order::Actor) -> &'static str {
    use nite_core::order::Actor;
    match actor {
        Actor::Customer(_) => "customer",
        Actor::Guest => "guest",
        Actor::Admin(_) => "admin",
        Actor::Provider(_) => "provider",
        Actor::System => "system",
    }
}

/// An order.
pub(crate) fn order(o: &Order) -> OrderOut {
    let history = o
        .history
        .iter()
        .map(|h| HistoryOut {
            from: h.from,
            to: h.to,
            at: rfc3339(h.at),
            by: actor(&h.actor),
            reason: h.reason.clone(),
        })
        .collect();
    let shipments = o
        .status
        .shipment()
        .map(|s| ShipmentOut {
            carrier: s.carrier.clone(),
            tracking_number: s.tracking_number.clone(),
            shipped_at: rfc3339(s.shipped_at),
            tracking_url: nite_email::tracking_url(&s.carrier, &s.tracking_number),
        })
        .into_iter()
        .collect();
    let refunds =
        o.refunds.iter().map(|r| RefundOut { amount: r.amount, reason: r.reason.clone(), at: rfc3339(r.at) }).collect();
    OrderOut {
        id: o.id.clone(),
        state: o.state(),
        email: o.email.clone(),
        currency: o.currency,
        lines: o.lines.clone(),
        totals: totals(&o.totals),
        promotions: o.promotions.clone(),
        shipping_address: o.shipping_address.clone(),
        billing_address: o.billing_address.clone(),
        shipping_option: o.shipping_method.as_ref().map(shipping_selection),
        payment: OrderPaymentOut {
            provider: o.payment.provider.clone(),
            id: o.payment.payment_id.clone(),
            status: o.payment.status,
            amount: o.payment.amount,
            captured: o.payment.captured,
            refunded: o.payment.refunded,
        },
        refunds,
        shipments,
        history,
        created_at: rfc3339(o.created_at),
    }
}

/// A payment as checkout returns it: what the client needs to complete it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PaymentOut {
    id: PaymentId,
    provider: String,
    status: PaymentStatus,
    amount: Money,
    /// For the provider's client library (Stripe's `client_secret`); null for the test provider.
    client_secret: Option<String>,
}

/// A payment as checkout returns it.
pub(crate) fn payment(provider: &str, p: &ProviderPayment) -> PaymentOut {
    PaymentOut {
        id: p.id.clone(),
        provider: provider.to_owned(),
        status: p.status,
        amount: p.amount,
        client_secret: p.client_secret.clone(),
    }
}

/// What checkout answers: the order, its payment, and (for the checkout that created it) the order's token.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckoutOut {
    pub(crate) order: OrderOut,
    /// The payment to complete; `null` when the order costs nothing and is paid already.
    pub(crate) payment: Option<PaymentOut>,
    /// Send as `X-Order-Token` to read the order without signing in. Returned once.
    pub(crate) order_token: Option<String>,
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A review as shoppers see it: the author's display name, never their customer id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicReviewOut {
    id: ReviewId,
    product_id: ProductId,
    author: String,
    rating: Rating,
    title: String,
    body: String,
    status: ReviewStatus,
    /// RFC 3339.
    created_at: String,
}

/// A review as its author and the moderators see it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewOut {
    #[serde(flatten)]
    review: PublicReviewOut,
    customer_id: CustomerId,
}

/// A review as its author and the moderators see it.
pub(crate) fn review(r: &Review) -> ReviewOut {
    ReviewOut { review: public_review(r), customer_id: r.customer_id.clone() }
}

/// A review as shoppers see it.
pub(crate) fn public_review(r: &Review) -> PublicReviewOut {
    PublicReviewOut {
        id: r.id.clone(),
        product_id: r.product_id.clone(),
        author: r.author.clone(),
        rating: r.rating,
        title: r.title.clone(),
        body: r.body.clone(),
        status: r.status,
        created_at: rfc3339(r.created_at),
    }
}

/// A customer's account, never its password hash.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CustomerOut {
    id: CustomerId,
    email: Email,
    name: String,
    role: Role,
    /// RFC 3339.
    created_at: String,
}

/// A customer's account.
pub(crate) fn customer(c: &Customer) -> CustomerOut {
    CustomerOut {
        id: c.id.clone(),
        email: c.email.clone(),
        name: c.name.clone(),
        role: c.role,
        created_at: rfc3339(c.created_at),
    }
}

/// A signed-in session: the customer, a short-lived access token and a rotating refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionOut {
    pub(crate) customer: CustomerOut,
    /// Send as `Authorization: Bearer …`.
    pub(crate) access_token: String,
    /// Trade for a new session at `/auth/refresh`, once; null for a cookie session (it is in the `nite_refresh`
    /// cookie).
    pub(crate) refresh_token: Option<String>,
    /// Always `Bearer`.
    pub(crate) token_type: &'static str,
    /// Seconds until the access token expires.
    pub(crate) expires_in: u64,
}

/// A SKU's stock.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StockOut {
    sku: Sku,
    on_hand: u32,
    /// Held by unpaid orders.
    reserved: u32,
    available: u32,
    /// At most the shop's low-stock threshold is available.
    low: bool,
}

/// A SKU's stock; `low_at` is the shop's low-stock threshold.
pub(crate) fn stock(level: &nite_core::inventory::StockLevel, low_at: u32) -> StockOut {
    StockOut {
        sku: level.sku.clone(),
        on_hand: level.on_hand,
        reserved: level.reserved,
        available: level.available(),
        low: level.is_low(low_at),
    }
}
