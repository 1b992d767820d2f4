//! Discount codes as customers type them, normalized so that `welcome10` and `WELCOME10` are one code.

use serde::Deserialize;

/// A code that is not 1 to 64 ASCII letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid discount code (1 to 64 letters, digits, `-` or `_`)")]
pub struct DiscountCodeError(pub String);

/// A discount code, stored upper case; surrounding white space is ignored.
///
/// ```
/// use nite_core::promotion::DiscountCode;
///
/// assert_eq!(DiscountCode::new(" nite10 ")?, DiscountCode::new("NITE10")?);
/// assert!(DiscountCode::new("NITE 10").is_err());
/// # Ok::<(), nite_core::promotion::DiscountCodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct DiscountCode(std::sync::Arc<str>);

impl DiscountCode {
    /// Parses and normalizes a code.
    pub fn new(value: &str) -> Result<DiscountCode, DiscountCodeError> {
        let trimmed = value.trim();
        let valid = (1..=64).contains(&trimmed.len())
            && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(DiscountCode(trimmed.to_ascii_uppercase().into()))
        } else {
            Err(DiscountCodeError(value.to_owned()))
        }
    }
}

impl TryFrom<String> for DiscountCode {
    type Error = DiscountCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        DiscountCode::new(&value)
    }
}

crate::newtype::string_newtype!(DiscountCode);
