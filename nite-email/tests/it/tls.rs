//! SMTP over STARTTLS and over implicit TLS, against aiosmtpd with a certificate the test makes (openssl), trusted
//! as a private root; and a server whose certificate is not trusted is refused.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use nite_core::Email;
use nite_core::email::{EmailMessage, EmailSender};
use nite_email::SmtpEmailSender;

use crate::harness::{header, read_maildir, settings};

/// A private CA and a certificate it signed for 127.0.0.1, in `dir`: `(ca, server certificate, server key)`;
/// `None` if openssl is missing.
fn certificate(dir: &Path) -> Option<(std::path::PathBuf, std::path::PathBuf, std::path::PathBuf)> {
    let path = |name: &str| dir.join(name);
    std::fs::write(path("leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").ok()?;
    let run = |args: &[&str]| {
        Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let made = run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=nite-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]) && run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
    ]) && run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "leaf.ext",
        "-out",
        "cert.pem",
    ]);
    made.then(|| (path("ca.pem"), path("cert.pem"), path("key.pem")))
}

struct TlsSink(std::process::Child);

impl Drop for TlsSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(port: u16, maildir: &Path, flags: [&str; 2], cert: &Path, key: &Path) -> Option<TlsSink> {
    if !Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "aiosmtpd must be installed in CI");
        eprintln!("SKIPPED: aiosmtpd is not installed");
        return None;
    }
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .arg(flags[0])
        .arg(cert)
        .arg(flags[1])
        .arg(key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sink = TlsSink(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(sink);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("aiosmtpd with TLS did not start");
}

fn email(n: u32) -> EmailMessage {
    EmailMessage {
        message_id: format!("<tls-{n}@niteputter.example>"),
        from: settings().from,
        reply_to: None,
        to: Email::parse("ada@example.com").unwrap(),
        subject: "Over TLS".into(),
        text: "encrypted".into(),
        html: "<p>encrypted</p>".into(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn starttls_and_implicit_tls_deliver_to_a_trusted_server_only() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let Some((ca, cert, key)) = certificate(dir.path()) else {
            assert!(std::env::var_os("CI").is_none(), "openssl must be on the machine in CI");
            eprintln!("SKIPPED: openssl is missing, so the TLS test did not run");
            return;
        };
        let pem = std::fs::read(&ca).unwrap();
        let timeout = Duration::from_secs(5);

        let (port, maildir) = (free_port(), dir.path().join("starttls"));
        let Some(_starttls) = start(port, &maildir, ["--tlscert", "--tlskey"], &cert, &key) else { return };
        let url = format!("smtp://127.0.0.1:{port}?tls=required");
        let trusted = SmtpEmailSender::with_root_certificate(&url, timeout, Some(&pem)).unwrap();
        trusted.send(&email(1)).await.unwrap();
        let untrusted = SmtpEmailSender::from_url(&url, timeout).unwrap();
        assert!(untrusted.send(&email(2)).await.is_err(), "a certificate nobody vouches for is refused");
        let received = read_maildir(&maildir);
        assert_eq!(received.len(), 1);
        assert_eq!(header(&received[0], "Message-ID").as_deref(), Some("<tls-1@niteputter.example>"));

        let (port, maildir) = (free_port(), dir.path().join("smtps"));
        let Some(_smtps) = start(port, &maildir, ["--smtpscert", "--smtpskey"], &cert, &key) else { return };
        let url = format!("smtps://127.0.0.1:{port}");
        SmtpEmailSender::with_root_certificate(&url, timeout, Some(&pem)).unwrap().send(&email(3)).await.unwrap();
        assert_eq!(read_maildir(&maildir).len(), 1);
        assert!(SmtpEmailSender::with_root_certificate(&url, timeout, Some(b"not a certificate")).is_err());
    });
}
