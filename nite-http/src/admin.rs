//! The admin API (role `admin`): products, inventory, orders, promotions, review moderation, customers and the
//! sales report. Every handler takes the [`Admin`] extractor, so a guest gets 401 and a customer 403.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use nite_core::OrderId;
use nite_core::review::ReviewStatus;
use nite_core::services::{ProductDraft, PromotionDraft};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiResult, customer_json, limit, page};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{ApiJson, id};
use crate::{AppState, views};

/// The administrators' routes (role `admin`; a customer gets `403`, a guest `401`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(admin_orders))
        .route("/admin/orders/{id}", get(admin_order))
        .route("/admin/orders/{id}/ship", post(ship_order))
        .route("/admin/orders/{id}/deliver", post(deliver_order))
        .route("/admin/orders/{id}/cancel", post(cancel_order))
        .route("/admin/orders/{id}/refunds", post(refund_order))
        .route("/admin/inventory", get(admin_inventory))
        .route("/admin/reviews", get(admin_reviews))
        .route("/admin/analytics/sales", get(sales_report))
        .route("/admin/customers", get(admin_customers))
        .route("/admin/reviews/{id}/approve", post(approve_review))
        .route("/admin/reviews/{id}/reject", post(reject_review))
        .route("/admin/inventory/{sku}", put(set_stock))
        .route("/admin/products", get(admin_products).post(create_product))
        .route("/admin/products/{id}", get(admin_product).patch(update_product).delete(delete_product))
        .route("/admin/promotions", get(admin_promotions).post(create_promotion))
        .route("/admin/promotions/{id}", get(admin_promotion).patch(update_promotion))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
/// `?status=&limit=&cursor=` of the admin lists.
struct StatusQuery {
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn admin_orders(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<StatusQuery>,
) -> ApiResult {
    let state = match query.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(nite_core::order::OrderState::parse(name).ok_or_else(|| {
            ApiError::invalid("status", "one of pending_payment, paid, shipped, delivered, cancelled")
        })?),
    };
    let filter =
        nite_core::ports::OrderFilter { customer_id: None, state, limit: limit(query.limit)?, cursor: query.cursor };
    let found = app.shop.orders.all(&viewer, &filter).await?;
    Ok(page(&found, views::order))
}

