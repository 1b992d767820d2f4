//! Webhook signatures made by Stripe's own official library (the `stripe` package from PyPI, which `./scripts/test`
//! installs) and by ours, verified by the adapter: accepted when right, refused for every kind of wrong.

use std::process::Command;

use nite_payments::webhook::{SignatureError, sign, verify};

const SECRET: &str = "whsec_5ZmZmZWRlYWRiZWVmZmFjZWNhZmViYWJl";

/// The `Stripe-Signature` header Stripe's Python library generates for `payload` at `timestamp`; `None` (said
/// loudly) when the library is not installed, which CI does not allow.
fn stripe_python_header(payload: &str, timestamp: i64) -> Option<String> {
    let script = "import stripe, sys\nprint(stripe.WebhookSignature.generate_signature_header(sys.argv[1], sys.argv[2], int(sys.argv[3])))";
    let output = Command::new("python3").args(["-c", script, payload, SECRET, &timestamp.to_string()]).output();
    match output {
        Ok(out) if out.status.success() => Some(String::from_utf8(out.stdout).unwrap().trim().to_owned()),
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "Stripe's Python library must be installed in CI (./scripts/test installs it): {other:?}"
            );
            eprintln!("SKIPPED: Stripe's Python library is not installed (pip install stripe): {other:?}");
            None
        }
    }
}

fn payload() -> String {
    // Unicode, spaces and escapes: the body is checked byte for byte, never re-serialized.
    r#"{"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "description": "Putting light \u00e9 — ünïcode"}}}"#.to_owned()
}

#[test]
fn stripes_own_library_and_ours_agree() {
    let body = payload();
    let t = 1_780_315_200;
    let Some(theirs) = stripe_python_header(&body, t) else { return };
    assert_eq!(theirs, sign(body.as_bytes(), SECRET, t), "byte-for-byte the same header");
    assert_eq!(verify(body.as_bytes(), Some(&theirs), &[SECRET.to_owned()], 300, t + 10), Ok(()));
}

#[test]
fn stripe_signed_requests_are_refused_when_anything_is_off() {
    let body = payload();
    let t = 1_780_315_200;
    let Some(header) = stripe_python_header(&body, t) else { return };
    let secrets = [SECRET.to_owned()];
    // One byte of the body changed.
    let mut tampered = body.clone().into_bytes();
    tampered[10] ^= 1;
    assert_eq!(verify(&tampered, Some(&header), &secrets, 300, t), Err(SignatureError::Mismatch));
    // Re-serialized JSON is a different body.
    let reserialized = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&body).unwrap()).unwrap();
    assert_eq!(verify(reserialized.as_bytes(), Some(&header), &secrets, 300, t), Err(SignatureError::Mismatch));
    // Wrong secret; the secret's base64 part decoded is not the key either.
    assert_eq!(verify(body.as_bytes(), Some(&header), &["whsec_other".into()], 300, t), Err(SignatureError::Mismatch));
    assert_eq!(
        verify(body.as_bytes(), Some(&header), &["5ZmZmZWRlYWRiZWVmZmFjZWNhZmViYWJl".into()], 300, t),
        Err(SignatureError::Mismatch)
    );
    // Old timestamp, malformed and missing headers.
    assert!(matches!(
        verify(body.as_bytes(), Some(&header), &secrets, 300, t + 301),
        Err(SignatureError::TooOld { .. })
    ));
    assert_eq!(verify(body.as_bytes(), Some("t=,v1="), &secrets, 300, t), Err(SignatureError::Malformed));
    assert_eq!(verify(body.as_bytes(), Some("nonsense"), &secrets, 300, t), Err(SignatureError::Malformed));
    assert_eq!(verify(body.as_bytes(), None, &secrets, 300, t), Err(SignatureError::Missing));
    // During a rotation, either secret verifies.
    let rotating = ["whsec_new_secret".to_owned(), SECRET.to_owned()];
    assert_eq!(verify(body.as_bytes(), Some(&header), &rotating, 300, t), Ok(()));
}
