//! `EasyPostCarrier`: live rates and tracking from EasyPost (an aggregator over USPS, UPS, FedEx and more), over
//! reqwest, with the API base configurable for a local fake. When EasyPost is unreachable or failing (a timeout,
//! a refused connection, a 5xx), quotes fall back to the table, so checkout keeps working.
//!
//! Wire format (EasyPost API v2): HTTP Basic auth with the API key as the user name; `POST /v2/shipments` with
//! `{"shipment": {"from_address", "to_address", "parcel"}}` answers a Shipment whose `rates` carry `carrier`,
//! `service`, `rate` (a decimal string), `currency` and `delivery_days`; `POST /v2/trackers` with
//! `{"tracker": {"tracking_code", "carrier"}}` answers a Tracker with `status` and `tracking_details`. Errors are
//! `{"error": {"code", "message"}}`. Parcels are in ounces and inches, as EasyPost wants them.

use std::time::Duration;

use async_trait::async_trait;
use nite_core::shipping::{
    QuoteRequest, Rate, ShippingMethod, ShippingProvider, Tracking, TrackingEvent, TrackingStatus,
};
use nite_core::{Address, Currency, Error, Money, Result};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::TableRates;

/// EasyPost settings that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EasyPostConfigError {
    /// No API key.
    #[error("the EasyPost API key is empty")]
    ApiKey,
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// Rates and tracking from EasyPost, with table rates to fall back on.
#[derive(Clone)]
pub struct EasyPostCarrier {
    client: reqwest::Client,
    api_key: String,
    api_base: String,
    from: Address,
    fallback: Option<TableRates>,
}

impl std::fmt::Debug for EasyPostCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasyPostCarrier").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct EasyPostRate {
    id: String,
    carrier: String,
    service: String,
    rate: String,
    currency: String,
    delivery_days: Option<u32>,
}

#[derive(Deserialize)]
struct Shipment {
    #[serde(default)]
    rates: Vec<EasyPostRate>,
}

#[derive(Deserialize)]
struct Detail {
    datetime: String,
    message: Option<String>,
    status: String,
    tracking_location: Option<Value>,
}

#[derive(Deserialize)]
struct Tracker {
    tracking_code: String,
    carrier: String,
    status: String,
    #[serde(default)]
    tracking_details: Vec<Detail>,
}

/// An EasyPost failure: worth a fallback or retry (`transient`), or the caller's mistake.
enum Failure {
    Transient(String),
    Rejected { status: u16, code: String, message: String },
}

fn status(value: &str) -> TrackingStatus {
    match value {
        "pre_transit" => TrackingStatus::PreTransit,
        "in_transit" => TrackingStatus::InTransit,
        "out_for_delivery" => TrackingStatus::OutForDelivery,
        "delivered" => TrackingStatus::Delivered,
        "return_to_sender" => TrackingStatus::ReturnToSender,
        "failure" | "error" => TrackingStatus::Failure,
        _ => TrackingStatus::Unknown,
    }
}

fn method(days: Option<u32>, service: &str) -> ShippingMethod {
    let service = service.to_ascii_lowercase();
    match days {
        _ if service.contains("overnight") || service.contains("nextday") || service.contains("next_day") => {
            ShippingMethod::Overnight
        }
        Some(0 | 1) => ShippingMethod::Overnight,
        Some(2 | 3) => ShippingMethod::Express,
        _ if service.contains("express") || service.contains("2day") || service.contains("priority") => {
            ShippingMethod::Express
        }
        _ => ShippingMethod::Standard,
    }
}

fn address_json(a: &Address) -> Value {
    json!({
        "name": a.name, "street1": a.line1, "street2": a.line2, "city": a.city, "state": a.region,
        "zip": a.postal_code, "country": a.country.as_str(), "phone": a.phone,
    })
}

/// A count of tenths as a JSON number (`123` → `12.3`), written out rather than computed in floating point.
fn tenths(value: u64) -> Value {
    serde_json::from_str(&format!("{}.{}", value / 10, value % 10)).unwrap_or(Value::Null)
}

/// Grams to ounces, rounded up to a tenth (EasyPost takes ounces; rounding up never under-declares).
fn ounces(grams: u64) -> Value {
    // 1 oz = 28.349523125 g; in integers: tenths of an ounce = ceil(grams × 10 × 10^6 / 28 349 523).
    tenths((grams * 10_000_000).div_ceil(28_349_523))
}

impl EasyPostCarrier {
    /// A carrier with `api_key`, talking to `api_base` (EasyPost's is `https://api.easypost.com`), shipping from
    /// `from`, each request limited to `timeout`, quoting from `fallback` when EasyPost cannot answer.
    pub fn new(
        api_key: &str,
        api_base: &str,
        from: Address,
        timeout: Duration,
        fallback: Option<TableRates>,
    ) -> std::result::Result<EasyPostCarrier, EasyPostConfigError> {
        if api_key.trim().is_empty() {
            return Err(EasyPostConfigError::ApiKey);
        }
        let client = http_client(timeout).map_err(EasyPostConfigError::Client)?;
        Ok(EasyPostCarrier {
            client,
            api_key: api_key.to_owned(),
            api_base: api_base.trim_end_matches('/').to_owned(),
            from,
            fallback,
        })
    }

