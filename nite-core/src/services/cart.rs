//! `CartService`: creating, changing, pricing and claiming carts.

use std::sync::{Arc, Mutex};

use hashlink::LruCache;

use crate::IdGeneratorExt;
use crate::analytics::{AnalyticsEvent, EventKind};
use crate::cart::{Cart, CartLine, CartState, ShippingSelection};
use crate::catalog::{Product, Sku};
use crate::error::{Error, FieldError, Result};
use crate::pricing::{CustomerFacts, LineItem, PricedCart, PricingCart, PricingContext, ShippingCharge, price};
use crate::promotion::{Condition, DiscountCode, Promotion};
use crate::services::{SAVE_ATTEMPTS, ShopContext, Viewer};
use crate::shipping::{QuoteRequest, Rate, ShipItem};
use crate::{Address, CartId, CartLineId, Currency, CustomerId, Email, Quantity};

/// A cart with its current prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartView {
    /// The cart.
    pub cart: Cart,
    /// The snapshot of each line that is still sold, in cart order.
    pub items: Vec<LineItem>,
    /// The cart line id of each item, in the same order.
    pub line_ids: Vec<CartLineId>,
    /// Lines whose SKU is no longer sold; they are not priced and block checkout.
    pub unavailable: Vec<CartLineId>,
    /// The prices.
    pub priced: PricedCart,
    /// The promotions with usage limits, whose uses an order must count.
    pub(crate) limited: Vec<crate::PromotionId>,
}

/// Carts: create, change, price, claim.
#[derive(Clone)]
pub struct CartService {
    ctx: ShopContext,
    /// The carts this service created or changed last, as saved (shared by its clones).
    recent: Arc<Mutex<LruCache<CartId, Cart>>>,
}

/// How many carts a [`CartService`] remembers as it saved them (a few kilobytes each).
const REMEMBERED_CARTS: usize = 1024;

