//! `EventDispatcher`: delivers domain events to their consumers, at least once. Each pass fans new events out into
//! one delivery per consumer that takes them, leases a batch of due deliveries, hands each to its subscriber or
//! webhook endpoint, and records the outcome: delivered, retried later with backoff, or given up on. Leases make
//! two dispatchers (in one process or many) never hold the same delivery; a dispatcher that dies mid-delivery lets
//! its lease run out, and the delivery is made again with the same event id.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::Duration;

use crate::error::{Error, Result};
use crate::events::{ConsumerTarget, Delivery, DomainEvent, EventConsumer, EventType, WebhookEndpoint};
use crate::services::ShopContext;

/// An embedder's reaction to domain events, in Rust. Delivered at least once: a subscriber that must act once
/// deduplicates on [`DomainEvent::id`] (a unique key in its own store does it).
#[async_trait]
pub trait EventSubscriber: Send + Sync {
    /// A stable name: deliveries are kept per name, across restarts and processes.
    fn name(&self) -> &str;

    /// The types it takes; empty (the default) for every type.
    fn types(&self) -> Vec<EventType> {
        Vec::new()
    }

    /// Handles one event. An error is retried later with backoff (the same event, the same id).
    async fn handle(&self, event: &DomainEvent) -> Result<()>;
}

/// Sends one event to a webhook endpoint: the port behind outgoing webhooks (`nite_webhooks::HttpWebhookSender`
/// signs it per the Standard Webhooks specification). `Ok` only when the endpoint accepted it (a `2xx`).
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs `body` (the event's JSON) to `endpoint`, signed with its secret under the event's id and `timestamp`.
    async fn send(&self, endpoint: &WebhookEndpoint, event: &DomainEvent, body: &str) -> Result<()>;
}

/// How a dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Names the dispatcher in leases (unique per process).
    pub id: String,
    /// How long a claimed delivery is the dispatcher's before another may take it.
    pub lease: Duration,
    /// Events fanned out and deliveries claimed per pass.
    pub batch: u32,
    /// Attempts before a delivery is given up on.
    pub max_attempts: u32,
    /// The first retry's delay; each later one doubles, up to `max_backoff`.
    pub backoff: Duration,
    /// The longest delay between attempts.
    pub max_backoff: Duration,
}

