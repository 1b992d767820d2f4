//! Hostile clients against the real binary on 127.0.0.1, bounded in count and time: a hundred concurrent sign-ins
//! for unknown addresses (each from its own loopback address, so no per-client limit stops them first) and a
//! hundred connections that dribble their headers. The server's resident memory is read from `/proc`.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::e2e::{http, http_from, serve};

/// The `VmRSS` and `VmHWM` (peak resident) of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bad_sign_ins_keep_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let server = serve(dir.path(), &url, &[]).await;
    let pid = server.child.id();
    let (idle, _) = memory_kib(pid);
    let attempts = (0..100u8).map(|n| {
        let port = server.port;
        tokio::spawn(async move {
            let body = json!({ "email": format!("nobody{n}@example.com"), "password": "not the password at all" });
            http_from([127, 0, 2, n + 1], port, "POST", "/api/v1/auth/login", Some(&body), None, &[]).await
        })
    });
    let answers = futures::future::join_all(attempts).await;
    let statuses: Vec<u16> = answers.into_iter().map(|a| a.unwrap().0).collect();
    // Every attempt is refused, as wrong (401) or, past the hashing queue, as too busy for now (503).
    assert!(statuses.iter().all(|s| *s == 401 || *s == 503), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 401).count() >= 60, "the queue takes most of them: {statuses:?}");
    let (after, peak) = memory_kib(pid);
    eprintln!("resident memory: idle {idle} KiB, peak {peak} KiB, after {after} KiB");
    // Two hashing threads of 19 MiB each, reused: far from the gigabytes an unbounded server reached.
    assert!(peak < idle + 100 * 1024, "peak {peak} KiB over idle {idle} KiB");
    assert_eq!(http(server.port, "GET", "/healthz", None, None).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let limits = [("NITE_HEADER_TIMEOUT_MS", "800"), ("NITE_MAX_CONNECTIONS", "32")];
    let server = serve(dir.path(), &url, &limits).await;
    let port = server.port;
    // A hundred connections that send one header byte every 300 ms, for at most 6 s each.
    let slow = (0..100).map(|_| {
        tokio::spawn(async move {
            let started = Instant::now();
            let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return None };
            let head = b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ";
            for byte in head.iter().cycle().take(20) {
                if stream.write_all(&[*byte]).await.is_err() {
                    return Some(started.elapsed());
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            // Cut off: the server has closed it (the read sees the end, or an error).
            let mut buffer = [0_u8; 256];
            match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer)).await {
                Ok(Ok(0) | Err(_)) => Some(started.elapsed()),
                _ => None,
            }
        })
    });
    let slow: Vec<_> = slow.collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Meanwhile an ordinary client is answered (bounded wait: this is liveness, not a timing).
    let healthy = tokio::time::timeout(Duration::from_secs(10), http(port, "GET", "/healthz", None, None)).await;
    assert_eq!(healthy.expect("an ordinary client was served while slow ones dribbled").0, 200);
    let ended = futures::future::join_all(slow).await;
    let cut = ended.iter().filter(|e| matches!(e, Ok(Some(_)))).count();
    assert_eq!(cut, 100, "every dribbling connection was closed by the server");
}
