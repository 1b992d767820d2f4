//! The routes of API.md: each handler parses, calls one service, and maps the answer. No business rule lives here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use nite_core::catalog::Sku;
use nite_core::payment::{TestOutcome, WebhookRequest};
use nite_core::ports::ProductFilter;
use nite_core::services::{EventOutcome, IdempotencyKey};
use nite_core::{Address, CartId, CartLineId, Category, Currency, OrderId, PaymentId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{SignedIn, Who};
use crate::error::ApiError;
use crate::extract::{ApiJson, IdempotencyHeader, fingerprint, id};
use crate::{AppState, views};

pub(crate) type ApiResult<T = Json<Value>> = Result<T, ApiError>;

/// Every route under `/api/v1`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/products", get(list_products))
        .route("/products/{slug}", get(show_product))
        .route("/products/{slug}/reviews", get(product_reviews).post(write_review))
        .route("/carts", post(create_cart))
        .route("/carts/{id}", get(show_cart))
        .route("/carts/{id}/items", post(add_item))
        .route("/carts/{id}/items/{line}", axum::routing::patch(update_item).delete(remove_item))
        .route("/carts/{id}/discount-codes", post(add_code))
        .route("/carts/{id}/discount-codes/{code}", axum::routing::delete(remove_code))
        .route("/carts/{id}/addresses", put(set_addresses))
        .route("/carts/{id}/shipping-options", get(shipping_options))
        .route("/carts/{id}/shipping-option", put(choose_shipping))
        .route("/carts/{id}/checkout", post(checkout))
        .route("/carts/{id}/claim", post(claim_cart))
        .route("/orders/{id}", get(show_order))
        .route("/orders/{id}/tracking", get(order_tracking))
        .route("/payments/{id}/test-confirm", post(test_confirm))
        .route("/webhooks/stripe", post(stripe_webhook))
        .merge(account_routes())
        .merge(crate::admin::routes())
}

#[derive(Deserialize)]
struct ListQuery {
    category: Option<String>,
    q: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// A page of items as API.md lists them: `{data, next_cursor}`.
pub(crate) fn page<T>(page: &nite_core::ports::Page<T>, view: impl Fn(&T) -> Value) -> Json<Value> {
    let data: Vec<Value> = page.items.iter().map(view).collect();
    Json(json!({ "data": data, "next_cursor": page.next_cursor }))
}

pub(crate) fn limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(20),
        Some(n @ 1..=100) => Ok(n),
        Some(_) => Err(ApiError::invalid("limit", "must be from 1 to 100")),
    }
}

async fn list_products(State(app): State<AppState>, Query(query): Query<ListQuery>) -> ApiResult {
    let category = match query.category.as_deref() {
        None => None,
        Some(c) => Some(Category::new(c).map_err(|_| ApiError::invalid("category", "is not a category"))?),
    };
    let filter = ProductFilter { category, query: query.q, limit: limit(query.limit)?, cursor: query.cursor };
    let found = app.shop.catalog.products(&filter).await?;
    Ok(page(&found, views::product))
}

async fn show_product(State(app): State<AppState>, Path(slug): Path<String>) -> ApiResult {
    let view = app.shop.catalog.product(&slug).await?;
    // Recorded off the request path: the response does not wait for the analytics write.
    let (shop, product) = (Arc::clone(&app.shop), view.product.clone());
    tokio::spawn(async move {
        if let Err(error) = shop.catalog.record_view(&product).await {
            tracing::warn!(error = %error, "recording a product view failed");
        }
    });
    Ok(Json(views::product(&view)))
}

async fn product_reviews(
    State(app): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    let found = app.shop.reviews.approved(&slug, limit(query.limit)?, query.cursor).await?;
    Ok(page(&found, views::public_review))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    rating: i64,
    title: String,
    body: String,
}

