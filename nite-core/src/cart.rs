//! Carts: what a shopper collects before checkout. A cart holds SKUs and quantities, never prices: it is priced
//! fresh from the catalog every time it is shown or checked out.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::Sku;
use crate::promotion::DiscountCode;
use crate::{Address, CartId, CartLineId, Currency, CustomerId, Email, Money, Quantity, TaxCategory};

/// Whether a cart can still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CartState {
    /// Open for changes.
    Open,
    /// Turned into an order; frozen.
    CheckedOut,
    /// Merged into the customer's cart when its guest signed in; frozen.
    Merged,
}

/// One SKU and how many of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The line's id, stable while the cart lives.
    pub id: CartLineId,
    /// What.
    pub sku: Sku,
    /// How many.
    pub quantity: Quantity,
}

/// The shipping rate the shopper chose, as quoted (the quote's id names it for the provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingSelection {
    /// The quote's id.
    pub id: String,
    /// The method's name (`Standard`, `Express`).
    pub name: String,
    /// The carrier (`USPS`, `UPS`).
    pub carrier: String,
    /// The price.
    pub amount: Money,
    /// Estimated days in transit.
    pub estimated_days: Option<u32>,
    /// How shipping is taxed, if it is.
    pub tax_category: Option<TaxCategory>,
}

/// A cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// Its id; for guest carts it is the only key, so it is unguessable.
    pub id: CartId,
    /// The owner, for a signed-in shopper's cart.
    pub customer_id: Option<CustomerId>,
    /// The currency it is priced in.
    pub currency: Currency,
    /// Its lines, one per SKU, in the order added.
    pub lines: Vec<CartLine>,
    /// Discount codes entered, normalized, in the order entered.
    pub codes: Vec<DiscountCode>,
    /// Where order emails go.
    pub email: Option<Email>,
    /// Where it ships.
    pub shipping_address: Option<Address>,
    /// Where the bill goes; the shipping address if absent.
    pub billing_address: Option<Address>,
    /// The chosen shipping rate.
    pub shipping: Option<ShippingSelection>,
    /// Open or checked out.
    pub state: CartState,
    /// Bumped by every save; saves check it, so concurrent edits cannot overwrite each other.
    pub version: i64,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The total the shopper was last shown for it: checkout refuses to charge another (`CartChanged`).
    #[serde(default)]
    pub shown_total: Option<Money>,
}

/// How a guest cart merges into a customer's open cart when the guest signs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergePolicy {
    /// Quantities of a SKU in both carts add up (capped at the line maximum).
    #[default]
    SumQuantities,
    /// For a SKU in both carts, the guest cart's quantity wins: it is what the shopper chose last.
    PreferGuest,
    /// For a SKU in both carts, the customer cart's quantity wins.
    PreferCustomer,
}

impl Cart {
    /// A new, empty, open cart.
    pub fn new(id: CartId, customer_id: Option<CustomerId>, currency: Currency, now: OffsetDateTime) -> Cart {
        Cart {
            id,
            customer_id,
            currency,
            lines: Vec::new(),
            codes: Vec::new(),
            email: None,
            shipping_address: None,
            billing_address: None,
            shipping: None,
            state: CartState::Open,
            version: 0,
            created_at: now,
            updated_at: now,
            shown_total: None,
        }
    }

    /// The line holding `sku`, if any.
    pub fn line_for(&self, sku: &Sku) -> Option<&CartLine> {
        self.lines.iter().find(|l| &l.sku == sku)
    }

    /// Units of each SKU, summed, sorted by SKU (the order stock is reserved in, so that concurrent reservations
    /// cannot deadlock).
    pub fn units_by_sku(&self) -> Vec<(Sku, u32)> {
        crate::inventory::units_by_sku(self.lines.iter().map(|l| (&l.sku, l.quantity.get())))
    }

    /// Merges `guest`'s lines and codes into this cart with `policy`; quantities are capped at `max_per_line`.
    pub fn absorb(&mut self, guest: &Cart, policy: MergePolicy, max_per_line: Quantity) {
        for line in &guest.lines {
            match self.lines.iter_mut().find(|l| l.sku == line.sku) {
                None => self.lines.push(CartLine { quantity: line.quantity.min(max_per_line), ..line.clone() }),
                Some(existing) => {
                    let merged = match policy {
                        MergePolicy::SumQuantities => {
                            let sum = existing.quantity.get().saturating_add(line.quantity.get());
                            Quantity::new(i64::from(sum.min(max_per_line.get()))).unwrap_or(max_per_line)
                        }
                        MergePolicy::PreferGuest => line.quantity,
                        MergePolicy::PreferCustomer => existing.quantity,
                    };
                    existing.quantity = merged.min(max_per_line);
                }
            }
        }
        for code in &guest.codes {
            if !self.codes.contains(code) {
                self.codes.push(code.clone());
            }
        }
        if self.email.is_none() {
            self.email.clone_from(&guest.email);
        }
        if self.shipping_address.is_none() {
            self.shipping_address.clone_from(&guest.shipping_address);
            self.billing_address.clone_from(&guest.billing_address);
        }
    }
}
