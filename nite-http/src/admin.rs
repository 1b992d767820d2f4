//! The admin API (role `admin`): products, inventory, orders, promotions, review moderation, customers and the
//! sales report. Every handler takes the [`Admin`] extractor, so a guest gets 401 and a customer 403.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nite_core::OrderId;
use nite_core::analytics::SalesReport;
use nite_core::catalog::Product;
use nite_core::promotion::Promotion;
use nite_core::review::ReviewStatus;
use nite_core::services::{ProductDraft, PromotionDraft};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiResult;
use crate::auth::Admin;
use crate::docs::Problems;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, PageQuery, PathId};
use crate::state::AppState;
use crate::views::{
    self, AdminOrderOut, CustomerOut, Items, Listed, OrderOut, OutboxOut, PreviewOut, ReviewOut, StockOut,
};
use nite_core::ports::Limit;

/// The administrators' routes (role `admin`; a customer gets `403`, a guest `401`).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin_orders))
        .routes(routes!(admin_order))
        .routes(routes!(ship_order))
        .routes(routes!(deliver_order))
        .routes(routes!(cancel_order))
        .routes(routes!(refund_order))
        .routes(routes!(admin_inventory))
        .routes(routes!(set_stock))
        .routes(routes!(admin_reviews))
        .routes(routes!(approve_review))
        .routes(routes!(reject_review))
        .routes(routes!(sales_report))
        .routes(routes!(admin_customers))
        .routes(routes!(admin_products, create_product))
        .routes(routes!(admin_product, update_product, delete_product))
        .routes(routes!(admin_promotions, create_promotion))
        .routes(routes!(admin_promotion, update_promotion))
        .routes(routes!(preview_promotion))
        .routes(routes!(admin_outbox))
}

/// `?status=&limit=&cursor=` of the admin lists.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatusQuery {
    /// Only this state (orders: `pending_payment`, `paid`, `shipped`, `delivered`, `cancelled`; reviews:
    /// `pending`, `approved`, `rejected`).
    status: Option<String>,
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// `?status=&q=&customer=&limit=&cursor=` of the order list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OrderQuery {
    /// Only this state: `pending_payment`, `paid`, `shipped`, `delivered` or `cancelled`.
    status: Option<String>,
    /// An order id (whole), or part of the buyer's email (any case).
    q: Option<String>,
    /// Only this customer's orders (a customer id).
    customer: Option<String>,
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists orders, newest first: by state, by customer, or found by id or email.
#[utoipa::path(get, path = "/admin/orders", tag = "admin", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, description = "A page of orders", body = Listed<OrderOut>), Problems))]
async fn admin_orders(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> ApiResult<Json<Listed<OrderOut>>> {
    let state = match query.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(nite_core::order::OrderState::parse(name).ok_or_else(|| {
            ApiError::invalid("status", "one of pending_payment, paid, shipped, delivered, cancelled")
        })?),
    };
    let customer_id = match query.customer.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(nite_core::CustomerId::parse(id).map_err(|_| ApiError::invalid("customer", "a customer id"))?),
    };
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::invalid("q", "at most 200 characters"));
    }
    let filter = nite_core::ports::OrderFilter {
        customer_id,
        state,
        search: search.map(str::to_owned),
        limit: Limit::asked(query.limit)?,
        cursor: query.cursor,
    };
    let found = app.shop.orders.all(&viewer, &filter).await?;
    Ok(Json(Listed::of(&found, views::order)))
}

/// Shows any order.
#[utoipa::path(get, path = "/admin/orders/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = AdminOrderOut), Problems))]
async fn admin_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(order): PathId<OrderId>,
) -> ApiResult<Json<AdminOrderOut>> {
    Ok(Json(views::admin_order(&app.shop.orders.order(&order, &viewer, None).await?)))
}

/// The shipment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ShipRequest {
    carrier: String,
    tracking_number: String,
}

/// Ships a paid order; the customer gets the shipping email.
#[utoipa::path(post, path = "/admin/orders/{id}/ship", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = ShipRequest,
    responses((status = 200, description = "The order", body = AdminOrderOut), Problems))]