async fn admin_order(State(app): State<AppState>, Admin(viewer): Admin, Path(order): Path<String>) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    Ok(Json(views::order(&app.shop.orders.order(&order, &viewer, None).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShipRequest {
    carrier: String,
    tracking_number: String,
}

async fn ship_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(order): Path<String>,
    ApiJson(body): ApiJson<ShipRequest>,
) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    let shipped = app.shop.fulfilment.ship(&order, &viewer, &body.carrier, &body.tracking_number).await?;
    Ok(Json(views::order(&shipped)))
}

async fn deliver_order(State(app): State<AppState>, Admin(viewer): Admin, Path(order): Path<String>) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    Ok(Json(views::order(&app.shop.fulfilment.deliver(&order, &viewer).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    #[serde(default)]
    reason: String,
}

async fn cancel_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(order): Path<String>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> ApiResult {
    let order = id(&order, OrderId::parse, "order")?;
    Ok(Json(views::order(&app.shop.fulfilment.cancel(&order, &viewer, &body.reason).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundRequest {
    /// A decimal string in the order's currency, such as `"10.00"`.
    amount: String,
    #[serde(default)]
    reason: String,
}

async fn refund_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(order): Path<String>,
    ApiJson(body): ApiJson<RefundRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let order = id(&order, OrderId::parse, "order")?;
    let currency = app.shop.orders.order(&order, &viewer, None).await?.currency;
    let amount = nite_core::Money::parse(&body.amount, currency)
        .map_err(|_| ApiError::invalid("amount", "a decimal string such as \"10.00\""))?;
    let refunded = app.shop.fulfilment.refund(&order, &viewer, amount, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(views::order(&refunded))))
}

fn stock_json(level: &nite_core::inventory::StockLevel) -> Value {
    json!({ "sku": level.sku, "on_hand": level.on_hand, "reserved": level.reserved, "available": level.available() })
}

async fn admin_inventory(State(app): State<AppState>, Admin(viewer): Admin) -> ApiResult {
    let data: Vec<Value> = app.shop.catalog.stock(&viewer).await?.iter().map(stock_json).collect();
    Ok(Json(json!({ "data": data })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnHand {
    on_hand: u32,
}

async fn set_stock(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(sku): Path<String>,
    ApiJson(body): ApiJson<OnHand>,
) -> ApiResult {
    Ok(Json(stock_json(&app.shop.catalog.set_on_hand(&viewer, &sku, body.on_hand).await?)))
}

async fn admin_reviews(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<StatusQuery>,
) -> ApiResult {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            ReviewStatus::parse(name)
                .ok_or_else(|| ApiError::invalid("status", "one of pending, approved, rejected"))?,
        ),
    };
    let filter =
        nite_core::ports::ReviewFilter { product_id: None, status, limit: limit(query.limit)?, cursor: query.cursor };
    let found = app.shop.reviews.moderation_queue(&viewer, &filter).await?;
    Ok(page(&found, views::review))
}

async fn moderate(app: &AppState, viewer: &nite_core::services::Viewer, review: &str, to: ReviewStatus) -> ApiResult {
    let review = id(review, nite_core::ReviewId::parse, "review")?;
    Ok(Json(views::review(&app.shop.reviews.moderate(viewer, &review, to).await?)))
}

async fn approve_review(State(app): State<AppState>, Admin(viewer): Admin, Path(review): Path<String>) -> ApiResult {
    moderate(&app, &viewer, &review, ReviewStatus::Approved).await
}

async fn reject_review(State(app): State<AppState>, Admin(viewer): Admin, Path(review): Path<String>) -> ApiResult {
    moderate(&app, &viewer, &review, ReviewStatus::Rejected).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SalesQuery {
    from: Option<String>,
    to: Option<String>,
    granularity: Option<String>,
}

/// `2026-11-01` (midnight UTC) or an RFC 3339 instant.
fn instant(field: &'static str, value: &str) -> Result<time::OffsetDateTime, ApiError> {
    use time::format_description::well_known::Rfc3339;
    let day = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::parse(value, &Rfc3339)
        .or_else(|_| time::Date::parse(value, day).map(|date| date.midnight().assume_utc()))
        .map_err(|_| ApiError::invalid(field, "a date (2026-11-01) or an RFC 3339 instant"))
}

async fn sales_report(State(app): State<AppState>, Admin(viewer): Admin, Query(query): Query<SalesQuery>) -> ApiResult {
    let to = match query.to.as_deref() {
        Some(value) => instant("to", value)?,
        None => time::OffsetDateTime::now_utc(),
    };
    let from = match query.from.as_deref() {
        Some(value) => instant("from", value)?,
        None => to - time::Duration::days(30),
    };
    let granularity = match query.granularity.as_deref() {
        None | Some("day") => nite_core::analytics::Granularity::Day,
        Some("week") => nite_core::analytics::Granularity::Week,
        Some("month") => nite_core::analytics::Granularity::Month,
        Some(_) => return Err(ApiError::invalid("granularity", "one of day, week, month")),
    };
    Ok(Json(json!(app.shop.sales.report(&viewer, from, to, granularity).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn admin_customers(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<PageQuery>,
) -> ApiResult {
    let found = app.shop.customers.all(&viewer, limit(query.limit)?, query.cursor.as_deref()).await?;
    Ok(page(&found, customer_json))
}

/// A product as stored and as administrators write it: `price` and `sale_price`, variant ids, no stock.
fn product_json(product: &nite_core::catalog::Product) -> Value {
    json!(product)
}

async fn admin_products(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<PageQuery>,
) -> ApiResult {
    let filter = nite_core::ports::ProductFilter {
        category: None,
        query: None,
        limit: limit(query.limit)?,
        cursor: query.cursor,
    };
    Ok(page(&app.shop.merchandising.products(&viewer, &filter).await?, product_json))
}

async fn admin_product(State(app): State<AppState>, Admin(viewer): Admin, Path(product): Path<String>) -> ApiResult {
    Ok(Json(product_json(&app.shop.merchandising.product(&viewer, &product).await?)))
}

async fn create_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(draft): ApiJson<ProductDraft>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let created = app.shop.merchandising.create_product(&viewer, draft).await?;
    Ok((StatusCode::CREATED, Json(product_json(&created))))
}

async fn update_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(product): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult {
    let current = app.shop.merchandising.product(&viewer, &product).await?;
    let draft = patched(&ProductDraft::of(&current), patch)?;
    Ok(Json(product_json(&app.shop.merchandising.update_product(&viewer, &product, draft).await?)))
}

async fn delete_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(product): Path<String>,
) -> ApiResult<StatusCode> {
    app.shop.merchandising.delete_product(&viewer, &product).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn admin_promotions(State(app): State<AppState>, Admin(viewer): Admin) -> ApiResult {
    let data: Vec<Value> = app.shop.merchandising.promotions(&viewer).await?.iter().map(|p| json!(p)).collect();
    Ok(Json(json!({ "data": data })))
}

async fn admin_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(promotion): Path<String>,
) -> ApiResult {
    Ok(Json(json!(app.shop.merchandising.promotion(&viewer, &promotion).await?)))
}

async fn create_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(draft): ApiJson<PromotionDraft>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let created = app.shop.merchandising.create_promotion(&viewer, draft).await?;
    Ok((StatusCode::CREATED, Json(json!(created))))
}

async fn update_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(promotion): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult {
    let current = app.shop.merchandising.promotion(&viewer, &promotion).await?;
    let draft = patched(&PromotionDraft::of(&current), patch)?;
    Ok(Json(json!(app.shop.merchandising.update_promotion(&viewer, &promotion, draft).await?)))
}

/// Applies a JSON merge patch (RFC 7386) to `current` and reads the result back: members in the patch replace
/// those in `current`, `null` removes one, objects merge, and anything else (arrays included) replaces.
fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, patch: Value) -> Result<T, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::invalid("body", "a JSON object (a merge patch)"));
    }
    let mut doc = serde_json::to_value(current).map_err(|e| ApiError::invalid("body", &e.to_string()))?;
    merge(&mut doc, patch);
    serde_json::from_value(doc).map_err(|e| ApiError::invalid("body", &e.to_string()))
}

fn merge(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(members) => {
            if !target.is_object() {
                *target = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(doc) = target {
                for (key, value) in members {
                    if value.is_null() {
                        doc.remove(&key);
                    } else {
                        merge(doc.entry(key).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}
