//! Errors as RFC 9457 `application/problem+json`, each with a stable `code`: the one place a `nite_core::Error`
//! becomes an HTTP status. What a client must not see (an adapter's failure) is logged, not sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nite_core::{Error, FieldError};
use serde::Serialize;

/// A problem to answer with (boxed: handlers return it on every error path).
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    extra: Option<(&'static str, serde_json::Value)>,
    retry_after: Option<u64>,
}

/// A problem (RFC 9457): `type`, `title`, `status`, `detail`, a stable `code`, and for validation failures every
/// bad field. Some problems add one member more (`insufficient_stock` names the SKU and what is available).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// A URI naming the kind of problem: `https://nite.dev/problems/<code>`.
    #[serde(rename = "type")]
    kind: String,
    /// A short summary of the kind of problem.
    title: &'static str,
    /// The HTTP status.
    status: u16,
    /// What went wrong this time.
    detail: String,
    /// The stable code to branch on (`not_found`, `validation_failed`, `insufficient_stock`…).
    code: &'static str,
    /// The invalid fields, for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

impl ApiError {
    /// A problem with a status, a stable code, a title and a detail.
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError(Box::new(Details {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            extra: None,
            retry_after: None,
        }))
    }

    /// The same problem with a `Retry-After` header of `seconds`.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.0.retry_after = Some(seconds);
        self
    }

    /// The same problem with one member more in its body (`cart`, with the re-priced cart, for `cart_changed`).
    #[must_use]
    pub fn with_member(mut self, key: &'static str, value: serde_json::Value) -> ApiError {
        self.0.extra = Some((key, value));
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// `422 validation_failed` for one field.
    pub fn invalid(field: &str, message: &str) -> ApiError {
        ApiError::from(Error::invalid(field, message))
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        use StatusCode as S;
        let detail = error.to_string();
        let (status, code, title) = match &error {
            Error::Validation(_) => (S::UNPROCESSABLE_ENTITY, "validation_failed", "The request is not valid"),
            Error::NotFound { .. } => (S::NOT_FOUND, "not_found", "Not found"),
            Error::InsufficientStock { .. } => (S::CONFLICT, "insufficient_stock", "Not enough stock"),
            Error::CartNotOpen => (S::CONFLICT, "cart_not_open", "The cart is no longer open"),
            Error::CartChanged { .. } => (S::CONFLICT, "cart_changed", "Your total changed"),
            Error::TooManyPendingOrders { .. } => {
                (S::TOO_MANY_REQUESTS, "too_many_pending_orders", "Too many unpaid orders")
            }
            Error::Overloaded { .. } => (S::SERVICE_UNAVAILABLE, "overloaded", "Too busy right now"),
            Error::DiscountCodeInvalid(_) => {
                (S::UNPROCESSABLE_ENTITY, "discount_code_invalid", "Unknown discount code")
            }
            Error::PromotionExhausted(_) => (S::CONFLICT, "promotion_exhausted", "The promotion ran out"),
            Error::InvalidTransition { .. } => (S::CONFLICT, "invalid_transition", "Not allowed in the order's state"),
            Error::RefundExceedsCaptured { .. } => {
                (S::UNPROCESSABLE_ENTITY, "refund_exceeds_captured", "More than can be refunded")
            }
            Error::IdempotencyKeyReused => {
                (S::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "The idempotency key was used for another request")
            }
            Error::EmailTaken => (S::CONFLICT, "email_taken", "The email is in use"),
            Error::AlreadyReviewed => (S::CONFLICT, "already_reviewed", "Already reviewed"),
            Error::NotVerifiedBuyer => (S::FORBIDDEN, "not_verified_buyer", "Only buyers may review"),
            Error::PaymentDeclined { .. } => (S::PAYMENT_REQUIRED, "payment_declined", "The payment was declined"),
            Error::PaymentRejected { .. } => {
                (S::BAD_GATEWAY, "payment_provider_refused", "The payment provider refused")
            }
            Error::PaymentNotPending(_) => (S::CONFLICT, "payment_not_pending", "The payment is no longer pending"),
            Error::SignatureInvalid(_) => (S::BAD_REQUEST, "signature_invalid", "The signature is not valid"),
            Error::Unauthorized(code) => (S::UNAUTHORIZED, *code, "Not authorized"),
            Error::Conflict(_) => (S::CONFLICT, "conflict", "Changed concurrently; try again"),
            Error::Pricing(_) | Error::Money(_) => {
                (S::UNPROCESSABLE_ENTITY, "validation_failed", "The cart cannot be priced")
            }
            Error::EmailRejected(_) => (S::BAD_GATEWAY, "email_rejected", "The email was rejected"),
            Error::Adapter { .. } => (S::SERVICE_UNAVAILABLE, "service_unavailable", "A backing service failed"),
            _ => (S::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        };
        let mut api = ApiError::new(status, code, title, detail);
        match error {
            Error::Validation(fields) => api.0.errors = fields,
            Error::InsufficientStock { available, .. } => api.0.extra = Some(("available", available.into())),
            Error::Overloaded { retry_after_secs, .. } => api.0.retry_after = Some(retry_after_secs.into()),
            Error::CartChanged { shown, now } => {
                api.0.detail = format!(
                    "The total changed from {shown} to {now} since the cart was last shown. Nothing was charged; check \
                     out again to accept the new total."
                );
            }
            Error::Unauthorized(code) => {
                api.0.detail = match code {
                    "invalid_credentials" => "The email or password is wrong.",
                    "invalid_refresh_token" => "The refresh token is unknown, expired or signed out.",
                    "refresh_token_reused" => {
                        "The refresh token was already used; every session of this sign-in ended."
                    }
                    _ => "Sign in again.",
                }
                .to_owned();
            }
            Error::Adapter { .. } => {
                // Logged with its source; the client learns only that a backing service failed.
                tracing::error!(error = %format!("{error:#}"), source = ?std::error::Error::source(&error), "backing service failed");
                api.0.detail = "A backing service failed; try again shortly.".to_owned();
            }
            _ => {}
        }
        api
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let details = *self.0;
        let problem = Problem {
            kind: format!("https://nite.dev/problems/{}", details.code),
            title: details.title,
            status: details.status.as_u16(),
            detail: details.detail,
            code: details.code,
            errors: details.errors,
        };
        let mut body = serde_json::to_value(&problem).unwrap_or_default();
        if let (Some((key, value)), Some(map)) = (details.extra, body.as_object_mut()) {
            map.insert(key.to_owned(), value);
        }
        let mut response = (details.status, Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = details.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ProblemCode(details.code));
        response
    }
}

/// The stable code of a problem response, kept on the response for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProblemCode(pub(crate) &'static str);

/// The stable code and title of an error status that reached the client without a problem body (from a layer or
/// the router itself: a method not allowed, a body over the limit, a path that is not UTF-8, a timeout).
fn status_problem(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", "The request is malformed"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Not signed in"),
        StatusCode::FORBIDDEN => ("forbidden", "Not allowed"),
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "The method is not allowed here"),
        StatusCode::NOT_ACCEPTABLE => ("not_acceptable", "Not acceptable"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long"),
        StatusCode::CONFLICT => ("conflict", "Conflict"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The body is too large"),
        StatusCode::URI_TOO_LONG => ("uri_too_long", "The URI is too long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Send application/json"),
        StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "The request is not valid"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", "Too many requests"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ("headers_too_large", "The headers are too large"),
        StatusCode::SERVICE_UNAVAILABLE => ("service_unavailable", "Unavailable right now"),
        StatusCode::GATEWAY_TIMEOUT => ("timeout", "The request took too long"),
        s if s.is_client_error() => ("bad_request", "The request cannot be served"),
        _ => ("internal", "Internal error"),
    }
}

/// Turns every error response that is not a problem yet into one (`application/problem+json` with a stable
/// `code`), keeping its status and headers; the original text, if any, becomes the `detail`. So every error the
/// server sends has the same shape, wherever it was made.
pub(crate) async fn problems_everywhere(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let is_page = response.extensions().get::<crate::web::Page>().is_some();
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let (code, title) = status_problem(status);
    let detail = match std::str::from_utf8(&text).map(str::trim) {
        Ok(text) if !text.is_empty() => text.to_owned(),
        _ => title.to_owned(),
    };
    let problem = ApiError::new(status, code, title, detail).into_response();
    let (problem_parts, problem_body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, problem_body)
}
