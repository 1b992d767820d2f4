//! The SQL of customers (`CustomerStore`) and their sessions and password resets (`SessionStore`). The same text for
//! both databases: `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use async_trait::async_trait;
use nite_core::customer::{Customer, PasswordHash};
use nite_core::events::DomainEvent;
use nite_core::outbox::OutboxMessage;
use nite_core::ports::{CustomerStore, Page, RefreshToken, RefreshUse, SessionStore};
use nite_core::{CustomerId, Email, Error, Result};
use time::OffsetDateTime;

use super::rows::{by_key, commit, doc_of, insert_domain_events, insert_outbox, keyset_page};
use super::{RowExt, Store, begin_write, query, query_scalar};
use crate::codec::{micros, to_doc};
use crate::sql::{db, is_unique_violation};

#[async_trait]
impl CustomerStore for Store {
    async fn create_customer(
        &self,
        customer: &Customer,
        hash: &PasswordHash,
        outbox: &[OutboxMessage],
        events: &[DomainEvent],
    ) -> Result<()> {
        let mut tx = begin_write(self).await?;
        query("INSERT INTO customers (id, email, created_at, password_hash, doc) VALUES ($1, $2, $3, $4, $5)")
            .bind(customer.id.as_str())
            .bind(customer.email.as_str())
            .bind(micros(customer.created_at))
            .bind(&hash.0)
            .bind(to_doc(customer)?)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) { Error::EmailTaken } else { Error::adapter("creating a customer", e) }
            })?;
        insert_outbox(&mut tx, outbox).await?;
        insert_domain_events(&mut tx, events).await?;
        commit(tx).await
    }

    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>> {
        by_key(self, "SELECT doc FROM customers WHERE id = $1", id.as_str(), "reading a customer", doc_of).await
    }

    async fn customer_by_email(&self, email: &Email) -> Result<Option<(Customer, PasswordHash)>> {
        let row = query("SELECT doc, password_hash FROM customers WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db("reading a customer"))?;
        match row {
            None => Ok(None),
            Some(row) => {
                let hash: String = row.try_get("password_hash").map_err(db("reading a customer"))?;
                Ok(Some((doc_of(&row)?, PasswordHash(hash))))
            }
        }
    }

    async fn update_customer(&self, customer: &Customer) -> Result<()> {
        let updated = query("UPDATE customers SET email = $2, doc = $3 WHERE id = $1")
            .bind(customer.id.as_str())
            .bind(customer.email.as_str())
            .bind(to_doc(customer)?)
            .execute(&mut *self.write().await?)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) { Error::EmailTaken } else { Error::adapter("saving a customer", e) }
            })?;
        if updated.rows_affected() == 0 { Err(Error::not_found("customer", &customer.id)) } else { Ok(()) }
    }

    async fn set_password(&self, id: &CustomerId, hash: &PasswordHash) -> Result<()> {
        let updated = query("UPDATE customers SET password_hash = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(&hash.0)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("setting a password"))?;
        if updated.rows_affected() == 0 { Err(Error::not_found("customer", id)) } else { Ok(()) }
    }

    async fn customers(&self, page: &nite_core::ports::PageRequest) -> Result<Page<Customer>> {
        keyset_page(
            self,
            "SELECT created_at, doc FROM customers
             WHERE ($1 IS NULL OR created_at > $1 OR (created_at = $1 AND id > $2))
             ORDER BY created_at, id LIMIT $3",
            &[],
            page.cursor.as_deref(),
            page.limit,
            "listing customers",
            doc_of::<Customer>,
            |c| c.id.as_str(),
        )
        .await
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn issue_refresh(&self, token: &RefreshToken) -> Result<()> {
        query(
            "INSERT INTO refresh_tokens (token_hash, family, customer_id, expires_at, spent)
             VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(&token.token_hash)
        .bind(&token.family)
        .bind(token.customer_id.as_str())
        .bind(micros(token.expires_at))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("storing a refresh token"))?;
        Ok(())
    }

    async fn use_refresh(&self, token_hash: &str, now: OffsetDateTime) -> Result<RefreshUse> {
        let mut tx = begin_write(self).await?;
        let row = query(
            "UPDATE refresh_tokens SET spent = 1 WHERE token_hash = $1 AND spent = 0 AND expires_at > $2
             RETURNING customer_id, family",
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("using a refresh token"))?;
        if let Some(row) = row {
            let customer: String = row.try_get("customer_id").map_err(db("using a refresh token"))?;
            let family: String = row.try_get("family").map_err(db("using a refresh token"))?;
            commit(tx).await?;
            let customer_id = CustomerId::parse(&customer).map_err(|e| Error::adapter("reading a refresh token", e))?;
            return Ok(RefreshUse::Rotated { customer_id, family });
        }
        let found = query("SELECT family, spent, expires_at FROM refresh_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading a refresh token"))?;
        let Some(found) = found else { return Ok(RefreshUse::Unknown) };
        let spent: i64 = found.try_get("spent").map_err(db("reading a refresh token"))?;
        if spent == 0 {
            return Ok(RefreshUse::Expired);
        }
        let family: String = found.try_get("family").map_err(db("reading a refresh token"))?;
        query("UPDATE refresh_tokens SET spent = 1 WHERE family = $1")
            .bind(&family)
            .execute(&mut *tx)
            .await
            .map_err(db("revoking a token family"))?;
        commit(tx).await?;
        Ok(RefreshUse::Reused)
    }

    async fn revoke_family(&self, family: &str) -> Result<()> {
        query("UPDATE refresh_tokens SET spent = 1 WHERE family = $1")
            .bind(family)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("revoking a token family"))?;
        Ok(())
    }

    async fn issue_reset(&self, token_hash: &str, customer: &CustomerId, expires_at: OffsetDateTime) -> Result<()> {
        query("INSERT INTO password_resets (token_hash, customer_id, expires_at, used) VALUES ($1, $2, $3, 0)")
            .bind(token_hash)
            .bind(customer.as_str())
            .bind(micros(expires_at))
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("storing a password-reset token"))?;
        Ok(())
    }

    async fn use_reset(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<CustomerId>> {
        let context = "using a password-reset token";
        let mut tx = begin_write(self).await?;
        let customer: Option<String> = query_scalar(
            "UPDATE password_resets SET used = 1 WHERE token_hash = $1 AND used = 0 AND expires_at > $2
             RETURNING customer_id",
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(context))?;
        if let Some(customer) = &customer {
            query("UPDATE password_resets SET used = 1 WHERE customer_id = $1 AND used = 0")
                .bind(customer)
                .execute(&mut *tx)
                .await
                .map_err(db(context))?;
        }
        commit(tx).await?;
        customer.map(|c| CustomerId::parse(&c).map_err(|e| Error::adapter(context, e))).transpose()
    }

    async fn revoke_customer_sessions(&self, customer: &CustomerId) -> Result<()> {
        query("UPDATE refresh_tokens SET spent = 1 WHERE customer_id = $1")
            .bind(customer.as_str())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("revoking a customer's sessions"))?;
        Ok(())
    }
}
