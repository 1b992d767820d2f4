//! `InMemoryStore`: every storage port over one mutex. Each call is atomic because it holds the lock throughout.

mod events;
mod orders;
mod records;
mod sessions;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::analytics::AnalyticsEvent;
use crate::cart::{Cart, CartState};
use crate::catalog::{Product, Sku, Slug};
use crate::customer::{Customer, PasswordHash};
use crate::error::{Error, Result};
use crate::inventory::StockLevel;
use crate::order::Order;
use crate::outbox::{OutboxMessage, OutboxStatus};
use crate::ports::{
    CartStore, CatalogStore, CustomerStore, IdempotencyRecord, InventoryStore, Page, ProductFilter, PromotionStore,
    RefreshToken, ReviewFilter, ReviewStore, ShowcaseStore, ShownProduct,
};
use crate::promotion::{Promotion, PromotionUsage};
use crate::review::{RatingSummary, Review, ReviewStatus};
use crate::{CartId, CustomerId, Email, MessageId, ProductId, PromotionId, ReviewId};

#[derive(Default)]
struct State {
    /// (position, product), in position order.
    products: Vec<(u64, Product)>,
    next_position: u64,
    stock: BTreeMap<Sku, (u32, u32)>,
    carts: HashMap<CartId, Cart>,
    orders: Vec<Order>,
    customers: Vec<(Customer, PasswordHash)>,
    reviews: Vec<Review>,
    promotions: BTreeMap<PromotionId, Promotion>,
    usage: HashMap<PromotionId, u32>,
    customer_usage: HashMap<(PromotionId, String), u32>,
    idempotency: HashMap<(String, String), IdempotencyRecord>,
    inbox: HashSet<(String, String)>,
    outbox: Vec<OutboxEntry>,
    events: Vec<AnalyticsEvent>,
    /// Refresh tokens by hash: the token, and whether it is used or revoked.
    refresh: HashMap<String, (RefreshToken, bool)>,
    /// Password-reset tokens by hash: customer, expiry, used.
    resets: HashMap<String, (CustomerId, OffsetDateTime, bool)>,
    /// Claimed job slots: (job, slot) → when.
    job_slots: HashMap<(String, i64), OffsetDateTime>,
    /// Domain events, their consumers and deliveries.
    domain: events::Events,
}

/// An outbox message and its delivery state.
struct OutboxEntry {
    message: OutboxMessage,
    next_attempt_at: OffsetDateTime,
    lease_owner: Option<String>,
    lease_until: Option<OffsetDateTime>,
    failed: bool,
}

impl State {
    fn enqueue(&mut self, messages: &[OutboxMessage]) {
        for m in messages {
            if !self.outbox.iter().any(|o| o.message.dedupe_key == m.dedupe_key) {
                self.outbox.push(OutboxEntry {
                    message: m.clone(),
                    next_attempt_at: m.created_at,
                    failed: false,
                    lease_owner: None,
                    lease_until: None,
                });
            }
        }
    }

    fn held<'a>(&'a mut self, id: &MessageId, worker: &str) -> Option<&'a mut OutboxEntry> {
        self.outbox.iter_mut().find(|e| {
            &e.message.id == id && e.lease_owner.as_deref() == Some(worker) && e.message.status == OutboxStatus::Pending
        })
    }
}

/// Every storage port in memory, for tests and for trying nite without a database.
#[derive(Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
    failing: AtomicBool,
    test_payments: crate::payment::MemoryTestPayments,
}

