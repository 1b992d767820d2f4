//! The shoppers' routes of `docs/api.md`: catalog, reviews, carts, checkout, orders, payments. Each handler parses, calls
//! one service, and maps the answer; no business rule lives here. Each carries its OpenAPI description, and the
//! router is built from those descriptions, so the published document and the routes cannot drift apart.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use nite_core::catalog::Sku;
use nite_core::payment::{TestOutcome, WebhookRequest};
use nite_core::ports::{Limit, ProductFilter};
use nite_core::services::{EventOutcome, IdempotencyKey};
use nite_core::{Address, CartId, CartLineId, Category, Currency, OrderId, PaymentId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{SignedIn, Who};
use crate::docs::Problems;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, IdempotencyHeader, PageQuery, PathId, PathIds, fingerprint, id};
use crate::state::AppState;
use crate::views::{
    self, CartOut, CheckoutOut, Items, Listed, OrderOut, ProductOut, PublicReviewOut, RateOut, ReviewOut,
};

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// Every route under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(shop_config))
        .routes(routes!(list_products))
        .routes(routes!(show_product))
        .routes(routes!(product_reviews, write_review))
        .routes(routes!(create_cart))
        .routes(routes!(show_cart))
        .routes(routes!(add_item))
        .routes(routes!(update_item, remove_item))
        .routes(routes!(add_code))
        .routes(routes!(remove_code))
        .routes(routes!(set_addresses))
        .routes(routes!(shipping_options))
        .routes(routes!(choose_shipping))
        .routes(routes!(checkout))
        .routes(routes!(claim_cart))
        .routes(routes!(show_order))
        .routes(routes!(order_tracking))
        .routes(routes!(test_confirm))
        .routes(routes!(provider_webhook))
        .merge(crate::accounts::routes())
        .merge(crate::admin::routes())
        .merge(crate::outgoing::routes())
}

/// What a storefront needs to know about the shop before its first page.
#[derive(Serialize, ToSchema)]
pub(crate) struct ShopConfigOut {
    name: String,
    /// The shop's public URL.
    url: String,
    /// The currency carts are priced in.
    currency: Currency,
    payments: PaymentsConfigOut,
}

/// How the shop takes payments.
#[derive(Serialize, ToSchema)]
pub(crate) struct PaymentsConfigOut {
    /// `test` (complete payments with `/payments/{id}/test-confirm`) or `stripe` (Stripe's Payment Element with the
    /// payment's `client_secret`).
    provider: String,
    /// Stripe's publishable key, with Stripe.
    publishable_key: Option<String>,
}

/// The shop's name, URL, currency and payment provider, for storefronts.
#[utoipa::path(get, path = "/config", tag = "catalog",
    responses((status = 200, description = "The shop's public settings", body = ShopConfigOut), Problems))]
async fn shop_config(State(app): State<AppState>) -> Json<ShopConfigOut> {
    Json(ShopConfigOut {
        name: app.web.shop_name.clone(),
        url: app.web.shop_url.clone(),
        currency: app.shop.ctx.settings.currency,
        payments: PaymentsConfigOut {
            provider: app.shop.ctx.payments.name().to_owned(),
            publishable_key: app.web.stripe_publishable_key.clone(),
        },
    })
}

/// `?category=&q=&limit=&cursor=` of the product list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only this category (`basic`, `pro`, `complete`).
    category: Option<String>,
    /// Only products whose name or description contains this.
    q: Option<String>,
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists the products for sale.
#[utoipa::path(get, path = "/products", tag = "catalog", params(ListQuery),
    responses((status = 200, description = "A page of products", body = Listed<ProductOut>), Problems))]
async fn list_products(
    State(app): State<AppState>,
    uri: Uri,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let key = app.catalog_cache.key(&uri);
    if let Some(hit) = key.as_deref().and_then(|key| app.catalog_cache.get(key)) {
        return Ok(json_bytes(hit.body));
    }
    let category = match query.category.as_deref() {
        None => None,
        Some(c) => Some(Category::new(c).map_err(|_| ApiError::invalid("category", "is not a category"))?),
    };
    let filter = ProductFilter { category, query: query.q, limit: Limit::asked(query.limit)?, cursor: query.cursor };
    let found = app.shop.catalog.products(&filter).await?;
    let body = rendered(&Listed::of_owned(found, views::product))?;
    if let Some(key) = &key {
        app.catalog_cache.put(key, body.clone(), None);
    }
    Ok(json_bytes(body))
}

/// A view rendered once, to answer with and to keep in the catalog cache.
fn rendered(view: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(view)
        .map(Bytes::from)
        .map_err(|e| ApiError::from(nite_core::Error::adapter("rendering JSON", e)))
}

fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Shows one product, with stock and its reviews' summary. A `GET` counts as a view for the sales report, once per
/// visitor and product in 30 minutes (a `HEAD` never does).
#[utoipa::path(get, path = "/products/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug")),
    responses((status = 200, description = "The product", body = ProductOut), Problems))]
async fn show_product(
    State(app): State<AppState>,
    Who(viewer): Who,
    method: Method,
    uri: Uri,
    Path(slug): Path<String>,
) -> ApiResult<Response> {
    let key = app.catalog_cache.key(&uri);
    let counted = method == Method::GET;
    if let Some(hit) = key.as_deref().and_then(|key| app.catalog_cache.get(key)) {
        if let Some(product) = &hit.product
            && counted
        {
            app.record_view(product, viewer.visitor());
        }
        return Ok(json_bytes(hit.body));
    }
    let view = app.shop.catalog.product(&slug).await?;
    if counted {
        app.record_view(&view.product.id, viewer.visitor());
    }
    let id = view.product.id.clone();
    let body = rendered(&views::product(view))?;
    if let Some(key) = &key {
        app.catalog_cache.put(key, body.clone(), Some(id));
    }
    Ok(json_bytes(body))
}

/// Lists a product's approved reviews, newest first.
#[utoipa::path(get, path = "/products/{slug}/reviews", tag = "reviews",
    params(("slug" = String, Path, description = "The product's slug"), PageQuery),
    responses((status = 200, description = "A page of approved reviews", body = Listed<PublicReviewOut>), Problems))]
async fn product_reviews(
    State(app): State<AppState>,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Listed<PublicReviewOut>>> {
    let found = app.shop.reviews.approved(&slug, query.page()?).await?;
    Ok(Json(Listed::of(&found, views::public_review)))
}

/// A review to write.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    #[schema(min_length = 1, max_length = 120)]
    title: String,
    #[schema(min_length = 1, max_length = 5000)]
    body: String,
}

/// Writes a review of a product the signed-in customer bought; it waits for moderation.
#[utoipa::path(post, path = "/products/{slug}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("slug" = String, Path, description = "The product's slug")), request_body = ReviewBody,
    responses((status = 201, description = "The review, pending moderation", body = ReviewOut), Problems))]
async fn write_review(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<(StatusCode, Json<ReviewOut>)> {
    let review = nite_core::services::NewReview { rating: body.rating, title: body.title, body: body.body };
    let written = app.shop.reviews.write(&viewer, &slug, review).await?;
    Ok((StatusCode::CREATED, Json(views::review(&written))))
}

/// A new cart's options.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewCart {
    /// An ISO 4217 code; the shop's currency when absent.
    currency: Option<String>,
}

/// Opens a cart, a guest's or (with a token) the customer's. The body is optional. With an `Idempotency-Key`, a
/// retry of the same request (same caller, same body) answers the cart the first one opened; the key with another
/// request is `422 idempotency_key_reused`.
#[utoipa::path(post, path = "/carts", tag = "carts", security((), ("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible characters, one per cart")),
    request_body(content = Option<NewCart>, description = "Optional"),
    responses((status = 201, description = "The new cart", body = CartOut), Problems))]
async fn create_cart(
    State(app): State<AppState>,
    Who(viewer): Who,
    uri: Uri,
    IdempotencyHeader(key): IdempotencyHeader,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CartOut>)> {
    // The caller is part of "the same request": another shopper's key can never answer with this cart.
    let caller = viewer.visitor().unwrap_or_default();
    let fingerprint = fingerprint("POST", &format!("{} {caller}", uri.path()), &body);
    let scope = "POST /api/v1/carts";
    if let Some(key) = &key
        && let Some(earlier) = app.shop.ctx.stores.idempotency.idempotency(scope, key).await?
    {
        return replayed_cart(&app, &viewer, &earlier, &fingerprint).await;
    }
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
    if let Some(key) = key {
        let record = nite_core::ports::IdempotencyRecord {
            scope: scope.to_owned(),
            key,
            fingerprint: fingerprint.clone(),
            resource_id: view.cart.id.to_string(),
            response: None,
            created_at: time::OffsetDateTime::now_utc(),
        };
        // A concurrent retry that recorded the key first wins: answer its cart (this one stays empty, unused).
        if let nite_core::ports::Remembered::Existing(earlier) =
            app.shop.ctx.stores.idempotency.remember(&record).await?
        {
            return replayed_cart(&app, &viewer, &earlier, &fingerprint).await;
        }
    }
    Ok((StatusCode::CREATED, Json(cart_out(&app, &view))))
}

