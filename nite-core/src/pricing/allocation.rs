//! Largest-remainder allocation: splitting an amount over weights so that the shares add up to it exactly.

use crate::{Money, MoneyError};

/// Splits `amount` minor units over `weights` in proportion, by largest remainder, calling `give(index, units)`
/// (possibly twice for one index: its floor share, then one more unit).
///
/// Each index first gets `floor(amount × weight / Σ weights)`; the units left over (fewer than the number of weights)
/// go one each to the largest remainders, ties to the lowest index. Requires `0 ≤ amount ≤ Σ weights` and
/// non-negative weights, so no share exceeds its weight.
pub(crate) fn largest_remainder(
    amount: i128,
    weights: impl Iterator<Item = i128> + Clone,
    scratch: &mut Vec<u128>,
    mut give: impl FnMut(usize, i128),
) {
    let total: i128 = weights.clone().sum();
    debug_assert!(0 <= amount && amount <= total && total < 1 << 96);
    if amount == 0 || total == 0 {
        return;
    }
    scratch.clear();
    let mut given = 0;
    for (index, weight) in weights.enumerate() {
        if weight == 0 {
            continue;
        }
        let (share, remainder) = crate::rounding::div_rem(amount * weight, total);
        if share > 0 {
            give(index, share);
        }
        given += share;
        if remainder > 0 {
            scratch.push(rank(remainder, index));
        }
    }
    let leftover = usize::try_from(amount - given).unwrap_or(0);
    if leftover == 0 {
        return;
    }
    // Σ remainders = leftover × total and each remainder < total, so at least `leftover + 1` are non-zero.
    if leftover < scratch.len() {
        scratch.select_nth_unstable_by(leftover - 1, |a, b| b.cmp(a));
    }
    for &key in scratch.iter().take(leftover) {
        give(index_of(key), 1);
    }
}

/// A remainder and its index packed so that one integer comparison orders them: larger remainders first, then
/// lower indices. A remainder is below the total (under 2^96, see the callers) and an index below 2^32 (carts are
/// far smaller), so both fit.
fn rank(remainder: i128, index: usize) -> u128 {
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    (remainder.unsigned_abs() << 32) | u128::from(u32::MAX - index)
}

/// The index [`rank`] packed.
fn index_of(key: u128) -> usize {
    // The low 32 bits hold `u32::MAX - index`; the truncation takes exactly them.
    #[allow(clippy::cast_possible_truncation, reason = "the low 32 bits are the index")]
    let low = key as u32;
    (u32::MAX - low) as usize
}

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
    largest_remainder(units, minor.iter().copied(), &mut Vec::new(), |i, u| shares[i] += u);
    shares.into_iter().map(|s| Money::from_minor_i128(s, currency)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(amount: i128, weights: &[i128]) -> Vec<i128> {
        let mut shares = vec![0; weights.len()];
        largest_remainder(amount, weights.iter().copied(), &mut Vec::new(), |i, u| shares[i] += u);
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
        fn shares_add_up_and_stay_within_one_unit(
            weights in prop::collection::vec(0_i128..1_000_000, 1..60),
            pick in any::<u64>(),
        ) {
            let total: i128 = weights.iter().sum();
            let amount = i128::from(pick) % (total + 1);
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