async fn ship_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(order): PathId<OrderId>,
    ApiJson(body): ApiJson<ShipRequest>,
) -> ApiResult<Json<AdminOrderOut>> {
    let shipped = app.shop.fulfilment.ship(&order, &viewer, &body.carrier, &body.tracking_number).await?;
    Ok(Json(views::admin_order(&shipped)))
}

/// Marks a shipped order delivered.
#[utoipa::path(post, path = "/admin/orders/{id}/deliver", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = AdminOrderOut), Problems))]
async fn deliver_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(order): PathId<OrderId>,
) -> ApiResult<Json<AdminOrderOut>> {
    Ok(Json(views::admin_order(&app.shop.fulfilment.deliver(&order, &viewer).await?)))
}

/// Why the order is cancelled.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    #[serde(default)]
    reason: String,
}

/// Cancels an unpaid or paid order (a paid one is refunded in full first); its stock is released.
#[utoipa::path(post, path = "/admin/orders/{id}/cancel", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = CancelRequest,
    responses((status = 200, description = "The order", body = AdminOrderOut), Problems))]
async fn cancel_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(order): PathId<OrderId>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> ApiResult<Json<AdminOrderOut>> {
    Ok(Json(views::admin_order(&app.shop.fulfilment.cancel(&order, &viewer, &body.reason).await?)))
}

/// A refund.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefundRequest {
    /// A decimal string in the order's currency, such as `"10.00"`.
    amount: String,
    #[serde(default)]
    reason: String,
}

/// Refunds part or all of what was captured, never more.
#[utoipa::path(post, path = "/admin/orders/{id}/refunds", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = RefundRequest,
    responses((status = 201, description = "The order", body = AdminOrderOut), Problems))]
async fn refund_order(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(order): PathId<OrderId>,
    ApiJson(body): ApiJson<RefundRequest>,
) -> ApiResult<(StatusCode, Json<AdminOrderOut>)> {
    let amount = rust_decimal::Decimal::from_str_exact(body.amount.trim())
        .map_err(|_| ApiError::invalid("amount", "a decimal string such as \"10.00\""))?;
    let refunded = app.shop.fulfilment.refund(&order, &viewer, amount, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(views::admin_order(&refunded))))
}

/// Every SKU's stock.
#[utoipa::path(get, path = "/admin/inventory", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Stock per SKU", body = Items<StockOut>), Problems))]
async fn admin_inventory(State(app): State<AppState>, Admin(viewer): Admin) -> ApiResult<Json<Items<StockOut>>> {
    Ok(Json(Items {
        data: app
            .shop
            .catalog
            .stock(&viewer)
            .await?
            .iter()
            .map(|s| views::stock(s, app.shop.ctx.settings.low_stock_at))
            .collect(),
    }))
}

/// Units on hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OnHand {
    on_hand: u32,
}

/// Sets a SKU's units on hand (never below what unpaid orders hold).
#[utoipa::path(put, path = "/admin/inventory/{sku}", tag = "admin", security(("bearer" = [])),
    params(("sku" = String, Path, description = "The SKU")), request_body = OnHand,
    responses((status = 200, description = "The SKU's stock", body = StockOut), Problems))]
async fn set_stock(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(sku): Path<String>,
    ApiJson(body): ApiJson<OnHand>,
) -> ApiResult<Json<StockOut>> {
    let level = app.shop.catalog.set_on_hand(&viewer, &sku, body.on_hand).await?;
    Ok(Json(views::stock(&level, app.shop.ctx.settings.low_stock_at)))
}

/// The moderation queue (or any status), oldest first.
#[utoipa::path(get, path = "/admin/reviews", tag = "admin", security(("bearer" = [])), params(StatusQuery),
    responses((status = 200, description = "A page of reviews", body = Listed<ReviewOut>), Problems))]
