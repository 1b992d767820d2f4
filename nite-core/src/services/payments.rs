//! `PaymentEventService`: what a verified payment event does to its order, exactly once.

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::error::{Error, Result};
use crate::inventory::StockEffect;
use crate::order::{Actor, Order, OrderState, Refund, RefundStatus};
use crate::outbox::Notification;
use crate::payment::{PaymentEvent, PaymentEventKind};
use crate::ports::InboxEntry;
use crate::services::fulfilment::refund_event;
use crate::services::{Change, Effects, Outcome, ShopContext, change_order, order_message};

/// What handling an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// The order changed; it is now in this state.
    Applied(OrderState),
    /// The event had been handled before: nothing changed.
    Duplicate,
    /// The event changes nothing (stale, out of order, or about an unknown payment); it is remembered.
    Ignored,
}

/// Handles payment events from any provider.
#[derive(Clone)]
pub struct PaymentEventService {
    ctx: ShopContext,
}

impl PaymentEventService {
    /// A payment event service over `ctx`.
    pub fn new(ctx: ShopContext) -> PaymentEventService {
        PaymentEventService { ctx }
    }

    /// Applies a verified event. In one storage call the inbox remembers it, the order moves, stock is committed or
    /// released, and the emails and analytics events are written; a replayed, duplicated or out-of-order event
    /// changes nothing. A payment that succeeds after its order was cancelled is noted in the history for a refund.
    pub async fn handle(&self, event: &PaymentEvent) -> Result<EventOutcome> {
        let inbox = InboxEntry {
            provider: event.provider.clone(),
            event_id: event.event_id.clone(),
            received_at: self.ctx.clock.now(),
        };
        let order_id = match &event.order_id {
            Some(id) => Some(id.clone()),
            None => self.ctx.stores.orders.order_by_payment(&event.payment_id).await?.map(|o| o.id),
        };
        let Some(order_id) = order_id else {
            let fresh = self.ctx.stores.orders.remember_event(&inbox).await?;
            return Ok(if fresh { EventOutcome::Ignored } else { EventOutcome::Duplicate });
        };
        let now = self.ctx.clock.now();
        let actor = Actor::Provider(event.provider.clone());
        let result =
            change_order(&self.ctx, &order_id, Some(&inbox), |order| self.apply(order, event, now, &actor)).await;
        let (order, saved) = match result {
            Err(Error::NotFound { .. }) => {
                let fresh = self.ctx.stores.orders.remember_event(&inbox).await?;
                return Ok(if fresh { EventOutcome::Ignored } else { EventOutcome::Duplicate });
            }
            other => other?,
        };
        Ok(match saved {
            Outcome::Changed => EventOutcome::Applied(order.state()),
            Outcome::Unchanged => EventOutcome::Ignored,
            Outcome::Duplicate => EventOutcome::Duplicate,
        })
    }

