//! Contract suites for `CustomerStore` and `ReviewStore`.

use crate::contract::Fixture;
use crate::customer::{PasswordHash, Role};
use crate::error::Error;
use crate::outbox::Notification;
use crate::ports::{ReviewFilter, Stores};
use crate::review::{Rating, Review, ReviewStatus};
use crate::{CustomerGroup, CustomerId, Email, ProductId, ReviewId};

/// Accounts: unique emails, lookups, updates, passwords, the welcome email written with the account.
pub async fn customers(stores: &Stores) {
    let f = Fixture::new(stores);
    let hash = PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
    let ada = f.customers.register("Ada@Example.com", "Ada", hash.clone(), Role::Customer).await.unwrap();
    assert_eq!(ada.email.as_str(), "ada@example.com");
    assert!(matches!(
        f.customers.register("ADA@example.com", "Other", hash.clone(), Role::Customer).await,
        Err(Error::EmailTaken)
    ));
    assert!(
        matches!(f.customers.register("not-an-email", "", hash.clone(), Role::Customer).await, Err(Error::Validation(e)) if e.len() == 2)
    );

    let (found, found_hash) = stores.customers.customer_by_email(&ada.email).await.unwrap().unwrap();
    assert_eq!((found, found_hash), (ada.clone(), hash.clone()));
    assert_eq!(stores.customers.customer(&ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(stores.customers.customer(&CustomerId::parse("cus_none").unwrap()).await.unwrap(), None);
    let welcome = stores.outbox.outbox(None, 10).await.unwrap();
    assert_eq!(welcome.len(), 1);
    assert_eq!(welcome[0].notification, Notification::Welcome { customer_id: ada.id.clone() });
    assert_eq!(welcome[0].to, ada.email);

    let bob = f.customers.register("bob@example.com", "Bob", hash.clone(), Role::Admin).await.unwrap();
    let mut renamed = ada.clone();
    renamed.name = "Ada King".into();
    renamed.group = Some(CustomerGroup::new("vip").unwrap());
    stores.customers.update_customer(&renamed).await.unwrap();
    assert_eq!(stores.customers.customer(&ada.id).await.unwrap(), Some(renamed.clone()));
    let mut taken = renamed.clone();
    taken.email = bob.email.clone();
    assert!(matches!(stores.customers.update_customer(&taken).await, Err(Error::EmailTaken)));
    let mut ghost = renamed.clone();
    ghost.id = CustomerId::parse("cus_ghost").unwrap();
    ghost.email = Email::parse("ghost@example.com").unwrap();
    assert!(matches!(stores.customers.update_customer(&ghost).await, Err(Error::NotFound { .. })));

    let new_hash = PasswordHash("$argon2id$new".into());
    stores.customers.set_password(&ada.id, &new_hash).await.unwrap();
    assert_eq!(stores.customers.customer_by_email(&ada.email).await.unwrap().unwrap().1, new_hash);
    assert!(matches!(stores.customers.set_password(&ghost.id, &new_hash).await, Err(Error::NotFound { .. })));

    let first = stores.customers.customers(&crate::ports::PageRequest::first(crate::ports::Limit::ONE)).await.unwrap();
    assert_eq!(first.items, vec![renamed]);
    let second = stores
        .customers
        .customers(&crate::ports::PageRequest { limit: crate::ports::Limit::ONE, cursor: first.next_cursor.clone() })
        .await
        .unwrap();
    assert_eq!(second.items, vec![bob]);
    assert_eq!(second.next_cursor, None);
}

/// A pending review of `product` by `customer`, written `minute` minutes after the fixture's clock.
pub(super) fn review(id: &str, product: &str, customer: &str, stars: i64, minute: i64, f: &Fixture) -> Review {
    Review {
        id: ReviewId::parse(id).unwrap(),
        product_id: ProductId::parse(product).unwrap(),
        customer_id: CustomerId::parse(customer).unwrap(),
        author: "Someone".into(),
        rating: Rating::new(stars).unwrap(),
        title: "Bright".into(),
        body: "Lights up the cup.".into(),
        status: ReviewStatus::Pending,
        created_at: f.clock.now() + time::Duration::minutes(minute),
    }
}

/// Reviews: one per customer and product, lists by product and status, moderation, the summary of approved ones.
pub async fn reviews(stores: &Stores) {
    let f = Fixture::new(stores);
    let reviews = &stores.reviews;
    let a = review("rev_a", "prod_pro", "cus_1", 5, 0, &f);
    let b = review("rev_b", "prod_pro", "cus_2", 4, 1, &f);
    let c = review("rev_c", "prod_pro", "cus_3", 2, 2, &f);
    let d = review("rev_d", "prod_basic", "cus_1", 3, 3, &f);
    for r in [&a, &b, &c, &d] {
        reviews.create_review(r, &[]).await.unwrap();
    }
    let again = Review { id: ReviewId::parse("rev_again").unwrap(), ..a.clone() };
    assert!(matches!(reviews.create_review(&again, &[]).await, Err(Error::AlreadyReviewed)));
    assert_eq!(reviews.review(&a.id).await.unwrap(), Some(a.clone()));

    let pro = ProductId::parse("prod_pro").unwrap();
    let pending = reviews
        .reviews(&ReviewFilter {
            product_id: Some(pro.clone()),
            status: Some(ReviewStatus::Pending),
            limit: crate::ports::Limit::clamped(2),
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!(pending.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["rev_c", "rev_b"]);
    let rest = reviews
        .reviews(&ReviewFilter {
            product_id: Some(pro.clone()),
            status: Some(ReviewStatus::Pending),
            limit: crate::ports::Limit::clamped(2),
            cursor: pending.next_cursor,
        })
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["rev_a"]);
    assert_eq!(rest.next_cursor, None);

    assert_eq!(reviews.rating_summaries(std::slice::from_ref(&pro)).await.unwrap().remove(0).count, 0);
    reviews.set_review_status(&a.id, ReviewStatus::Approved).await.unwrap();
    reviews.set_review_status(&b.id, ReviewStatus::Approved).await.unwrap();
    let rejected = reviews.set_review_status(&c.id, ReviewStatus::Rejected).await.unwrap();
    assert_eq!(rejected.status, ReviewStatus::Rejected);
    assert!(matches!(
        reviews.set_review_status(&ReviewId::parse("rev_none").unwrap(), ReviewStatus::Approved).await,
        Err(Error::NotFound { .. })
    ));
    let summary = reviews.rating_summaries(std::slice::from_ref(&pro)).await.unwrap().remove(0);
    assert_eq!(summary.count, 2);
    assert_eq!(summary.average.map(|a| a.to_string()), Some("4.50".to_owned()));
    assert_eq!(summary.histogram, [0, 0, 0, 1, 1]);
    // Several products in one call, in the order asked, a product without reviews included.
    let basic = ProductId::parse("prod_basic").unwrap();
    let both = reviews.rating_summaries(&[basic, pro.clone()]).await.unwrap();
    assert_eq!(both.iter().map(|s| s.count).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(both[1], summary);
    let approved = reviews
        .reviews(&ReviewFilter {
            status: Some(ReviewStatus::Approved),
            limit: crate::ports::Limit::clamped(10),
            ..ReviewFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(approved.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["rev_b", "rev_a"]);
}
