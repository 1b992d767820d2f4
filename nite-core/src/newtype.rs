//! The impls every validated string type shares (ids, labels, SKUs, slugs, codes), written once.

/// Implements `as_str`, `Display` (honouring width and alignment), `Debug` (the bare string), `AsRef<str>` and
/// `From<$name> for String` for a tuple struct over a string (`String`, `Arc<str>` or `Cow<'static, str>`), and
/// `Serialize` as the bare string, written from the value in place (serde's `into = "String"` would copy it into a new
/// `String` first, for every id, SKU and slug of every answer); with the `openapi` feature, its schema: a string.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The value as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                String::from(&*value.0)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::openapi::string(stringify!($name))
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

pub(crate) use string_newtype;
