//! OpenAPI schemas (the `openapi` feature) for the types whose JSON form is written by hand: money and percentages
//! as decimal strings, currencies, quantities, ratings, prices, and the validated strings (ids, SKUs, slugs, codes,
//! labels). The types with derived serde forms derive theirs next to their definitions.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::catalog::Price;
use crate::review::Rating;
use crate::{Currency, Money, Percentage, Quantity};

/// A plain string schema that names the type it stands for.
pub(crate) fn string(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).description(Some(format!("A {what}."))).into()
}

fn decimal_string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^-?[0-9]+(\.[0-9]+)?$"))
        .description(Some(description.to_owned()))
}

impl PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Z]{3}$"))
            .description(Some("An ISO 4217 currency code."))
            .into()
    }
}
impl ToSchema for Currency {}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("amount", decimal_string("A decimal string at the currency's minor unit, never a float."))
            .required("amount")
            .property("currency", Currency::schema())
            .required("currency")
            .description(Some("An amount of money: `{\"amount\": \"49.99\", \"currency\": \"USD\"}`."))
            .into()
    }
}
impl ToSchema for Money {}

impl PartialSchema for Percentage {
    fn schema() -> RefOr<Schema> {
        decimal_string("A percentage from 0 to 100 as a decimal string, e.g. \"12.5\".").into()
    }
}
impl ToSchema for Percentage {}

impl PartialSchema for Quantity {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from(Type::Integer))
            .minimum(Some(1))
            .maximum(Some(u32::MAX))
            .description(Some("A number of units, at least 1."))
            .into()
    }
}
impl ToSchema for Quantity {}

impl PartialSchema for Rating {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(5))
            .description(Some("Stars, 1 to 5."))
            .into()
    }
}
impl ToSchema for Rating {}

impl PartialSchema for Price {
    fn schema() -> RefOr<Schema> {
        let sale = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
            .property("amount", decimal_string("A decimal string."))
            .property("currency", Currency::schema())
            .required("amount")
            .required("currency")
            .description(Some("The sale price, below the regular one, or null."));
        ObjectBuilder::new()
            .property("price", Money::schema())
            .required("price")
            .property("sale_price", sale)
            .description(Some("A regular price and, when on sale, a lower sale price in the same currency."))
            .into()
    }
}
impl ToSchema for Price {}

impl PartialSchema for crate::tax::CountryCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Z]{2}$"))
            .description(Some("An ISO 3166-1 alpha-2 country code."))
            .into()
    }
}
impl ToSchema for crate::tax::CountryCode {}
