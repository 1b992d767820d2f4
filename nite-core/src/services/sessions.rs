//! `SessionService`: signing in and out, refresh-token rotation with reuse detection, and password resets.
//! Hashing passwords is a port ([`Passwords`]): the server brings argon2, tests bring something fast.

use std::sync::Arc;

use time::Duration;

use crate::customer::{Customer, PasswordHash};
use crate::error::{Error, Result};
use crate::order::token_hash;
use crate::outbox::{Notification, OutboxMessage};
use crate::ports::{RefreshToken, RefreshUse};
use crate::services::ShopContext;
use crate::{Email, IdGeneratorExt};

/// Hashes and checks passwords (argon2id in the server). Slow on purpose: implementations run off the async
/// executor's threads.
#[async_trait::async_trait]
pub trait Passwords: Send + Sync {
    /// A hash of `password` in PHC string form.
    async fn hash(&self, password: &str) -> Result<PasswordHash>;

    /// Whether `password` matches `hash`; an error only when it cannot tell now (`Overloaded`: too many hashes
    /// running or waiting).
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool>;
}

/// A signed-in session: the customer, and the refresh token to renew it (shown once; only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who.
    pub customer: Customer,
    /// The refresh token.
    pub refresh_token: String,
}

/// The shortest password accepted (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Sessions.
#[derive(Clone)]
pub struct SessionService {
    ctx: ShopContext,
    passwords: Arc<dyn Passwords>,
    refresh_ttl: Duration,
    reset_ttl: Duration,
    /// A hash of nothing anyone knows, made once, to verify against when the account does not exist.
    decoy: Arc<std::sync::OnceLock<PasswordHash>>,
}

impl SessionService {
    /// A session service; refresh tokens live `refresh_ttl`, reset tokens `reset_ttl`.
    pub fn new(ctx: ShopContext, passwords: Arc<dyn Passwords>, refresh_ttl: Duration, reset_ttl: Duration) -> Self {
        SessionService { ctx, passwords, refresh_ttl, reset_ttl, decoy: Arc::default() }
    }

