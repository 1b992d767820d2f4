//! Extends the niteputter server without forking it: a payment provider of our own ("acme", which signs its
//! webhooks with an HMAC of the body) gets its webhook at `/api/v1/webhooks/acme` through the port, and a route of our
//! own, `/api/v1/acme/report`, is merged into the served app and reuses nite's administrator check and error type.
//!
//! The example serves on a random loopback port, checks the route refuses a guest (`401`) and a customer (`403`) and
//! answers an administrator, buys a Pro light as a guest, pays it the way Acme would (a signed webhook: a forged
//! signature is refused, a replay changes nothing), and reads the order back as paid. Then it shuts the server down.
//!
//! Run with `cargo run -p nite-examples --example custom_provider_and_route`.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use async_trait::async_trait;
use axum::Json;
use axum::extract::State;
use hmac::{Hmac, KeyInit, Mac};
use nite_core::payment::{
    CreatePayment, PaymentEvent, PaymentEventKind, PaymentProvider, ProviderPayment, ProviderRefund, RefundRequest,
    TestPaymentProvider, WebhookRequest,
};
use nite_core::{Currency, Error, Money, PaymentId};
use nite_http::extract::Admin;
use nite_http::{ApiError, AppState, ServeOptions};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::oneshot;

const SECRET: &[u8] = b"acme-webhook-secret";

/// Acme's payments: created, captured and refunded like the test provider's (a stand-in for Acme's API), with its
/// own name and its own webhook format.
struct Acme {
    api: TestPaymentProvider,
    secret: Vec<u8>,
}

/// An Acme webhook body.
#[derive(serde::Deserialize)]
struct AcmeEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    payment: String,
    amount_cents: i64,
}

#[async_trait]
impl PaymentProvider for Acme {
    fn name(&self) -> &'static str {
        "acme"
    }

    async fn create_payment(&self, request: &CreatePayment) -> nite_core::Result<ProviderPayment> {
        self.api.create_payment(request).await
    }

    async fn payment(&self, id: &PaymentId) -> nite_core::Result<ProviderPayment> {
        self.api.payment(id).await
    }

    async fn capture(&self, id: &PaymentId, amount: Option<Money>) -> nite_core::Result<ProviderPayment> {
        self.api.capture(id, amount).await
    }

    async fn cancel(&self, id: &PaymentId) -> nite_core::Result<ProviderPayment> {
        self.api.cancel(id).await
    }

    async fn refund(&self, request: &RefundRequest) -> nite_core::Result<ProviderRefund> {
        self.api.refund(request).await
    }

    /// Verification and parsing belong to the provider; nite's route is generic and applies the event once.
    fn parse_webhook(&self, request: &WebhookRequest<'_>) -> nite_core::Result<Option<PaymentEvent>> {
        let refused = |why: &str| Error::SignatureInvalid(why.to_owned());
        let signature = request.header("acme-signature").ok_or_else(|| refused("no Acme-Signature header"))?;
        let signature = hex::decode(signature).map_err(|_| refused("Acme-Signature is not hex"))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).map_err(|_| refused("no usable secret"))?;
        mac.update(request.body);
        // Constant time.
        mac.verify_slice(&signature).map_err(|_| refused("Acme-Signature does not match the body"))?;
        let event: AcmeEvent =
            serde_json::from_slice(request.body).map_err(|e| Error::invalid("body", e.to_string()))?;
        if event.kind != "payment.succeeded" {
            return Ok(None);
        }
        Ok(Some(PaymentEvent {
            provider: self.name().to_owned(),
            event_id: event.id,
            payment_id: PaymentId::parse(&event.payment).map_err(|e| Error::invalid("payment", e.to_string()))?,
            order_id: None,
            kind: PaymentEventKind::Succeeded,
            amount: Money::from_minor(event.amount_cents, Currency::USD),
        }))
    }
}

