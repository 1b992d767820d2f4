//! `FulfilmentService`: what the shop does with a paid order: ship, deliver, cancel, refund.

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::error::{Error, Result};
use crate::inventory::StockEffect;
use crate::order::{Order, OrderState, Refund, RefundStatus, Shipment};
use crate::outbox::Notification;
use crate::payment::RefundRequest;
use crate::services::{Change, Effects, ShopContext, Viewer, change_order, order_message};
use rust_decimal::Decimal;

use crate::{IdGeneratorExt, Money, OrderId, RefundId};

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
    /// paid one is refunded in full at the provider (held first, as [`FulfilmentService::refund`] does) and its
    /// units go back on the shelf. Anything else is `InvalidTransition`, and nothing is asked of the provider.
    pub async fn cancel(&self, id: &OrderId, viewer: &Viewer, reason: &str) -> Result<Order> {
        let reason = if reason.trim().is_empty() { "cancelled by the shop" } else { reason.trim() };
        let now = self.ctx.clock.now();
        let current = self.load(id, viewer).await?;
        match current.state() {
            OrderState::PendingPayment => {
                if let Some(payment) = &current.payment.payment_id {
                    self.ctx.payments.cancel(payment).await?;
                }
                self.change(id, viewer, |order| {
                    order.cancel_unpaid(reason, now, viewer.actor())?;
                    let note = Notification::OrderCancelled { order_id: order.id.clone() };
                    let outbox = vec![order_message(&self.ctx, order, note, "")];
                    Ok(Effects { stock: StockEffect::Release, outbox, ..Effects::default() })
                })
                .await
            }
            OrderState::Paid => {
                let refund_id: RefundId = self.ctx.ids.new_id();
                let held = self.hold(id, viewer, &refund_id, None, reason).await?;
                let amount = held.refunds.iter().find(|r| r.id.as_ref() == Some(&refund_id)).map(|r| r.amount);
                let provider_refund = self.ask_provider(&held, &refund_id, amount, reason, viewer).await?;
                self.change(id, viewer, |order| {
                    order.cancel_paid(&refund_id, provider_refund.clone(), now, viewer.actor())?;
                    let note = Notification::OrderCancelled { order_id: order.id.clone() };
                    let outbox = vec![order_message(&self.ctx, order, note, "")];
                    let events = vec![refund_event(order, amount, now), cancel_event(order, now)];
                    Ok(Effects { stock: StockEffect::Restock, outbox, events })
                })
                .await
            }
            from => Err(Error::InvalidTransition { from, to: OrderState::Cancelled }),
        }
    }

    /// Refunds part or all of a paid, shipped or delivered order (never more than is still refundable) in three
    /// steps, so that concurrent refunds and retries can neither refund twice nor record what the provider did not
    /// do: the refund is first held on the order under a new id (a versioned save, so two concurrent refunds cannot
    /// both take the last of the money); the provider is asked under the key `nite-refund-{id}`, which is that
    /// refund's alone; then the refund is settled and the refund email written, or released if the provider
    /// refused. A refund the provider made but nite failed to settle arrives as the provider's `refunded` event,
    /// which settles it then. `amount` is in the order's currency, at its minor unit.
    pub async fn refund(&self, id: &OrderId, viewer: &Viewer, amount: Decimal, reason: &str) -> Result<Order> {
        let now = self.ctx.clock.now();
        let current = self.load(id, viewer).await?;
        let amount = Money::new(amount, current.currency);
        if amount.is_zero() || amount.is_negative() || !amount.is_at_minor_unit() {
            return Err(Error::invalid("amount", "a positive amount in whole minor units (such as 10.00)"));
        }
        let refund_id: RefundId = self.ctx.ids.new_id();
        let held = self.hold(id, viewer, &refund_id, Some(amount), reason.trim()).await?;
        let provider_refund = self.ask_provider(&held, &refund_id, Some(amount), reason.trim(), viewer).await?;
        self.change(id, viewer, |order| {
            let refund = order.settle_refund(&refund_id, provider_refund.clone(), now, viewer.actor())?;
            let note = Notification::Refunded { order_id: order.id.clone(), amount: refund.amount };
            let outbox = vec![order_message(&self.ctx, order, note, refund_id.as_str())];
            Ok(Effects { outbox, events: vec![refund_event(order, Some(refund.amount), now)], ..Effects::default() })
        })
        .await
    }

    /// Holds a refund of `amount` (everything refundable if `None`) on the order under `refund_id`.
    async fn hold(
        &self,
        id: &OrderId,
        viewer: &Viewer,
        refund_id: &RefundId,
        amount: Option<Money>,
        reason: &str,
    ) -> Result<Order> {
        let now = self.ctx.clock.now();
        self.change(id, viewer, |order| {
            let amount = match amount {
                Some(amount) => amount,
                None => order.refundable()?,
            };
            let refund = Refund {
                id: Some(refund_id.clone()),
                status: RefundStatus::Pending,
                provider_refund_id: None,
                amount,
                reason: reason.to_owned(),
                at: now,
            };
            order.begin_refund(refund)?;
            Ok(Effects::default())
        })
        .await
    }

    /// Asks the provider for a held refund; if it refuses, the hold is released and its error returned.
    async fn ask_provider(
        &self,
        order: &Order,
        refund_id: &RefundId,
        amount: Option<Money>,
        reason: &str,
        viewer: &Viewer,
    ) -> Result<Option<String>> {
        let Some(payment) = &order.payment.payment_id else { return Ok(None) };
        let request = RefundRequest {
            payment_id: payment.clone(),
            amount,
            reason: reason.to_owned(),
            idempotency_key: format!("nite-refund-{refund_id}"),
        };
        match self.ctx.payments.refund(&request).await {
            Ok(refund) => Ok(Some(refund.id)),
            Err(error) => {
                let why = error.to_string();
                let now = self.ctx.clock.now();
                // Best effort: if this fails too, the hold stays and the provider's event (or an operator) settles it.
                let _ = self
                    .change(&order.id, viewer, |order| {
                        order.fail_refund(refund_id, &why, now, viewer.actor())?;
                        Ok(Effects::default())
                    })
                    .await;
                Err(error)
            }
        }
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

/// The analytics event of a refund (the sales report's refunded money).
pub(crate) fn refund_event(order: &Order, amount: Option<Money>, at: time::OffsetDateTime) -> AnalyticsEvent {
    AnalyticsEvent { amount, ..AnalyticsEvent::of_order(EventKind::Refund, order, at) }
}

/// The analytics event of a paid order's cancellation.
fn cancel_event(order: &Order, at: time::OffsetDateTime) -> AnalyticsEvent {
    AnalyticsEvent::of_order(EventKind::Cancellation, order, at)
}
