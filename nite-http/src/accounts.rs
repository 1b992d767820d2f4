//! The sign-in and account routes under `/api/v1`: registration, login with its rate limit, refresh-token rotation,
//! logout, password reset by emailed one-time token, and the signed-in customer's own account and orders.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiResult, PageQuery, limit};
use crate::auth::{Client, SignedIn};
use crate::docs::Problems;
use crate::extract::{ApiJson, ApiQuery};
use crate::views::{self, CustomerOut, Listed, OrderOut, SessionOut};

/// The sign-in and account routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(me, rename))
        .routes(routes!(my_orders))
}

fn session(app: &AppState, session: &nite_core::services::Session) -> ApiResult<SessionOut> {
    Ok(SessionOut {
        customer: views::customer(&session.customer),
        access_token: app.tokens.issue(&session.customer)?,
        refresh_token: session.refresh_token.clone(),
        token_type: "Bearer",
        expires_in: app.tokens.ttl_secs(),
    })
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Register {
    #[schema(format = Email)]
    email: String,
    /// At least 10 characters.
    #[schema(min_length = 10)]
    password: String,
    #[schema(min_length = 1)]
    name: String,
}

/// Opens an account and signs in. Ten registrations per client and three per address an hour; more answer `429`.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = Register,
    responses((status = 201, description = "Signed in", body = SessionOut), Problems))]
async fn register(
    State(app): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<Register>,
) -> ApiResult<(StatusCode, Json<SessionOut>)> {
    app.limits.register(&body.email, &client).await?;
    let signed_in = app.shop.sessions.register(&body.email, &body.name, &body.password).await?;
    Ok((StatusCode::CREATED, Json(session(&app, &signed_in)?)))
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

/// Signs in. Every attempt counts, before the password is checked: five for one address from one client, thirty
/// from one client, or a hundred for one address from everywhere within 15 minutes answer `429` with
/// `Retry-After` until the window passes. A good sign-in clears its address's count for its client. While too
/// many passwords are being checked at once the answer is `503 overloaded` with `Retry-After`.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = Login,
    responses((status = 200, description = "Signed in", body = SessionOut), Problems))]
async fn login(
    State(app): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Json<SessionOut>> {
    app.limits.login(&body.email, &client).await?;
    let signed_in = app.shop.sessions.login(&body.email, &body.password).await?;
    app.limits.signed_in(&body.email, &client).await;
    Ok(Json(session(&app, &signed_in)?))
}

/// A refresh token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

/// Trades a refresh token for a new session. A token used twice revokes its whole family.
#[utoipa::path(post, path = "/auth/refresh", tag = "accounts", request_body = RefreshBody,
    responses((status = 200, description = "A new session", body = SessionOut), Problems))]
async fn refresh(State(app): State<AppState>, ApiJson(body): ApiJson<RefreshBody>) -> ApiResult<Json<SessionOut>> {
    let signed_in = app.shop.sessions.refresh(&body.refresh_token).await?;
    Ok(Json(session(&app, &signed_in)?))
}

/// Ends the session the refresh token belongs to.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts", request_body = RefreshBody,
    responses((status = 204, description = "Signed out"), Problems))]
async fn logout(State(app): State<AppState>, ApiJson(body): ApiJson<RefreshBody>) -> ApiResult<StatusCode> {
    app.shop.sessions.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whose password to reset.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// Emails a one-time reset token. Always `202`: whether the address has an account is not for the caller to learn.
/// Three requests per address and ten per client an hour; more answer `429`.
#[utoipa::path(post, path = "/auth/password-reset", tag = "accounts", request_body = ResetRequest,
    responses((status = 202, description = "If the account exists, the email is on its way"), Problems))]
async fn request_reset(
    State(app): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<ResetRequest>,
) -> ApiResult<StatusCode> {
    app.limits.reset(&body.email, &client).await?;
    app.shop.sessions.request_reset(&body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The emailed token and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetConfirm {
    token: String,
    /// At least 10 characters.
    #[schema(min_length = 10)]
    new_password: String,
}

/// Sets a new password with the emailed token (once): the account's other reset tokens stop working and every
/// refresh token of the account is revoked, so every sign-in ends (an access token already issued lives out its
/// 15 minutes).
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "accounts", request_body = ResetConfirm,
    responses((status = 204, description = "The password is changed"), Problems))]
async fn confirm_reset(State(app): State<AppState>, ApiJson(body): ApiJson<ResetConfirm>) -> ApiResult<StatusCode> {
    app.shop.sessions.confirm_reset(&body.token, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in customer's account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "The account", body = CustomerOut), Problems))]
async fn me(State(app): State<AppState>, SignedIn(viewer): SignedIn) -> ApiResult<Json<CustomerOut>> {
    Ok(Json(views::customer(&app.shop.customers.me(&viewer).await?)))
}

/// A new display name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

/// Changes the signed-in customer's name.
#[utoipa::path(patch, path = "/me", tag = "accounts", security(("bearer" = [])), request_body = Rename,
    responses((status = 200, description = "The account", body = CustomerOut), Problems))]
async fn rename(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(body): ApiJson<Rename>,
) -> ApiResult<Json<CustomerOut>> {
    Ok(Json(views::customer(&app.shop.customers.rename(&viewer, &body.name).await?)))
}

/// The signed-in customer's orders, newest first.
#[utoipa::path(get, path = "/me/orders", tag = "accounts", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, description = "A page of orders", body = Listed<OrderOut>), Problems))]
async fn my_orders(
    State(app): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Listed<OrderOut>>> {
    let found = app.shop.orders.mine(&viewer, limit(query.limit)?, query.cursor).await?;
    Ok(Json(Listed::of(&found, views::order)))
}
