//! Outgoing webhooks, for administrators: the endpoints the shop's domain events are sent to (URL, event types,
//! signing secret, enabled) and what was delivered to each. The event dispatcher (`serve.rs`) sends them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use nite_core::WebhookEndpointId;
use nite_core::events::{ConsumerTarget, Delivery, DeliveryStatus, DomainEvent, EventConsumer, EventType};
use nite_core::services::{EndpointPatch, NewEndpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiResult;
use crate::auth::Admin;
use crate::docs::Problems;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, PathId};
use crate::state::AppState;

/// The routes of this module, under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_endpoints, create_endpoint))
        .routes(routes!(show_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(endpoint_deliveries))
}

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EndpointOut {
    id: String,
    url: String,
    /// The event types it receives; empty for every type.
    types: Vec<EventType>,
    description: Option<String>,
    enabled: bool,
    created_at: String,
    /// The signing secret (`whsec_…`): verify each request's `webhook-signature` with it, per Standard Webhooks.
    /// Only in the answers about one endpoint, never in the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn endpoint_out(consumer: &EventConsumer, with_secret: bool) -> Option<EndpointOut> {
    let ConsumerTarget::Webhook(endpoint) = &consumer.target else { return None };
    Some(EndpointOut {
        id: endpoint.id.to_string(),
        url: endpoint.url.clone(),
        types: consumer.types.clone(),
        description: endpoint.description.clone(),
        enabled: consumer.enabled,
        created_at: rfc3339(consumer.created_at),
        secret: with_secret.then(|| endpoint.secret.clone()),
    })
}

fn one(consumer: &EventConsumer) -> ApiResult<Json<EndpointOut>> {
    endpoint_out(consumer, true)
        .map(Json)
        .ok_or_else(|| ApiError::from(nite_core::Error::not_found("webhook endpoint", &consumer.id)))
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EndpointsOut {
    data: Vec<EndpointOut>,
}

/// Lists the webhook endpoints, oldest first (without their secrets).
#[utoipa::path(get, path = "/admin/webhooks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The endpoints", body = EndpointsOut), Problems))]
async fn list_endpoints(State(app): State<AppState>, Admin(viewer): Admin) -> ApiResult<Json<EndpointsOut>> {
    let all = app.shop.webhooks.endpoints(&viewer).await?;
    Ok(Json(EndpointsOut { data: all.iter().filter_map(|c| endpoint_out(c, false)).collect() }))
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewEndpointIn {
    /// Where events are `POST`ed: an `http` or `https` URL.
    url: String,
    /// The event types to send; empty or absent for every type.
    #[serde(default)]
    types: Vec<EventType>,
    /// What it is for.
    description: Option<String>,
}

/// Adds a webhook endpoint, enabled, with a new signing secret (answered once here, and by `GET` of the endpoint).
/// Events written from now on are sent to it.
#[utoipa::path(post, path = "/admin/webhooks", tag = "admin", security(("bearer" = [])), request_body = NewEndpointIn,
    responses((status = 201, description = "The endpoint, with its secret", body = EndpointOut), Problems))]
async fn create_endpoint(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    ApiJson(body): ApiJson<NewEndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let new = NewEndpoint { url: body.url, types: body.types, description: body.description };
    let created = app.shop.webhooks.create(&viewer, new).await?;
    Ok((StatusCode::CREATED, one(&created)?))
}

/// One endpoint, with its secret.
#[utoipa::path(get, path = "/admin/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = EndpointOut), Problems))]
async fn show_endpoint(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<Json<EndpointOut>> {
    one(&app.shop.webhooks.endpoint(&viewer, &id).await?)
}

/// A change to an endpoint: each field given is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndpointPatchIn {
    url: Option<String>,
    /// Empty for every type.
    types: Option<Vec<EventType>>,
    /// An empty description removes it.
    description: Option<String>,
    /// A disabled endpoint is sent no new events; what was queued for it stays queued.
    enabled: Option<bool>,
}

/// Changes an endpoint's URL, types, description or whether it is enabled. Its secret and deliveries stay.
#[utoipa::path(patch, path = "/admin/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")), request_body = EndpointPatchIn,
    responses((status = 200, description = "The endpoint", body = EndpointOut), Problems))]
async fn update_endpoint(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(id): PathId<WebhookEndpointId>,
    ApiJson(body): ApiJson<EndpointPatchIn>,
) -> ApiResult<Json<EndpointOut>> {
    let patch = EndpointPatch {
        url: body.url,
        types: body.types,
        description: body.description.map(|d| Some(d).filter(|d| !d.trim().is_empty())),
        enabled: body.enabled,
    };
    one(&app.shop.webhooks.update(&viewer, &id, patch).await?)
}

/// Removes an endpoint and what was still to be sent to it.
#[utoipa::path(delete, path = "/admin/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses((status = 204, description = "Removed"), Problems))]
async fn delete_endpoint(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<StatusCode> {
    app.shop.webhooks.delete(&viewer, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many deliveries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeliveriesQuery {
    /// 1–100, default 20.
    limit: Option<u32>,
}

/// One event on its way to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryOut {
    /// The event, as the endpoint receives it (its `id` is the `webhook-id` header).
    event: DomainEvent,
    status: DeliveryStatus,
    /// Attempts so far.
    attempts: u32,
    /// Why the last attempt failed, if it did.
    last_error: Option<String>,
    delivered_at: Option<String>,
}

/// The deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveriesOut {
    data: Vec<DeliveryOut>,
}

/// An endpoint's deliveries, newest event first: each event, its status, attempts and last error.
#[utoipa::path(get, path = "/admin/webhooks/{id}/deliveries", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id"), DeliveriesQuery),
    responses((status = 200, description = "The deliveries", body = DeliveriesOut), Problems))]
async fn endpoint_deliveries(
    State(app): State<AppState>,
    Admin(viewer): Admin,
    PathId(id): PathId<WebhookEndpointId>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> ApiResult<Json<DeliveriesOut>> {
    let deliveries = app.shop.webhooks.deliveries(&viewer, &id, nite_core::ports::Limit::asked(query.limit)?).await?;
    Ok(Json(DeliveriesOut { data: deliveries.iter().map(delivery_out).collect() }))
}

fn delivery_out(delivery: &Delivery) -> DeliveryOut {
    DeliveryOut {
        event: delivery.event.clone(),
        status: delivery.status,
        attempts: delivery.attempts,
        last_error: delivery.last_error.clone(),
        delivered_at: delivery.delivered_at.map(rfc3339),
    }
}
