//! Ports: the traits nite's use cases need from the outside world, each implemented by adapters (nite-storage for
//! the stores) and by in-memory doubles (`testing`, feature `testing`).
//!
//! Storage ports are shaped by what must happen atomically: placing an order reserves stock, consumes promotion
//! usage, records the idempotency key, freezes the cart and creates the order in one call, and every order
//! transition saves the order, moves stock, writes the outbox and records analytics (and the webhook inbox entry)
//! in one call. An adapter runs each such call in one transaction.

mod analytics;
mod cached;
mod cart;
pub(crate) mod catalog;
mod customer;
mod events;
mod idempotency;
mod inventory;
mod jobs;
mod order;
mod outbox;
mod promotion;
mod review;
mod session;
mod test_payment;

pub use analytics::AnalyticsStore;
pub use cached::ReadCache;
pub use cart::CartStore;
pub use catalog::{CatalogStore, ComposedShowcase, ProductFilter, ShowcaseStore, ShownProduct, shown};
pub use customer::CustomerStore;
pub use events::EventStore;
pub use idempotency::{IdempotencyRecord, IdempotencyStore, Remembered};
pub use inventory::InventoryStore;
pub use jobs::JobStore;
pub use order::{InboxEntry, LowStock, OrderFilter, OrderStore, OrderUpdate, PlaceOrder, Placed, PromotionUse, Saved};
pub use outbox::{OutboxHealth, OutboxStore};
pub use promotion::PromotionStore;
pub use review::{ReviewFilter, ReviewStore};
pub use session::{RefreshToken, RefreshUse, SessionStore};
pub use test_payment::{StoredTestPayment, TestPaymentStore};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How many items one page of a list holds: 1 to 100, 20 unless asked. Every list of the ports takes one, so these
/// bounds live here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Limit(u32);

impl Limit {
    /// One item.
    pub const ONE: Limit = Limit(1);
    /// The default page: 20 items.
    pub const DEFAULT: Limit = Limit(20);
    /// The largest page: 100 items.
    pub const MAX: Limit = Limit(100);

    /// `n` items; `Validation` on `limit` outside 1–100.
    pub fn new(n: u32) -> crate::Result<Limit> {
        if (1..=100).contains(&n) { Ok(Limit(n)) } else { Err(crate::Error::invalid("limit", "must be from 1 to 100")) }
    }

    /// What a request asked for: the default when it asked for nothing.
    pub fn asked(n: Option<u32>) -> crate::Result<Limit> {
        n.map_or(Ok(Limit::DEFAULT), Limit::new)
    }

    /// `n` items, brought within 1–100: for code's own constants, not for what a client asked.
    pub const fn clamped(n: u32) -> Limit {
        Limit(if n < 1 {
            1
        } else if n > 100 {
            100
        } else {
            n
        })
    }

    /// The number of items.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Limit {
        Limit::DEFAULT
    }
}

/// Which page of a list to read: at most `limit` items after `cursor`, the `next_cursor` of the page before (`None`
/// for the first page). Cursors are opaque; a store refuses one it did not give with `Validation` on `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items.
    pub limit: Limit,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: Limit) -> PageRequest {
        PageRequest { limit, cursor: None }
    }

    /// What a request asked for: `limit` (the default when absent; `Validation` outside 1–100) after `cursor`.
    pub fn asked(limit: Option<u32>, cursor: Option<String>) -> crate::Result<PageRequest> {
        Ok(PageRequest { limit: Limit::asked(limit)?, cursor })
    }
}

/// One page of a list, and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass this back to get the next page.
    pub next_cursor: Option<String>,
}

/// Every storage port at once: what one database adapter implements.
pub trait Store:
    CatalogStore
    + ShowcaseStore
    + InventoryStore
    + CartStore
    + OrderStore
    + CustomerStore
    + ReviewStore
    + PromotionStore
    + IdempotencyStore
    + OutboxStore
    + AnalyticsStore
    + SessionStore
    + TestPaymentStore
    + JobStore
    + EventStore
{
}

impl<T> Store for T where
    T: CatalogStore
        + ShowcaseStore
        + InventoryStore
        + CartStore
        + OrderStore
        + CustomerStore
        + ReviewStore
        + PromotionStore
        + IdempotencyStore
        + OutboxStore
        + AnalyticsStore
        + SessionStore
        + TestPaymentStore
        + JobStore
        + EventStore
{
}

/// One handle per storage port, so that a service takes exactly the ports it uses and a deployment can put one
/// port on another adapter.
#[derive(Clone)]
pub struct Stores {
    /// Products.
    pub catalog: Arc<dyn CatalogStore>,
    /// Products with their stock and reviews' summaries, as the storefront shows them: the same store as `catalog`,
    /// `inventory` and `reviews`, or a [`ComposedShowcase`] of them.
    pub showcase: Arc<dyn ShowcaseStore>,
    /// Stock.
    pub inventory: Arc<dyn InventoryStore>,
    /// Carts.
    pub carts: Arc<dyn CartStore>,
    /// Orders, and the atomic operations on them.
    pub orders: Arc<dyn OrderStore>,
    /// Customers.
    pub customers: Arc<dyn CustomerStore>,
    /// Reviews.
    pub reviews: Arc<dyn ReviewStore>,
    /// Promotions and their usage.
    pub promotions: Arc<dyn PromotionStore>,
    /// Idempotency keys.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// The outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// Analytics events.
    pub analytics: Arc<dyn AnalyticsStore>,
    /// Sessions and password resets.
    pub sessions: Arc<dyn SessionStore>,
    /// The built-in test payment provider's payments.
    pub test_payments: Arc<dyn TestPaymentStore>,
    /// Periodic jobs' slots (one run per interval across every worker).
    pub jobs: Arc<dyn JobStore>,
    /// Domain events, their consumers and deliveries.
    pub events: Arc<dyn EventStore>,
}

impl Stores {
    /// Every port served by one store.
    pub fn from_store<S: Store + 'static>(store: Arc<S>) -> Stores {
        Stores {
            catalog: store.clone(),
            showcase: store.clone(),
            inventory: store.clone(),
            carts: store.clone(),
            orders: store.clone(),
            customers: store.clone(),
            reviews: store.clone(),
            promotions: store.clone(),
            idempotency: store.clone(),
            outbox: store.clone(),
            analytics: store.clone(),
            sessions: store.clone(),
            test_payments: store.clone(),
            jobs: store.clone(),
            events: store,
        }
    }
}
