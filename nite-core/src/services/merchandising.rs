//! `MerchandisingService`: what administrators sell and on what terms — products with their variants, and
//! promotions. Every method is for administrators only; anyone else is told `NotFound`, as for any other record
//! they may not see.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::{Dimensions, Image, Price, Product, Sku, Slug, Spec, Variant, VariantOption};
use crate::error::{Error, FieldError, Result};
use crate::id::IdGeneratorExt;
use crate::ports::{Page, ProductFilter};
use crate::pricing::PricedCart;
use crate::promotion::{Action, CombinesWith, Condition, DiscountCode, Promotion};
use crate::services::{ShopContext, Viewer};
use crate::{Category, ProductId, PromotionId, TaxCategory, VariantId};

/// The most variants one product may have.
pub const MAX_VARIANTS: usize = 100;

/// A product as an administrator writes it: everything but the product's id, which the shop assigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductDraft {
    /// Its URL name, unique across the catalog.
    pub slug: Slug,
    /// Its display name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// Its selling points.
    #[serde(default)]
    pub features: Vec<String>,
    /// Its technical specifications.
    #[serde(default)]
    pub technical_specs: Vec<Spec>,
    /// Its images.
    #[serde(default)]
    pub images: Vec<Image>,
    /// How it is taxed.
    pub tax_category: TaxCategory,
    /// Its variants (at least one), written inline.
    pub variants: Vec<VariantDraft>,
}

/// A variant as an administrator writes it. With the `id` of an existing variant it updates that variant;
/// without one it is a new variant and gets a new id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantDraft {
    /// The existing variant's id, when updating it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<VariantId>,
    /// Its SKU, unique across the catalog.
    pub sku: Sku,
    /// Its own name.
    pub name: String,
    /// What sets it apart from its siblings.
    #[serde(default)]
    pub options: Vec<VariantOption>,
    /// Its price (`price`, and `sale_price` below it when on sale).
    #[serde(flatten)]
    pub price: Price,
    /// Shipping weight in grams.
    pub weight_grams: u32,
    /// Shipping dimensions.
    pub dimensions: Dimensions,
}

impl ProductDraft {
    /// The draft of an existing product, to edit and save again.
    pub fn of(product: &Product) -> ProductDraft {
        ProductDraft {
            slug: product.slug.clone(),
            name: product.name.clone(),
            category: product.category.clone(),
            description: product.description.clone(),
            features: product.features.clone(),
            technical_specs: product.technical_specs.clone(),
            images: product.images.clone(),
            tax_category: product.tax_category.clone(),
            variants: product
                .variants
                .iter()
                .map(|v| VariantDraft {
                    id: Some(v.id.clone()),
                    sku: v.sku.clone(),
                    name: v.name.clone(),
                    options: v.options.clone(),
                    price: v.price,
                    weight_grams: v.weight_grams,
                    dimensions: v.dimensions,
                })
                .collect(),
        }
    }
}

/// A promotion as an administrator writes it: everything but its id, which the shop assigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionDraft {
    /// Its name, for the administrators and the receipts.
    pub name: String,
    /// The code that turns it on; without one it applies automatically.
    #[serde(default)]
    pub code: Option<DiscountCode>,
    /// What it does.
    pub action: Action,
    /// What must hold for it to apply.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Whether it is on.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// When it starts.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
    /// When it ends.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    /// How many orders may use it in all.
    #[serde(default)]
    pub usage_limit: Option<u32>,
    /// How many orders each customer may use it on.
    #[serde(default)]
    pub usage_limit_per_customer: Option<u32>,
    /// Lower numbers apply first (100 unless given, as for [`Promotion::new`]).
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Whether it refuses to share the order with any other promotion.
    #[serde(default)]
    pub exclusive: bool,
    /// Which classes of promotion it combines with: every class unless given, so that a new code adds to the
    /// automatic promotions instead of knocking them out.
    #[serde(default = "combines_with_all")]
    pub combines_with: CombinesWith,
}

