//! Contract suites (feature `testing`): what every storage adapter must do, as async functions over [`Stores`].
//!
//! Each adapter runs all of them with [`contract_tests!`](crate::contract_tests), so the in-memory store, SQLite and
//! PostgreSQL are held to one behaviour: the same answers, the same typed errors, the same atomicity, and the same
//! results under real concurrency (many tasks, each call on its own connection). Every suite expects a fresh,
//! empty, migrated store.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc, reason = "these are tests: they fail by panicking")]

mod catalog;
mod concurrency;
mod customers;
mod email;
mod events;
mod hardening;
mod journeys;
mod orders;
mod payments;
mod records;
mod sessions;
mod shipping;

pub use catalog::{carts, catalog, inventory, showcase};
pub use concurrency::{
    concurrent_cart_changes_lose_nothing, concurrent_checkouts_never_oversell, concurrent_code_uses_respect_the_limit,
    concurrent_payment_events_apply_once, concurrent_same_key_checkouts_make_one_order,
};
pub use customers::{customers, reviews};
pub use email::{Received, email_sender};
pub use events::{concurrent_dispatchers_deliver_once, domain_events, event_deliveries};
pub use hardening::{
    a_changed_total_is_confirmed_first, concurrent_refunds_never_exceed_the_capture, declined_payments_can_be_retried,
    first_orders_are_judged_by_the_email, free_orders_are_paid_at_once, order_history_follows_the_email,
    password_resets_end_every_session, test_payments_outlive_the_process, unpaid_orders_per_client_are_bounded,
};
pub use journeys::{checkout_journey, interrupted_checkout_recovers, sweeper_releases_expired_reservations};
pub use orders::{order_transitions, place_order};
pub use payments::payment_provider;
pub use records::{analytics, idempotency, job_slots, outbox, outbox_delivery, promotions};
pub use sessions::sessions;
pub use shipping::shipping_provider;

use std::sync::Arc;

use time::Duration;

use crate::cart::{Cart, CartLine, ShippingSelection};
use crate::catalog::Sku;
use crate::payment::TestPaymentProvider;
use crate::ports::Stores;
use crate::promotion::DiscountCode;
use crate::services::{
    CartService, CheckoutService, CustomerService, FulfilmentService, PaymentEventService, ReservationSweeper,
    ReviewService, SalesService, ShopContext, ShopSettings,
};
use crate::tax::CountryCode;
use crate::testing::{FixedClock, SequentialIds};
use crate::{Address, CartId, Currency, Email, IdGeneratorExt, Money, Quantity, seed};

/// Generates one `#[test]` per contract suite. `run` drives a future to completion (a tokio runtime's `block_on`,
/// or `futures::executor::block_on`); `fresh` is an async fn returning [`Stores`] over a fresh, empty store, or
/// `None` when the store is not available here (the suite then returns at once; `fresh` should say so loudly).
#[macro_export]
macro_rules! contract_tests {
    (run: $run:path, fresh: $fresh:path) => {
        $crate::contract_tests!(@each $run, $fresh;
            catalog, showcase, inventory, carts, place_order, order_transitions, customers, reviews, promotions, idempotency,
            outbox, outbox_delivery, analytics, sessions, checkout_journey, interrupted_checkout_recovers, sweeper_releases_expired_reservations,
            concurrent_checkouts_never_oversell, concurrent_payment_events_apply_once,
            concurrent_code_uses_respect_the_limit, concurrent_same_key_checkouts_make_one_order,
            concurrent_cart_changes_lose_nothing, test_payments_outlive_the_process, declined_payments_can_be_retried,
            a_changed_total_is_confirmed_first,
            free_orders_are_paid_at_once, concurrent_refunds_never_exceed_the_capture,
            unpaid_orders_per_client_are_bounded, order_history_follows_the_email, password_resets_end_every_session,
            first_orders_are_judged_by_the_email, job_slots, domain_events, event_deliveries,
            concurrent_dispatchers_deliver_once);
    };
    (@each $run:path, $fresh:path; $($suite:ident),* $(,)?) => {
        $(
            #[test]
            fn $suite() {
                $run(async {
                    if let Some(stores) = $fresh().await {
                        $crate::contract::$suite(&stores).await;
                    }
                });
            }
        )*
    };
}

