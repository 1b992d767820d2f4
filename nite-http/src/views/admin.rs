//! The views only administrators get: an order with what it allows now, the outbox's backlog, a promotion preview.

use nite_core::catalog::Sku;
use nite_core::order::Order;
use nite_core::promotion::{DiscountCode, PromotionClass};
use nite_core::{Money, PromotionId};
use serde::Serialize;
use utoipa::ToSchema;

use super::{OrderOut, TotalsOut, order, rfc3339, totals};

/// An order as administrators see it: the order, what can still be refunded, and what the state machine allows now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AdminOrderOut {
    #[serde(flatten)]
    order: OrderOut,
    /// What can still be refunded: captured, less refunded and refunds in flight.
    refundable: Money,
    /// The actions allowed now, in the order to show them.
    actions: Vec<nite_core::order::OrderAction>,
}

/// An order, for administrators.
pub(crate) fn admin_order(o: &Order) -> AdminOrderOut {
    AdminOrderOut {
        order: order(o),
        refundable: o.refundable().unwrap_or_else(|_| Money::zero(o.currency)),
        actions: o.actions(),
    }
}

/// The outbox's backlog.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutboxOut {
    /// Messages waiting to be sent or retried.
    pending: u64,
    /// Of those, the ones that failed at least once.
    failing: u64,
    /// Messages given up on.
    dead: u64,
    /// When the oldest pending message was written (RFC 3339); null when none is pending.
    oldest_pending_at: Option<String>,
    /// Its age in whole seconds.
    oldest_pending_seconds: Option<i64>,
}

/// The outbox's backlog, its age as of `now`.
pub(crate) fn outbox(h: &nite_core::ports::OutboxHealth, now: time::OffsetDateTime) -> OutboxOut {
    OutboxOut {
        pending: h.pending,
        failing: h.failing,
        dead: h.dead,
        oldest_pending_at: h.oldest_pending.map(rfc3339),
        oldest_pending_seconds: h.oldest_pending.map(|at| (now - at).whole_seconds().max(0)),
    }
}

/// A sample cart priced with and without a promotion.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PreviewOut {
    /// The promotion as it would be saved.
    promotion: nite_core::promotion::Promotion,
    /// Whether it applies to the sample cart.
    applies: bool,
    /// Why it does not apply (a stable reason code, as carts give); null when it applies.
    why: Option<&'static str>,
    /// Priced with the promotions as they are.
    without: PricedOut,
    /// Priced with this promotion saved (and its code entered).
    with: PricedOut,
}

/// A priced sample cart.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PricedOut {
    lines: Vec<PricedLineOut>,
    /// The promotions that apply, by name.
    promotions: Vec<NamedPromotionOut>,
    /// The promotions that were considered and did not apply, with why.
    promotions_not_applied: Vec<NamedNotAppliedOut>,
    totals: TotalsOut,
}

/// A priced line of a sample cart.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PricedLineOut {
    sku: Sku,
    name: String,
    quantity: nite_core::Quantity,
    unit_price: Money,
    subtotal: Money,
    discount: Money,
    tax: Money,
    total: Money,
}

/// A promotion that applied, with its name.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NamedPromotionOut {
    id: PromotionId,
    name: String,
    code: Option<DiscountCode>,
    kind: PromotionClass,
    amount: Money,
}

/// A promotion or code that did not apply, with its name and why.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NamedNotAppliedOut {
    id: Option<PromotionId>,
    name: Option<String>,
    code: Option<DiscountCode>,
    why: &'static str,
}

/// A promotion preview.
pub(crate) fn preview(p: &nite_core::services::PromotionPreview) -> PreviewOut {
    let priced = |c: &nite_core::pricing::PricedCart, known: &[nite_core::promotion::Promotion]| {
        let name_of = |id: &PromotionId| known.iter().find(|x| &x.id == id).map(|x| x.name.clone());
        PricedOut {
            lines: p
                .items
                .iter()
                .zip(&c.lines)
                .map(|(item, line)| PricedLineOut {
                    sku: item.sku.clone(),
                    name: item.name.clone(),
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                    subtotal: line.subtotal,
                    discount: line.discount,
                    tax: line.tax,
                    total: line.total,
                })
                .collect(),
            promotions: c
                .applied
                .iter()
                .map(|a| NamedPromotionOut {
                    id: a.promotion_id.clone(),
                    name: name_of(&a.promotion_id).unwrap_or_default(),
                    code: a.code.clone(),
                    kind: a.class,
                    amount: a.amount,
                })
                .collect(),
            promotions_not_applied: c
                .not_applied
                .iter()
                .map(|n| NamedNotAppliedOut {
                    id: n.promotion_id.clone(),
                    name: n.promotion_id.as_ref().and_then(name_of),
                    code: n.code.clone(),
                    why: n.reason.code(),
                })
                .collect(),
            totals: totals(&c.totals),
        }
    };
    let id = &p.promotion.id;
    let applies = p.with.applied.iter().any(|a| &a.promotion_id == id);
    let why = if applies {
        None
    } else {
        p.with.not_applied.iter().find(|n| n.promotion_id.as_ref() == Some(id)).map(|n| n.reason.code())
    };
    PreviewOut {
        promotion: p.promotion.clone(),
        applies,
        why,
        without: priced(&p.without, &p.stored),
        with: priced(&p.with, &p.promotions),
    }
}
