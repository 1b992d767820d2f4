//! Stripe webhook signatures, exactly as Stripe defines them.
//!
//! The `Stripe-Signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`. The HMAC key is the whole
//! endpoint secret as UTF-8 bytes, `whsec_` prefix included (it is not base64-decoded); the message is
//! `"{t}.{raw body}"`, the body byte for byte as it arrived, never re-serialized. A request is genuine if any `v1`
//! signature matches any active secret (several during a rotation); other schemes are ignored. Only a timestamp
//! older than the tolerance is refused: a future one passes, as in Stripe's own libraries. Signatures are compared
//! in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `Stripe-Signature` header.
    #[error("the Stripe-Signature header is missing")]
    Missing,
    /// The header has no timestamp, no `v1` signature, or a part that is not `key=value`.
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    /// The timestamp is older than the tolerance.
    #[error("the timestamp is {age} s old, more than the {tolerance} s tolerated")]
    TooOld {
        /// Seconds since the timestamp.
        age: i64,
        /// Seconds tolerated.
        tolerance: i64,
    },
    /// No `v1` signature matches any secret.
    #[error("no signature matches")]
    Mismatch,
}

/// The default tolerance of Stripe's libraries: five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The `Stripe-Signature` header Stripe would send for `body` signed with `secret` at `timestamp`.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body)))
}

/// Verifies `header` for `body` against every secret in `secrets`, at `now` (Unix seconds).
pub fn verify(
    body: &[u8],
    header: Option<&str>,
    secrets: &[String],
    tolerance_secs: i64,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(SignatureError::Malformed)?;
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?)
            }
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = now.saturating_sub(timestamp);
    if age > tolerance_secs {
        return Err(SignatureError::TooOld { age, tolerance: tolerance_secs });
    }
    let expected: Vec<[u8; 32]> = secrets.iter().map(|secret| mac(secret, timestamp, body)).collect();
    let mut matched = subtle::Choice::from(0);
    for signature in signatures {
        // A signature that is not 32 bytes of hex can match nothing; decoding it reveals nothing about secrets.
        let Ok(given) = hex::decode(signature) else { continue };
        for candidate in &expected {
            matched |= candidate.as_slice().ct_eq(given.as_slice());
        }
    }
    if bool::from(matched) { Ok(()) } else { Err(SignatureError::Mismatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signature_we_make_verifies() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, 1_000);
        assert_eq!(verify(body, Some(&header), &[SECRET.into()], 300, 1_100), Ok(()));
        // Known answer: `printf '%s' '1000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test_secret`.
        assert_eq!(header, "t=1000,v1=e8ad4e43b191854f0e8778f52f5b179242beeaed6194bb3701b22cf903ce9c06");
    }

    #[test]
    fn every_way_to_fail() {
        let body = b"{}";
        let good = sign(body, SECRET, 1_000);
        let secrets = [SECRET.to_owned()];
        assert_eq!(verify(body, None, &secrets, 300, 1_000), Err(SignatureError::Missing));
        assert_eq!(verify(body, Some("garbage"), &secrets, 300, 1_000), Err(SignatureError::Malformed));
        assert_eq!(verify(body, Some("t=abc,v1=00"), &secrets, 300, 1_000), Err(SignatureError::Malformed));
        assert_eq!(verify(body, Some("v1=00"), &secrets, 300, 1_000), Err(SignatureError::Malformed));
        assert_eq!(verify(body, Some("t=1000,v0=00"), &secrets, 300, 1_000), Err(SignatureError::Malformed));
        assert_eq!(
            verify(body, Some(&good), &secrets, 300, 1_301),
            Err(SignatureError::TooOld { age: 301, tolerance: 300 })
        );
        assert_eq!(verify(b"{ }", Some(&good), &secrets, 300, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(body, Some(&good), &["whsec_other".into()], 300, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(body, Some("t=1000,v1=zz"), &secrets, 300, 1_000), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_v1_with_any_secret_passes_and_the_future_is_tolerated() {
        let body = b"{}";
        let good = sign(body, SECRET, 1_000);
        let sig = good.split_once(",v1=").unwrap().1;
        let mixed = format!("t=1000,v1={},v1={sig},v0=whatever", "ab".repeat(32));
        let rotating = ["whsec_old".to_owned(), SECRET.to_owned()];
        assert_eq!(verify(body, Some(&mixed), &rotating, 300, 1_000), Ok(()));
        assert_eq!(verify(body, Some(&good), &rotating, 300, 0), Ok(()), "a future timestamp passes");
    }
}