/// Services over given stores, with a clock the suite controls and ids from a counter.
pub struct Fixture {
    /// The context every service shares.
    pub ctx: ShopContext,
    /// The clock.
    pub clock: Arc<FixedClock>,
    /// The payment provider.
    pub provider: Arc<TestPaymentProvider>,
    /// Carts.
    pub carts: CartService,
    /// Checkout.
    pub checkout: CheckoutService,
    /// Payment events.
    pub payments: PaymentEventService,
    /// Fulfilment.
    pub fulfilment: FulfilmentService,
    /// Reviews.
    pub reviews: ReviewService,
    /// Sales.
    pub sales: SalesService,
    /// Customers.
    pub customers: CustomerService,
    /// The sweeper.
    pub sweeper: ReservationSweeper,
}

impl Fixture {
    /// Services over `stores` with the NitePutter tax rules, a 30-minute reservation and the test payment provider.
    pub fn new(stores: &Stores) -> Fixture {
        Fixture::with_payments(stores, None)
    }

    /// Services over `stores` with `payments` as the payment provider instead of the test provider (which is still
    /// made, and reachable as `provider`).
    pub fn with_payments(stores: &Stores, payments: Option<Arc<dyn crate::payment::PaymentProvider>>) -> Fixture {
        let clock = Arc::new(FixedClock::at_noon());
        let settings = ShopSettings {
            tax_rules: seed::niteputter().tax_rules,
            reservation_ttl: Duration::minutes(30),
            guest_reservation_ttl: Duration::minutes(30),
            ..ShopSettings::default()
        };
        let ids = Arc::new(SequentialIds::new());
        let test_provider = Arc::new(TestPaymentProvider::with_store(stores.test_payments.clone(), ids.clone()));
        let ctx = ShopContext {
            stores: stores.clone(),
            payments: payments.unwrap_or_else(|| test_provider.clone()),
            shipping: Arc::new(crate::testing::FlatRate::new(standard_shipping().amount)),
            clock: clock.clone(),
            ids,
            settings: Arc::new(settings),
        };
        Fixture {
            carts: CartService::new(ctx.clone()),
            checkout: CheckoutService::new(ctx.clone()),
            payments: PaymentEventService::new(ctx.clone()),
            fulfilment: FulfilmentService::new(ctx.clone()),
            reviews: ReviewService::new(ctx.clone()),
            sales: SalesService::new(ctx.clone()),
            customers: CustomerService::new(ctx.clone()),
            sweeper: ReservationSweeper::new(ctx.clone()),
            clock,
            provider: test_provider,
            ctx,
        }
    }

    /// Loads the NitePutter catalog, its stock and its promotions.
    pub async fn seed(&self) {
        seed::load(&self.ctx.stores).await.unwrap();
    }

    /// A cart ready to check out, written straight to the store: `lines`, `codes`, an email, a Californian address
    /// and $9.95 standard shipping.
    pub async fn ready_cart(&self, lines: &[(&str, u32)], codes: &[&str]) -> CartId {
        let mut cart = Cart::new(self.ctx.ids.new_id(), None, Currency::USD, self.clock.now());
        for (sku, quantity) in lines {
            cart.lines.push(CartLine {
                id: self.ctx.ids.new_id(),
                sku: Sku::new(sku).unwrap(),
                quantity: Quantity::new(i64::from(*quantity)).unwrap(),
            });
        }
        cart.codes = codes.iter().map(|c| DiscountCode::new(c).unwrap()).collect();
        cart.email = Some(Email::parse(&format!("shopper-{}@example.com", cart.id)).unwrap());
        cart.shipping_address = Some(address());
        cart.shipping = Some(standard_shipping());
        self.ctx.stores.carts.create_cart(&cart).await.unwrap();
        cart.id
    }
}

/// A Californian address.
pub fn address() -> Address {
    Address {
        name: "Ada Lovelace".to_owned(),
        line1: "1 Market St".to_owned(),
        line2: None,
        city: "San Francisco".to_owned(),
        region: Some("CA".to_owned()),
        postal_code: "94105".to_owned(),
        country: CountryCode::new("US").unwrap(),
        phone: None,
    }
}

/// $9.95 standard shipping, untaxed: the one rate the fixture's shipping provider quotes.
pub fn standard_shipping() -> ShippingSelection {
    ShippingSelection {
        id: "flat:standard".to_owned(),
        name: "Standard".to_owned(),
        carrier: "USPS".to_owned(),
        amount: Money::from_minor(995, Currency::USD),
        estimated_days: Some(5),
        tax_category: None,
    }
}

/// A SKU of the seed catalog.
pub fn sku(value: &str) -> Sku {
    Sku::new(value).unwrap()
}
