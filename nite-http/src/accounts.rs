//! The sign-in and account routes under `/api/v1`: registration, login with its rate limit, refresh-token rotation,
//! logout, password reset by emailed one-time token, and the signed-in customer's own account and orders.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiResult;
use crate::auth::{Client, SignedIn};
use crate::cookies;
use crate::docs::Problems;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, PageQuery};
use crate::state::AppState;
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

/// How a client keeps its refresh token.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum SessionMode {
    /// In the answer's `refresh_token` (for apps and servers).
    #[default]
    Tokens,
    /// In an `HttpOnly; Secure; SameSite=Strict` cookie (`nite_refresh`, sent only to `/api/v1/auth`), with a CSRF
    /// token in the `nite_csrf` cookie that `/auth/refresh` and `/auth/logout` need back as `X-CSRF-Token` (for
    /// browsers: no token in script-readable storage).
    Cookie,
}

/// A session's answer: its body, and in cookie mode its cookies (the body's `refresh_token` is then null).
fn session(app: &AppState, session: &nite_core::services::Session, mode: SessionMode) -> ApiResult<Response> {
    let cookie = mode == SessionMode::Cookie;
    let body = SessionOut {
        customer: views::customer(&session.customer),
        access_token: app.tokens.issue(&session.customer)?,
        refresh_token: (!cookie).then(|| session.refresh_token.clone()),
        token_type: "Bearer",
        expires_in: app.tokens.ttl_secs(),
    };
    let mut response = Json(body).into_response();
    if cookie {
        let csrf = app.tokens.csrf_token(&session.refresh_token);
        let max_age = app.shop.sessions.refresh_ttl().whole_seconds();
        cookies::set_session(response.headers_mut(), &session.refresh_token, &csrf, max_age);
    }
    Ok(response)
}

/// The refresh token of a request: the body's, or else the `nite_refresh` cookie's, which counts only with its CSRF
/// token in `X-CSRF-Token` (`403 csrf_failed` without it).
fn presented_refresh(app: &AppState, headers: &HeaderMap, body: RefreshBody) -> ApiResult<(String, SessionMode)> {
    if let Some(token) = body.refresh_token {
        return Ok((token, SessionMode::Tokens));
    }
    let Some(token) = cookies::get(headers, cookies::REFRESH) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
            "Not signed in",
            "send refresh_token, or the nite_refresh cookie with X-CSRF-Token",
        ));
    };
    let csrf = headers.get(cookies::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !app.tokens.csrf_matches(token, csrf) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "The request did not come from this shop's pages",
            "a cookie session needs its CSRF token (the nite_csrf cookie) in X-CSRF-Token",
        ));
    }
    Ok((token.to_owned(), SessionMode::Cookie))
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
    /// Where the refresh token goes (`tokens` by default).
    #[serde(default)]
    session: SessionMode,
}

/// Opens an account and signs in. Ten registrations per client and three per address an hour; more answer `429`.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = Register,
    responses((status = 201, description = "Signed in", body = SessionOut), Problems))]
async fn register(
    State(app): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<Register>,
) -> ApiResult<Response> {
    app.limits.register(&body.email, &client).await?;
    let signed_in = app.shop.sessions.register(&body.email, &body.name, &body.password).await?;
    let mut response = session(&app, &signed_in, body.session)?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
    /// Where the refresh token goes (`tokens` by default).
    #[serde(default)]
    session: SessionMode,
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
) -> ApiResult<Response> {
    app.limits.login(&body.email, &client).await?;
    let signed_in = app.shop.sessions.login(&body.email, &body.password).await?;
    app.limits.signed_in(&body.email, &client).await;
    session(&app, &signed_in, body.session)
}

/// A refresh token, or `{}` for the one in the `nite_refresh` cookie.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    /// Omit to use the cookie session (then `X-CSRF-Token` must carry the `nite_csrf` cookie's value).
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Trades a refresh token for a new session. A token used twice revokes its whole family. A cookie session
/// (`{}` with the `nite_refresh` cookie and `X-CSRF-Token`) is answered with new cookies.
#[utoipa::path(post, path = "/auth/refresh", tag = "accounts", request_body = RefreshBody,
    params(("X-CSRF-Token" = Option<String>, Header, description = "The nite_csrf cookie's value, for cookie sessions")),
    responses((status = 200, description = "A new session", body = SessionOut), Problems))]
async fn refresh(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Response> {
    let (token, mode) = presented_refresh(&app, &headers, body)?;
    match app.shop.sessions.refresh(&token).await {
        Ok(signed_in) => session(&app, &signed_in, mode),
        Err(error) if mode == SessionMode::Cookie => {
            // A cookie that no longer works is removed, so the page stops presenting it.
            let mut response = ApiError::from(error).into_response();
            cookies::clear_session(response.headers_mut());
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

/// Ends the session the refresh token (or the cookie session) belongs to, and removes its cookies.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts", request_body = RefreshBody,
    params(("X-CSRF-Token" = Option<String>, Header, description = "The nite_csrf cookie's value, for cookie sessions")),
    responses((status = 204, description = "Signed out"), Problems))]
async fn logout(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Response> {
    let (token, mode) = presented_refresh(&app, &headers, body)?;
    app.shop.sessions.logout(&token).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if mode == SessionMode::Cookie {
        cookies::clear_session(response.headers_mut());
    }
    Ok(response)
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
    let found = app.shop.orders.mine(&viewer, query.page()?).await?;
    Ok(Json(Listed::of(&found, views::order)))
}