    /// How long a refresh token lives.
    pub fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }

    /// Checks a new password's strength: every problem with it.
    pub fn check_password(password: &str) -> Result<()> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::invalid("password", format!("at least {MIN_PASSWORD_CHARS} characters")));
        }
        if password.len() > 1024 {
            return Err(Error::invalid("password", "at most 1024 bytes"));
        }
        Ok(())
    }

    /// Opens an account (the welcome email goes out with it) and signs it in.
    pub async fn register(&self, email: &str, name: &str, password: &str) -> Result<Session> {
        Self::check_password(password)?;
        let hash = self.passwords.hash(password).await?;
        let customer = crate::services::CustomerService::new(self.ctx.clone())
            .register(email, name, hash, crate::customer::Role::Customer)
            .await?;
        self.open(customer).await
    }

    /// Opens an administrator's account (for the operator's `create-admin` command; never reachable over HTTP).
    pub async fn register_admin(&self, email: &str, name: &str, password: &str) -> Result<Customer> {
        Self::check_password(password)?;
        let hash = self.passwords.hash(password).await?;
        crate::services::CustomerService::new(self.ctx.clone())
            .register(email, name, hash, crate::customer::Role::Admin)
            .await
    }

    /// Signs in. A wrong email and a wrong password are the same `Unauthorized`, and take the same time.
    pub async fn login(&self, email: &str, password: &str) -> Result<Session> {
        let found = match Email::parse(email) {
            Ok(email) => self.ctx.stores.customers.customer_by_email(&email).await?,
            Err(_) => None,
        };
        match found {
            Some((customer, hash)) => {
                if self.passwords.verify(password, &hash).await? {
                    self.open(customer).await
                } else {
                    Err(Error::Unauthorized("invalid_credentials"))
                }
            }
            None => {
                // Verify against a hash of nothing anyone knows, so a missing account costs the same time (one
                // verification, as for a real account; the decoy itself is hashed once per process).
                let decoy = match self.decoy.get() {
                    Some(decoy) => decoy.clone(),
                    None => {
                        let made = self.passwords.hash(&self.ctx.ids.secret_token()).await?;
                        self.decoy.get_or_init(|| made).clone()
                    }
                };
                let _ = self.passwords.verify(password, &decoy).await?;
                Err(Error::Unauthorized("invalid_credentials"))
            }
        }
    }

    /// Trades a refresh token for a new one. A token used twice revokes every token of its sign-in.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session> {
        let now = self.ctx.clock.now();
        match self.ctx.stores.sessions.use_refresh(&token_hash(refresh_token), now).await? {
            RefreshUse::Rotated { customer_id, family } => {
                let customer = self
                    .ctx
                    .stores
                    .customers
                    .customer(&customer_id)
                    .await?
                    .ok_or(Error::Unauthorized("invalid_refresh_token"))?;
                self.issue(customer, family).await
            }
            RefreshUse::Reused => Err(Error::Unauthorized("refresh_token_reused")),
            RefreshUse::Expired | RefreshUse::Unknown => Err(Error::Unauthorized("invalid_refresh_token")),
        }
    }

    /// Signs out: the refresh token's whole sign-in stops working.
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let now = self.ctx.clock.now();
        if let RefreshUse::Rotated { family, .. } =
            self.ctx.stores.sessions.use_refresh(&token_hash(refresh_token), now).await?
        {
            self.ctx.stores.sessions.revoke_family(&family).await?;
        }
        Ok(())
    }

    /// Sends a password-reset email if the address has an account; says nothing either way.
    pub async fn request_reset(&self, email: &str) -> Result<()> {
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let Some((customer, _)) = self.ctx.stores.customers.customer_by_email(&email).await? else { return Ok(()) };
        let token = self.ctx.ids.secret_token();
        let now = self.ctx.clock.now();
        self.ctx.stores.sessions.issue_reset(&token_hash(&token), &customer.id, now + self.reset_ttl).await?;
        let subject = format!("{}:{}", customer.id, token_hash(&token));
        let message = OutboxMessage::new(
            self.ctx.ids.new_id(),
            customer.email.clone(),
            Notification::PasswordReset { customer_id: customer.id.clone(), token },
            &subject,
            now,
        );
        self.ctx.stores.outbox.enqueue(&[message]).await
    }

    /// Sets a new password with a reset token, once: the account's other reset tokens stop working and every
    /// refresh token of the account is revoked, so each sign-in ends when its access token expires (at most 15
    /// minutes later).
    pub async fn confirm_reset(&self, token: &str, new_password: &str) -> Result<()> {
        Self::check_password(new_password)?;
        let now = self.ctx.clock.now();
        let customer = self
            .ctx
            .stores
            .sessions
            .use_reset(&token_hash(token), now)
            .await?
            .ok_or_else(|| Error::invalid("token", "is unknown, used or expired"))?;
        let hash = self.passwords.hash(new_password).await?;
        self.ctx.stores.customers.set_password(&customer, &hash).await?;
        // After the new password is in place, so that a sign-in with the old one a moment before is ended too.
        self.ctx.stores.sessions.revoke_customer_sessions(&customer).await
    }

    async fn open(&self, customer: Customer) -> Result<Session> {
        let family = self.ctx.ids.secret_token();
        self.issue(customer, family).await
    }

    async fn issue(&self, customer: Customer, family: String) -> Result<Session> {
        let refresh_token = self.ctx.ids.secret_token();
        let stored = RefreshToken {
            token_hash: token_hash(&refresh_token),
            family,
            customer_id: customer.id.clone(),
            expires_at: self.ctx.clock.now() + self.refresh_ttl,
        };
        self.ctx.stores.sessions.issue_refresh(&stored).await?;
        Ok(Session { customer, refresh_token })
    }
}
