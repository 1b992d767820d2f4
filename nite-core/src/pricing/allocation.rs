//! Largest-remainder allocation: splitting an amount over weights so that the shares add up to it exactly.

use crate::{Money, MoneyError};

/// Splits `amount` minor units over `weights` in proportion, by largest remainder, calling `give(index, units)`
/// (possibly twice for one index: its floor share, then one more unit).
///
/// Each index first gets `floor(amount × weight / Σ weights)`; the units left over (fewer than the number of weights)
/// go one each to the largest remainders, ties to the lowest index. Requires `0 ≤ amount ≤ Σ weights` and
/// non-negative weights, so no share exceeds its weight.
///
/// When Σ weights fits in 32 bits (a cart under about 42 million of its major unit), every product and every packed
/// remainder fits in 64 bits, and the split runs in `u64`: one hardware division a weight, and 64-bit keys to select
/// from. Larger sums run the same steps in `u128`.
pub(crate) fn largest_remainder(
    amount: i128,
    weights: impl Iterator<Item = i128> + Clone,
    scratch: &mut Scratch,
    give: impl FnMut(usize, i128),
) {
    let total: i128 = weights.clone().sum();
    debug_assert!(0 <= amount && amount <= total && total < 1 << 96);
    if amount == 0 || total == 0 {
        return;
    }
    match u32::try_from(total) {
        // amount ≤ total, and every weight ≤ total: both fit in 32 bits, so products fit in 64.
        Ok(_) => split::<u64>(amount, total, weights, &mut scratch.narrow, give),
        Err(_) => split::<u128>(amount, total, weights, &mut scratch.wide, give),
    }
}

/// The packed remainders [`largest_remainder`] selects from, kept between calls.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    narrow: Vec<u64>,
    wide: Vec<u128>,
}

impl Scratch {
    /// Empties both, keeping their capacity.
    pub(crate) fn clear(&mut self) {
        self.narrow.clear();
        self.wide.clear();
    }
}

/// The steps of [`largest_remainder`] in the unsigned integer `K`, which must hold `amount × weight` and a remainder
/// below `total` shifted left by 32 bits.
fn split<K: Key>(
    amount: i128,
    total: i128,
    weights: impl Iterator<Item = i128>,
    keys: &mut Vec<K>,
    mut give: impl FnMut(usize, i128),
) {
    let (amount_k, total_k) = (K::of(amount), K::of(total));
    keys.clear();
    keys.reserve(weights.size_hint().0);
    let mut given = 0;
    for (index, weight) in weights.enumerate() {
        if weight == 0 {
            continue;
        }
        let product = amount_k * K::of(weight);
        let (share, remainder) = (product / total_k, product % total_k);
        let share = share.wide();
        if share > 0 {
            give(index, share);
        }
        given += share;
        if remainder != K::ZERO {
            keys.push(K::rank(remainder, index));
        }
    }
    let leftover = usize::try_from(amount - given).unwrap_or(0);
    if leftover == 0 {
        return;
    }
    // Σ remainders = leftover × total and each remainder < total, so at least `leftover + 1` are non-zero.
    if leftover < keys.len() {
        keys.select_nth_unstable_by(leftover - 1, |a, b| b.cmp(a));
    }
    for &key in keys.iter().take(leftover) {
        give(key.index(), 1);
    }
}

/// An unsigned integer [`split`] computes in: `u64` or `u128`.
trait Key: Copy + Ord + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self> + std::ops::Rem<Output = Self> {
    const ZERO: Self;
    /// A non-negative amount that fits (the caller checked).
    fn of(value: i128) -> Self;
    /// Back to the engine's integers.
    fn wide(self) -> i128;
    /// A remainder and its index packed so that one integer comparison orders them: larger remainders first, then
    /// lower indices. The remainder is below the total, so it fits above the index's 32 bits (carts are far below
    /// 2^32 lines).
    fn rank(remainder: Self, index: usize) -> Self;
    /// The index [`Key::rank`] packed.
    fn index(self) -> usize;
}

/// [`Key`] for `u64` and `u128`, whose steps are the same.
macro_rules! key {
    ($t:ty) => {
        impl Key for $t {
            const ZERO: Self = 0;
            fn of(value: i128) -> Self {
                <$t>::try_from(value).unwrap_or(<$t>::MAX)
            }
            fn wide(self) -> i128 {
                i128::try_from(self).unwrap_or(i128::MAX)
            }
            fn rank(remainder: Self, index: usize) -> Self {
                (remainder << 32) | <$t>::from(u32::MAX - u32::try_from(index).unwrap_or(u32::MAX))
            }
            fn index(self) -> usize {
                // The low 32 bits hold `u32::MAX - index`; the truncation takes exactly them.
                #[allow(clippy::cast_possible_truncation, reason = "the low 32 bits are the index")]
                let low = self as u32;
                (u32::MAX - low) as usize
            }
        }
    };
}

