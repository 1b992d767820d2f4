//! Promotions: what a promotion gives (its action), when it may (its conditions), and how it stacks with others.
//!
//! The rules that decide which promotions apply to a cart live in the pricing engine ([`crate::pricing`]); this
//! module holds the data a store configures.
//!
//! How promotions stack: they are tried in ascending `priority` (ties by id), each working on what the earlier ones
//! left, and each must combine with every one applied before it (`exclusive`, `combines_with`, both sides agreeing).
//! A new [`Promotion`] (and a promotion drafted through the admin API without saying otherwise) has priority 100 and
//! combines with every class, so adding a code never knocks out the automatic promotions. When promotions do exclude
//! each other, the shopper gets the combination that costs them least: the engine prices every way of leaving out
//! the conflicting promotions (up to six of them; beyond, each refused one in place of those it conflicts with) and
//! the cart without its entered codes, and keeps the lowest total, the priority order winning ties. A code therefore
//! never makes a cart dearer. Every promotion left out is reported with its reason (`not_combinable`).

mod action;
mod code;
mod condition;
mod reason;
mod target;

pub use action::{Action, PromotionClass};
pub use code::{DiscountCode, DiscountCodeError};
pub use condition::Condition;
pub use reason::NotAppliedReason;
pub use target::Target;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::PromotionId;

/// Which classes of promotion one may be combined with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CombinesWith {
    /// Order-level discounts (percentage or amount off the order).
    pub order: bool,
    /// Product-level discounts (off selected products or categories, buy X get Y).
    pub product: bool,
    /// Shipping discounts.
    pub shipping: bool,
}

impl CombinesWith {
    /// Combines with every class.
    pub const ALL: CombinesWith = CombinesWith { order: true, product: true, shipping: true };
    /// Combines with nothing.
    pub const NONE: CombinesWith = CombinesWith { order: false, product: false, shipping: false };

    /// Whether this set contains `class`.
    pub fn contains(&self, class: PromotionClass) -> bool {
        match class {
            PromotionClass::Order => self.order,
            PromotionClass::Product => self.product,
            PromotionClass::Shipping => self.shipping,
        }
    }
}

/// A promotion a store runs: automatic (no code) or unlocked by a discount code.
///
/// Promotions are tried in ascending `priority`, ties broken by id, so the result never depends on the order a
/// caller lists them in. A promotion applies when it is enabled, inside its date window, under its usage limits, its
/// conditions hold, it may be combined with every promotion applied before it, and it discounts something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promotion {
    /// Its id.
    pub id: PromotionId,
    /// A name for people (admins, and customers on a receipt).
    pub name: String,
    /// The code that unlocks it; `None` applies it automatically to every eligible cart.
    pub code: Option<DiscountCode>,
    /// What it gives.
    pub action: Action,
    /// What must hold for it to apply; all of them.
    pub conditions: Vec<Condition>,
    /// Whether the store has it switched on.
    pub enabled: bool,
    /// The first instant it applies, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
    /// The first instant it no longer applies, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    /// How many orders may use it in all.
    pub usage_limit: Option<u32>,
    /// How many orders of one customer may use it.
    pub usage_limit_per_customer: Option<u32>,
    /// Lower runs first.
    pub priority: u32,
    /// When set, it applies only alone: it is refused if anything applied before it, and refuses all that follow.
    pub exclusive: bool,
    /// The classes it may be combined with; both sides of a pair must allow the other.
    pub combines_with: CombinesWith,
}

impl Promotion {
    /// A promotion with no conditions, limits or dates, enabled, at priority 100, combinable with everything.
    ///
    /// ```
    /// use nite_core::promotion::{Action, DiscountCode, Promotion};
    /// use nite_core::{Percentage, PromotionId};
    /// use rust_decimal_macros::dec;
    ///
    /// let mut promo = Promotion::new(
    ///     PromotionId::parse("promo_welcome10")?,
    ///     "10 % off your order",
    ///     Action::OrderPercentage { percentage: Percentage::new(dec!(10))? },
    /// );
    /// promo.code = Some(DiscountCode::new("welcome10")?);
    /// assert_eq!(promo.code.as_ref().map(|c| c.as_str()), Some("WELCOME10"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(id: PromotionId, name: impl Into<String>, action: Action) -> Promotion {
        Promotion {
            id,
            name: name.into(),
            code: None,
            action,
            conditions: Vec::new(),
            enabled: true,
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            usage_limit_per_customer: None,
            priority: 100,
            exclusive: false,
            combines_with: CombinesWith::ALL,
        }
    }

    /// The class of its action.
    pub fn class(&self) -> PromotionClass {
        self.action.class()
    }

    /// Whether `self` and `other` may both apply to one cart.
    pub fn combines(&self, other: &Promotion) -> bool {
        !self.exclusive
            && !other.exclusive
            && self.combines_with.contains(other.class())
            && other.combines_with.contains(self.class())
    }
}

/// How often a promotion has been used, as the caller counted it (the storage layer counts atomically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionUsage {
    /// The promotion.
    pub promotion_id: PromotionId,
    /// Orders that used it, all customers together.
    pub total: u32,
    /// Orders of the cart's customer that used it.
    pub by_customer: u32,
}