fn page<T: Clone>(items: impl Iterator<Item = T>, limit: crate::ports::Limit, cursor: Option<&str>) -> Result<Page<T>> {
    let offset: usize = match cursor {
        None => 0,
        Some(c) => c.parse().map_err(|_| Error::invalid("cursor", "is not a cursor this list gave"))?,
    };
    let limit = usize::try_from(limit.get()).unwrap_or(100);
    let mut taken: Vec<T> = items.skip(offset).take(limit + 1).collect();
    let next_cursor = (taken.len() > limit).then(|| (offset + limit).to_string());
    taken.truncate(limit);
    Ok(Page { items: taken, next_cursor })
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> InMemoryStore {
        InMemoryStore::default()
    }

    /// Makes every call fail (or work again), to test how callers cope with a broken store.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::adapter("in-memory store", "failing on purpose"));
        }
        Ok(self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl CatalogStore for InMemoryStore {
    async fn upsert_product(&self, product: &Product) -> Result<()> {
        let mut s = self.state()?;
        for (_, other) in s.products.iter().filter(|(_, p)| p.id != product.id) {
            if other.slug == product.slug {
                return Err(Error::invalid("slug", format!("`{}` is used by another product", product.slug)));
            }
            if let Some(v) = product.variants.iter().find(|v| other.variant(&v.sku).is_some()) {
                return Err(Error::invalid("variants.sku", format!("`{}` is used by another product", v.sku)));
            }
        }
        match s.products.iter_mut().find(|(_, p)| p.id == product.id) {
            Some((_, existing)) => *existing = product.clone(),
            None => {
                s.next_position += 1;
                let position = s.next_position;
                s.products.push((position, product.clone()));
            }
        }
        Ok(())
    }

    async fn delete_product(&self, id: &ProductId) -> Result<()> {
        let mut s = self.state()?;
        let before = s.products.len();
        s.products.retain(|(_, p)| &p.id != id);
        if s.products.len() == before { Err(Error::not_found("product", id)) } else { Ok(()) }
    }

    async fn product(&self, id: &ProductId) -> Result<Option<Product>> {
        Ok(self.state()?.products.iter().find(|(_, p)| &p.id == id).map(|(_, p)| p.clone()))
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>> {
        Ok(self.state()?.products.iter().find(|(_, p)| &p.slug == slug).map(|(_, p)| p.clone()))
    }

    async fn products(&self, filter: &ProductFilter) -> Result<Page<Product>> {
        let s = self.state()?;
        let query = filter.query.as_ref().map(|q| q.to_lowercase());
        let matching = s.products.iter().map(|(_, p)| p).filter(|p| {
            filter.category.as_ref().is_none_or(|c| &p.category == c)
                && query
                    .as_ref()
                    .is_none_or(|q| p.name.to_lowercase().contains(q) || p.description.to_lowercase().contains(q))
        });
        page(matching.cloned(), filter.limit, filter.cursor.as_deref())
    }

    async fn products_by_skus(&self, skus: &[Sku]) -> Result<Vec<Product>> {
        let s = self.state()?;
        Ok(s.products
            .iter()
            .map(|(_, p)| p)
            .filter(|p| skus.iter().any(|sku| p.variant(sku).is_some()))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl InventoryStore for InMemoryStore {
    async fn stock(&self, skus: &[Sku]) -> Result<Vec<StockLevel>> {
        let s = self.state()?;
        Ok(s.stock
            .iter()
            .filter(|(sku, _)| skus.contains(sku))
            .map(|(sku, &(on_hand, reserved))| StockLevel { sku: sku.clone(), on_hand, reserved })
            .collect())
    }

    async fn all_stock(&self) -> Result<Vec<StockLevel>> {
        let s = self.state()?;
        Ok(s.stock
            .iter()
            .map(|(sku, &(on_hand, reserved))| StockLevel { sku: sku.clone(), on_hand, reserved })
            .collect())
    }

    async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<StockLevel> {
        let mut s = self.state()?;
        let entry = s.stock.entry(sku.clone()).or_insert((0, 0));
        if on_hand < entry.1 {
            return Err(Error::invalid("on_hand", format!("is below the {} units reserved", entry.1)));
        }
        entry.0 = on_hand;
        Ok(StockLevel { sku: sku.clone(), on_hand, reserved: entry.1 })
    }
}

#[async_trait]
impl CartStore for InMemoryStore {
    async fn create_cart(&self, cart: &Cart) -> Result<()> {
        let mut s = self.state()?;
        if s.carts.contains_key(&cart.id) {
            return Err(Error::Conflict("cart"));
        }
        s.carts.insert(cart.id.clone(), cart.clone());
        Ok(())
    }

    async fn cart(&self, id: &CartId) -> Result<Option<Cart>> {
        Ok(self.state()?.carts.get(id).cloned())
    }

    async fn save_cart(&self, cart: &Cart) -> Result<Cart> {
        let mut s = self.state()?;
        let stored = s.carts.get_mut(&cart.id).ok_or_else(|| Error::not_found("cart", &cart.id))?;
        if stored.version != cart.version {
            return Err(Error::Conflict("cart"));
        }
        *stored = Cart { version: cart.version + 1, ..cart.clone() };
        Ok(stored.clone())
    }

    async fn open_cart_of(&self, customer: &CustomerId) -> Result<Option<Cart>> {
        let s = self.state()?;
        Ok(s.carts
            .values()
            .filter(|c| c.customer_id.as_ref() == Some(customer) && c.state == CartState::Open)
            .max_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)))
            .cloned())
    }
}

#[async_trait]
impl CustomerStore for InMemoryStore {
    async fn create_customer(
        &self,
        customer: &Customer,
        hash: &PasswordHash,
        outbox: &[OutboxMessage],
        events: &[crate::events::DomainEvent],
    ) -> Result<()> {
        let mut s = self.state()?;
        if s.customers.iter().any(|(c, _)| c.email == customer.email) {
            return Err(Error::EmailTaken);
        }
        s.customers.push((customer.clone(), hash.clone()));
        s.enqueue(outbox);
        s.domain.publish(events);
        Ok(())
    }

    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>> {
        Ok(self.state()?.customers.iter().find(|(c, _)| &c.id == id).map(|(c, _)| c.clone()))
    }

    async fn customer_by_email(&self, email: &Email) -> Result<Option<(Customer, PasswordHash)>> {
        Ok(self.state()?.customers.iter().find(|(c, _)| &c.email == email).cloned())
    }

    async fn update_customer(&self, customer: &Customer) -> Result<()> {
        let mut s = self.state()?;
        if s.customers.iter().any(|(c, _)| c.email == customer.email && c.id != customer.id) {
            return Err(Error::EmailTaken);
        }
        let (stored, _) = s
            .customers
            .iter_mut()
            .find(|(c, _)| c.id == customer.id)
            .ok_or_else(|| Error::not_found("customer", &customer.id))?;
        *stored = customer.clone();
        Ok(())
    }

    async fn set_password(&self, id: &CustomerId, hash: &PasswordHash) -> Result<()> {
        let mut s = self.state()?;
        let (_, stored) =
            s.customers.iter_mut().find(|(c, _)| &c.id == id).ok_or_else(|| Error::not_found("customer", id))?;
        *stored = hash.clone();
        Ok(())
    }

    async fn customers(&self, request: &crate::ports::PageRequest) -> Result<Page<Customer>> {
        let s = self.state()?;
        page(s.customers.iter().map(|(c, _)| c.clone()), request.limit, request.cursor.as_deref())
    }
}

#[async_trait]
impl ShowcaseStore for InMemoryStore {
    async fn shown_products(&self, filter: &ProductFilter) -> Result<Page<ShownProduct>> {
        self.composed().shown_products(filter).await
    }

    async fn shown_product(&self, slug: &Slug) -> Result<Option<ShownProduct>> {
        self.composed().shown_product(slug).await
    }
}

impl InMemoryStore {
    /// This store as its own catalog, inventory and reviews, for the showcase.
    fn composed(&self) -> crate::ports::catalog::Composed<'_> {
        crate::ports::catalog::Composed { catalog: self, inventory: self, reviews: self }
    }
}

#[async_trait]
impl ReviewStore for InMemoryStore {
    async fn create_review(&self, review: &Review, events: &[crate::events::DomainEvent]) -> Result<()> {
        let mut s = self.state()?;
        if s.reviews.iter().any(|r| r.customer_id == review.customer_id && r.product_id == review.product_id) {
            return Err(Error::AlreadyReviewed);
        }
        s.reviews.push(review.clone());
        s.domain.publish(events);
        Ok(())
    }

    async fn review(&self, id: &ReviewId) -> Result<Option<Review>> {
        Ok(self.state()?.reviews.iter().find(|r| &r.id == id).cloned())
    }

    async fn reviews(&self, filter: &ReviewFilter) -> Result<Page<Review>> {
        let s = self.state()?;
        let mut matching: Vec<&Review> = s
            .reviews
            .iter()
            .filter(|r| filter.product_id.as_ref().is_none_or(|p| &r.product_id == p))
            .filter(|r| filter.status.is_none_or(|st| r.status == st))
            .collect();
        matching.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        page(matching.into_iter().cloned(), filter.limit, filter.cursor.as_deref())
    }

    async fn set_review_status(&self, id: &ReviewId, status: ReviewStatus) -> Result<Review> {
        let mut s = self.state()?;
        let review = s.reviews.iter_mut().find(|r| &r.id == id).ok_or_else(|| Error::not_found("review", id))?;
        review.status = status;
        Ok(review.clone())
    }

    async fn rating_summaries(&self, products: &[ProductId]) -> Result<Vec<RatingSummary>> {
        let s = self.state()?;
        Ok(products
            .iter()
            .map(|product| {
                RatingSummary::of(
                    s.reviews
                        .iter()
                        .filter(|r| &r.product_id == product && r.status == ReviewStatus::Approved)
                        .map(|r| r.rating),
                )
            })
            .collect())
    }
}

#[async_trait]
impl PromotionStore for InMemoryStore {
    async fn promotions(&self) -> Result<Vec<Promotion>> {
        Ok(self.state()?.promotions.values().cloned().collect())
    }

    async fn promotion(&self, id: &PromotionId) -> Result<Option<Promotion>> {
        Ok(self.state()?.promotions.get(id).cloned())
    }

    async fn upsert_promotion(&self, promotion: &Promotion) -> Result<()> {
        let mut s = self.state()?;
        if let Some(code) = &promotion.code
            && s.promotions.values().any(|p| p.id != promotion.id && p.code.as_ref() == Some(code))
        {
            return Err(Error::invalid("code", format!("`{code}` is used by another promotion")));
        }
        s.promotions.insert(promotion.id.clone(), promotion.clone());
        Ok(())
    }

    async fn promotion_usage(&self, ids: &[PromotionId], customer_key: &str) -> Result<Vec<PromotionUsage>> {
        let s = self.state()?;
        Ok(ids
            .iter()
            .map(|id| PromotionUsage {
                promotion_id: id.clone(),
                total: s.usage.get(id).copied().unwrap_or(0),
                by_customer: s.customer_usage.get(&(id.clone(), customer_key.to_owned())).copied().unwrap_or(0),
            })
            .collect())
    }
}
