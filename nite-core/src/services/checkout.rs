//! `CheckoutService`: turning a cart into an order, exactly once per cart and per idempotency key.

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::cart::CartState;
use crate::error::{Error, FieldError, Result};
use crate::events::{DomainEvent, EventData};
use crate::order::{Actor, AwaitingPayment, Order, OrderLine, OrderState, PaymentRecord, Status};
use crate::payment::{CreatePayment, ProviderPayment};
use crate::ports::{IdempotencyRecord, LowStock, PlaceOrder, Placed, PromotionUse};
use crate::services::cart::{CartView, customer_key};
use crate::services::payments::paid_effects;
use crate::services::{CartService, Change, ShopContext, Viewer, change_order};
use crate::{CartId, EventId, IdGeneratorExt, OrderId};

/// A placed order and the payment the customer is to complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutOutcome {
    /// The order, `pending_payment` (or further along, when a retry finds it so).
    pub order: Order,
    /// Its payment at the provider, with what the client needs to complete it; `None` for an order that costs
    /// nothing, which is paid at once without asking the provider.
    pub payment: Option<ProviderPayment>,
    /// The order's access token (a guest's way to read the order), returned by the checkout that created the
    /// order only: it is stored as a hash.
    pub access_token: Option<String>,
}

/// An `Idempotency-Key` and a digest of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The client's key.
    pub key: String,
    /// A digest of the request (method, path, body), so that a reused key with another request is refused.
    pub fingerprint: String,
}

/// The idempotency scope of checkouts.
const SCOPE: &str = "checkout";

/// How many times checkout re-prices after a promotion ran out between pricing and placing.
const PRICE_ATTEMPTS: usize = 3;

/// Checkout.
#[derive(Clone)]
pub struct CheckoutService {
    ctx: ShopContext,
    carts: CartService,
}

impl CheckoutService {
    /// A checkout service over `ctx`.
    pub fn new(ctx: ShopContext) -> CheckoutService {
        CheckoutService { carts: CartService::new(ctx.clone()), ctx }
    }

    /// Checks the cart out: re-prices it from the catalog, then in one storage call reserves its stock, counts its
    /// promotions, freezes it and creates the order `pending_payment`; then creates the order's payment with the
    /// provider, keyed by the order, so a retry can never create a second one. With an idempotency key, a retry
    /// (even a concurrent one) answers with the same order and payment; the key with another request is
    /// `IdempotencyKeyReused`. If the provider fails after the order is placed, the order waits for its payment: a
    /// retry with the same key creates it, and the reservation sweeper releases the stock if nobody does.
    ///
    /// The shopper is never charged a total they were not shown: if the re-priced total differs from the one the
    /// cart's last change answered with (a price, a promotion or a code's last use changed in between), nothing is
    /// placed, the new total becomes the one shown, and the answer is `CartChanged`; checking out again confirms
    /// it. (A cart written to the store directly, never changed through [`CartService`], has no shown total and is
    /// not checked.) An order whose
    /// total is zero is paid at once, without a payment at the provider. A client (the viewer's
    /// [`Viewer::visitor`]) holds at most `max_pending_orders` unpaid orders, each of at most `max_order_units`
    /// units; a guest's reservation lasts `guest_reservation_ttl`.
    pub async fn checkout(
        &self,
        cart_id: &CartId,
        viewer: &Viewer,
        key: Option<&IdempotencyKey>,
    ) -> Result<CheckoutOutcome> {
        let (order, access_token) = self.place(cart_id, viewer, key).await?;
        let mut outcome = self.with_payment(order).await?;
        outcome.access_token = access_token;
        Ok(outcome)
    }

    /// The order's payment: retrieved if the order has one, else created (idempotently) and attached. A free order
    /// is paid at once instead.
    async fn with_payment(&self, mut order: Order) -> Result<CheckoutOutcome> {
        let provider = &self.ctx.payments;
        if let Some(id) = &order.payment.payment_id {
            let payment = provider.payment(id).await?;
            return Ok(CheckoutOutcome { order, payment: Some(payment), access_token: None });
        }
        if order.payment.amount.is_zero() {
            let order = self.pay_free(&order.id).await?;
            return Ok(CheckoutOutcome { order, payment: None, access_token: None });
        }
        let request = CreatePayment {
            order_id: order.id.clone(),
            amount: order.payment.amount,
            email: order.email.clone(),
            capture: self.ctx.settings.capture,
            idempotency_key: format!("nite-order-{}", order.id),
        };
        let payment = provider.create_payment(&request).await?;
        self.ctx.stores.orders.attach_payment(&order.id, provider.name(), &payment.id).await?;
        order.payment.provider = Some(provider.name().to_owned());
        order.payment.payment_id = Some(payment.id.clone());
        Ok(CheckoutOutcome { order, payment: Some(payment), access_token: None })
    }

