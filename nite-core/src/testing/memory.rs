//! `InMemoryStore`: every storage port over one mutex. Each call is atomic because it holds the lock throughout.

mod events;
mod sessions;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::cart::{Cart, CartState};
use crate::catalog::{Product, Sku, Slug};
use crate::customer::{Customer, PasswordHash};
use crate::error::{Error, Result};
use crate::inventory::{StockEffect, StockLevel};
use crate::order::{Order, OrderState};
use crate::outbox::{OutboxMessage, OutboxStatus};
use crate::ports::{
    AnalyticsStore, CartStore, CatalogStore, CustomerStore, IdempotencyRecord, IdempotencyStore, InboxEntry,
    InventoryStore, OrderFilter, OrderStore, OrderUpdate, OutboxStore, Page, PlaceOrder, Placed, ProductFilter,
    PromotionStore, RefreshToken, Remembered, ReviewFilter, ReviewStore, Saved,
};
use crate::promotion::{Promotion, PromotionUsage};
use crate::review::{RatingSummary, Review, ReviewStatus};
use crate::{CartId, CustomerId, Email, MessageId, OrderId, PaymentId, ProductId, PromotionId, ReviewId};

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
impl OrderStore for InMemoryStore {
    async fn place_order(&self, request: PlaceOrder<'_>) -> Result<Placed> {
        let mut s = self.state()?;
        if let Some(record) = request.idempotency
            && let Some(existing) = s.idempotency.get(&(record.scope.clone(), record.key.clone()))
        {
            if existing.fingerprint != record.fingerprint {
                return Err(Error::IdempotencyKeyReused);
            }
            let id = OrderId::parse(&existing.resource_id).map_err(|e| Error::adapter("idempotency record", e))?;
            return Ok(Placed::Replayed(id));
        }
        let order = request.order;
        match s.carts.get(&order.cart_id) {
            Some(cart) if cart.state != CartState::Open => return Err(Error::CartNotOpen),
            Some(cart) if cart.version != request.cart_version => return Err(Error::Conflict("cart")),
            Some(_) => {}
            None => return Err(Error::not_found("cart", &order.cart_id)),
        }
        for (sku, requested) in request.reservations {
            let (on_hand, reserved) = s.stock.get(sku).copied().unwrap_or((0, 0));
            let available = on_hand.saturating_sub(reserved);
            if available < *requested {
                return Err(Error::InsufficientStock { sku: sku.clone(), requested: *requested, available });
            }
        }
        for usage in request.promotion_uses {
            let Some(promotion) = s.promotions.get(&usage.promotion_id) else {
                return Err(Error::PromotionExhausted(usage.promotion_id.clone()));
            };
            let total = s.usage.get(&usage.promotion_id).copied().unwrap_or(0);
            let mine =
                s.customer_usage.get(&(usage.promotion_id.clone(), usage.customer_key.clone())).copied().unwrap_or(0);
            if promotion.usage_limit.is_some_and(|l| total >= l)
                || promotion.usage_limit_per_customer.is_some_and(|l| mine >= l)
            {
                return Err(Error::PromotionExhausted(usage.promotion_id.clone()));
            }
        }
        if let (Some(max), Some(client)) = (request.max_pending, &order.client) {
            let held = s
                .orders
                .iter()
                .filter(|o| o.client.as_ref() == Some(client) && o.state() == OrderState::PendingPayment)
                .count();
            if held >= usize::try_from(max).unwrap_or(usize::MAX) {
                return Err(Error::TooManyPendingOrders { limit: max });
            }
        }
        // Every check passed: apply everything.
        let mut running_low = Vec::new();
        for (index, (sku, requested)) in request.reservations.iter().enumerate() {
            let level = s.stock.entry(sku.clone()).or_insert((0, 0));
            level.1 += requested;
            let available = level.0.saturating_sub(level.1);
            if let Some(low) = request.low_stock.filter(|low| available <= low.at && available + requested > low.at)
                && let Some(id) = low.ids.get(index)
            {
                let data = crate::events::EventData::StockLow { sku: sku.clone(), available, low_stock_at: low.at };
                running_low.push(crate::events::DomainEvent { id: id.clone(), at: low.now, data });
            }
        }
        for usage in request.promotion_uses {
            *s.usage.entry(usage.promotion_id.clone()).or_insert(0) += 1;
            let per_customer = s.promotions.get(&usage.promotion_id).and_then(|p| p.usage_limit_per_customer);
            if per_customer.is_some() {
                *s.customer_usage.entry((usage.promotion_id.clone(), usage.customer_key.clone())).or_insert(0) += 1;
            }
        }
        if let Some(cart) = s.carts.get_mut(&order.cart_id) {
            cart.state = CartState::CheckedOut;
            cart.version += 1;
        }
        if let Some(record) = request.idempotency {
            s.idempotency.insert((record.scope.clone(), record.key.clone()), record.clone());
        }
        s.orders.push(order.clone());
        s.events.extend_from_slice(request.events);
        s.domain.publish(request.domain_events);
        s.domain.publish(&running_low);
        Ok(Placed::Created)
    }

