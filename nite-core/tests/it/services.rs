//! Service behaviour that needs a store to misbehave: lost races are retried from fresh data, and a broken store
//! is a typed error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use nite_core::analytics::{AnalyticsEvent, EventKind};
use nite_core::cart::Cart;
use nite_core::contract::Fixture;
use nite_core::order::{Order, OrderState};
use nite_core::ports::{
    AnalyticsStore, CartStore, InboxEntry, OrderFilter, OrderStore, OrderUpdate, Page, PlaceOrder, Placed, Saved,
    Stores,
};
use nite_core::services::Viewer;
use nite_core::testing::InMemoryStore;
use nite_core::{CartId, CustomerId, Email, Error, OrderId, PaymentId, ProductId, Result};
use time::OffsetDateTime;

/// An order store that loses the race on its first `lost` saves: someone else saved the order in between.
struct LosesRaces {
    inner: Arc<InMemoryStore>,
    lost: usize,
    saves: AtomicUsize,
}

#[async_trait]
impl OrderStore for LosesRaces {
    async fn place_order(&self, request: PlaceOrder<'_>) -> Result<Placed> {
        self.inner.place_order(request).await
    }

    async fn save_order(&self, update: OrderUpdate<'_>) -> Result<Saved> {
        if self.saves.fetch_add(1, Ordering::SeqCst) < self.lost {
            return Err(Error::Conflict("order"));
        }
        self.inner.save_order(update).await
    }

    async fn attach_payment(&self, order: &OrderId, provider: &str, payment: &PaymentId) -> Result<()> {
        self.inner.attach_payment(order, provider, payment).await
    }

    async fn remember_event(&self, entry: &InboxEntry) -> Result<bool> {
        self.inner.remember_event(entry).await
    }

    async fn order(&self, id: &OrderId) -> Result<Option<Order>> {
        self.inner.order(id).await
    }

