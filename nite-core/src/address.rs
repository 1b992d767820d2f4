//! Email and postal addresses, validated the way a shop needs them: clear errors per field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::tax::{CountryCode, Region};

/// An email address: trimmed, lower-cased, one `@`, a dotted domain, no spaces, at most 254 characters.
///
/// Two spellings of one address are one `Email`, so that they cannot open two accounts or use a promotion twice:
/// fullwidth and halfwidth forms are mapped to their ordinary characters (RFC 8265's width mapping: `ａｄａ` is
/// `ada`), the result is put in Unicode Normalization Form C (a precomposed `é` and `e` + combining accent are the
/// same letter) and lower-cased. Addresses with characters nobody can see (control characters, zero-width spaces
/// and joiners, direction marks, soft hyphens, variation selectors and Unicode's other default-ignorable code
/// points) are refused rather than cleaned, since the sender meant something they do not show. Dots and `+tags` in
/// the local part are kept: providers disagree on what they mean.
///
/// Deliberately simple otherwise: the only real check of an address is a message that arrives.
///
/// ```
/// use nite_core::Email;
///
/// assert_eq!(Email::parse(" Ada@Example.COM ")?.as_str(), "ada@example.com");
/// assert_eq!(Email::parse("jose\u{301}@example.com")?, Email::parse("jos\u{e9}@example.com")?);
/// assert_eq!(Email::parse("\u{ff41}da@example.com")?.as_str(), "ada@example.com");
/// assert!(Email::parse("ada\u{200b}@example.com").is_err());
/// assert!(Email::parse("ada@localhost").is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Email(String);

impl Email {
    /// Parses and normalizes an address; the error says what is wrong.
    pub fn parse(value: &str) -> Result<Email, String> {
        use unicode_normalization::UnicodeNormalization;
        let value = value.trim();
        if let Some(c) = value.chars().find(|c| invisible(*c)) {
            return Err(format!("contains a character that cannot be seen (U+{:04X})", u32::from(c)));
        }
        let email: String = value.chars().map(narrow).nfc().collect::<String>().to_lowercase().nfc().collect();
        if email.len() > 254 {
            return Err("is longer than 254 characters".to_owned());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("has no `@`".to_owned());
        };
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '@' | '<' | '>' | ',' | ';');
        if local.is_empty() || local.len() > 64 || local.chars().any(bad_char) {
            return Err("has an invalid part before the `@`".to_owned());
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err("has an invalid domain".to_owned());
        }
        Ok(Email(email))
    }
}

/// Whether `c` is a control character or one of Unicode's default-ignorable code points (rendered as nothing).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(u32::from(c),
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F
            | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Fullwidth and halfwidth forms as their ordinary characters (`ａ` → `a`, the ideographic space → a space).
fn narrow(c: char) -> char {
    match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

impl TryFrom<String> for Email {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value).map_err(|problem| format!("the email address {problem}"))
    }
}

crate::newtype::string_newtype!(Email);

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Recipient's name.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Apartment, suite, building.
    #[serde(default)]
    pub line2: Option<String>,
    /// City or town.
    pub city: String,
    /// State, province or county code, where the country uses one (`CA`, `ON`, `BY`).
    #[serde(default)]
    pub region: Option<String>,
    /// Postal code, in the country's shape.
    pub postal_code: String,
    /// Country.
    pub country: CountryCode,
    /// Phone number, for the carrier.
    #[serde(default)]
    pub phone: Option<String>,
}

impl Address {
    /// Every problem with this address, each named by its field under `prefix` (e.g. `shipping_address`).
    pub fn problems(&self, prefix: &str) -> Vec<FieldError> {
        let mut problems = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        let mut required = |name: &str, value: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                problems.push(FieldError::new(field(name), "is required"));
            } else if value.chars().count() > max {
                problems.push(FieldError::new(field(name), format!("is longer than {max} characters")));
            }
        };
        required("name", &self.name, 200);
        required("line1", &self.line1, 200);
        required("city", &self.city, 100);
        required("postal_code", &self.postal_code, 16);
        if let Some(line2) = &self.line2
            && line2.chars().count() > 200
        {
            problems.push(FieldError::new(field("line2"), "is longer than 200 characters"));
        }
        if !self.postal_code.trim().is_empty() && !postal_code_fits(self.country, &self.postal_code) {
            problems.push(FieldError::new(
                field("postal_code"),
                format!("`{}` is not a postal code of {}", self.postal_code.trim(), self.country),
            ));
        }
        let needs_region = matches!(self.country.as_str(), "US" | "CA" | "AU");
        match &self.region {
            Some(region) if Region::parse(&format!("{}-{}", self.country, region.trim())).is_err() => {
                problems.push(FieldError::new(field("region"), format!("`{region}` is not a subdivision code")));
            }
            None if needs_region => {
                problems.push(FieldError::new(field("region"), format!("is required in {}", self.country)));
            }
            _ => {}
        }
        problems
    }

    /// The tax region of this address: its country, narrowed to its region when it has one.
    pub fn tax_region(&self) -> Region {
        let subdivision = self.region.as_ref().map(|r| r.trim().to_ascii_uppercase()).filter(|r| !r.is_empty());
        Region { country: self.country, subdivision }
    }
}

