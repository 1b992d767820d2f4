//! Stripe events, read from the verified raw body: only the fields nite acts on, so a new Stripe API version adding
//! fields changes nothing here.

use std::collections::HashMap;

use nite_core::payment::{PaymentEvent, PaymentEventKind};
use nite_core::{Currency, Error, Money, OrderId, PaymentId};
use serde::Deserialize;

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

/// The parts of a PaymentIntent, Charge or Dispute nite reads.
#[derive(Deserialize)]
struct Object {
    id: String,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    amount_received: Option<i64>,
    #[serde(default)]
    amount_capturable: Option<i64>,
    #[serde(default)]
    amount_refunded: Option<i64>,
    currency: String,
    #[serde(default)]
    metadata: HashMap<String, String>,
    /// On a Charge or a Dispute: the PaymentIntent it belongs to (an id, or the expanded object).
    #[serde(default)]
    payment_intent: Option<serde_json::Value>,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::adapter("reading a Stripe event", what.to_string())
}

/// Turns a verified Stripe event body into a payment event; `Ok(None)` for a type nite does not act on.
///
/// | Stripe type | nite kind | amount |
/// |---|---|---|
/// | `payment_intent.succeeded` | `succeeded` | `amount_received` |
/// | `payment_intent.amount_capturable_updated` | `authorized` | `amount_capturable` |
/// | `payment_intent.payment_failed` | `failed` | `amount` |
/// | `payment_intent.canceled` | `canceled` | `amount` |
/// | `payment_intent.requires_action` | `requires_action` | `amount` |
/// | `charge.refunded` | `refunded` | `amount_refunded` (cumulative) |
/// | `charge.dispute.created` | `disputed` | `amount` |
pub fn parse(body: &[u8]) -> Result<Option<PaymentEvent>, Error> {
    let event: Event = serde_json::from_slice(body).map_err(bad)?;
    let kind = match event.kind.as_str() {
        "payment_intent.succeeded" => PaymentEventKind::Succeeded,
        "payment_intent.amount_capturable_updated" => PaymentEventKind::Authorized,
        "payment_intent.payment_failed" => PaymentEventKind::Failed,
        "payment_intent.canceled" => PaymentEventKind::Canceled,
        "payment_intent.requires_action" => PaymentEventKind::RequiresAction,
        "charge.refunded" => PaymentEventKind::Refunded,
        "charge.dispute.created" => PaymentEventKind::Disputed,
        _ => return Ok(None),
    };
    let object: Object = serde_json::from_value(event.data.object).map_err(bad)?;
    let on_intent = event.kind.starts_with("payment_intent.");
    let intent = if on_intent {
        object.id.clone()
    } else {
        match &object.payment_intent {
            Some(serde_json::Value::String(id)) => id.clone(),
            Some(serde_json::Value::Object(expanded)) => {
                expanded.get("id").and_then(|v| v.as_str()).ok_or_else(|| bad("payment_intent without id"))?.to_owned()
            }
            _ => return Ok(None), // A charge without a PaymentIntent is not one of nite's.
        }
    };
    let minor = match kind {
        PaymentEventKind::Succeeded => object.amount_received.or(object.amount),
        PaymentEventKind::Authorized => object.amount_capturable.or(object.amount),
        PaymentEventKind::Refunded => object.amount_refunded,
        _ => object.amount,
    }
    .ok_or_else(|| bad(format!("{} has no amount", event.kind)))?;
    let currency = Currency::from_code(&object.currency).map_err(bad)?;
    Ok(Some(PaymentEvent {
        provider: "stripe".to_owned(),
        event_id: event.id,
        payment_id: PaymentId::parse(&intent).map_err(bad)?,
        order_id: object.metadata.get("order_id").map(|id| OrderId::parse(id)).transpose().map_err(bad)?,
        kind,
        amount: Money::from_minor(minor, currency),
    }))
}
