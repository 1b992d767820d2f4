//! `Shop`: the composition of ports, providers and services that a server (or an embedder) runs, built with a
//! builder so that a team swaps one provider without forking anything. The builder knows no shop: what it cannot
//! choose neutrally (the stores, shipping, what emails say and how they leave) it asks for, and
//! [`crate::niteputter`] is one complete choice.

use std::sync::Arc;

use nite_core::email::EmailSender;
use nite_core::payment::{PaymentProvider, TestPaymentProvider};
use nite_core::ports::{ReadCache, Stores};
use nite_core::services::{
    CartService, CatalogService, CheckoutService, CustomerService, DispatchOptions, EventDispatcher, EventSubscriber,
    FulfilmentService, MerchandisingService, OrderService, Passwords, PaymentEventService, ReservationSweeper,
    ReviewService, SalesService, SessionService, ShopContext, ShopSettings, WebhookSender, WebhookService,
};
use nite_core::shipping::ShippingProvider;
use nite_core::{Clock, IdGenerator, RandomIds, SystemClock};
use nite_email::{EmailSettings, OutboxWorker, Renderer, WorkerOptions};

use crate::passwords::Argon2Passwords;

/// Everything the shop runs on, and its services.
pub struct Shop {
    /// The shared context.
    pub ctx: ShopContext,
    /// The catalog.
    pub catalog: CatalogService,
    /// Carts.
    pub carts: CartService,
    /// Checkout.
    pub checkout: CheckoutService,
    /// Orders.
    pub orders: OrderService,
    /// Payment events.
    pub payment_events: PaymentEventService,
    /// Fulfilment.
    pub fulfilment: FulfilmentService,
    /// Reviews.
    pub reviews: ReviewService,
    /// Sales.
    pub sales: SalesService,
    /// Customers.
    pub customers: CustomerService,
    /// The reservation sweeper.
    pub sweeper: ReservationSweeper,
    /// Sign-in, sessions, password resets.
    pub sessions: SessionService,
    /// Products and promotions, for administrators.
    pub merchandising: MerchandisingService,
    /// The test provider, when it is the payment provider (enables `test-confirm`).
    pub test_payments: Option<Arc<TestPaymentProvider>>,
    /// Sends email.
    pub email: Arc<dyn EmailSender>,
    /// Renders email.
    pub renderer: Arc<Renderer>,
    /// Outgoing webhook endpoints, for administrators.
    pub webhooks: WebhookService,
    /// The embedder's event subscribers.
    pub subscribers: Vec<Arc<dyn EventSubscriber>>,
    /// Sends outgoing webhooks, when the shop has a sender.
    pub webhook_sender: Option<Arc<dyn WebhookSender>>,
    /// The cache of promotions and products the stores are read through, when the shop has one
    /// ([`ShopBuilder::read_cache`]): clear it when another process changes them.
    pub read_cache: Option<Arc<ReadCache>>,
}

/// Builds a [`Shop`]. Required: [`stores`](ShopBuilder::stores), [`shipping`](ShopBuilder::shipping),
/// [`email_settings`](ShopBuilder::email_settings) and [`email_sender`](ShopBuilder::email_sender). The rest has a
/// neutral default: the test payment provider over the stores, argon2id passwords, the system clock, random ids
/// and [`ShopSettings::default`] (US dollars, no tax rules).
pub struct ShopBuilder {
    stores: Option<Stores>,
    payments: Option<Arc<dyn PaymentProvider>>,
    test_payments: Option<Arc<TestPaymentProvider>>,
    shipping: Option<Arc<dyn ShippingProvider>>,
    email: Option<Arc<dyn EmailSender>>,
    email_settings: Option<EmailSettings>,
    passwords: Option<Arc<dyn Passwords>>,
    subscribers: Vec<Arc<dyn EventSubscriber>>,
    webhook_sender: Option<Arc<dyn WebhookSender>>,
    read_cache: Option<std::time::Duration>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    settings: ShopSettings,
}

impl Shop {
    /// Starts building a shop.
    pub fn builder() -> ShopBuilder {
        ShopBuilder {
            stores: None,
            payments: None,
            test_payments: None,
            shipping: None,
            email: None,
            email_settings: None,
            passwords: None,
            subscribers: Vec::new(),
            webhook_sender: None,
            read_cache: None,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            settings: ShopSettings::default(),
        }
    }
}

/// Why a shop could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShopBuildError {
    /// A required part was not given: `call` is the builder method that gives it.
    #[error("a shop needs {part}: call ShopBuilder::{call}")]
    Missing {
        /// What is missing.
        part: &'static str,
        /// The builder method that sets it.
        call: &'static str,
    },
}

impl ShopBuilder {
    /// The storage ports (required). [`Stores::from_store`] serves every port from one store.
    pub fn stores(mut self, stores: Stores) -> Self {
        self.stores = Some(stores);
        self
    }

    /// Reads promotions and products by SKU (what every cart change prices with) through a cache that keeps them
    /// for `ttl` (none by default): see [`ReadCache`] for what may be stale, for how long, and why a shopper is
    /// never charged differently from what they were shown. A zero `ttl` means no cache.
    pub fn read_cache(mut self, ttl: std::time::Duration) -> Self {
        self.read_cache = Some(ttl);
        self
    }

    /// The payment provider (the test provider by default).
    pub fn payments(mut self, provider: Arc<dyn PaymentProvider>) -> Self {
        self.payments = Some(provider);
        self.test_payments = None;
        self
    }

    /// The test provider as the payment provider, reachable for `test-confirm`.
    pub fn test_payments(mut self, provider: Arc<TestPaymentProvider>) -> Self {
        self.payments = Some(provider.clone());
        self.test_payments = Some(provider);
        self
    }

