//! Plugs a custom [`EmailSender`] into the niteputter server: everything else comes from the configuration, as the
//! binary builds it, and only the email transport is swapped. The example serves on a random loopback port, buys a
//! Pro light over HTTP as a guest, pays with the test provider, and waits until the outbox worker hands the order
//! confirmation to our sender. Then it shuts the server down.
//!
//! Run with `cargo run -p nite-examples --example custom_email_sender`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use nite_core::email::{EmailMessage, EmailSender};
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

/// A sender that keeps every message in memory: a stand-in for a team's own transport (a queue, a CRM, a chat).
#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<EmailMessage>>,
    arrived: Notify,
}

#[async_trait]
impl EmailSender for Inbox {
    fn name(&self) -> &'static str {
        "inbox"
    }

    async fn send(&self, message: &EmailMessage) -> nite_core::Result<()> {
        self.messages
            .lock()
            .map_err(|_| nite_core::Error::adapter("the inbox", "poisoned lock"))?
            .push(message.clone());
        self.arrived.notify_waiters();
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let env: HashMap<&str, String> = HashMap::from([
        ("NITE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display())),
        ("NITE_BIND", "127.0.0.1:0".to_owned()),
        ("NITE_SHOP_URL", "https://putters.example".to_owned()),
    ]);
    let config = nite_http::config::Config::load(None, &|key| env.get(key).cloned())?;

    // The configured shop, with one part swapped.
    let inbox = Arc::new(Inbox::default());
    let (builder, database) = nite_http::shop_builder(&config).await?;
    // Only the transport changes: the emails still carry the configured shop URL and sender address.
    let shop = builder.email_sender(inbox.clone()).build()?;
    nite_core::seed::load(&shop.ctx.stores).await?;
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let base = format!("http://{}/api/v1", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        nite_http::serve_shop(nite_http::ServeOptions::from_config(&config), shop, database, listener, async {
            let _ = stopped.await;
        })
        .await
    });

    let order_id = buy_a_pro(&base).await?;
    println!("order {order_id} is paid; waiting for the outbox worker…");
    let confirmation = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let arrived = inbox.arrived.notified();
            if let Some(found) =
                inbox.messages.lock().ok().and_then(|m| m.iter().find(|m| m.text.contains(order_id.as_str())).cloned())
            {
                return found;
            }
            arrived.await;
        }
    })
    .await
    .context("no confirmation within 30 s")?;
    println!("our sender got \"{}\" for {} from {}", confirmation.subject, confirmation.to, confirmation.from.email);
    anyhow::ensure!(
        confirmation.text.contains("https://putters.example") && confirmation.from.email.as_str().ends_with(".example"),
        "swapping the sender keeps the shop's URL and sender address"
    );

    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// A guest's purchase through the HTTP API: cart, Pro light, address, cheapest shipping, checkout, test payment.
async fn buy_a_pro(base: &str) -> anyhow::Result<String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http.request(method, format!("{base}{path}")).header("idempotency-key", "example-1");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await?;
            if !status.is_success() {
                bail!("{status}: {body}");
            }
            anyhow::Ok(body)
        }
    };
    use reqwest::Method;
    let cart = call(Method::POST, "/carts".into(), None).await?;
    let cart = cart["id"].as_str().context("a cart id")?.to_owned();
    call(Method::POST, format!("/carts/{cart}/items"), Some(json!({ "sku": "NP-PRO-GRN", "quantity": 1 }))).await?;
    let address = json!({ "name": "Ada Lovelace", "line1": "1 Fairway Dr", "city": "Austin", "region": "TX",
                          "postal_code": "78701", "country": "US" });
    let addresses = json!({ "email": "ada@example.com", "shipping_address": address });
    call(Method::PUT, format!("/carts/{cart}/addresses"), Some(addresses)).await?;
    let options = call(Method::GET, format!("/carts/{cart}/shipping-options"), None).await?;
    let option = options["data"][0]["id"].as_str().context("a shipping option")?.to_owned();
    call(Method::PUT, format!("/carts/{cart}/shipping-option"), Some(json!({ "id": option }))).await?;
    let placed = call(Method::POST, format!("/carts/{cart}/checkout"), None).await?;
    let payment = placed["payment"]["id"].as_str().context("a payment id")?;
    call(Method::POST, format!("/payments/{payment}/test-confirm"), Some(json!({ "outcome": "succeeded" }))).await?;
    Ok(placed["order"]["id"].as_str().context("an order id")?.to_owned())
}