key!(u64);
key!(u128);

/// Splits `amount` over `weights` in proportion, so that the shares add up to `amount` exactly.
///
/// Shares are whole minor units: each gets its floor, and the units left over go to the largest remainders, ties to
/// the earliest weight. This is how an order-level discount (or a partial refund) is spread over lines.
///
/// Fails if the currencies differ, an amount is finer than its minor unit, a weight is negative, or `amount` is
/// negative or larger than the sum of the weights.
///
/// ```
/// use nite_core::pricing::allocate;
/// use nite_core::{Currency, Money};
/// use rust_decimal_macros::dec;
///
/// let usd = |a| Money::new(a, Currency::USD);
/// let shares = allocate(usd(dec!(0.10)), &[usd(dec!(1)), usd(dec!(1)), usd(dec!(1))])?;
/// assert_eq!(shares, vec![usd(dec!(0.04)), usd(dec!(0.03)), usd(dec!(0.03))]);
/// # Ok::<(), nite_core::MoneyError>(())
/// ```
pub fn allocate(amount: Money, weights: &[Money]) -> Result<Vec<Money>, MoneyError> {
    let currency = amount.currency();
    let units = amount.to_minor_i128()?;
    if u32::try_from(weights.len()).is_err() {
        return Err(MoneyError::Overflow);
    }
    let mut minor = Vec::with_capacity(weights.len());
    for weight in weights {
        if weight.currency() != currency {
            return Err(MoneyError::CurrencyMismatch { left: currency, right: weight.currency() });
        }
        let w = weight.to_minor_i128()?;
        if w < 0 || w > i128::from(i64::MAX) {
            return Err(MoneyError::Overflow);
        }
        minor.push(w);
    }
    let total: i128 = minor.iter().sum();
    if units < 0 || units > total || units > i128::from(i64::MAX) {
        return Err(MoneyError::Overflow);
    }
    let mut shares = vec![0_i128; weights.len()];
    largest_remainder(units, minor.iter().copied(), &mut Scratch::default(), |i, u| shares[i] += u);
    shares.into_iter().map(|s| Money::from_minor_i128(s, currency)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(amount: i128, weights: &[i128]) -> Vec<i128> {
        let mut shares = vec![0; weights.len()];
        largest_remainder(amount, weights.iter().copied(), &mut Scratch::default(), |i, u| shares[i] += u);
        shares
    }

    #[test]
    fn examples() {
        assert_eq!(split(10, &[100, 100, 100]), [4, 3, 3]);
        assert_eq!(split(1, &[1, 1, 1]), [1, 0, 0]);
        assert_eq!(split(2, &[1, 1, 1]), [1, 1, 0]);
        // 7 over 1:2:4 is exact.
        assert_eq!(split(7, &[1, 2, 4]), [1, 2, 4]);
        // 5 × 10/13 = 3.85, 5 × 3/13 = 1.15: the larger remainder wins the leftover unit.
        assert_eq!(split(5, &[10, 3]), [4, 1]);
        assert_eq!(split(3, &[0, 5, 0, 5]), [0, 2, 0, 1]);
        assert_eq!(split(0, &[3, 4]), [0, 0]);
    }

    proptest! {
        #[test]
        fn both_widths_split_alike(
            weights in prop::collection::vec(0_i128..100_000, 1..60),
            pick in any::<u64>(),
        ) {
            let total: i128 = weights.iter().sum();
            let amount = i128::from(pick) % (total + 1);
            let (mut narrow, mut wide) = (vec![0; weights.len()], vec![0; weights.len()]);
            if total > 0 {
                super::split::<u64>(amount, total, weights.iter().copied(), &mut Vec::new(), |i, u| narrow[i] += u);
                super::split::<u128>(amount, total, weights.iter().copied(), &mut Vec::new(), |i, u| wide[i] += u);
            }
            prop_assert_eq!(narrow, wide);
        }

        #[test]
        fn shares_add_up_and_stay_within_one_unit(
            weights in prop::collection::vec(0_i128..1_000_000_000_000_000, 1..60),
            small in any::<bool>(),
            pick in any::<u128>(),
        ) {
            // Small weights split in u64, sums past 2^32 in u128: the same guarantees hold on both paths.
            let weights: Vec<i128> = weights.into_iter().map(|w| if small { w % 1_000_000 } else { w }).collect();
            let total: i128 = weights.iter().sum();
            let amount = i128::try_from(pick % (total.unsigned_abs() + 1)).unwrap_or(0);
            let shares = split(amount, &weights);
            prop_assert_eq!(shares.iter().sum::<i128>(), amount);
            for (share, weight) in shares.iter().zip(&weights) {
                prop_assert!(*share <= *weight);
                if total > 0 {
                    // |share − exact| < 1, i.e. |share·total − amount·weight| < total.
                    prop_assert!((share * total - amount * weight).abs() < total);
                }
            }
        }
    }
}
