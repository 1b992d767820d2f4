//! Percentages for discounts and tax rates, kept as exact fractions.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most decimal places a percentage may carry (`12.345678` %).
pub const MAX_PERCENTAGE_SCALE: u32 = 6;

/// A percentage from 0 to 100 inclusive, e.g. `19` for a 19 % tax rate or `33.33` for a third off.
///
/// It is a value that cannot be wrong: out of range or too precise is refused at construction, so the pricing engine
/// never has to check it again. Internally it is the exact fraction `value / 100`.
///
/// ```
/// use nite_core::{Percentage, PercentageError};
/// use rust_decimal_macros::dec;
///
/// let vat = Percentage::new(dec!(19))?;
/// assert_eq!(vat.value(), dec!(19));
/// assert!(Percentage::new(dec!(100.5)).is_err());
/// # Ok::<(), PercentageError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percentage {
    value: Decimal,
}

/// A percentage outside 0–100, or with too many decimals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PercentageError {
    /// Below 0 or above 100.
    #[error("{0} is not a percentage between 0 and 100")]
    OutOfRange(Decimal),
    /// More than [`MAX_PERCENTAGE_SCALE`] decimals.
    #[error("{0} has more than {MAX_PERCENTAGE_SCALE} decimal places")]
    TooPrecise(Decimal),
}

impl Percentage {
    /// 0 %.
    pub const ZERO: Percentage = Percentage { value: Decimal::ZERO };
    /// 100 %.
    pub const HUNDRED: Percentage = Percentage { value: Decimal::ONE_HUNDRED };

    /// A percentage, checked to lie in 0–100 with at most [`MAX_PERCENTAGE_SCALE`] decimals.
    pub fn new(value: Decimal) -> Result<Percentage, PercentageError> {
        if value.is_sign_negative() && !value.is_zero() || value > Decimal::ONE_HUNDRED {
            return Err(PercentageError::OutOfRange(value));
        }
        let value = value.normalize();
        if value.scale() > MAX_PERCENTAGE_SCALE {
            return Err(PercentageError::TooPrecise(value));
        }
        Ok(Percentage { value })
    }

    /// The percentage as written: `19` for 19 %.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// Whether this is 0 %.
    pub fn is_zero(&self) -> bool {
        self.value.is_zero()
    }

    /// The exact fraction `numerator / denominator` this percentage stands for (denominator > 0).
    pub(crate) fn fraction(&self) -> (i128, i128) {
        // The constructor bounds the mantissa by 100·10^6 and the scale by 6, so neither can overflow.
        let numerator = self.value.mantissa();
        let denominator = 100 * 10_i128.pow(self.value.scale());
        (numerator, denominator)
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.value)
    }
}

impl fmt::Debug for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Percentage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value.to_string())
    }
}

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let value = Decimal::from_str_exact(text.trim()).map_err(serde::de::Error::custom)?;
        Percentage::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn range_and_precision_are_checked() {
        assert!(Percentage::new(dec!(0)).is_ok());
        assert!(Percentage::new(dec!(100.000)).is_ok());
        assert_eq!(Percentage::new(dec!(-0.01)), Err(PercentageError::OutOfRange(dec!(-0.01))));
        assert_eq!(Percentage::new(dec!(100.01)), Err(PercentageError::OutOfRange(dec!(100.01))));
        assert_eq!(Percentage::new(dec!(1.0000001)), Err(PercentageError::TooPrecise(dec!(1.0000001))));
    }

    #[test]
    fn fraction_is_exact() {
        assert_eq!(Percentage::new(dec!(19)).unwrap().fraction(), (19, 100));
        assert_eq!(Percentage::new(dec!(33.330)).unwrap().fraction(), (3333, 10000));
        assert_eq!(Percentage::new(dec!(7.5)).unwrap().fraction(), (75, 1000));
    }

    #[test]
    fn serde_is_a_decimal_string() {
        let p: Percentage = serde_json::from_str(r#""12.5""#).unwrap();
        assert_eq!(p.value(), dec!(12.5));
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""12.5""#);
        assert!(serde_json::from_str::<Percentage>(r#""120""#).is_err());
        assert!(serde_json::from_str::<Percentage>("12.5").is_err());
    }
}