    async fn save_order(&self, update: OrderUpdate<'_>) -> Result<Saved> {
        let mut s = self.state()?;
        if let Some(entry) = update.inbox
            && s.inbox.contains(&(entry.provider.clone(), entry.event_id.clone()))
        {
            return Ok(Saved::Duplicate);
        }
        let order = update.order;
        let index =
            s.orders.iter().position(|o| o.id == order.id).ok_or_else(|| Error::not_found("order", &order.id))?;
        if s.orders[index].version != order.version {
            return Err(Error::Conflict("order"));
        }
        for (sku, units) in order.units_by_sku() {
            let level = s.stock.entry(sku).or_insert((0, 0));
            match update.stock {
                StockEffect::None => {}
                StockEffect::Commit => {
                    level.0 = level.0.saturating_sub(units);
                    level.1 = level.1.saturating_sub(units);
                }
                StockEffect::Release => level.1 = level.1.saturating_sub(units),
                StockEffect::Restock => level.0 = level.0.saturating_add(units),
            }
        }
        s.orders[index] = Order { version: order.version + 1, ..order.clone() };
        s.enqueue(update.outbox);
        s.events.extend_from_slice(update.events);
        s.domain.publish(update.domain_events);
        if let Some(entry) = update.inbox {
            s.inbox.insert((entry.provider.clone(), entry.event_id.clone()));
        }
        Ok(Saved::Saved)
    }

    async fn attach_payment(&self, order: &OrderId, provider: &str, payment: &PaymentId) -> Result<()> {
        let mut s = self.state()?;
        let stored = s.orders.iter_mut().find(|o| &o.id == order).ok_or_else(|| Error::not_found("order", order))?;
        stored.payment.provider = Some(provider.to_owned());
        stored.payment.payment_id = Some(payment.clone());
        Ok(())
    }

    async fn remember_event(&self, entry: &InboxEntry) -> Result<bool> {
        Ok(self.state()?.inbox.insert((entry.provider.clone(), entry.event_id.clone())))
    }

    async fn order(&self, id: &OrderId) -> Result<Option<Order>> {
        Ok(self.state()?.orders.iter().find(|o| &o.id == id).cloned())
    }

