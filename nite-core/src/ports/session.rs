//! `SessionStore`: refresh tokens (rotated on every use, a reused one revokes its whole family) and one-time
//! password-reset tokens. Only SHA-256 hashes of tokens are stored.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::CustomerId;
use crate::error::Result;

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    /// The family: every token rotated from one sign-in.
    pub family: String,
    /// Whose it is.
    pub customer_id: CustomerId,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// What using a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// It was good, and is now used up: issue its successor in the same family.
    Rotated {
        /// Whose it was.
        customer_id: CustomerId,
        /// Its family.
        family: String,
    },
    /// It had been used (or revoked) before: someone replayed it, so its whole family is now revoked.
    Reused,
    /// It has expired.
    Expired,
    /// No such token.
    Unknown,
}

/// Sessions and password resets.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new refresh token.
    async fn issue_refresh(&self, token: &RefreshToken) -> Result<()>;

    /// Uses a refresh token, atomically: only one of several concurrent uses can rotate it.
    async fn use_refresh(&self, token_hash: &str, now: OffsetDateTime) -> Result<RefreshUse>;

    /// Revokes every token of a family (sign-out).
    async fn revoke_family(&self, family: &str) -> Result<()>;

    /// Stores a password-reset token.
    async fn issue_reset(&self, token_hash: &str, customer: &CustomerId, expires_at: OffsetDateTime) -> Result<()>;

    /// Uses a password-reset token, once: its customer, or `None` if it is unknown, used or expired. Every other
    /// outstanding reset token of that customer is voided with it, atomically.
    async fn use_reset(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<CustomerId>>;

    /// Revokes every refresh token of a customer (after a password reset: every sign-in ends).
    async fn revoke_customer_sessions(&self, customer: &CustomerId) -> Result<()>;
}
