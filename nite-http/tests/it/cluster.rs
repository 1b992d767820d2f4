//! Several real `niteputter` processes as one shop: two `http` processes and two `worker`s over one PostgreSQL
//! database, with one Redis (started here, on 127.0.0.1, and stopped and restarted mid-run) or without it. Every
//! request goes over real sockets; requests alternate between the two `http` processes, and each client has its own
//! loopback address, as behind a load balancer.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};

use crate::e2e::{Server, free_port, http, http_from, ready_cart, serve, try_http_from};

/// A Redis server of this test's own, so that it can be stopped and restarted.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    /// `redis-server` on `port`, once it accepts connections; `None` (said loudly, and a failure under CI) when
    /// Redis is not installed.
    async fn start(port: u16) -> Option<Redis> {
        let spawned = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn();
        let Ok(child) = spawned else {
            assert!(std::env::var_os("CI").is_none(), "redis-server must be installed in CI (scripts/test does)");
            eprintln!("SKIPPED: redis-server is not installed, so the Redis cluster test did not run");
            return None;
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(Redis { child, port });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not start on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The shop's processes.
struct Cluster {
    dir: PathBuf,
    url: String,
    env: Vec<(String, String)>,
    http: [Server; 2],
    workers: [(Server, u16); 2],
}

impl Cluster {
    async fn start(dir: &Path, url: &str, redis: Option<&str>) -> Cluster {
        crate::e2e::create_admin(dir, url);
        let mut env = vec![("NITE_SWEEP_SECONDS".to_owned(), "1".to_owned())];
        if let Some(redis) = redis {
            env.push(("NITE_REDIS_URL".to_owned(), redis.to_owned()));
        }
        let with = |extra: &[(&str, String)]| {
            let mut all: Vec<(String, String)> = env.clone();
            all.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
            all
        };
        let start = |extra: Vec<(String, String)>| async move {
            let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            serve(dir, url, &pairs).await
        };
        let a = start(with(&[("NITE_ROLE", "http".to_owned())])).await;
        let b = start(with(&[("NITE_ROLE", "http".to_owned())])).await;
        let mut workers = Vec::new();
        for _ in 0..2 {
            let metrics = free_port();
            let worker = start(with(&[
                ("NITE_ROLE", "worker".to_owned()),
                ("NITE_METRICS_BIND", format!("127.0.0.1:{metrics}")),
            ]))
            .await;
            workers.push((worker, metrics));
        }
        let [w1, w2]: [(Server, u16); 2] = workers.try_into().ok().unwrap();
        Cluster { dir: dir.to_owned(), url: url.to_owned(), env, http: [a, b], workers: [w1, w2] }
    }

    /// The `http` process for the `i`th request: they alternate.
    fn port(&self, i: usize) -> u16 {
        self.http[i % 2].port
    }

    /// Restarts the first `http` process after it was killed.
    async fn restart_first(&mut self) {
        let mut env = self.env.clone();
        env.push(("NITE_ROLE".to_owned(), "http".to_owned()));
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.http[0] = serve(&self.dir, &self.url, &pairs).await;
    }
}

/// Client number `n` of this test: its own loopback address.
fn client(n: usize) -> [u8; 4] {
    [127, 0, 7 + u8::try_from(n / 250).unwrap(), 1 + u8::try_from(n % 250).unwrap()]
}

async fn admin_token(port: u16) -> String {
    let login = json!({ "email": "boss@example.com", "password": "the boss's passphrase" });
    let (status, session) = http(port, "POST", "/api/v1/auth/login", Some(&login), None).await;
    assert_eq!(status, 200, "{session}");
    session["access_token"].as_str().unwrap().to_owned()
}

/// Emails on disk whose text contains `needle`.
fn emails_containing(dir: &Path, needle: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir.join("mail")) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|text| text.contains(needle)))
        .count()
}

/// Waits (bounded) until `count()` reaches `want`, then a moment more to see that it stays there.
async fn settles_at(want: usize, count: impl Fn() -> usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    while count() < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    count()
}

async fn set_stock(port: u16, boss: &str, sku: &str, on_hand: u32) {
    let path = format!("/api/v1/admin/inventory/{sku}");
    let (status, body) = http(port, "PUT", &path, Some(&json!({ "on_hand": on_hand })), Some(boss)).await;
    assert_eq!(status, 200, "{body}");
}

