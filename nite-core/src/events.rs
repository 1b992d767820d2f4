//! Domain events: what happened in the shop (an order placed, paid, shipped…), typed, each with an id. The services
//! hand them to the stores with the change that causes them, and the stores write them in the same transaction, so
//! an event exists exactly when its change does. Consumers receive them later, at least once, through
//! [`crate::services::EventDispatcher`]: an embedder's [`crate::services::EventSubscriber`] in Rust, or an
//! operator's webhook endpoint, signed per the Standard Webhooks specification.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::Sku;
use crate::{CustomerId, Email, EventId, Money, OrderId, ProductId, ReviewId, WebhookEndpointId};

/// The kind of an event, named as webhooks carry it (`order.paid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// An order was placed (awaiting payment, its stock reserved).
    #[serde(rename = "order.placed")]
    OrderPlaced,
    /// An order was paid.
    #[serde(rename = "order.paid")]
    OrderPaid,
    /// An order was handed to a carrier.
    #[serde(rename = "order.shipped")]
    OrderShipped,
    /// An order arrived.
    #[serde(rename = "order.delivered")]
    OrderDelivered,
    /// An order was cancelled.
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    /// Money was refunded on an order.
    #[serde(rename = "order.refunded")]
    OrderRefunded,
    /// A customer opened an account.
    #[serde(rename = "customer.registered")]
    CustomerRegistered,
    /// A review was submitted for moderation.
    #[serde(rename = "review.submitted")]
    ReviewSubmitted,
    /// A SKU's available units fell to the shop's low-stock level or below.
    #[serde(rename = "stock.low")]
    StockLow,
}

impl EventType {
    /// Every type, in a stable order.
    pub const ALL: [EventType; 9] = [
        EventType::OrderPlaced,
        EventType::OrderPaid,
        EventType::OrderShipped,
        EventType::OrderDelivered,
        EventType::OrderCancelled,
        EventType::OrderRefunded,
        EventType::CustomerRegistered,
        EventType::ReviewSubmitted,
        EventType::StockLow,
    ];

    /// The type's name: `order.paid`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OrderPlaced => "order.placed",
            EventType::OrderPaid => "order.paid",
            EventType::OrderShipped => "order.shipped",
            EventType::OrderDelivered => "order.delivered",
            EventType::OrderCancelled => "order.cancelled",
            EventType::OrderRefunded => "order.refunded",
            EventType::CustomerRegistered => "customer.registered",
            EventType::ReviewSubmitted => "review.submitted",
            EventType::StockLow => "stock.low",
        }
    }

    /// The type named `name`, if there is one.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened, with the facts a consumer needs to act without asking back (ids to ask with, too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventData {
    /// An order was placed.
    #[serde(rename = "order.placed")]
    OrderPlaced {
        /// The order.
        order_id: OrderId,
        /// Its customer, if signed in.
        customer_id: Option<CustomerId>,
        /// Its email.
        email: Email,
        /// Its total.
        total: Money,
    },
    /// An order was paid.
    #[serde(rename = "order.paid")]
    OrderPaid {
        /// The order.
        order_id: OrderId,
        /// Its total.
        total: Money,
    },
    /// An order was shipped.
    #[serde(rename = "order.shipped")]
    OrderShipped {
        /// The order.
        order_id: OrderId,
        /// The carrier.
        carrier: String,
        /// The tracking number.
        tracking_number: String,
    },
    /// An order arrived.
    #[serde(rename = "order.delivered")]
    OrderDelivered {
        /// The order.
        order_id: OrderId,
    },
    /// An order was cancelled.
    #[serde(rename = "order.cancelled")]
    OrderCancelled {
        /// The order.
        order_id: OrderId,
    },
    /// Money was refunded on an order.
    #[serde(rename = "order.refunded")]
    OrderRefunded {
        /// The order.
        order_id: OrderId,
        /// This refund.
        amount: Money,
    },
    /// A customer opened an account.
    #[serde(rename = "customer.registered")]
    CustomerRegistered {
        /// The customer.
        customer_id: CustomerId,
        /// Their email.
        email: Email,
    },
    /// A review was submitted.
    #[serde(rename = "review.submitted")]
    ReviewSubmitted {
        /// The review.
        review_id: ReviewId,
        /// Its product.
        product_id: ProductId,
        /// Its rating, 1 to 5.
        rating: u8,
    },
    /// A SKU ran low.
    #[serde(rename = "stock.low")]
    StockLow {
        /// The SKU.
        sku: Sku,
        /// Units still available (on hand, not reserved).
        available: u32,
        /// The shop's low-stock level.
        low_stock_at: u32,
    },
}