async fn admin_reviews(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Listed<ReviewOut>>> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            ReviewStatus::parse(name)
                .ok_or_else(|| ApiError::invalid("status", "one of pending, approved, rejected"))?,
        ),
    };
    let filter = nite_core::ports::ReviewFilter {
        product_id: None,
        status,
        limit: Limit::asked(query.limit)?,
        cursor: query.cursor,
    };
    let found = app.shop.reviews.moderation_queue(&viewer, &filter).await?;
    Ok(Json(Listed::of(&found, views::review)))
}

async fn moderate(
    app: &AppState,
    viewer: &nite_core::services::Viewer,
    review: &nite_core::ReviewId,
    to: ReviewStatus,
) -> ApiResult<Json<ReviewOut>> {
    Ok(Json(views::review(&app.shop.reviews.moderate(viewer, review, to).await?)))
}

/// Publishes a review.
#[utoipa::path(post, path = "/admin/reviews/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    responses((status = 200, description = "The review", body = ReviewOut), Problems))]
async fn approve_review(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(review): PathId<nite_core::ReviewId>,
) -> ApiResult<Json<ReviewOut>> {
    moderate(&app, &viewer, &review, ReviewStatus::Approved).await
}

/// Rejects a review.
#[utoipa::path(post, path = "/admin/reviews/{id}/reject", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    responses((status = 200, description = "The review", body = ReviewOut), Problems))]
async fn reject_review(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(review): PathId<nite_core::ReviewId>,
) -> ApiResult<Json<ReviewOut>> {
    moderate(&app, &viewer, &review, ReviewStatus::Rejected).await
}

/// `?from=&to=&granularity=` of the sales report.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SalesQuery {
    /// A date (`2026-11-01`, midnight UTC) or an RFC 3339 instant; 30 days before `to` when absent.
    from: Option<String>,
    /// A date or an RFC 3339 instant; now when absent.
    to: Option<String>,
    /// `day` (default), `week` or `month`.
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

/// Revenue, orders, average order value, units and revenue per product, product views and view→purchase
/// conversion, per period.
#[utoipa::path(get, path = "/admin/analytics/sales", tag = "admin", security(("bearer" = [])), params(SalesQuery),
    responses((status = 200, description = "The report", body = SalesReport), Problems))]
async fn sales_report(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiQuery(query): ApiQuery<SalesQuery>,
) -> ApiResult<Json<SalesReport>> {
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
    Ok(Json(app.shop.sales.report(&viewer, from, to, granularity).await?))
}

/// Lists the customers, without password hashes.
#[utoipa::path(get, path = "/admin/customers", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, description = "A page of customers", body = Listed<CustomerOut>), Problems))]
async fn admin_customers(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Listed<CustomerOut>>> {
    let found = app.shop.customers.all(&viewer, &query.page()?).await?;
    Ok(Json(Listed::of(&found, views::customer)))
}

/// Lists the products as stored: `price` and `sale_price`, variant ids, no stock.
#[utoipa::path(get, path = "/admin/products", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, description = "A page of products", body = Listed<Product>), Problems))]
async fn admin_products(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Listed<Product>>> {
    let filter = nite_core::ports::ProductFilter {
        category: None,
        query: None,
        limit: Limit::asked(query.limit)?,
        cursor: query.cursor,
    };
    Ok(Json(app.shop.merchandising.products(&viewer, &filter).await?.into()))
}

/// Shows a product as stored.
#[utoipa::path(get, path = "/admin/products/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 200, description = "The product", body = Product), Problems))]
async fn admin_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(product): Path<String>,
) -> ApiResult<Json<Product>> {
    Ok(Json(app.shop.merchandising.product(&viewer, &product).await?))
}

/// Adds a product with its variants inline. New SKUs start with nothing on hand.
#[utoipa::path(post, path = "/admin/products", tag = "admin", security(("bearer" = [])), request_body = ProductDraft,
    responses((status = 201, description = "The product", body = Product), Problems))]
async fn create_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(draft): ApiJson<ProductDraft>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    Ok((StatusCode::CREATED, Json(app.shop.merchandising.create_product(&viewer, draft).await?)))
}

