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
        ApiError(Box::new(Details { status, code, title, detail: detail.into(), errors: Vec::new(), extra: None }))
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
        response
    }
}
