//! `CustomerStore`: accounts and their password hashes.

use async_trait::async_trait;

use crate::customer::{Customer, PasswordHash};
use crate::error::Result;
use crate::events::DomainEvent;
use crate::outbox::OutboxMessage;
use crate::ports::Page;
use crate::{CustomerId, Email};

/// Customer accounts.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Creates an account and, in the same transaction, writes `outbox` (the welcome email) and `events`
    /// (`customer.registered`); `EmailTaken` if the email is in use.
    async fn create_customer(
        &self,
        customer: &Customer,
        hash: &PasswordHash,
        outbox: &[OutboxMessage],
        events: &[DomainEvent],
    ) -> Result<()>;

    /// An account by id.
    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>>;

    /// An account and its password hash, by email.
    async fn customer_by_email(&self, email: &Email) -> Result<Option<(Customer, PasswordHash)>>;

    /// Saves name, email, role and group; `EmailTaken` if the new email is in use, `NotFound` if absent.
    async fn update_customer(&self, customer: &Customer) -> Result<()>;

    /// Replaces the password hash.
    async fn set_password(&self, id: &CustomerId, hash: &PasswordHash) -> Result<()>;

    /// Accounts, oldest first.
    async fn customers(&self, page: &crate::ports::PageRequest) -> Result<Page<Customer>>;
}