fn yes() -> bool {
    true
}

fn default_priority() -> u32 {
    100
}

fn combines_with_all() -> CombinesWith {
    CombinesWith::ALL
}

/// Every problem with the amounts and percentages of an action or condition: a discount must be positive, in the
/// shop's currency and at its minor unit; a minimum must not be negative.
fn money_problems(action: &Action, conditions: &[Condition], currency: crate::Currency) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let mut amount = |field: &str, money: &crate::Money, positive: bool| {
        if money.currency() != currency {
            problems.push(FieldError::new(field, format!("must be in the shop's currency, {currency}")));
        } else if money.is_negative() || (positive && money.is_zero()) {
            let least = if positive { "more than zero" } else { "zero or more" };
            problems.push(FieldError::new(field, format!("must be {least}")));
        } else if !money.is_at_minor_unit() {
            problems.push(FieldError::new(field, "must be in whole minor units (such as 5.00)"));
        }
    };
    match action {
        Action::OrderAmount { amount: money } => amount("action.amount", money, true),
        Action::ItemsAmount { amount_per_unit, .. } => amount("action.amount_per_unit", amount_per_unit, true),
        _ => {}
    }
    for (i, condition) in conditions.iter().enumerate() {
        if let Condition::MinSubtotal { amount: money } = condition {
            amount(&format!("conditions[{i}].amount"), money, false);
        }
    }
    let percentage = match action {
        Action::OrderPercentage { percentage }
        | Action::ItemsPercentage { percentage, .. }
        | Action::BuyXGetY { percentage, .. } => Some(percentage),
        _ => None,
    };
    if percentage.is_some_and(|p| p.is_zero()) {
        problems.push(FieldError::new("action.percentage", "must be more than 0 (and at most 100)"));
    }
    problems
}

impl PromotionDraft {
    /// The draft of an existing promotion, to edit and save again.
    pub fn of(p: &Promotion) -> PromotionDraft {
        PromotionDraft {
            name: p.name.clone(),
            code: p.code.clone(),
            action: p.action.clone(),
            conditions: p.conditions.clone(),
            enabled: p.enabled,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            usage_limit: p.usage_limit,
            usage_limit_per_customer: p.usage_limit_per_customer,
            priority: p.priority,
            exclusive: p.exclusive,
            combines_with: p.combines_with,
        }
    }

    fn into_promotion(self, id: PromotionId, currency: crate::Currency) -> Result<Promotion> {
        let mut errors = money_problems(&self.action, &self.conditions, currency);
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if let (Some(starts), Some(ends)) = (self.starts_at, self.ends_at)
            && ends <= starts
        {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        }
        if self.usage_limit == Some(0) {
            errors.push(FieldError::new("usage_limit", "must be at least 1 (or absent for no limit)"));
        }
        if self.usage_limit_per_customer == Some(0) {
            errors.push(FieldError::new("usage_limit_per_customer", "must be at least 1 (or absent for no limit)"));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let mut promotion = Promotion::new(id, self.name.trim(), self.action);
        promotion.code = self.code;
        promotion.conditions = self.conditions;
        promotion.enabled = self.enabled;
        promotion.starts_at = self.starts_at;
        promotion.ends_at = self.ends_at;
        promotion.usage_limit = self.usage_limit;
        promotion.usage_limit_per_customer = self.usage_limit_per_customer;
        promotion.priority = self.priority;
        promotion.exclusive = self.exclusive;
        promotion.combines_with = self.combines_with;
        Ok(promotion)
    }
}

/// The most lines a sample cart may have.
pub const MAX_SAMPLE_LINES: usize = 50;

/// A cart made up to try a promotion on ([`MerchandisingService::preview_promotion`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleCart {
    /// SKUs and quantities (at most [`MAX_SAMPLE_LINES`] lines, each within the shop's line limit).
    pub lines: Vec<(Sku, u32)>,
    /// Codes the shopper entered.
    pub codes: Vec<DiscountCode>,
    /// A shipping charge in the shop's currency, to see shipping discounts; none if absent.
    pub shipping: Option<crate::Money>,
    /// The buyer's group and whether this is their first order.
    pub customer: crate::pricing::CustomerFacts,
}

