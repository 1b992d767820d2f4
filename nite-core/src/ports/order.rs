//! `OrderStore`: orders, and the two atomic operations of the shop: placing an order, and moving one.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::analytics::AnalyticsEvent;
use crate::catalog::Sku;
use crate::error::Result;
use crate::events::DomainEvent;
use crate::inventory::StockEffect;
use crate::order::{Order, OrderState};
use crate::outbox::OutboxMessage;
use crate::ports::{IdempotencyRecord, Page};
use crate::{CustomerId, EventId, OrderId, PaymentId, ProductId, PromotionId};

/// One use of a promotion by an order. The store holds it to the promotion's own limits, as stored; a per-customer
/// count is kept only for promotions with a per-customer limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionUse {
    /// The promotion.
    pub promotion_id: PromotionId,
    /// Who the per-customer count is kept for: the customer id, or `email:` and a guest's email.
    pub customer_key: String,
}

/// Everything placing an order changes, done in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct PlaceOrder<'a> {
    /// The new order, `pending_payment`, version 0.
    pub order: &'a Order,
    /// The cart's version as priced: the cart must still be open at this version, and is frozen.
    pub cart_version: i64,
    /// Units to reserve per SKU, sorted by SKU: each reservation succeeds only if that much is available.
    pub reservations: &'a [(Sku, u32)],
    /// Promotion uses to count, each within its limits.
    pub promotion_uses: &'a [PromotionUse],
    /// The request's idempotency key, recorded with the order's id.
    pub idempotency: Option<&'a IdempotencyRecord>,
    /// Analytics events to record (`checkout_started`).
    pub events: &'a [AnalyticsEvent],
    /// The most unpaid orders the order's client may hold, this one included: the store counts the client's orders
    /// awaiting payment in the same transaction and refuses with `TooManyPendingOrders`. `None` checks nothing.
    pub max_pending: Option<u32>,
    /// Domain events to write with the order (`order.placed`).
    pub domain_events: &'a [DomainEvent],
    /// When a reservation takes a SKU's available units from above `low_stock.at` to it or below, the store writes
    /// a `stock.low` event for it too, with the id `low_stock.ids` holds at the reservation's position.
    pub low_stock: Option<LowStock<'a>>,
}

/// How a store notices stock running low while placing an order.
#[derive(Debug, Clone, Copy)]
pub struct LowStock<'a> {
    /// The shop's low-stock level (`ShopSettings::low_stock_at`).
    pub at: u32,
    /// One event id per reservation, in the same order.
    pub ids: &'a [EventId],
    /// The events' time.
    pub now: OffsetDateTime,
}

/// What placing an order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The order was created.
    Created,
    /// The idempotency key had been used with the same request: that order is the answer, nothing changed.
    Replayed(OrderId),
}

/// A webhook event to remember, so that a replay of it changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// The provider.
    pub provider: String,
    /// Its event id.
    pub event_id: String,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// Everything one order transition changes, done in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct OrderUpdate<'a> {
    /// The order after the transition; its `version` is the version it was loaded at.
    pub order: &'a Order,
    /// What happens to its stock.
    pub stock: StockEffect,
    /// Messages to send because of it.
    pub outbox: &'a [OutboxMessage],
    /// Analytics events to record.
    pub events: &'a [AnalyticsEvent],
    /// Domain events to write with it (`order.paid`, `order.shipped`…).
    pub domain_events: &'a [DomainEvent],
    /// The webhook event that caused it, if one.
    pub inbox: Option<&'a InboxEntry>,
}

/// What saving an order transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Saved; the order's version is now one more.
    Saved,
    /// The inbox already held the event: nothing changed.
    Duplicate,
}

/// Which orders to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only this customer's.
    pub customer_id: Option<CustomerId>,
    /// Only in this state.
    pub state: Option<OrderState>,
    /// Only the order with exactly this id, or those whose email contains this text (ignoring case; `%` and `_` are
    /// literal).
    pub search: Option<String>,
    /// At most this many.
    pub limit: crate::ports::Limit,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

/// Orders.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Places an order atomically: records the idempotency key (or answers `Replayed` / `IdempotencyKeyReused`),
    /// freezes the cart (`CartNotOpen` if it is not open at `cart_version`), reserves every SKU
    /// (`InsufficientStock`, naming what is available), counts every promotion use (`PromotionExhausted`), inserts
    /// the order (`TooManyPendingOrders` if its client, `Order::client`, already holds `max_pending` unpaid orders)
    /// and records the events. On any error nothing is changed.
    async fn place_order(&self, request: PlaceOrder<'_>) -> Result<Placed>;

    /// Saves an order transition atomically: the order (if still at its loaded version, else `Conflict("order")`),
    /// the stock effect on its units, the outbox messages (dropping any whose dedupe key exists), the events, and
    /// the inbox entry (if the inbox already has it, nothing changes and the answer is `Duplicate`).
    async fn save_order(&self, update: OrderUpdate<'_>) -> Result<Saved>;

    /// Records the provider's payment for an order (one statement, no version bump: the payment id is the
    /// provider's, and setting it again to the same value changes nothing). `NotFound` if the order is absent.
    async fn attach_payment(&self, order: &OrderId, provider: &str, payment: &PaymentId) -> Result<()>;

    /// Remembers a webhook event that changes no order; `false` if it was already there.
    async fn remember_event(&self, entry: &InboxEntry) -> Result<bool>;

    /// An order by id.
    async fn order(&self, id: &OrderId) -> Result<Option<Order>>;

    /// The order paid by this payment.
    async fn order_by_payment(&self, payment_id: &PaymentId) -> Result<Option<Order>>;

    /// Orders, newest first.
    async fn orders(&self, filter: &OrderFilter) -> Result<Page<Order>>;

    /// Orders still awaiting payment whose reservation expired at or before `now`, oldest first.
    async fn expired_orders(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Order>>;

    /// Whether the customer has a paid (or shipped, or delivered) order with the product.
    async fn has_purchased(&self, customer: &CustomerId, product: &ProductId) -> Result<bool>;

    /// Whether anyone has ordered and paid (the order is paid, shipped or delivered) with this email address, or as
    /// this customer: the history promotions for first orders ask about.
    async fn has_ordered(&self, email: Option<&crate::Email>, customer: Option<&CustomerId>) -> Result<bool>;
}
