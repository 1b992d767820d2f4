//! Use cases: the services a shop runs, over ports only. Each method is one thing a person or a provider does (add
//! to cart, check out, pay, ship), and returns a typed [`Error`](crate::Error) when it cannot.

mod cart;
mod catalog;
mod checkout;
mod customers;
mod events;
mod fulfilment;
mod merchandising;
mod orders;
mod payments;
mod reviews;
mod sales;
mod sessions;
mod sweeper;

pub use cart::{CartService, CartView};
pub use catalog::{CatalogService, ProductView};
pub use checkout::{CheckoutOutcome, CheckoutService, IdempotencyKey};
pub use customers::CustomerService;
pub use events::{
    DispatchOptions, DispatchPass, EndpointPatch, EventDispatcher, EventSubscriber, NewEndpoint, WebhookSender,
    WebhookService,
};
pub use fulfilment::FulfilmentService;
pub use merchandising::{
    MAX_SAMPLE_LINES, MAX_VARIANTS, MerchandisingService, ProductDraft, PromotionDraft, PromotionPreview, SampleCart,
    VariantDraft,
};
pub use orders::OrderService;
pub use payments::{EventOutcome, PaymentEventService};
pub use reviews::{NewReview, ReviewService};
pub use sales::SalesService;
pub use sessions::{MIN_PASSWORD_CHARS, Passwords, Session, SessionService};
pub use sweeper::ReservationSweeper;

use std::sync::Arc;

use time::Duration;

use crate::cart::MergePolicy;
use crate::customer::Role;
use crate::ports::Stores;
use crate::pricing::PricePolicy;
use crate::tax::TaxRules;
use crate::{Clock, Currency, CustomerId, IdGenerator, Quantity};

/// How the shop is set up: what its services need beyond the ports.
#[derive(Debug, Clone)]
pub struct ShopSettings {
    /// The currency carts are priced in unless they ask for another.
    pub currency: Currency,
    /// Prices with or without tax, tax rounding, rounding mode.
    pub policy: PricePolicy,
    /// Tax rules.
    pub tax_rules: TaxRules,
    /// How long a signed-in customer's unpaid order holds its stock.
    pub reservation_ttl: Duration,
    /// How long a guest's unpaid order holds its stock: shorter, since a guest costs nothing to be.
    pub guest_reservation_ttl: Duration,
    /// The most units one order may hold, all lines together.
    pub max_order_units: u32,
    /// The most unpaid orders one client (customer, or guest client key) may hold at once.
    pub max_pending_orders: u32,
    /// The most units of one SKU a cart line may hold.
    pub max_line_quantity: Quantity,
    /// How a guest cart merges into a customer's when the guest signs in.
    pub merge_policy: MergePolicy,
    /// When payments are captured.
    pub capture: crate::payment::CaptureMethod,
    /// A SKU with this many units available or fewer is low on stock ([`StockLevel::is_low`]).
    ///
    /// [`StockLevel::is_low`]: crate::inventory::StockLevel::is_low
    pub low_stock_at: u32,
}

impl Default for ShopSettings {
    fn default() -> ShopSettings {
        ShopSettings {
            currency: Currency::USD,
            policy: PricePolicy::default(),
            tax_rules: TaxRules::none(),
            reservation_ttl: Duration::minutes(30),
            guest_reservation_ttl: Duration::minutes(15),
            max_order_units: 50,
            max_pending_orders: 3,
            max_line_quantity: Quantity::new(99).unwrap_or(Quantity::ONE),
            merge_policy: MergePolicy::default(),
            capture: crate::payment::CaptureMethod::default(),
            low_stock_at: 5,
        }
    }
}

/// What every service is built from: the ports, the clock, the id generator and the settings.
#[derive(Clone)]
pub struct ShopContext {
    /// The storage ports.
    pub stores: Stores,
    /// The payment provider.
    pub payments: Arc<dyn crate::payment::PaymentProvider>,
    /// The shipping provider.
    pub shipping: Arc<dyn crate::shipping::ShippingProvider>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The id generator.
    pub ids: Arc<dyn IdGenerator>,
    /// The settings.
    pub settings: Arc<ShopSettings>,
}

/// Who is asking: a guest, a customer, or an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The signed-in customer, if any.
    pub customer_id: Option<CustomerId>,
    /// Their role.
    pub role: Role,
    /// A pseudonymous key of the client (the server derives it from the client's address), for per-client limits
    /// and analytics; `None` when the caller has none.
    pub client: Option<String>,
}

impl Viewer {
    /// Nobody signed in.
    pub fn guest() -> Viewer {
        Viewer { customer_id: None, role: Role::Customer, client: None }
    }

    /// A signed-in customer.
    pub fn customer(id: CustomerId) -> Viewer {
        Viewer { customer_id: Some(id), role: Role::Customer, client: None }
    }

    /// An administrator.
    pub fn admin(id: CustomerId) -> Viewer {
        Viewer { customer_id: Some(id), role: Role::Admin, client: None }
    }

    /// The same viewer, from the client `key`.
    #[must_use]
    pub fn with_client(mut self, key: impl Into<String>) -> Viewer {
        self.client = Some(key.into());
        self
    }

    /// Who this is for per-client limits and analytics: the client key when the caller has one (so a visitor who
    /// browses as a guest and buys signed in is one visitor, and one client's unpaid orders are counted together
    /// whoever is signed in), else the signed-in customer's id.
    pub fn visitor(&self) -> Option<String> {
        self.client.clone().or_else(|| self.customer_id.as_ref().map(ToString::to_string))
    }

