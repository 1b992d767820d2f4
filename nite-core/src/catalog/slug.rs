//! URL slugs: how a product is named in a storefront address.

use serde::Deserialize;

/// A slug that is not lower-case words of `a-z0-9` joined by single hyphens, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid slug (lower-case letters and digits joined by single hyphens)")]
pub struct SlugError(pub String);

/// A URL slug such as `nite-putter-pro`.
///
/// ```
/// use nite_core::catalog::Slug;
///
/// assert!(Slug::new("nite-putter-pro").is_ok());
/// assert!(Slug::new("Nite Putter").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Slug(String);

impl Slug {
    /// Parses a slug.
    pub fn new(value: &str) -> Result<Slug, SlugError> {
        Slug::try_from(value.to_owned())
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let valid = (1..=100).contains(&value.len())
            && value
                .split('-')
                .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if valid { Ok(Slug(value)) } else { Err(SlugError(value)) }
    }
}

crate::newtype::string_newtype!(Slug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked() {
        for good in ["a", "nite-putter-pro", "v2"] {
            assert!(Slug::new(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a_b", &"a".repeat(101)] {
            assert!(Slug::new(bad).is_err(), "{bad}");
        }
    }
}