impl Default for DispatchOptions {
    fn default() -> DispatchOptions {
        DispatchOptions {
            id: format!("events-{}", std::process::id()),
            lease: Duration::minutes(2),
            batch: 50,
            max_attempts: 12,
            backoff: Duration::seconds(10),
            max_backoff: Duration::hours(1),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchPass {
    /// Events fanned out to their consumers.
    pub fanned_out: u32,
    /// Deliveries made.
    pub delivered: usize,
    /// Deliveries that failed and wait for a retry.
    pub retried: usize,
    /// Deliveries given up on.
    pub dead: usize,
}

/// Delivers domain events to subscribers and webhook endpoints.
#[derive(Clone)]
pub struct EventDispatcher {
    ctx: ShopContext,
    subscribers: HashMap<String, Arc<dyn EventSubscriber>>,
    webhooks: Option<Arc<dyn WebhookSender>>,
    options: DispatchOptions,
}

impl EventDispatcher {
    /// A dispatcher over the shop's event store, with no subscribers and no webhook sender yet.
    pub fn new(ctx: ShopContext, options: DispatchOptions) -> EventDispatcher {
        EventDispatcher { ctx, subscribers: HashMap::new(), webhooks: None, options }
    }

    /// Adds a subscriber (call [`EventDispatcher::register`] before the first pass).
    pub fn subscribe(mut self, subscriber: Arc<dyn EventSubscriber>) -> EventDispatcher {
        self.subscribers.insert(EventConsumer::subscriber_id(subscriber.name()), subscriber);
        self
    }

    /// Sends webhooks with `sender`; without one, webhook deliveries wait for a dispatcher that has one.
    pub fn webhooks(mut self, sender: Arc<dyn WebhookSender>) -> EventDispatcher {
        self.webhooks = Some(sender);
        self
    }

    /// Records every subscriber as a consumer, so that events written from now on (even while no process runs)
    /// are kept for it. A subscriber already registered keeps its deliveries; its types are updated.
    pub async fn register(&self) -> Result<()> {
        let existing = self.ctx.stores.events.consumers().await?;
        for (id, subscriber) in &self.subscribers {
            let created_at =
                existing.iter().find(|c| &c.id == id).map_or_else(|| self.ctx.clock.now(), |c| c.created_at);
            let consumer = EventConsumer {
                id: id.clone(),
                types: subscriber.types(),
                enabled: true,
                target: ConsumerTarget::Subscriber,
                created_at,
            };
            self.ctx.stores.events.save_consumer(&consumer).await?;
        }
        Ok(())
    }

    /// One pass: fan out new events, claim a batch of due deliveries to the consumers this dispatcher serves, and
    /// deliver them.
    pub async fn run_once(&self) -> Result<DispatchPass> {
        let events = &self.ctx.stores.events;
        let mut pass = DispatchPass {
            fanned_out: events.fan_out(self.ctx.clock.now(), self.options.batch).await?,
            ..DispatchPass::default()
        };
        let consumers: HashMap<String, EventConsumer> = events
            .consumers()
            .await?
            .into_iter()
            .filter(|c| match c.target {
                ConsumerTarget::Webhook(_) => self.webhooks.is_some(),
                ConsumerTarget::Subscriber => self.subscribers.contains_key(&c.id),
            })
            .map(|c| (c.id.clone(), c))
            .collect();
        if consumers.is_empty() {
            return Ok(pass);
        }
        let ids: Vec<String> = consumers.keys().cloned().collect();
        let (worker, now) = (&self.options.id, self.ctx.clock.now());
        let claimed = events.claim_deliveries(&ids, worker, now, self.options.lease, self.options.batch).await?;
        for delivery in claimed {
            let outcome = match consumers.get(&delivery.consumer_id) {
                Some(consumer) => self.deliver(consumer, &delivery.event).await,
                None => Err(Error::adapter("delivering an event", "its consumer is gone")),
            };
            match outcome {
                Ok(()) => {
                    events.delivery_done(delivery.id, worker, self.ctx.clock.now()).await?;
                    pass.delivered += 1;
                }
                Err(error) => {
                    let text = format!("{error:#}");
                    let retry_at = (delivery.attempts < self.options.max_attempts)
                        .then(|| self.ctx.clock.now() + backoff(&self.options, &delivery));
                    if retry_at.is_some() {
                        tracing::warn!(event = %delivery.event.id, consumer = %delivery.consumer_id, attempts = delivery.attempts, error = %text, "event delivery failed; will retry");
                        pass.retried += 1;
                    } else {
                        tracing::error!(event = %delivery.event.id, consumer = %delivery.consumer_id, attempts = delivery.attempts, error = %text, "event delivery given up on");
                        pass.dead += 1;
                    }
                    events.delivery_failed(delivery.id, worker, &text, retry_at).await?;
                }
            }
        }
        Ok(pass)
    }

    async fn deliver(&self, consumer: &EventConsumer, event: &DomainEvent) -> Result<()> {
        match (&consumer.target, &self.webhooks) {
            (ConsumerTarget::Subscriber, _) => match self.subscribers.get(&consumer.id) {
                Some(subscriber) => subscriber.handle(event).await,
                None => Err(Error::adapter("delivering an event", "no such subscriber in this process")),
            },
            (ConsumerTarget::Webhook(endpoint), Some(sender)) => sender.send(endpoint, event, &event.to_json()?).await,
            (ConsumerTarget::Webhook(_), None) => Err(Error::adapter("delivering an event", "no webhook sender")),
        }
    }
}

/// The delay before attempt `attempts + 1`: `backoff × 2^(attempts − 1)`, at most `max_backoff`.
fn backoff(options: &DispatchOptions, delivery: &Delivery) -> Duration {
    let doublings = delivery.attempts.saturating_sub(1).min(20);
    let delay = options.backoff.saturating_mul(1_i32 << doublings);
    delay.min(options.max_backoff)
}

/// A new outgoing webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    /// Where requests are `POST`ed: an `http` or `https` URL.
    pub url: String,
    /// The types it receives; empty for every type.
    pub types: Vec<EventType>,
    /// What it is for.
    pub description: Option<String>,
}

/// A change to an endpoint: each field set is replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointPatch {
    /// A new URL.
    pub url: Option<String>,
    /// New types (empty for every type).
    pub types: Option<Vec<EventType>>,
    /// A new description.
    pub description: Option<Option<String>>,
    /// Enables or disables it.
    pub enabled: Option<bool>,
}

/// Outgoing webhook endpoints, for administrators: what an operator configures and what was delivered.
#[derive(Clone)]
pub struct WebhookService {
    ctx: ShopContext,
}

impl WebhookService {
    /// A webhook service over `ctx`.
    pub fn new(ctx: ShopContext) -> WebhookService {
        WebhookService { ctx }
    }

