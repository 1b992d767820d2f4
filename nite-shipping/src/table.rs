//! `TableRates`: shipping prices from a table the shop writes (TOML): zones by country or region, methods priced
//! flat or by weight bracket, free above a subtotal, plus a handling fee. No network, and the same request always
//! gets the same quote.

use async_trait::async_trait;
use nite_core::shipping::{QuoteRequest, Rate, ShippingMethod, ShippingProvider, Tracking, TrackingStatus};
use nite_core::tax::{CountryCode, Region};
use nite_core::{Currency, Money, Result};
use serde::Deserialize;

/// A rate table that cannot be used, with what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The text is not valid TOML of the table's shape.
    #[error("the rate table is not valid: {0}")]
    Syntax(String),
    /// A value is out of place.
    #[error("rate table, {at}: {problem}")]
    Invalid {
        /// Where (`zones[1].methods[0].brackets`).
        at: String,
        /// What is wrong.
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    currency: String,
    zones: Vec<ZoneFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneFile {
    name: String,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    methods: Vec<MethodFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodFile {
    method: ShippingMethod,
    name: String,
    carrier: String,
    estimated_days: Option<u32>,
    flat: Option<String>,
    #[serde(default)]
    brackets: Vec<BracketFile>,
    free_above: Option<String>,
    handling_fee: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BracketFile {
    up_to_grams: u64,
    amount: String,
}

/// Where a zone applies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Coverage {
    /// These countries and these regions.
    Places { countries: Vec<CountryCode>, regions: Vec<Region> },
    /// Everywhere not covered by an earlier zone.
    RestOfWorld,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pricing {
    Flat(Money),
    /// `(up to grams, price)`, ascending.
    Brackets(Vec<(u64, Money)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Method {
    method: ShippingMethod,
    name: String,
    carrier: String,
    estimated_days: Option<u32>,
    pricing: Pricing,
    free_above: Option<Money>,
    handling_fee: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Zone {
    name: String,
    coverage: Coverage,
    methods: Vec<Method>,
}

/// Shipping rates from a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRates {
    currency: Currency,
    zones: Vec<Zone>,
}

fn invalid(at: impl Into<String>, problem: impl Into<String>) -> TableError {
    TableError::Invalid { at: at.into(), problem: problem.into() }
}

fn amount(text: &str, currency: Currency, at: &str) -> Result<Money, TableError> {
    let money = Money::parse(text, currency).map_err(|e| invalid(at, e.to_string()))?;
    if money.is_negative() || !money.is_at_minor_unit() {
        return Err(invalid(at, format!("{money} is negative or finer than the minor unit")));
    }
    Ok(money)
}

impl TableRates {
    /// Parses and checks a rate table.
    pub fn from_toml(text: &str) -> Result<TableRates, TableError> {
        let file: TableFile = toml::from_str(text).map_err(|e| TableError::Syntax(e.to_string()))?;
        let currency = Currency::from_code(&file.currency).map_err(|e| invalid("currency", e.to_string()))?;
        let mut zones = Vec::with_capacity(file.zones.len());
        for (z, zone) in file.zones.into_iter().enumerate() {
            let at = format!("zones[{z}]");
            let coverage = if zone.countries.iter().any(|c| c == "*") {
                if zone.countries.len() > 1 || !zone.regions.is_empty() {
                    return Err(invalid(&at, "`*` stands alone"));
                }
                Coverage::RestOfWorld
            } else {
                let countries = zone
                    .countries
                    .iter()
                    .map(|c| CountryCode::new(c).map_err(|e| invalid(format!("{at}.countries"), e.to_string())))
                    .collect::<Result<Vec<_>, _>>()?;
                let regions = zone
                    .regions
                    .iter()
                    .map(|r| {
                        Region::parse(r)
                            .ok()
                            .filter(|r| r.subdivision.is_some())
                            .ok_or_else(|| invalid(format!("{at}.regions"), format!("`{r}` is not CC-SUB")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if countries.is_empty() && regions.is_empty() {
                    return Err(invalid(&at, "a zone needs countries, regions or `*`"));
                }
                Coverage::Places { countries, regions }
            };
            if zone.methods.is_empty() {
                return Err(invalid(&at, "a zone needs at least one method"));
            }
            let mut methods = Vec::with_capacity(zone.methods.len());
            for (m, method) in zone.methods.into_iter().enumerate() {
                let at = format!("{at}.methods[{m}]");
                let pricing = match (method.flat, method.brackets.is_empty()) {
                    (Some(flat), true) => Pricing::Flat(amount(&flat, currency, &format!("{at}.flat"))?),
                    (None, false) => {
                        let mut brackets = Vec::with_capacity(method.brackets.len());
                        for (b, bracket) in method.brackets.iter().enumerate() {
                            let price = amount(&bracket.amount, currency, &format!("{at}.brackets[{b}]"))?;
                            if brackets.last().is_some_and(|(up_to, _)| *up_to >= bracket.up_to_grams) {
                                return Err(invalid(format!("{at}.brackets"), "weights must ascend"));
                            }
                            brackets.push((bracket.up_to_grams, price));
                        }
                        Pricing::Brackets(brackets)
                    }
                    _ => return Err(invalid(&at, "give either `flat` or `brackets`")),
                };
                let free_above = method
                    .free_above
                    .as_deref()
                    .map(|a| amount(a, currency, &format!("{at}.free_above")))
                    .transpose()?;
                let handling_fee = method
                    .handling_fee
                    .as_deref()
                    .map(|a| amount(a, currency, &format!("{at}.handling_fee")))
                    .transpose()?;
                methods.push(Method {
                    method: method.method,
                    name: method.name,
                    carrier: method.carrier,
                    estimated_days: method.estimated_days,
                    pricing,
                    free_above,
                    handling_fee,
                });
            }
            zones.push(Zone { name: zone.name, coverage, methods });
        }
        Ok(TableRates { currency, zones })
    }

    /// The NitePutter shop's table (`rates/niteputter.toml`).
    pub fn niteputter() -> TableRates {
        TableRates::from_toml(include_str!("../rates/niteputter.toml")).expect("the bundled table is valid")
    }

    /// The lowest subtotal above which some method ships free to `country` (outside any region of its own), if one
    /// does: what a storefront's "free shipping over …" nudge says.
    pub fn free_shipping_above(&self, country: &CountryCode) -> Option<Money> {
        let names_country =
            |z: &&Zone| matches!(&z.coverage, Coverage::Places { countries, .. } if countries.contains(country));
        let zone = self
            .zones
            .iter()
            .find(names_country)
            .or_else(|| self.zones.iter().find(|z| z.coverage == Coverage::RestOfWorld))?;
        zone.methods.iter().filter_map(|m| m.free_above).min_by(|a, b| a.amount().cmp(&b.amount()))
    }

    /// The zone serving `region`: the first zone naming the region, else the first naming its country, else the
    /// first rest-of-world zone.
    fn zone_for(&self, region: &Region) -> Option<&Zone> {
        let names_region =
            |z: &&Zone| matches!(&z.coverage, Coverage::Places { regions, .. } if regions.contains(region));
        let names_country = |z: &&Zone| matches!(&z.coverage, Coverage::Places { countries, .. } if countries.contains(&region.country));
        self.zones
            .iter()
            .find(names_region)
            .or_else(|| self.zones.iter().find(names_country))
            .or_else(|| self.zones.iter().find(|z| z.coverage == Coverage::RestOfWorld))
    }

    /// The rates for `request`, cheapest first (ties by method); empty where nothing ships (no zone, another
    /// currency, or a parcel heavier than every bracket).
    pub fn rates(&self, request: &QuoteRequest) -> Vec<Rate> {
        if request.currency != self.currency {
            return Vec::new();
        }
        let Some(zone) = self.zone_for(&request.destination.tax_region()) else { return Vec::new() };
        let weight = request.weight_grams();
        let mut rates: Vec<Rate> = zone
            .methods
            .iter()
            .filter_map(|m| {
                let base = match &m.pricing {
                    Pricing::Flat(price) => *price,
                    Pricing::Brackets(brackets) => brackets.iter().find(|(up_to, _)| weight <= *up_to)?.1,
                };
                let free = m.free_above.is_some_and(|t| {
                    request.subtotal.currency() == t.currency() && request.subtotal.amount() >= t.amount()
                });
                let amount = if free {
                    Money::zero(self.currency)
                } else {
                    m.handling_fee.map_or(Ok(base), |fee| base.checked_add(fee)).ok()?
                };
                Some(Rate {
                    id: format!("table:{}:{}", zone.name, serde_json::to_value(m.method).ok()?.as_str()?),
                    method: m.method,
                    name: m.name.clone(),
                    carrier: m.carrier.clone(),
                    amount,
                    estimated_days: m.estimated_days,
                })
            })
            .collect();
        rates.sort_by(|a, b| a.amount.amount().cmp(&b.amount.amount()).then(a.method.cmp(&b.method)));
        rates
    }
}

#[async_trait]
impl ShippingProvider for TableRates {
    async fn quote(&self, request: &QuoteRequest) -> Result<Vec<Rate>> {
        Ok(self.rates(request))
    }

    fn free_shipping_above(&self, country: &CountryCode) -> Option<Money> {
        TableRates::free_shipping_above(self, country)
    }

    /// A table knows no parcels: the status is `unknown`, with no events.
    async fn track(&self, carrier: &str, tracking_number: &str) -> Result<Tracking> {
        Ok(Tracking {
            carrier: carrier.to_owned(),
            tracking_number: tracking_number.to_owned(),
            status: TrackingStatus::Unknown,
            events: Vec::new(),
        })
    }
}
