//! `InventoryStore`: stock levels. Reservations happen inside `OrderStore` calls, atomically with the order.

use async_trait::async_trait;

use crate::catalog::Sku;
use crate::error::Result;
use crate::inventory::StockLevel;

/// Stock levels.
#[async_trait]
pub trait InventoryStore: Send + Sync {
    /// The stock of these SKUs; unknown SKUs are absent.
    async fn stock(&self, skus: &[Sku]) -> Result<Vec<StockLevel>>;

    /// Every SKU's stock, by SKU.
    async fn all_stock(&self) -> Result<Vec<StockLevel>>;

    /// Sets the units on hand (creating the SKU's row if needed). Refuses a figure below what is reserved.
    async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<StockLevel>;
}
