//! The impls every validated string type shares (ids, labels, SKUs, slugs, codes), written once.

/// Implements `as_str`, `Display` (honouring width and alignment), `Debug` (the bare string), `AsRef<str>` and
/// `From<$name> for String` for a tuple struct over a string (`String` or `Cow<'static, str>`).
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

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0.into()
            }
        }
    };
}

pub(crate) use string_newtype;