    async fn post<T: serde::de::DeserializeOwned>(&self, path: &str, body: &Value) -> std::result::Result<T, Failure> {
        let response = self
            .client
            .post(format!("{}{path}", self.api_base))
            .basic_auth(&self.api_key, Some(""))
            .json(body)
            .send()
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?;
        let status = response.status().as_u16();
        // A refused key is the shop's configuration, not the shopper's mistake: like an outage, it falls back.
        if status >= 500 || matches!(status, 401 | 403 | 429) {
            return Err(Failure::Transient(format!("EasyPost answered {status}")));
        }
        let bytes = response.bytes().await.map_err(|e| Failure::Transient(e.to_string()))?;
        if status >= 400 {
            let envelope: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let text = |k: &str| envelope["error"][k].as_str().unwrap_or_default().to_owned();
            return Err(Failure::Rejected { status, code: text("code"), message: text("message") });
        }
        serde_json::from_slice(&bytes).map_err(|e| Failure::Transient(format!("an unreadable answer: {e}")))
    }

    fn parcel(request: &QuoteRequest) -> Value {
        // The largest box among the items stands for the parcel's size; EasyPost prices mostly by weight.
        let largest = request
            .items
            .iter()
            .filter_map(|i| i.dimensions)
            .max_by_key(|d| u64::from(d.length_mm) * u64::from(d.width_mm) * u64::from(d.height_mm));
        // 1 in = 25.4 mm, so tenths of an inch = ceil(mm / 2.54) = ceil(mm × 100 / 254).
        let inches = |mm: u32| tenths((u64::from(mm) * 100).div_ceil(254));
        let mut parcel = json!({ "weight": ounces(request.weight_grams()) });
        if let Some(d) = largest {
            parcel["length"] = inches(d.length_mm);
            parcel["width"] = inches(d.width_mm);
            parcel["height"] = inches(d.height_mm);
        }
        parcel
    }
}

/// An HTTP client whose TLS uses ring and the platform's roots, set on the client itself: nothing process-wide is
/// installed (that is the binary's choice, not a library's), and nothing panics for want of a default provider.
fn http_client(timeout: std::time::Duration) -> std::result::Result<reqwest::Client, String> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| e.to_string())?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
        .with_no_client_auth();
    reqwest::Client::builder().timeout(timeout).tls_backend_preconfigured(tls).build().map_err(|e| e.to_string())
}

#[async_trait]
impl ShippingProvider for EasyPostCarrier {
    async fn quote(&self, request: &QuoteRequest) -> Result<Vec<Rate>> {
        let body = json!({ "shipment": {
            "from_address": address_json(&self.from),
            "to_address": address_json(&request.destination),
            "parcel": Self::parcel(request),
        }});
        match self.post::<Shipment>("/v2/shipments", &body).await {
            Ok(shipment) => {
                let mut rates = Vec::with_capacity(shipment.rates.len());
                for r in shipment.rates {
                    let Ok(currency) = Currency::from_code(&r.currency) else { continue };
                    if currency != request.currency {
                        continue;
                    }
                    let amount = Money::parse(&r.rate, currency)
                        .map_err(|e| Error::adapter("reading an EasyPost rate", e))?
                        .round(nite_core::RoundingMode::HalfUp);
                    rates.push(Rate {
                        id: format!("easypost:{}", r.id),
                        method: method(r.delivery_days, &r.service),
                        name: format!("{} {}", r.carrier, r.service),
                        carrier: r.carrier,
                        amount,
                        estimated_days: r.delivery_days,
                    });
                }
                rates.sort_by(|a, b| a.amount.amount().cmp(&b.amount.amount()).then(a.method.cmp(&b.method)));
                Ok(rates)
            }
            Err(Failure::Transient(reason)) => match &self.fallback {
                Some(table) => {
                    tracing::warn!(%reason, "EasyPost unavailable; quoting from the rate table");
                    Ok(table.rates(request))
                }
                None => Err(Error::adapter("quoting with EasyPost", reason)),
            },
            Err(Failure::Rejected { status, code, message }) => Err(Error::invalid(
                "shipping_address",
                format!("the carrier refused the shipment ({status} {code}): {message}"),
            )),
        }
    }

    async fn track(&self, carrier: &str, tracking_number: &str) -> Result<Tracking> {
        let body = json!({ "tracker": { "tracking_code": tracking_number, "carrier": carrier } });
        let tracker = match self.post::<Tracker>("/v2/trackers", &body).await {
            Ok(tracker) => tracker,
            Err(Failure::Transient(reason)) => return Err(Error::adapter("tracking with EasyPost", reason)),
            Err(Failure::Rejected { .. }) => return Err(Error::not_found("tracking number", tracking_number)),
        };
        let mut events = Vec::with_capacity(tracker.tracking_details.len());
        for d in tracker.tracking_details {
            let at = OffsetDateTime::parse(&d.datetime, &time::format_description::well_known::Rfc3339)
                .map_err(|e| Error::adapter("reading an EasyPost tracking event", e))?;
            let location = d.tracking_location.as_ref().and_then(|l| {
                let part = |k: &str| l[k].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
                let parts: Vec<String> = ["city", "state", "country"].iter().filter_map(|k| part(k)).collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            });
            events.push(TrackingEvent {
                at,
                status: status(&d.status),
                description: d.message.unwrap_or_default(),
                location,
            });
        }
        events.sort_by_key(|e| e.at);
        Ok(Tracking {
            carrier: tracker.carrier,
            tracking_number: tracker.tracking_code,
            status: status(&tracker.status),
            events,
        })
    }
}
