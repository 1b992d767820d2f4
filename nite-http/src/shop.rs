//! `Shop`: the composition of ports, providers and services that a server (or an embedder) runs, built with a
//! builder so that a team swaps one provider without forking anything.

use std::sync::Arc;

use nite_core::email::EmailSender;
use nite_core::email::Mailbox;
use nite_core::payment::{PaymentProvider, TestPaymentProvider};
use nite_core::ports::Stores;
use nite_core::services::{
    CartService, CatalogService, CheckoutService, CustomerService, FulfilmentService, MerchandisingService,
    OrderService, Passwords, PaymentEventService, ReservationSweeper, ReviewService, SalesService, SessionService,
    ShopContext, ShopSettings,
};
use nite_core::shipping::ShippingProvider;
use nite_core::{Clock, IdGenerator, RandomIds, SystemClock};
use nite_email::{EmailSettings, Renderer};

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
}

/// Builds a [`Shop`]; every part has a default but the stores.
pub struct ShopBuilder {
    stores: Option<Stores>,
    payments: Option<Arc<dyn PaymentProvider>>,
    test_payments: Option<Arc<TestPaymentProvider>>,
    shipping: Option<Arc<dyn ShippingProvider>>,
    email: Option<Arc<dyn EmailSender>>,
    email_settings: Option<EmailSettings>,
    passwords: Option<Arc<dyn Passwords>>,
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
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            settings: ShopSettings { tax_rules: nite_core::seed::niteputter().tax_rules, ..ShopSettings::default() },
        }
    }
}

/// Why a shop could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShopBuildError {
    /// No stores were given.
    #[error("a shop needs its stores: call ShopBuilder::stores")]
    MissingStores,
    /// No email sender was given, and the default one (`.eml` files in `outbox-mail/`) could not make its folder.
    #[error("creating the email folder `outbox-mail`: {0}")]
    EmailFolder(#[source] std::io::Error),
}

impl ShopBuilder {
    /// The storage ports (required).
    pub fn stores(mut self, stores: Stores) -> Self {
        self.stores = Some(stores);
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

    /// The shipping provider (NitePutter's table rates by default).
    pub fn shipping(mut self, provider: Arc<dyn ShippingProvider>) -> Self {
        self.shipping = Some(provider);
        self
    }

    /// The email sender (`.eml` files in `outbox-mail/` by default) and what emails say about the shop.
    pub fn email(mut self, sender: Arc<dyn EmailSender>, settings: EmailSettings) -> Self {
        self.email = Some(sender);
        self.email_settings = Some(settings);
        self
    }

    /// How passwords are hashed (argon2id by default).
    pub fn passwords(mut self, passwords: Arc<dyn Passwords>) -> Self {
        self.passwords = Some(passwords);
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
        let stores = self.stores.ok_or(ShopBuildError::MissingStores)?;
        let (payments, test_payments) = match (self.payments, self.test_payments) {
            (Some(p), t) => (p, t),
            (None, _) => {
                // Its payments live in the shop's store, so they survive restarts and are shared by every process.
                let test = Arc::new(TestPaymentProvider::with_store(stores.test_payments.clone(), self.ids.clone()));
                (test.clone() as Arc<dyn PaymentProvider>, Some(test))
            }
        };
        let shipping = self.shipping.unwrap_or_else(|| Arc::new(nite_shipping::TableRates::niteputter()));
        let email_settings = self.email_settings.unwrap_or_else(default_email_settings);
        let email = match self.email {
            Some(sender) => sender,
            None => Arc::new(nite_email::FileEmailSender::new("outbox-mail").map_err(ShopBuildError::EmailFolder)?),
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
                self.passwords.unwrap_or_else(|| Arc::new(crate::auth::Argon2Passwords::default())),
                time::Duration::days(30),
                time::Duration::minutes(30),
            ),
            test_payments,
            email,
            renderer: Arc::new(Renderer::new(email_settings)),
            ctx,
        })
    }
}

/// The email settings of the NitePutter shop.
pub fn default_email_settings() -> EmailSettings {
    let email = |address: &str| nite_core::Email::parse(address).expect("a valid address");
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: email("orders@niteputter.example") },
        reply_to: Some(Mailbox { name: None, email: email("help@niteputter.example") }),
        shop_name: "NitePutter".into(),
        shop_url: "http://127.0.0.1:8080".into(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}
