//! The providers the configuration chooses, built as the binary builds them: EasyPost configured but unreachable
//! falls back to the table of rates, and a table file that does not parse stops the start naming its key.

use std::collections::HashMap;

use axum::http::StatusCode;
use nite_http::config::Config;
use nite_http::{AppState, app, build_shop};
use serde_json::json;

use crate::api::{SECRET, address, call};

fn config(pairs: &[(&str, String)]) -> Config {
    let env: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    Config::load(None, &|key| env.get(key).cloned()).unwrap()
}

#[tokio::test]
async fn a_configured_carrier_that_is_down_falls_back_to_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config = config(&[
        ("NITE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display())),
        ("NITE_EMAIL_DIR", dir.path().join("mail").display().to_string()),
        ("NITE_SHIPPING", "easypost".to_owned()),
        ("NITE_EASYPOST_API_KEY", "EZTK_test_key".to_owned()),
        // Nothing listens here once the probe listener is dropped: the carrier cannot answer.
        ("NITE_EASYPOST_API_BASE", format!("http://{closed}")),
    ]);
    let (shop, database) = build_shop(&config).await.unwrap();
    nite_core::seed::load(&shop.ctx.stores).await.unwrap();
    let app = app(AppState::new(shop, Some(database), SECRET));
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-PRO-GRN", "quantity": 1 })), &[]).await;
    let addresses = json!({ "email": "ada@example.com", "shipping_address": address() });
    call(&app, "PUT", &format!("{base}/addresses"), Some(addresses), &[]).await;
    let (status, options) = call(&app, "GET", &format!("{base}/shipping-options"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(options["data"][0]["id"], "table:us:standard", "{options}");
}

#[tokio::test]
async fn a_rates_file_that_does_not_parse_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let rates = dir.path().join("rates.toml");
    std::fs::write(&rates, "zones = 3\n").unwrap();
    let config = config(&[
        ("NITE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display())),
        ("NITE_EMAIL_DIR", dir.path().join("mail").display().to_string()),
        ("NITE_SHIPPING_RATES", rates.display().to_string()),
    ]);
    let error = build_shop(&config).await.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(error.contains("NITE_SHIPPING_RATES"), "{error}");
}

/// The outbox worker that `serve_shop` runs keeps the shop's clock, not the wall clock: with the shop's time set in
/// 2100, a welcome email written "in 2100" is due for it, and sent (a worker on the wall clock would wait 74 years).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_worker_runs_on_the_shops_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    let env: std::collections::HashMap<&str, String> = std::collections::HashMap::from([
        ("NITE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display())),
        ("NITE_BIND", "127.0.0.1:0".to_owned()),
        ("NITE_EMAIL_DIR", mail.display().to_string()),
    ]);
    let config = nite_http::config::Config::load(None, &|key| env.get(key).cloned()).unwrap();
    let (builder, database) = nite_http::shop_builder(&config).await.unwrap();
    let future = time::macros::datetime!(2100-01-01 12:00 UTC);
    let shop = builder.clock(std::sync::Arc::new(nite_core::testing::FixedClock::new(future))).build().unwrap();
    let listener = tokio::net::TcpListener::bind(config.bind).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        nite_http::serve_shop(nite_http::ServeOptions::from_config(&config), shop, database, listener, async {
            let _ = stopped.await;
        })
        .await
    });
    let body = serde_json::json!({ "email": "ada@example.com", "password": "correct horse battery", "name": "Ada" });
    let (status, _) = crate::e2e::http(port, "POST", "/api/v1/auth/register", Some(&body), None).await;
    assert_eq!(status, 201);
    let mut sent = 0;
    for _ in 0..100 {
        sent = std::fs::read_dir(&mail).map(|entries| entries.count()).unwrap_or(0);
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sent, 1, "the welcome email was sent by a worker on the shop's clock");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
