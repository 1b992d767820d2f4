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

macro_rules! label_type {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Cow<'static, str>);

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
    fn serde_validates() {
        assert_eq!(serde_json::from_str::<Category>(r#""complete""#).unwrap(), Category::COMPLETE);
        assert!(serde_json::from_str::<Category>(r#""COMPLETE""#).is_err());
    }
}
