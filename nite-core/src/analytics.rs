//! Analytics: the events a shop records (views, adds to cart, checkouts, purchases) and the sales report built
//! from them.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::{Currency, CustomerId, Money, MoneyError, OrderId, ProductId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A product page was shown.
    ProductView,
    /// A product went into a cart.
    AddToCart,
    /// A checkout began (an order was placed, awaiting payment).
    CheckoutStarted,
    /// A line of an order was paid for.
    Purchase,
    /// An order was paid: the amount is everything charged (tax and shipping included).
    OrderPaid,
    /// Money was refunded: the amount is the refund.
    Refund,
    /// A paid order was cancelled (and refunded in full).
    Cancellation,
}

impl EventKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ProductView => "product_view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::CheckoutStarted => "checkout_started",
            EventKind::Purchase => "purchase",
            EventKind::OrderPaid => "order_paid",
            EventKind::Refund => "refund",
            EventKind::Cancellation => "cancellation",
        }
    }

    /// Parses a stable name.
    pub fn parse(value: &str) -> Option<EventKind> {
        [
            Self::ProductView,
            Self::AddToCart,
            Self::CheckoutStarted,
            Self::Purchase,
            Self::OrderPaid,
            Self::Refund,
            Self::Cancellation,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }
}

/// One recorded event. Purchases are recorded per order line, with the line's net amount (after discounts,
/// without tax and shipping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsEvent {
    /// What.
    pub kind: EventKind,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The product, if one.
    pub product_id: Option<ProductId>,
    /// The order, if one.
    pub order_id: Option<OrderId>,
    /// The customer, if known.
    pub customer_id: Option<CustomerId>,
    /// Who it was, for conversion: a customer id, or a guest's pseudonymous client key; `None` if unknown.
    #[serde(default)]
    pub visitor: Option<String>,
    /// Units, where it counts.
    pub quantity: u32,
    /// Money, where it counts.
    pub amount: Option<Money>,
}

impl AnalyticsEvent {
    /// An event about a whole order (no product, no units, no money): its id, customer and client as the order
    /// records them. Set `quantity` and `amount` with struct update syntax where they count.
    pub fn of_order(kind: EventKind, order: &crate::order::Order, at: OffsetDateTime) -> AnalyticsEvent {
        AnalyticsEvent {
            kind,
            at,
            product_id: None,
            order_id: Some(order.id.clone()),
            customer_id: order.customer_id.clone(),
            visitor: order.client.clone(),
            quantity: 0,
            amount: None,
        }
    }

    /// An event with only a kind, a time and a product.
    pub fn product(kind: EventKind, product_id: ProductId, at: OffsetDateTime) -> AnalyticsEvent {
        AnalyticsEvent {
            kind,
            at,
            product_id: Some(product_id),
            order_id: None,
            customer_id: None,
            visitor: None,
            quantity: 0,
            amount: None,
        }
    }
}

/// How a sales report groups time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Calendar days (UTC).
    #[default]
    Day,
    /// ISO weeks, Monday first.
    Week,
    /// Calendar months.
    Month,
}

impl Granularity {
    /// The first day of the period that holds `date`.
    pub fn period_start(self, date: Date) -> Date {
        match self {
            Granularity::Day => date,
            Granularity::Week => date - Duration::days(i64::from(date.weekday().number_days_from_monday())),
            Granularity::Month => date.replace_day(1).unwrap_or(date),
        }
    }
}

/// One product's sales in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductSales {
    /// The product.
    pub product_id: ProductId,
    /// Units sold.
    pub units: u32,
    /// Merchandise revenue: what its lines sold for after discounts, without tax and shipping.
    pub revenue: Money,
    /// Times its page was viewed (a visitor's repeated views within the shop's view window count once).
    pub views: u32,
    /// Orders with it.
    pub orders: u32,
    /// Of the visitors who viewed it in the period, the percentage who bought it (two decimals; `None` without
    /// views). Never above 100.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub conversion_percent: Option<Decimal>,
}

/// One period of a sales report.
///
/// Money: `gross_revenue` is everything charged for orders paid in the period (merchandise after discounts, tax and
/// shipping), `refunded` is everything refunded in the period (whenever its order was paid), and `revenue` is the
/// net of the two: what the shop kept. A paid order later cancelled is refunded in full, so it counts in
/// `gross_revenue` when paid and in `refunded` when cancelled; an order never paid counts nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesPeriod {
    /// Its first day, as `2026-11-01`.
    #[serde(with = "iso_date")]
    pub start: Date,
    /// Net revenue: `gross_revenue` less `refunded`.
    pub revenue: Money,
    /// Charged for the orders paid in the period, tax and shipping included.
    pub gross_revenue: Money,
    /// Refunded in the period.
    pub refunded: Money,
    /// Paid orders.
    pub orders: u32,
    /// Paid orders cancelled in the period.
    pub cancelled_orders: u32,
    /// Refunds made in the period.
    pub refunds: u32,
    /// Gross revenue per paid order, rounded half-even to the minor unit; zero without orders.
    pub average_order_value: Money,
    /// Units sold.
    pub units: u32,
    /// Product page views (a visitor's repeated views of one product within the shop's view window count once).
    pub product_views: u32,
    /// Distinct visitors who viewed a product page.
    pub visitors: u32,
    /// Of the visitors who viewed a product page in the period, the percentage who paid for an order in it (two
    /// decimals; `None` without views). Never above 100.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub conversion_percent: Option<Decimal>,
    /// Per product, by product id.
    pub products: Vec<ProductSales>,
}

