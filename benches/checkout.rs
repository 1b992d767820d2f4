//! `checkout`: a timed load of concurrent checkouts against a real database, reported per 10-second window.
//!
//! `cargo bench -p nite-benches --bench checkout -- [--db sqlite|postgres] [--seconds 60] [--tasks 8]`
//!
//! Each task loops: write a ready cart (two SKUs, an email, an address, shipping), then check it out. Orders are
//! never paid, so open orders and reservations pile up for the whole run: if a checkout's cost grew with them, the
//! last window would be slower than the first. PostgreSQL needs `NITE_BENCH_DATABASE_URL` (or
//! `NITE_TEST_DATABASE_URL`) pointing at a server where it may create a database. Run under `cargo test` (no
//! `--bench` argument) it does nothing, so the test suite stays fast.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nite_core::contract::Fixture;
use nite_core::ports::Stores;
use nite_core::services::Viewer;

struct Options {
    db: String,
    seconds: u64,
    tasks: usize,
}

fn options() -> Option<Options> {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return None;
    }
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    Some(Options {
        db: value("--db").unwrap_or_else(|| "sqlite".to_owned()),
        seconds: value("--seconds").and_then(|s| s.parse().ok()).unwrap_or(20),
        tasks: value("--tasks").and_then(|s| s.parse().ok()).unwrap_or(8),
    })
}

async fn open(db: &str, _dir: &std::path::Path) -> Stores {
    match db {
        "sqlite" => {
            let url = format!("sqlite://{}", _dir.join("bench.db").display());
            let store = nite_storage::SqliteStore::connect(&url, 8).await.unwrap();
            store.migrate().await.unwrap();
            Stores::from_store(Arc::new(store))
        }
        "postgres" => {
            let admin_url = std::env::var("NITE_BENCH_DATABASE_URL")
                .or_else(|_| std::env::var("NITE_TEST_DATABASE_URL"))
                .expect("set NITE_BENCH_DATABASE_URL to a PostgreSQL server URL");
            let url = nite_storage::testing::create_database(&admin_url, "bench").await;
            let store = nite_storage::PgStore::connect(&url, 16).await.unwrap();
            store.migrate().await.unwrap();
            Stores::from_store(Arc::new(store))
        }
        other => panic!("--db is sqlite or postgres, not {other}"),
    }
}

fn main() {
    let Some(options) = options() else {
        // Test runners list a harness-less bench's tests with `--list`: it has none.
        if !std::env::args().any(|a| a == "--list") {
            println!("checkout load: run it with `cargo bench -p nite-benches --bench checkout`");
        }
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(options));
}

async fn run(options: Options) {
    let dir = tempfile::tempdir().unwrap();
    let stores = open(&options.db, dir.path()).await;
    let fixture = Arc::new(Fixture::new(&stores));
    fixture.seed().await;
    for sku in ["NP-BASIC-GRN", "NP-PRO-GRN", "NP-PRO-RGB", "NP-COMPLETE"] {
        stores.inventory.set_on_hand(&nite_core::catalog::Sku::new(sku).unwrap(), 2_000_000_000).await.unwrap();
    }
    let pairs = [("NP-PRO-GRN", "NP-BASIC-GRN"), ("NP-PRO-RGB", "NP-COMPLETE"), ("NP-BASIC-GRN", "NP-COMPLETE")];

    let window = Duration::from_secs(10);
    let windows = usize::try_from(options.seconds.div_ceil(10)).unwrap_or(1).max(1);
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for task in 0..options.tasks {
        let (fixture, stop) = (fixture.clone(), stop.clone());
        handles.push(tokio::spawn(async move {
            // (completed at, checkout latency) for every checkout of this task.
            let mut done: Vec<(Duration, Duration)> = Vec::new();
            let mut n = task;
            while !stop.load(Ordering::Relaxed) {
                let (a, b) = pairs[n % pairs.len()];
                n += 1;
                let cart = fixture.ready_cart(&[(a, 1), (b, 2)], &[]).await;
                let begun = Instant::now();
                fixture.checkout.checkout(&cart, &Viewer::guest(), None).await.expect("checkout");
                done.push((started.elapsed(), begun.elapsed()));
            }
            done
        }));
    }
    tokio::time::sleep(window * u32::try_from(windows).unwrap_or(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<(Duration, Duration)> = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }

    println!("checkout load: {} database, {} tasks, {} s", options.db, options.tasks, windows * 10);
    println!("{:>8} {:>10} {:>12} {:>12} {:>12}", "window", "checkouts", "per second", "mean (µs)", "p99 (µs)");
    let mut rates = Vec::new();
    for w in 0..windows {
        let (from, to) = (window * u32::try_from(w).unwrap_or(0), window * u32::try_from(w + 1).unwrap_or(1));
        let mut latencies: Vec<Duration> =
            all.iter().filter(|(at, _)| *at >= from && *at < to).map(|(_, latency)| *latency).collect();
        latencies.sort();
        let count = latencies.len();
        let mean = latencies.iter().sum::<Duration>().checked_div(u32::try_from(count).unwrap_or(1).max(1));
        let p99 = latencies.get((count * 99 / 100).min(count.saturating_sub(1))).copied().unwrap_or_default();
        let rate = count / 10;
        rates.push(rate);
        println!(
            "{:>6}0s {count:>10} {rate:>12} {:>12} {:>12}",
            w + 1,
            mean.unwrap_or_default().as_micros(),
            p99.as_micros()
        );
    }
    if let (Some(first), Some(last)) = (rates.first(), rates.last())
        && *first > 0
    {
        println!("last window / first window: {}%", last * 100 / first);
    }
}
