//! Stripe event payloads, written by hand from Stripe's documented object shapes (Event, PaymentIntent, Charge,
//! Dispute), mapped to nite's payment events.

use nite_core::payment::PaymentEventKind;
use nite_core::{Currency, Money};
use nite_payments::parse_stripe_event;
use serde_json::json;

use crate::fake_stripe::event;

fn intent(status: &str, amount: i64, received: i64, capturable: i64) -> serde_json::Value {
    json!({
        "id": "pi_3Q0abcDEF", "object": "payment_intent", "amount": amount, "amount_capturable": capturable,
        "amount_received": received, "capture_method": "automatic", "confirmation_method": "automatic",
        "created": 1_780_315_200, "currency": "usd", "livemode": false, "metadata": { "order_id": "ord_42" },
        "payment_method_types": ["card"], "status": status, "client_secret": null,
    })
}

fn charge(refunded: i64) -> serde_json::Value {
    json!({
        "id": "ch_3Q0abcDEF", "object": "charge", "amount": 17_372, "amount_captured": 17_372,
        "amount_refunded": refunded, "captured": true, "currency": "usd", "paid": true,
        "payment_intent": "pi_3Q0abcDEF", "refunded": refunded == 17_372, "metadata": {}, "status": "succeeded",
    })
}

#[test]
fn each_event_type_maps_to_its_kind_and_amount() {
    let dispute = json!({
        "id": "dp_1", "object": "dispute", "amount": 17_372, "currency": "usd", "charge": "ch_3Q0abcDEF",
        "payment_intent": { "id": "pi_3Q0abcDEF", "object": "payment_intent" }, "reason": "fraudulent",
        "status": "needs_response",
    });
    let cases = [
        ("payment_intent.succeeded", intent("succeeded", 17_372, 17_372, 0), PaymentEventKind::Succeeded, 17_372),
        (
            "payment_intent.amount_capturable_updated",
            intent("requires_capture", 17_372, 0, 17_372),
            PaymentEventKind::Authorized,
            17_372,
        ),
        (
            "payment_intent.payment_failed",
            intent("requires_payment_method", 17_372, 0, 0),
            PaymentEventKind::Failed,
            17_372,
        ),
        ("payment_intent.canceled", intent("canceled", 17_372, 0, 0), PaymentEventKind::Canceled, 17_372),
        (
            "payment_intent.requires_action",
            intent("requires_action", 17_372, 0, 0),
            PaymentEventKind::RequiresAction,
            17_372,
        ),
        ("charge.refunded", charge(5_000), PaymentEventKind::Refunded, 5_000),
        ("charge.dispute.created", dispute, PaymentEventKind::Disputed, 17_372),
    ];
    for (kind, object, expected, minor) in cases {
        let body = event("evt_1NQ", kind, object);
        let parsed = parse_stripe_event(body.as_bytes()).unwrap().unwrap_or_else(|| panic!("{kind} is acted on"));
        assert_eq!(parsed.kind, expected, "{kind}");
        assert_eq!(parsed.amount, Money::from_minor(minor, Currency::USD), "{kind}");
        assert_eq!(parsed.payment_id.as_str(), "pi_3Q0abcDEF", "{kind}");
        assert_eq!(parsed.event_id, "evt_1NQ");
        assert_eq!(parsed.provider, "stripe");
    }
    let succeeded = parse_stripe_event(event("e", "payment_intent.succeeded", intent("succeeded", 1, 1, 0)).as_bytes());
    assert_eq!(succeeded.unwrap().unwrap().order_id.map(|o| o.to_string()), Some("ord_42".to_owned()));
}

#[test]
fn unknown_types_are_acknowledged_and_ignored() {
    for kind in ["customer.created", "invoice.paid", "payment_intent.created", "charge.succeeded"] {
        let body = event("evt_x", kind, json!({ "id": "x", "object": "thing" }));
        assert_eq!(parse_stripe_event(body.as_bytes()).unwrap(), None, "{kind}");
    }
    // A charge with no PaymentIntent is not one of nite's payments.
    let mut orphan = charge(100);
    orphan["payment_intent"] = serde_json::Value::Null;
    assert_eq!(parse_stripe_event(event("e", "charge.refunded", orphan).as_bytes()).unwrap(), None);
}

#[test]
fn malformed_events_are_errors_not_panics() {
    for body in [&b"not json"[..], b"{}", br#"{"id":"e","type":"payment_intent.succeeded","data":{"object":{}}}"#] {
        assert!(parse_stripe_event(body).is_err());
    }
    let bad_currency = intent("succeeded", 1, 1, 0);
    let mut bad_currency = bad_currency;
    bad_currency["currency"] = json!("zzz");
    assert!(parse_stripe_event(event("e", "payment_intent.succeeded", bad_currency).as_bytes()).is_err());
}
