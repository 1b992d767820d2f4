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
}

impl EventKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ProductView => "product_view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::CheckoutStarted => "checkout_started",
            EventKind::Purchase => "purchase",
        }
    }

    /// Parses a stable name.
    pub fn parse(value: &str) -> Option<EventKind> {
        [Self::ProductView, Self::AddToCart, Self::CheckoutStarted, Self::Purchase]
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
    /// Units, where it counts.
    pub quantity: u32,
    /// Money, where it counts.
    pub amount: Option<Money>,
}

impl AnalyticsEvent {
    /// An event with only a kind, a time and a product.
    pub fn product(kind: EventKind, product_id: ProductId, at: OffsetDateTime) -> AnalyticsEvent {
        AnalyticsEvent {
            kind,
            at,
            product_id: Some(product_id),
            order_id: None,
            customer_id: None,
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
    /// Net revenue.
    pub revenue: Money,
    /// Times its page was viewed.
    pub views: u32,
    /// Orders with it.
    pub orders: u32,
    /// Orders with it per 100 views, to two decimals; `None` without views.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub conversion_percent: Option<Decimal>,
}

/// One period of a sales report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesPeriod {
    /// Its first day, as `2026-11-01`.
    #[serde(with = "iso_date")]
    pub start: Date,
    /// Net revenue (after discounts, without tax and shipping).
    pub revenue: Money,
    /// Paid orders.
    pub orders: u32,
    /// Revenue per order, rounded half-even to the minor unit; zero without orders.
    pub average_order_value: Money,
    /// Units sold.
    pub units: u32,
    /// Product page views.
    pub product_views: u32,
    /// Paid orders per 100 product views, to two decimals; `None` without views.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub conversion_percent: Option<Decimal>,
    /// Per product, by product id.
    pub products: Vec<ProductSales>,
}

/// A sales report: one entry per period that had any event, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesReport {
    /// The currency of its amounts; purchases in other currencies are left out.
    pub currency: Currency,
    /// How periods are cut.
    pub granularity: Granularity,
    /// The periods.
    pub periods: Vec<SalesPeriod>,
}

fn percent(part: u32, whole: u32) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
    })
}

#[derive(Default)]
struct ProductTally {
    units: u32,
    revenue: Decimal,
    views: u32,
    orders: BTreeSet<OrderId>,
}

#[derive(Default)]
struct PeriodTally {
    revenue: Decimal,
    units: u32,
    views: u32,
    orders: BTreeSet<OrderId>,
    products: BTreeMap<ProductId, ProductTally>,
}

/// Builds a sales report from `events` (already limited to the report's time range) in `currency`.
pub fn sales_report(
    events: &[AnalyticsEvent],
    currency: Currency,
    granularity: Granularity,
) -> Result<SalesReport, MoneyError> {
    let mut periods: BTreeMap<Date, PeriodTally> = BTreeMap::new();
    for event in events {
        let period = periods.entry(granularity.period_start(event.at.date())).or_default();
        match event.kind {
            EventKind::ProductView => {
                period.views += 1;
                if let Some(product) = &event.product_id {
                    period.products.entry(product.clone()).or_default().views += 1;
                }
            }
            EventKind::Purchase => {
                let Some(amount) = event.amount.filter(|a| a.currency() == currency) else { continue };
                period.revenue += amount.amount();
                period.units += event.quantity;
                if let Some(order) = &event.order_id {
                    period.orders.insert(order.clone());
                }
                if let Some(product) = &event.product_id {
                    let tally = period.products.entry(product.clone()).or_default();
                    tally.units += event.quantity;
                    tally.revenue += amount.amount();
                    if let Some(order) = &event.order_id {
                        tally.orders.insert(order.clone());
                    }
                }
            }
            EventKind::AddToCart | EventKind::CheckoutStarted => {}
        }
    }
    let mut out = Vec::with_capacity(periods.len());
    for (start, tally) in periods {
        let orders = u32::try_from(tally.orders.len()).unwrap_or(u32::MAX);
        let revenue = Money::new(tally.revenue, currency);
        let average = if orders == 0 {
            Money::zero(currency)
        } else {
            Money::new(tally.revenue / Decimal::from(orders), currency).round(crate::RoundingMode::HalfEven)
        };
        let products = tally
            .products
            .into_iter()
            .map(|(product_id, p)| {
                let product_orders = u32::try_from(p.orders.len()).unwrap_or(u32::MAX);
                ProductSales {
                    product_id,
                    units: p.units,
                    revenue: Money::new(p.revenue, currency),
                    views: p.views,
                    orders: product_orders,
                    conversion_percent: percent(product_orders, p.views),
                }
            })
            .collect();
        out.push(SalesPeriod {
            start,
            revenue,
            orders,
            average_order_value: average,
            units: tally.units,
            product_views: tally.views,
            conversion_percent: percent(orders, tally.views),
            products,
        });
    }
    Ok(SalesReport { currency, granularity, periods: out })
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");
