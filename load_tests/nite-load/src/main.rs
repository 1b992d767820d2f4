//! `nite-load`: the load client of `load_tests/run`.
//!
//! Shoppers buy over and over as guests, each with the whole journey (12 requests: the list,
//! the Pro page, a cart, a Pro and a Basic, `NITE10`, the address, the shipping quote and choice, checkout with an
//! `Idempotency-Key`, the test payment, the paid order read with its token). Readers read the catalog as
//! `catalog.lua` does. Both can run at once, against one server or several in turn (as a round-robin balancer sends
//! requests), while the servers' resident memory is sampled every second, and for a while after the load ends.
//!
//! It is written for a small machine shared with the server: one thread, one keep-alive HTTP/1.1 connection per
//! shopper or reader and server (hyper), no parsing beyond the ids the journey needs. Each shopper connects from a
//! loopback address of its own (`127.6.0.1`, `127.6.0.2`, …; readers from `127.7.…`), so the server sees separate
//! clients, as it would see real shoppers, and not one client making every request. Every request is timed on its
//! own; the report gives each request's count, p50, p99 and maximum, the writing requests together, whole journeys,
//! and a line per window (journeys and reads a second, memory) to show whether throughput decays.
//!
//! ```text
//! nite-load --servers http://127.0.0.1:8080 --shoppers 8 --seconds 60 --pids 1234 --after 60
//! ```

#![allow(clippy::float_arithmetic, reason = "rates, percentiles and megabytes for the report")]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpSocket;

/// What to run.
#[derive(Parser, Debug)]
#[command(about = "Shoppers and catalog readers against niteputter, with the servers' memory")]
struct Args {
    /// The servers, comma-separated (`http://127.0.0.1:8080`); each shopper's requests go to them in turn.
    #[arg(long, value_delimiter = ',', required = true)]
    servers: Vec<String>,
    /// Concurrent shoppers, each buying over and over.
    #[arg(long, default_value_t = 8)]
    shoppers: usize,
    /// Concurrent catalog readers (the product list and the three product pages in turn).
    #[arg(long, default_value_t = 0)]
    readers: usize,
    /// How long the load runs.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The report's window, in seconds.
    #[arg(long, default_value_t = 5)]
    window: u64,
    /// Processes whose resident memory (VmRSS) is sampled every second, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pids: Vec<u32>,
    /// Seconds to keep sampling memory after the load ends.
    #[arg(long, default_value_t = 0)]
    after: u64,
}

/// No request may take longer than this; one that does fails its journey, so the run stays bounded.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The catalog pages a reader cycles through (as `catalog.lua`).
const CATALOG: [&str; 4] = [
    "/api/v1/products",
    "/api/v1/products/niteputter-pro",
    "/api/v1/products/niteputter-basic",
    "/api/v1/products/niteputter-complete-system",
];

/// One keep-alive connection to one server, opened again if the server closes it.
struct Connection {
    /// `host:port`.
    authority: String,
    /// The loopback address this client connects from, so the server tells the clients apart as it would real
    /// shoppers (its per-client limits and locks are keyed by address).
    local: IpAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Connection {
    fn new(server: &str, local: IpAddr) -> Result<Connection> {
        let authority = server
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("{server}: only http:// servers (on this machine) are load-tested"))?
            .trim_end_matches('/')
            .to_owned();
        Ok(Connection { authority, local, sender: None })
    }

    async fn connect(&mut self) -> Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(SendRequest::is_closed) {
            let server: SocketAddr =
                self.authority.parse().with_context(|| format!("{}: not ip:port", self.authority))?;
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(self.local, 0)).with_context(|| format!("binding {}", self.local))?;
            let stream = socket.connect(server).await.with_context(|| format!("connect {}", self.authority))?;
            stream.set_nodelay(true)?;
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or_else(|| anyhow!("no connection"))
    }

    /// Sends one request and reads the whole answer.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, Bytes)> {
        let authority = self.authority.clone();
        let sender = self.connect().await?;
        sender.ready().await?;
        let mut request = Request::builder().method(method).uri(path).header("host", authority);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(body)?)
            }
            None => Bytes::new(),
        };
        let response = sender.send_request(request.body(Full::new(body))?).await?;
        let status = response.status();
        Ok((status, response.into_body().collect().await?.to_bytes()))
    }
}

