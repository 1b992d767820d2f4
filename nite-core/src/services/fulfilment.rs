//! `FulfilmentService`: what the shop does with a paid order: ship, deliver, cancel, refund.

use crate::error::{Error, Result};
use crate::inventory::StockEffect;
use crate::order::{Order, OrderState, Refund, Shipment};
use crate::outbox::Notification;
use crate::payment::RefundRequest;
use crate::services::{Change, Effects, ShopContext, Viewer, change_order, order_message};
use rust_decimal::Decimal;

use crate::{Money, OrderId};

/// Fulfilment, for administrators.
#[derive(Clone)]
pub struct FulfilmentService {
    ctx: ShopContext,
}

impl FulfilmentService {
    /// A fulfilment service over `ctx`.
    pub fn new(ctx: ShopContext) -> FulfilmentService {
        FulfilmentService { ctx }
    }

    /// `paid → shipped` with the carrier and tracking number; the shipping email goes to the outbox.
    pub async fn ship(&self, id: &OrderId, viewer: &Viewer, carrier: &str, tracking_number: &str) -> Result<Order> {
        let (carrier, tracking_number) = (carrier.trim(), tracking_number.trim());
        let mut problems = Vec::new();
        if carrier.is_empty() || carrier.len() > 64 {
            problems.push(crate::FieldError::new("carrier", "1 to 64 characters"));
        }
        if tracking_number.is_empty() || tracking_number.len() > 64 {
            problems.push(crate::FieldError::new("tracking_number", "1 to 64 characters"));
        }
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        let now = self.ctx.clock.now();
        self.change(id, viewer, |order| {
            let shipment =
                Shipment { carrier: carrier.to_owned(), tracking_number: tracking_number.to_owned(), shipped_at: now };
            order.ship(shipment, viewer.actor())?;
            let note = Notification::ShippingNotification { order_id: order.id.clone() };
            Ok(Effects { outbox: vec![order_message(&self.ctx, order, note, "")], ..Effects::default() })
        })
        .await
    }

    /// `shipped → delivered`; the delivery email goes to the outbox.
    pub async fn deliver(&self, id: &OrderId, viewer: &Viewer) -> Result<Order> {
        let now = self.ctx.clock.now();
        self.change(id, viewer, |order| {
            order.deliver(now, viewer.actor())?;
            let note = Notification::Delivered { order_id: order.id.clone() };
            Ok(Effects { outbox: vec![order_message(&self.ctx, order, note, "")], ..Effects::default() })
        })
        .await
    }

    /// Cancels an order: an unpaid one has its payment canceled at the provider and releases its reservation; a
    /// paid one is refunded in full at the provider and its units go back on the shelf. Anything else is
    /// `InvalidTransition`, and nothing is asked of the provider.
    pub async fn cancel(&self, id: &OrderId, viewer: &Viewer, reason: &str) -> Result<Order> {
        let reason = if reason.trim().is_empty() { "cancelled by the shop" } else { reason.trim() };
        let now = self.ctx.clock.now();
        let current = self.load(id, viewer).await?;
        let provider_refund = match (current.state(), &current.payment.payment_id) {
            (OrderState::PendingPayment, Some(payment)) => {
                self.ctx.payments.cancel(payment).await?;
                None
            }
            (OrderState::Paid, Some(payment)) => {
                let request = RefundRequest {
                    payment_id: payment.clone(),
                    amount: Some(current.payment.refundable()?),
                    reason: reason.to_owned(),
                    idempotency_key: format!("nite-refund-{}-{}", current.id, current.refunds.len() + 1),
                };
                Some(self.ctx.payments.refund(&request).await?.id)
            }
            (OrderState::PendingPayment | OrderState::Paid, None) => None,
            (from, _) => return Err(Error::InvalidTransition { from, to: OrderState::Cancelled }),
        };
        self.change(id, viewer, |order| {
            let stock = match order.state() {
                OrderState::PendingPayment => {
                    order.cancel_unpaid(reason, now, viewer.actor())?;
                    StockEffect::Release
                }
                OrderState::Paid => {
                    let amount = order.payment.refundable()?;
                    let refund = Refund {
                        provider_refund_id: provider_refund.clone(),
                        amount,
                        reason: reason.to_owned(),
                        at: now,
                    };
                    order.cancel_paid(refund, now, viewer.actor())?;
                    StockEffect::Restock
                }
                from => return Err(Error::InvalidTransition { from, to: OrderState::Cancelled }),
            };
            let note = Notification::OrderCancelled { order_id: order.id.clone() };
            Ok(Effects { stock, outbox: vec![order_message(&self.ctx, order, note, "")], ..Effects::default() })
        })
        .await
    }

    /// Refunds part or all of a paid, shipped or delivered order at the provider (never more than is still
    /// refundable), records it, and sends the refund email. A refund the provider made but nite failed to record
    /// arrives again as the provider's `refunded` event, which records it then. `amount` is in the order's
    /// currency, at its minor unit.
    pub async fn refund(&self, id: &OrderId, viewer: &Viewer, amount: Decimal, reason: &str) -> Result<Order> {
        let now = self.ctx.clock.now();
        let current = self.load(id, viewer).await?;
        let amount = Money::new(amount, current.currency);
        if amount.is_zero() || amount.is_negative() || !amount.is_at_minor_unit() {
            return Err(Error::invalid("amount", "a positive amount in whole minor units (such as 10.00)"));
        }
        let state = current.state();
        if !matches!(state, OrderState::Paid | OrderState::Shipped | OrderState::Delivered) {
            return Err(Error::InvalidTransition { from: state, to: state });
        }
        let refundable = current.payment.refundable()?;
        if amount.currency() != refundable.currency() || amount.amount() > refundable.amount() {
            return Err(Error::RefundExceedsCaptured { requested: amount, refundable });
        }
        let provider_refund = match &current.payment.payment_id {
            Some(payment) => {
                let request = RefundRequest {
                    payment_id: payment.clone(),
                    amount: Some(amount),
                    reason: reason.trim().to_owned(),
                    idempotency_key: format!("nite-refund-{}-{}", current.id, current.refunds.len() + 1),
                };
                Some(self.ctx.payments.refund(&request).await?.id)
            }
            None => None,
        };
        self.change(id, viewer, |order| {
            let refund = Refund {
                provider_refund_id: provider_refund.clone(),
                amount,
                reason: reason.trim().to_owned(),
                at: now,
            };
            order.refund(refund, viewer.actor())?;
            let note = Notification::Refunded { order_id: order.id.clone(), amount };
            let nth = order.refunds.len().to_string();
            Ok(Effects { outbox: vec![order_message(&self.ctx, order, note, &nth)], ..Effects::default() })
        })
        .await
    }

    /// The order, for an administrator; anyone else is told it does not exist.
    async fn load(&self, id: &OrderId, viewer: &Viewer) -> Result<Order> {
        admin_only(viewer, id)?;
        self.ctx.stores.orders.order(id).await?.ok_or_else(|| Error::not_found("order", id))
    }

    /// Changes the order, for an administrator; anyone else is told it does not exist.
    async fn change(
        &self,
        id: &OrderId,
        viewer: &Viewer,
        apply: impl Fn(&mut Order) -> Result<Effects>,
    ) -> Result<Order> {
        admin_only(viewer, id)?;
        let (order, _) = change_order(&self.ctx, id, None, |order| apply(order).map(Change::Changed)).await?;
        Ok(order)
    }
}

fn admin_only(viewer: &Viewer, id: &OrderId) -> Result<()> {
    if viewer.is_admin() { Ok(()) } else { Err(Error::not_found("order", id)) }
}