    fn admin(viewer: &crate::services::Viewer, id: &str) -> Result<()> {
        if viewer.is_admin() { Ok(()) } else { Err(Error::not_found("webhook endpoint", id)) }
    }

    /// Creates an endpoint with a new signing secret (`whsec_…`, 160 random bits), enabled.
    pub async fn create(&self, viewer: &crate::services::Viewer, new: NewEndpoint) -> Result<EventConsumer> {
        Self::admin(viewer, "new")?;
        let id: crate::WebhookEndpointId = crate::IdGeneratorExt::new_id(&*self.ctx.ids);
        let endpoint = WebhookEndpoint {
            id: id.clone(),
            url: checked_url(&new.url)?,
            // 32 base32 symbols are 32 base64 symbols too: the secret decodes to 24 bytes holding 160 random bits.
            secret: format!("whsec_{}", self.ctx.ids.secret_token()),
            description: checked_description(new.description)?,
        };
        let consumer = EventConsumer {
            id: id.to_string(),
            types: deduped(new.types),
            enabled: true,
            target: ConsumerTarget::Webhook(endpoint),
            created_at: self.ctx.clock.now(),
        };
        self.ctx.stores.events.save_consumer(&consumer).await?;
        Ok(consumer)
    }

    /// Every endpoint, oldest first.
    pub async fn endpoints(&self, viewer: &crate::services::Viewer) -> Result<Vec<EventConsumer>> {
        Self::admin(viewer, "all")?;
        let all = self.ctx.stores.events.consumers().await?;
        Ok(all.into_iter().filter(|c| matches!(c.target, ConsumerTarget::Webhook(_))).collect())
    }

    /// One endpoint.
    pub async fn endpoint(
        &self,
        viewer: &crate::services::Viewer,
        id: &crate::WebhookEndpointId,
    ) -> Result<EventConsumer> {
        Self::admin(viewer, id.as_str())?;
        match self.ctx.stores.events.consumer(id.as_str()).await? {
            Some(consumer) if matches!(consumer.target, ConsumerTarget::Webhook(_)) => Ok(consumer),
            _ => Err(Error::not_found("webhook endpoint", id)),
        }
    }

    /// Changes an endpoint's URL, types, description or whether it is enabled. Its secret and deliveries stay.
    pub async fn update(
        &self,
        viewer: &crate::services::Viewer,
        id: &crate::WebhookEndpointId,
        patch: EndpointPatch,
    ) -> Result<EventConsumer> {
        let mut consumer = self.endpoint(viewer, id).await?;
        if let ConsumerTarget::Webhook(endpoint) = &mut consumer.target {
            if let Some(url) = &patch.url {
                endpoint.url = checked_url(url)?;
            }
            if let Some(description) = patch.description {
                endpoint.description = checked_description(description)?;
            }
        }
        if let Some(types) = patch.types {
            consumer.types = deduped(types);
        }
        if let Some(enabled) = patch.enabled {
            consumer.enabled = enabled;
        }
        self.ctx.stores.events.save_consumer(&consumer).await?;
        Ok(consumer)
    }

    /// Removes an endpoint and what was still to be delivered to it.
    pub async fn delete(&self, viewer: &crate::services::Viewer, id: &crate::WebhookEndpointId) -> Result<()> {
        self.endpoint(viewer, id).await?;
        self.ctx.stores.events.delete_consumer(id.as_str()).await?;
        Ok(())
    }

    /// An endpoint's deliveries, newest event first: the event, attempts, the last error, when it was delivered.
    pub async fn deliveries(
        &self,
        viewer: &crate::services::Viewer,
        id: &crate::WebhookEndpointId,
        limit: crate::ports::Limit,
    ) -> Result<Vec<Delivery>> {
        self.endpoint(viewer, id).await?;
        self.ctx.stores.events.deliveries(id.as_str(), limit).await
    }
}

/// An endpoint's URL: `http` or `https`, a host, at most 2,000 characters, no spaces or credentials.
fn checked_url(url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    let valid = url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && host.is_some_and(|h| !h.is_empty() && !h.contains('@'));
    if valid { Ok(url.to_owned()) } else { Err(Error::invalid("url", "must be an http or https URL with a host")) }
}

fn checked_description(description: Option<String>) -> Result<Option<String>> {
    match description.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) {
        Some(d) if d.chars().count() > 500 => Err(Error::invalid("description", "at most 500 characters")),
        other => Ok(other),
    }
}

fn deduped(mut types: Vec<EventType>) -> Vec<EventType> {
    types.sort();
    types.dedup();
    types
}
