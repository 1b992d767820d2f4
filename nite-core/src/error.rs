//! nite-core's error: every way a use case can fail, typed, so that each edge (HTTP, a CLI) maps it once.

use crate::catalog::Sku;
use crate::order::OrderState;
use crate::pricing::PricingError;
use crate::{MoneyError, PromotionId};

/// A boxed error from an adapter (a database, a provider), kept as the source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One invalid field of an input, for validation errors that list every bad field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field, as the caller named it (`shipping_address.postal_code`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Everything a nite use case can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is invalid; every bad field is listed.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// No such thing, or it belongs to someone else (the two are not told apart, on purpose).
    #[error("{entity} `{id}` not found")]
    NotFound {
        /// What was looked for (`order`, `cart`, `product`).
        entity: &'static str,
        /// Its id, slug or SKU.
        id: String,
    },
    /// Fewer units are available than were asked for.
    #[error("only {available} of {sku} available, {requested} requested")]
    InsufficientStock {
        /// The SKU.
        sku: Sku,
        /// Units asked for.
        requested: u32,
        /// Units that can still be sold.
        available: u32,
    },
    /// The cart has been checked out already.
    #[error("the cart is no longer open")]
    CartNotOpen,
    /// Checkout priced the cart at another total than the shopper was last shown (a price, promotion or code
    /// changed): nothing was placed, and the new total is now the one shown; checking out again confirms it.
    #[error("the cart's total changed from {shown} to {now}")]
    CartChanged {
        /// The total the shopper saw.
        shown: crate::Money,
        /// The total now.
        now: crate::Money,
    },
    /// The client holds as many unpaid orders as it may: pay or cancel one first (or let it expire).
    #[error("at most {limit} unpaid orders at a time")]
    TooManyPendingOrders {
        /// The limit.
        limit: u32,
    },
    /// The entered discount code names no promotion.
    #[error("discount code `{0}` is not valid")]
    DiscountCodeInvalid(String),
    /// A promotion's usage limit was reached while placing the order.
    #[error("promotion {0} has reached its usage limit")]
    PromotionExhausted(PromotionId),
    /// The order's state does not allow this.
    #[error("an order cannot go from {from} to {to}")]
    InvalidTransition {
        /// Where the order is.
        from: OrderState,
        /// Where it was asked to go.
        to: OrderState,
    },
    /// A refund would take back more than was captured, or the order has no captured payment.
    #[error("refund of {requested} exceeds the refundable {refundable}")]
    RefundExceedsCaptured {
        /// Asked for.
        requested: crate::Money,
        /// Still refundable.
        refundable: crate::Money,
    },
    /// The idempotency key was used before with a different request.
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    /// An account with this email exists.
    #[error("an account with this email exists")]
    EmailTaken,
    /// The customer has reviewed this product already.
    #[error("the customer has already reviewed this product")]
    AlreadyReviewed,
    /// Only customers who bought the product may review it.
    #[error("only customers who bought the product may review it")]
    NotVerifiedBuyer,
    /// The payment provider declined the payment (a card error).
    #[error("the payment was declined: {message}")]
    PaymentDeclined {
        /// The provider's code (`card_declined`, `insufficient_funds`).
        code: String,
        /// The provider's message for the customer.
        message: String,
    },
    /// The payment provider refused the request (not a decline: a payment in the wrong state, a bad amount).
    #[error("the payment provider refused the request: {message}")]
    PaymentRejected {
        /// The provider's code (`payment_intent_unexpected_state`).
        code: String,
        /// The provider's message.
        message: String,
    },
    /// The payment was already completed, failed or cancelled: the customer's action came too late or twice.
    #[error("payment {0} is no longer pending")]
    PaymentNotPending(crate::PaymentId),
    /// The email could not be delivered and never will be (a refused recipient, a permanent SMTP error).
    #[error("the email was rejected: {0}")]
    EmailRejected(String),
    /// A webhook's signature is missing, malformed, old, or does not match.
    #[error("webhook signature invalid: {0}")]
    SignatureInvalid(String),
    /// The caller is not who they say (bad credentials, a bad or replayed token); the code says which.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Too much of something expensive is running or waiting (password hashes, say): try again shortly.
    #[error("too busy: {what}; try again in {retry_after_secs} s")]
    Overloaded {
        /// What is busy.
        what: &'static str,
        /// When to try again, in seconds.
        retry_after_secs: u32,
    },
    /// A concurrent change won; the caller may retry with fresh data.
    #[error("the {0} was changed concurrently")]
    Conflict(&'static str),
    /// The cart could not be priced.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// Money arithmetic failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// An adapter failed (database down, provider error); the source says why.
    #[error("{context}")]
    Adapter {
        /// What was being done.
        context: String,
        /// The adapter's own error.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    /// A not-found error.
    pub fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Error {
        Error::NotFound { entity, id: id.to_string() }
    }

    /// An adapter's error, with what was being done.
    pub fn adapter(context: impl Into<String>, source: impl Into<BoxError>) -> Error {
        Error::Adapter { context: context.into(), source: source.into() }
    }
}

/// The result of a nite use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;