impl EventData {
    /// Its type.
    pub fn event_type(&self) -> EventType {
        match self {
            EventData::OrderPlaced { .. } => EventType::OrderPlaced,
            EventData::OrderPaid { .. } => EventType::OrderPaid,
            EventData::OrderShipped { .. } => EventType::OrderShipped,
            EventData::OrderDelivered { .. } => EventType::OrderDelivered,
            EventData::OrderCancelled { .. } => EventType::OrderCancelled,
            EventData::OrderRefunded { .. } => EventType::OrderRefunded,
            EventData::CustomerRegistered { .. } => EventType::CustomerRegistered,
            EventData::ReviewSubmitted { .. } => EventType::ReviewSubmitted,
            EventData::StockLow { .. } => EventType::StockLow,
        }
    }
}

/// One event: `{"id": "evt_…", "timestamp": "…", "type": "order.paid", "data": {…}}` in JSON, the shape Standard
/// Webhooks recommends for a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainEvent {
    /// Unique: consumers deduplicate on it.
    pub id: EventId,
    /// When the change happened.
    #[serde(rename = "timestamp", with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// What happened.
    #[serde(flatten)]
    pub data: EventData,
}

impl DomainEvent {
    /// A new event with a fresh id.
    pub fn new(ids: &dyn crate::IdGenerator, at: OffsetDateTime, data: EventData) -> DomainEvent {
        DomainEvent { id: crate::IdGeneratorExt::new_id(ids), at, data }
    }

    /// Its type.
    pub fn event_type(&self) -> EventType {
        self.data.event_type()
    }

    /// The event's JSON, as webhooks carry it and stores keep it.
    pub fn to_json(&self) -> crate::Result<String> {
        serde_json::to_string(self).map_err(|e| crate::Error::adapter("encoding an event", e))
    }
}

/// Who receives events: an operator's webhook endpoint or an embedder's subscriber, with the types it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventConsumer {
    /// `whe_…` for a webhook endpoint, `sub:{name}` for a subscriber.
    pub id: String,
    /// The types it receives; empty for every type.
    pub types: Vec<EventType>,
    /// Whether new events are delivered to it. A disabled consumer keeps what was already queued for it.
    pub enabled: bool,
    /// Where its events go.
    pub target: ConsumerTarget,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl EventConsumer {
    /// The consumer id of the subscriber named `name`.
    pub fn subscriber_id(name: &str) -> String {
        format!("sub:{name}")
    }

    /// Whether it receives events of type `event_type`.
    pub fn takes(&self, event_type: EventType) -> bool {
        self.enabled && (self.types.is_empty() || self.types.contains(&event_type))
    }
}

/// Where a consumer's events go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ConsumerTarget {
    /// An HTTP endpoint, sent signed requests.
    Webhook(WebhookEndpoint),
    /// A Rust subscriber in the shop's processes, by name.
    Subscriber,
}

/// An outgoing webhook endpoint.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: WebhookEndpointId,
    /// Where requests are `POST`ed (`http` or `https`).
    pub url: String,
    /// The signing secret: `whsec_` and base64, as Standard Webhooks defines it.
    pub secret: String,
    /// What it is for, for operators.
    pub description: Option<String>,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret signs requests: never in logs.
        f.debug_struct("WebhookEndpoint").field("id", &self.id).field("url", &self.url).finish_non_exhaustive()
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryStatus {
    /// Waiting to be delivered (or retried).
    Pending,
    /// Delivered: the consumer accepted it.
    Delivered,
    /// Given up on after too many attempts.
    Dead,
}

/// One event on its way to one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The delivery's number in the store.
    pub id: i64,
    /// The consumer.
    pub consumer_id: String,
    /// The event.
    pub event: DomainEvent,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far (a claim counts as one).
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_as_standard_webhooks_payloads() {
        let event = DomainEvent {
            id: EventId::parse("evt_1").unwrap(),
            at: time::macros::datetime!(2026-12-03 10:00 UTC),
            data: EventData::OrderPaid {
                order_id: OrderId::parse("ord_1").unwrap(),
                total: Money::from_minor(17_372, crate::Currency::USD),
            },
        };
        let json = event.to_json().unwrap();
        assert_eq!(
            json,
            r#"{"id":"evt_1","timestamp":"2026-12-03T10:00:00Z","type":"order.paid","data":{"order_id":"ord_1","total":{"amount":"173.72","currency":"USD"}}}"#
        );
        assert_eq!(serde_json::from_str::<DomainEvent>(&json).unwrap(), event);
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
    }
}