    /// Pays an order that costs nothing: no provider is asked (Stripe refuses a zero amount).
    async fn pay_free(&self, id: &OrderId) -> Result<Order> {
        let now = self.ctx.clock.now();
        let (order, _) = change_order(&self.ctx, id, None, |order| {
            if order.state() != OrderState::PendingPayment {
                return Ok(Change::Unchanged);
            }
            let zero = order.payment.amount;
            order.mark_paid(zero, now, Actor::System)?;
            Ok(Change::Changed(paid_effects(&self.ctx, order, now)))
        })
        .await?;
        Ok(order)
    }

    /// Places the order; the token is `Some` only when this call created it.
    async fn place(
        &self,
        cart_id: &CartId,
        viewer: &Viewer,
        key: Option<&IdempotencyKey>,
    ) -> Result<(Order, Option<String>)> {
        // A retried request finds its cart checked out (below) or its key taken (in `place_order`), and answers
        // from the key then; a first request pays for no extra lookup.
        for _ in 0..PRICE_ATTEMPTS {
            let view = self.carts.view(cart_id, viewer).await?;
            if view.cart.state != CartState::Open {
                // A concurrent request with the same key may have checked this cart out since we looked.
                if let Some(key) = key
                    && let Some(replayed) = self.replay(key).await?
                {
                    return Ok(replayed);
                }
                return Err(Error::CartNotOpen);
            }
            self.check_shipping(&view).await?;
            let total = view.priced.totals.total;
            if let Some(shown) = view.cart.shown_total
                && shown != total
            {
                self.carts.shown(&view.cart, total).await?;
                return Err(Error::CartChanged { shown, now: total });
            }
            let mut order = self.order_from(&view, viewer)?;
            let token = self.ctx.ids.secret_token();
            order.access_token_hash = Some(crate::order::token_hash(&token));
            let uses = promotion_uses(&view);
            let record = key.map(|k| IdempotencyRecord {
                scope: SCOPE.to_owned(),
                key: k.key.clone(),
                fingerprint: k.fingerprint.clone(),
                resource_id: order.id.to_string(),
                // A retry with the key must get the token too: its first response may never have arrived.
                response: Some(token.clone()),
                created_at: order.created_at,
            });
            let started = AnalyticsEvent {
                quantity: order.lines.iter().map(|l| l.quantity.get()).sum(),
                amount: Some(order.totals.total),
                ..AnalyticsEvent::of_order(EventKind::CheckoutStarted, &order, order.created_at)
            };
            let placed = DomainEvent::new(
                &*self.ctx.ids,
                order.created_at,
                EventData::OrderPlaced {
                    order_id: order.id.clone(),
                    customer_id: order.customer_id.clone(),
                    email: order.email.clone(),
                    total: order.totals.total,
                },
            );
            let reservations = order.units_by_sku();
            let low_ids: Vec<EventId> = reservations.iter().map(|_| self.ctx.ids.new_id()).collect();
            let request = PlaceOrder {
                order: &order,
                cart_version: view.cart.version,
                reservations: &reservations,
                promotion_uses: &uses,
                idempotency: record.as_ref(),
                events: std::slice::from_ref(&started),
                max_pending: order.client.as_ref().map(|_| self.ctx.settings.max_pending_orders),
                domain_events: std::slice::from_ref(&placed),
                low_stock: Some(LowStock { at: self.ctx.settings.low_stock_at, ids: &low_ids, now: order.created_at }),
            };
            match self.ctx.stores.orders.place_order(request).await {
                Ok(Placed::Created) => return Ok((order, Some(token))),
                Ok(Placed::Replayed(_)) => {
                    if let Some(replayed) = self.replay(key.ok_or(Error::Conflict("idempotency key"))?).await? {
                        return Ok(replayed);
                    }
                    return Err(Error::Conflict("idempotency key"));
                }
                Err(Error::CartNotOpen) if key.is_some() => continue,
                // The promotion's last use went to another order, or the cart changed since it was priced: price it
                // again.
                Err(Error::PromotionExhausted(_) | Error::Conflict("cart")) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict("cart"))
    }

    /// The chosen rate must still be quoted, at the same price: a shopper never pays a price they did not see.
    async fn check_shipping(&self, view: &CartView) -> Result<()> {
        let Some(chosen) = &view.cart.shipping else { return Ok(()) };
        if view.cart.shipping_address.is_none() {
            return Ok(());
        }
        let rates = self.carts.quote(view).await?;
        match rates.iter().find(|r| r.id == chosen.id) {
            Some(rate) if rate.amount == chosen.amount => Ok(()),
            Some(_) => Err(Error::invalid("shipping_option", "its price changed since it was chosen: choose again")),
            None => Err(Error::invalid("shipping_option", "is no longer offered: choose again")),
        }
    }

    /// The order (and its access token) a key was used for.
    async fn replay(&self, key: &IdempotencyKey) -> Result<Option<(Order, Option<String>)>> {
        let Some(record) = self.ctx.stores.idempotency.idempotency(SCOPE, &key.key).await? else { return Ok(None) };
        if record.fingerprint != key.fingerprint {
            return Err(Error::IdempotencyKeyReused);
        }
        let id = OrderId::parse(&record.resource_id).map_err(|e| Error::adapter("reading an idempotency record", e))?;
        Ok(Some((self.load(&id).await?, record.response)))
    }

    async fn load(&self, id: &OrderId) -> Result<Order> {
        self.ctx.stores.orders.order(id).await?.ok_or_else(|| Error::not_found("order", id))
    }

    /// The order a priced cart becomes, or every reason it cannot be checked out yet.
    fn order_from(&self, view: &CartView, viewer: &Viewer) -> Result<Order> {
        let cart = &view.cart;
        let mut problems = Vec::new();
        if cart.lines.is_empty() {
            problems.push(FieldError::new("lines", "the cart is empty"));
        }
        for line in &view.unavailable {
            problems.push(FieldError::new("lines", format!("line {line} is no longer sold")));
        }
        if cart.email.is_none() {
            problems.push(FieldError::new("email", "is required"));
        }
        if cart.shipping_address.is_none() {
            problems.push(FieldError::new("shipping_address", "is required"));
        }
        if cart.shipping.is_none() {
            problems.push(FieldError::new("shipping_option", "is required"));
        }
        let units: u64 = cart.lines.iter().map(|l| u64::from(l.quantity.get())).sum();
        let max_units = self.ctx.settings.max_order_units;
        if units > u64::from(max_units) {
            problems.push(FieldError::new("lines", format!("at most {max_units} units per order")));
        }
        let (Some(email), Some(shipping_address)) = (&cart.email, &cart.shipping_address) else {
            return Err(Error::Validation(problems));
        };
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        let now = self.ctx.clock.now();
        let settings = &self.ctx.settings;
        let hold = if cart.customer_id.is_some() { settings.reservation_ttl } else { settings.guest_reservation_ttl };
        let priced = &view.priced;
        let lines = view.items.iter().zip(&priced.lines).map(|(item, p)| OrderLine::new(item, p)).collect();
        let id: OrderId = self.ctx.ids.new_id();
        Ok(Order {
            id,
            cart_id: cart.id.clone(),
            customer_id: cart.customer_id.clone(),
            email: email.clone(),
            currency: cart.currency,
            lines,
            shipping_address: shipping_address.clone(),
            billing_address: cart.billing_address.clone().unwrap_or_else(|| shipping_address.clone()),
            shipping_method: cart.shipping.clone(),
            shipping: priced.shipping.clone(),
            totals: priced.totals.clone(),
            promotions: priced.applied.clone(),
            status: Status::PendingPayment(AwaitingPayment { expires_at: now + hold }),
            payment: PaymentRecord::pending(priced.totals.total),
            refunds: Vec::new(),
            access_token_hash: None,
            client: viewer.visitor(),
            history: vec![crate::order::HistoryEntry {
                from: None,
                to: crate::order::OrderState::PendingPayment,
                at: now,
                actor: match &cart.customer_id {
                    Some(id) => crate::order::Actor::Customer(id.clone()),
                    None => crate::order::Actor::Guest,
                },
                reason: None,
            }],
            version: 0,
            created_at: now,
            updated_at: now,
        })
    }
}

/// The promotion uses an order counts: one per applied promotion that has a usage limit (the others need no count,
/// and counting them would cost statements on every checkout).
fn promotion_uses(view: &CartView) -> Vec<PromotionUse> {
    let key = customer_key(view.cart.customer_id.as_ref(), view.cart.email.as_ref());
    view.priced
        .applied
        .iter()
        .filter(|a| view.limited.contains(&a.promotion_id))
        .map(|a| PromotionUse { promotion_id: a.promotion_id.clone(), customer_key: key.clone() })
        .collect()
}
