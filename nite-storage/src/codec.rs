//! How values cross into the database and back: times as Unix microseconds, documents as JSON, cursors as text.

use nite_core::Error;
use nite_core::catalog::Sku;
use nite_core::inventory::StockLevel;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// A time as Unix microseconds (sub-microsecond precision is dropped).
pub(crate) fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// Unix microseconds as a time.
pub(crate) fn from_micros(value: i64) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000)
        .map_err(|e| Error::adapter("reading a stored time", e))
}

/// A value as a JSON document.
pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::adapter("encoding a stored document", e))
}

/// A JSON document as a value.
pub(crate) fn from_doc<T: DeserializeOwned>(doc: &str) -> Result<T, Error> {
    serde_json::from_str(doc).map_err(|e| Error::adapter("decoding a stored document", e))
}

/// A keyset cursor over `(time, id)`, newest or oldest first: `micros.id`.
pub(crate) fn cursor(at: i64, id: &str) -> String {
    format!("{at}.{id}")
}

/// Parses a cursor this adapter gave out.
pub(crate) fn parse_cursor(cursor: &str) -> Result<(i64, String), Error> {
    cursor
        .split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .ok_or_else(|| Error::invalid("cursor", "is not a cursor this list gave"))
}

/// A positional cursor (for lists ordered by an integer position).
pub(crate) fn parse_position(cursor: &str) -> Result<i64, Error> {
    cursor.parse().map_err(|_| Error::invalid("cursor", "is not a cursor this list gave"))
}

/// A page size as SQL's integer (the core's `Limit` keeps it within 1–100).
pub(crate) fn limit(limit: nite_core::ports::Limit) -> i64 {
    i64::from(limit.get())
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally (escape character `\`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A count from the database as `u32`, refusing nonsense rather than wrapping.
pub(crate) fn count(value: i64) -> Result<u32, Error> {
    u32::try_from(value).map_err(|e| Error::adapter("reading a stored count", e))
}

/// Stock levels as the showcase's statement aggregates them: `sku on_hand reserved …` (SKUs hold no spaces), or
/// nothing.
pub(crate) fn stock_levels(text: Option<&str>) -> Result<Vec<StockLevel>, Error> {
    let malformed = || Error::adapter("reading stock", "the store answered a malformed stock list");
    let mut levels = Vec::new();
    let mut words = text.unwrap_or_default().split_ascii_whitespace();
    while let Some(sku) = words.next() {
        let mut number = || words.next().and_then(|n| n.parse::<u32>().ok()).ok_or_else(malformed);
        let (on_hand, reserved) = (number()?, number()?);
        levels.push(StockLevel {
            sku: Sku::new(sku).map_err(|e| Error::adapter("reading stock", e))?,
            on_hand,
            reserved,
        });
    }
    Ok(levels)
}

/// A 1- to 5-star histogram as the showcase's statement aggregates it: `stars count …`, or nothing. Stars outside
/// 1–5 are not counted.
pub(crate) fn rating_histogram(text: Option<&str>) -> Result<[u32; 5], Error> {
    let malformed = || Error::adapter("summarising reviews", "the store answered a malformed ratings list");
    let mut histogram = [0_u32; 5];
    let mut words = text.unwrap_or_default().split_ascii_whitespace();
    while let Some(stars) = words.next() {
        let n = words.next().and_then(|n| n.parse::<u32>().ok()).ok_or_else(malformed)?;
        let stars = stars.parse::<usize>().map_err(|_| malformed())?;
        if let Some(slot) = stars.checked_sub(1).and_then(|i| histogram.get_mut(i)) {
            *slot = n;
        }
    }
    Ok(histogram)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let at = OffsetDateTime::from_unix_timestamp(1_780_315_200).unwrap();
        assert_eq!(from_micros(micros(at)).unwrap(), at);
        assert_eq!(parse_cursor(&cursor(42, "ord_1")).unwrap(), (42, "ord_1".to_owned()));
        assert!(parse_cursor("x").is_err());
        assert_eq!(contains_pattern("100%_a\\B"), "%100\\%\\_a\\\\b%");
        assert_eq!(limit(nite_core::ports::Limit::clamped(1000)), 100);
    }

    #[test]
    fn aggregated_stock_and_ratings_are_read_back_and_malformed_ones_refused() {
        let level = |sku: &str, on_hand, reserved| StockLevel { sku: Sku::new(sku).unwrap(), on_hand, reserved };
        assert_eq!(stock_levels(None).unwrap(), []);
        assert_eq!(stock_levels(Some("NP-A 7 2 NP-B.2 0 0")).unwrap(), [level("NP-A", 7, 2), level("NP-B.2", 0, 0)]);
        for bad in ["NP-A 7", "NP-A 7 x", "NP-A -1 0", "NP A 1 2 3", "NP-A 1 2 NP-B"] {
            assert!(matches!(stock_levels(Some(bad)), Err(Error::Adapter { .. })), "{bad}");
        }
        assert_eq!(rating_histogram(None).unwrap(), [0; 5]);
        assert_eq!(rating_histogram(Some("5 2 1 1 9 4")).unwrap(), [1, 0, 0, 0, 2]);
        for bad in ["5", "5 x", "x 1", "5 -1"] {
            assert!(matches!(rating_histogram(Some(bad)), Err(Error::Adapter { .. })), "{bad}");
        }
    }
}
