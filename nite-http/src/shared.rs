//! What several niteputter processes share through Redis (`NITE_REDIS_URL`): the per-client limits (one atomic
//! script per hit, never read-then-write), the product-view dedupe, and catalog cache invalidation (publish/subscribe).
//!
//! Redis is optional and never on the path to a sale. Every call runs under a short timeout with one retry (the
//! connection manager reconnects but does not retry the command that found the connection broken). When Redis
//! cannot answer, the caller falls back to its per-process state — limits count per process, the cache lives out
//! its time-to-live — and [`Shared::status`] says `degraded` (`/readyz` shows it). For a second after a failure no
//! call tries Redis, so an outage costs a timeout per second, not per request; after that the next call tries
//! again, and the shop is back on shared state as soon as Redis answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::watch;

use crate::limits::Limit;

/// How long one Redis call may take.
const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How long Redis is left alone after a failure.
const BACK_OFF: Duration = Duration::from_secs(1);
/// The channel catalog changes are published on.
const CATALOG_CHANNEL: &str = "nite:catalog";

/// All-or-nothing fixed windows over several keys: if any key is at its limit, nothing is counted and the answer
/// is the milliseconds until that key's window ends; otherwise every key is counted and the answer is 0.
/// `ARGV` holds, per key, its limit and its window in milliseconds.
const HIT: &str = r"
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= max then
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = tonumber(ARGV[2 * i]) end
    return ttl
  end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then
    redis.call('PEXPIRE', key, ARGV[2 * i])
  end
end
return 0
";

/// Whether this process shares its state through Redis right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedStatus {
    /// No Redis configured: each process keeps its own limits and cache.
    Off,
    /// Redis answers.
    Ok,
    /// Redis is configured but not answering: limits per process, cache by time-to-live, until it is back.
    Degraded(String),
}

/// State shared by every process of a shop, or nothing when no Redis is configured.
#[derive(Default)]
pub struct Shared {
    link: Option<Arc<Link>>,
}

struct Link {
    client: redis::Client,
    manager: RwLock<Option<ConnectionManager>>,
    connecting: AtomicBool,
    /// When Redis may be tried again (after a failure), and why it failed.
    trouble: Mutex<Option<(Instant, String)>>,
    script: redis::Script,
    /// Whether the catalog subscription is live.
    subscribed: AtomicBool,
}

impl Shared {
    /// Nothing shared: every process on its own.
    pub fn off() -> Shared {
        Shared { link: None }
    }

    /// Shares through the Redis at `url` (`redis://[:password@]host:port[/db]`). Does not connect yet: the first
    /// call does, in the background, so a shop starts even while Redis is away.
    pub fn redis(url: &str) -> Result<Shared, redis::RedisError> {
        let client = redis::Client::open(url)?;
        Ok(Shared {
            link: Some(Arc::new(Link {
                client,
                manager: RwLock::new(None),
                connecting: AtomicBool::new(false),
                trouble: Mutex::new(None),
                script: redis::Script::new(HIT),
                subscribed: AtomicBool::new(false),
            })),
        })
    }

    /// Whether Redis is configured and answering.
    pub fn status(&self) -> SharedStatus {
        let Some(link) = &self.link else { return SharedStatus::Off };
        if let Some((_, why)) = &*link.trouble.lock().unwrap_or_else(|e| e.into_inner()) {
            return SharedStatus::Degraded(why.clone());
        }
        if link.manager.read().unwrap_or_else(|e| e.into_inner()).is_none() {
            return SharedStatus::Degraded("not connected yet".to_owned());
        }
        SharedStatus::Ok
    }

