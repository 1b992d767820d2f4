//! The in-memory store's orders (`OrderStore`): placing one with its reservations, transitions, payments, the webhook
//! inbox.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{InMemoryStore, page};
use crate::cart::CartState;
use crate::error::{Error, Result};
use crate::inventory::StockEffect;
use crate::order::{Order, OrderState};
use crate::ports::{InboxEntry, OrderFilter, OrderStore, OrderUpdate, Page, PlaceOrder, Placed, Saved};
use crate::{CustomerId, Email, OrderId, PaymentId, ProductId};

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