/// Whether `code` has the shape of a postal code of `country`; countries without a known shape accept any code.
///
/// Shapes: US `12345` or `12345-6789`; CA `A1A 1A1`; GB outward `A9`, `A99`, `A9A`, `AA9`, `AA99` or `AA9A` plus
/// inward `9AA`; DE `12345`; AU `1234`. Letters are compared case-insensitively and a single inner space is optional
/// where the format has one.
pub fn postal_code_fits(country: CountryCode, code: &str) -> bool {
    let code: Vec<u8> = code.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let letter = |b: u8| b.is_ascii_uppercase();
    let digit = |b: u8| b.is_ascii_digit();
    match country.as_str() {
        "US" => match code.len() {
            5 => digits(&code),
            10 => digits(&code[..5]) && code[5] == b'-' && digits(&code[6..]),
            _ => false,
        },
        "DE" => code.len() == 5 && digits(&code),
        "AU" => code.len() == 4 && digits(&code),
        "CA" => {
            let compact: Vec<u8> = code.iter().copied().filter(|b| *b != b' ').collect();
            code.len() <= 7
                && compact.len() == 6
                && compact.iter().enumerate().all(|(i, &b)| if i % 2 == 0 { letter(b) } else { digit(b) })
        }
        "GB" => {
            let compact: Vec<u8> = code.iter().copied().filter(|b| *b != b' ').collect();
            if code.len() > 8 || !(5..=7).contains(&compact.len()) {
                return false;
            }
            let (outward, inward) = compact.split_at(compact.len() - 3);
            let inward_ok = digit(inward[0]) && letter(inward[1]) && letter(inward[2]);
            let outward_ok = match outward {
                [a, b] => letter(*a) && digit(*b),
                [a, b, c] => letter(*a) && (digit(*b) && (digit(*c) || letter(*c)) || letter(*b) && digit(*c)),
                [a, b, c, d] => letter(*a) && letter(*b) && digit(*c) && (digit(*d) || letter(*d)),
                _ => false,
            };
            inward_ok && outward_ok
        }
        _ => (1..=16).contains(&code.len()),
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.name, self.line1)?;
        if let Some(line2) = &self.line2 {
            write!(f, ", {line2}")?;
        }
        write!(f, ", {}", self.city)?;
        if let Some(region) = &self.region {
            write!(f, " {region}")?;
        }
        write!(f, " {}, {}", self.postal_code, self.country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_emails_are_one_address_or_refused() {
        let nfc = Email::parse("jos\u{e9}@example.com").unwrap();
        for same in ["jose\u{301}@example.com", "JOS\u{c9}@EXAMPLE.COM", "\u{ff4a}os\u{e9}@example\u{ff0e}com"] {
            assert_eq!(Email::parse(same).unwrap(), nfc, "{same:?}");
        }
        for hidden in [
            "jos\u{e9}\u{200b}@example.com",
            "a\u{200d}da@example.com",
            "ada@exa\u{ad}mple.com",
            "\u{feff}ada@example.com",
            "ada\u{202e}@example.com",
            "ada\u{7}@example.com",
            "ad\u{fe0f}a@example.com",
        ] {
            let refused = Email::parse(hidden).unwrap_err();
            assert!(refused.contains("cannot be seen"), "{hidden:?}: {refused}");
        }
        assert!(Email::parse("ada\u{3000}lovelace@example.com").is_err(), "an ideographic space is a space");
    }

    fn fits(country: &str, code: &str) -> bool {
        postal_code_fits(CountryCode::new(country).unwrap(), code)
    }

    #[test]
    fn postal_codes() {
        for (country, good) in [
            ("US", "94103"),
            ("US", "94103-1234"),
            ("CA", "K1A 0B1"),
            ("CA", "k1a0b1"),
            ("GB", "SW1A 1AA"),
            ("GB", "M1 1AE"),
            ("GB", "B33 8TH"),
            ("GB", "CR2 6XH"),
            ("GB", "DN55 1PT"),
            ("GB", "W1A 0AX"),
            ("DE", "10115"),
            ("AU", "2000"),
            ("FR", "75008"),
        ] {
            assert!(fits(country, good), "{country} {good}");
        }
        for (country, bad) in [
            ("US", "9410"),
            ("US", "94103-12"),
            ("US", "ABCDE"),
            ("CA", "123 456"),
            ("CA", "K1A  0B1"),
            ("GB", "SW1A1A"),
            ("GB", "1W1A 1AA"),
            ("DE", "1011"),
            ("AU", "20000"),
            ("FR", ""),
        ] {
            assert!(!fits(country, bad), "{country} {bad}");
        }
    }

    fn address(country: &str, region: Option<&str>, postal: &str) -> Address {
        Address {
            name: "Ada Lovelace".into(),
            line1: "1 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            region: region.map(Into::into),
            postal_code: postal.into(),
            country: CountryCode::new(country).unwrap(),
            phone: None,
        }
    }

    #[test]
    fn address_problems_name_each_field() {
        assert_eq!(address("US", Some("CA"), "94103").problems("shipping_address"), vec![]);
        let problems = address("US", None, "941").problems("shipping_address");
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["shipping_address.postal_code", "shipping_address.region"]);
        let mut empty = address("DE", None, "");
        empty.name = " ".into();
        let fields: Vec<_> = empty.problems("a").into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["a.name", "a.postal_code"]);
        assert_eq!(address("US", Some("ca"), "94103").tax_region(), Region::parse("US-CA").unwrap());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "ÄDA@exämple.de"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@-b.de", "a@b..de", "a@@b.de"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
