//! `CustomerService`: accounts. Passwords arrive already hashed: hashing (argon2) is the server's job.

use crate::customer::{Customer, PasswordHash, Role};
use crate::error::{Error, FieldError, Result};
use crate::outbox::{Notification, OutboxMessage};
use crate::services::ShopContext;
use crate::{Email, IdGeneratorExt};

/// Customer accounts.
#[derive(Clone)]
pub struct CustomerService {
    ctx: ShopContext,
}

impl CustomerService {
    /// A customer service over `ctx`.
    pub fn new(ctx: ShopContext) -> CustomerService {
        CustomerService { ctx }
    }

    /// Opens an account and, in the same storage call, queues the welcome email. `EmailTaken` if the email is in
    /// use (compared case-insensitively).
    pub async fn register(&self, email: &str, name: &str, hash: PasswordHash, role: Role) -> Result<Customer> {
        let mut problems = Vec::new();
        let email = Email::parse(email).map_err(|p| problems.push(FieldError::new("email", p))).ok();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            problems.push(FieldError::new("name", "1 to 200 characters"));
        }
        let Some(email) = email.filter(|_| problems.is_empty()) else { return Err(Error::Validation(problems)) };
        let now = self.ctx.clock.now();
        let customer = Customer {
            id: self.ctx.ids.new_id(),
            email: email.clone(),
            name: name.to_owned(),
            role,
            group: None,
            created_at: now,
        };
        let welcome = OutboxMessage::new(
            self.ctx.ids.new_id(),
            email,
            Notification::Welcome { customer_id: customer.id.clone() },
            customer.id.as_str(),
            now,
        );
        let registered = crate::events::DomainEvent::new(
            &*self.ctx.ids,
            now,
            crate::events::EventData::CustomerRegistered {
                customer_id: customer.id.clone(),
                email: customer.email.clone(),
            },
        );
        self.ctx.stores.customers.create_customer(&customer, &hash, &[welcome], &[registered]).await?;
        Ok(customer)
    }

    /// A page of customers, oldest first, for administrators (`NotFound` for anyone else).
    pub async fn all(
        &self,
        viewer: &crate::services::Viewer,
        page: &crate::ports::PageRequest,
    ) -> Result<crate::ports::Page<Customer>> {
        if !viewer.is_admin() {
            return Err(Error::not_found("customers", "all"));
        }
        self.ctx.stores.customers.customers(page).await
    }

    /// The signed-in customer's account.
    pub async fn me(&self, viewer: &crate::services::Viewer) -> Result<Customer> {
        let id = viewer.customer_id.as_ref().ok_or(Error::Unauthorized("unauthorized"))?;
        self.ctx.stores.customers.customer(id).await?.ok_or_else(|| Error::not_found("customer", id))
    }

    /// Renames the signed-in customer.
    pub async fn rename(&self, viewer: &crate::services::Viewer, name: &str) -> Result<Customer> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::invalid("name", "1 to 200 characters"));
        }
        let mut customer = self.me(viewer).await?;
        customer.name = name.to_owned();
        self.ctx.stores.customers.update_customer(&customer).await?;
        Ok(customer)
    }
}