/// Everything measured, shared by the tasks of the one thread.
#[derive(Default)]
struct Stats {
    /// Each request name's successful latencies, in microseconds.
    requests: BTreeMap<&'static str, Vec<u32>>,
    failures: BTreeMap<&'static str, u64>,
    /// Whole journeys' latencies, in microseconds.
    journeys: Vec<u32>,
    failed_journeys: u64,
    /// The first few errors, to print.
    errors: Vec<String>,
    /// Journeys and catalog reads completed in each second of the run.
    journeys_per_second: Vec<u64>,
    reads_per_second: Vec<u64>,
    /// Catalog reads' latencies, in microseconds.
    reads: Vec<u32>,
    failed_reads: u64,
    /// (seconds since the start, Σ VmRSS of the sampled processes in kB).
    memory: Vec<(u64, u64)>,
}

fn micros(elapsed: Duration) -> u32 {
    u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)
}

fn bump(per_second: &mut Vec<u64>, second: usize) {
    if per_second.len() <= second {
        per_second.resize(second + 1, 0);
    }
    per_second[second] += 1;
}

/// The shared measurements and the run's clock.
#[derive(Clone)]
struct Run {
    stats: Arc<Mutex<Stats>>,
    started: Instant,
    deadline: Instant,
}

impl Run {
    fn stats(&self) -> MutexGuard<'_, Stats> {
        // A task that panicked while holding the lock left plain counters: keep counting.
        self.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn second(&self) -> usize {
        usize::try_from(self.started.elapsed().as_secs()).unwrap_or(usize::MAX)
    }

    fn error(&self, error: String) {
        let mut stats = self.stats();
        if stats.errors.len() < 5 {
            stats.errors.push(error);
        }
    }
}

/// A guest buying over and over.
struct Shopper {
    run: Run,
    connections: Vec<Connection>,
    next: usize,
    /// Which shopper this is, and how many journeys it began, for unique idempotency keys.
    id: usize,
    journeys: u64,
}

