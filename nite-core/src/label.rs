//! Short lower-case names the store defines itself: product categories, tax categories, customer groups.

use std::borrow::Cow;

/// A label that is not 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind} (expected 1 to 64 characters of a-z, 0-9, `-` or `_`)")]
pub struct LabelError {
    /// Which kind of label was expected.
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
}

fn is_label(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether two labels are the same bytes, without a call to `memcmp` for the short ones.
///
/// Labels are a few bytes long and compared on hot paths: a promotion's target against every cart line, a line's tax
/// category against the rates. Up to 16 bytes, two fixed-size loads from each end (overlapping when shorter) cover
/// every byte, so two labels of the same length are equal exactly when both loads are.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=8 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        9..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

/// The `N` bytes of `s` from `at` (which the caller keeps in bounds).
#[inline]
fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
    let mut bytes = [0; N];
    bytes.copy_from_slice(&s[at..at + N]);
    bytes
}

macro_rules! label_type {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialOrd, Ord, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(Cow<'static, str>);

        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                same(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl $name {
            /// Parses a label: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
            pub fn new(value: &str) -> Result<Self, LabelError> {
                if is_label(value) {
                    Ok($name(Cow::Owned(value.to_owned())))
                } else {
                    Err(LabelError { kind: $kind, value: value.to_owned() })
                }
            }

            /// A label known at compile time; the caller vouches for its shape (the constants' tests check it).
            #[allow(dead_code, reason = "not every label type has constants")]
            pub(crate) const fn from_static(value: &'static str) -> Self {
                $name(Cow::Borrowed(value))
            }
        }

        impl TryFrom<String> for $name {
            type Error = LabelError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                if is_label(&value) {
                    Ok($name(Cow::Owned(value)))
                } else {
                    Err(LabelError { kind: $kind, value })
                }
            }
        }

        crate::newtype::string_newtype!($name);
    };
}

label_type!(
    /// A product category, such as NitePutter's `basic`, `pro` and `complete`.
    Category, "category"
);
label_type!(
    /// Which tax rules apply to a product or to shipping, e.g. `standard` or `reduced`.
    TaxCategory, "tax category"
);
label_type!(
    /// A group of customers that promotions can target, e.g. `wholesale` or `club-members`.
    CustomerGroup, "customer group"
);

impl Category {
    /// NitePutter's entry tier.
    pub const BASIC: Category = Category::from_static("basic");
    /// NitePutter's middle tier.
    pub const PRO: Category = Category::from_static("pro");
    /// NitePutter's complete system.
    pub const COMPLETE: Category = Category::from_static("complete");
}

impl TaxCategory {
    /// The standard rate, the default for goods.
    pub const STANDARD: TaxCategory = TaxCategory::from_static("standard");
    /// Shipping charges.
    pub const SHIPPING: TaxCategory = TaxCategory::from_static("shipping");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked() {
        assert_eq!(Category::new("pro"), Ok(Category::PRO));
        assert!(Category::new("Pro").is_err());
        assert!(TaxCategory::new("").is_err());
        assert!(CustomerGroup::new("club members").is_err());
        assert!(CustomerGroup::new(&"x".repeat(65)).is_err());
        for known in [Category::BASIC, Category::PRO, Category::COMPLETE] {
            assert!(is_label(known.as_str()));
        }
        for known in [TaxCategory::STANDARD, TaxCategory::SHIPPING] {
            assert!(is_label(known.as_str()));
        }
    }

    #[test]
    fn equality_is_byte_equality_at_every_length() {
        use std::hash::BuildHasher;
        let hashes = std::collections::hash_map::RandomState::new();
        // Every length from 1 to 20, each against itself owned, and against a change at each position.
        for n in 1..=20 {
            let label: String = (0..n).map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap())).collect();
            let x = Category::new(&label).unwrap();
            let y = Category::new(&label.clone()).unwrap();
            assert_eq!(x, y);
            assert_eq!(hashes.hash_one(&x), hashes.hash_one(&y));
            for at in 0..n {
                let mut other = label.clone().into_bytes();
                other[at] = b'9';
                let z = Category::new(std::str::from_utf8(&other).unwrap()).unwrap();
                assert_ne!(x, z, "{label} against a change at {at}");
            }
            assert_ne!(x, Category::new(&format!("{label}x")).unwrap());
        }
        assert_eq!(Category::PRO, Category::new("pro").unwrap());
        assert_eq!(hashes.hash_one(Category::PRO), hashes.hash_one(Category::new("pro").unwrap()));
    }

    #[test]
    fn serde_validates() {
        assert_eq!(serde_json::from_str::<Category>(r#""complete""#).unwrap(), Category::COMPLETE);
        assert!(serde_json::from_str::<Category>(r#""COMPLETE""#).is_err());
    }
}