/// Every order in `state`, through the admin API's pages.
async fn orders_in(port: u16, boss: &str, state: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/admin/orders?status={state}&limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = http(port, "GET", &path, None, Some(boss)).await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

/// Reserved stock equals, SKU by SKU, the units of the orders awaiting payment: nothing lost, nothing counted twice.
async fn reservations_match_pending_orders(port: u16, boss: &str) {
    let pending = orders_in(port, boss, "pending_payment").await;
    let (status, stock) = http(port, "GET", "/api/v1/admin/inventory", None, Some(boss)).await;
    assert_eq!(status, 200, "{stock}");
    for level in stock["data"].as_array().unwrap() {
        let sku = level["sku"].as_str().unwrap();
        let held: u64 = pending
            .iter()
            .flat_map(|o| o["lines"].as_array().unwrap().iter())
            .filter(|l| l["sku"] == sku)
            .map(|l| l["quantity"].as_u64().unwrap())
            .sum();
        assert_eq!(level["reserved"].as_u64().unwrap(), held, "{sku}: {level}");
    }
}

/// The sweeper's runs in a worker's metrics.
async fn sweeper_runs(metrics_port: u16) -> u64 {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", metrics_port)).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    text.lines()
        .find(|l| l.starts_with("nite_job_runs_total{job=\"sweeper\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// Product views in the sales report (the last 30 days).
async fn product_views(port: u16, boss: &str) -> u64 {
    let (status, report) = http(port, "GET", "/api/v1/admin/analytics/sales?granularity=month", None, Some(boss)).await;
    assert_eq!(status, 200, "{report}");
    report["periods"].as_array().unwrap().iter().map(|p| p["product_views"].as_u64().unwrap()).sum()
}

/// Product views in the sales report once no more are being written: each process writes its views a little after
/// they happen (in batches), and the report flushes only the process asked.
async fn settled_product_views(port: u16, boss: &str) -> u64 {
    let mut last = product_views(port, boss).await;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = product_views(port, boss).await;
        if now == last {
            return now;
        }
        last = now;
    }
}

/// The Pro's name on `port`'s product page.
async fn pro_name(port: u16) -> String {
    let (status, pro) = http(port, "GET", "/api/v1/products/niteputter-pro", None, None).await;
    assert_eq!(status, 200, "{pro}");
    pro["name"].as_str().unwrap().to_owned()
}

/// Renames the Pro through `port`, then measures how long the other process's product page takes to show it
/// (polling every 5 ms, for at most `patience`); `None` if it never did.
async fn rename_seen_after(cluster: &Cluster, boss: &str, name: &str, patience: Duration) -> Option<Duration> {
    rename_between(cluster.port(0), cluster.port(1), boss, name, patience).await
}

/// Renames the Pro through `changer` and measures how long `other`'s product page takes to show it.
async fn rename_between(changer: u16, other: u16, boss: &str, name: &str, patience: Duration) -> Option<Duration> {
    assert_ne!(pro_name(other).await, name, "warm the other process's cache with the old name");
    let patch = json!({ "name": name });
    let (status, body) = http(changer, "PATCH", "/api/v1/admin/products/prod_pro", Some(&patch), Some(boss)).await;
    assert_eq!(status, 200, "{body}");
    let changed = Instant::now();
    while changed.elapsed() < patience {
        if pro_name(other).await == name {
            return Some(changed.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// `n` wrong passwords for `address` from one client, alternating between the processes: the statuses.
async fn wrong_passwords(cluster: &Cluster, who: [u8; 4], address: &str, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let login = json!({ "email": address, "password": "not the password" });
        statuses.push(http_from(who, cluster.port(i), "POST", "/api/v1/auth/login", Some(&login), None, &[]).await.0);
    }
    statuses
}

async fn readyz(port: u16) -> Value {
    let (status, body) = http(port, "GET", "/readyz", None, None).await;
    assert_eq!(status, 200, "degraded is still ready: {body}");
    body
}

async fn one_shop(dir: &Path, url: &str, mut redis: Option<Redis>) {
    let shared = redis.is_some();
    let mut cluster = Cluster::start(dir, url, redis.as_ref().map(Redis::url).as_deref()).await;
    let boss = admin_token(cluster.port(0)).await;
    let mut next_client = 0;
    let mut new_client = || {
        next_client += 1;
        client(next_client)
    };

    // 60 concurrent single-unit checkouts of a SKU with 5 in stock, over both processes: exactly 5 orders.
    set_stock(cluster.port(0), &boss, "NP-COMPLETE", 5).await;
    let mut carts = Vec::new();
    for i in 0..60 {
        let who = new_client();
        carts.push((
            i,
            who,
            ready_cart(cluster.port(i), who, "NP-COMPLETE", 1, &format!("rush-{i}@example.com")).await,
        ));
    }
    let checkouts = carts.iter().map(|(i, who, cart)| {
        let path = format!("{cart}/checkout");
        let port = cluster.port(*i);
        async move { http_from(*who, port, "POST", &path, None, None, &[]).await }
    });
    let answers = join_all(checkouts).await;
    let placed = answers.iter().filter(|(s, _)| *s == 201).count();
    let refused = answers.iter().filter(|(s, b)| *s == 409 && b["code"] == "insufficient_stock").count();
    assert_eq!((placed, refused), (5, 55), "{answers:?}");

    // One cart checked out 10 times at once with one Idempotency-Key, over both: one order.
    let who = new_client();
    let cart = ready_cart(cluster.port(0), who, "NP-PRO-GRN", 1, "once@example.com").await;
    let path = format!("{cart}/checkout");
    let tries = (0..10).map(|i| {
        let path = path.clone();
        let port = cluster.port(i);
        async move { http_from(who, port, "POST", &path, None, None, &[("idempotency-key", "one-key")]).await }
    });
    let answers = join_all(tries).await;
    assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 200), "{answers:?}");
    let order = answers[0].1["order"]["id"].as_str().unwrap().to_owned();
    assert!(answers.iter().all(|(_, b)| b["order"]["id"] == order.as_str()), "one order: {answers:?}");
    let pending = orders_in(cluster.port(1), &boss, "pending_payment").await;
    assert_eq!(pending.iter().filter(|o| o["email"] == "once@example.com").count(), 1);

    // Its payment confirmed 20 times at once over both: one transition, one confirmation email.
    let pay = format!("/api/v1/payments/{}/test-confirm", answers[0].1["payment"]["id"].as_str().unwrap());
    let confirms = (0..20).map(|i| {
        let pay = pay.clone();
        let port = cluster.port(i);
        async move { http(port, "POST", &pay, Some(&json!({ "outcome": "succeeded" })), None).await }
    });
    let answers = join_all(confirms).await;
    // The test provider takes one confirmation of a payment; the rest are told it is no longer pending.
    let applied = answers.iter().filter(|(s, b)| *s == 200 && b["outcome"] == "applied:paid").count();
    let refused = answers.iter().filter(|(s, b)| *s == 409 && b["code"] == "payment_not_pending").count();
    assert_eq!((applied, refused), (1, 19), "{answers:?}");
    let (_, paid) = http(cluster.port(1), "GET", &format!("/api/v1/admin/orders/{order}"), None, Some(&boss)).await;
    assert_eq!(paid["state"], "paid", "{paid}");
    let transitions = paid["history"].as_array().unwrap().iter().filter(|h| h["to"] == "paid").count();
    assert_eq!(transitions, 1, "{paid}");
    let confirmation = format!("order {order} is confirmed");
    assert_eq!(settles_at(1, || emails_containing(dir, &confirmation)).await, 1, "one confirmation email");

    // A refresh token rotated on one process and replayed on the other: the whole sign-in is revoked.
    let who = new_client();
    let ada = json!({ "email": "ada@example.com", "password": "a long enough password", "name": "Ada" });
    let (status, session) =
        http_from(who, cluster.port(0), "POST", "/api/v1/auth/register", Some(&ada), None, &[]).await;
    assert_eq!(status, 201, "{session}");
    let first = json!({ "refresh_token": session["refresh_token"].clone() });
    let (status, rotated) = http(cluster.port(0), "POST", "/api/v1/auth/refresh", Some(&first), None).await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(http(cluster.port(1), "POST", "/api/v1/auth/refresh", Some(&first), None).await.0, 401, "replayed");
    let second = json!({ "refresh_token": rotated["refresh_token"].clone() });
    assert_eq!(http(cluster.port(1), "POST", "/api/v1/auth/refresh", Some(&second), None).await.0, 401, "revoked");

    // Wrong passwords for one address from one client, over both processes: with Redis one limit (the sixth is
    // 429); without it, each process counts its own five.
    let who = new_client();
    let statuses = wrong_passwords(&cluster, who, "ada@example.com", 6).await;
    if shared {
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "one limit across processes");
    } else {
        assert_eq!(statuses, [401; 6], "per process: three each so far");
        let more = wrong_passwords(&cluster, who, "ada@example.com", 6).await;
        assert_eq!(more, [401, 401, 401, 401, 429, 429], "each process stops at its own fifth");
    }

    // An administrator's change through one process: the other's cached product page shows it within 100 ms
    // (through Redis, and through PostgreSQL's NOTIFY with or without it).
    let seen = rename_seen_after(&cluster, &boss, "NitePutter Pro II", Duration::from_millis(100)).await;
    assert!(seen.is_some(), "the other process still shows the old name after 100 ms");

    // Product views: a visitor who opens one page on both processes counts once with Redis (the dedupe is shared),
    // once per process without it.
    let (x, y) = (new_client(), new_client());
    let before = settled_product_views(cluster.port(0), &boss).await;
    for (who, port) in [(x, cluster.port(0)), (x, cluster.port(1)), (y, cluster.port(0)), (x, cluster.port(0))] {
        let (status, _) = http_from(who, port, "GET", "/api/v1/products/niteputter-basic", None, None, &[]).await;
        assert_eq!(status, 200);
    }
    let want = if shared { 2 } else { 3 };
    let deadline = Instant::now() + Duration::from_secs(10);
    while product_views(cluster.port(0), &boss).await < before + want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(product_views(cluster.port(0), &boss).await - before, want, "views written");

    // 20 registrations over both: exactly 20 welcome emails.
    for i in 0..20 {
        let who = new_client();
        let body = json!({ "email": format!("member-{i}@example.com"), "password": "a long enough password",
                           "name": format!("Member {i}") });
        let (status, answer) =
            http_from(who, cluster.port(i), "POST", "/api/v1/auth/register", Some(&body), None, &[]).await;
        assert_eq!(status, 201, "{answer}");
    }
    let welcomes = || (0..20).filter(|i| emails_containing(dir, &format!("member-{i}@example.com")) == 1).count();
    assert_eq!(settles_at(20, welcomes).await, 20, "one welcome each");
    assert_eq!(emails_containing(dir, "Welcome to NitePutter"), 22, "and Ada's and the administrator's");

    // The sweeper runs once per one-second slot across both workers, however many there are.
    let before = sweeper_runs(cluster.workers[0].1).await + sweeper_runs(cluster.workers[1].1).await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let after = sweeper_runs(cluster.workers[0].1).await + sweeper_runs(cluster.workers[1].1).await;
    let slots = started.elapsed().as_secs() + 1;
    let ran = after - before;
    assert!(ran >= 3 && ran <= slots, "{ran} runs in {slots} slots: once per slot, not once per worker");

    // One http process killed with SIGKILL during a burst of checkouts, then restarted: every order answered 201
    // exists, and reserved stock equals the pending orders' units.
    let mut burst = Vec::new();
    for i in 0..30 {
        let who = new_client();
        burst.push((
            i,
            who,
            ready_cart(cluster.port(i), who, "NP-BASIC-GRN", 2, &format!("burst-{i}@example.com")).await,
        ));
    }
    let victim = cluster.http[0].child.id().to_string();
    let checkouts = burst.iter().map(|(i, who, cart)| {
        let path = format!("{cart}/checkout");
        let port = cluster.port(*i);
        let delay = Duration::from_millis(u64::try_from(*i).unwrap() * 3);
        async move {
            tokio::time::sleep(delay).await;
            try_http_from(*who, port, "POST", &path, None, None, &[]).await
        }
    });
    let kill = async {
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(Command::new("kill").args(["-KILL", &victim]).status().unwrap().success());
    };
    let (answers, ()) = tokio::join!(join_all(checkouts), kill);
    let _ = cluster.http[0].child.wait();
    cluster.restart_first().await;
    let created: Vec<String> = answers
        .iter()
        .filter_map(|a| a.as_ref().ok())
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b["order"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!created.is_empty(), "some checkouts went through: {answers:?}");
    for id in &created {
        let (status, order) =
            http(cluster.port(0), "GET", &format!("/api/v1/admin/orders/{id}"), None, Some(&boss)).await;
        assert_eq!(status, 200, "{id}: {order}");
    }
    reservations_match_pending_orders(cluster.port(1), &boss).await;

    let Some(redis) = redis.as_mut() else { return };

    // Redis stopped mid-run: checkouts still succeed, /readyz says what is degraded, limits count per process.
    redis.stop();
    for i in 0..4 {
        let who = new_client();
        let cart = ready_cart(cluster.port(i), who, "NP-BASIC-GRN", 1, "offline@example.com").await;
        let (status, body) =
            http_from(who, cluster.port(i), "POST", &format!("{cart}/checkout"), None, None, &[]).await;
        assert_eq!(status, 201, "{body}");
    }
    let ready = readyz(cluster.port(0)).await;
    assert!(ready["redis"]["degraded"].is_string(), "{ready}");
    assert!(ready["degraded"][0].as_str().unwrap().contains("per process"), "{ready}");
    let who = new_client();
    let statuses = wrong_passwords(&cluster, who, "grace@example.com", 10).await;
    assert_eq!(&statuses[..10], [401, 401, 401, 401, 401, 401, 401, 401, 401, 401], "five per process");
    assert_eq!(wrong_passwords(&cluster, who, "grace@example.com", 2).await, [429, 429]);

    // Redis back: shared behaviour resumes.
    *redis = Redis::start(redis.port).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(readyz(cluster.port(0)).await["redis"] == "ok" && readyz(cluster.port(1)).await["redis"] == "ok") {
        assert!(Instant::now() < deadline, "Redis is back but the processes do not say so");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let who = new_client();
    let statuses = wrong_passwords(&cluster, who, "hopper@example.com", 6).await;
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "one limit across processes again");
    tokio::time::sleep(Duration::from_millis(1500)).await; // the subscription reconnects every 500 ms
    let seen = rename_seen_after(&cluster, &boss, "NitePutter Pro III", Duration::from_millis(100)).await;
    assert!(seen.is_some(), "cache invalidation is shared again");
    reservations_match_pending_orders(cluster.port(0), &boss).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_http_processes_and_two_workers_over_postgres_and_redis_are_one_shop() {
    let Some(url) = crate::e2e::fresh_postgres("cluster_redis").await else { return };
    let Some(redis) = Redis::start(free_port()).await else { return };
    let dir = tempfile::tempdir().unwrap();
    one_shop(dir.path(), &url, Some(redis)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_processes_fall_back_as_documented() {
    let Some(url) = crate::e2e::fresh_postgres("cluster_alone").await else { return };
    let dir = tempfile::tempdir().unwrap();
    one_shop(dir.path(), &url, None).await;
}

/// Two `http` processes over one SQLite file: an administrator's change on one reaches the other's catalog cache
/// through Redis within 100 ms; without Redis (SQLite has no NOTIFY), within the cache's TTL.
async fn sqlite_cache_invalidation(redis: Option<&Redis>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    crate::e2e::create_admin(dir.path(), &url);
    let mut env = vec![("NITE_ROLE", "http".to_owned()), ("NITE_CATALOG_CACHE_MS", "2000".to_owned())];
    if let Some(redis) = redis {
        env.push(("NITE_REDIS_URL", redis.url()));
    }
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = serve(dir.path(), &url, &pairs).await;
    let second = serve(dir.path(), &url, &pairs).await;
    let boss = admin_token(first.port).await;
    if redis.is_some() {
        // The subscription is made in the background at start.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let seen = rename_between(first.port, second.port, &boss, "Pro (Redis)", Duration::from_millis(100)).await;
        assert!(seen.is_some(), "Redis carries the change within 100 ms");
    } else {
        let seen = rename_between(first.port, second.port, &boss, "Pro (TTL)", Duration::from_secs(4)).await;
        let seen = seen.expect("the TTL expires");
        assert!(seen > Duration::from_millis(100), "no channel but the TTL: {seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_sqlite_redis_carries_catalog_changes_between_processes() {
    let Some(redis) = Redis::start(free_port()).await else { return };
    sqlite_cache_invalidation(Some(&redis)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_sqlite_without_redis_catalog_changes_wait_for_the_ttl() {
    sqlite_cache_invalidation(None).await;
}