    fn apply(
        &self,
        order: &mut Order,
        event: &PaymentEvent,
        now: time::OffsetDateTime,
        actor: &Actor,
    ) -> Result<Change> {
        if order.payment.payment_id.as_ref().is_some_and(|id| id != &event.payment_id) {
            // An event about another payment of this order (a replaced one): not ours to act on.
            return Ok(Change::Unchanged);
        }
        let state = order.state();
        match event.kind {
            PaymentEventKind::Succeeded if state == OrderState::PendingPayment => {
                if event.amount != order.payment.amount {
                    order.note(
                        &format!("payment of {} does not match the order total", event.amount),
                        now,
                        actor.clone(),
                    );
                    return Ok(Change::Changed(Effects::default()));
                }
                order.mark_paid(event.amount, now, actor.clone())?;
                Ok(Change::Changed(paid_effects(&self.ctx, order, now)))
            }
            PaymentEventKind::Succeeded if state == OrderState::Cancelled && order.payment.captured.is_zero() => {
                order.payment.captured = event.amount;
                order.note("payment captured after the order was cancelled: refund it", now, actor.clone());
                Ok(Change::Changed(Effects::default()))
            }
            PaymentEventKind::Authorized
                if state == OrderState::PendingPayment
                    && order.payment.status == crate::order::PaymentStatus::Pending =>
            {
                order.payment.status = crate::order::PaymentStatus::Authorized;
                order.note("payment authorized, to be captured", now, actor.clone());
                Ok(Change::Changed(Effects::default()))
            }
            // A declined attempt ends nothing: the customer may try another card on the same payment (as Stripe's
            // PaymentIntents allow), until the payment is canceled or the reservation expires.
            PaymentEventKind::Failed if state == OrderState::PendingPayment => {
                order.note("a payment attempt failed; the order still awaits payment", now, actor.clone());
                Ok(Change::Changed(Effects::default()))
            }
            PaymentEventKind::Canceled if state == OrderState::PendingPayment => {
                order.cancel_unpaid("payment canceled", now, actor.clone())?;
                Ok(Change::Changed(Effects { stock: StockEffect::Release, ..Effects::default() }))
            }
            PaymentEventKind::Refunded
                if matches!(state, OrderState::Paid | OrderState::Shipped | OrderState::Delivered) =>
            {
                // The event carries the payment's cumulative refunded amount; what is new settles refunds nite
                // held and asked for (oldest first), and the rest was made at the provider directly.
                let mut new = event.amount.checked_sub(order.payment.refunded)?;
                if new.is_negative() || new.is_zero() {
                    return Ok(Change::Unchanged);
                }
                let mut outbox = Vec::new();
                let mut events = Vec::new();
                let held: Vec<_> = order
                    .refunds
                    .iter()
                    .filter(|r| r.status == RefundStatus::Pending)
                    .filter_map(|r| r.id.clone().map(|id| (id, r.amount)))
                    .collect();
                for (id, amount) in held {
                    if amount.amount() > new.amount() {
                        break;
                    }
                    order.settle_refund(&id, None, now, actor.clone())?;
                    new = new.checked_sub(amount)?;
                    outbox.push(refund_message(&self.ctx, order, amount, id.as_str()));
                    events.push(refund_event(order, Some(amount), now));
                }
                if !new.is_zero() {
                    let refund = Refund {
                        id: None,
                        status: RefundStatus::Succeeded,
                        provider_refund_id: None,
                        amount: new,
                        reason: "refunded at the provider".into(),
                        at: now,
                    };
                    order.refund(refund, actor.clone())?;
                    let key = format!("provider-{}", order.payment.refunded.to_minor().unwrap_or_default());
                    outbox.push(refund_message(&self.ctx, order, new, &key));
                    events.push(refund_event(order, Some(new), now));
                }
                Ok(Change::Changed(Effects { outbox, events, ..Effects::default() }))
            }
            PaymentEventKind::Disputed => {
                order.note("the customer disputed the charge", now, actor.clone());
                Ok(Change::Changed(Effects::default()))
            }
            _ => Ok(Change::Unchanged),
        }
    }
}

/// The refund email of `amount`, deduplicated per refund.
fn refund_message(ctx: &ShopContext, order: &Order, amount: crate::Money, key: &str) -> crate::outbox::OutboxMessage {
    order_message(ctx, order, Notification::Refunded { order_id: order.id.clone(), amount }, key)
}

/// What paying an order does besides moving it: the stock is committed, the confirmation is written, and the
/// analytics events (one `purchase` per line, one `order_paid`) are recorded.
pub(crate) fn paid_effects(ctx: &ShopContext, order: &Order, now: time::OffsetDateTime) -> Effects {
    let mut events: Vec<AnalyticsEvent> = order
        .lines
        .iter()
        .map(|line| AnalyticsEvent {
            kind: EventKind::Purchase,
            at: now,
            product_id: Some(line.product_id.clone()),
            order_id: Some(order.id.clone()),
            customer_id: order.customer_id.clone(),
            visitor: order.client.clone(),
            quantity: line.quantity.get(),
            amount: Some(line.net),
        })
        .collect();
    events.push(AnalyticsEvent {
        quantity: order.lines.iter().map(|l| l.quantity.get()).sum(),
        amount: Some(order.totals.total),
        ..AnalyticsEvent::of_order(EventKind::OrderPaid, order, now)
    });
    let confirmation = order_message(ctx, order, Notification::OrderConfirmation { order_id: order.id.clone() }, "");
    Effects { stock: StockEffect::Commit, outbox: vec![confirmation], events }
}
