//! Money: an exact decimal amount in one currency, and the checked ways to combine, round and convert it.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Currency, RoundingMode};

/// What can go wrong with money: mixing currencies, a bad code, an overflow, an amount finer than its currency allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The code is not three ASCII letters.
    #[error("`{0}` is not a three-letter ISO 4217 currency code")]
    InvalidCurrencyCode(String),
    /// Three letters, but not a currency nite knows.
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
    /// A custom currency asked for more decimals than nite supports.
    #[error("a currency exponent of {0} is larger than {max}", max = crate::currency::MAX_EXPONENT)]
    ExponentTooLarge(u8),
    /// Two amounts in different currencies met in one operation.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The amount has digits below the currency's minor unit (e.g. 0.001 USD) where whole minor units are required.
    #[error("{amount} {currency} is finer than the currency's minor unit")]
    NotAtMinorUnit {
        /// The offending amount.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
    },
    /// The result does not fit the target representation.
    #[error("amount out of range")]
    Overflow,
    /// A string that is not a decimal number.
    #[error("`{0}` is not a decimal amount")]
    InvalidAmount(String),
}

/// An exact amount of money: a [`Decimal`] and its [`Currency`].
///
/// Arithmetic between two `Money` values is checked: different currencies are an error, never a silent mix, and
/// nothing ever goes through `f64`. Amounts cross the edges of the system (the database, Stripe) as integer minor
/// units, through [`Money::from_minor`] and [`Money::to_minor`], which refuse to lose a digit.
///
/// ```
/// use nite_core::{Currency, Money, MoneyError};
/// use rust_decimal_macros::dec;
///
/// let price = Money::new(dec!(49.99), Currency::USD);
/// let two = price.checked_mul(2)?;
/// assert_eq!(two.to_minor()?, 9998);
/// assert_eq!(Money::from_minor(9998, Currency::USD), two);
///
/// let euros = Money::new(dec!(1), Currency::EUR);
/// assert!(matches!(price.checked_add(euros), Err(MoneyError::CurrencyMismatch { .. })));
/// assert!(matches!(Money::new(dec!(0.001), Currency::USD).to_minor(), Err(MoneyError::NotAtMinorUnit { .. })));
/// # Ok::<(), MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in a currency, as given (not rounded).
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// An amount from integer minor units: `from_minor(4999, USD)` is 49.99 USD, `from_minor(500, JPY)` is ¥500.
    #[inline]
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money::from_magnitude(minor.unsigned_abs(), minor < 0, currency)
    }

    /// Money from a count of minor units and a sign, built from the decimal's parts: `Decimal::new` is not inlined,
    /// and this sits on the pricing hot path.
    #[inline]
    fn from_magnitude(minor: u64, negative: bool, currency: Currency) -> Money {
        #[allow(clippy::cast_possible_truncation, reason = "the low and the high 32 bits of a 64-bit amount")]
        let (lo, mid) = (minor as u32, (minor >> 32) as u32);
        Money::new(Decimal::from_parts(lo, mid, 0, negative, currency.exponent()), currency)
    }

    /// The amount in integer minor units.
    ///
    /// Fails with [`MoneyError::NotAtMinorUnit`] rather than round, and with [`MoneyError::Overflow`] rather than wrap.
    pub fn to_minor(&self) -> Result<i64, MoneyError> {
        self.minor_units()?.to_i64().ok_or(MoneyError::Overflow)
    }

    /// A non-negative amount from integer minor units: [`Money::from_minor`] without a sign to work out.
    #[inline]
    pub(crate) fn from_minor_u64(minor: u64, currency: Currency) -> Money {
        Money::from_magnitude(minor, false, currency)
    }

    /// The amount as an integer count of minor units, in the range the pricing engine works in.
    ///
    /// Works on the decimal's mantissa and scale directly: this sits on the pricing hot path.
    pub(crate) fn to_minor_i128(self) -> Result<i128, MoneyError> {
        let mantissa = self.amount.mantissa();
        let (scale, exponent) = (self.amount.scale(), self.currency.exponent());
        if scale == exponent {
            // The usual case: a price written to the minor unit.
            Ok(mantissa)
        } else if scale < exponent {
            // A Decimal's mantissa is below 2^96 and the exponent at most 4, so this cannot overflow an i128.
            Ok(mantissa * 10_i128.pow(exponent - scale))
        } else {
            let divisor = 10_i128.pow(scale - exponent);
            if mantissa % divisor == 0 {
                Ok(mantissa / divisor)
            } else {
                Err(MoneyError::NotAtMinorUnit { amount: self.amount, currency: self.currency })
            }
        }
    }

    fn minor_units(&self) -> Result<Decimal, MoneyError> {
        if !self.is_at_minor_unit() {
            return Err(MoneyError::NotAtMinorUnit { amount: self.amount, currency: self.currency });
        }
        let scale = Decimal::from(self.currency.minor_per_major());
        self.amount.checked_mul(scale).ok_or(MoneyError::Overflow)
    }

    /// Money from an `i128` count of minor units; fails if it does not fit a [`Decimal`].
    pub(crate) fn from_minor_i128(minor: i128, currency: Currency) -> Result<Money, MoneyError> {
        Decimal::try_from_i128_with_scale(minor, currency.exponent())
            .map(|amount| Money::new(amount, currency))
            .map_err(|_| MoneyError::Overflow)
    }

    /// Parses a decimal string such as `"49.99"` exactly (no rounding of excess digits).
    pub fn parse(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        Decimal::from_str_exact(amount.trim())
            .map(|amount| Money::new(amount, currency))
            .map_err(|_| MoneyError::InvalidAmount(amount.to_owned()))
    }

    /// The decimal amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount has no digits below the currency's minor unit.
    pub fn is_at_minor_unit(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.exponent()
    }

    /// The sum, if both are in the same currency and it does not overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The difference, if both are in the same currency and it does not overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The amount times a whole number (a quantity), if it does not overflow.
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        self.amount
            .checked_mul(Decimal::from(factor))
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The amount rounded to the currency's minor unit with `mode`.
    pub fn round(self, mode: RoundingMode) -> Money {
        let amount = self.amount.round_dp_with_strategy(self.currency.exponent(), mode.strategy());
        Money::new(amount, self.currency)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }

    /// The amount as a string with at least the currency's number of decimals: `"49.90"`, `"500"`, `"1.250"`.
    pub fn amount_string(&self) -> String {
        let mut amount = self.amount;
        if amount.scale() < self.currency.exponent() {
            amount.rescale(self.currency.exponent());
        }
        amount.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The wire form: `{"amount": "49.99", "currency": "USD"}`, the amount a string, never a JSON float.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyRepr<'a> {
    #[serde(borrow)]
    amount: std::borrow::Cow<'a, str>,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        MoneyRepr { amount: self.amount_string().into(), currency: self.currency }.serialize(serializer)
    }
}

