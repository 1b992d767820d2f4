//! Actions: what a promotion gives when it applies.

use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::promotion::Target;
use crate::{Money, Percentage};

/// What a promotion discounts, which decides what it can be combined with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromotionClass {
    /// The whole order.
    Order,
    /// Some lines.
    Product,
    /// The shipping charge.
    Shipping,
}

/// What a promotion gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Action {
    /// A percentage off the order's merchandise (what is left of it after earlier promotions), rounded once and
    /// allocated across lines by largest remainder.
    OrderPercentage {
        /// How much off.
        percentage: Percentage,
    },
    /// A fixed amount off the order's merchandise (never more than is left of it), allocated by largest remainder.
    OrderAmount {
        /// How much off.
        amount: Money,
    },
    /// A percentage off each targeted line, rounded per line.
    ItemsPercentage {
        /// The lines it discounts.
        target: Target,
        /// How much off.
        percentage: Percentage,
    },
    /// A fixed amount off each targeted unit (never more than the line's remaining price).
    ItemsAmount {
        /// The lines it discounts.
        target: Target,
        /// How much off one unit.
        amount_per_unit: Money,
    },
    /// The shipping charge is waived.
    FreeShipping,
    /// Buy `buy_quantity` units of `buy`, get `get_quantity` units of `get` at `percentage` off (100 = free).
    ///
    /// The most expensive qualifying units count as bought and the cheapest as given, repeatedly, up to
    /// `max_applications` times; a unit is never both.
    BuyXGetY {
        /// What must be bought.
        buy: Target,
        /// How many units of it, per application.
        #[cfg_attr(feature = "openapi", schema(value_type = u32, minimum = 1))]
        buy_quantity: NonZeroU32,
        /// What is discounted.
        get: Target,
        /// How many units of it, per application.
        #[cfg_attr(feature = "openapi", schema(value_type = u32, minimum = 1))]
        get_quantity: NonZeroU32,
        /// How much off the discounted units.
        percentage: Percentage,
        /// At most this many applications per cart; unlimited if absent.
        #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1))]
        max_applications: Option<NonZeroU32>,
    },
}

impl Action {
    /// The class of discount this action gives.
    pub fn class(&self) -> PromotionClass {
        match self {
            Action::OrderPercentage { .. } | Action::OrderAmount { .. } => PromotionClass::Order,
            Action::ItemsPercentage { .. } | Action::ItemsAmount { .. } | Action::BuyXGetY { .. } => {
                PromotionClass::Product
            }
            Action::FreeShipping => PromotionClass::Shipping,
        }
    }
}