    /// The shipping provider (required): `nite_shipping::TableRates` from a TOML table, a carrier, or one's own.
    pub fn shipping(mut self, provider: Arc<dyn ShippingProvider>) -> Self {
        self.shipping = Some(provider);
        self
    }

    /// How emails leave (required): SMTP, Postmark, `.eml` files, or one's own [`EmailSender`]. Swapping it keeps
    /// the [`email_settings`](ShopBuilder::email_settings).
    pub fn email_sender(mut self, sender: Arc<dyn EmailSender>) -> Self {
        self.email = Some(sender);
        self
    }

    /// What emails say about the shop (required): its name and URL, the sender and reply-to addresses, the
    /// support address, the `Message-ID` domain.
    pub fn email_settings(mut self, settings: EmailSettings) -> Self {
        self.email_settings = Some(settings);
        self
    }

    /// How passwords are hashed (argon2id by default).
    pub fn passwords(mut self, passwords: Arc<dyn Passwords>) -> Self {
        self.passwords = Some(passwords);
        self
    }

    /// Adds a subscriber to the shop's domain events (see [`Shop::event_dispatcher`]).
    pub fn subscriber(mut self, subscriber: Arc<dyn EventSubscriber>) -> Self {
        self.subscribers.push(subscriber);
        self
    }

    /// Sends outgoing webhooks with `sender` (`nite_webhooks::HttpWebhookSender`); without one, deliveries to
    /// webhook endpoints wait for a process that has one.
    pub fn webhook_sender(mut self, sender: Arc<dyn WebhookSender>) -> Self {
        self.webhook_sender = Some(sender);
        self
    }

    /// The clock (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The id generator (random by default).
    pub fn ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// The shop's settings (currency, prices and tax, reservation time…).
    pub fn settings(mut self, settings: ShopSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Builds the shop.
    pub fn build(self) -> Result<Shop, ShopBuildError> {
        let missing = |part, call| ShopBuildError::Missing { part, call };
        let stores = self.stores.ok_or(missing("its stores", "stores"))?;
        let read_cache = self.read_cache.filter(|ttl| !ttl.is_zero()).map(ReadCache::new);
        let stores = match &read_cache {
            Some(cache) => cache.wrap(stores),
            None => stores,
        };
        let shipping = self.shipping.ok_or(missing("a shipping provider", "shipping"))?;
        let email = self.email.ok_or(missing("an email sender", "email_sender"))?;
        let email_settings = self.email_settings.ok_or(missing("its email settings", "email_settings"))?;
        let (payments, test_payments) = match (self.payments, self.test_payments) {
            (Some(p), t) => (p, t),
            (None, _) => {
                // Its payments live in the shop's store, so they survive restarts and are shared by every process.
                let test = Arc::new(TestPaymentProvider::with_store(stores.test_payments.clone(), self.ids.clone()));
                (test.clone() as Arc<dyn PaymentProvider>, Some(test))
            }
        };
        let ctx = ShopContext {
            stores,
            payments,
            shipping,
            clock: self.clock,
            ids: self.ids,
            settings: Arc::new(self.settings),
        };
        Ok(Shop {
            catalog: CatalogService::new(ctx.clone()),
            merchandising: MerchandisingService::new(ctx.clone()),
            carts: CartService::new(ctx.clone()),
            checkout: CheckoutService::new(ctx.clone()),
            orders: OrderService::new(ctx.clone()),
            payment_events: PaymentEventService::new(ctx.clone()),
            fulfilment: FulfilmentService::new(ctx.clone()),
            reviews: ReviewService::new(ctx.clone()),
            sales: SalesService::new(ctx.clone()),
            customers: CustomerService::new(ctx.clone()),
            sweeper: ReservationSweeper::new(ctx.clone()),
            sessions: SessionService::new(
                ctx.clone(),
                self.passwords.unwrap_or_else(|| Arc::new(Argon2Passwords::default())),
                time::Duration::days(30),
                time::Duration::minutes(30),
            ),
            test_payments,
            email,
            renderer: Arc::new(Renderer::new(email_settings)),
            webhooks: WebhookService::new(ctx.clone()),
            subscribers: self.subscribers,
            webhook_sender: self.webhook_sender,
            read_cache,
            ctx,
        })
    }
}

impl Shop {
    /// The dispatcher of this shop's domain events, with its subscribers and webhook sender: call
    /// [`EventDispatcher::register`] once, then [`EventDispatcher::run_once`] on a timer. Any number may run at
    /// once, in any number of processes: deliveries are leased.
    pub fn event_dispatcher(&self, options: DispatchOptions) -> EventDispatcher {
        let mut dispatcher = EventDispatcher::new(self.ctx.clone(), options);
        for subscriber in &self.subscribers {
            dispatcher = dispatcher.subscribe(subscriber.clone());
        }
        match &self.webhook_sender {
            Some(sender) => dispatcher.webhooks(sender.clone()),
            None => dispatcher,
        }
    }

    /// The outbox worker that delivers this shop's emails: it leases pending messages, renders them with the
    /// shop's [`Renderer`] and sends them with its sender. Run it with [`OutboxWorker::run`] (or one
    /// [`OutboxWorker::run_once`] at a time); any number of workers, in any number of processes, may run at once.
    pub fn outbox_worker(&self, options: WorkerOptions) -> OutboxWorker {
        let stores = &self.ctx.stores;
        OutboxWorker::new(
            stores.outbox.clone(),
            stores.orders.clone(),
            stores.customers.clone(),
            self.email.clone(),
            self.renderer.clone(),
            self.ctx.clock.clone(),
            options,
        )
    }
}