/// The cart an earlier request with the same idempotency key opened.
async fn replayed_cart(
    app: &AppState,
    viewer: &nite_core::services::Viewer,
    earlier: &nite_core::ports::IdempotencyRecord,
    fingerprint: &str,
) -> ApiResult<(StatusCode, Json<CartOut>)> {
    if earlier.fingerprint != fingerprint {
        return Err(nite_core::Error::IdempotencyKeyReused.into());
    }
    let view = app.shop.carts.view(&cart_id(&earlier.resource_id)?, viewer).await?;
    Ok((StatusCode::CREATED, Json(cart_out(app, &view))))
}

fn cart_id(value: &str) -> Result<CartId, ApiError> {
    id(value, CartId::parse, "cart")
}

/// Shows a cart, priced now.
#[utoipa::path(get, path = "/carts/{id}", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")),
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn show_cart(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.view(&cart, &viewer).await?)))
}

/// A SKU and how many. Prices are never taken from the client.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewItem {
    sku: String,
    /// 1 to 99.
    #[schema(minimum = 1, maximum = 99)]
    quantity: i64,
}

/// Attaches a guest cart to the signed-in customer, merging it into their open cart if they have one.
#[utoipa::path(post, path = "/carts/{id}/claim", tag = "carts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The guest cart's id")),
    responses((status = 200, description = "The customer's cart", body = CartOut), Problems))]
async fn claim_cart(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    PathId(cart): PathId<CartId>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.claim(&cart, &viewer).await?)))
}

fn quantity(q: i64) -> Result<u32, ApiError> {
    u32::try_from(q).map_err(|_| ApiError::invalid("quantity", "must be from 1 to 99"))
}

/// Adds units of a SKU (to its line, if the cart has one).
#[utoipa::path(post, path = "/carts/{id}/items", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")), request_body = NewItem,
    responses((status = 201, description = "The cart", body = CartOut), Problems))]
async fn add_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
    ApiJson(item): ApiJson<NewItem>,
) -> ApiResult<(StatusCode, Json<CartOut>)> {
    let sku = Sku::new(&item.sku).map_err(|_| ApiError::from(nite_core::Error::not_found("sku", &item.sku)))?;
    let view = app.shop.carts.add_item(&cart, &viewer, &sku, quantity(item.quantity)?).await?;
    Ok((StatusCode::CREATED, Json(cart_out(&app, &view))))
}

/// A line's new quantity.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ItemQuantity {
    /// 0 to 99; 0 removes the line.
    #[schema(minimum = 0, maximum = 99)]
    quantity: i64,
}

/// Sets a line's quantity.
#[utoipa::path(patch, path = "/carts/{id}/items/{line}", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id"),
           ("line" = String, Path, description = "The line's id")),
    request_body = ItemQuantity,
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn update_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathIds(cart, line): PathIds<CartId, CartLineId>,
    ApiJson(body): ApiJson<ItemQuantity>,
) -> ApiResult<Json<CartOut>> {
    let view = app.shop.carts.update_item(&cart, &viewer, &line, quantity(body.quantity)?).await?;
    Ok(Json(cart_out(&app, &view)))
}

/// Removes a line.
#[utoipa::path(delete, path = "/carts/{id}/items/{line}", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id"),
           ("line" = String, Path, description = "The line's id")),
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn remove_item(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathIds(cart, line): PathIds<CartId, CartLineId>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.remove_item(&cart, &viewer, &line).await?)))
}

/// A discount code to enter.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Code {
    code: String,
}

/// Enters a discount code. A code that exists but does not apply stays on the cart with `why`.
#[utoipa::path(post, path = "/carts/{id}/discount-codes", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")), request_body = Code,
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn add_code(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
    ApiJson(body): ApiJson<Code>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.add_code(&cart, &viewer, &body.code).await?)))
}

/// Removes a discount code.
#[utoipa::path(delete, path = "/carts/{id}/discount-codes/{code}", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id"), ("code" = String, Path, description = "The code")),
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn remove_code(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathIds(cart, code): PathIds<CartId, String>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.remove_code(&cart, &viewer, &code).await?)))
}

/// The buyer's email and addresses; billing defaults to shipping.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Addresses {
    #[schema(format = Email)]
    email: String,
    shipping_address: Address,
    billing_address: Option<Address>,
}