    async fn order_by_payment(&self, payment_id: &PaymentId) -> Result<Option<Order>> {
        self.inner.order_by_payment(payment_id).await
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Page<Order>> {
        self.inner.orders(filter).await
    }

    async fn expired_orders(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Order>> {
        self.inner.expired_orders(now, limit).await
    }

    async fn has_purchased(&self, customer: &CustomerId, product: &ProductId) -> Result<bool> {
        self.inner.has_purchased(customer, product).await
    }

    async fn has_ordered(&self, email: Option<&Email>, customer: Option<&CustomerId>) -> Result<bool> {
        self.inner.has_ordered(email, customer).await
    }
}

fn stores_losing(lost: usize) -> (Stores, Arc<LosesRaces>) {
    let inner = Arc::new(InMemoryStore::new());
    let orders = Arc::new(LosesRaces { inner: inner.clone(), lost, saves: AtomicUsize::new(0) });
    let mut stores = Stores::from_store(inner);
    stores.orders = orders.clone();
    (stores, orders)
}

#[test]
fn a_lost_race_is_retried_from_a_fresh_load() {
    futures::executor::block_on(async {
        let (stores, orders) = stores_losing(2);
        let f = Fixture::new(&stores);
        f.seed().await;
        let cart = f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await;
        let order = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap().order;
        let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
        let cancelled = f.fulfilment.cancel(&order.id, &admin, "test").await.unwrap();
        assert_eq!(cancelled.state(), OrderState::Cancelled);
        assert_eq!(orders.saves.load(Ordering::SeqCst), 3, "two lost races, then the save that won");
        assert_eq!(stores.orders.order(&order.id).await.unwrap().unwrap().version, 1);
    });
}

#[test]
fn endless_lost_races_end_in_a_conflict_error() {
    futures::executor::block_on(async {
        let (stores, _) = stores_losing(usize::MAX);
        let f = Fixture::new(&stores);
        f.seed().await;
        let cart = f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await;
        let order = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap().order;
        let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
        assert!(matches!(f.fulfilment.cancel(&order.id, &admin, "test").await, Err(Error::Conflict("order"))));
    });
}

#[test]
fn a_broken_store_is_a_typed_error() {
    futures::executor::block_on(async {
        let store = Arc::new(InMemoryStore::new());
        let stores = Stores::from_store(store.clone());
        let f = Fixture::new(&stores);
        f.seed().await;
        let cart = f.carts.create(&Viewer::guest(), None).await.unwrap();
        store.set_failing(true);
        let result = f.carts.add_code(&cart.cart.id, &Viewer::guest(), "NITE10").await;
        assert!(matches!(result, Err(Error::Adapter { .. })), "{result:?}");
        store.set_failing(false);
        assert!(f.carts.add_code(&cart.cart.id, &Viewer::guest(), "NITE10").await.is_ok());
    });
}

#[test]
fn checkout_refuses_a_shipping_price_the_provider_no_longer_quotes() {
    futures::executor::block_on(async {
        let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
        let f = Fixture::new(&stores);
        f.seed().await;
        let id = f.ready_cart(&[("NP-PRO-GRN", 1)], &[]).await;
        let mut cart = stores.carts.cart(&id).await.unwrap().unwrap();
        let selection = cart.shipping.as_mut().unwrap();
        selection.amount = nite_core::Money::from_minor(1, nite_core::Currency::USD);
        stores.carts.save_cart(&cart).await.unwrap();
        let refused = f.checkout.checkout(&id, &Viewer::guest(), None).await;
        assert!(matches!(&refused, Err(Error::Validation(e)) if e[0].field == "shipping_option"), "{refused:?}");
        let mut cart = stores.carts.cart(&id).await.unwrap().unwrap();
        cart.shipping.as_mut().unwrap().id = "gone".into();
        stores.carts.save_cart(&cart).await.unwrap();
        assert!(matches!(f.checkout.checkout(&id, &Viewer::guest(), None).await, Err(Error::Validation(_))));
        // Choosing again from a fresh quote fixes it.
        f.carts.choose_shipping(&id, &Viewer::guest(), "flat:standard").await.unwrap();
        assert!(f.checkout.checkout(&id, &Viewer::guest(), None).await.is_ok());
    });
}

#[test]
fn a_retried_checkout_gets_the_same_access_token() {
    futures::executor::block_on(async {
        let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
        let f = Fixture::new(&stores);
        f.seed().await;
        let cart = f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await;
        let key = nite_core::services::IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
        let first = f.checkout.checkout(&cart, &Viewer::guest(), Some(&key)).await.unwrap();
        let token = first.access_token.clone().expect("a new order comes with its token");
        let again = f.checkout.checkout(&cart, &Viewer::guest(), Some(&key)).await.unwrap();
        assert_eq!(again.access_token.as_deref(), Some(token.as_str()), "its first answer may have been lost");
        let stored = stores.orders.order(&first.order.id).await.unwrap().unwrap();
        assert!(stored.token_matches(&token));
        assert!(!stored.token_matches("guess"));
        // Without a key, only the checkout that made the order carries the token.
        let plain = f
            .checkout
            .checkout(&f.ready_cart(&[("NP-BASIC-GRN", 1)], &[]).await, &Viewer::guest(), None)
            .await
            .unwrap();
        assert!(plain.access_token.is_some());
    });
}

/// Stock is checked for what a change asks more of: when stock runs short after a shopper filled a cart, lowering a
/// quantity, adding a code and giving an address still work, while asking for more than is left does not.
#[test]
fn only_a_change_asking_for_more_units_checks_the_stock() {
    use nite_core::contract::{address, sku};
    futures::executor::block_on(async {
        let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
        let f = Fixture::new(&stores);
        f.seed().await;
        let guest = Viewer::guest();
        let cart = f.carts.create(&guest, None).await.unwrap().cart.id;
        let view = f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 3).await.unwrap();
        let line = view.cart.lines[0].id.clone();
        stores.inventory.set_on_hand(&sku("NP-PRO-GRN"), 1).await.unwrap();

        let lowered = f.carts.update_item(&cart, &guest, &line, 2).await.unwrap();
        assert_eq!(lowered.cart.lines[0].quantity.get(), 2);
        f.carts.add_code(&cart, &guest, "NITE10").await.unwrap();
        f.carts.set_addresses(&cart, &guest, "ada@example.com", address(), None).await.unwrap();

        let more = f.carts.update_item(&cart, &guest, &line, 3).await;
        assert!(matches!(more, Err(Error::InsufficientStock { requested: 3, available: 1, .. })), "{more:?}");
        let added = f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await;
        assert!(matches!(added, Err(Error::InsufficientStock { requested: 3, available: 1, .. })), "{added:?}");
        assert_eq!(f.carts.view(&cart, &guest).await.unwrap().cart.lines[0].quantity.get(), 2);
    });
}

/// An analytics store whose writes fail.
struct AnalyticsDown;

#[async_trait]
impl AnalyticsStore for AnalyticsDown {
    async fn record_events(&self, _events: &[AnalyticsEvent]) -> Result<()> {
        Err(Error::adapter("recording events", "the analytics table is unavailable"))
    }

