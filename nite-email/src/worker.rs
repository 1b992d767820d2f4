//! `OutboxWorker`: sends what the outbox holds. It leases a batch, renders and sends each message, and marks it
//! sent; a failure is retried with exponential backoff and jitter, and after `max_attempts` the message is dead
//! (and logged). A worker that crashes mid-send leaves its lease to expire; another worker then sends the message
//! again, with the same `Message-ID`, so a crash costs at most one duplicate that a receiver can recognise.

use std::sync::Arc;

use nite_core::email::EmailSender;
use nite_core::outbox::{Notification, OutboxMessage};
use nite_core::ports::{CustomerStore, OrderStore, OutboxStore};
use nite_core::{Clock, Error, Result};
use time::Duration;

use crate::render::Renderer;

/// How a worker behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOptions {
    /// Names the worker in leases (unique per process).
    pub id: String,
    /// How long a claimed message is the worker's before another may take it.
    pub lease: Duration,
    /// Messages claimed at a time.
    pub batch: u32,
    /// Attempts before a message is given up on.
    pub max_attempts: u32,
    /// The first retry's delay; each later one doubles, up to `max_backoff`.
    pub backoff: Duration,
    /// The longest delay between attempts.
    pub max_backoff: Duration,
}

impl Default for WorkerOptions {
    fn default() -> WorkerOptions {
        WorkerOptions {
            id: format!("worker-{}", std::process::id()),
            lease: Duration::minutes(2),
            batch: 20,
            max_attempts: 8,
            backoff: Duration::seconds(30),
            max_backoff: Duration::hours(1),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Sent.
    pub sent: usize,
    /// Failed, to be retried.
    pub retried: usize,
    /// Given up on.
    pub dead: usize,
}

/// Sends the outbox.
pub struct OutboxWorker {
    outbox: Arc<dyn OutboxStore>,
    orders: Arc<dyn OrderStore>,
    customers: Arc<dyn CustomerStore>,
    sender: Arc<dyn EmailSender>,
    renderer: Arc<Renderer>,
    clock: Arc<dyn Clock>,
    options: WorkerOptions,
}

/// The delay before attempt `attempts + 1`: `backoff × 2^(attempts − 1)`, at most `max_backoff`, then spread by
/// ±25 % with a jitter drawn from the message id, so messages that failed together do not retry together.
pub fn backoff(options: &WorkerOptions, message: &OutboxMessage) -> Duration {
    let exponent = message.attempts.saturating_sub(1).min(30);
    let base = options.backoff.saturating_mul(1_i32 << exponent.min(30)).min(options.max_backoff);
    let seed = message
        .id
        .as_str()
        .bytes()
        .fold(u64::from(message.attempts), |h, b| h.wrapping_mul(0x100_0000_01b3).wrapping_add(u64::from(b)));
    // A factor from 75 % to 125 %, in whole percent.
    let percent = 75 + i64::try_from(seed % 51).unwrap_or(0);
    Duration::milliseconds(base.whole_milliseconds().try_into().unwrap_or(i64::MAX) / 100 * percent)
}

impl OutboxWorker {
    /// A worker over the stores it reads, sending with `sender`.
    pub fn new(
        outbox: Arc<dyn OutboxStore>,
        orders: Arc<dyn OrderStore>,
        customers: Arc<dyn CustomerStore>,
        sender: Arc<dyn EmailSender>,
        renderer: Arc<Renderer>,
        clock: Arc<dyn Clock>,
        options: WorkerOptions,
    ) -> OutboxWorker {
        OutboxWorker { outbox, orders, customers, sender, renderer, clock, options }
    }

    /// Claims one batch and sends it.
    pub async fn run_once(&self) -> Result<Pass> {
        let now = self.clock.now();
        let claimed = self.outbox.claim_outbox(&self.options.id, now, self.options.lease, self.options.batch).await?;
        let mut pass = Pass::default();
        for message in claimed {
            match self.deliver(&message).await {
                Ok(()) => {
                    self.outbox.outbox_sent(&message.id, &self.options.id, self.clock.now()).await?;
                    pass.sent += 1;
                }
                Err(error) => {
                    let permanent = matches!(error, Error::EmailRejected(_));
                    let retry_at = (!permanent && message.attempts < self.options.max_attempts)
                        .then(|| self.clock.now() + backoff(&self.options, &message));
                    let text = format!("{error:#}");
                    if retry_at.is_some() {
                        tracing::warn!(message = %message.id, attempts = message.attempts, error = %text, "email failed; will retry");
                        pass.retried += 1;
                    } else {
                        tracing::error!(message = %message.id, attempts = message.attempts, error = %text, "email given up on");
                        pass.dead += 1;
                    }
                    self.outbox.outbox_failed(&message.id, &self.options.id, &text, retry_at).await?;
                }
            }
        }
        Ok(pass)
    }

    async fn deliver(&self, message: &OutboxMessage) -> Result<()> {
        let order_id = match &message.notification {
            Notification::OrderConfirmation { order_id }
            | Notification::ShippingNotification { order_id }
            | Notification::Delivered { order_id }
            | Notification::OrderCancelled { order_id }
            | Notification::Refunded { order_id, .. } => Some(order_id),
            Notification::Welcome { .. } | Notification::PasswordReset { .. } => None,
        };
        let customer_id = match &message.notification {
            Notification::Welcome { customer_id } | Notification::PasswordReset { customer_id, .. } => {
                Some(customer_id)
            }
            _ => None,
        };
        let order = match order_id {
            Some(id) => self.orders.order(id).await?,
            None => None,
        };
        let customer = match customer_id {
            Some(id) => self.customers.customer(id).await?,
            None => None,
        };
        let email = self.renderer.render(message, order.as_ref(), customer.as_ref())?;
        self.sender.send(&email).await
    }

    /// Runs passes every `every` until `shutdown` turns true; a pass that finds a full batch runs again at once.
    /// A pass in flight when shutdown comes is finished first, so no message is left half-sent by a clean stop.
    pub async fn run(&self, every: std::time::Duration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let full = match self.run_once().await {
                Ok(pass) => pass.sent + pass.retried + pass.dead >= usize::try_from(self.options.batch).unwrap_or(1),
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "outbox pass failed");
                    false
                }
            };
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}