/// A sample cart priced as the promotions stand and as they would with a promotion saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionPreview {
    /// The promotion as it would be saved (a new one gets a provisional id).
    pub promotion: Promotion,
    /// The sample cart's lines, as priced.
    pub items: Vec<crate::pricing::LineItem>,
    /// The promotions as stored: what `without` was priced with.
    pub stored: Vec<Promotion>,
    /// The promotions `with` was priced with: the stored ones with the previewed one in place.
    pub promotions: Vec<Promotion>,
    /// Priced with the promotions as they are (without the previewed one, or with its saved version).
    pub without: PricedCart,
    /// Priced with the previewed promotion in place (and its code entered, if it has one).
    pub with: PricedCart,
}

/// Products and promotions, for administrators.
#[derive(Clone)]
pub struct MerchandisingService {
    ctx: ShopContext,
}

impl MerchandisingService {
    /// A merchandising service over `ctx`.
    pub fn new(ctx: ShopContext) -> MerchandisingService {
        MerchandisingService { ctx }
    }

    fn admin(viewer: &Viewer, entity: &'static str, id: impl std::fmt::Display) -> Result<()> {
        if viewer.is_admin() { Ok(()) } else { Err(Error::not_found(entity, id)) }
    }

    /// A page of products, as stored.
    pub async fn products(&self, viewer: &Viewer, filter: &ProductFilter) -> Result<Page<Product>> {
        Self::admin(viewer, "product", "all")?;
        self.ctx.stores.catalog.products(filter).await
    }

    /// One product by id.
    pub async fn product(&self, viewer: &Viewer, id: &str) -> Result<Product> {
        Self::admin(viewer, "product", id)?;
        let parsed = ProductId::parse(id).map_err(|_| Error::not_found("product", id))?;
        self.ctx.stores.catalog.product(&parsed).await?.ok_or_else(|| Error::not_found("product", id))
    }

    /// Adds a product. Its SKUs start with no stock; set it through the inventory.
    pub async fn create_product(&self, viewer: &Viewer, draft: ProductDraft) -> Result<Product> {
        Self::admin(viewer, "product", "new")?;
        let product = self.build(self.ctx.ids.new_id(), draft, &[])?;
        self.save(&product).await?;
        Ok(product)
    }

    /// Changes a product: `edit` gets its current draft and returns the new one (for a plain replacement,
    /// `|_| Ok(draft)`). Variants named by id keep it; a variant left out is no longer sold (carts holding it show
    /// the line as unavailable; placed orders keep their copy).
    pub async fn update_product(
        &self,
        viewer: &Viewer,
        id: &str,
        edit: impl FnOnce(ProductDraft) -> Result<ProductDraft>,
    ) -> Result<Product> {
        let current = self.product(viewer, id).await?;
        let draft = edit(ProductDraft::of(&current))?;
        let product = self.build(current.id.clone(), draft, &current.variants)?;
        self.save(&product).await?;
        Ok(product)
    }

    /// Stops selling a product. Placed orders keep their own copy of what was bought; carts show its lines as
    /// unavailable. Its stock rows stay, since unpaid orders may still hold reservations on them.
    pub async fn delete_product(&self, viewer: &Viewer, id: &str) -> Result<()> {
        let current = self.product(viewer, id).await?;
        self.ctx.stores.catalog.delete_product(&current.id).await
    }

