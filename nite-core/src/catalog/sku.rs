//! Stock-keeping units: the code that names one sellable variant.

use serde::Deserialize;

/// A SKU that is not 1 to 64 characters of ASCII letters, digits, `-`, `_` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid SKU (1 to 64 ASCII letters, digits, `-`, `_` or `.`)")]
pub struct SkuError(pub String);

/// A stock-keeping unit such as `NP-PRO-GRN`; compared exactly, case included.
///
/// ```
/// use nite_core::catalog::Sku;
///
/// assert!(Sku::new("NP-PRO-GRN").is_ok());
/// assert!(Sku::new("NP PRO").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Sku(String);

impl Sku {
    /// Parses a SKU.
    pub fn new(value: &str) -> Result<Sku, SkuError> {
        Sku::try_from(value.to_owned())
    }
}

impl TryFrom<String> for Sku {
    type Error = SkuError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let valid = (1..=64).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if valid { Ok(Sku(value)) } else { Err(SkuError(value)) }
    }
}

crate::newtype::string_newtype!(Sku);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked() {
        for good in ["A", "NP-PRO-GRN", "np_basic.2", &"X".repeat(64)] {
            assert!(Sku::new(good).is_ok(), "{good}");
        }
        for bad in ["", "NP PRO", "NP/PRO", "ÄBC", &"X".repeat(65)] {
            assert!(Sku::new(bad).is_err(), "{bad}");
        }
    }
}
