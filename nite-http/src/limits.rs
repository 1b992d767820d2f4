//! Per-client limits: sign-in attempts, registrations, password-reset requests, and product views.
//!
//! Each limit is a fixed window per key, counted atomically *before* the work it guards runs (so forty concurrent
//! guesses are forty attempts, not one check and forty verifications). Memory is bounded: a [`RateLimiter`] holds
//! at most `capacity` keys; when full it drops the windows that ended, then the oldest ones, so an attacker who
//! sprays new keys can only make the limiter forget, never make it grow.
//!
//! The sign-in policy ([`Limits::login`]) counts attempts per pair of address and client, per client, and per
//! address. A single attacker guessing someone's password is stopped by the pair and client limits without
//! touching the victim's own pair; only a distributed attack reaches the per-address limit, and then locks the
//! address for at most one window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::error::ApiError;

/// One limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Hits allowed per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    /// `max` hits per `window`.
    pub const fn new(max: u32, window: Duration) -> Limit {
        Limit { max, window }
    }
}

/// Fixed-window counters by key, bounded in memory.
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
    capacity: usize,
}

impl RateLimiter {
    /// A limiter remembering at most `capacity` keys.
    pub fn new(capacity: usize) -> RateLimiter {
        RateLimiter { windows: Mutex::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// Counts a hit on every `(key, limit)` at once, or none: if any would go over its limit, nothing is counted
    /// and the answer is how long until that window ends.
    pub fn hit(&self, keys: &[(&str, Limit)]) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        for (key, limit) in keys {
            if let Some((start, count)) = windows.get(*key)
                && now.duration_since(*start) < limit.window
                && *count >= limit.max
            {
                return Err(limit.window.saturating_sub(now.duration_since(*start)));
            }
        }
        for (key, limit) in keys {
            if !windows.contains_key(*key) && windows.len() >= self.capacity {
                Self::make_room(&mut windows, now, limit.window, self.capacity);
            }
            let entry = windows.entry((*key).to_owned()).or_insert((now, 0));
            if now.duration_since(entry.0) >= limit.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
        Ok(())
    }

    /// Forgets `key` (a good sign-in clears the failures of its address and client).
    pub fn forget(&self, key: &str) {
        self.windows.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }

    /// How many keys it holds now.
    pub fn len(&self) -> usize {
        self.windows.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the windows older than `window`, then, if still full, the oldest tenth.
    fn make_room(windows: &mut HashMap<String, (Instant, u32)>, now: Instant, window: Duration, capacity: usize) {
        windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        if windows.len() >= capacity {
            let mut starts: Vec<Instant> = windows.values().map(|(start, _)| *start).collect();
            starts.sort_unstable();
            let cut = starts[(capacity / 10).min(starts.len() - 1)];
            windows.retain(|_, (start, _)| *start > cut);
        }
    }
}

/// The limits of the routes anyone can call without an account: counted in Redis when the shop shares state
/// ([`Shared`](crate::shared::Shared)), so every process enforces one limit; in this process otherwise, or while
/// Redis does not answer.
pub struct Limits {
    counters: RateLimiter,
    shared: std::sync::Arc<crate::shared::Shared>,
    /// Sign-in attempts per address and client.
    pub login_pair: Limit,
    /// Sign-in attempts per client, all addresses together.
    pub login_client: Limit,
    /// Sign-in attempts per address, all clients together.
    pub login_address: Limit,
    /// Registrations per client.
    pub register_client: Limit,
    /// Registrations per address.
    pub register_address: Limit,
    /// Password-reset requests per client.
    pub reset_client: Limit,
    /// Password-reset requests per address.
    pub reset_address: Limit,
}

impl Default for Limits {
    fn default() -> Limits {
        let quarter = Duration::from_secs(15 * 60);
        let hour = Duration::from_secs(60 * 60);
        Limits {
            counters: RateLimiter::new(100_000),
            shared: std::sync::Arc::new(crate::shared::Shared::off()),
            login_pair: Limit::new(5, quarter),
            login_client: Limit::new(30, quarter),
            login_address: Limit::new(100, quarter),
            register_client: Limit::new(10, hour),
            register_address: Limit::new(3, hour),
            reset_client: Limit::new(10, hour),
            reset_address: Limit::new(3, hour),
        }
    }
}

fn too_many(what: &'static str, retry: Duration) -> ApiError {
    crate::metrics::rate_limited(what);
    let seconds = retry.as_secs().max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        what,
        format!("try again in {} minute(s)", seconds.div_ceil(60)),
    )
    .with_retry_after(seconds)
}

impl Limits {
    /// The same limits, counted through `shared` when it has Redis.
    #[must_use]
    pub fn shared(mut self, shared: std::sync::Arc<crate::shared::Shared>) -> Limits {
        self.shared = shared;
        self
    }

    /// Counts a sign-in attempt for `address` from `client`, or answers `429` with `Retry-After`.
    pub async fn login(&self, address: &str, client: &str) -> Result<(), ApiError> {
        let address = normalized(address);
        let keys = [
            (format!("login:pair:{client}:{address}"), self.login_pair),
            (format!("login:client:{client}"), self.login_client),
            (format!("login:address:{address}"), self.login_address),
        ];
        self.hit(&keys).await.map_err(|retry| too_many("Too many sign-in attempts", retry))
    }

    /// A good sign-in: the attempts of this address from this client are forgotten.
    pub async fn signed_in(&self, address: &str, client: &str) {
        let key = format!("login:pair:{client}:{}", normalized(address));
        self.shared.forget(&key).await;
        self.counters.forget(&key);
    }

    /// Counts a registration, or answers `429`.
    pub async fn register(&self, address: &str, client: &str) -> Result<(), ApiError> {
        let keys = [
            (format!("register:client:{client}"), self.register_client),
            (format!("register:address:{}", normalized(address)), self.register_address),
        ];
        self.hit(&keys).await.map_err(|retry| too_many("Too many registrations", retry))
    }

    /// Counts a password-reset request, or answers `429`.
    pub async fn reset(&self, address: &str, client: &str) -> Result<(), ApiError> {
        let keys = [
            (format!("reset:client:{client}"), self.reset_client),
            (format!("reset:address:{}", normalized(address)), self.reset_address),
        ];
        self.hit(&keys).await.map_err(|retry| too_many("Too many password-reset requests", retry))
    }

    /// How many keys the limits hold now (bounded).
    pub fn keys(&self) -> usize {
        self.counters.len()
    }

    async fn hit(&self, keys: &[(String, Limit)]) -> Result<(), Duration> {
        if let Some(answer) = self.shared.hit(keys).await {
            return answer;
        }
        let keys: Vec<(&str, Limit)> = keys.iter().map(|(k, l)| (k.as_str(), *l)).collect();
        self.counters.hit(&keys)
    }
}

/// Which product views are worth writing: one per visitor and product per window, and no more than a steady rate
/// in all (a token bucket), so that a flood of page loads can neither inflate the report nor fill the table.
pub struct ViewGate {
    seen: RateLimiter,
    window: Duration,
    /// Tokens in thousandths, and when they were last topped up.
    bucket: Mutex<(u128, Instant)>,
    per_second: u128,
    burst: u128,
}

impl ViewGate {
    /// Counts a visitor's view of a product once per `window`, at most `per_second` views a second (bursts of
    /// `burst`), remembering at most `capacity` visitor–product pairs.
    pub fn new(window: Duration, per_second: u32, burst: u32, capacity: usize) -> ViewGate {
        ViewGate {
            seen: RateLimiter::new(capacity),
            window,
            bucket: Mutex::new((u128::from(burst) * 1_000, Instant::now())),
            per_second: u128::from(per_second),
            burst: u128::from(burst) * 1_000,
        }
    }

    /// How long one visitor's view of one product counts once.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Whether this view should be written.
    pub fn admit(&self, visitor: &str, product: &str) -> bool {
        let key = format!("{visitor}|{product}");
        if self.seen.hit(&[(&key, Limit::new(1, self.window))]).is_err() {
            return false;
        }
        let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(bucket.1).as_micros() * self.per_second / 1_000;
        if refill > 0 {
            bucket.0 = (bucket.0 + refill).min(self.burst);
            bucket.1 = now;
        }
        if bucket.0 < 1_000 {
            return false;
        }
        bucket.0 -= 1_000;
        true
    }
}

impl Default for ViewGate {
    /// One view per visitor and product per 30 minutes, at most 200 a second (bursts of 1,000), 100,000 pairs.
    fn default() -> ViewGate {
        ViewGate::new(Duration::from_secs(30 * 60), 200, 1_000, 100_000)
    }
}

/// The address as the shop compares them (so `ADA@x` and `ada@x` share their limit); unparsable input is kept as
/// typed, lower-cased, and cut short.
fn normalized(address: &str) -> String {
    match nite_core::Email::parse(address) {
        Ok(email) => email.to_string(),
        Err(_) => address.trim().to_lowercase().chars().take(254).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_hits_then_refuses_until_it_ends() {
        let limiter = RateLimiter::new(10);
        let limit = Limit::new(3, Duration::from_millis(200));
        for _ in 0..3 {
            assert!(limiter.hit(&[("k", limit)]).is_ok());
        }
        let wait = limiter.hit(&[("k", limit)]).unwrap_err();
        assert!(wait <= Duration::from_millis(200));
        std::thread::sleep(Duration::from_millis(210));
        assert!(limiter.hit(&[("k", limit)]).is_ok(), "a new window");
    }

    #[test]
    fn a_refused_hit_counts_nowhere() {
        let limiter = RateLimiter::new(10);
        let (one, many) = (Limit::new(1, Duration::from_secs(60)), Limit::new(100, Duration::from_secs(60)));
        limiter.hit(&[("a", one)]).unwrap();
        for _ in 0..10 {
            assert!(limiter.hit(&[("a", one), ("b", many)]).is_err());
        }
        for _ in 0..100 {
            limiter.hit(&[("b", many)]).unwrap();
        }
        assert!(limiter.hit(&[("b", many)]).is_err());
    }

    #[test]
    fn memory_is_bounded_whatever_the_keys() {
        let limiter = RateLimiter::new(1_000);
        let limit = Limit::new(5, Duration::from_secs(600));
        for i in 0..50_000 {
            limiter.hit(&[(&format!("spray-{i}"), limit)]).unwrap();
        }
        assert!(limiter.len() <= 1_000, "{}", limiter.len());
    }

    #[test]
    fn a_visitor_counts_once_per_product_and_floods_are_capped() {
        let gate = ViewGate::new(Duration::from_secs(60), 1, 10, 1_000);
        assert!(gate.admit("v1", "prod_a"));
        assert!(!gate.admit("v1", "prod_a"), "the same visitor again");
        assert!(gate.admit("v1", "prod_b"));
        let admitted = (0..100).filter(|i| gate.admit(&format!("bot-{i}"), "prod_a")).count();
        assert!(admitted <= 9, "the bucket caps the rate: {admitted}");
    }

    #[tokio::test]
    async fn one_attacker_cannot_lock_out_the_owner_of_an_address() {
        let limits = Limits::default();
        for _ in 0..5 {
            limits.login("victim@example.com", "attacker").await.unwrap();
        }
        let refused = limits.login("VICTIM@example.com", "attacker").await.unwrap_err();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        limits.login("victim@example.com", "victim's-laptop").await.unwrap();
    }
}
