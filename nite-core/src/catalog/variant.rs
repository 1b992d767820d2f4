//! Variants: the sellable versions of a product, each with its SKU, price, weight and size.

use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::{Money, VariantId};

/// A price that cannot be: negative, finer than the minor unit, or a sale price that is not below the regular one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// The amount is below zero.
    #[error("price {0} is negative")]
    Negative(Money),
    /// The amount has digits below the currency's minor unit.
    #[error("price {0} is finer than the currency's minor unit")]
    NotAtMinorUnit(Money),
    /// The sale price is in another currency than the regular price.
    #[error("sale price {sale} is not in the currency of the regular price {regular}")]
    CurrencyMismatch {
        /// The regular price.
        regular: Money,
        /// The sale price.
        sale: Money,
    },
    /// The sale price is not lower than the regular price.
    #[error("sale price {sale} is not below the regular price {regular}")]
    SaleNotBelowRegular {
        /// The regular price.
        regular: Money,
        /// The sale price.
        sale: Money,
    },
}

/// What a variant costs: a regular price and, while on sale, a lower sale price.
///
/// The regular price is then shown struck through as the compare-at price.
///
/// ```
/// use nite_core::catalog::Price;
/// use nite_core::{Currency, Money};
/// use rust_decimal_macros::dec;
///
/// let usd = |a| Money::new(a, Currency::USD);
/// let price = Price::on_sale(usd(dec!(99.99)), usd(dec!(89.99)))?;
/// assert_eq!(price.selling(), usd(dec!(89.99)));
/// assert_eq!(price.compare_at(), Some(usd(dec!(99.99))));
/// assert!(Price::on_sale(usd(dec!(10)), usd(dec!(12))).is_err());
/// # Ok::<(), nite_core::catalog::PriceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PriceRepr", into = "PriceRepr")]
pub struct Price {
    regular: Money,
    sale: Option<Money>,
}

impl Price {
    /// A regular price with no sale.
    pub fn regular(amount: Money) -> Result<Price, PriceError> {
        check_amount(amount)?;
        Ok(Price { regular: amount, sale: None })
    }

    /// A regular price and a lower sale price in the same currency.
    pub fn on_sale(regular: Money, sale: Money) -> Result<Price, PriceError> {
        check_amount(regular)?;
        check_amount(sale)?;
        if regular.currency() != sale.currency() {
            return Err(PriceError::CurrencyMismatch { regular, sale });
        }
        if sale.amount() >= regular.amount() {
            return Err(PriceError::SaleNotBelowRegular { regular, sale });
        }
        Ok(Price { regular, sale: Some(sale) })
    }

    /// What a customer pays per unit: the sale price if there is one, else the regular price.
    pub fn selling(&self) -> Money {
        self.sale.unwrap_or(self.regular)
    }

    /// The regular price, shown struck through while the variant is on sale.
    pub fn compare_at(&self) -> Option<Money> {
        self.sale.map(|_| self.regular)
    }

    /// The regular price.
    pub fn regular_price(&self) -> Money {
        self.regular
    }

    /// The sale price, if the variant is on sale.
    pub fn sale_price(&self) -> Option<Money> {
        self.sale
    }
}

fn check_amount(amount: Money) -> Result<(), PriceError> {
    if amount.is_negative() {
        return Err(PriceError::Negative(amount));
    }
    if !amount.is_at_minor_unit() {
        return Err(PriceError::NotAtMinorUnit(amount));
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct PriceRepr {
    price: Money,
    sale_price: Option<Money>,
}

impl TryFrom<PriceRepr> for Price {
    type Error = PriceError;

    fn try_from(repr: PriceRepr) -> Result<Self, Self::Error> {
        match repr.sale_price {
            None => Price::regular(repr.price),
            Some(sale) => Price::on_sale(repr.price, sale),
        }
    }
}

impl From<Price> for PriceRepr {
    fn from(price: Price) -> PriceRepr {
        PriceRepr { price: price.regular, sale_price: price.sale }
    }
}

/// One option that tells variants of a product apart, e.g. `color = green`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantOption {
    /// The option's name, e.g. `color`.
    pub name: String,
    /// The variant's value for it, e.g. `green`.
    pub value: String,
}

/// A parcel's outer size in millimetres, for shipping quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dimensions {
    /// Length in millimetres.
    pub length_mm: u32,
    /// Width in millimetres.
    pub width_mm: u32,
    /// Height in millimetres.
    pub height_mm: u32,
}