impl CartService {
    /// A cart service over `ctx`.
    pub fn new(ctx: ShopContext) -> CartService {
        CartService { ctx, recent: Arc::new(Mutex::new(LruCache::new(REMEMBERED_CARTS))) }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, LruCache<CartId, Cart>> {
        self.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `cart` as just saved, for the next change to start from, unless a later save is kept already (two
    /// changes of one cart at once: the one saved second may remember first).
    fn remember(&self, cart: &Cart) {
        let mut recent = self.recent();
        if recent.get(&cart.id).is_none_or(|kept| kept.version < cart.version) {
            recent.insert(cart.id.clone(), cart.clone());
        }
    }

    /// Creates an empty cart, owned by the viewer if signed in. The shop sells in one currency: a cart in another
    /// could never be priced, so it is refused here rather than after its first line.
    pub async fn create(&self, viewer: &Viewer, currency: Option<Currency>) -> Result<CartView> {
        let sold = self.ctx.settings.currency;
        let currency = currency.unwrap_or(sold);
        if currency != sold {
            return Err(Error::invalid("currency", format!("this shop sells in {sold} only")));
        }
        let mut cart = Cart::new(self.ctx.ids.new_id(), viewer.customer_id.clone(), currency, self.ctx.clock.now());
        cart.shown_total = Some(crate::Money::zero(currency));
        self.ctx.stores.carts.create_cart(&cart).await?;
        self.remember(&cart);
        self.view_of(cart).await
    }

    /// The cart with its prices; `NotFound` if absent or another customer's. Reading writes nothing: the total
    /// checkout holds the shopper to is the one the last change of the cart answered with.
    pub async fn view(&self, id: &CartId, viewer: &Viewer) -> Result<CartView> {
        let cart = self.load(id, viewer).await?;
        self.view_of(cart).await
    }

    /// Records `total` as the total last shown for the cart (after checkout answered `CartChanged` with it).
    pub(crate) async fn shown(&self, cart: &Cart, total: crate::Money) -> Result<()> {
        let mut cart = cart.clone();
        cart.shown_total = Some(total);
        match self.ctx.stores.carts.save_cart(&cart).await {
            Ok(_) | Err(Error::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Adds `quantity` units of `sku` (to its line, if the cart has one).
    pub async fn add_item(&self, id: &CartId, viewer: &Viewer, sku: &Sku, quantity: u32) -> Result<CartView> {
        let quantity = self.line_quantity(i64::from(quantity))?;
        let product = self.product_of(sku).await?;
        let view = self
            .change(id, viewer, |cart, ctx| {
                let wanted = cart.line_for(sku).map_or(0, |l| l.quantity.get()).saturating_add(quantity.get());
                let wanted = Quantity::new(i64::from(wanted)).ok().filter(|q| *q <= ctx.max_line);
                let Some(wanted) = wanted else {
                    return Err(Error::invalid("quantity", format!("at most {} per line", ctx.max_line)));
                };
                match cart.lines.iter_mut().find(|l| &l.sku == sku) {
                    Some(line) => line.quantity = wanted,
                    None => cart.lines.push(CartLine { id: ctx.new_line_id(), sku: sku.clone(), quantity: wanted }),
                }
                Ok(())
            })
            .await?;
        let event = AnalyticsEvent {
            quantity: quantity.get(),
            customer_id: viewer.customer_id.clone(),
            visitor: viewer.visitor(),
            ..AnalyticsEvent::product(EventKind::AddToCart, product.id.clone(), self.ctx.clock.now())
        };
        // The cart has changed: failing the request now would have the client add the item again. Analytics may
        // miss an event (as views are dropped under overload); the cart must not gain units twice.
        if let Err(error) = self.ctx.stores.analytics.record_events(&[event]).await {
            tracing::warn!(error = %error, "recording an add to cart failed; the item was added all the same");
        }
        Ok(view)
    }

    /// Sets a line's quantity; 0 removes it.
    pub async fn update_item(
        &self,
        id: &CartId,
        viewer: &Viewer,
        line: &CartLineId,
        quantity: u32,
    ) -> Result<CartView> {
        if quantity == 0 {
            return self.remove_item(id, viewer, line).await;
        }
        let quantity = self.line_quantity(i64::from(quantity))?;
        self.change(id, viewer, |cart, _| {
            let line =
                cart.lines.iter_mut().find(|l| &l.id == line).ok_or_else(|| Error::not_found("cart line", line))?;
            line.quantity = quantity;
            Ok(())
        })
        .await
    }

    /// Removes a line.
    pub async fn remove_item(&self, id: &CartId, viewer: &Viewer, line: &CartLineId) -> Result<CartView> {
        self.change(id, viewer, |cart, _| {
            let before = cart.lines.len();
            cart.lines.retain(|l| &l.id != line);
            if cart.lines.len() == before { Err(Error::not_found("cart line", line)) } else { Ok(()) }
        })
        .await
    }

    /// Enters a discount code. A code no promotion has is refused (`DiscountCodeInvalid`); a known code that does
    /// not apply yet is kept, and the cart says why it does not apply.
    pub async fn add_code(&self, id: &CartId, viewer: &Viewer, code: &str) -> Result<CartView> {
        let code = DiscountCode::new(code).map_err(|_| Error::DiscountCodeInvalid(code.to_owned()))?;
        let promotions = self.ctx.stores.promotions.promotions().await?;
        if !promotions.iter().any(|p| p.code.as_ref() == Some(&code)) {
            return Err(Error::DiscountCodeInvalid(code.to_string()));
        }
        self.change(id, viewer, |cart, _| {
            if !cart.codes.contains(&code) {
                cart.codes.push(code.clone());
            }
            Ok(())
        })
        .await
    }

    /// Removes an entered code; `NotFound` if it was not entered.
    pub async fn remove_code(&self, id: &CartId, viewer: &Viewer, code: &str) -> Result<CartView> {
        let code = DiscountCode::new(code).map_err(|_| Error::not_found("discount code", code))?;
        self.change(id, viewer, |cart, _| {
            let before = cart.codes.len();
            cart.codes.retain(|c| c != &code);
            if cart.codes.len() == before { Err(Error::not_found("discount code", &code)) } else { Ok(()) }
        })
        .await
    }

    /// Sets the email and addresses (billing defaults to shipping); every bad field is reported at once.
    pub async fn set_addresses(
        &self,
        id: &CartId,
        viewer: &Viewer,
        email: &str,
        shipping: Address,
        billing: Option<Address>,
    ) -> Result<CartView> {
        let mut problems = Vec::new();
        let email = Email::parse(email).map_err(|p| problems.push(FieldError::new("email", p))).ok();
        problems.extend(shipping.problems("shipping_address"));
        if let Some(billing) = &billing {
            problems.extend(billing.problems("billing_address"));
        }
        let Some(email) = email.filter(|_| problems.is_empty()) else { return Err(Error::Validation(problems)) };
        self.change(id, viewer, |cart, _| {
            cart.email = Some(email.clone());
            cart.shipping_address = Some(shipping.clone());
            cart.billing_address = billing.clone();
            Ok(())
        })
        .await
    }

    /// The rates the shipping provider quotes for the cart, cheapest first; the cart needs a shipping address.
    pub async fn shipping_options(&self, id: &CartId, viewer: &Viewer) -> Result<Vec<Rate>> {
        let view = self.view(id, viewer).await?;
        self.quote(&view).await
    }

    /// Chooses one of the quoted rates by its id. The price is the provider's, quoted again now for the very cart
    /// it is saved with (a cart changed meanwhile is quoted again): never a client's.
    pub async fn choose_shipping(&self, id: &CartId, viewer: &Viewer, rate_id: &str) -> Result<CartView> {
        let edit_ctx = EditContext { ctx: &self.ctx, max_line: self.ctx.settings.max_line_quantity };
        let edit_ctx = &edit_ctx;
        self.attempt(id, viewer, move |cart: Cart| async move {
            if !viewer.may_see(cart.customer_id.as_ref()) {
                return Err(Error::not_found("cart", &cart.id));
            }
            let rates = self.quote(&self.view_of(cart.clone()).await?).await?;
            let rate = rates
                .into_iter()
                .find(|r| r.id == rate_id)
                .ok_or_else(|| Error::not_found("shipping option", rate_id))?;
            let selection = selection_of(rate);
            let choose = |cart: &mut Cart, _: &EditContext<'_>| {
                if selection.amount.currency() != cart.currency {
                    return Err(Error::invalid("shipping_option", "is quoted in another currency than the cart"));
                }
                cart.shipping = Some(selection.clone());
                Ok(())
            };
            self.change_from(cart, viewer, &choose, edit_ctx).await
        })
        .await
    }

    /// Quotes shipping for a priced cart.
    pub(crate) async fn quote(&self, view: &CartView) -> Result<Vec<Rate>> {
        let Some(destination) = view.cart.shipping_address.clone() else {
            return Err(Error::invalid("shipping_address", "is required to quote shipping"));
        };
        let items = view
            .items
            .iter()
            .map(|item| ShipItem {
                sku: item.sku.clone(),
                quantity: item.quantity.get(),
                weight_grams: item.weight_grams,
                dimensions: None,
            })
            .collect();
        let request =
            QuoteRequest { items, destination, currency: view.cart.currency, subtotal: view.priced.totals.subtotal };
        self.ctx.shipping.quote(&request).await
    }

    /// Attaches a guest cart to the signed-in customer. If the customer has another open cart, the guest cart's
    /// lines merge into it with the shop's merge policy and the guest cart is closed; otherwise the guest cart
    /// becomes the customer's. Returns the customer's cart.
    pub async fn claim(&self, guest_cart: &CartId, viewer: &Viewer) -> Result<CartView> {
        let customer = viewer.customer_id.clone().ok_or_else(|| Error::invalid("authorization", "sign in first"))?;
        for _ in 0..SAVE_ATTEMPTS {
            let guest = self.load(guest_cart, viewer).await?;
            if guest.state != CartState::Open {
                return Err(Error::CartNotOpen);
            }
            if guest.customer_id.as_ref() == Some(&customer) {
                return self.view_of(guest).await;
            }
            let target = self.ctx.stores.carts.open_cart_of(&customer).await?.filter(|c| c.id != guest.id);
            let saved = match target {
                None => {
                    let mut cart = guest;
                    cart.customer_id = Some(customer.clone());
                    cart.updated_at = self.ctx.clock.now();
                    self.ctx.stores.carts.save_cart(&cart).await
                }
                Some(mut cart) => {
                    cart.absorb(&guest, self.ctx.settings.merge_policy, self.ctx.settings.max_line_quantity);
                    cart.updated_at = self.ctx.clock.now();
                    let mut closed = guest;
                    closed.state = CartState::Merged;
                    closed.updated_at = cart.updated_at;
                    // Close the guest cart first: if that loses a race, nothing was merged twice.
                    match self.ctx.stores.carts.save_cart(&closed).await {
                        Ok(_) => self.ctx.stores.carts.save_cart(&cart).await,
                        Err(e) => Err(e),
                    }
                }
            };
            match saved {
                Ok(cart) => return self.view_of(cart).await,
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict("cart"))
    }

    async fn load(&self, id: &CartId, viewer: &Viewer) -> Result<Cart> {
        let cart = self.ctx.stores.carts.cart(id).await?.ok_or_else(|| Error::not_found("cart", id))?;
        if !viewer.may_see(cart.customer_id.as_ref()) {
            return Err(Error::not_found("cart", id));
        }
        Ok(cart)
    }

    fn line_quantity(&self, quantity: i64) -> Result<Quantity> {
        let max = self.ctx.settings.max_line_quantity;
        Quantity::new(quantity)
            .ok()
            .filter(|q| *q <= max)
            .ok_or_else(|| Error::invalid("quantity", format!("must be between 1 and {max}")))
    }

    async fn product_of(&self, sku: &Sku) -> Result<Product> {
        let products = self.ctx.stores.catalog.products_by_skus(std::slice::from_ref(sku)).await?;
        products.into_iter().next().ok_or_else(|| Error::not_found("sku", sku))
    }

    /// Changes an open cart with `edit`, checks the stock of, prices and saves it if no one saved it meanwhile (else
    /// starts again from a fresh read, up to [`SAVE_ATTEMPTS`] times). A change whose cart cannot be priced is
    /// refused before anything is stored; the total it answers with is recorded as shown.
    ///
    /// A change first tries the copy this service saved last, if it has one, and so spares the read: the save's
    /// version check proves that copy current, or fails and changes nothing. Should that try fail in any way (the
    /// cart was saved since by another service or process, checked out, claimed; or the stale copy made the edit
    /// refuse), the change goes the ordinary way, from a fresh read, and answers as if no copy had been kept.
    async fn change(
        &self,
        id: &CartId,
        viewer: &Viewer,
        edit: impl Fn(&mut Cart, &EditContext<'_>) -> Result<()>,
    ) -> Result<CartView> {
        let edit_ctx = EditContext { ctx: &self.ctx, max_line: self.ctx.settings.max_line_quantity };
        let (edit, edit_ctx) = (&edit, &edit_ctx);
        self.attempt(id, viewer, move |cart| self.change_from(cart, viewer, edit, edit_ctx)).await
    }

    /// Runs `change` (which saves the cart it is given, or fails) on the copy remembered, then on fresh reads, as
    /// [`CartService::change`] describes.
    async fn attempt<F>(&self, id: &CartId, viewer: &Viewer, change: impl Fn(Cart) -> F) -> Result<CartView>
    where
        F: std::future::Future<Output = Result<CartView>>,
    {
        let remembered = self.recent().get(id).cloned();
        if let Some(cart) = remembered {
            if let Ok(view) = change(cart).await {
                return Ok(view);
            }
            self.recent().remove(id);
        }
        for _ in 0..SAVE_ATTEMPTS {
            let cart = self.load(id, viewer).await?;
            match change(cart).await {
                Ok(view) => return Ok(view),
                Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict("cart"))
    }

    /// Edits `cart`, checks it and saves it; `Conflict` if it is not the stored version.
    async fn change_from(
        &self,
        mut cart: Cart,
        viewer: &Viewer,
        edit: &impl Fn(&mut Cart, &EditContext<'_>) -> Result<()>,
        edit_ctx: &EditContext<'_>,
    ) -> Result<CartView> {
        if !viewer.may_see(cart.customer_id.as_ref()) {
            return Err(Error::not_found("cart", &cart.id));
        }
        if cart.state != CartState::Open {
            return Err(Error::CartNotOpen);
        }
        let before = cart.units_by_sku();
        edit(&mut cart, edit_ctx)?;
        self.check_stock(&cart, &before).await?;
        cart.updated_at = self.ctx.clock.now();
        let mut view = self.view_of(cart.clone()).await?;
        cart.shown_total = Some(view.priced.totals.total);
        let saved = self.ctx.stores.carts.save_cart(&cart).await?;
        self.remember(&saved);
        view.cart = saved;
        Ok(view)
    }

    /// Refuses a change that asks for more of a SKU than can be sold now. Only SKUs whose units the change raises
    /// (from what the cart held `before` it) are checked, and the stock is not read when there are none: lowering a
    /// quantity, adding a code or an address never fails because stock ran short meanwhile (checkout reserves what
    /// there is, or says what is missing).
    async fn check_stock(&self, cart: &Cart, before: &[(Sku, u32)]) -> Result<()> {
        let held = |sku: &Sku| before.iter().find(|(s, _)| s == sku).map_or(0, |(_, n)| *n);
        let units: Vec<(Sku, u32)> = cart.units_by_sku().into_iter().filter(|(sku, n)| *n > held(sku)).collect();
        if units.is_empty() {
            return Ok(());
        }
        let skus: Vec<Sku> = units.iter().map(|(s, _)| s.clone()).collect();
        let stock = self.ctx.stores.inventory.stock(&skus).await?;
        for (sku, requested) in units {
            let available = stock.iter().find(|s| s.sku == sku).map_or(0, |s| s.available());
            if requested > available {
                return Err(Error::InsufficientStock { sku, requested, available });
            }
        }
        Ok(())
    }

    /// Prices a cart from the current catalog, promotions and their usage.
    pub(crate) async fn view_of(&self, cart: Cart) -> Result<CartView> {
        let skus: Vec<Sku> = cart.lines.iter().map(|l| l.sku.clone()).collect();
        let products = self.ctx.stores.catalog.products_by_skus(&skus).await?;
        let mut items = Vec::with_capacity(cart.lines.len());
        let mut line_ids = Vec::with_capacity(cart.lines.len());
        let mut unavailable = Vec::new();
        for line in &cart.lines {
            let found = products.iter().find_map(|p| p.variant(&line.sku).map(|v| (p, v)));
            match found {
                Some((product, variant)) => {
                    items.push(LineItem::snapshot(product, variant, line.quantity));
                    line_ids.push(line.id.clone());
                }
                None => unavailable.push(line.id.clone()),
            }
        }
        let promotions = self.ctx.stores.promotions.promotions().await?;
        let customer = self.customer_facts(&cart, &promotions).await?;
        let key = customer_key(cart.customer_id.as_ref(), cart.email.as_ref());
        let limited: Vec<_> = promotions
            .iter()
            .filter(|p| p.usage_limit.is_some() || p.usage_limit_per_customer.is_some())
            .map(|p| p.id.clone())
            .collect();
        let usage = if limited.is_empty() {
            Vec::new()
        } else {
            self.ctx.stores.promotions.promotion_usage(&limited, &key).await?
        };
        let shipping =
            cart.shipping.as_ref().map(|s| ShippingCharge { amount: s.amount, tax_category: s.tax_category.clone() });
        let destination = cart.shipping_address.as_ref().map(Address::tax_region);
        let settings = &self.ctx.settings;
        let pricing_cart = PricingCart {
            currency: cart.currency,
            lines: &items,
            codes: &cart.codes,
            shipping: shipping.as_ref(),
            destination: destination.as_ref(),
            customer: &customer,
        };
        let pricing_ctx = PricingContext {
            policy: &settings.policy,
            tax_rules: &settings.tax_rules,
            promotions: &promotions,
            usage: &usage,
            now: self.ctx.clock.now(),
        };
        let priced = price(&pricing_cart, &pricing_ctx)?;
        Ok(CartView { cart, items, line_ids, unavailable, priced, limited })
    }

    /// What promotions may ask about the buyer; the stores are asked only when some promotion needs the answer.
    async fn customer_facts(&self, cart: &Cart, promotions: &[Promotion]) -> Result<CustomerFacts> {
        let needs = |f: fn(&Condition) -> bool| promotions.iter().any(|p| p.conditions.iter().any(f));
        let mut facts = CustomerFacts { customer_id: cart.customer_id.clone(), group: None, is_first_order: true };
        // A guest's history is their (normalised) email's: a first-order promotion is not theirs for the asking.
        if needs(|c| matches!(c, Condition::FirstOrder)) && (cart.customer_id.is_some() || cart.email.is_some()) {
            let ordered = self.ctx.stores.orders.has_ordered(cart.email.as_ref(), cart.customer_id.as_ref()).await?;
            facts.is_first_order = !ordered;
        }
        let Some(customer) = &cart.customer_id else { return Ok(facts) };
        if needs(|c| matches!(c, Condition::CustomerGroups { .. })) {
            facts.group = self.ctx.stores.customers.customer(customer).await?.and_then(|c| c.group);
        }
        Ok(facts)
    }
}

/// The cart's record of a chosen rate.
pub(crate) fn selection_of(rate: Rate) -> ShippingSelection {
    ShippingSelection {
        id: rate.id,
        name: rate.name,
        carrier: rate.carrier,
        amount: rate.amount,
        estimated_days: rate.estimated_days,
        tax_category: Some(crate::TaxCategory::SHIPPING),
    }
}

/// What a cart edit may use.
pub(crate) struct EditContext<'a> {
    ctx: &'a ShopContext,
    max_line: Quantity,
}

impl EditContext<'_> {
    fn new_line_id(&self) -> CartLineId {
        self.ctx.ids.new_id()
    }
}

/// Who promotion usage is counted for: the customer, else the guest's email, else nobody in particular.
pub(crate) fn customer_key(customer: Option<&CustomerId>, email: Option<&Email>) -> String {
    match (customer, email) {
        (Some(id), _) => id.to_string(),
        (None, Some(email)) => format!("email:{email}"),
        (None, None) => "guest".to_owned(),
    }
}