    fn build(&self, id: ProductId, draft: ProductDraft, existing: &[Variant]) -> Result<Product> {
        let mut errors = Vec::new();
        if draft.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if draft.variants.is_empty() {
            errors.push(FieldError::new("variants", "a product needs at least one variant"));
        }
        if draft.variants.len() > MAX_VARIANTS {
            errors.push(FieldError::new("variants", format!("at most {MAX_VARIANTS}")));
        }
        let currency = self.ctx.settings.currency;
        let mut skus = HashSet::new();
        let mut ids = HashSet::new();
        for (i, v) in draft.variants.iter().enumerate() {
            if !skus.insert(v.sku.clone()) {
                errors.push(FieldError::new(format!("variants[{i}].sku"), format!("`{}` appears twice", v.sku)));
            }
            if v.name.trim().is_empty() {
                errors.push(FieldError::new(format!("variants[{i}].name"), "must not be empty"));
            }
            if v.price.selling().currency() != currency {
                errors.push(FieldError::new(format!("variants[{i}].price"), format!("must be in {currency}")));
            }
            if let Some(vid) = &v.id {
                if !existing.iter().any(|e| &e.id == vid) {
                    errors.push(FieldError::new(format!("variants[{i}].id"), "names no variant of this product"));
                } else if !ids.insert(vid.clone()) {
                    errors.push(FieldError::new(format!("variants[{i}].id"), "appears twice"));
                }
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let variants = draft
            .variants
            .into_iter()
            .map(|v| Variant {
                id: v.id.unwrap_or_else(|| self.ctx.ids.new_id()),
                sku: v.sku,
                name: v.name.trim().to_owned(),
                options: v.options,
                price: v.price,
                weight_grams: v.weight_grams,
                dimensions: v.dimensions,
            })
            .collect();
        Ok(Product {
            id,
            slug: draft.slug,
            name: draft.name.trim().to_owned(),
            category: draft.category,
            description: draft.description,
            features: draft.features,
            technical_specs: draft.technical_specs,
            images: draft.images,
            tax_category: draft.tax_category,
            variants,
        })
    }

    /// Saves a product, then gives its new SKUs a stock row (with nothing on hand) so the inventory lists them.
    async fn save(&self, product: &Product) -> Result<()> {
        self.ctx.stores.catalog.upsert_product(product).await?;
        let skus: Vec<Sku> = product.variants.iter().map(|v| v.sku.clone()).collect();
        let stocked = self.ctx.stores.inventory.stock(&skus).await?;
        for sku in skus.iter().filter(|s| !stocked.iter().any(|l| &l.sku == *s)) {
            self.ctx.stores.inventory.set_on_hand(sku, 0).await?;
        }
        Ok(())
    }

    /// Every promotion.
    pub async fn promotions(&self, viewer: &Viewer) -> Result<Vec<Promotion>> {
        Self::admin(viewer, "promotion", "all")?;
        self.ctx.stores.promotions.promotions().await
    }

    /// One promotion by id.
    pub async fn promotion(&self, viewer: &Viewer, id: &str) -> Result<Promotion> {
        Self::admin(viewer, "promotion", id)?;
        let parsed = PromotionId::parse(id).map_err(|_| Error::not_found("promotion", id))?;
        self.ctx.stores.promotions.promotion(&parsed).await?.ok_or_else(|| Error::not_found("promotion", id))
    }

    /// Adds a promotion.
    pub async fn create_promotion(&self, viewer: &Viewer, draft: PromotionDraft) -> Result<Promotion> {
        Self::admin(viewer, "promotion", "new")?;
        let promotion = draft.into_promotion(self.ctx.ids.new_id(), self.ctx.settings.currency)?;
        self.ctx.stores.promotions.upsert_promotion(&promotion).await?;
        Ok(promotion)
    }

    /// Prices `sample` twice, for a dashboard's live preview: with the promotions as stored, and with `draft` in
    /// place of promotion `replaces` (or added, when `replaces` is `None`). The draft is validated as saving would
    /// validate it, and its code is entered in the second pricing when it has one, so the preview shows the code
    /// working. Usage limits are not counted (a sample cart has no buyer history); dates, conditions and
    /// combinations are, at the shop's clock. Nothing is stored.
    pub async fn preview_promotion(
        &self,
        viewer: &Viewer,
        draft: PromotionDraft,
        replaces: Option<&str>,
        sample: &SampleCart,
    ) -> Result<PromotionPreview> {
        Self::admin(viewer, "promotion", "preview")?;
        let current = match replaces {
            Some(id) => Some(self.promotion(viewer, id).await?),
            None => None,
        };
        let id = current.as_ref().map_or_else(|| self.ctx.ids.new_id(), |p| p.id.clone());
        let promotion = draft.into_promotion(id, self.ctx.settings.currency)?;
        let items = self.sample_items(sample).await?;
        let stored = self.ctx.stores.promotions.promotions().await?;
        let mut with: Vec<Promotion> = stored.iter().filter(|p| p.id != promotion.id).cloned().collect();
        with.push(promotion.clone());
        let mut codes_with = sample.codes.clone();
        if let Some(code) = &promotion.code
            && !codes_with.contains(code)
        {
            codes_with.push(code.clone());
        }
        let priced = |promotions: &[Promotion], codes: &[DiscountCode]| {
            let currency = self.ctx.settings.currency;
            let shipping = sample
                .shipping
                .map(|amount| crate::pricing::ShippingCharge { amount, tax_category: Some(TaxCategory::SHIPPING) });
            let cart = crate::pricing::PricingCart {
                currency,
                lines: &items,
                codes,
                shipping: shipping.as_ref(),
                destination: None,
                customer: &sample.customer,
            };
            let ctx = crate::pricing::PricingContext {
                policy: &self.ctx.settings.policy,
                tax_rules: &self.ctx.settings.tax_rules,
                promotions,
                usage: &[],
                now: self.ctx.clock.now(),
            };
            crate::pricing::price(&cart, &ctx).map_err(Error::from)
        };
        let without = priced(&stored, &sample.codes)?;
        let with_priced = priced(&with, &codes_with)?;
        Ok(PromotionPreview { promotion, items, stored, promotions: with, without, with: with_priced })
    }

    async fn sample_items(&self, sample: &SampleCart) -> Result<Vec<crate::pricing::LineItem>> {
        if sample.lines.is_empty() || sample.lines.len() > MAX_SAMPLE_LINES {
            return Err(Error::invalid("cart.lines", format!("between 1 and {MAX_SAMPLE_LINES} lines")));
        }
        if let Some(shipping) = sample.shipping
            && (shipping.currency() != self.ctx.settings.currency || shipping.is_negative())
        {
            return Err(Error::invalid("cart.shipping", "zero or more, in the shop's currency"));
        }
        let skus: Vec<Sku> = sample.lines.iter().map(|(sku, _)| sku.clone()).collect();
        let products = self.ctx.stores.catalog.products_by_skus(&skus).await?;
        let max = self.ctx.settings.max_line_quantity;
        let mut items = Vec::with_capacity(sample.lines.len());
        for (i, (sku, quantity)) in sample.lines.iter().enumerate() {
            let quantity = crate::Quantity::new(i64::from(*quantity))
                .ok()
                .filter(|q| *q <= max)
                .ok_or_else(|| Error::invalid(format!("cart.lines[{i}].quantity"), format!("1 to {max}")))?;
            let (product, variant) = products
                .iter()
                .find_map(|p| p.variant(sku).map(|v| (p, v)))
                .ok_or_else(|| Error::invalid(format!("cart.lines[{i}].sku"), format!("{sku} is not sold")))?;
            items.push(crate::pricing::LineItem::snapshot(product, variant, quantity));
        }
        Ok(items)
    }

    /// Changes a promotion's terms: `edit` gets its current draft and returns the new one. What it has been used
    /// for so far is kept.
    pub async fn update_promotion(
        &self,
        viewer: &Viewer,
        id: &str,
        edit: impl FnOnce(PromotionDraft) -> Result<PromotionDraft>,
    ) -> Result<Promotion> {
        let current = self.promotion(viewer, id).await?;
        let promotion = edit(PromotionDraft::of(&current))?.into_promotion(current.id, self.ctx.settings.currency)?;
        self.ctx.stores.promotions.upsert_promotion(&promotion).await?;
        Ok(promotion)
    }
}