    async fn events(&self, _: OffsetDateTime, _: OffsetDateTime, _: &[EventKind]) -> Result<Vec<AnalyticsEvent>> {
        Ok(Vec::new())
    }
}

/// The add-to-cart event is written after the cart: if that write fails, the add has happened all the same and is
/// answered as done, so that the client does not add the item again.
#[test]
fn an_add_to_cart_that_analytics_fails_to_record_is_still_answered_as_done() {
    use nite_core::contract::sku;
    futures::executor::block_on(async {
        let mut stores = Stores::from_store(Arc::new(InMemoryStore::new()));
        stores.analytics = Arc::new(AnalyticsDown);
        let f = Fixture::new(&stores);
        f.seed().await;
        let guest = Viewer::guest();
        let cart = f.carts.create(&guest, None).await.unwrap().cart.id;
        let added = f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 2).await.unwrap();
        assert_eq!(added.cart.lines[0].quantity.get(), 2);
        assert_eq!(f.carts.view(&cart, &guest).await.unwrap().cart.lines[0].quantity.get(), 2);
    });
}

/// A cart store that counts its reads of one cart.
struct CountsReads {
    inner: Arc<InMemoryStore>,
    reads: AtomicUsize,
}

#[async_trait]
impl CartStore for CountsReads {
    async fn create_cart(&self, cart: &Cart) -> Result<()> {
        self.inner.create_cart(cart).await
    }

    async fn cart(&self, id: &CartId) -> Result<Option<Cart>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.cart(id).await
    }

    async fn save_cart(&self, cart: &Cart) -> Result<Cart> {
        self.inner.save_cart(cart).await
    }

    async fn open_cart_of(&self, customer: &CustomerId) -> Result<Option<Cart>> {
        self.inner.open_cart_of(customer).await
    }
}

