//! How values cross into the database and back: times as Unix microseconds, documents as JSON, cursors as text.

use nite_core::Error;
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
}
