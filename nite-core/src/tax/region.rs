//! Regions: a country, and optionally a subdivision of it (a state, a province), that tax rules are keyed by.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A country code or subdivision that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// Not an assigned ISO 3166-1 alpha-2 code.
    #[error("`{0}` is not an ISO 3166-1 alpha-2 country code")]
    Country(String),
    /// Not 1 to 3 ASCII letters or digits.
    #[error("`{0}` is not an ISO 3166-2 subdivision code")]
    Subdivision(String),
}

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted, concatenated.
const ISO_3166_ALPHA2: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// An officially assigned ISO 3166-1 alpha-2 country code, upper case (`US`, `DE`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a country code, case-insensitively; only officially assigned codes are accepted.
    pub fn new(code: &str) -> Result<CountryCode, RegionError> {
        let upper = match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                [a.to_ascii_uppercase(), b.to_ascii_uppercase()]
            }
            _ => return Err(RegionError::Country(code.to_owned())),
        };
        let assigned = ISO_3166_ALPHA2.as_bytes().chunks_exact(2).any(|c| c == upper);
        if assigned { Ok(CountryCode(upper)) } else { Err(RegionError::Country(code.to_owned())) }
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl TryFrom<String> for CountryCode {
    type Error = RegionError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        CountryCode::new(&value)
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A tax region: a country, optionally narrowed to one subdivision (`US` + `CA` for California).
///
/// ```
/// use nite_core::tax::Region;
///
/// let california = Region::parse("US-CA")?;
/// assert_eq!(california.country.as_str(), "US");
/// assert_eq!(california.subdivision.as_deref(), Some("CA"));
/// assert_eq!(Region::parse("de")?.to_string(), "DE");
/// # Ok::<(), nite_core::tax::RegionError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Region {
    /// The country.
    pub country: CountryCode,
    /// The subdivision code within the country, upper case (`CA`, `BY`), if narrowed.
    pub subdivision: Option<String>,
}

impl Region {
    /// A whole country.
    pub fn country(country: CountryCode) -> Region {
        Region { country, subdivision: None }
    }

    /// Parses `CC` or `CC-SUB` (ISO 3166-2 form), case-insensitively.
    pub fn parse(value: &str) -> Result<Region, RegionError> {
        let (country, subdivision) = match value.split_once('-') {
            Some((country, sub)) => (country, Some(sub)),
            None => (value, None),
        };
        let country = CountryCode::new(country)?;
        let subdivision = subdivision
            .map(|sub| {
                if (1..=3).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Ok(sub.to_ascii_uppercase())
                } else {
                    Err(RegionError::Subdivision(sub.to_owned()))
                }
            })
            .transpose()?;
        Ok(Region { country, subdivision })
    }

    /// Whether a rule written for `self` applies to an address in `other`: same country, and either this region is
    /// the whole country or the subdivisions are equal.
    pub fn covers(&self, other: &Region) -> bool {
        self.country == other.country && (self.subdivision.is_none() || self.subdivision == other.subdivision)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subdivision {
            Some(sub) => write!(f, "{}-{}", self.country, sub),
            None => write!(f, "{}", self.country),
        }
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_sorted_and_complete() {
        let codes: Vec<&[u8]> = ISO_3166_ALPHA2.as_bytes().chunks_exact(2).collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn parse_and_cover() {
        let us = Region::parse("us").unwrap();
        let ca = Region::parse("US-ca").unwrap();
        let ny = Region::parse("US-NY").unwrap();
        assert!(us.covers(&ca));
        assert!(ca.covers(&ca));
        assert!(!ca.covers(&ny));
        assert!(!ca.covers(&us));
        assert!(!Region::parse("DE").unwrap().covers(&us));
        for bad in ["", "U", "USA", "US-", "US-CALI", "U1", "US-C A", "XX", "UK"] {
            assert!(Region::parse(bad).is_err(), "{bad}");
        }
    }
}
