//! Contract suites for `CatalogStore`, `ShowcaseStore`, `InventoryStore` and `CartStore`.

use crate::cart::{Cart, CartState};
use crate::catalog::{Product, Slug};
use crate::contract::{Fixture, sku};
use crate::error::Error;
use crate::inventory::StockLevel;
use crate::ports::{ComposedShowcase, ProductFilter, ShowcaseStore, Stores};
use crate::review::ReviewStatus;
use crate::{CartId, Category, Currency, CustomerId, ProductId, seed};

/// The showcase: products with their stock and approved reviews' summaries, as the catalog, inventory and review
/// stores answer them one by one ([`ComposedShowcase`]), for every kind of list and for one product; a bad cursor
/// is refused, and the store answers as before after it (a read begun and failed ends there).
pub async fn showcase(stores: &Stores) {
    let f = Fixture::new(stores);
    let seed = seed::niteputter();
    for product in &seed.products {
        stores.catalog.upsert_product(product).await.unwrap();
    }
    let (basic, pro, complete) = (&seed.products[0], &seed.products[1], &seed.products[2]);
    stores.inventory.set_on_hand(&pro.variants[0].sku, 7).await.unwrap();
    stores.inventory.set_on_hand(&basic.variants[0].sku, 0).await.unwrap();
    let reviews = [
        ("rev_1", &pro.id, "cus_1", 5, Some(ReviewStatus::Approved)),
        ("rev_2", &pro.id, "cus_2", 3, Some(ReviewStatus::Approved)),
        ("rev_3", &pro.id, "cus_3", 1, None),
        ("rev_4", &complete.id, "cus_1", 4, Some(ReviewStatus::Approved)),
        ("rev_5", &basic.id, "cus_1", 2, Some(ReviewStatus::Rejected)),
    ];
    for (id, product, customer, stars, status) in reviews {
        let review = super::customers::review(id, product.as_str(), customer, stars, 0, &f);
        stores.reviews.create_review(&review, &[]).await.unwrap();
        if let Some(status) = status {
            stores.reviews.set_review_status(&review.id, status).await.unwrap();
        }
    }

    let page = |limit: u32| ProductFilter { limit: crate::ports::Limit::clamped(limit), ..ProductFilter::default() };
    let all = stores.showcase.shown_products(&page(20)).await.unwrap();
    let products: Vec<&Product> = all.items.iter().map(|s| &s.product).collect();
    assert_eq!(products, [basic, pro, complete]);
    assert_eq!(all.next_cursor, None);
    let [shown_basic, shown_pro, shown_complete] = &all.items[..] else { panic!("three products") };
    let level = |sku: &crate::catalog::Sku, on_hand| StockLevel { sku: sku.clone(), on_hand, reserved: 0 };
    assert_eq!(shown_basic.stock, [level(&basic.variants[0].sku, 0)]);
    assert_eq!(shown_pro.stock, [level(&pro.variants[0].sku, 7)]);
    assert!(shown_complete.stock.is_empty(), "no stock row, no stock");
    assert_eq!((shown_pro.reviews.count, shown_pro.reviews.histogram), (2, [0, 0, 1, 0, 1]));
    assert_eq!((shown_complete.reviews.count, shown_complete.reviews.histogram), (1, [0, 0, 0, 1, 0]));
    assert_eq!(shown_basic.reviews, crate::review::RatingSummary::default(), "a rejected review is not counted");

    let composed = ComposedShowcase {
        catalog: stores.catalog.clone(),
        inventory: stores.inventory.clone(),
        reviews: stores.reviews.clone(),
    };
    let first = stores.showcase.shown_products(&page(2)).await.unwrap();
    assert_eq!(first.items, all.items[..2]);
    let filters = [
        page(20),
        page(2),
        ProductFilter { cursor: first.next_cursor.clone(), ..page(2) },
        ProductFilter { category: Some(Category::PRO), ..page(20) },
        ProductFilter { query: Some("CHARGING case".into()), ..page(20) },
        ProductFilter { query: Some("no such thing".into()), ..page(20) },
    ];
    for filter in &filters {
        let shown = stores.showcase.shown_products(filter).await.unwrap();
        assert_eq!(shown, composed.shown_products(filter).await.unwrap(), "{filter:?}");
    }
    let second = stores.showcase.shown_products(&filters[2]).await.unwrap();
    assert_eq!((&second.items[..], second.next_cursor), (&all.items[2..], None));

    for product in [basic, pro, complete] {
        let shown = stores.showcase.shown_product(&product.slug).await.unwrap();
        assert_eq!(shown, composed.shown_product(&product.slug).await.unwrap());
        assert_eq!(shown.as_ref(), all.items.iter().find(|s| s.product.id == product.id));
    }
    assert_eq!(stores.showcase.shown_product(&Slug::new("nope").unwrap()).await.unwrap(), None);

    // More refused reads than a store has connections; each ends its read, and the store answers as before.
    for _ in 0..40 {
        let bad = ProductFilter { cursor: Some("not a cursor".into()), ..page(2) };
        assert!(matches!(stores.showcase.shown_products(&bad).await, Err(Error::Validation(_))));
    }
    assert_eq!(stores.showcase.shown_products(&page(20)).await.unwrap(), all);

    // What a page shows follows the stores' changes.
    stores.inventory.set_on_hand(&complete.variants[0].sku, 4).await.unwrap();
    let shown = stores.showcase.shown_product(&complete.slug).await.unwrap().unwrap();
    assert_eq!(shown.stock, [level(&complete.variants[0].sku, 4)]);
}

