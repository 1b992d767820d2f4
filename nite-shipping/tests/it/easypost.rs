//! The EasyPost carrier against a local fake of EasyPost's API (Basic auth, its JSON objects and error envelope):
//! rates, tracking, the contract, errors, and the fallback to the table when EasyPost is down or slow.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use nite_core::shipping::{ShippingMethod, ShippingProvider, TrackingStatus};
use nite_core::{Currency, Error, Money};
use nite_shipping::{EasyPostCarrier, TableRates};
use serde_json::{Value, json};

use crate::table::{request, to};

const KEY: &str = "EZTK_fake_key";

#[derive(Clone, Default)]
struct FakeEasyPost {
    requests: Arc<Mutex<Vec<Value>>>,
    /// Scripted answers for the next requests: (status, body, delay in ms).
    script: Arc<Mutex<Vec<(u16, Value, u64)>>>,
}

fn rate(id: &str, carrier: &str, service: &str, amount: &str, currency: &str, days: Option<u32>) -> Value {
    json!({ "id": id, "object": "Rate", "carrier": carrier, "service": service, "rate": amount,
            "currency": currency, "delivery_days": days, "shipment_id": "shp_1", "mode": "test" })
}

impl FakeEasyPost {
    async fn start(&self) -> String {
        let me = self.clone();
        let handler = move |path: &'static str| {
            let me = me.clone();
            move |headers: HeaderMap, body: axum::body::Bytes| {
                let me = me.clone();
                async move {
                    let scripted = me.script.lock().unwrap().pop();
                    if let Some((status, answer, delay)) = scripted {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                        return (StatusCode::from_u16(status).unwrap(), answer.to_string());
                    }
                    // Basic auth: the key is the user name, the password empty ("EZTK_fake_key:" in base64).
                    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Basic RVpUS19mYWtlX2tleTo=")
                    {
                        let answer = json!({ "error": { "code": "APIKEY.INACTIVE", "message": "This api key is no longer active.", "errors": [] } });
                        return (StatusCode::UNAUTHORIZED, answer.to_string());
                    }
                    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    me.requests.lock().unwrap().push(request.clone());
                    if path == "shipments" {
                        if request["shipment"]["to_address"]["zip"] == "00000" {
                            let answer = json!({ "error": { "code": "ADDRESS.VERIFY.FAILURE", "message": "Unable to verify address.", "errors": [] } });
                            return (StatusCode::UNPROCESSABLE_ENTITY, answer.to_string());
                        }
                        let answer = json!({ "id": "shp_1", "object": "Shipment", "mode": "test", "rates": [
                            rate("rate_ground", "USPS", "GroundAdvantage", "5.61", "USD", Some(5)),
                            rate("rate_overnight", "FedEx", "STANDARD_OVERNIGHT", "38.20", "USD", Some(1)),
                            rate("rate_2day", "UPS", "2ndDayAir", "17.15", "USD", Some(2)),
                            rate("rate_cad", "CanadaPost", "Expedited", "21.00", "CAD", Some(4)),
                        ]});
                        (StatusCode::OK, answer.to_string())
                    } else {
                        let code = request["tracker"]["tracking_code"].as_str().unwrap_or_default().to_owned();
                        if code != "EZ4000000004" {
                            let answer = json!({ "error": { "code": "TRACKER.CODE.INVALID", "message": "Invalid tracking code", "errors": [] } });
                            return (StatusCode::UNPROCESSABLE_ENTITY, answer.to_string());
                        }
                        let answer = json!({ "id": "trk_1", "object": "Tracker", "tracking_code": code, "carrier": "USPS",
                        "status": "out_for_delivery", "tracking_details": [
                            { "object": "TrackingDetail", "datetime": "2026-06-02T09:10:00Z", "message": "Out for delivery",
                              "status": "out_for_delivery", "tracking_location": { "city": "SAN FRANCISCO", "state": "CA", "country": "US", "zip": "94105" } },
                            { "object": "TrackingDetail", "datetime": "2026-06-01T15:00:00Z", "message": "Accepted at USPS facility",
                              "status": "in_transit", "tracking_location": { "city": "OAKLAND", "state": "CA", "country": "US", "zip": null } }
                        ]});
                        (StatusCode::OK, answer.to_string())
                    }
                }
            }
        };
        let app = Router::new()
            .route("/v2/shipments", post(handler("shipments")))
            .route("/v2/trackers", post(handler("trackers")));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }

    fn fail_next(&self, status: u16, delay_ms: u64) {
        let answer = json!({ "error": { "code": "INTERNAL_SERVER_ERROR", "message": "down", "errors": [] } });
        self.script.lock().unwrap().push((status, answer, delay_ms));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

fn carrier(url: &str, key: &str, fallback: Option<TableRates>) -> EasyPostCarrier {
    EasyPostCarrier::new(key, url, to("US", Some("CA")), Duration::from_millis(500), fallback).unwrap()
}

#[test]
fn easypost_keeps_the_shipping_contract() {
    runtime().block_on(async {
        let fake = FakeEasyPost::default();
        let url = fake.start().await;
        let easypost = carrier(&url, KEY, None);
        nite_core::contract::shipping_provider(
            &easypost,
            &request(to("US", Some("NY")), 240, 2, 5_000),
            "USPS",
            "EZ4000000004",
        )
        .await;
        let table = TableRates::niteputter();
        nite_core::contract::shipping_provider(
            &table,
            &request(to("US", Some("NY")), 240, 2, 5_000),
            "USPS",
            "EZ4000000004",
        )
        .await;
    });
}

#[test]
fn rates_come_from_easypost_in_the_shops_currency() {
    runtime().block_on(async {
        let fake = FakeEasyPost::default();
        let url = fake.start().await;
        let rates = carrier(&url, KEY, None).quote(&request(to("US", Some("NY")), 240, 2, 5_000)).await.unwrap();
        let summary: Vec<_> = rates.iter().map(|r| (r.id.as_str(), r.method, r.amount)).collect();
        let usd = |c| Money::from_minor(c, Currency::USD);
        assert_eq!(
            summary,
            [
                ("easypost:rate_ground", ShippingMethod::Standard, usd(561)),
                ("easypost:rate_2day", ShippingMethod::Express, usd(1715)),
                ("easypost:rate_overnight", ShippingMethod::Overnight, usd(3820)),
            ]
        );
        // 480 g is 16.93… oz, declared as 17.0; the parcel's size is the largest item's box (none here).
        let sent = fake.requests.lock().unwrap()[0].clone();
        assert_eq!(sent["shipment"]["parcel"]["weight"], json!(17.0));
        assert_eq!(sent["shipment"]["to_address"]["state"], "NY");
        assert_eq!(sent["shipment"]["from_address"]["zip"], "12345");
    });
}

#[test]
fn tracking_reads_the_carriers_scans() {
    runtime().block_on(async {
        let fake = FakeEasyPost::default();
        let url = fake.start().await;
        let tracking = carrier(&url, KEY, None).track("USPS", "EZ4000000004").await.unwrap();
        assert_eq!(tracking.status, TrackingStatus::OutForDelivery);
        let scans: Vec<_> =
            tracking.events.iter().map(|e| (e.status, e.location.clone().unwrap_or_default())).collect();
        assert_eq!(
            scans,
            [
                (TrackingStatus::InTransit, "OAKLAND, CA, US".into()),
                (TrackingStatus::OutForDelivery, "SAN FRANCISCO, CA, US".into())
            ]
        );
        assert!(matches!(carrier(&url, KEY, None).track("USPS", "nope").await, Err(Error::NotFound { .. })));
    });
}

#[test]
fn a_down_or_slow_carrier_falls_back_to_the_table() {
    runtime().block_on(async {
        let fake = FakeEasyPost::default();
        let url = fake.start().await;
        let req = request(to("US", Some("NY")), 240, 2, 5_000);
        let table = TableRates::niteputter();
        fake.fail_next(500, 0);
        let rates = carrier(&url, KEY, Some(table.clone())).quote(&req).await.unwrap();
        assert_eq!(rates, table.rates(&req), "a 5xx: the table's rates");
        fake.fail_next(200, 2_000);
        assert_eq!(carrier(&url, KEY, Some(table.clone())).quote(&req).await.unwrap(), table.rates(&req), "a timeout");
        fake.fail_next(500, 0);
        assert!(matches!(carrier(&url, KEY, None).quote(&req).await, Err(Error::Adapter { .. })), "no table: an error");
        let closed = carrier("http://127.0.0.1:9", KEY, Some(table.clone()));
        assert_eq!(closed.quote(&req).await.unwrap(), table.rates(&req), "a refused connection");
    });
}

#[test]
fn a_refused_shipment_is_a_validation_error_and_keys_are_checked() {
    runtime().block_on(async {
        let fake = FakeEasyPost::default();
        let url = fake.start().await;
        let mut bad = to("US", Some("NY"));
        bad.postal_code = "00000".into();
        assert!(matches!(
            carrier(&url, KEY, None).quote(&request(bad, 240, 1, 5_000)).await,
            Err(Error::Validation(_))
        ));
        let req = request(to("US", Some("NY")), 240, 1, 5_000);
        let wrong = carrier(&url, "EZTK_other", Some(TableRates::niteputter()));
        assert_eq!(wrong.quote(&req).await.unwrap(), TableRates::niteputter().rates(&req), "a refused key falls back");
        assert!(matches!(carrier(&url, "EZTK_other", None).quote(&req).await, Err(Error::Adapter { .. })));
        assert!(EasyPostCarrier::new(" ", &url, to("US", Some("CA")), Duration::from_secs(1), None).is_err());
        assert!(!format!("{:?}", carrier(&url, KEY, None)).contains(KEY), "the key never reaches a log");
        // The library set up TLS on its own client: no process-wide crypto provider was installed behind the
        // embedding program's back.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    });
}