/// A sales report: one entry per period that had any event, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesReport {
    /// The currency of its amounts; events in other currencies are left out.
    pub currency: Currency,
    /// How periods are cut.
    pub granularity: Granularity,
    /// The periods.
    pub periods: Vec<SalesPeriod>,
}

fn percent(part: usize, whole: usize) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Who an event's visitor is; a view without one is a visitor of its own, whom no purchase can match.
fn visitor_of(event: &AnalyticsEvent, anonymous: &mut usize) -> String {
    match &event.visitor {
        Some(visitor) => visitor.clone(),
        None => {
            *anonymous += 1;
            format!("\u{0}anonymous:{anonymous}")
        }
    }
}

#[derive(Default)]
struct ProductTally {
    units: u32,
    revenue: Decimal,
    views: u32,
    orders: BTreeSet<OrderId>,
    viewers: BTreeSet<String>,
    buyers: BTreeSet<String>,
}

#[derive(Default)]
struct PeriodTally {
    charged: Decimal,
    /// Line revenue of orders paid before `order_paid` events existed, by order: their charge, as well as known.
    legacy: BTreeMap<OrderId, Decimal>,
    refunded: Decimal,
    refunds: u32,
    cancelled: u32,
    units: u32,
    views: u32,
    orders: BTreeSet<OrderId>,
    viewers: BTreeSet<String>,
    buyers: BTreeSet<String>,
    products: BTreeMap<ProductId, ProductTally>,
}

/// Builds a sales report from `events` (already limited to the report's time range) in `currency`.
pub fn sales_report(
    events: &[AnalyticsEvent],
    currency: Currency,
    granularity: Granularity,
) -> Result<SalesReport, MoneyError> {
    let mut periods: BTreeMap<Date, PeriodTally> = BTreeMap::new();
    let mut anonymous = 0;
    for event in events {
        let period = periods.entry(granularity.period_start(event.at.date())).or_default();
        let amount = event.amount.filter(|a| a.currency() == currency).map(|a| a.amount());
        match event.kind {
            EventKind::ProductView => {
                period.views += 1;
                let visitor = visitor_of(event, &mut anonymous);
                if let Some(product) = &event.product_id {
                    let tally = period.products.entry(product.clone()).or_default();
                    tally.views += 1;
                    tally.viewers.insert(visitor.clone());
                }
                period.viewers.insert(visitor);
            }
            EventKind::Purchase => {
                let Some(amount) = amount else { continue };
                period.units += event.quantity;
                if let Some(order) = &event.order_id {
                    *period.legacy.entry(order.clone()).or_default() += amount;
                }
                if let Some(visitor) = &event.visitor {
                    period.buyers.insert(visitor.clone());
                }
                if let Some(product) = &event.product_id {
                    let tally = period.products.entry(product.clone()).or_default();
                    tally.units += event.quantity;
                    tally.revenue += amount;
                    if let Some(order) = &event.order_id {
                        tally.orders.insert(order.clone());
                    }
                    if let Some(visitor) = &event.visitor {
                        tally.buyers.insert(visitor.clone());
                    }
                }
            }
            EventKind::OrderPaid => {
                let Some(amount) = amount else { continue };
                period.charged += amount;
                if let Some(order) = &event.order_id {
                    period.orders.insert(order.clone());
                }
                if let Some(visitor) = &event.visitor {
                    period.buyers.insert(visitor.clone());
                }
            }
            EventKind::Refund => {
                let Some(amount) = amount else { continue };
                period.refunded += amount;
                period.refunds += 1;
            }
            EventKind::Cancellation => period.cancelled += 1,
            EventKind::AddToCart | EventKind::CheckoutStarted => {}
        }
    }
    let mut out = Vec::with_capacity(periods.len());
    for (start, mut tally) in periods {
        // Orders paid before `order_paid` events were recorded: their line revenue is what is known of them.
        for (order, lines) in std::mem::take(&mut tally.legacy) {
            if tally.orders.insert(order) {
                tally.charged += lines;
            }
        }
        let orders = count(tally.orders.len());
        let average = if orders == 0 {
            Money::zero(currency)
        } else {
            Money::new(tally.charged / Decimal::from(orders), currency).round(crate::RoundingMode::HalfEven)
        };
        let converted = tally.viewers.intersection(&tally.buyers).count();
        let products = tally
            .products
            .into_iter()
            .map(|(product_id, p)| ProductSales {
                product_id,
                units: p.units,
                revenue: Money::new(p.revenue, currency),
                views: p.views,
                orders: count(p.orders.len()),
                conversion_percent: percent(p.viewers.intersection(&p.buyers).count(), p.viewers.len()),
            })
            .collect();
        out.push(SalesPeriod {
            start,
            revenue: Money::new(tally.charged - tally.refunded, currency),
            gross_revenue: Money::new(tally.charged, currency),
            refunded: Money::new(tally.refunded, currency),
            orders,
            cancelled_orders: tally.cancelled,
            refunds: tally.refunds,
            average_order_value: average,
            units: tally.units,
            product_views: tally.views,
            visitors: count(tally.viewers.len()),
            conversion_percent: percent(converted, tally.viewers.len()),
            products,
        });
    }
    Ok(SalesReport { currency, granularity, periods: out })
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");
