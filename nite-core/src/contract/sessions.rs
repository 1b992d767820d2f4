//! Contract suite of `SessionStore`: refresh tokens rotate once, a replay revokes the family, resets work once.

use futures::future::join_all;
use time::Duration;

use crate::CustomerId;
use crate::contract::Fixture;
use crate::ports::{RefreshToken, RefreshUse, Stores};

/// Sessions: rotation, reuse detection, expiry, sign-out, one-time resets, and one winner among concurrent uses.
pub async fn sessions(stores: &Stores) {
    let f = Fixture::new(stores);
    let now = f.clock.now();
    let sessions = &stores.sessions;
    let ada = CustomerId::parse("cus_ada").unwrap();
    let token = |hash: &str, family: &str, ttl: i64| RefreshToken {
        token_hash: hash.into(),
        family: family.into(),
        customer_id: ada.clone(),
        expires_at: now + Duration::minutes(ttl),
    };
    sessions.issue_refresh(&token("h1", "fam", 60)).await.unwrap();
    assert_eq!(
        sessions.use_refresh("h1", now).await.unwrap(),
        RefreshUse::Rotated { customer_id: ada.clone(), family: "fam".into() }
    );
    sessions.issue_refresh(&token("h2", "fam", 60)).await.unwrap();
    // h1 again: a replay. The family, h2 included, is revoked.
    assert_eq!(sessions.use_refresh("h1", now).await.unwrap(), RefreshUse::Reused);
    assert_eq!(sessions.use_refresh("h2", now).await.unwrap(), RefreshUse::Reused);
    assert_eq!(sessions.use_refresh("nope", now).await.unwrap(), RefreshUse::Unknown);
    sessions.issue_refresh(&token("old", "other", 1)).await.unwrap();
    assert_eq!(sessions.use_refresh("old", now + Duration::minutes(2)).await.unwrap(), RefreshUse::Expired);
    sessions.issue_refresh(&token("out", "signed-out", 60)).await.unwrap();
    sessions.revoke_family("signed-out").await.unwrap();
    assert_eq!(sessions.use_refresh("out", now).await.unwrap(), RefreshUse::Reused);

    // Ten concurrent uses of one token: one rotates it, the rest see a replay.
    sessions.issue_refresh(&token("race", "racers", 60)).await.unwrap();
    let uses = join_all((0..10).map(|_| sessions.use_refresh("race", now))).await;
    let rotated = uses.iter().filter(|u| matches!(u, Ok(RefreshUse::Rotated { .. }))).count();
    assert_eq!(rotated, 1, "{uses:?}");

    sessions.issue_reset("r1", &ada, now + Duration::minutes(30)).await.unwrap();
    assert_eq!(sessions.use_reset("r1", now).await.unwrap(), Some(ada.clone()));
    assert_eq!(sessions.use_reset("r1", now).await.unwrap(), None, "once");
    sessions.issue_reset("r2", &ada, now + Duration::minutes(30)).await.unwrap();
    assert_eq!(sessions.use_reset("r2", now + Duration::minutes(31)).await.unwrap(), None, "expired");
    assert_eq!(sessions.use_reset("r3", now).await.unwrap(), None, "unknown");
}
