//! Test support (the `testing` feature): a real SMTP server on 127.0.0.1 for tests that send mail. It is aiosmtpd
//! (`pip install aiosmtpd`), started on a free port, writing every message it accepts into a Maildir, and stopped
//! by its PID. Where aiosmtpd is missing, [`SmtpSink::start`] says so and returns `None`, except under `CI`, where a
//! missing sink fails the test. Failures to start panic: this is for tests only.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// aiosmtpd writing every message it accepts into a Maildir; stopped (by PID) when dropped.
pub struct SmtpSink {
    child: Option<Child>,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// The Maildir it writes into.
    pub maildir: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

impl SmtpSink {
    /// Starts a sink on a free port with a fresh Maildir; `None` (said loudly) if aiosmtpd is not installed.
    pub fn start() -> Option<SmtpSink> {
        let dir = tempfile::tempdir().expect("a temporary folder").keep();
        Self::start_at(free_port(), dir.join("mail"))
    }

    /// Starts (or restarts) a sink on `port`, writing into `maildir`.
    pub fn start_at(port: u16, maildir: PathBuf) -> Option<SmtpSink> {
        let available = Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
        if !available {
            assert!(std::env::var_os("CI").is_none(), "aiosmtpd must be installed in CI (./scripts/test installs it)");
            eprintln!("SKIPPED: aiosmtpd is not installed (pip install aiosmtpd), so this SMTP test did not run");
            return None;
        }
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        // Wait (bounded) until it accepts connections.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(SmtpSink { child: Some(child), port, maildir });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (by its PID), keeping what it received.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received, raw, sorted.
    pub fn messages(&self) -> Vec<String> {
        read_maildir(&self.maildir)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Every message in a Maildir's `new` folder, raw, sorted.
pub fn read_maildir(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    let mut messages: Vec<String> =
        entries.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect();
    messages.sort();
    messages
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut lines = raw.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            return None;
        }
        if line.to_ascii_lowercase().starts_with(&prefix) {
            let mut value = line[prefix.len()..].trim().to_owned();
            for next in lines.by_ref() {
                if next.starts_with(' ') || next.starts_with('\t') {
                    value.push(' ');
                    value.push_str(next.trim());
                } else {
                    break;
                }
            }
            return Some(value);
        }
    }
    None
}
