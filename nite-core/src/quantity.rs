//! How many units of one variant a cart line holds.

use std::fmt;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

/// A quantity that is not within 1 to [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("quantity {0} is outside 1 to {max}", max = Quantity::MAX)]
pub struct QuantityError(pub i64);

/// A positive number of units, at most [`Quantity::MAX`].
///
/// The bound keeps every line total far from overflow; a shop usually allows far fewer per line (the reference
/// server allows 99).
///
/// ```
/// use nite_core::Quantity;
///
/// assert_eq!(Quantity::new(3).map(Quantity::get), Ok(3));
/// assert!(Quantity::new(0).is_err());
/// assert!(Quantity::new(10_000).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(NonZeroU32);

impl Quantity {
    /// The largest quantity one line can hold.
    pub const MAX: u32 = 9_999;
    /// One unit.
    pub const ONE: Quantity = Quantity(NonZeroU32::MIN);

    /// A quantity from 1 to [`Quantity::MAX`].
    pub fn new(value: i64) -> Result<Quantity, QuantityError> {
        u32::try_from(value)
            .ok()
            .filter(|v| *v <= Quantity::MAX)
            .and_then(NonZeroU32::new)
            .map(Quantity)
            .ok_or(QuantityError(value))
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Quantity::new(value)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.get()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(Quantity::new(1), Ok(Quantity::ONE));
        assert_eq!(Quantity::new(9_999).map(Quantity::get), Ok(9_999));
        assert_eq!(Quantity::new(-1), Err(QuantityError(-1)));
        assert_eq!(Quantity::new(i64::MAX), Err(QuantityError(i64::MAX)));
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("2.5").is_err());
        assert_eq!(serde_json::from_str::<Quantity>("7").unwrap().get(), 7);
    }
}
