//! Typed, prefixed identifiers (`prod_…`, `cart_…`): opaque strings that cannot be mixed up with each other, and
//! the port that makes new ones.

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
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(std::sync::Arc<str>);

        impl $name {
            /// Parses an id, checking its prefix and its body (1 to 64 ASCII letters or digits).
            pub fn parse(value: &str) -> Result<Self, IdError> {
                let valid = value
                    .strip_prefix($prefix)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|body| {
                        (1..=64).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                if valid {
                    Ok($name(value.into()))
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

        impl GeneratedId for $name {
            const PREFIX: &'static str = $prefix;

            fn from_generated(value: String) -> Self {
                debug_assert!($name::parse(&value).is_ok(), "generated id {value}");
                $name(value.into())
            }
        }
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
id_type!(
    /// Identifies a cart (`cart_…`); a capability for guest carts, so generated ids carry 100 random bits.
    CartId, "cart", "cart"
);
id_type!(
    /// Identifies a line of a cart (`line_…`).
    CartLineId, "cart line", "line"
);
id_type!(
    /// Identifies an order (`ord_…`).
    OrderId, "order", "ord"
);
id_type!(
    /// Identifies a review (`rev_…`).
    ReviewId, "review", "rev"
);
id_type!(
    /// Identifies an outbox message (`msg_…`).
    MessageId, "message", "msg"
);
id_type!(
    /// Identifies a refund of an order (`refund_…`), made before the provider is asked, so that its idempotency
    /// key at the provider is its own.
    RefundId, "refund", "refund"
);

id_type!(
    /// Identifies a domain event (`evt_…`): the id subscribers and webhook receivers deduplicate on.
    EventId, "event", "evt"
);
id_type!(
    /// Identifies an outgoing webhook endpoint (`whe_…`).
    WebhookEndpointId, "webhook endpoint", "whe"
);

/// A payment's id at its provider: `pay_…` from the test provider, `pi_…` (a PaymentIntent) from Stripe. Opaque:
/// 1 to 255 ASCII letters, digits, `_` or `-`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct PaymentId(String);

impl PaymentId {
    /// Parses a provider's payment id.
    pub fn parse(value: &str) -> Result<PaymentId, IdError> {
        let valid = (1..=255).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(PaymentId(value.to_owned()))
        } else {
            Err(IdError { kind: "payment", prefix: "pay", value: value.to_owned() })
        }
    }
}

impl TryFrom<String> for PaymentId {
    type Error = IdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        PaymentId::parse(&value)
    }
}

impl std::str::FromStr for PaymentId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentId::parse(s)
    }
}

crate::newtype::string_newtype!(PaymentId);

impl GeneratedId for PaymentId {
    const PREFIX: &'static str = "pay";

    fn from_generated(value: String) -> Self {
        PaymentId(value)
    }
}

/// An id type that an [`IdGenerator`] can make.
pub trait GeneratedId: Sized {
    /// The prefix before the underscore.
    const PREFIX: &'static str;

    /// Wraps a value an [`IdGenerator`] made for this prefix.
    fn from_generated(value: String) -> Self;
}

/// Makes new ids and secret tokens: random in production, a counter in tests (so they are deterministic).
pub trait IdGenerator: Send + Sync {
    /// A new id body: ASCII letters and digits, 1 to 64 of them, unique.
    fn next_body(&self) -> String;

    /// A new secret token (for order access, password resets): at least 128 random bits in production.
    fn secret_token(&self) -> String;
}

/// Helpers over any [`IdGenerator`].
pub trait IdGeneratorExt: IdGenerator {
    /// A new id of type `T`: `prefix_body`.
    fn new_id<T: GeneratedId>(&self) -> T {
        T::from_generated(format!("{}_{}", T::PREFIX, self.next_body()))
    }
}

impl<G: IdGenerator + ?Sized> IdGeneratorExt for G {}

/// Ids and tokens from the operating system's random source: 100-bit ids, 160-bit tokens, in lower-case base32.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

fn random_base32(symbols: usize) -> String {
    let mut bytes = vec![0_u8; symbols];
    // The OS random source failing is not something a shop can recover from; ids must never repeat.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|b| char::from(BASE32[usize::from(b & 31)])).collect()
}

impl IdGenerator for RandomIds {
    fn next_body(&self) -> String {
        random_base32(20)
    }

    fn secret_token(&self) -> String {
        random_base32(32)
    }
}

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
    fn random_ids_are_valid_and_distinct() {
        let a: OrderId = RandomIds.new_id();
        let b: OrderId = RandomIds.new_id();
        assert_ne!(a, b);
        assert_eq!(OrderId::parse(a.as_str()), Ok(a.clone()));
        assert_eq!(a.as_str().len(), "ord_".len() + 20);
        assert_eq!(RandomIds.secret_token().len(), 32);
    }

    #[test]
    fn serde_validates() {
        let id: CustomerId = serde_json::from_str(r#""cus_42""#).unwrap();
        assert_eq!(id.as_str(), "cus_42");
        assert!(serde_json::from_str::<CustomerId>(r#""prod_42""#).is_err());
    }
}