/// A change starts from the cart as this service saved it, sparing a read; when the cart was saved since by
/// someone else (another process), checked out or claimed, the change is answered exactly as from a fresh read.
#[test]
fn a_change_starts_from_the_cart_as_saved_and_reads_it_again_only_when_it_changed_elsewhere() {
    use nite_core::contract::sku;
    use nite_core::services::CartService;
    futures::executor::block_on(async {
        let inner = Arc::new(InMemoryStore::new());
        let counting = Arc::new(CountsReads { inner: Arc::clone(&inner), reads: AtomicUsize::new(0) });
        let mut stores = Stores::from_store(Arc::clone(&inner));
        stores.carts = counting.clone();
        let f = Fixture::new(&stores);
        f.seed().await;
        let reads = || counting.reads.load(Ordering::SeqCst);
        let guest = Viewer::guest();

        // Created, then changed six times by this service: only showing the shipping options reads the cart.
        let cart = f.carts.create(&guest, None).await.unwrap().cart.id;
        f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await.unwrap();
        f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await.unwrap();
        f.carts.add_code(&cart, &guest, "NITE10").await.unwrap();
        f.carts.add_item(&cart, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
        f.carts.set_addresses(&cart, &guest, "a@example.com", nite_core::contract::address(), None).await.unwrap();
        assert_eq!(reads(), 0);
        let rate = f.carts.shipping_options(&cart, &guest).await.unwrap()[0].id.clone();
        let shown = f.carts.choose_shipping(&cart, &guest, &rate).await.unwrap();
        assert_eq!(reads(), 1);
        assert_eq!(shown.cart.lines.len(), 2);
        assert_eq!(shown.cart.shipping.as_ref().map(|s| s.id.as_str()), Some(rate.as_str()));
        assert_eq!(shown.cart, inner.cart(&cart).await.unwrap().unwrap(), "what was answered is what is stored");

        // Another process adds a line: this service's copy is stale, so its next change reads the cart again and
        // keeps the other's line.
        let elsewhere = CartService::new(f.ctx.clone());
        elsewhere.add_item(&cart, &guest, &sku("NP-COMPLETE"), 1).await.unwrap();
        let before = reads();
        let changed = f.carts.add_item(&cart, &guest, &sku("NP-BASIC-GRN"), 1).await.unwrap();
        assert_eq!(reads(), before + 1);
        let units: Vec<(String, u32)> =
            changed.cart.lines.iter().map(|l| (l.sku.as_str().to_owned(), l.quantity.get())).collect();
        let expected = [("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 2), ("NP-COMPLETE", 1)];
        assert_eq!(units, expected.map(|(s, n)| (s.to_owned(), n)));
        assert_eq!(changed.cart, inner.cart(&cart).await.unwrap().unwrap());

        // The same for a shipping choice: quoted for, and saved with, the cart as it is now.
        elsewhere.add_item(&cart, &guest, &sku("NP-COMPLETE"), 1).await.unwrap();
        let before = reads();
        let chosen = f.carts.choose_shipping(&cart, &guest, &rate).await.unwrap();
        assert_eq!(reads(), before + 1);
        assert_eq!(chosen.cart.lines.iter().map(|l| l.quantity.get()).sum::<u32>(), 6);
        assert_eq!(chosen.cart, inner.cart(&cart).await.unwrap().unwrap());

        // Claimed by a customer elsewhere: the guest may no longer change it, though this service's copy is a
        // guest's.
        let customer = Viewer::customer(CustomerId::parse("cus_claims").unwrap());
        elsewhere.claim(&cart, &customer).await.unwrap();
        let refused = f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await;
        assert!(matches!(refused, Err(Error::NotFound { .. })), "{refused:?}");

        // Checked out elsewhere, after this service changed it last: the change is refused.
        let cart = f.carts.create(&guest, None).await.unwrap().cart.id;
        let address = nite_core::contract::address();
        f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await.unwrap();
        f.carts.set_addresses(&cart, &guest, "a@example.com", address, None).await.unwrap();
        let rate = f.carts.shipping_options(&cart, &guest).await.unwrap()[0].id.clone();
        f.carts.choose_shipping(&cart, &guest, &rate).await.unwrap();
        f.checkout.checkout(&cart, &guest, None).await.unwrap();
        let refused = f.carts.add_item(&cart, &guest, &sku("NP-PRO-GRN"), 1).await;
        assert!(matches!(refused, Err(Error::CartNotOpen)), "{refused:?}");
        let stored = inner.cart(&cart).await.unwrap().unwrap();
        assert_eq!(stored.lines.len(), 1);
        assert_eq!(stored.lines[0].quantity.get(), 1);
    });
}
