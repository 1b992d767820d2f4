//! nite-core: the domain of the nite commerce SDK, with no I/O.
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
//!
//! Everything here is pure and deterministic: time comes in as a value, and nothing touches a network, a disk or a
//! lock.

pub mod catalog;
mod currency;
mod id;
mod label;
mod money;
mod newtype;
mod percentage;
pub mod pricing;
pub mod promotion;
mod quantity;
mod rounding;
pub mod seed;
pub mod tax;

pub use currency::{Currency, MAX_EXPONENT};
pub use id::{CustomerId, IdError, ProductId, PromotionId, VariantId};
pub use label::{Category, CustomerGroup, LabelError, TaxCategory};
pub use money::{Money, MoneyError};
pub use percentage::{MAX_PERCENTAGE_SCALE, Percentage, PercentageError};
pub use quantity::{Quantity, QuantityError};
pub use rounding::RoundingMode;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