impl Shopper {
    /// One request to the next server in turn: timed, its status checked, its JSON body returned.
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        name: &'static str,
        expect: StatusCode,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Result<Value> {
        let index = self.next % self.connections.len();
        self.next = self.next.wrapping_add(1);
        let path = format!("/api/v1{path}");
        let started = Instant::now();
        let sent =
            tokio::time::timeout(REQUEST_TIMEOUT, self.connections[index].send(method, &path, body.as_ref(), headers))
                .await;
        let elapsed = started.elapsed();
        let answer = match sent {
            Err(_) => Err(anyhow!("{name}: no answer within {REQUEST_TIMEOUT:?}")),
            Ok(Err(error)) => Err(error.context(name)),
            Ok(Ok((status, body))) if status != expect => {
                Err(anyhow!("{name} answered {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])))
            }
            Ok(Ok((_, body))) => serde_json::from_slice(&body).with_context(|| format!("{name}: not JSON")),
        };
        let mut stats = self.run.stats();
        match answer {
            Ok(value) => {
                stats.requests.entry(name).or_default().push(micros(elapsed));
                Ok(value)
            }
            Err(error) => {
                *stats.failures.entry(name).or_default() += 1;
                Err(error)
            }
        }
    }

    async fn journey(&mut self) -> Result<()> {
        self.journeys += 1;
        let key = format!("load-{}-{}-{}", std::process::id(), self.id, self.journeys);
        let created = StatusCode::CREATED;
        let ok = StatusCode::OK;
        self.call(Method::GET, "/products", "GET /products", ok, None, &[]).await?;
        self.call(Method::GET, "/products/niteputter-pro", "GET /products/{slug}", ok, None, &[]).await?;
        let cart = self.call(Method::POST, "/carts", "POST /carts", created, None, &[]).await?;
        let cart = text(&cart["id"])?;
        let base = format!("/carts/{cart}");
        let items = format!("{base}/items");
        for sku in ["NP-PRO-GRN", "NP-BASIC-GRN"] {
            let line = json!({"sku": sku, "quantity": 1});
            self.call(Method::POST, &items, "POST /carts/{id}/items", created, Some(line), &[]).await?;
        }
        let code = json!({"code": "NITE10"});
        let codes = format!("{base}/discount-codes");
        self.call(Method::POST, &codes, "POST /carts/{id}/discount-codes", ok, Some(code), &[]).await?;
        let address = json!({"email": "load@example.com", "shipping_address": {
            "name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
            "postal_code": "94105", "country": "US"}});
        let addresses = format!("{base}/addresses");
        self.call(Method::PUT, &addresses, "PUT /carts/{id}/addresses", ok, Some(address), &[]).await?;
        let options = format!("{base}/shipping-options");
        let rates = self.call(Method::GET, &options, "GET /carts/{id}/shipping-options", ok, None, &[]).await?;
        let rate = json!({"id": text(&rates["data"][0]["id"])?});
        let option = format!("{base}/shipping-option");
        self.call(Method::PUT, &option, "PUT /carts/{id}/shipping-option", ok, Some(rate), &[]).await?;
        let checkout = format!("{base}/checkout");
        let headers = [("idempotency-key", key.as_str())];
        let placed = self.call(Method::POST, &checkout, "POST /carts/{id}/checkout", created, None, &headers).await?;
        let confirm = format!("/payments/{}/test-confirm", text(&placed["payment"]["id"])?);
        let outcome = json!({"outcome": "succeeded"});
        self.call(Method::POST, &confirm, "POST /payments/{id}/test-confirm", ok, Some(outcome), &[]).await?;
        let order = format!("/orders/{}", text(&placed["order"]["id"])?);
        let token = text(&placed["order_token"])?;
        let headers = [("x-order-token", token.as_str())];
        let order = self.call(Method::GET, &order, "GET /orders/{id}", ok, None, &headers).await?;
        match order["state"].as_str() {
            Some("paid") => Ok(()),
            state => bail!("the order is {state:?} after its payment"),
        }
    }

    async fn shop(mut self) {
        while Instant::now() < self.run.deadline {
            let started = Instant::now();
            let outcome = self.journey().await;
            let elapsed = started.elapsed();
            let second = self.run.second();
            match outcome {
                Ok(()) => {
                    let mut stats = self.run.stats();
                    stats.journeys.push(micros(elapsed));
                    bump(&mut stats.journeys_per_second, second);
                }
                Err(error) => {
                    self.run.stats().failed_journeys += 1;
                    self.run.error(format!("{error:#}"));
                }
            }
        }
    }
}

/// The `n`th client's loopback address in `127.<block>.x.y` (every `127.*` address reaches this machine).
fn client_address(block: u8, n: usize) -> IpAddr {
    let [high, low] = u16::try_from(n % 60_000 + 1).unwrap_or(1).to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(127, block, high, low))
}

fn text(value: &Value) -> Result<String> {
    value.as_str().map(str::to_owned).ok_or_else(|| anyhow!("expected a string, found {value}"))
}

/// A storefront reading the catalog over and over.
async fn read(run: Run, mut connection: Connection, offset: usize) {
    let mut page = offset;
    while Instant::now() < run.deadline {
        let path = CATALOG[page % CATALOG.len()];
        page += 1;
        let started = Instant::now();
        let sent = tokio::time::timeout(REQUEST_TIMEOUT, connection.send(Method::GET, path, None, &[])).await;
        let elapsed = started.elapsed();
        let second = run.second();
        let mut stats = run.stats();
        match sent {
            Ok(Ok((StatusCode::OK, _))) => {
                stats.reads.push(micros(elapsed));
                bump(&mut stats.reads_per_second, second);
            }
            other => {
                stats.failed_reads += 1;
                drop(stats);
                run.error(match other {
                    Ok(Ok((status, _))) => format!("GET {path} answered {status}"),
                    Ok(Err(error)) => format!("GET {path}: {error:#}"),
                    Err(_) => format!("GET {path}: no answer within {REQUEST_TIMEOUT:?}"),
                });
            }
        }
    }
}

/// The resident memory of `pid`, in kB.
fn resident_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples the processes' memory every second until `until`.
async fn sample(run: Run, pids: Vec<u32>, until: Instant) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while Instant::now() <= until {
        tick.tick().await;
        let total = pids.iter().filter_map(|&pid| resident_kb(pid)).sum();
        let second = run.started.elapsed().as_secs();
        run.stats().memory.push((second, total));
    }
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index into a non-empty list")]
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn row(name: &str, latencies: &mut [u32], failed: u64) {
    latencies.sort_unstable();
    let max = latencies.last().map_or(0.0, |&m| f64::from(m) / 1000.0);
    println!(
        "{name:40} {:>8} {failed:>5} {:>8.2} {:>8.2} {:>8.1}",
        latencies.len(),
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        max
    );
}

fn megabytes(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn report(args: &Args, stats: &mut Stats, seconds: f64) -> bool {
    println!(
        "load: nite-load (Rust, hyper HTTP/1.1 on one thread, a keep-alive connection per client and server); \
         {} shoppers, {} readers, {} s, {} server(s)",
        args.shoppers,
        args.readers,
        args.seconds,
        args.servers.len()
    );
    let mut healthy = true;
    if args.shoppers > 0 {
        let journeys = stats.journeys.len();
        println!(
            "journeys: {journeys} completed in {seconds:.1} s = {:.1}/s, {} failed",
            journeys as f64 / seconds,
            stats.failed_journeys
        );
        println!("{:40} {:>8} {:>5} {:>8} {:>8} {:>8}", "request", "count", "fail", "p50 ms", "p99 ms", "max ms");
        let mut writes = Vec::new();
        let mut write_failures = 0;
        let names: Vec<&'static str> = stats.requests.keys().chain(stats.failures.keys()).copied().collect();
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            if !seen.insert(name) {
                continue;
            }
            let failed = stats.failures.get(name).copied().unwrap_or(0);
            let latencies = stats.requests.entry(name).or_default();
            if !name.starts_with("GET ") {
                writes.extend_from_slice(latencies);
                write_failures += failed;
            }
            row(name, latencies, failed);
        }
        row("every writing request", &mut writes, write_failures);
        row("whole journey (12 requests)", &mut stats.journeys, stats.failed_journeys);
        healthy &= stats.failed_journeys == 0;
    }
    if args.readers > 0 {
        println!(
            "catalog reads: {} in {seconds:.1} s = {:.0}/s, {} failed",
            stats.reads.len(),
            stats.reads.len() as f64 / seconds,
            stats.failed_reads
        );
        row("catalog read", &mut stats.reads, stats.failed_reads);
        healthy &= stats.failed_reads == 0;
    }
    let window = usize::try_from(args.window.max(1)).unwrap_or(5);
    let load_seconds = usize::try_from(args.seconds).unwrap_or(0);
    println!("per {window} s window: journeys/s, catalog reads/s, resident memory at its end (MB)");
    let memory_at = |second: usize| {
        stats.memory.iter().rev().find(|(s, _)| usize::try_from(*s).unwrap_or(usize::MAX) <= second).map(|m| m.1)
    };
    for start in (0..load_seconds).step_by(window) {
        let end = (start + window).min(load_seconds);
        let sum = |per: &Vec<u64>| per.iter().skip(start).take(end - start).sum::<u64>() as f64 / (end - start) as f64;
        let memory = memory_at(end).map_or("-".to_owned(), |kb| format!("{:.1}", megabytes(kb)));
        println!(
            "  {start:>4}-{end:<4} s {:>9.1} {:>10.0} {memory:>8}",
            sum(&stats.journeys_per_second),
            sum(&stats.reads_per_second)
        );
    }
    if !args.pids.is_empty() && !stats.memory.is_empty() {
        let peak = stats.memory.iter().map(|m| m.1).max().unwrap_or(0);
        let first = stats.memory.first().map_or(0, |m| m.1);
        let at_end = memory_at(load_seconds).unwrap_or(0);
        let last = stats.memory.last().map_or(0, |m| m.1);
        println!(
            "memory (VmRSS, Σ of {} process(es)): at the start {:.1} MB, peak {:.1} MB, when the load ended {:.1} MB, \
             {} s after {:.1} MB",
            args.pids.len(),
            megabytes(first),
            megabytes(peak),
            megabytes(at_end),
            args.after,
            megabytes(last)
        );
        if args.after > 0 {
            let after: Vec<String> = stats
                .memory
                .iter()
                .filter(|(s, _)| *s > args.seconds && (s - args.seconds).is_multiple_of(10))
                .map(|(s, kb)| format!("+{}s {:.1}", s - args.seconds, megabytes(*kb)))
                .collect();
            println!("memory after the load (MB): {}", after.join(", "));
        }
    }
    for error in &stats.errors {
        println!("error: {error}");
    }
    healthy
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.shoppers == 0 && args.readers == 0 {
        bail!("nothing to run: --shoppers and --readers are both 0");
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let healthy = runtime.block_on(async {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(args.seconds);
        let run = Run { stats: Arc::default(), started, deadline };
        let mut tasks = Vec::new();
        for id in 0..args.shoppers {
            let local = client_address(6, id);
            let connections = args.servers.iter().map(|s| Connection::new(s, local)).collect::<Result<Vec<_>>>()?;
            // Shoppers start at different servers, so that each server sees every step.
            let shopper = Shopper { run: run.clone(), connections, next: id, id, journeys: 0 };
            tasks.push(tokio::spawn(shopper.shop()));
        }
        for i in 0..args.readers {
            let connection = Connection::new(&args.servers[i % args.servers.len()], client_address(7, i))?;
            tasks.push(tokio::spawn(read(run.clone(), connection, i)));
        }
        let sampler = (!args.pids.is_empty()).then(|| {
            let until = deadline + Duration::from_secs(args.after);
            tokio::spawn(sample(run.clone(), args.pids.clone(), until))
        });
        for task in tasks {
            task.await?;
        }
        let seconds = started.elapsed().as_secs_f64().min(args.seconds as f64).max(0.001);
        if let Some(sampler) = sampler {
            sampler.await?;
        }
        let mut stats = std::mem::take(&mut *run.stats());
        anyhow::Ok(report(&args, &mut stats, seconds))
    })?;
    if !healthy {
        bail!("some journeys or reads failed (see the errors above)");
    }
    Ok(())
}
