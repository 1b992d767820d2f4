//! Why a promotion did not apply: stable codes a storefront can show and an API can return.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an entered or automatic promotion did not apply to a cart. The snake_case names are a stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotAppliedReason {
    /// No promotion has the entered code.
    CodeUnknown,
    /// The store has switched the promotion off.
    Disabled,
    /// Its start is still ahead.
    NotStarted,
    /// Its end has passed.
    Expired,
    /// It has been used as often as it may be.
    UsageLimitReached,
    /// This customer has used it as often as one customer may.
    CustomerUsageLimitReached,
    /// An amount in it is in another currency than the cart.
    CurrencyMismatch,
    /// The merchandise subtotal is below its minimum.
    MinSubtotalNotMet,
    /// The cart holds fewer qualifying units than it requires.
    MinQuantityNotMet,
    /// It is for first orders only, and the customer has ordered before.
    NotFirstOrder,
    /// It is for other customer groups.
    CustomerGroupMismatch,
    /// It cannot be combined with a promotion that applied before it (or one of them is exclusive).
    NotCombinable,
    /// No line in the cart is one it discounts (or, for buy X get Y, not enough of them).
    NoMatchingItems,
    /// It discounts shipping and no shipping method has been chosen yet.
    ShippingNotSelected,
    /// What it would discount is already free.
    NothingToDiscount,
    /// Its configuration is unusable (an amount finer than the currency's minor unit, or far out of range).
    Misconfigured,
}

impl NotAppliedReason {
    /// The stable snake_case code, as serialized.
    pub fn code(self) -> &'static str {
        match self {
            NotAppliedReason::CodeUnknown => "code_unknown",
            NotAppliedReason::Disabled => "disabled",
            NotAppliedReason::NotStarted => "not_started",
            NotAppliedReason::Expired => "expired",
            NotAppliedReason::UsageLimitReached => "usage_limit_reached",
            NotAppliedReason::CustomerUsageLimitReached => "customer_usage_limit_reached",
            NotAppliedReason::CurrencyMismatch => "currency_mismatch",
            NotAppliedReason::MinSubtotalNotMet => "min_subtotal_not_met",
            NotAppliedReason::MinQuantityNotMet => "min_quantity_not_met",
            NotAppliedReason::NotFirstOrder => "not_first_order",
            NotAppliedReason::CustomerGroupMismatch => "customer_group_mismatch",
            NotAppliedReason::NotCombinable => "not_combinable",
            NotAppliedReason::NoMatchingItems => "no_matching_items",
            NotAppliedReason::ShippingNotSelected => "shipping_not_selected",
            NotAppliedReason::NothingToDiscount => "nothing_to_discount",
            NotAppliedReason::Misconfigured => "misconfigured",
        }
    }
}

impl fmt::Display for NotAppliedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_the_serialized_name() {
        let all = [
            NotAppliedReason::CodeUnknown,
            NotAppliedReason::Disabled,
            NotAppliedReason::NotStarted,
            NotAppliedReason::Expired,
            NotAppliedReason::UsageLimitReached,
            NotAppliedReason::CustomerUsageLimitReached,
            NotAppliedReason::CurrencyMismatch,
            NotAppliedReason::MinSubtotalNotMet,
            NotAppliedReason::MinQuantityNotMet,
            NotAppliedReason::NotFirstOrder,
            NotAppliedReason::CustomerGroupMismatch,
            NotAppliedReason::NotCombinable,
            NotAppliedReason::NoMatchingItems,
            NotAppliedReason::ShippingNotSelected,
            NotAppliedReason::NothingToDiscount,
            NotAppliedReason::Misconfigured,
        ];
        for reason in all {
            assert_eq!(serde_json::to_string(&reason).unwrap(), format!("\"{}\"", reason.code()));
        }
    }
}
