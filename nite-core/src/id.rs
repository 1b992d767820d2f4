//! Typed, prefixed identifiers (`prod_…`, `cart_…`): opaque strings that cannot be mixed up with each other.

/// An identifier that does not have the shape its type requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind} id (expected `{prefix}_` followed by 1 to 64 letters or digits)")]
pub struct IdError {
    /// The type of id that was expected, e.g. `product`.
    pub kind: &'static str,
    /// The prefix that was expected, e.g. `prod`.
    pub prefix: &'static str,
    /// The rejected input.
    pub value: String,
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this type starts with, before the underscore.
            pub const PREFIX: &'static str = $prefix;

            /// Parses an id, checking its prefix and its body (1 to 64 ASCII letters or digits).
            pub fn parse(value: &str) -> Result<Self, IdError> {
                let valid = value
                    .strip_prefix($prefix)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|body| {
                        (1..=64).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                if valid {
                    Ok($name(value.to_owned()))
                } else {
                    Err(IdError { kind: $kind, prefix: $prefix, value: value.to_owned() })
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        crate::newtype::string_newtype!($name);
    };
}

id_type!(
    /// Identifies a product (`prod_…`).
    ProductId, "product", "prod"
);
id_type!(
    /// Identifies a product variant (`var_…`).
    VariantId, "variant", "var"
);
id_type!(
    /// Identifies a promotion (`promo_…`).
    PromotionId, "promotion", "promo"
);
id_type!(
    /// Identifies a customer (`cus_…`).
    CustomerId, "customer", "cus"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_check_prefix_and_body() {
        assert_eq!(ProductId::parse("prod_basic").map(|id| id.to_string()), Ok("prod_basic".to_owned()));
        for bad in ["prod_", "prod-basic", "var_basic", "prod_bas ic", "PROD_basic", ""] {
            assert!(ProductId::parse(bad).is_err(), "{bad}");
        }
        let long = format!("promo_{}", "a".repeat(65));
        assert!(PromotionId::parse(&long).is_err());
    }

    #[test]
    fn serde_validates() {
        let id: CustomerId = serde_json::from_str(r#""cus_42""#).unwrap();
        assert_eq!(id.as_str(), "cus_42");
        assert!(serde_json::from_str::<CustomerId>(r#""prod_42""#).is_err());
    }
}