async fn write_review(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let review = nite_core::services::NewReview { rating: body.rating, title: body.title, body: body.body };
    let written = app.shop.reviews.write(&viewer, &slug, review).await?;
    Ok((StatusCode::CREATED, Json(views::review(&written))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewCart {
    currency: Option<String>,
}

async fn create_cart(State(app): State<AppState>, Who(viewer): Who, body: Bytes) -> ApiResult<impl IntoResponse> {
    // The body is optional: an empty one asks for the shop's currency.
    let body: NewCart = if body.iter().all(u8::is_ascii_whitespace) {
        NewCart::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", &e.to_string()))?
    };
    let currency = match body.currency.as_deref() {
        None => None,
        Some(code) => Some(Currency::from_code(code).map_err(|e| ApiError::invalid("currency", &e.to_string()))?),
    };
    let view = app.shop.carts.create(&viewer, currency).await?;
    Ok((StatusCode::CREATED, Json(views::cart(&view))))
}

fn cart_id(value: &str) -> Result<CartId, ApiError> {
    id(value, CartId::parse, "cart")
}

async fn show_cart(State(app): State<AppState>, Who(viewer): Who, Path(cart): Path<String>) -> ApiResult {
    Ok(Json(views::cart(&app.shop.carts.view(&cart_id(&cart)?, &viewer).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewItem {
    sku: String,
    quantity: i64,
}

/// Attaches a guest cart to the signed-in customer, merging it into their open cart if they have one.
async fn claim_cart(State(app): State<AppState>, SignedIn(viewer): SignedIn, Path(cart): Path<String>) -> ApiResult {
    Ok(Json(views::cart(&app.shop.carts.claim(&cart_id(&cart)?, &viewer).await?)))
}

fn quantity(q: i64) -> Result<u32, ApiError> {
    u32::try_from(q).map_err(|_| ApiError::invalid("quantity", "must be from 1 to 99"))
}

async fn add_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path(cart): Path<String>,
    ApiJson(item): ApiJson<NewItem>,
) -> ApiResult<impl IntoResponse> {
    let sku = Sku::new(&item.sku).map_err(|_| ApiError::from(nite_core::Error::not_found("sku", &item.sku)))?;
    let view = app.shop.carts.add_item(&cart_id(&cart)?, &viewer, &sku, quantity(item.quantity)?).await?;
    Ok((StatusCode::CREATED, Json(views::cart(&view))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemQuantity {
    quantity: i64,
}

async fn update_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path((cart, line)): Path<(String, String)>,
    ApiJson(body): ApiJson<ItemQuantity>,
) -> ApiResult {
    let line = id(&line, CartLineId::parse, "cart line")?;
    let view = app.shop.carts.update_item(&cart_id(&cart)?, &viewer, &line, quantity(body.quantity)?).await?;
    Ok(Json(views::cart(&view)))
}

async fn remove_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path((cart, line)): Path<(String, String)>,
) -> ApiResult {
    let line = id(&line, CartLineId::parse, "cart line")?;
    Ok(Json(views::cart(&app.shop.carts.remove_item(&cart_id(&cart)?, &viewer, &line).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Code {
    code: String,
}

async fn add_code(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path(cart): Path<String>,
    ApiJson(body): ApiJson<Code>,
) -> ApiResult {
    Ok(Json(views::cart(&app.shop.carts.add_code(&cart_id(&cart)?, &viewer, &body.code).await?)))
}

async fn remove_code(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path((cart, code)): Path<(String, String)>,
) -> ApiResult {
    Ok(Json(views::cart(&app.shop.carts.remove_code(&cart_id(&cart)?, &viewer, &code).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Addresses {
    email: String,
    shipping_address: Address,
    billing_address: Option<Address>,
}

async fn set_addresses(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path(cart): Path<String>,
    ApiJson(body): ApiJson<Addresses>,
) -> ApiResult {
    let view = app
        .shop
        .carts
        .set_addresses(&cart_id(&cart)?, &viewer, &body.email, body.shipping_address, body.billing_address)
        .await?;
    Ok(Json(views::cart(&view)))
}

async fn shipping_options(State(app): State<AppState>, Who(viewer): Who, Path(cart): Path<String>) -> ApiResult {
    let rates = app.shop.carts.shipping_options(&cart_id(&cart)?, &viewer).await?;
    Ok(Json(json!({ "data": rates.iter().map(views::rate).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChosenRate {
    id: String,
}

async fn choose_shipping(
    State(app): State<AppState>,
    Who(viewer): Who,
    Path(cart): Path<String>,
    ApiJson(body): ApiJson<ChosenRate>,
) -> ApiResult {
    Ok(Json(views::cart(&app.shop.carts.choose_shipping(&cart_id(&cart)?, &viewer, &body.id).await?)))
}

async fn checkout(
    State(app): State<AppState>,
    Who(viewer): Who,
    uri: Uri,
    Path(cart): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let key = key.ok_or_else(|| ApiError::invalid("Idempotency-Key", "is required to check out"))?;
    let key = IdempotencyKey { key, fingerprint: fingerprint("POST", uri.path(), &body) };
    let outcome = app.shop.checkout.checkout(&cart_id(&cart)?, &viewer, Some(&key)).await?;
    let provider = outcome.order.payment.provider.clone().unwrap_or_default();
    let body = json!({
        "order": views::order(&outcome.order),
        "payment": views::payment(&provider, &outcome.payment),
        "order_token": outcome.access_token,
    });
    Ok((StatusCode::CREATED, Json(body)))
}

fn order_token(headers: &HeaderMap) -> Option<String> {
    headers.get("x-order-token").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn show_order(
    State(app): State<AppState>,
    Who(viewer): Who,
    headers: HeaderMap,
    Path(order): Path<String>,
) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    let found = app.shop.orders.order(&order, &viewer, order_token(&headers).as_deref()).await?;
    Ok(Json(views::order(&found)))
}

async fn order_tracking(
    State(app): State<AppState>,
    Who(viewer): Who,
    headers: HeaderMap,
    Path(order): Path<String>,
) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    let tracking = app.shop.orders.tracking(&order, &viewer, order_token(&headers).as_deref()).await?;
    Ok(Json(serde_json::to_value(tracking).unwrap_or_default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirm {
    outcome: TestOutcome,
}

/// Only with the test provider: completes a payment as a customer would, and takes the event down the same path
/// as a provider's webhook.
async fn test_confirm(
    State(app): State<AppState>,
    Path(payment): Path<String>,
    ApiJson(body): ApiJson<Confirm>,
) -> ApiResult {
    let Some(test) = &app.shop.test_payments else {
        return Err(nite_core::Error::not_found("route", "test-confirm").into());
    };
    let payment = id(&payment, PaymentId::parse, "payment")?;
    let event = test.confirm(&payment, body.outcome)?;
    let outcome = app.shop.payment_events.handle(&event).await?;
    Ok(Json(json!({ "payment_id": payment, "order_id": event.order_id, "outcome": outcome_name(&outcome) })))
}

fn outcome_name(outcome: &EventOutcome) -> String {
    match outcome {
        EventOutcome::Applied(state) => format!("applied:{state}"),
        EventOutcome::Duplicate => "duplicate".to_owned(),
        EventOutcome::Ignored => "ignored".to_owned(),
    }
}

/// Stripe's webhook: verified on the raw body; replays and duplicates change nothing twice.
async fn stripe_webhook(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult {
    if app.shop.ctx.payments.name() != "stripe" {
        return Err(nite_core::Error::not_found("route", "webhooks/stripe").into());
    }
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| value.to_str().ok().map(|v| (name.as_str().to_owned(), v.to_owned())))
        .collect();
    let request = WebhookRequest { body: &body, headers: &pairs };
    let Some(event) = app.shop.ctx.payments.parse_webhook(&request)? else {
        return Ok(Json(json!({ "received": true, "handled": false })));
    };
    let outcome = app.shop.payment_events.handle(&event).await?;
    Ok(Json(json!({ "received": true, "handled": true, "outcome": outcome_name(&outcome) })))
}

/// The sign-in and account routes, under `/api/v1`.
pub(crate) fn account_routes() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/password-reset", post(request_reset))
        .route("/auth/password-reset/confirm", post(confirm_reset))
        .route("/me", get(me).patch(rename))
        .route("/me/orders", get(my_orders))
}

pub(crate) fn customer_json(c: &nite_core::customer::Customer) -> Value {
    json!({ "id": c.id, "email": c.email, "name": c.name, "role": c.role,
            "created_at": c.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default() })
}

fn session_json(app: &AppState, session: &nite_core::services::Session) -> ApiResult<Value> {
    Ok(json!({
        "customer": customer_json(&session.customer),
        "access_token": app.tokens.issue(&session.customer)?,
        "refresh_token": session.refresh_token,
        "token_type": "Bearer",
        "expires_in": app.tokens.ttl_secs(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Register {
    email: String,
    password: String,
    name: String,
}

async fn register(State(app): State<AppState>, ApiJson(body): ApiJson<Register>) -> ApiResult<impl IntoResponse> {
    let session = app.shop.sessions.register(&body.email, &body.name, &body.password).await?;
    Ok((StatusCode::CREATED, Json(session_json(&app, &session)?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

async fn login(State(app): State<AppState>, ApiJson(body): ApiJson<Login>) -> ApiResult {
    app.limiter.check(&body.email)?;
    match app.shop.sessions.login(&body.email, &body.password).await {
        Ok(session) => {
            app.limiter.succeeded(&body.email);
            Ok(Json(session_json(&app, &session)?))
        }
        Err(error) => {
            if matches!(error, nite_core::Error::Unauthorized(_)) {
                app.limiter.failed(&body.email);
            }
            Err(error.into())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

async fn refresh(State(app): State<AppState>, ApiJson(body): ApiJson<RefreshBody>) -> ApiResult {
    let session = app.shop.sessions.refresh(&body.refresh_token).await?;
    Ok(Json(session_json(&app, &session)?))
}

async fn logout(State(app): State<AppState>, ApiJson(body): ApiJson<RefreshBody>) -> ApiResult<StatusCode> {
    app.shop.sessions.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// Always `202`: whether the address has an account is not for the caller to learn.
async fn request_reset(State(app): State<AppState>, ApiJson(body): ApiJson<ResetRequest>) -> ApiResult<StatusCode> {
    app.shop.sessions.request_reset(&body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetConfirm {
    token: String,
    new_password: String,
}

async fn confirm_reset(State(app): State<AppState>, ApiJson(body): ApiJson<ResetConfirm>) -> ApiResult<StatusCode> {
    app.shop.sessions.confirm_reset(&body.token, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(app): State<AppState>, SignedIn(viewer): SignedIn) -> ApiResult {
    Ok(Json(customer_json(&app.shop.customers.me(&viewer).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

async fn rename(State(app): State<AppState>, SignedIn(viewer): SignedIn, ApiJson(body): ApiJson<Rename>) -> ApiResult {
    Ok(Json(customer_json(&app.shop.customers.rename(&viewer, &body.name).await?)))
}

async fn my_orders(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    let found = app.shop.orders.mine(&viewer, limit(query.limit)?, query.cursor).await?;
    Ok(page(&found, views::order))
}
