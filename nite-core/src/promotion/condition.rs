//! Conditions: what must hold of a cart and its customer for a promotion to apply.

use serde::{Deserialize, Serialize};

use crate::promotion::Target;
use crate::{CustomerGroup, Money};

/// One requirement of a promotion. The date window and the usage limits are fields of
/// [`Promotion`](crate::promotion::Promotion) itself, since every promotion may have them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Condition {
    /// The cart's merchandise subtotal before any discount is at least this.
    MinSubtotal {
        /// The minimum.
        amount: Money,
    },
    /// The cart holds at least `quantity` units (of `target`, or of anything).
    MinQuantity {
        /// Which lines count; all of them if absent.
        target: Option<Target>,
        /// How many units.
        quantity: u32,
    },
    /// The customer has never placed an order.
    FirstOrder,
    /// The customer belongs to one of these groups.
    CustomerGroups {
        /// The groups.
        groups: Vec<CustomerGroup>,
    },
}
