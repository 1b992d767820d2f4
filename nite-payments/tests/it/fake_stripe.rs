//! A local fake of the Stripe API: form-encoded requests with bracketed keys, `Authorization: Bearer sk_test_…`,
//! Stripe's JSON objects and error envelope, and idempotent replay under `Idempotency-Key`. Failures can be
//! injected: a 500, a decline, or a response that arrives after the client gave up (the request was applied).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// What the next POST does instead of (or besides) succeeding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// Answer 500 without applying the request.
    ServerError,
    /// Apply the request, remember it under its key, then answer only after this long.
    SlowAfterApplying(Duration),
    /// Answer 402 with a card decline.
    Decline,
}

#[derive(Default)]
struct FakeState {
    intents: HashMap<String, Value>,
    refunded: HashMap<String, i64>,
    refunds: HashMap<String, Value>,
    idempotency: HashMap<String, (String, u16, String)>,
    next_id: u64,
    failures: VecDeque<Failure>,
    /// Every request: method, path, idempotency key, form fields, authorization header.
    requests: Vec<Recorded>,
}

#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) form: Vec<(String, String)>,
    pub(crate) authorization: Option<String>,
}

/// A running fake on 127.0.0.1.
#[derive(Clone)]
pub(crate) struct FakeStripe {
    pub(crate) url: String,
    state: Arc<Mutex<FakeState>>,
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> (u16, String) {
    let mut body = json!({ "error": { "type": kind, "message": message } });
    if let Some(code) = code {
        body["error"]["code"] = json!(code);
    }
    (status, body.to_string())
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl FakeStripe {
    pub(crate) async fn start() -> FakeStripe {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let app = Router::new()
            .route("/v1/payment_intents", post(create_intent))
            .route("/v1/payment_intents/{id}", get(retrieve_intent))
            .route("/v1/payment_intents/{id}/capture", post(capture_intent))
            .route("/v1/payment_intents/{id}/cancel", post(cancel_intent))
            .route("/v1/refunds", post(create_refund))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeStripe { url, state }
    }

    pub(crate) fn fail_next(&self, failure: Failure) {
        self.state.lock().unwrap().failures.push_back(failure);
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub(crate) fn intents_created(&self) -> usize {
        self.state.lock().unwrap().intents.len()
    }

    /// The customer completes the payment (succeeded, or requires_capture for manual capture) or it fails; returns
    /// the PaymentIntent object as Stripe would put it in the event.
    pub(crate) fn settle(&self, id: &str, success: bool) -> Value {
        let mut state = self.state.lock().unwrap();
        let intent = state.intents.get_mut(id).expect("a known PaymentIntent");
        let amount = intent["amount"].as_i64().unwrap();
        if !success {
            intent["status"] = json!("requires_payment_method");
            intent["last_payment_error"] =
                json!({ "type": "card_error", "code": "card_declined", "message": "Your card was declined." });
        } else if intent["capture_method"] == "manual" {
            intent["status"] = json!("requires_capture");
            intent["amount_capturable"] = json!(amount);
        } else {
            intent["status"] = json!("succeeded");
            intent["amount_received"] = json!(amount);
        }
        intent.clone()
    }
}

type Shared = State<Arc<Mutex<FakeState>>>;

/// The common part of every request: authentication, failures, idempotent replay, then `apply`.
async fn handle(
    state: Shared,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
    apply: impl FnOnce(&mut FakeState, &[(String, String)]) -> (u16, String),
) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (failure, outcome) = {
        let mut s = state.0.lock().unwrap();
        s.requests.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            idempotency_key: key.clone(),
            form: form.clone(),
            authorization: authorization.clone(),
        });
        if !authorization.as_deref().is_some_and(|a| a.starts_with("Bearer sk_test_")) {
            (None, error(401, "invalid_request_error", None, "Invalid API Key provided"))
        } else {
            let fingerprint = format!("{method} {path} {}", String::from_utf8_lossy(&body));
            let replay = key.as_ref().and_then(|k| s.idempotency.get(k).cloned());
            match replay {
                Some((seen, status, body)) if seen == fingerprint => (None, (status, body)),
                Some(_) => (
                    None,
                    error(
                        400,
                        "idempotency_error",
                        None,
                        "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    ),
                ),
                None => {
                    let failure = if method == Method::POST { s.failures.pop_front() } else { None };
                    match failure {
                        Some(Failure::ServerError) => {
                            (failure, error(500, "api_error", None, "An unknown error occurred"))
                        }
                        Some(Failure::Decline) => (failure, {
                            let mut body = json!({ "error": { "type": "card_error", "code": "card_declined",
                                "decline_code": "insufficient_funds", "message": "Your card has insufficient funds." } });
                            body["error"]["param"] = Value::Null;
                            (402, body.to_string())
                        }),
                        _ => {
                            let outcome = apply(&mut s, &form);
                            if let Some(key) = &key
                                && outcome.0 < 500
                            {
                                s.idempotency.insert(key.clone(), (fingerprint, outcome.0, outcome.1.clone()));
                            }
                            (failure, outcome)
                        }
                    }
                }
            }
        }
    };
    if let Some(Failure::SlowAfterApplying(delay)) = failure {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(outcome.0).unwrap();
    (status, [("content-type", "application/json"), ("request-id", "req_fake")], outcome.1).into_response()
}

fn new_id(state: &mut FakeState, prefix: &str) -> String {
    state.next_id += 1;
    format!("{prefix}_fake{}", state.next_id)
}

async fn create_intent(state: Shared, headers: HeaderMap, body: Bytes) -> Response {
    handle(state, Method::POST, "/v1/payment_intents".into(), headers, body, |s, form| {
        let Some(amount) = field(form, "amount").and_then(|a| a.parse::<i64>().ok()) else {
            return error(400, "invalid_request_error", Some("parameter_missing"), "Missing required param: amount.");
        };
        let Some(currency) = field(form, "currency") else {
            return error(400, "invalid_request_error", Some("parameter_missing"), "Missing required param: currency.");
        };
        if amount < 50 {
            // Stripe's minimum charge in USD is $0.50.
            return error(400, "invalid_request_error", Some("amount_too_small"), "Amount must be at least $0.50 usd");
        }
        let id = new_id(s, "pi");
        let metadata: serde_json::Map<String, Value> = form
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("metadata[")?.strip_suffix(']').map(|k| (k.to_owned(), json!(v))))
            .collect();
        let intent = json!({
            "id": id, "object": "payment_intent", "amount": amount, "amount_capturable": 0, "amount_received": 0,
            "capture_method": field(form, "capture_method").unwrap_or("automatic"),
            "confirmation_method": "automatic", "created": 1_780_315_200, "currency": currency, "livemode": false,
            "metadata": metadata, "payment_method_types": ["card"], "status": "requires_payment_method",
            "client_secret": format!("{id}_secret_fake"), "receipt_email": field(form, "receipt_email"),
        });
        s.intents.insert(id, intent.clone());
        (200, intent.to_string())
    })
    .await
}

async fn retrieve_intent(state: Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("/v1/payment_intents/{id}");
    handle(state, Method::GET, path, headers, Bytes::new(), |s, _| match s.intents.get(&id) {
        Some(intent) => (200, intent.to_string()),
        None => {
            error(404, "invalid_request_error", Some("resource_missing"), &format!("No such payment_intent: '{id}'"))
        }
    })
    .await
}

fn unexpected_state(status: &Value) -> (u16, String) {
    error(
        400,
        "invalid_request_error",
        Some("payment_intent_unexpected_state"),
        &format!("This PaymentIntent's status is {status}, which does not allow this action."),
    )
}

async fn capture_intent(state: Shared, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let path = format!("/v1/payment_intents/{id}/capture");
    handle(state, Method::POST, path, headers, body, |s, form| {
        let Some(intent) = s.intents.get_mut(&id) else {
            return error(404, "invalid_request_error", Some("resource_missing"), "No such payment_intent");
        };
        if intent["status"] != "requires_capture" {
            return unexpected_state(&intent["status"]);
        }
        let capturable = intent["amount_capturable"].as_i64().unwrap();
        let amount = field(form, "amount_to_capture").and_then(|a| a.parse().ok()).unwrap_or(capturable);
        intent["status"] = json!("succeeded");
        intent["amount_received"] = json!(amount);
        intent["amount_capturable"] = json!(0);
        (200, intent.to_string())
    })
    .await
}

async fn cancel_intent(state: Shared, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let path = format!("/v1/payment_intents/{id}/cancel");
    handle(state, Method::POST, path, headers, body, |s, _| {
        let Some(intent) = s.intents.get_mut(&id) else {
            return error(404, "invalid_request_error", Some("resource_missing"), "No such payment_intent");
        };
        let cancelable = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action"];
        if !cancelable.iter().any(|c| intent["status"] == *c) {
            return unexpected_state(&intent["status"]);
        }
        intent["status"] = json!("canceled");
        (200, intent.to_string())
    })
    .await
}

async fn create_refund(state: Shared, headers: HeaderMap, body: Bytes) -> Response {
    handle(state, Method::POST, "/v1/refunds".into(), headers, body, |s, form| {
        let Some(intent_id) = field(form, "payment_intent").map(str::to_owned) else {
            return error(400, "invalid_request_error", Some("parameter_missing"), "Missing payment_intent.");
        };
        let Some(intent) = s.intents.get(&intent_id).cloned() else {
            return error(404, "invalid_request_error", Some("resource_missing"), "No such payment_intent");
        };
        if intent["status"] != "succeeded" {
            return error(
                400,
                "invalid_request_error",
                Some("charge_not_refundable"),
                "This PaymentIntent has no successful charge to refund.",
            );
        }
        let received = intent["amount_received"].as_i64().unwrap();
        let refunded = s.refunded.get(&intent_id).copied().unwrap_or(0);
        let left = received - refunded;
        let amount = field(form, "amount").and_then(|a| a.parse().ok()).unwrap_or(left);
        if left == 0 {
            return error(
                400,
                "invalid_request_error",
                Some("charge_already_refunded"),
                "The charge has already been refunded.",
            );
        }
        if amount > left || amount <= 0 {
            return error(
                400,
                "invalid_request_error",
                Some("amount_too_large"),
                "Refund amount is greater than unrefunded amount on charge.",
            );
        }
        s.refunded.insert(intent_id.clone(), refunded + amount);
        let id = new_id(s, "re");
        let refund = json!({
            "id": id, "object": "refund", "amount": amount, "created": 1_780_315_200, "currency": intent["currency"],
            "status": "succeeded", "payment_intent": intent_id, "metadata": {},
        });
        s.refunds.insert(id, refund.clone());
        (200, refund.to_string())
    })
    .await
}

/// A Stripe event around `object`, as Stripe documents its shape.
pub(crate) fn event(id: &str, kind: &str, object: Value) -> String {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive", "created": 1_780_315_200,
        "data": { "object": object }, "livemode": false, "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null }, "type": kind,
    })
    .to_string()
}