/// Changes a product with a JSON merge patch (RFC 7386) over its draft: members replace, `null` removes, arrays
/// (variants included) replace whole; restate a variant's `id` to keep it.
#[utoipa::path(patch, path = "/admin/products/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body(content = ProductPatch, description = "A merge patch over the product's draft"),
    responses((status = 200, description = "The product", body = Product), Problems))]
async fn update_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(product): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult<Json<Product>> {
    Ok(Json(app.shop.merchandising.update_product(&viewer, &product, |draft| patched(&draft, patch)).await?))
}

/// Stops selling a product; placed orders keep their copy, carts show its lines as unavailable.
#[utoipa::path(delete, path = "/admin/products/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 204, description = "Removed"), Problems))]
async fn delete_product(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(product): Path<String>,
) -> ApiResult<StatusCode> {
    app.shop.merchandising.delete_product(&viewer, &product).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists every promotion.
#[utoipa::path(get, path = "/admin/promotions", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The promotions", body = Items<Promotion>), Problems))]
async fn admin_promotions(State(app): State<AppState>, Admin(viewer): Admin) -> ApiResult<Json<Items<Promotion>>> {
    Ok(Json(Items { data: app.shop.merchandising.promotions(&viewer).await? }))
}

/// Shows a promotion.
#[utoipa::path(get, path = "/admin/promotions/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The promotion's id")),
    responses((status = 200, description = "The promotion", body = Promotion), Problems))]
async fn admin_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(promotion): Path<String>,
) -> ApiResult<Json<Promotion>> {
    Ok(Json(app.shop.merchandising.promotion(&viewer, &promotion).await?))
}

/// Adds a promotion.
#[utoipa::path(post, path = "/admin/promotions", tag = "admin", security(("bearer" = [])),
    request_body = PromotionDraft,
    responses((status = 201, description = "The promotion", body = Promotion), Problems))]
async fn create_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(draft): ApiJson<PromotionDraft>,
) -> ApiResult<(StatusCode, Json<Promotion>)> {
    Ok((StatusCode::CREATED, Json(app.shop.merchandising.create_promotion(&viewer, draft).await?)))
}

/// Changes a promotion with a JSON merge patch (RFC 7386) over its draft; what it was used for is kept.
#[utoipa::path(patch, path = "/admin/promotions/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The promotion's id")),
    request_body(content = PromotionPatch, description = "A merge patch over the promotion's draft"),
    responses((status = 200, description = "The promotion", body = Promotion), Problems))]
async fn update_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    Path(promotion): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult<Json<Promotion>> {
    Ok(Json(app.shop.merchandising.update_promotion(&viewer, &promotion, |draft| patched(&draft, patch)).await?))
}

/// A promotion to try on a sample cart.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    /// The promotion as it would be saved.
    promotion: PromotionDraft,
    /// The id of the promotion it would replace (when editing one); absent for a new one.
    #[serde(default)]
    replaces: Option<String>,
    cart: SampleCartIn,
}

/// A sample cart.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SampleCartIn {
    /// 1 to 50 lines.
    lines: Vec<SampleLineIn>,
    /// Codes the shopper entered (the promotion's own code is entered for the "with" pricing).
    #[serde(default)]
    codes: Vec<String>,
    /// A shipping charge, as a decimal string in the shop's currency, to see shipping discounts.
    #[serde(default)]
    shipping: Option<String>,
    /// The buyer's customer group.
    #[serde(default)]
    customer_group: Option<String>,
    /// Whether the buyer has never ordered (true when absent).
    #[serde(default)]
    first_order: Option<bool>,
}

/// A line of a sample cart.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SampleLineIn {
    sku: String,
    quantity: u32,
}

/// Prices a sample cart with the promotions as they are and with this promotion saved, so an administrator sees
/// what it would do (and, when it would not apply, why) before saving it. Nothing is stored.
#[utoipa::path(post, path = "/admin/promotions/preview", tag = "admin", security(("bearer" = [])),
    request_body = PreviewRequest,
    responses((status = 200, description = "The sample cart priced both ways", body = PreviewOut), Problems))]
