//! Rounding modes, and exact rounded division of integers: the only place where nite loses precision on purpose.

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};

/// How an amount that falls between two minor units is rounded.
///
/// The store picks one mode; nite applies it at the named rounding points only (a line's discounted price, a
/// percentage discount, a line's or a unit's tax).
///
/// ```
/// use nite_core::{Currency, Money, RoundingMode};
/// use rust_decimal_macros::dec;
///
/// let m = Money::new(dec!(0.125), Currency::USD);
/// assert_eq!(m.round(RoundingMode::HalfEven).amount(), dec!(0.12));
/// assert_eq!(m.round(RoundingMode::HalfUp).amount(), dec!(0.13));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties go to the even neighbour (banker's rounding): 0.125 → 0.12, 0.135 → 0.14.
    #[default]
    HalfEven,
    /// Ties go away from zero: 0.125 → 0.13.
    HalfUp,
    /// Ties go toward zero: 0.125 → 0.12, 0.126 → 0.13.
    HalfDown,
    /// Anything past a minor unit goes away from zero: 0.121 → 0.13.
    Up,
    /// Anything past a minor unit is dropped: 0.129 → 0.12.
    Down,
}

impl RoundingMode {
    /// The equivalent `rust_decimal` strategy.
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
        }
    }

    /// `numerator / denominator` rounded to an integer with this mode, for a non-negative numerator and a positive
    /// denominator.
    ///
    /// This is the pricing engine's rounding point: amounts there are integers of minor units and rates are exact
    /// fractions, so the only inexact step is this one.
    pub(crate) fn div(self, numerator: i128, denominator: i128) -> i128 {
        debug_assert!(numerator >= 0 && denominator > 0);
        let (quotient, remainder) = div_rem(numerator, denominator);
        if remainder == 0 {
            return quotient;
        }
        // Compare 2·remainder with the denominator without overflowing: remainder < denominator.
        let twice = remainder.saturating_mul(2);
        let round_up = match self {
            RoundingMode::Down => false,
            RoundingMode::Up => true,
            RoundingMode::HalfUp => twice >= denominator,
            RoundingMode::HalfDown => twice > denominator,
            RoundingMode::HalfEven => twice > denominator || (twice == denominator && quotient % 2 == 1),
        };
        quotient + i128::from(round_up)
    }
}

/// `(n / d, n % d)` for `n ≥ 0` and `d > 0`. Pricing's amounts are `i128` so that no intermediate product can
/// overflow, but nearly all of them fit in 64 bits, where one hardware division gives both (an `i128` division is a
/// call into the compiler's runtime, several times slower): that case takes the fast path.
#[inline]
pub(crate) fn div_rem(n: i128, d: i128) -> (i128, i128) {
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) if d > 0 => (i128::from(n / d), i128::from(n % d)),
        _ => (n / d, n % d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn div_rem_agrees_with_i128_on_both_paths() {
        let big = i128::from(u64::MAX) * 3 + 7;
        for (n, d) in [(0, 1), (7, 2), (99, 100), (i128::from(u64::MAX), 3), (big, 5), (big, big - 1), (5, big)] {
            assert_eq!(div_rem(n, d), (n / d, n % d), "{n} / {d}");
        }
    }

    #[test]
    fn div_matches_rust_decimal_for_every_mode() {
        let modes = [
            RoundingMode::HalfEven,
            RoundingMode::HalfUp,
            RoundingMode::HalfDown,
            RoundingMode::Up,
            RoundingMode::Down,
        ];
        for mode in modes {
            for denominator in 1..=12_i128 {
                for numerator in 0..=60_i128 {
                    let exact =
                        Decimal::from_i128_with_scale(numerator, 0) / Decimal::from_i128_with_scale(denominator, 0);
                    let expected = exact.round_dp_with_strategy(0, mode.strategy());
                    assert_eq!(
                        Decimal::from_i128_with_scale(mode.div(numerator, denominator), 0),
                        expected,
                        "{numerator}/{denominator} with {mode:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ties() {
        // 5/2 = 2.5 and 7/2 = 3.5 are the ties where the modes part ways.
        let cases = [
            (RoundingMode::HalfEven, 2, 4),
            (RoundingMode::HalfUp, 3, 4),
            (RoundingMode::HalfDown, 2, 3),
            (RoundingMode::Up, 3, 4),
            (RoundingMode::Down, 2, 3),
        ];
        for (mode, five_halves, seven_halves) in cases {
            assert_eq!(mode.div(5, 2), five_halves, "{mode:?}");
            assert_eq!(mode.div(7, 2), seven_halves, "{mode:?}");
        }
    }
}