    async fn order_by_payment(&self, payment_id: &PaymentId) -> Result<Option<Order>> {
        Ok(self.state()?.orders.iter().find(|o| o.payment.payment_id.as_ref() == Some(payment_id)).cloned())
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Page<Order>> {
        let s = self.state()?;
        let mut matching: Vec<&Order> = s
            .orders
            .iter()
            .filter(|o| filter.customer_id.as_ref().is_none_or(|c| o.customer_id.as_ref() == Some(c)))
            .filter(|o| filter.state.is_none_or(|st| o.state() == st))
            .filter(|o| {
                filter.search.as_deref().is_none_or(|text| {
                    o.id.as_str() == text || o.email.as_str().to_lowercase().contains(&text.to_lowercase())
                })
            })
            .collect();
        matching.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        page(matching.into_iter().cloned(), filter.limit, filter.cursor.as_deref())
    }

    async fn expired_orders(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Order>> {
        let s = self.state()?;
        let mut expired: Vec<&Order> = s
            .orders
            .iter()
            .filter(|o| matches!(&o.status, crate::order::Status::PendingPayment(p) if p.expires_at <= now))
            .collect();
        expired.sort_by_key(|o| match &o.status {
            crate::order::Status::PendingPayment(p) => p.expires_at,
            _ => now,
        });
        Ok(expired.into_iter().take(usize::try_from(limit).unwrap_or(usize::MAX)).cloned().collect())
    }

    async fn has_purchased(&self, customer: &CustomerId, product: &ProductId) -> Result<bool> {
        let s = self.state()?;
        Ok(s.orders.iter().any(|o| {
            o.customer_id.as_ref() == Some(customer)
                && matches!(o.state(), OrderState::Paid | OrderState::Shipped | OrderState::Delivered)
                && o.lines.iter().any(|l| &l.product_id == product)
        }))
    }

    async fn has_ordered(&self, email: Option<&Email>, customer: Option<&CustomerId>) -> Result<bool> {
        let s = self.state()?;
        Ok(s.orders.iter().any(|o| {
            (email == Some(&o.email) || (customer.is_some() && o.customer_id.as_ref() == customer))
                && matches!(o.state(), OrderState::Paid | OrderState::Shipped | OrderState::Delivered)
        }))
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

#[async_trait]
impl IdempotencyStore for InMemoryStore {
    async fn idempotency(&self, scope: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        Ok(self.state()?.idempotency.get(&(scope.to_owned(), key.to_owned())).cloned())
    }

    async fn remember(&self, record: &IdempotencyRecord) -> Result<Remembered> {
        let mut s = self.state()?;
        let key = (record.scope.clone(), record.key.clone());
        if let Some(existing) = s.idempotency.get(&key) {
            return Ok(Remembered::Existing(existing.clone()));
        }
        s.idempotency.insert(key, record.clone());
        Ok(Remembered::New)
    }

    async fn forget_before(&self, cutoff: OffsetDateTime) -> Result<u64> {
        let mut s = self.state()?;
        let before = s.idempotency.len();
        s.idempotency.retain(|_, r| r.created_at >= cutoff);
        Ok(u64::try_from(before - s.idempotency.len()).unwrap_or(0))
    }
}

#[async_trait]
impl OutboxStore for InMemoryStore {
    async fn enqueue(&self, messages: &[OutboxMessage]) -> Result<()> {
        self.state()?.enqueue(messages);
        Ok(())
    }

    async fn outbox(&self, status: Option<OutboxStatus>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let s = self.state()?;
        Ok(s.outbox
            .iter()
            .map(|e| &e.message)
            .filter(|m| status.is_none_or(|st| m.status == st))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn outbox_health(&self) -> Result<crate::ports::OutboxHealth> {
        let s = self.state()?;
        let count = |status| s.outbox.iter().filter(|e| e.message.status == status).count() as u64;
        let oldest =
            s.outbox.iter().filter(|e| e.message.status == OutboxStatus::Pending).map(|e| e.message.created_at).min();
        Ok(crate::ports::OutboxHealth {
            pending: count(OutboxStatus::Pending),
            failing: s.outbox.iter().filter(|e| e.message.status == OutboxStatus::Pending && e.failed).count() as u64,
            dead: count(OutboxStatus::Dead),
            oldest_pending: oldest,
        })
    }

    async fn claim_outbox(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        let mut s = self.state()?;
        let mut claimed = Vec::new();
        for entry in s.outbox.iter_mut() {
            if claimed.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                break;
            }
            let due = entry.message.status == OutboxStatus::Pending
                && entry.next_attempt_at <= now
                && entry.lease_until.is_none_or(|until| until <= now);
            if due {
                entry.lease_owner = Some(worker.to_owned());
                entry.lease_until = Some(now + lease);
                entry.message.attempts += 1;
                claimed.push(entry.message.clone());
            }
        }
        Ok(claimed)
    }

    async fn outbox_sent(&self, id: &MessageId, worker: &str, _now: OffsetDateTime) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.held(id, worker) else { return Ok(false) };
        entry.message.status = OutboxStatus::Sent;
        entry.lease_owner = None;
        entry.lease_until = None;
        Ok(true)
    }

    async fn outbox_failed(
        &self,
        id: &MessageId,
        worker: &str,
        _error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut s = self.state()?;
        let Some(entry) = s.held(id, worker) else { return Ok(false) };
        entry.failed = true;
        match retry_at {
            Some(at) => entry.next_attempt_at = at,
            None => entry.message.status = OutboxStatus::Dead,
        }
        entry.lease_owner = None;
        entry.lease_until = None;
        Ok(true)
    }
}

#[async_trait]
impl AnalyticsStore for InMemoryStore {
    async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()> {
        self.state()?.events.extend_from_slice(events);
        Ok(())
    }

    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> Result<Vec<AnalyticsEvent>> {
        let s = self.state()?;
        let mut events: Vec<AnalyticsEvent> =
            s.events.iter().filter(|e| e.at >= from && e.at < to && kinds.contains(&e.kind)).cloned().collect();
        events.sort_by_key(|e| e.at);
        Ok(events)
    }
}
