//! Inventory rules: what is on hand, what is reserved by unpaid orders, and what can still be sold.

use serde::{Deserialize, Serialize};

use crate::catalog::Sku;

/// The stock of one SKU.
///
/// `reserved` units belong to orders awaiting payment; they are committed (taken off `on_hand`) when the payment
/// arrives, or released when it fails or expires. Only `on_hand − reserved` can be sold, and storage enforces
/// `reserved ≤ on_hand` in the same statement that reserves, so stock never goes negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The SKU.
    pub sku: Sku,
    /// Units in the warehouse.
    pub on_hand: u32,
    /// Units held for unpaid orders.
    pub reserved: u32,
}

impl StockLevel {
    /// Units that can still be sold.
    pub fn available(&self) -> u32 {
        self.on_hand.saturating_sub(self.reserved)
    }

    /// Whether at most `threshold` units can still be sold (the shop's [`low_stock_at`]).
    ///
    /// [`low_stock_at`]: crate::services::ShopSettings::low_stock_at
    pub fn is_low(&self, threshold: u32) -> bool {
        self.available() <= threshold
    }
}

/// What an order transition does to stock, applied by storage in the transition's transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockEffect {
    /// Nothing.
    #[default]
    None,
    /// The payment arrived: reserved units leave the warehouse (`on_hand −= n`, `reserved −= n`).
    Commit,
    /// The order will not be paid: reserved units are free again (`reserved −= n`).
    Release,
    /// A paid order was cancelled before shipping: its units are back on the shelf (`on_hand += n`).
    Restock,
}

/// Units per SKU, summed over lines and sorted by SKU: the order in which stock is locked, so that concurrent
/// checkouts cannot deadlock.
pub fn units_by_sku<'a>(lines: impl IntoIterator<Item = (&'a Sku, u32)>) -> Vec<(Sku, u32)> {
    let mut units: Vec<(Sku, u32)> = Vec::new();
    for (sku, quantity) in lines {
        match units.iter_mut().find(|(s, _)| s == sku) {
            Some((_, n)) => *n = n.saturating_add(quantity),
            None => units.push((sku.clone(), quantity)),
        }
    }
    units.sort_by(|a, b| a.0.cmp(&b.0));
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_summed_and_sorted() {
        let (a, b) = (Sku::new("B").unwrap(), Sku::new("A").unwrap());
        let units = units_by_sku([(&a, 2), (&b, 1), (&a, 3)]);
        assert_eq!(units, vec![(b, 1), (a, 5)]);
        assert_eq!(StockLevel { sku: Sku::new("X").unwrap(), on_hand: 3, reserved: 5 }.available(), 0);
    }
}