/// Sets the buyer's email and addresses.
#[utoipa::path(put, path = "/carts/{id}/addresses", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")), request_body = Addresses,
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn set_addresses(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
    ApiJson(body): ApiJson<Addresses>,
) -> ApiResult<Json<CartOut>> {
    let view =
        app.shop.carts.set_addresses(&cart, &viewer, &body.email, body.shipping_address, body.billing_address).await?;
    Ok(Json(cart_out(&app, &view)))
}

/// Quotes the shipping options for the cart's address and weight.
#[utoipa::path(get, path = "/carts/{id}/shipping-options", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")),
    responses((status = 200, description = "The options", body = Items<RateOut>), Problems))]
async fn shipping_options(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
) -> ApiResult<Json<Items<RateOut>>> {
    let rates = app.shop.carts.shipping_options(&cart, &viewer).await?;
    Ok(Json(Items { data: rates.iter().map(views::rate).collect() }))
}

/// The chosen shipping option.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ChosenRate {
    /// An `id` from the shipping options.
    id: String,
}

/// Chooses a shipping option (quoted again; a changed price is refused).
#[utoipa::path(put, path = "/carts/{id}/shipping-option", tag = "carts", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id")), request_body = ChosenRate,
    responses((status = 200, description = "The cart", body = CartOut), Problems))]
async fn choose_shipping(
    State(app): State<AppState>,
    Who(viewer): Who,
    PathId(cart): PathId<CartId>,
    ApiJson(body): ApiJson<ChosenRate>,
) -> ApiResult<Json<CartOut>> {
    Ok(Json(cart_out(&app, &app.shop.carts.choose_shipping(&cart, &viewer, &body.id).await?)))
}

/// Places the order and creates its payment. The same `Idempotency-Key` with the same request answers the same
/// order; with a different request it is refused.
///
/// The shopper is never charged a total they were not shown: if the cart prices at another total than its last
/// change answered with (a price, a promotion or a code's last use changed since), nothing is placed and the
/// answer is `409 cart_changed` with the re-priced cart in its `cart` member; that total is then the one shown, and
/// checking out again (with a new `Idempotency-Key`) accepts it. An order that costs nothing is paid at once:
/// `payment` is `null`. A client holds at most three unpaid orders at a time (`429 too_many_pending_orders`) of at
/// most 50 units each.
#[utoipa::path(post, path = "/carts/{id}/checkout", tag = "checkout", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The cart's id"),
           ("Idempotency-Key" = String, Header, description = "1 to 255 visible characters, one per purchase")),
    responses((status = 201, description = "The order and its payment", body = CheckoutOut), Problems))]
async fn checkout(
    State(app): State<AppState>,
    Who(viewer): Who,
    uri: Uri,
    PathId(cart): PathId<CartId>,
    IdempotencyHeader(key): IdempotencyHeader,
    body: Bytes,
) -> ApiResult<Response> {
    let key = key.ok_or_else(|| ApiError::invalid("Idempotency-Key", "is required to check out"))?;
    let key = IdempotencyKey { key, fingerprint: fingerprint("POST", uri.path(), &body) };
    let outcome = match app.shop.checkout.checkout(&cart, &viewer, Some(&key)).await {
        Ok(outcome) => outcome,
        Err(error @ nite_core::Error::CartChanged { .. }) => {
            let repriced = app.shop.carts.view(&cart, &viewer).await?;
            let member = serde_json::to_value(cart_out(&app, &repriced)).unwrap_or_default();
            return Err(ApiError::from(error).with_member("cart", member));
        }
        Err(error) => return Err(error.into()),
    };
    let provider = outcome.order.payment.provider.clone().unwrap_or_default();
    let body = CheckoutOut {
        order: views::order(&outcome.order),
        payment: outcome.payment.as_ref().map(|p| views::payment(&provider, p)),
        order_token: outcome.access_token,
    };
    let mut response = (StatusCode::CREATED, Json(&body)).into_response();
    if let Some(token) = &body.order_token {
        // For browsers: the same token in an HttpOnly cookie sent only to this order's routes, for a week.
        crate::cookies::set_order_token(response.headers_mut(), body.order.id.as_str(), token, 7 * 24 * 3600);
    }
    Ok(response)
}

/// A cart as answered, with the free-shipping nudge.
fn cart_out(app: &AppState, view: &nite_core::services::CartView) -> CartOut {
    views::cart(view).with_free_shipping(app.shop.ctx.shipping.as_ref(), app.home_country.as_ref())
}

/// A guest's order token: the `X-Order-Token` header, or else the `nite_order` cookie checkout set.
fn order_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-order-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| crate::cookies::get(headers, crate::cookies::ORDER))
        .map(str::to_owned)
}

