//! `CartStore`: carts, saved with a version check so concurrent edits cannot overwrite each other.

use async_trait::async_trait;

use crate::cart::Cart;
use crate::error::Result;
use crate::{CartId, CustomerId};

/// Carts.
#[async_trait]
pub trait CartStore: Send + Sync {
    /// Stores a new cart.
    async fn create_cart(&self, cart: &Cart) -> Result<()>;

    /// A cart by id.
    async fn cart(&self, id: &CartId) -> Result<Option<Cart>>;

    /// Saves `cart` if the stored version is still `cart.version`, and returns it with the version bumped;
    /// `Conflict("cart")` if someone saved in between.
    async fn save_cart(&self, cart: &Cart) -> Result<Cart>;

    /// The customer's newest open cart.
    async fn open_cart_of(&self, customer: &CustomerId) -> Result<Option<Cart>>;
}
