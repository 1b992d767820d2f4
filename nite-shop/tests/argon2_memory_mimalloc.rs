//! The niteputter binary allocates with mimalloc (`nite-http/src/main.rs`), not glibc. The unit test
//! `working_memory_is_reused_while_hashing_and_released_when_idle` shows that argon2's idle working buffer leaves the
//! process under glibc; this one shows it under mimalloc, in a test binary of its own so that the allocator is the
//! binary's and no other test shares the resident memory it reads.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::time::Duration;

use nite_core::services::Passwords;
use nite_shop::Argon2Passwords;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The process's resident memory, in KiB.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap();
    line.split_whitespace().next().unwrap().parse().unwrap()
}

/// Polls the resident memory for up to five seconds until `condition` holds; the last reading either way.
async fn resident_until(condition: impl Fn(u64) -> bool) -> u64 {
    let mut kib = resident_kib();
    for _ in 0..500 {
        if condition(kib) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        kib = resident_kib();
    }
    kib
}

#[tokio::test]
async fn under_mimalloc_the_idle_working_buffer_leaves_the_process_every_time() {
    // Buffers idle for 200 ms are released (within 400 ms).
    let passwords = Argon2Passwords::with_memory_kept_for(1, 8, Duration::from_millis(200));
    let mut before = resident_kib();
    let hash = passwords.hash("correct horse battery").await.unwrap();
    for round in 0..4 {
        if round > 0 {
            assert!(passwords.verify("correct horse battery", &hash).await.unwrap());
        }
        let held = resident_kib();
        assert!(held >= before + 15 * 1024, "round {round}: a hash holds its 19 MiB: {before} -> {held} KiB");
        let after = resident_until(|kib| kib + 15 * 1024 <= held).await;
        assert!(after + 15 * 1024 <= held, "round {round}: the 19 MiB left the process: {held} -> {after} KiB");
        before = after;
    }
}
