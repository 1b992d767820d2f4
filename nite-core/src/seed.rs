//! The NitePutter catalog: the three tiers of golf putting lights, their stock, demo promotions and tax rules.
//!
//! One place for the data the reference server seeds, the examples print and the benchmarks price.

use std::num::NonZeroU32;

use rust_decimal::Decimal;

use crate::catalog::{Dimensions, Image, Price, Product, Sku, Slug, Spec, Variant, VariantOption};
use crate::promotion::{Action, CombinesWith, Condition, DiscountCode, Promotion, Target};
use crate::tax::{Region, TaxRule, TaxRules};
use crate::{Category, Currency, Money, Percentage, ProductId, PromotionId, TaxCategory, VariantId};

/// Seed data for a NitePutter shop.
#[derive(Debug, Clone)]
pub struct SeedCatalog {
    /// Basic, Pro and Complete System, in that order.
    pub products: Vec<Product>,
    /// Units on hand per SKU.
    pub stock: Vec<(Sku, u32)>,
    /// `NITE10` (10 % off from $75), free shipping from $100, and buy 2 Pro get a Basic free.
    pub promotions: Vec<Promotion>,
    /// A few US state sales taxes on `standard` goods; shipping untaxed.
    pub tax_rules: TaxRules,
}

fn usd(cents: i64) -> Money {
    Money::from_minor(cents, Currency::USD)
}

fn pct(value: i64, scale: u32) -> Percentage {
    Percentage::new(Decimal::new(value, scale)).expect("seed percentages are between 0 and 100")
}

