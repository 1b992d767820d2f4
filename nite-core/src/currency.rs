//! Currencies: an ISO 4217 code and the exponent of its minor unit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::MoneyError;

/// An ISO 4217 currency: its three-letter code and its minor-unit exponent.
///
/// The exponent is the number of decimal places of the currency's minor unit: 2 for USD (cents), 0 for JPY, 3 for
/// KWD. It decides where every amount in that currency is rounded.
///
/// ```
/// use nite_core::Currency;
///
/// let jpy: Currency = "JPY".parse()?;
/// assert_eq!(jpy.exponent(), 0);
/// assert_eq!(Currency::KWD.exponent(), 3);
/// assert_eq!(Currency::USD.code(), "USD");
/// # Ok::<(), nite_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
// Four bytes aligned as one word: copied and compared as one (every figure of a priced cart holds one).
#[repr(C, align(4))]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// The currencies nite knows by code, with their ISO 4217 minor-unit exponents.
const KNOWN: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// The largest minor-unit exponent nite accepts for a custom currency.
pub const MAX_EXPONENT: u8 = 4;

impl Currency {
    /// US dollar (2 decimals).
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Euro (2 decimals).
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Pound sterling (2 decimals).
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Canadian dollar (2 decimals).
    pub const CAD: Currency = Currency::known(*b"CAD", 2);
    /// Australian dollar (2 decimals).
    pub const AUD: Currency = Currency::known(*b"AUD", 2);
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency::known(*b"JPY", 0);
    /// Kuwaiti dinar (3 decimals).
    pub const KWD: Currency = Currency::known(*b"KWD", 3);
    /// Bahraini dinar (3 decimals).
    pub const BHD: Currency = Currency::known(*b"BHD", 3);

    const fn known(code: [u8; 3], exponent: u8) -> Currency {
        Currency { code, exponent }
    }

    /// Looks a currency up by its ISO 4217 code (case-insensitive).
    ///
    /// Unknown codes are an error: an exponent guessed wrong would round every amount wrong. A currency nite does not
    /// list can still be made with [`Currency::custom`].
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        let upper = parse_code(code)?;
        KNOWN
            .iter()
            .find(|(known, _)| known.as_bytes() == upper)
            .map(|&(_, exponent)| Currency { code: upper, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// A currency nite does not list, with an explicit exponent (at most [`MAX_EXPONENT`]).
    pub fn custom(code: &str, exponent: u8) -> Result<Currency, MoneyError> {
        let code = parse_code(code)?;
        if exponent > MAX_EXPONENT {
            return Err(MoneyError::ExponentTooLarge(exponent));
        }
        Ok(Currency { code, exponent })
    }

    /// The three-letter upper-case code.
    pub fn code(&self) -> &str {
        // The bytes are checked ASCII upper-case letters on every construction path.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// The number of decimal places of the minor unit.
    pub fn exponent(&self) -> u32 {
        u32::from(self.exponent)
    }

    /// `10^exponent`: how many minor units make one major unit.
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

fn parse_code(code: &str) -> Result<[u8; 3], MoneyError> {
    let bytes = code.as_bytes();
    match bytes {
        [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => {
            Ok([a.to_ascii_uppercase(), b.to_ascii_uppercase(), c.to_ascii_uppercase()])
        }
        _ => Err(MoneyError::InvalidCurrencyCode(code.to_owned())),
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse_case_insensitively() {
        assert_eq!(Currency::from_code("usd"), Ok(Currency::USD));
        assert_eq!(Currency::from_code("Jpy").map(|c| c.exponent()), Ok(0));
        assert_eq!(Currency::from_code("BHD"), Ok(Currency::BHD));
    }

    #[test]
    fn constants_agree_with_the_table() {
        for c in [
            Currency::USD,
            Currency::EUR,
            Currency::GBP,
            Currency::CAD,
            Currency::AUD,
            Currency::JPY,
            Currency::KWD,
            Currency::BHD,
        ] {
            assert_eq!(Currency::from_code(c.code()), Ok(c));
        }
    }

    #[test]
    fn bad_codes_are_typed_errors() {
        assert_eq!(Currency::from_code("US"), Err(MoneyError::InvalidCurrencyCode("US".into())));
        assert_eq!(Currency::from_code("U$D"), Err(MoneyError::InvalidCurrencyCode("U$D".into())));
        assert_eq!(Currency::from_code("€€€"), Err(MoneyError::InvalidCurrencyCode("€€€".into())));
        assert_eq!(Currency::from_code("XYZ"), Err(MoneyError::UnknownCurrency("XYZ".into())));
        assert_eq!(Currency::custom("XTS", 9), Err(MoneyError::ExponentTooLarge(9)));
        assert_eq!(Currency::custom("xts", 2).map(|c| c.code().to_owned()), Ok("XTS".into()));
    }

    #[test]
    fn serde_is_the_code() {
        assert_eq!(serde_json::to_string(&Currency::KWD).unwrap(), r#""KWD""#);
        assert_eq!(serde_json::from_str::<Currency>(r#""eur""#).unwrap(), Currency::EUR);
        assert!(serde_json::from_str::<Currency>(r#""EURO""#).is_err());
    }
}
