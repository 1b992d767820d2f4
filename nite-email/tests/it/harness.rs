//! An order worth emailing about, and a real SMTP sink on 127.0.0.1 that the test starts and stops by PID.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use nite_core::contract::Fixture;
use nite_core::email::Mailbox;
use nite_core::order::Order;
use nite_core::ports::Stores;
use nite_core::services::Viewer;
use nite_core::testing::InMemoryStore;
use nite_core::{CustomerId, Email};
use nite_email::EmailSettings;

pub(crate) fn settings() -> EmailSettings {
    EmailSettings {
        from: Mailbox { name: Some("NitePutter".into()), email: Email::parse("orders@niteputter.example").unwrap() },
        reply_to: Some(Mailbox { name: None, email: Email::parse("help@niteputter.example").unwrap() }),
        shop_name: "NitePutter".into(),
        shop_url: "https://niteputter.example".into(),
        support_email: "help@niteputter.example".into(),
        message_id_domain: "niteputter.example".into(),
        reset_valid_minutes: 30,
    }
}

/// A shop with one order paid, shipped with USPS, and its outbox (confirmation and shipping emails).
pub(crate) async fn shop_with_order() -> (Fixture, Stores, Order) {
    let stores = Stores::from_store(Arc::new(InMemoryStore::new()));
    let f = Fixture::new(&stores);
    f.seed().await;
    let cart = f.ready_cart(&[("NP-PRO-GRN", 2), ("NP-BASIC-GRN", 1)], &["NITE10"]).await;
    let placed = f.checkout.checkout(&cart, &Viewer::guest(), None).await.unwrap();
    let payment = placed.order.payment.payment_id.clone().unwrap();
    let event = f.provider.confirm(&payment, nite_core::payment::TestOutcome::Succeeded).unwrap();
    f.payments.handle(&event).await.unwrap();
    let admin = Viewer::admin(CustomerId::parse("cus_admin").unwrap());
    let order = f.fulfilment.ship(&placed.order.id, &admin, "USPS", "9400 1000 0000 0000 0000 00").await.unwrap();
    (f, stores, order)
}

/// aiosmtpd writing every message it accepts into a Maildir; stopped (by PID) when dropped.
pub(crate) struct SmtpSink {
    child: Option<Child>,
    pub(crate) port: u16,
    pub(crate) maildir: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    /// Starts a sink on a free port; `None` (said loudly) if aiosmtpd is not installed, which CI does not allow.
    pub(crate) fn start() -> Option<SmtpSink> {
        let dir = tempfile::tempdir().unwrap().keep();
        Self::start_at(free_port(), dir.join("mail"))
    }

    /// Starts (or restarts) a sink on `port`, writing into `maildir`.
    pub(crate) fn start_at(port: u16, maildir: PathBuf) -> Option<SmtpSink> {
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

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (by its PID), keeping what it received.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received, raw.
    pub(crate) fn messages(&self) -> Vec<String> {
        read_maildir(&self.maildir)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn read_maildir(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    let mut messages: Vec<String> =
        entries.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect();
    messages.sort();
    messages
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
pub(crate) fn header(raw: &str, name: &str) -> Option<String> {
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
