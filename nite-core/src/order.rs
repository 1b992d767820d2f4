//! Orders: the snapshot of a checked-out cart, its state machine, its payment and refunds, and its history.
//!
//! The state machine is `pending_payment → paid → shipped → delivered`, `pending_payment → cancelled` (payment failed
//! or the reservation expired) and `paid → cancelled` (with a full refund). Each state is its own type
//! ([`AwaitingPayment`], [`Paid`], [`Shipped`], [`Delivered`], [`Cancelled`]) whose methods are exactly the legal
//! transitions out of it, so an illegal transition cannot be written. A stored order's state is only known at run
//! time: [`Order`]'s methods match it and answer [`Error::InvalidTransition`] for anything else, never a silent no-op.

mod line;
mod payment;
mod status;

pub use line::OrderLine;
pub use payment::{PaymentRecord, PaymentStatus, Refund, RefundStatus};
pub use status::{AwaitingPayment, Cancelled, Delivered, OrderState, Paid, Shipment, Shipped, Status};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::cart::ShippingSelection;
use crate::error::{Error, Result};
use crate::pricing::{AppliedPromotion, PricedShipping, Totals};
use crate::{Address, CartId, Currency, CustomerId, Email, Money, OrderId, RefundId};

/// Something an administrator can do to an order; [`Order::actions`] says which are allowed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// Hand it to a carrier (`paid → shipped`).
    Ship,
    /// Mark it arrived (`shipped → delivered`).
    Deliver,
    /// Cancel it (`pending_payment → cancelled`, or `paid → cancelled` with a full refund).
    Cancel,
    /// Refund part or all of what is still refundable (the state does not change).
    Refund,
}

/// Who made a change, for the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Actor {
    /// A signed-in customer.
    Customer(CustomerId),
    /// A guest shopper.
    Guest,
    /// An administrator.
    Admin(CustomerId),
    /// The payment provider, by name.
    Provider(String),
    /// nite itself (the reservation sweeper, for example).
    System,
}

/// One step of an order's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The state before; `None` for the order's creation.
    pub from: Option<OrderState>,
    /// The state after (the same as `from` for an event that changes no state, such as a partial refund).
    pub to: OrderState,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// Why, if said.
    pub reason: Option<String>,
}