    /// Asks Redis whether it answers (for `/readyz`), and returns the status after asking.
    pub async fn check(&self) -> SharedStatus {
        if let Some(link) = &self.link {
            let _ = link.call(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await }).await;
        }
        self.status()
    }

    /// Counts a hit on every key at once, or none (see [`RateLimiter::hit`](crate::limits::RateLimiter::hit)), in
    /// Redis; `None` when Redis is off or not answering (the caller counts locally).
    pub(crate) async fn hit(&self, keys: &[(String, Limit)]) -> Option<Result<(), Duration>> {
        let link = self.link.as_ref()?;
        let script = &link.script;
        let waited: i64 = link
            .call(|mut c| {
                let mut invocation = script.prepare_invoke();
                for (key, limit) in keys {
                    invocation.key(format!("nite:limit:{key}"));
                    invocation.arg(limit.max).arg(window_ms(limit.window));
                }
                async move { invocation.invoke_async(&mut c).await }
            })
            .await?;
        Some(if waited <= 0 { Ok(()) } else { Err(Duration::from_millis(u64::try_from(waited).unwrap_or(1))) })
    }

    /// Forgets a key's window in Redis (a good sign-in); `false` when Redis did not answer.
    pub(crate) async fn forget(&self, key: &str) -> bool {
        let Some(link) = &self.link else { return false };
        let key = format!("nite:limit:{key}");
        link.call(|mut c| {
            let key = key.clone();
            async move { redis::cmd("DEL").arg(key).query_async::<i64>(&mut c).await }
        })
        .await
        .is_some()
    }

    /// For each key, whether this is the first time it is seen within `window` by any process (`true` once, then
    /// `false`), in one round trip (a pipeline of `SET NX PX`); `None` when Redis is off or not answering.
    pub(crate) async fn first_sights(&self, keys: &[String], window: Duration) -> Option<Vec<bool>> {
        let link = self.link.as_ref()?;
        if keys.is_empty() {
            return Some(Vec::new());
        }
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("SET").arg(format!("nite:seen:{key}")).arg(1).arg("NX").arg("PX").arg(window_ms(window));
        }
        let set: Vec<Option<String>> = link
            .call(|mut c| {
                let pipe = pipe.clone();
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        Some(set.iter().map(Option::is_some).collect())
    }

    /// Tells every process that the catalog changed (they drop their cached answers); `false` when Redis is off or
    /// not answering (the others then see the change when their cache expires).
    pub(crate) async fn publish_catalog_change(&self) -> bool {
        let Some(link) = &self.link else { return false };
        link.call(
            |mut c| async move { redis::cmd("PUBLISH").arg(CATALOG_CHANNEL).arg(1).query_async::<i64>(&mut c).await },
        )
        .await
        .is_some()
    }

    /// Listens for catalog changes published by any process and calls `changed` for each, until `stop`. While the
    /// subscription is down it reconnects every half second, and calls `changed` once it is back (changes made in
    /// between were missed). Returns at once when Redis is off.
    pub(crate) fn spawn_catalog_listener(
        self: &Arc<Self>,
        changed: impl Fn() + Send + Sync + 'static,
        mut stop: watch::Receiver<bool>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        self.link.as_ref()?;
        let shared = Arc::clone(self);
        Some(tokio::spawn(async move {
            let Some(link) = &shared.link else { return };
            loop {
                if let Ok(Ok(mut pubsub)) =
                    tokio::time::timeout(Duration::from_secs(1), link.client.get_async_pubsub()).await
                    && let Ok(Ok(())) = tokio::time::timeout(CALL_TIMEOUT, pubsub.subscribe(CATALOG_CHANNEL)).await
                {
                    link.subscribed.store(true, Ordering::Relaxed);
                    changed();
                    let mut messages = pubsub.on_message();
                    loop {
                        tokio::select! {
                            message = messages.next() => match message {
                                Some(_) => changed(),
                                None => break,
                            },
                            _ = stop.changed() => return,
                        }
                    }
                    link.subscribed.store(false, Ordering::Relaxed);
                    tracing::warn!("the catalog subscription to Redis ended; catalog caches fall back to their TTL");
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = stop.changed() => return,
                }
            }
        }))
    }

    /// Connects now (waiting at most a second), so the first requests find Redis ready; a failure only means the
    /// shop starts degraded.
    pub async fn connect(&self) {
        if let Some(link) = &self.link {
            link.connect().await;
        }
    }

    /// Whether the catalog subscription is live (tests wait for it).
    pub fn subscribed(&self) -> bool {
        self.link.as_ref().is_some_and(|l| l.subscribed.load(Ordering::Relaxed))
    }
}

impl Link {
    /// Runs `op` on the connection under [`CALL_TIMEOUT`], once more if it fails; `None` (and the back-off) when
    /// Redis cannot answer, or while backing off.
    async fn call<T, F, Fut>(self: &Arc<Self>, op: F) -> Option<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if let Some((until, _)) = &*self.trouble.lock().unwrap_or_else(|e| e.into_inner())
            && Instant::now() < *until
        {
            return None;
        }
        let Some(manager) = self.manager() else {
            let link = Arc::clone(self);
            tokio::spawn(async move { link.connect().await });
            return None;
        };
        let mut last = String::new();
        for _ in 0..2 {
            match tokio::time::timeout(CALL_TIMEOUT, op(manager.clone())).await {
                Ok(Ok(value)) => {
                    let was = self.trouble.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if was.is_some() {
                        tracing::info!("Redis answers again: limits and caches are shared again");
                    }
                    return Some(value);
                }
                Ok(Err(error)) => last = error.to_string(),
                Err(_) => last = format!("no answer within {} ms", CALL_TIMEOUT.as_millis()),
            }
        }
        self.trouble_with(last);
        None
    }

    fn manager(&self) -> Option<ConnectionManager> {
        self.manager.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn trouble_with(&self, why: String) {
        let mut trouble = self.trouble.lock().unwrap_or_else(|e| e.into_inner());
        if trouble.is_none() {
            tracing::warn!(error = %why, "Redis is not answering: limits per process, catalog cache by TTL");
        }
        *trouble = Some((Instant::now() + BACK_OFF, why));
    }

    /// Connects, once at a time; a failure backs off like a failed call.
    async fn connect(&self) {
        if self.connecting.swap(true, Ordering::AcqRel) {
            return;
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        match tokio::time::timeout(Duration::from_secs(1), self.client.get_connection_manager_with_config(config)).await
        {
            Ok(Ok(manager)) => {
                *self.manager.write().unwrap_or_else(|e| e.into_inner()) = Some(manager);
                self.trouble.lock().unwrap_or_else(|e| e.into_inner()).take();
                tracing::info!("connected to Redis: limits, view counts and catalog changes are shared");
            }
            Ok(Err(error)) => self.trouble_with(error.to_string()),
            Err(_) => self.trouble_with("connecting took more than a second".to_owned()),
        }
        self.connecting.store(false, Ordering::Release);
    }
}

fn window_ms(window: Duration) -> u64 {
    u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1)
}