/// Products: create, replace, find by id, slug and SKU, filter, page, delete; slugs and SKUs stay unique.
pub async fn catalog(stores: &Stores) {
    let catalog = &stores.catalog;
    let seed = seed::niteputter();
    for product in &seed.products {
        catalog.upsert_product(product).await.unwrap();
    }
    let (basic, pro, complete) = (&seed.products[0], &seed.products[1], &seed.products[2]);

    assert_eq!(catalog.product(&pro.id).await.unwrap().as_ref(), Some(pro));
    assert_eq!(catalog.product_by_slug(&pro.slug).await.unwrap().as_ref(), Some(pro));
    assert_eq!(catalog.product(&ProductId::parse("prod_nope").unwrap()).await.unwrap(), None);
    assert_eq!(catalog.product_by_slug(&Slug::new("nope").unwrap()).await.unwrap(), None);

    // Listing keeps creation order and pages through it.
    let first = catalog
        .products(&ProductFilter { limit: crate::ports::Limit::clamped(2), ..ProductFilter::default() })
        .await
        .unwrap();
    assert_eq!(first.items.iter().map(|p| &p.id).collect::<Vec<_>>(), [&basic.id, &pro.id]);
    let cursor = first.next_cursor.expect("a second page");
    let second = catalog
        .products(&ProductFilter {
            limit: crate::ports::Limit::clamped(2),
            cursor: Some(cursor),
            ..ProductFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(second.items, vec![complete.clone()]);
    assert_eq!(second.next_cursor, None);

    let pros = catalog
        .products(&ProductFilter {
            category: Some(Category::PRO),
            limit: crate::ports::Limit::clamped(20),
            ..ProductFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(pros.items, vec![pro.clone()]);
    let found = catalog
        .products(&ProductFilter {
            query: Some("CHARGING case".into()),
            limit: crate::ports::Limit::clamped(20),
            ..ProductFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items, vec![complete.clone()]);
    let percent = catalog
        .products(&ProductFilter {
            query: Some("100%".into()),
            limit: crate::ports::Limit::clamped(20),
            ..ProductFilter::default()
        })
        .await
        .unwrap();
    assert!(percent.items.is_empty(), "LIKE wildcards in a query are literal");
    assert!(matches!(
        catalog
            .products(&ProductFilter {
                limit: crate::ports::Limit::clamped(2),
                cursor: Some("garbage".into()),
                ..ProductFilter::default()
            })
            .await,
        Err(Error::Validation(_))
    ));

    let by_sku = catalog.products_by_skus(&[sku("NP-PRO-RGB"), sku("NP-PRO-GRN"), sku("NOPE")]).await.unwrap();
    assert_eq!(by_sku, vec![pro.clone()]);

    // Replacing keeps the position; a slug or SKU of another product is refused.
    let mut renamed = pro.clone();
    renamed.name = "NitePutter Pro 2".into();
    catalog.upsert_product(&renamed).await.unwrap();
    let all = catalog
        .products(&ProductFilter { limit: crate::ports::Limit::clamped(10), ..ProductFilter::default() })
        .await
        .unwrap();
    assert_eq!(all.items[1].name, "NitePutter Pro 2");
    let mut clash = basic.clone();
    clash.id = ProductId::parse("prod_clash").unwrap();
    assert!(matches!(catalog.upsert_product(&clash).await, Err(Error::Validation(_))), "slug reuse");
    clash.slug = Slug::new("clash").unwrap();
    assert!(matches!(catalog.upsert_product(&clash).await, Err(Error::Validation(_))), "SKU reuse");
    let variant_sku = &clash.variants[0].sku;
    assert_eq!(catalog.products_by_skus(std::slice::from_ref(variant_sku)).await.unwrap(), vec![basic.clone()]);

    // A replaced product gives up the SKUs it no longer has.
    let mut fewer = renamed.clone();
    fewer.variants.truncate(1);
    catalog.upsert_product(&fewer).await.unwrap();
    assert!(catalog.products_by_skus(&[sku("NP-PRO-RGB")]).await.unwrap().is_empty());

    catalog.delete_product(&complete.id).await.unwrap();
    assert_eq!(catalog.product(&complete.id).await.unwrap(), None);
    assert!(catalog.products_by_skus(&[sku("NP-COMPLETE")]).await.unwrap().is_empty());
    assert!(matches!(catalog.delete_product(&complete.id).await, Err(Error::NotFound { .. })));
    let product: Product = complete.clone();
    catalog.upsert_product(&product).await.unwrap();
    assert_eq!(catalog.product_by_slug(&complete.slug).await.unwrap(), Some(product));
}

/// Stock: set, read, never below what is reserved.
pub async fn inventory(stores: &Stores) {
    let inventory = &stores.inventory;
    assert!(inventory.stock(&[sku("NP-PRO-GRN")]).await.unwrap().is_empty());
    let level = inventory.set_on_hand(&sku("NP-PRO-GRN"), 7).await.unwrap();
    assert_eq!((level.on_hand, level.reserved, level.available()), (7, 0, 7));
    inventory.set_on_hand(&sku("NP-BASIC-GRN"), 3).await.unwrap();
    inventory.set_on_hand(&sku("NP-PRO-GRN"), 9).await.unwrap();
    let all = inventory.all_stock().await.unwrap();
    let summary: Vec<_> = all.iter().map(|l| (l.sku.as_str(), l.on_hand)).collect();
    assert_eq!(summary, [("NP-BASIC-GRN", 3), ("NP-PRO-GRN", 9)]);
    let some = inventory.stock(&[sku("NP-PRO-GRN"), sku("NOPE")]).await.unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(some[0].on_hand, 9);

    // Reserve 4 through an order, then try to set the shelf below that.
    let fixture = Fixture::new(stores);
    fixture.seed().await;
    inventory.set_on_hand(&sku("NP-PRO-GRN"), 9).await.unwrap();
    let cart = fixture.ready_cart(&[("NP-PRO-GRN", 4)], &[]).await;
    fixture.checkout.checkout(&cart, &crate::services::Viewer::guest(), None).await.unwrap();
    let level = &inventory.stock(&[sku("NP-PRO-GRN")]).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved, level.available()), (9, 4, 5));
    assert!(matches!(inventory.set_on_hand(&sku("NP-PRO-GRN"), 3).await, Err(Error::Validation(_))));
    assert_eq!(inventory.set_on_hand(&sku("NP-PRO-GRN"), 4).await.unwrap().available(), 0);
}

/// Carts: create, read, versioned saves, a customer's open cart.
pub async fn carts(stores: &Stores) {
    let carts = &stores.carts;
    let fixture = Fixture::new(stores);
    let now = fixture.clock.now();
    let customer = CustomerId::parse("cus_1").unwrap();
    let cart = Cart::new(CartId::parse("cart_a").unwrap(), Some(customer.clone()), Currency::USD, now);
    carts.create_cart(&cart).await.unwrap();
    assert_eq!(carts.cart(&cart.id).await.unwrap(), Some(cart.clone()));
    assert_eq!(carts.cart(&CartId::parse("cart_none").unwrap()).await.unwrap(), None);

    let mut edited = cart.clone();
    edited.codes.push(crate::promotion::DiscountCode::new("NITE10").unwrap());
    edited.shipping_address = Some(crate::contract::address());
    let saved = carts.save_cart(&edited).await.unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(carts.cart(&cart.id).await.unwrap(), Some(saved.clone()));
    // A save from the stale version loses.
    assert!(matches!(carts.save_cart(&edited).await, Err(Error::Conflict("cart"))));
    assert_eq!(carts.cart(&cart.id).await.unwrap(), Some(saved.clone()));

    assert_eq!(carts.open_cart_of(&customer).await.unwrap().map(|c| c.id), Some(cart.id.clone()));
    let newer = Cart::new(
        CartId::parse("cart_b").unwrap(),
        Some(customer.clone()),
        Currency::USD,
        now + time::Duration::seconds(1),
    );
    carts.create_cart(&newer).await.unwrap();
    assert_eq!(carts.open_cart_of(&customer).await.unwrap().map(|c| c.id), Some(newer.id.clone()));
    let mut closed = carts.cart(&newer.id).await.unwrap().unwrap();
    closed.state = CartState::Merged;
    carts.save_cart(&closed).await.unwrap();
    assert_eq!(carts.open_cart_of(&customer).await.unwrap().map(|c| c.id), Some(cart.id));
    assert_eq!(carts.open_cart_of(&CustomerId::parse("cus_2").unwrap()).await.unwrap(), None);
}