/// Deserializing accepts only amounts at the currency's minor unit: money that arrives from outside is never rounded.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = MoneyRepr::deserialize(deserializer)?;
        let money = Money::parse(&repr.amount, repr.currency).map_err(serde::de::Error::custom)?;
        if !money.is_at_minor_unit() {
            return Err(serde::de::Error::custom(MoneyError::NotAtMinorUnit {
                amount: money.amount,
                currency: money.currency,
            }));
        }
        Ok(money)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses `"49.99 USD"`, the [`Display`](fmt::Display) form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (amount, code) = s.trim().rsplit_once(' ').ok_or_else(|| MoneyError::InvalidAmount(s.to_owned()))?;
        Money::parse(amount, Currency::from_code(code)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::USD)
    }

    #[test]
    fn minor_units_round_trip_in_every_exponent() {
        assert_eq!(Money::from_minor(4999, Currency::USD).amount(), dec!(49.99));
        assert_eq!(Money::from_minor(500, Currency::JPY).amount(), dec!(500));
        assert_eq!(Money::from_minor(1250, Currency::KWD).amount(), dec!(1.250));
        assert_eq!(Money::new(dec!(1.25), Currency::BHD).to_minor(), Ok(1250));
        assert_eq!(Money::new(dec!(-3.10), Currency::EUR).to_minor(), Ok(-310));
        assert_eq!(Money::new(dec!(12.000), Currency::JPY).to_minor(), Ok(12));
        // Built from the decimal's parts: the same decimal `Decimal::new` makes, sign and all.
        for minor in [0, 1, -1, 4999, -4999, 1 << 32, -(1 << 32), i64::MAX, i64::MIN] {
            for currency in [Currency::USD, Currency::JPY, Currency::KWD] {
                let money = Money::from_minor(minor, currency);
                let expected = Decimal::new(minor, currency.exponent());
                assert_eq!(money.amount(), expected, "{minor} in {currency}");
                assert_eq!(money.amount().is_sign_negative(), minor < 0, "{minor} in {currency}");
                assert_eq!(money.to_minor_i128(), Ok(i128::from(minor)));
                if let Ok(unsigned) = u64::try_from(minor) {
                    assert_eq!(Money::from_minor_u64(unsigned, currency), money);
                }
            }
        }
    }

    #[test]
    fn the_engine_conversion_agrees() {
        for (amount, currency, expected) in [
            (dec!(49.990), Currency::USD, Ok(4999)),
            (dec!(49.9), Currency::USD, Ok(4990)),
            (dec!(7), Currency::KWD, Ok(7000)),
            (dec!(-1.10), Currency::EUR, Ok(-110)),
            (dec!(500.000), Currency::JPY, Ok(500)),
        ] {
            assert_eq!(Money::new(amount, currency).to_minor_i128(), expected);
        }
        for (amount, currency) in
            [(dec!(0.5), Currency::JPY), (dec!(0.001), Currency::USD), (dec!(1.0001), Currency::KWD)]
        {
            assert!(matches!(Money::new(amount, currency).to_minor_i128(), Err(MoneyError::NotAtMinorUnit { .. })));
        }
    }

    #[test]
    fn minor_units_fail_loudly() {
        assert_eq!(
            usd(dec!(0.001)).to_minor(),
            Err(MoneyError::NotAtMinorUnit { amount: dec!(0.001), currency: Currency::USD })
        );
        assert!(matches!(Money::new(dec!(0.5), Currency::JPY).to_minor(), Err(MoneyError::NotAtMinorUnit { .. })));
        assert_eq!(usd(Decimal::MAX).to_minor(), Err(MoneyError::Overflow));
        assert_eq!(usd(dec!(92233720368547758.08)).to_minor(), Err(MoneyError::Overflow));
        assert_eq!(usd(dec!(92233720368547758.07)).to_minor(), Ok(i64::MAX));
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(usd(dec!(1.10)).checked_add(usd(dec!(2.205))), Ok(usd(dec!(3.305))));
        assert_eq!(usd(dec!(1)).checked_sub(usd(dec!(2.5))), Ok(usd(dec!(-1.5))));
        assert_eq!(
            usd(dec!(1)).checked_add(Money::zero(Currency::GBP)),
            Err(MoneyError::CurrencyMismatch { left: Currency::USD, right: Currency::GBP })
        );
        assert_eq!(usd(Decimal::MAX).checked_add(usd(dec!(1))), Err(MoneyError::Overflow));
        assert_eq!(usd(Decimal::MAX).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(usd(dec!(1.08)).checked_mul(3), Ok(usd(dec!(3.24))));
    }

    #[test]
    fn rounding_goes_to_the_minor_unit() {
        let m = |mode| Money::new(dec!(2.5), Currency::JPY).round(mode).amount();
        assert_eq!(m(RoundingMode::HalfEven), dec!(2));
        assert_eq!(m(RoundingMode::HalfUp), dec!(3));
        assert_eq!(Money::new(dec!(0.0005), Currency::KWD).round(RoundingMode::HalfUp).amount(), dec!(0.001));
        assert_eq!(usd(dec!(-0.125)).round(RoundingMode::HalfUp).amount(), dec!(-0.13));
        assert_eq!(usd(dec!(-0.129)).round(RoundingMode::Down).amount(), dec!(-0.12));
    }

    #[test]
    fn display_and_parse() {
        assert_eq!(usd(dec!(49.9)).to_string(), "49.90 USD");
        assert_eq!(Money::from_minor(500, Currency::JPY).to_string(), "500 JPY");
        assert_eq!("1.250 KWD".parse::<Money>(), Ok(Money::new(dec!(1.25), Currency::KWD)));
        assert!("1.2.3 USD".parse::<Money>().is_err());
        assert!("12".parse::<Money>().is_err());
    }

    #[test]
    fn serde_uses_decimal_strings_at_the_minor_unit() {
        let json = serde_json::to_string(&usd(dec!(49.9))).unwrap();
        assert_eq!(json, r#"{"amount":"49.90","currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, usd(dec!(49.90)));
        // Floats, sub-minor amounts and unknown currencies are refused.
        assert!(serde_json::from_str::<Money>(r#"{"amount":49.9,"currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"49.999","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.5","currency":"JPY"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"ZZZ"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1e3","currency":"USD"}"#).is_err());
    }
}
