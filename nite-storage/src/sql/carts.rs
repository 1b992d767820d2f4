//! The SQL of carts (`CartStore`). The same text for both databases: `sqlite.rs` and `postgres.rs` each compile it (see
//! `sql.rs`).

use async_trait::async_trait;
use nite_core::cart::Cart;
use nite_core::ports::CartStore;
use nite_core::{CartId, CustomerId, Error, Result};

use super::rows::{by_key, cart_from_row};
use super::{Store, query};
use crate::codec::{micros, to_doc};
use crate::sql::{db, enum_name, is_unique_violation};

#[async_trait]
impl CartStore for Store {
    async fn create_cart(&self, cart: &Cart) -> Result<()> {
        query("INSERT INTO carts (id, customer_id, state, version, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(cart.id.as_str())
            .bind(cart.customer_id.as_ref().map(|c| c.to_string()))
            .bind(enum_name(&cart.state)?)
            .bind(cart.version)
            .bind(micros(cart.created_at))
            .bind(to_doc(cart)?)
            .execute(&mut *self.write().await?)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) { Error::Conflict("cart") } else { Error::adapter("creating a cart", e) }
            })?;
        Ok(())
    }

    async fn cart(&self, id: &CartId) -> Result<Option<Cart>> {
        by_key(
            self,
            "SELECT state, version, doc FROM carts WHERE id = $1",
            id.as_str(),
            "reading a cart",
            cart_from_row,
        )
        .await
    }

    async fn save_cart(&self, cart: &Cart) -> Result<Cart> {
        let saved = Cart { version: cart.version + 1, ..cart.clone() };
        let updated = query(
            "UPDATE carts SET customer_id = $2, state = $3, version = $4, doc = $5 WHERE id = $1 AND version = $6",
        )
        .bind(cart.id.as_str())
        .bind(cart.customer_id.as_ref().map(|c| c.to_string()))
        .bind(enum_name(&cart.state)?)
        .bind(saved.version)
        .bind(to_doc(&saved)?)
        .bind(cart.version)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("saving a cart"))?;
        if updated.rows_affected() == 1 {
            return Ok(saved);
        }
        match self.cart(&cart.id).await? {
            Some(_) => Err(Error::Conflict("cart")),
            None => Err(Error::not_found("cart", &cart.id)),
        }
    }

    async fn open_cart_of(&self, customer: &CustomerId) -> Result<Option<Cart>> {
        let row = query(
            "SELECT state, version, doc FROM carts WHERE customer_id = $1 AND state = 'open'
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(customer.as_str())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db("finding a customer's cart"))?;
        row.as_ref().map(cart_from_row).transpose()
    }
}