/// An order: everything needed later is snapshotted, so a catalog change never alters a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: OrderId,
    /// The cart it came from.
    pub cart_id: CartId,
    /// The customer, unless a guest ordered.
    pub customer_id: Option<CustomerId>,
    /// Where order emails go.
    pub email: Email,
    /// The currency of every amount.
    pub currency: Currency,
    /// What was bought, at what price, discount and tax.
    pub lines: Vec<OrderLine>,
    /// Where it ships.
    pub shipping_address: Address,
    /// Where the bill goes.
    pub billing_address: Address,
    /// The shipping method chosen.
    pub shipping_method: Option<ShippingSelection>,
    /// The shipping charge's figures.
    pub shipping: Option<PricedShipping>,
    /// The totals.
    pub totals: Totals,
    /// The promotions that applied.
    pub promotions: Vec<AppliedPromotion>,
    /// The state, with what that state carries.
    pub status: Status,
    /// The payment.
    pub payment: PaymentRecord,
    /// Refunds, oldest first.
    pub refunds: Vec<Refund>,
    /// Every transition, oldest first.
    pub history: Vec<HistoryEntry>,
    /// SHA-256 (hex) of the order's access token: who holds the token may read the order (a guest's only way in).
    #[serde(default)]
    pub access_token_hash: Option<String>,
    /// Who placed it, for the limit on unpaid orders and for analytics: the customer's id, or a guest's
    /// pseudonymous client key; `None` when the caller gave none.
    #[serde(default)]
    pub client: Option<String>,
    /// Bumped by every save; saves check it.
    pub version: i64,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Order {
    /// Whether `token` is this order's access token (compared in constant time, as hashes).
    pub fn token_matches(&self, token: &str) -> bool {
        let Some(expected) = &self.access_token_hash else { return false };
        let given = token_hash(token);
        given.len() == expected.len()
            && given.bytes().zip(expected.bytes()).fold(0_u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// The current state.
    pub fn state(&self) -> OrderState {
        self.status.state()
    }

    /// Units of each SKU, summed and sorted by SKU.
    pub fn units_by_sku(&self) -> Vec<(crate::catalog::Sku, u32)> {
        crate::inventory::units_by_sku(self.lines.iter().map(|l| (&l.sku, l.quantity.get())))
    }

    fn illegal(&self, to: OrderState) -> Error {
        Error::InvalidTransition { from: self.state(), to }
    }

    fn enter(&mut self, next: Status, at: OffsetDateTime, actor: Actor, reason: Option<String>) {
        let from = self.state();
        self.status = next;
        self.updated_at = at;
        self.history.push(HistoryEntry { from: Some(from), to: self.state(), at, actor, reason });
    }

    /// `pending_payment → paid`: the payment of `amount` was captured.
    pub fn mark_paid(&mut self, amount: Money, at: OffsetDateTime, actor: Actor) -> Result<()> {
        let Status::PendingPayment(awaiting) = &self.status else { return Err(self.illegal(OrderState::Paid)) };
        let next = Status::Paid(awaiting.clone().pay(at));
        self.payment.captured(amount)?;
        self.enter(next, at, actor, None);
        Ok(())
    }

    /// `pending_payment → cancelled`: the payment failed or was abandoned, or the reservation expired.
    pub fn cancel_unpaid(&mut self, reason: &str, at: OffsetDateTime, actor: Actor) -> Result<()> {
        let Status::PendingPayment(awaiting) = &self.status else {
            return Err(self.illegal(OrderState::Cancelled));
        };
        let next = Status::Cancelled(awaiting.clone().cancel(reason, at));
        self.payment.abandoned();
        self.enter(next, at, actor, Some(reason.to_owned()));
        Ok(())
    }

    /// `paid → cancelled`: the pending refund `refund_id`, which must take back everything still refundable, was made
    /// by the provider (`provider_refund_id`); it is settled and the order cancelled.
    pub fn cancel_paid(
        &mut self,
        refund_id: &RefundId,
        provider_refund_id: Option<String>,
        at: OffsetDateTime,
        actor: Actor,
    ) -> Result<()> {
        let Status::Paid(paid) = &self.status else { return Err(self.illegal(OrderState::Cancelled)) };
        let pending = self.pending_refund(refund_id)?;
        let whole = self.payment.refundable()?;
        let others = self.refunds.iter().any(|r| r.status == RefundStatus::Pending && r.id.as_ref() != Some(refund_id));
        if pending.amount != whole || others {
            return Err(Error::invalid("amount", format!("cancelling a paid order refunds all of {whole}")));
        }
        let next = Status::Cancelled(paid.clone().cancel(&pending.reason, at));
        let reason = pending.reason.clone();
        self.settle(refund_id, provider_refund_id)?;
        self.enter(next, at, actor, Some(reason));
        Ok(())
    }

    /// `paid → shipped`, with the carrier and tracking number.
    pub fn ship(&mut self, shipment: Shipment, actor: Actor) -> Result<()> {
        let Status::Paid(paid) = &self.status else { return Err(self.illegal(OrderState::Shipped)) };
        let at = shipment.shipped_at;
        let next = Status::Shipped(paid.clone().ship(shipment));
        self.enter(next, at, actor, None);
        Ok(())
    }

    /// `shipped → delivered`.
    pub fn deliver(&mut self, at: OffsetDateTime, actor: Actor) -> Result<()> {
        let Status::Shipped(shipped) = &self.status else { return Err(self.illegal(OrderState::Delivered)) };
        let next = Status::Delivered(shipped.clone().deliver(at));
        self.enter(next, at, actor, None);
        Ok(())
    }

    /// Records a refund the provider has already made (one it reported on its own) of a paid, shipped or delivered
    /// order; the state does not change. The total refunded never exceeds what was captured.
    pub fn refund(&mut self, refund: Refund, actor: Actor) -> Result<()> {
        let state = self.refundable_state()?;
        let (at, reason) = (refund.at, refund.reason.clone());
        self.payment.refunded(refund.amount)?;
        self.refunds.push(Refund { status: RefundStatus::Succeeded, ..refund });
        self.updated_at = at;
        self.history.push(HistoryEntry { from: Some(state), to: state, at, actor, reason: Some(reason) });
        Ok(())
    }

    /// What can still be refunded: what was captured, less what was refunded and what pending refunds hold.
    pub fn refundable(&self) -> Result<Money> {
        let mut left = self.payment.refundable()?;
        for pending in self.refunds.iter().filter(|r| r.status == RefundStatus::Pending) {
            left = left.checked_sub(pending.amount)?;
        }
        Ok(left)
    }

    /// Holds a refund before the provider is asked for it: `refund` (with its id) is recorded as pending, and its
    /// amount can no longer be refunded by anyone else. Paid, shipped or delivered orders only; never more than
    /// [`Order::refundable`].
    pub fn begin_refund(&mut self, refund: Refund) -> Result<()> {
        self.refundable_state()?;
        if refund.id.is_none() {
            return Err(Error::invalid("refund", "a refund to hold needs its id"));
        }
        let amount = refund.amount;
        if amount.is_negative() || amount.is_zero() || !amount.is_at_minor_unit() {
            return Err(Error::invalid("amount", "a refund is a positive amount in whole minor units"));
        }
        let refundable = self.refundable()?;
        if amount.currency() != refundable.currency() || amount.amount() > refundable.amount() {
            return Err(Error::RefundExceedsCaptured { requested: amount, refundable });
        }
        self.updated_at = refund.at;
        self.refunds.push(Refund { status: RefundStatus::Pending, ..refund });
        Ok(())
    }

    /// The provider made the pending refund `id`: it counts as refunded now, and the history says so. Settling one
    /// that is settled already changes nothing.
    pub fn settle_refund(
        &mut self,
        id: &RefundId,
        provider_refund_id: Option<String>,
        at: OffsetDateTime,
        actor: Actor,
    ) -> Result<Refund> {
        if let Some(done) =
            self.refunds.iter().find(|r| r.id.as_ref() == Some(id) && r.status == RefundStatus::Succeeded)
        {
            return Ok(done.clone());
        }
        let state = self.refundable_state()?;
        let reason = self.pending_refund(id)?.reason;
        let settled = self.settle(id, provider_refund_id)?;
        self.updated_at = at;
        self.history.push(HistoryEntry { from: Some(state), to: state, at, actor, reason: Some(reason) });
        Ok(settled)
    }

    /// The provider refused the pending refund `id`: its amount is refundable again.
    pub fn fail_refund(&mut self, id: &RefundId, why: &str, at: OffsetDateTime, actor: Actor) -> Result<()> {
        let refund = self
            .refunds
            .iter_mut()
            .find(|r| r.id.as_ref() == Some(id) && r.status == RefundStatus::Pending)
            .ok_or_else(|| Error::not_found("pending refund", id))?;
        refund.status = RefundStatus::Failed;
        let note = format!("refund of {} failed: {why}", refund.amount);
        self.note(&note, at, actor);
        Ok(())
    }

    fn refundable_state(&self) -> Result<OrderState> {
        let state = self.state();
        if matches!(state, OrderState::Paid | OrderState::Shipped | OrderState::Delivered) {
            Ok(state)
        } else {
            Err(Error::InvalidTransition { from: state, to: state })
        }
    }

    fn pending_refund(&self, id: &RefundId) -> Result<Refund> {
        self.refunds
            .iter()
            .find(|r| r.id.as_ref() == Some(id) && r.status == RefundStatus::Pending)
            .cloned()
            .ok_or_else(|| Error::not_found("pending refund", id))
    }

    fn settle(&mut self, id: &RefundId, provider_refund_id: Option<String>) -> Result<Refund> {
        let amount = self.pending_refund(id)?.amount;
        self.payment.refunded(amount)?;
        let refund = self
            .refunds
            .iter_mut()
            .find(|r| r.id.as_ref() == Some(id))
            .ok_or_else(|| Error::not_found("pending refund", id))?;
        refund.status = RefundStatus::Succeeded;
        refund.provider_refund_id = provider_refund_id;
        Ok(refund.clone())
    }

    /// What an administrator may do to the order now, in the order a dashboard shows them: exactly the transitions
    /// [`Order::ship`], [`Order::deliver`], cancelling and refunding would accept, so a client never offers a button
    /// the state machine refuses. A paid order can be cancelled while something is left to refund and no refund is in
    /// flight (cancelling refunds what is left); a refund needs something left to refund.
    pub fn actions(&self) -> Vec<OrderAction> {
        let refundable = self.refundable().is_ok_and(|m| !m.is_zero() && !m.is_negative());
        let in_flight = self.refunds.iter().any(|r| r.status == RefundStatus::Pending);
        let mut actions = Vec::with_capacity(3);
        match self.state() {
            OrderState::PendingPayment => actions.push(OrderAction::Cancel),
            OrderState::Paid => {
                actions.push(OrderAction::Ship);
                if refundable && !in_flight {
                    actions.push(OrderAction::Cancel);
                }
            }
            OrderState::Shipped => actions.push(OrderAction::Deliver),
            OrderState::Delivered | OrderState::Cancelled => {}
        }
        if refundable && self.refundable_state().is_ok() {
            actions.push(OrderAction::Refund);
        }
        actions
    }

    /// A note in the history that changes no state (e.g. a payment that arrived after the order was cancelled).
    pub fn note(&mut self, reason: &str, at: OffsetDateTime, actor: Actor) {
        let state = self.state();
        self.updated_at = at;
        self.history.push(HistoryEntry { from: Some(state), to: state, at, actor, reason: Some(reason.to_owned()) });
    }
}

/// SHA-256 (hex) of an access token: what an order stores instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::Totals;
    use crate::tax::CountryCode;
    use crate::{Currency, Money};

    fn usd(cents: i64) -> Money {
        Money::from_minor(cents, Currency::USD)
    }

    fn at(minutes: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(minutes)
    }

    fn pending() -> Order {
        let address = Address {
            name: "Ada".into(),
            line1: "1 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            region: Some("CA".into()),
            postal_code: "94105".into(),
            country: CountryCode::new("US").unwrap(),
            phone: None,
        };
        let total = usd(10_000);
        Order {
            id: OrderId::parse("ord_1").unwrap(),
            cart_id: CartId::parse("cart_1").unwrap(),
            customer_id: None,
            email: Email::parse("ada@example.com").unwrap(),
            currency: Currency::USD,
            lines: Vec::new(),
            shipping_address: address.clone(),
            billing_address: address,
            shipping_method: None,
            shipping: None,
            totals: Totals {
                subtotal: total,
                discount: usd(0),
                shipping: usd(0),
                shipping_discount: usd(0),
                tax: usd(0),
                total,
            },
            promotions: Vec::new(),
            status: Status::PendingPayment(AwaitingPayment { expires_at: at(30) }),
            payment: PaymentRecord::pending(total),
            refunds: Vec::new(),
            history: Vec::new(),
            access_token_hash: Some(token_hash("secret")),
            client: None,
            version: 0,
            created_at: at(0),
            updated_at: at(0),
        }
    }

    fn refund(cents: i64) -> Refund {
        Refund {
            id: None,
            status: RefundStatus::Succeeded,
            provider_refund_id: None,
            amount: usd(cents),
            reason: "test".into(),
            at: at(5),
        }
    }

    /// Cancels a paid order the way the fulfilment service does: hold the whole refundable amount, then settle it.
    fn cancel_paid(order: &mut Order) -> Result<()> {
        let id = RefundId::parse("refund_all").unwrap();
        let all = order.refundable()?;
        if order.state() == OrderState::Paid {
            order.begin_refund(Refund { id: Some(id.clone()), amount: all, ..refund(0) })?;
        }
        order.cancel_paid(&id, None, at(9), Actor::System)
    }

    fn shipment() -> Shipment {
        Shipment { carrier: "USPS".into(), tracking_number: "1Z".into(), shipped_at: at(3) }
    }

    /// An order in `state`, reached through legal transitions.
    fn order_in(state: OrderState) -> Order {
        let mut order = pending();
        let actor = Actor::System;
        match state {
            OrderState::PendingPayment => {}
            OrderState::Paid => order.mark_paid(usd(10_000), at(1), actor).unwrap(),
            OrderState::Shipped => {
                order.mark_paid(usd(10_000), at(1), actor.clone()).unwrap();
                order.ship(shipment(), actor).unwrap();
            }
            OrderState::Delivered => {
                order.mark_paid(usd(10_000), at(1), actor.clone()).unwrap();
                order.ship(shipment(), actor.clone()).unwrap();
                order.deliver(at(4), actor).unwrap();
            }
            OrderState::Cancelled => order.cancel_unpaid("gone", at(1), actor).unwrap(),
        }
        order
    }

    const STATES: [OrderState; 5] = [
        OrderState::PendingPayment,
        OrderState::Paid,
        OrderState::Shipped,
        OrderState::Delivered,
        OrderState::Cancelled,
    ];

    /// Every operation from every state: the legal ones move the order, the rest are typed errors that change
    /// nothing.
    #[test]
    fn every_transition_from_every_state() {
        type Op = fn(&mut Order) -> Result<()>;
        let ops: [(&str, OrderState, Op); 5] = [
            ("pay", OrderState::Paid, |o| o.mark_paid(usd(10_000), at(9), Actor::System)),
            ("cancel unpaid", OrderState::Cancelled, |o| o.cancel_unpaid("why", at(9), Actor::System)),
            ("cancel paid", OrderState::Cancelled, cancel_paid),
            ("ship", OrderState::Shipped, |o| o.ship(shipment(), Actor::System)),
            ("deliver", OrderState::Delivered, |o| o.deliver(at(9), Actor::System)),
        ];
        let legal = |from: OrderState, op: &str| {
            matches!(
                (from, op),
                (OrderState::PendingPayment, "pay" | "cancel unpaid")
                    | (OrderState::Paid, "cancel paid" | "ship")
                    | (OrderState::Shipped, "deliver")
            )
        };
        for from in STATES {
            for (name, to, op) in ops {
                let mut order = order_in(from);
                let before = order.clone();
                match op(&mut order) {
                    Ok(()) => {
                        assert!(legal(from, name), "{name} from {from} must be refused");
                        assert_eq!(order.state(), to);
                        let last = order.history.last().unwrap();
                        assert_eq!((last.from, last.to), (Some(from), to));
                    }
                    Err(Error::InvalidTransition { from: f, to: t }) => {
                        assert!(!legal(from, name), "{name} from {from} must be allowed");
                        assert_eq!((f, t), (from, to));
                        assert_eq!(order, before, "a refused transition changes nothing");
                    }
                    Err(other) => panic!("{name} from {from}: unexpected {other:?}"),
                }
            }
        }
    }

    /// `actions` offers exactly what the transitions accept, from every state and refund position.
    #[test]
    fn actions_are_exactly_the_transitions_that_succeed() {
        let mut cases: Vec<(String, Order)> = STATES.iter().map(|s| (s.to_string(), order_in(*s))).collect();
        let mut partly = order_in(OrderState::Paid);
        partly.refund(refund(2_500), Actor::System).unwrap();
        cases.push(("paid, partly refunded".into(), partly));
        let mut all = order_in(OrderState::Paid);
        all.refund(refund(10_000), Actor::System).unwrap();
        cases.push(("paid, refunded in full".into(), all));
        let mut held = order_in(OrderState::Paid);
        held.begin_refund(Refund { id: Some(RefundId::parse("refund_h").unwrap()), ..refund(1_000) }).unwrap();
        cases.push(("paid, a refund in flight".into(), held));
        let mut shipped_all = order_in(OrderState::Shipped);
        shipped_all.refund(refund(10_000), Actor::System).unwrap();
        cases.push(("shipped, refunded in full".into(), shipped_all));
        let mut seen = std::collections::HashSet::new();
        for (name, order) in cases {
            let works = |op: &dyn Fn(&mut Order) -> Result<()>| op(&mut order.clone()).is_ok();
            let expected: Vec<OrderAction> = [
                (OrderAction::Ship, works(&|o| o.ship(shipment(), Actor::System))),
                (OrderAction::Deliver, works(&|o| o.deliver(at(9), Actor::System))),
                (OrderAction::Cancel, works(&|o| o.cancel_unpaid("why", at(9), Actor::System)) || works(&cancel_paid)),
                (
                    OrderAction::Refund,
                    works(&|o| o.begin_refund(Refund { id: Some(RefundId::parse("refund_t").unwrap()), ..refund(1) })),
                ),
            ]
            .into_iter()
            .filter_map(|(action, ok)| ok.then_some(action))
            .collect();
            assert_eq!(order.actions(), expected, "{name}");
            seen.extend(expected);
        }
        assert_eq!(seen.len(), 4, "every action is offered somewhere");
    }

    #[test]
    fn refunds_never_exceed_what_was_captured() {
        let mut order = order_in(OrderState::PendingPayment);
        assert!(matches!(order.refund(refund(1), Actor::System), Err(Error::InvalidTransition { .. })));
        let mut order_paid = order_in(OrderState::Paid);
        order_paid.refund(refund(2_500), Actor::System).unwrap();
        assert_eq!(order_paid.payment.status, PaymentStatus::PartiallyRefunded);
        assert!(matches!(order_paid.refund(refund(7_501), Actor::System), Err(Error::RefundExceedsCaptured { .. })));
        assert!(matches!(order_paid.refund(refund(0), Actor::System), Err(Error::Validation(_))));
        // Cancelling a paid order refunds exactly what is left.
        let one = RefundId::parse("refund_one").unwrap();
        order_paid.begin_refund(Refund { id: Some(one.clone()), ..refund(1) }).unwrap();
        assert!(matches!(order_paid.cancel_paid(&one, None, at(9), Actor::System), Err(Error::Validation(_))));
        order_paid.fail_refund(&one, "declined", at(9), Actor::System).unwrap();
        cancel_paid(&mut order_paid).unwrap();
        assert_eq!(order_paid.payment.status, PaymentStatus::Refunded);
        assert_eq!(order_paid.payment.refunded, usd(10_000));
        assert_eq!(order_paid.refunds.len(), 3, "the failed hold stays on record");
        assert_eq!(order_paid.refunds.iter().filter(|r| r.status == RefundStatus::Succeeded).count(), 2);
        // A payment of the wrong amount is refused.
        assert!(matches!(order.mark_paid(usd(9_999), at(1), Actor::System), Err(Error::Validation(_))));
        assert_eq!(order.state(), OrderState::PendingPayment);
    }

    #[test]
    fn held_refunds_can_never_add_up_to_more_than_was_captured() {
        let mut order = order_in(OrderState::Paid);
        let (a, b) = (RefundId::parse("refund_a").unwrap(), RefundId::parse("refund_b").unwrap());
        order.begin_refund(Refund { id: Some(a.clone()), ..refund(6_000) }).unwrap();
        let second = order.begin_refund(Refund { id: Some(b.clone()), ..refund(6_000) });
        assert!(matches!(second, Err(Error::RefundExceedsCaptured { .. })), "{second:?}");
        assert_eq!(order.refundable().unwrap(), usd(4_000));
        assert_eq!(order.payment.refunded, usd(0), "a held refund is not refunded yet");
        order.settle_refund(&a, Some("re_1".into()), at(6), Actor::System).unwrap();
        order.settle_refund(&a, Some("re_1".into()), at(7), Actor::System).unwrap();
        assert_eq!(order.payment.refunded, usd(6_000), "settling twice counts once");
        order.begin_refund(Refund { id: Some(b.clone()), ..refund(4_000) }).unwrap();
        order.fail_refund(&b, "declined", at(8), Actor::System).unwrap();
        assert_eq!(order.refundable().unwrap(), usd(4_000), "a failed refund frees its amount");
    }

    #[test]
    fn only_the_access_token_opens_the_order() {
        let order = pending();
        assert!(order.token_matches("secret"));
        assert!(!order.token_matches("secreT"));
        assert!(!order.token_matches(""));
        let none = Order { access_token_hash: None, ..pending() };
        assert!(!none.token_matches("secret"));
    }

    #[test]
    fn the_status_round_trips_through_json_with_its_data() {
        let order = order_in(OrderState::Delivered);
        let json = serde_json::to_string(&order).unwrap();
        assert!(json.contains(r#""state":"delivered""#), "{json}");
        let back: Order = serde_json::from_str(&json).unwrap();
        assert_eq!(back, order);
        assert_eq!(back.status.shipment().map(|s| s.carrier.as_str()), Some("USPS"));
        for state in STATES {
            assert_eq!(OrderState::parse(state.as_str()), Some(state));
        }
    }
}