/// Shows an order to its customer, or to whoever holds its order token.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The order's id"),
           ("X-Order-Token" = Option<String>, Header, description = "The token checkout returned, for guests")),
    responses((status = 200, description = "The order", body = OrderOut), Problems))]
async fn show_order(
    State(app): State<AppState>,
    Who(viewer): Who,
    headers: HeaderMap,
    PathId(order): PathId<OrderId>,
) -> ApiResult<Json<OrderOut>> {
    let found = app.shop.orders.order(&order, &viewer, order_token(&headers).as_deref()).await?;
    Ok(Json(views::order(&found)))
}

/// The carrier's tracking of a shipped order.
#[utoipa::path(get, path = "/orders/{id}/tracking", tag = "orders", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The order's id"),
           ("X-Order-Token" = Option<String>, Header, description = "The token checkout returned, for guests")),
    responses((status = 200, description = "Tracking", body = nite_core::shipping::Tracking), Problems))]
async fn order_tracking(
    State(app): State<AppState>,
    Who(viewer): Who,
    headers: HeaderMap,
    PathId(order): PathId<OrderId>,
) -> ApiResult<Json<nite_core::shipping::Tracking>> {
    Ok(Json(app.shop.orders.tracking(&order, &viewer, order_token(&headers).as_deref()).await?))
}

/// How the test payment ends.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Confirm {
    outcome: TestOutcome,
}

/// What a payment event did.
#[derive(Serialize, ToSchema)]
struct Confirmed {
    payment_id: PaymentId,
    order_id: Option<OrderId>,
    /// `applied:<state>`, `duplicate` or `ignored`.
    outcome: String,
}

/// Only with the test provider: completes a payment as a customer would, and takes the event down the same path
/// as a provider's webhook. A `failed` attempt leaves the order awaiting payment: another attempt may succeed.
#[utoipa::path(post, path = "/payments/{id}/test-confirm", tag = "payments",
    params(("id" = String, Path, description = "The payment's id")), request_body = Confirm,
    responses((status = 200, description = "What the event did", body = Confirmed), Problems))]
async fn test_confirm(
    State(app): State<AppState>,
    PathId(payment): PathId<PaymentId>,
    ApiJson(body): ApiJson<Confirm>,
) -> ApiResult<Json<Confirmed>> {
    let Some(test) = &app.shop.test_payments else {
        return Err(nite_core::Error::not_found("route", "test-confirm").into());
    };
    let event = test.confirm(&payment, body.outcome).await?;
    let outcome = app.shop.payment_events.handle(&event).await?;
    Ok(Json(Confirmed { payment_id: payment, order_id: event.order_id, outcome: outcome_name(&outcome) }))
}

fn outcome_name(outcome: &EventOutcome) -> String {
    match outcome {
        EventOutcome::Applied(state) => format!("applied:{state}"),
        EventOutcome::Duplicate => "duplicate".to_owned(),
        EventOutcome::Ignored => "ignored".to_owned(),
    }
}

/// The webhook's acknowledgement.
#[derive(Serialize, ToSchema)]
struct Received {
    received: bool,
    /// Whether the event type is one nite acts on.
    handled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
}

/// The payment provider's webhook (`/webhooks/stripe` for Stripe; any provider's at its
/// [`name`](nite_core::payment::PaymentProvider::name)): the provider verifies the raw body and its headers and parses
/// the event ([`parse_webhook`](nite_core::payment::PaymentProvider::parse_webhook)); nite applies it exactly once, so
/// replays and duplicates change nothing twice. Another provider's name is not found.
#[utoipa::path(post, path = "/webhooks/{provider}", tag = "payments",
    params(("provider" = String, Path, description = "The payment provider's name, such as `stripe`"),
           ("Stripe-Signature" = Option<String>, Header, description = "Stripe's signature of the raw body")),
    request_body(content = String, description = "The provider's event, verified byte for byte",
                 content_type = "application/json"),
    responses((status = 200, description = "Acknowledged", body = Received), Problems))]
async fn provider_webhook(
    State(app): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Received>> {
    if app.shop.ctx.payments.name() != provider {
        return Err(nite_core::Error::not_found("route", format!("webhooks/{provider}")).into());
    }
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| value.to_str().ok().map(|v| (name.as_str().to_owned(), v.to_owned())))
        .collect();
    let request = WebhookRequest { body: &body, headers: &pairs };
    let Some(event) = app.shop.ctx.payments.parse_webhook(&request)? else {
        return Ok(Json(Received { received: true, handled: false, outcome: None }));
    };
    let outcome = app.shop.payment_events.handle(&event).await?;
    Ok(Json(Received { received: true, handled: true, outcome: Some(outcome_name(&outcome)) }))
}
