//! nite-core: the domain of the nite commerce SDK, with no I/O.
//!
//! Pricing a cart, with nothing but this crate:
//!
//! ```
//! use nite_core::pricing::{CustomerFacts, LineItem, PricePolicy, PricingCart, PricingContext, price};
//! use nite_core::promotion::DiscountCode;
//! use nite_core::tax::Region;
//! use nite_core::{Currency, Quantity, seed};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let catalog = seed::niteputter();
//! let pro = &catalog.products[1];
//! let lines = [LineItem::snapshot(pro, &pro.variants[0], Quantity::new(2)?)];
//! let codes = [DiscountCode::new("nite10")?];
//! let destination = Region::parse("US-CA")?;
//! let customer = CustomerFacts::guest();
//! let cart =
//!     PricingCart { codes: &codes, destination: Some(&destination), ..PricingCart::new(Currency::USD, &lines, &customer) };
//! let policy = PricePolicy::default();
//! let now = time::OffsetDateTime::now_utc();
//! let priced = price(&cart, &PricingContext::new(&policy, &catalog.tax_rules, &catalog.promotions, now))?;
//! // 2 × 89.99 = 179.98; NITE10 takes 18.00; California tax 7.25 % of 161.98 = 11.74.
//! assert_eq!(priced.totals.total.to_string(), "173.72 USD");
//! # Ok(()) }
//! ```
//!
//! A tour, in the order a cart meets it:
//!
//! - [`Money`] is an exact [`rust_decimal::Decimal`] in a [`Currency`]; [`RoundingMode`] is how it is rounded, and
//!   only at named points. [`Percentage`] is an exact rate.
//! - [`catalog`] holds products and variants; [`seed`] the NitePutter catalog.
//! - [`tax`] holds regions, tax rules, and whether prices include tax.
//! - [`promotion`] holds what a store can offer: actions, conditions, stacking, and the reasons a promotion did not
//!   apply.
//! - [`pricing`] turns lines, promotions, tax and a shipping charge into a [`pricing::PricedCart`] whose figures add
//!   up exactly.
//! - [`cart`] holds what a shopper collects; [`order`] what a checkout freezes, with its state machine, payment,
//!   refunds and history; [`inventory`] the stock rules; [`customer`], [`review`], [`analytics`] and [`outbox`] the
//!   rest of the shop's records; [`payment`] the events providers send.
//! - [`ports`] are the traits adapters implement (storage, in `nite-storage`); [`services`] are the use cases that
//!   drive them: cart, checkout, payment events, fulfilment, reviews, sales, the reservation sweeper.
//!
//! Pricing is pure and synchronous. The services are async, but nite-core runs no runtime and does no I/O of its
//! own: time ([`Clock`]) and ids ([`IdGenerator`]) are ports too, so tests are deterministic.

mod address;
pub mod analytics;
pub mod cart;
pub mod catalog;
mod clock;
#[cfg(feature = "testing")]
pub mod contract;
mod currency;
pub mod email;
mod error;
pub mod events;
mod id;
pub mod inventory;
mod label;
mod money;
mod newtype;
#[cfg(feature = "openapi")]
mod openapi;
pub mod order;
pub mod outbox;
pub mod payment;
mod percentage;
pub mod ports;
pub mod pricing;
pub mod promotion;
mod quantity;
pub mod review;
mod rounding;
pub mod seed;
pub mod services;
pub mod shipping;
pub mod tax;
#[cfg(feature = "testing")]
pub mod testing;

pub mod customer;

pub use address::{Address, Email, postal_code_fits};
pub use clock::{Clock, SystemClock};
pub use currency::{Currency, MAX_EXPONENT};
pub use error::{BoxError, Error, FieldError, Result};
pub use id::{
    CartId, CartLineId, CustomerId, EventId, GeneratedId, IdError, IdGenerator, IdGeneratorExt, MessageId, OrderId,
    PaymentId, ProductId, PromotionId, RandomIds, RefundId, ReviewId, VariantId, WebhookEndpointId,
};
pub use label::{Category, CustomerGroup, LabelError, TaxCategory};
pub use money::{Money, MoneyError};
pub use percentage::{MAX_PERCENTAGE_SCALE, Percentage, PercentageError};
pub use quantity::{Quantity, QuantityError};
pub use rounding::RoundingMode;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