/// Our own route: how many orders the shop has taken, for administrators only (nite's check, nite's problems).
async fn report(State(app): State<AppState>, Admin(viewer): Admin) -> Result<Json<Value>, ApiError> {
    let filter = nite_core::ports::OrderFilter { limit: nite_core::ports::Limit::MAX, ..Default::default() };
    let orders = app.shop.orders.all(&viewer, &filter).await?;
    let paid = orders.items.iter().filter(|o| o.state() == nite_core::order::OrderState::Paid).count();
    Ok(Json(json!({ "orders": orders.items.len(), "paid": paid, "provider": app.shop.ctx.payments.name() })))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir()?;
    let env: HashMap<&str, String> = HashMap::from([
        ("NITE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display())),
        ("NITE_BIND", "127.0.0.1:0".to_owned()),
        ("NITE_EMAIL_DIR", dir.path().join("mail").display().to_string()),
        ("NITE_JWT_SECRET", "an example secret of at least 32 bytes".to_owned()),
    ]);
    let config = nite_http::config::Config::load(None, &|key| env.get(key).cloned())?;

    // The configured shop with Acme taking the payments.
    let (builder, database) = nite_http::shop_builder(&config).await?;
    let acme = Acme { api: TestPaymentProvider::new(Arc::new(nite_core::RandomIds)), secret: SECRET.to_vec() };
    let shop = builder.payments(Arc::new(acme)).build()?;
    nite_core::seed::load(&shop.ctx.stores).await?;
    shop.sessions.register_admin("boss@example.com", "Boss", "the boss's password").await?;

    // Our route, merged into the served app.
    let mut options = ServeOptions::from_config(&config);
    options.routes = axum::Router::new().route("/api/v1/acme/report", axum::routing::get(report));
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let base = format!("http://{}/api/v1", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(nite_http::serve_shop(options, shop, database, listener, async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let call = |method: Method, path: &str, body: Option<Value>, headers: Vec<(&'static str, String)>| {
        let mut request = http.request(method, format!("{base}{path}"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            anyhow::Ok((status, body))
        }
    };

    // The route: nite's administrator check, nite's problems.
    let (status, problem) = call(Method::GET, "/acme/report", None, vec![]).await?;
    ensure!(status == 401 && problem["code"] == "unauthorized", "a guest: {status} {problem}");
    let shopper = json!({ "email": "shopper@example.com", "password": "a shopper's password", "name": "Shopper" });
    let (_, session) = call(Method::POST, "/auth/register", Some(shopper), vec![]).await?;
    let customer = format!("Bearer {}", session["access_token"].as_str().context("a token")?);
    let (status, problem) = call(Method::GET, "/acme/report", None, vec![("authorization", customer)]).await?;
    ensure!(status == 403 && problem["code"] == "forbidden", "a customer: {status} {problem}");
    let boss = json!({ "email": "boss@example.com", "password": "the boss's password" });
    let (_, session) = call(Method::POST, "/auth/login", Some(boss), vec![]).await?;
    let admin = format!("Bearer {}", session["access_token"].as_str().context("a token")?);
    let (status, shown) = call(Method::GET, "/acme/report", None, vec![("authorization", admin.clone())]).await?;
    ensure!(status == 200 && shown["orders"] == 0 && shown["provider"] == "acme", "{status} {shown}");

    // A guest's purchase, paid through Acme's webhook.
    let (_, cart) = call(Method::POST, "/carts", None, vec![]).await?;
    let cart = cart["id"].as_str().context("a cart id")?.to_owned();
    let item = json!({ "sku": "NP-PRO-GRN", "quantity": 1 });
    call(Method::POST, &format!("/carts/{cart}/items"), Some(item), vec![]).await?;
    let address = json!({ "name": "Ada Lovelace", "line1": "1 Fairway Dr", "city": "Austin", "region": "TX",
                          "postal_code": "78701", "country": "US" });
    let addresses = json!({ "email": "ada@example.com", "shipping_address": address });
    call(Method::PUT, &format!("/carts/{cart}/addresses"), Some(addresses), vec![]).await?;
    let (_, options) = call(Method::GET, &format!("/carts/{cart}/shipping-options"), None, vec![]).await?;
    let option = json!({ "id": options["data"][0]["id"] });
    call(Method::PUT, &format!("/carts/{cart}/shipping-option"), Some(option), vec![]).await?;
    let key = vec![("idempotency-key", "acme-example-1".to_owned())];
    let (status, placed) = call(Method::POST, &format!("/carts/{cart}/checkout"), None, key).await?;
    ensure!(status == 201, "checkout: {status} {placed}");
    let order = placed["order"]["id"].as_str().context("an order id")?.to_owned();
    let payment = placed["payment"]["id"].as_str().context("a payment id")?;
    let total = placed["order"]["totals"]["total"]["amount"].as_str().context("a total")?;
    let cents: i64 = total.replace('.', "").parse()?;
    let event = json!({ "id": "acme_evt_1", "type": "payment.succeeded", "payment": payment, "amount_cents": cents });
    let body = serde_json::to_vec(&event)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET)?;
    mac.update(&body);
    let signature = hex::encode(mac.finalize().into_bytes());
    let webhook = |signature: String| {
        http.post(format!("{base}/webhooks/acme"))
            .header("content-type", "application/json")
            .header("acme-signature", signature)
            .body(body.clone())
            .send()
    };
    let forged = webhook("00".repeat(32)).await?;
    ensure!(forged.status().as_u16() == 400, "a forged signature: {}", forged.status());
    let (status, unpaid) = call(Method::GET, "/acme/report", None, vec![("authorization", admin.clone())]).await?;
    ensure!(status == 200 && unpaid["paid"] == 0, "nothing changed: {unpaid}");
    for attempt in ["first", "replayed"] {
        let response = webhook(signature.clone()).await?;
        let status = response.status().as_u16();
        let received: Value = response.json().await?;
        ensure!(status == 200 && received["handled"] == true, "the {attempt} webhook: {status} {received}");
        println!("the {attempt} webhook: {}", received["outcome"]);
    }
    let (_, shown) = call(Method::GET, "/acme/report", None, vec![("authorization", admin)]).await?;
    if shown["paid"] != 1 {
        bail!("order {order} should be paid once: {shown}");
    }
    println!("order {order} was paid through Acme's webhook; our route reports {shown}");

    let _ = stop.send(());
    server.await??;
    Ok(())
}