    /// Whether this viewer is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the viewer may see something owned by `owner`; `None` means a guest's, open to whoever holds its id.
    pub fn may_see(&self, owner: Option<&CustomerId>) -> bool {
        self.is_admin() || owner.is_none() || owner == self.customer_id.as_ref()
    }

    /// Whether the viewer owns something owned by `owner` (a guest's thing is nobody's), or is an administrator.
    pub fn owns(&self, owner: Option<&CustomerId>) -> bool {
        self.is_admin() || (owner.is_some() && owner == self.customer_id.as_ref())
    }

    /// The actor to record in an order's history.
    pub fn actor(&self) -> crate::order::Actor {
        match (&self.customer_id, self.role) {
            (Some(id), Role::Admin) => crate::order::Actor::Admin(id.clone()),
            (Some(id), Role::Customer) => crate::order::Actor::Customer(id.clone()),
            (None, _) => crate::order::Actor::Guest,
        }
    }
}

/// How many times a service retries a save that lost a race before giving up with `Conflict`.
const SAVE_ATTEMPTS: usize = 5;

/// What one order transition does besides changing the order.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    stock: crate::inventory::StockEffect,
    outbox: Vec<crate::outbox::OutboxMessage>,
    events: Vec<crate::analytics::AnalyticsEvent>,
}

/// Whether a change to an order happened.
pub(crate) enum Change {
    /// The order changed; save it with these effects.
    Changed(Effects),
    /// Nothing to do (a replayed or stale event); only remember the event.
    Unchanged,
}

/// What [`change_order`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The order changed and was saved.
    Changed,
    /// Nothing changed; the inbox entry (if any) was remembered now.
    Unchanged,
    /// The inbox already had the event: nothing changed.
    Duplicate,
}

/// Loads an order, applies `change` and saves it with its effects in one storage call, retrying from a fresh load
/// when another writer saved first. Returns the order as it now is and what happened.
pub(crate) async fn change_order(
    ctx: &ShopContext,
    id: &crate::OrderId,
    inbox: Option<&crate::ports::InboxEntry>,
    change: impl Fn(&mut crate::order::Order) -> crate::Result<Change>,
) -> crate::Result<(crate::order::Order, Outcome)> {
    use crate::ports::{OrderUpdate, Saved};
    for _ in 0..SAVE_ATTEMPTS {
        let mut order = ctx.stores.orders.order(id).await?.ok_or_else(|| crate::Error::not_found("order", id))?;
        let before = (order.state(), order.payment.refunded);
        match change(&mut order)? {
            Change::Unchanged => {
                let fresh = match inbox {
                    Some(entry) => ctx.stores.orders.remember_event(entry).await?,
                    None => true,
                };
                return Ok((order, if fresh { Outcome::Unchanged } else { Outcome::Duplicate }));
            }
            Change::Changed(effects) => {
                let domain_events = transition_events(ctx, before, &order);
                let update = OrderUpdate {
                    order: &order,
                    stock: effects.stock,
                    outbox: &effects.outbox,
                    events: &effects.events,
                    domain_events: &domain_events,
                    inbox,
                };
                match ctx.stores.orders.save_order(update).await {
                    Ok(Saved::Saved) => {
                        order.version += 1;
                        return Ok((order, Outcome::Changed));
                    }
                    Ok(Saved::Duplicate) => return Ok((order, Outcome::Duplicate)),
                    Err(crate::Error::Conflict(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Err(crate::Error::Conflict("order"))
}

/// The domain events of an order's change, read from the change itself (its state `before` and what it had
/// refunded), so that no transition can forget its event: `order.paid`, `order.shipped`, `order.delivered` or
/// `order.cancelled` when the state moved there, and `order.refunded` when the refunded total grew.
fn transition_events(
    ctx: &ShopContext,
    (was, refunded): (crate::order::OrderState, crate::Money),
    order: &crate::order::Order,
) -> Vec<crate::events::DomainEvent> {
    use crate::events::{DomainEvent, EventData};
    use crate::order::OrderState;
    let (now, order_id) = (ctx.clock.now(), order.id.clone());
    let moved = match order.state() {
        state if state == was => None,
        OrderState::PendingPayment => None,
        OrderState::Paid => Some(EventData::OrderPaid { order_id: order_id.clone(), total: order.totals.total }),
        OrderState::Shipped => order.status.shipment().map(|s| EventData::OrderShipped {
            order_id: order_id.clone(),
            carrier: s.carrier.clone(),
            tracking_number: s.tracking_number.clone(),
        }),
        OrderState::Delivered => Some(EventData::OrderDelivered { order_id: order_id.clone() }),
        OrderState::Cancelled => Some(EventData::OrderCancelled { order_id: order_id.clone() }),
    };
    let refunded = order
        .payment
        .refunded
        .checked_sub(refunded)
        .ok()
        .filter(|amount| amount.amount() > rust_decimal::Decimal::ZERO)
        .map(|amount| EventData::OrderRefunded { order_id, amount });
    moved.into_iter().chain(refunded).map(|data| DomainEvent::new(&*ctx.ids, now, data)).collect()
}

/// The outbox message of `notification` about `order`, deduplicated per order (and per `discriminator`).
pub(crate) fn order_message(
    ctx: &ShopContext,
    order: &crate::order::Order,
    notification: crate::outbox::Notification,
    discriminator: &str,
) -> crate::outbox::OutboxMessage {
    let subject = if discriminator.is_empty() { order.id.to_string() } else { format!("{}:{discriminator}", order.id) };
    crate::outbox::OutboxMessage::new(
        crate::IdGeneratorExt::new_id(&*ctx.ids),
        order.email.clone(),
        notification,
        &subject,
        ctx.clock.now(),
    )
}