/// A sellable version of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Its price's two fields sit beside the others (`price`, `sale_price`). Reading one goes through `VariantRepr`
// rather than `#[serde(flatten)]`, which would first copy the whole variant into serde's buffered form: a page of
// products reads many. (A comment, not documentation: the doc comment is the OpenAPI document's description.)
#[serde(try_from = "VariantRepr")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    /// Its id.
    pub id: VariantId,
    /// Its SKU, unique across the catalog.
    pub sku: Sku,
    /// A name for the variant alone, e.g. `Green`.
    pub name: String,
    /// The options that set it apart from its siblings.
    pub options: Vec<VariantOption>,
    /// Its price.
    #[serde(flatten)]
    pub price: Price,
    /// Shipping weight in grams.
    pub weight_grams: u32,
    /// Shipping dimensions.
    pub dimensions: Dimensions,
}

/// A variant as it is read: its price's two fields among the others.
#[derive(Deserialize)]
struct VariantRepr {
    id: VariantId,
    sku: Sku,
    name: String,
    options: Vec<VariantOption>,
    price: Money,
    sale_price: Option<Money>,
    weight_grams: u32,
    dimensions: Dimensions,
}

impl TryFrom<VariantRepr> for Variant {
    type Error = PriceError;

    fn try_from(repr: VariantRepr) -> Result<Variant, PriceError> {
        let VariantRepr { id, sku, name, options, price, sale_price, weight_grams, dimensions } = repr;
        let price = Price::try_from(PriceRepr { price, sale_price })?;
        Ok(Variant { id, sku, name, options, price, weight_grams, dimensions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use rust_decimal_macros::dec;

    fn usd(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::USD)
    }

    #[test]
    fn a_variant_reads_back_what_it_wrote_with_its_price_fields_beside_the_others() {
        for price in
            [Price::regular(usd(dec!(49.99))).unwrap(), Price::on_sale(usd(dec!(99)), usd(dec!(89.5))).unwrap()]
        {
            let variant = Variant {
                id: VariantId::parse("var_1").unwrap(),
                sku: Sku::new("NP-1").unwrap(),
                name: "Green".to_owned(),
                options: vec![VariantOption { name: "color".to_owned(), value: "green".to_owned() }],
                price,
                weight_grams: 450,
                dimensions: Dimensions { length_mm: 1, width_mm: 2, height_mm: 3 },
            };
            let json = serde_json::to_value(&variant).unwrap();
            assert_eq!(
                json["price"],
                serde_json::json!({"amount": price.regular_price().amount_string(), "currency": "USD"})
            );
            assert_eq!(json["sale_price"].is_null(), price.sale_price().is_none());
            assert_eq!(json["sku"], "NP-1");
            assert_eq!(serde_json::from_value::<Variant>(json).unwrap(), variant);
        }
    }

    #[test]
    fn a_variant_whose_price_cannot_be_is_refused() {
        let json = |sale: &str| {
            format!(
                r#"{{"id":"var_1","sku":"NP-1","name":"G","options":[],"price":{{"amount":"10.00","currency":"USD"}},
                "sale_price":{sale},"weight_grams":1,"dimensions":{{"length_mm":1,"width_mm":1,"height_mm":1}},
                "unknown":true}}"#
            )
        };
        assert!(serde_json::from_str::<Variant>(&json("null")).is_ok());
        let error = serde_json::from_str::<Variant>(&json(r#"{"amount":"12.00","currency":"USD"}"#)).unwrap_err();
        assert!(error.to_string().contains("is not below the regular price"), "{error}");
        assert!(serde_json::from_str::<Variant>(&json(r#"{"amount":"9.00","currency":"EUR"}"#)).is_err());
    }
}