async fn preview_promotion(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewOut>> {
    let currency = app.shop.ctx.settings.currency;
    let cart = body.cart;
    let mut lines = Vec::with_capacity(cart.lines.len());
    for (i, line) in cart.lines.iter().enumerate() {
        let sku = nite_core::catalog::Sku::new(&line.sku)
            .map_err(|_| nite_core::Error::invalid(format!("cart.lines[{i}].sku"), "a SKU"))?;
        lines.push((sku, line.quantity));
    }
    let mut codes = Vec::with_capacity(cart.codes.len());
    for (i, code) in cart.codes.iter().enumerate() {
        codes.push(
            nite_core::promotion::DiscountCode::new(code)
                .map_err(|e| nite_core::Error::invalid(format!("cart.codes[{i}]"), e.to_string()))?,
        );
    }
    let shipping = match cart.shipping.as_deref() {
        None => None,
        Some(amount) => Some(nite_core::Money::new(
            rust_decimal::Decimal::from_str_exact(amount.trim())
                .map_err(|_| ApiError::invalid("cart.shipping", "a decimal string such as \"9.99\""))?,
            currency,
        )),
    };
    let group = match cart.customer_group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(
            nite_core::CustomerGroup::new(name)
                .map_err(|e| nite_core::Error::invalid("cart.customer_group", e.to_string()))?,
        ),
    };
    let sample = nite_core::services::SampleCart {
        lines,
        codes,
        shipping,
        customer: nite_core::pricing::CustomerFacts {
            customer_id: None,
            group,
            is_first_order: cart.first_order.unwrap_or(true),
        },
    };
    let preview =
        app.shop.merchandising.preview_promotion(&viewer, body.promotion, body.replaces.as_deref(), &sample).await?;
    Ok(Json(views::preview(&preview)))
}

/// The outbox's backlog: what waits to be sent, what is failing, what was given up on.
#[utoipa::path(get, path = "/admin/outbox", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The outbox's health", body = OutboxOut), Problems))]
async fn admin_outbox(State(app): State<AppState>, Admin(_viewer): Admin) -> ApiResult<Json<OutboxOut>> {
    let health = app.shop.ctx.stores.outbox.outbox_health().await?;
    Ok(Json(views::outbox(&health, app.shop.ctx.clock.now())))
}

/// The schema of a JSON merge patch (RFC 7386) over a draft: the draft's members, none of them required (`null`
/// removes one). The handlers take any JSON object and merge it; this only describes it.
fn patch_of(
    draft: utoipa::openapi::RefOr<utoipa::openapi::Schema>,
    what: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::{RefOr, Schema};
    match draft {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            object.description = Some(format!("A JSON merge patch over {what}: members replace, null removes one."));
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// A merge patch over a product's draft.
struct ProductPatch;
impl utoipa::PartialSchema for ProductPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        patch_of(<ProductDraft as utoipa::PartialSchema>::schema(), "a product's draft")
    }
}
impl ToSchema for ProductPatch {}

/// A merge patch over a promotion's draft.
struct PromotionPatch;
impl utoipa::PartialSchema for PromotionPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        patch_of(<PromotionDraft as utoipa::PartialSchema>::schema(), "a promotion's draft")
    }
}
impl ToSchema for PromotionPatch {}

/// Applies a JSON merge patch (RFC 7386) to `current` and reads the result back: members in the patch replace
/// those in `current`, `null` removes one, objects merge, and anything else (arrays included) replaces.
fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, patch: Value) -> nite_core::Result<T> {
    if !patch.is_object() {
        return Err(nite_core::Error::invalid("body", "a JSON object (a merge patch)"));
    }
    let mut doc = serde_json::to_value(current).map_err(|e| nite_core::Error::invalid("body", e.to_string()))?;
    merge(&mut doc, patch);
    serde_json::from_value(doc).map_err(|e| nite_core::Error::invalid("body", e.to_string()))
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