fn image(url: &str, alt: &str) -> Image {
    Image { url: url.to_owned(), alt: alt.to_owned() }
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn specs(items: &[(&str, &str)]) -> Vec<Spec> {
    items.iter().map(|(name, value)| Spec { name: (*name).to_owned(), value: (*value).to_owned() }).collect()
}

struct VariantSeed {
    id: &'static str,
    sku: &'static str,
    name: &'static str,
    color: &'static str,
    price: Price,
    weight_grams: u32,
    dimensions: Dimensions,
}

fn variant(seed: VariantSeed) -> Variant {
    Variant {
        id: VariantId::parse(seed.id).expect("seed variant ids are valid"),
        sku: Sku::new(seed.sku).expect("seed SKUs are valid"),
        name: seed.name.to_owned(),
        options: vec![VariantOption { name: "color".to_owned(), value: seed.color.to_owned() }],
        price: seed.price,
        weight_grams: seed.weight_grams,
        dimensions: seed.dimensions,
    }
}

fn regular(cents: i64) -> Price {
    Price::regular(usd(cents)).expect("seed prices are valid")
}

/// The NitePutter catalog.
///
/// ```
/// let seed = nite_core::seed::niteputter();
/// assert_eq!(seed.products.len(), 3);
/// assert!(seed.products.iter().any(|p| p.variants.iter().any(|v| v.price.compare_at().is_some())));
/// ```
pub fn niteputter() -> SeedCatalog {
    let cup_box = Dimensions { length_mm: 160, width_mm: 110, height_mm: 70 };
    let basic = Product {
        id: ProductId::parse("prod_basic").expect("valid id"),
        slug: Slug::new("niteputter-basic").expect("valid slug"),
        name: "NitePutter Basic".to_owned(),
        category: Category::BASIC,
        description: "A drop-in LED cup light that turns any regulation hole into a glowing target, so the putting \
                      green stays playable long after sunset."
            .to_owned(),
        features: texts(&[
            "Fits any 4.25-inch regulation cup",
            "Bright, even green glow visible from 30 feet",
            "Motion-activated: lights up when the ball drops",
            "Weatherproof (IP65)",
        ]),
        technical_specs: specs(&[
            ("Battery", "2 × AAA, included"),
            ("Battery life", "40 hours of glow"),
            ("Light", "3 LEDs, 520 nm green"),
            ("Weight", "180 g"),
        ]),
        images: vec![
            image("/images/niteputter-basic.svg", "NitePutter Basic glowing green inside a putting cup at night"),
            image("/images/niteputter-basic-detail.svg", "A golf ball resting in the lit NitePutter Basic cup"),
        ],
        tax_category: TaxCategory::STANDARD,
        variants: vec![variant(VariantSeed {
            id: "var_basicgreen",
            sku: "NP-BASIC-GRN",
            name: "Green",
            color: "green",
            price: regular(4999),
            weight_grams: 180,
            dimensions: cup_box,
        })],
    };
    let pro = Product {
        id: ProductId::parse("prod_pro").expect("valid id"),
        slug: Slug::new("niteputter-pro").expect("valid slug"),
        name: "NitePutter Pro".to_owned(),
        category: Category::PRO,
        description: "The rechargeable cup light for serious practice: selectable colours, a brighter ring of light \
                      around the rim, and a flag-stick glow that shows the line from across the green."
            .to_owned(),
        features: texts(&[
            "Rechargeable over USB-C, 12 hours per charge",
            "Seven colours, or colour-cycle mode",
            "Rim ring light plus flag-stick glow",
            "Auto-off after 30 minutes without a putt",
            "Weatherproof (IP67)",
        ]),
        technical_specs: specs(&[
            ("Battery", "1,200 mAh Li-ion, USB-C"),
            ("Battery life", "12 hours"),
            ("Light", "12 RGB LEDs"),
            ("Weight", "240 g"),
        ]),
        images: vec![
            image("/images/niteputter-pro.svg", "NitePutter Pro lighting the rim of a cup and the flag stick"),
            image(
                "/images/niteputter-pro-colours.svg",
                "NitePutter Pro in colour-cycle mode, ringed in magenta and gold",
            ),
        ],
        tax_category: TaxCategory::STANDARD,
        variants: vec![
            variant(VariantSeed {
                id: "var_progreen",
                sku: "NP-PRO-GRN",
                name: "Green",
                color: "green",
                price: Price::on_sale(usd(9999), usd(8999)).expect("sale below regular"),
                weight_grams: 240,
                dimensions: cup_box,
            }),
            variant(VariantSeed {
                id: "var_prorgb",
                sku: "NP-PRO-RGB",
                name: "Multicolour",
                color: "rgb",
                price: regular(10999),
                weight_grams: 240,
                dimensions: cup_box,
            }),
        ],
    };
    let complete = Product {
        id: ProductId::parse("prod_complete").expect("valid id"),
        slug: Slug::new("niteputter-complete-system").expect("valid slug"),
        name: "NitePutter Complete System".to_owned(),
        category: Category::COMPLETE,
        description: "Everything for a lit practice green: two Pro cup lights, a glowing flag, twelve ball-marker \
                      lights and a weatherproof charging case."
            .to_owned(),
        features: texts(&[
            "Two NitePutter Pro cup lights",
            "Glowing flag and stick",
            "Twelve LED ball markers",
            "Charging case charges everything at once",
        ]),
        technical_specs: specs(&[
            ("In the box", "2 cup lights, 1 flag, 12 markers, case, USB-C cable"),
            ("Battery life", "12 hours (cups), 20 hours (markers)"),
            ("Case", "Weatherproof, 4-port USB-C charging"),
            ("Weight", "1.6 kg"),
        ]),
        images: vec![
            image(
                "/images/niteputter-complete.svg",
                "The NitePutter Complete System lit up on a putting green at night",
            ),
            image("/images/niteputter-complete-case.svg", "The charging case holding cup lights and ball markers"),
        ],
        tax_category: TaxCategory::STANDARD,
        variants: vec![variant(VariantSeed {
            id: "var_completergb",
            sku: "NP-COMPLETE",
            name: "Multicolour",
            color: "rgb",
            price: regular(17999),
            weight_grams: 1600,
            dimensions: Dimensions { length_mm: 420, width_mm: 300, height_mm: 140 },
        })],
    };

    let stock = [("NP-BASIC-GRN", 120), ("NP-PRO-GRN", 60), ("NP-PRO-RGB", 40), ("NP-COMPLETE", 25)]
        .into_iter()
        .map(|(sku, units)| (Sku::new(sku).expect("valid SKU"), units))
        .collect();

    let mut nite10 = Promotion::new(
        PromotionId::parse("promo_nite10").expect("valid id"),
        "10 % off orders from $75",
        Action::OrderPercentage { percentage: pct(10, 0) },
    );
    nite10.code = Some(DiscountCode::new("NITE10").expect("valid code"));
    nite10.conditions = vec![Condition::MinSubtotal { amount: usd(7500) }];
    nite10.priority = 20;

    let mut free_shipping = Promotion::new(
        PromotionId::parse("promo_freeship100").expect("valid id"),
        "Free shipping from $100",
        Action::FreeShipping,
    );
    free_shipping.conditions = vec![Condition::MinSubtotal { amount: usd(10000) }];
    free_shipping.priority = 30;

    let one = NonZeroU32::MIN;
    let two = one.saturating_add(1);
    let mut pro_pair = Promotion::new(
        PromotionId::parse("promo_pro2basic").expect("valid id"),
        "Buy 2 Pro, get a Basic free",
        Action::BuyXGetY {
            buy: Target::Categories(vec![Category::PRO]),
            buy_quantity: two,
            get: Target::Categories(vec![Category::BASIC]),
            get_quantity: one,
            percentage: Percentage::HUNDRED,
            max_applications: Some(one),
        },
    );
    pro_pair.priority = 10;
    pro_pair.combines_with = CombinesWith::ALL;

    let state = |region: &str, value: i64, scale: u32, name: &str| TaxRule {
        region: Region::parse(region).expect("valid region"),
        category: TaxCategory::STANDARD,
        rate: pct(value, scale),
        name: name.to_owned(),
    };
    let tax_rules = TaxRules::new(vec![
        state("US-CA", 725, 2, "California sales tax"),
        state("US-NY", 4, 0, "New York sales tax"),
        state("US-TX", 625, 2, "Texas sales tax"),
        state("US-WA", 65, 1, "Washington sales tax"),
    ]);

    SeedCatalog {
        products: vec![basic, pro, complete],
        stock,
        promotions: vec![pro_pair, nite10, free_shipping],
        tax_rules,
    }
}

/// Loads the NitePutter catalog into an empty shop, and only an empty one: if the store holds any product,
/// promotion or order, nothing is written (a shop whose administrators renamed, disabled or removed things keeps
/// their work across restarts). Returns whether it seeded.
pub async fn load_if_empty(stores: &crate::ports::Stores) -> crate::Result<bool> {
    let products = stores
        .catalog
        .products(&crate::ports::ProductFilter { limit: crate::ports::Limit::ONE, ..Default::default() })
        .await?;
    let orders = stores
        .orders
        .orders(&crate::ports::OrderFilter { limit: crate::ports::Limit::ONE, ..Default::default() })
        .await?;
    if !products.items.is_empty() || !orders.items.is_empty() || !stores.promotions.promotions().await?.is_empty() {
        return Ok(false);
    }
    load(stores).await?;
    Ok(true)
}

/// Loads the NitePutter catalog into a store: products and promotions are created or replaced; stock is set only
/// for SKUs that have none yet, so seeding a running shop again never resets its inventory. (This is the explicit
/// reset of `niteputter seed`; a server starting uses [`load_if_empty`].)
pub async fn load(stores: &crate::ports::Stores) -> crate::Result<()> {
    let seed = niteputter();
    for product in &seed.products {
        stores.catalog.upsert_product(product).await?;
    }
    let skus: Vec<Sku> = seed.stock.iter().map(|(sku, _)| sku.clone()).collect();
    let existing = stores.inventory.stock(&skus).await?;
    for (sku, units) in &seed.stock {
        if !existing.iter().any(|level| &level.sku == sku) {
            stores.inventory.set_on_hand(sku, *units).await?;
        }
    }
    for promotion in &seed.promotions {
        stores.promotions.upsert_promotion(promotion).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_never_overwrites_a_shop_in_use() {
        futures::executor::block_on(async {
            let stores = crate::ports::Stores::from_store(std::sync::Arc::new(crate::testing::InMemoryStore::new()));
            assert!(load_if_empty(&stores).await.unwrap(), "an empty shop is seeded");
            let mut nite10 = stores.promotions.promotions().await.unwrap().into_iter().next().unwrap();
            nite10.enabled = false;
            stores.promotions.upsert_promotion(&nite10).await.unwrap();
            assert!(!load_if_empty(&stores).await.unwrap(), "a shop in use is left alone");
            let kept = stores.promotions.promotion(&nite10.id).await.unwrap().unwrap();
            assert!(!kept.enabled, "the administrator's change survives");
        });
    }

    #[test]
    fn seed_is_consistent() {
        let seed = niteputter();
        let skus: Vec<_> = seed.products.iter().flat_map(|p| p.variants.iter().map(|v| v.sku.clone())).collect();
        let mut unique = skus.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), skus.len(), "SKUs are unique");
        for (sku, _) in &seed.stock {
            assert!(skus.contains(sku), "stock for unknown SKU {sku}");
        }
        assert_eq!(seed.stock.len(), skus.len(), "every SKU has stock");
        let categories: Vec<_> = seed.products.iter().map(|p| p.category.clone()).collect();
        assert_eq!(categories, [Category::BASIC, Category::PRO, Category::COMPLETE]);
    }
}
