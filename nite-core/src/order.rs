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
pub use payment::{PaymentRecord, PaymentStatus, Refund};
pub use status::{AwaitingPayment, Cancelled, Delivered, OrderState, Paid, Shipment, Shipped, Status};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::cart::ShippingSelection;
use crate::error::{Error, Result};
use crate::pricing::{AppliedPromotion, PricedShipping, Totals};
use crate::{Address, CartId, Currency, CustomerId, Email, Money, OrderId};

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

    /// `paid → cancelled`: the whole captured amount still held is refunded with `refund`, then the order cancelled.
    pub fn cancel_paid(&mut self, refund: Refund, at: OffsetDateTime, actor: Actor) -> Result<()> {
        let Status::Paid(paid) = &self.status else { return Err(self.illegal(OrderState::Cancelled)) };
        let refundable = self.payment.refundable()?;
        if refund.amount != refundable {
            return Err(Error::invalid("amount", format!("cancelling a paid order refunds all of {refundable}")));
        }
        let next = Status::Cancelled(paid.clone().cancel(&refund.reason, at));
        let reason = refund.reason.clone();
        self.apply_refund(refund)?;
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

    /// Records a partial or full refund of a paid, shipped or delivered order; the state does not change. The total
    /// refunded never exceeds what was captured.
    pub fn refund(&mut self, refund: Refund, actor: Actor) -> Result<()> {
        let state = self.state();
        if !matches!(state, OrderState::Paid | OrderState::Shipped | OrderState::Delivered) {
            return Err(Error::InvalidTransition { from: state, to: state });
        }
        let (at, reason) = (refund.at, refund.reason.clone());
        self.apply_refund(refund)?;
        self.updated_at = at;
        self.history.push(HistoryEntry { from: Some(state), to: state, at, actor, reason: Some(reason) });
        Ok(())
    }

    fn apply_refund(&mut self, refund: Refund) -> Result<()> {
        self.payment.refunded(refund.amount)?;
        self.refunds.push(refund);
        Ok(())
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
            version: 0,
            created_at: at(0),
            updated_at: at(0),
        }
    }

    fn refund(cents: i64) -> Refund {
        Refund { provider_refund_id: None, amount: usd(cents), reason: "test".into(), at: at(5) }
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
            ("cancel paid", OrderState::Cancelled, |o| {
                let all = o.payment.refundable()?;
                o.cancel_paid(Refund { amount: all, ..refund(0) }, at(9), Actor::System)
            }),
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
        assert!(matches!(order_paid.cancel_paid(refund(1), at(9), Actor::System), Err(Error::Validation(_))));
        order_paid.cancel_paid(refund(7_500), at(9), Actor::System).unwrap();
        assert_eq!(order_paid.payment.status, PaymentStatus::Refunded);
        assert_eq!(order_paid.payment.refunded, usd(10_000));
        assert_eq!(order_paid.refunds.len(), 2);
        // A payment of the wrong amount is refused.
        assert!(matches!(order.mark_paid(usd(9_999), at(1), Actor::System), Err(Error::Validation(_))));
        assert_eq!(order.state(), OrderState::PendingPayment);
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
