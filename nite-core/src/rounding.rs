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
    #[inline]
    pub(crate) fn div(self, numerator: i128, denominator: i128) -> i128 {
        debug_assert!(numerator >= 0 && denominator > 0);
        // Nearly every amount fits in 64 bits, where one hardware division gives quotient and remainder and every
        // step after it is one instruction (an `i128` division is a call into the compiler's runtime).
        match (u64::try_from(numerator), u64::try_from(denominator)) {
            (Ok(n), Ok(d)) if d > 0 => i128::from(self.round(n / d, n % d, d)),
            _ => self.div_wide(numerator, denominator),
        }
    }

    /// [`RoundingMode::div`] past 64 bits: kept out of line so that the common path inlines small.
    #[inline(never)]
    fn div_wide(self, numerator: i128, denominator: i128) -> i128 {
        self.round(numerator / denominator, numerator % denominator, denominator)
    }

    /// `quotient` rounded up or not by this mode, given the remainder of a division by `denominator`
    /// (`0 ≤ remainder < denominator`).
    #[inline]
    fn round<T: Rounded>(self, quotient: T, remainder: T, denominator: T) -> T {
        if remainder == T::ZERO {
            return quotient;
        }
        // 2·remainder against the denominator, without overflowing: remainder against what is left up to it.
        let rest = denominator - remainder;
        let round_up = match self {
            RoundingMode::Down => false,
            RoundingMode::Up => true,
            RoundingMode::HalfUp => remainder >= rest,
            RoundingMode::HalfDown => remainder > rest,
            RoundingMode::HalfEven => remainder > rest || (remainder == rest && quotient.is_odd()),
        };
        if round_up { quotient + T::ONE } else { quotient }
    }
}

/// The integers [`RoundingMode::div`] rounds in: `u64` on its fast path, `i128` otherwise.
trait Rounded: Copy + Ord + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> {
    const ZERO: Self;
    const ONE: Self;
    fn is_odd(self) -> bool;
}

/// [`Rounded`] for `u64` and `i128`, whose steps are the same.
macro_rules! rounded {
    ($t:ty) => {
        impl Rounded for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            fn is_odd(self) -> bool {
                self & 1 == 1
            }
        }
    };
}

rounded!(u64);
rounded!(i128);

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    const MODES: [RoundingMode; 5] =
        [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown, RoundingMode::Up, RoundingMode::Down];

    #[test]
    fn div_rounds_alike_in_64_and_128_bits() {
        let edge = i128::from(u64::MAX);
        for mode in MODES {
            for d in [1_i128, 2, 3, 7, 10, 100, edge, edge - 1] {
                for n in [0, 1, 5, 149, 150, 151, 250, edge / 2, edge - 2, edge - 1, edge] {
                    // `div` takes the 64-bit path for these; `round` in i128 is the other path.
                    let wide = mode.round(n / d, n % d, d);
                    assert_eq!(mode.div(n, d), wide, "{n}/{d} with {mode:?}");
                }
            }
            // Past 64 bits `div` takes the i128 path: against rust_decimal, whose 96-bit mantissa holds these.
            for d in 2..=12_i128 {
                for n in [edge + 1, edge * 3 + 1, edge * 5 + 6, (1 << 90) + 12_345] {
                    let exact = Decimal::from_i128_with_scale(n, 0) / Decimal::from_i128_with_scale(d, 0);
                    let expected = exact.round_dp_with_strategy(0, mode.strategy());
                    let got = Decimal::from_i128_with_scale(mode.div(n, d), 0);
                    assert_eq!(got, expected, "{n}/{d} with {mode:?}");
                }
            }
        }
    }

    #[test]
    fn div_matches_rust_decimal_for_every_mode() {
        for mode in MODES {
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
