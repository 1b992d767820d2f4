//! The `EmailSender` contract for every sender: SMTP (real server), files, and Postmark (its fake); and Postmark's
//! failures sorted into final and worth retrying.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use nite_core::Error;
use nite_core::contract::{Received, email_sender};
use nite_core::email::EmailSender;
use nite_email::{FileEmailSender, PostmarkEmailSender, SmtpEmailSender};
use serde_json::{Value, json};

use crate::harness::{SmtpSink, header, read_maildir};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

fn from_raw(raw: &str) -> Received {
    Received {
        to: header(raw, "To").unwrap_or_default(),
        message_id: header(raw, "Message-ID").unwrap_or_default(),
        subject: header(raw, "Subject").unwrap_or_default(),
        raw: raw.to_owned(),
    }
}

#[test]
fn smtp_keeps_the_contract() {
    runtime().block_on(async {
        let Some(sink) = SmtpSink::start() else { return };
        let sender = SmtpEmailSender::from_url(&sink.url(), Duration::from_secs(5)).unwrap();
        email_sender(&sender, || async { read_maildir(&sink.maildir).iter().map(|m| from_raw(m)).collect() }).await;
    });
}

#[test]
fn files_keep_the_contract() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sender = FileEmailSender::new(dir.path()).unwrap();
        email_sender(&sender, || async {
            std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| from_raw(&std::fs::read_to_string(e.path()).unwrap()))
                .collect()
        })
        .await;
    });
}

/// A fake of Postmark's `POST /email`: checks the token, records the JSON, answers as Postmark does; the next
/// answers can be scripted (status, body).
#[derive(Clone, Default)]
struct FakePostmark {
    received: Arc<Mutex<Vec<Value>>>,
    script: Arc<Mutex<Vec<(u16, Value, u64)>>>,
}

impl FakePostmark {
    async fn start(&self) -> String {
        let me = self.clone();
        let app = Router::new().route(
            "/email",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let me = me.clone();
                async move {
                    let scripted = { me.script.lock().unwrap().pop() };
                    if let Some((status, answer, delay_ms)) = scripted {
                        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                        return (StatusCode::from_u16(status).unwrap(), answer.to_string());
                    }
                    if headers.get("x-postmark-server-token").and_then(|v| v.to_str().ok()) != Some("server-token") {
                        let answer = json!({ "ErrorCode": 10, "Message": "No Account or Server API tokens were supplied in the HTTP headers." });
                        return (StatusCode::UNAUTHORIZED, answer.to_string());
                    }
                    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                        return (StatusCode::UNPROCESSABLE_ENTITY, json!({ "ErrorCode": 402, "Message": "Invalid JSON" }).to_string());
                    };
                    let to = message["To"].clone();
                    me.received.lock().unwrap().push(message);
                    let answer = json!({ "To": to, "SubmittedAt": "2026-06-01T12:00:00.0000000Z", "MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", "ErrorCode": 0, "Message": "OK" });
                    (StatusCode::OK, answer.to_string())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }

    fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|m| Received {
                to: m["To"].as_str().unwrap_or_default().to_owned(),
                message_id: m["Headers"][0]["Value"].as_str().unwrap_or_default().to_owned(),
                subject: m["Subject"].as_str().unwrap_or_default().to_owned(),
                raw: m.to_string(),
            })
            .collect()
    }
}

#[test]
fn postmark_keeps_the_contract_and_sorts_its_failures() {
    runtime().block_on(async {
        let fake = FakePostmark::default();
        let url = fake.start().await;
        let sender = PostmarkEmailSender::new("server-token", &url, Duration::from_millis(500)).unwrap();
        email_sender(&sender, || async { fake.received() }).await;
        let first = fake.received.lock().unwrap()[0].clone();
        assert_eq!(first["From"], "\"NitePutter Orders\" <orders@nite.example>");
        assert_eq!(first["ReplyTo"], "help@nite.example");
        assert_eq!(first["MessageStream"], "outbound");
        assert_eq!(first["Headers"][0]["Name"], "Message-ID");

        let email = nite_core::email::EmailMessage {
            message_id: "<x@nite.example>".into(),
            from: nite_core::email::Mailbox { name: None, email: nite_core::Email::parse("a@nite.example").unwrap() },
            reply_to: None,
            to: nite_core::Email::parse("b@example.com").unwrap(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        };
        let script = |status: u16, answer: Value, delay: u64| fake.script.lock().unwrap().push((status, answer, delay));
        script(422, json!({ "ErrorCode": 300, "Message": "Invalid email request" }), 0);
        assert!(matches!(sender.send(&email).await, Err(Error::EmailRejected(_))), "422 is final");
        script(406, json!({ "ErrorCode": 406, "Message": "You tried to send to a recipient that has been marked as inactive." }), 0);
        assert!(matches!(sender.send(&email).await, Err(Error::EmailRejected(_))), "an inactive recipient is final");
        script(500, json!({ "ErrorCode": 0, "Message": "Internal server error" }), 0);
        assert!(matches!(sender.send(&email).await, Err(Error::Adapter { .. })), "a 500 is worth retrying");
        script(429, json!({ "ErrorCode": 0, "Message": "Rate limit exceeded" }), 0);
        assert!(matches!(sender.send(&email).await, Err(Error::Adapter { .. })), "429 too");
        script(200, json!({ "ErrorCode": 0, "Message": "OK" }), 2_000);
        assert!(matches!(sender.send(&email).await, Err(Error::Adapter { .. })), "a timeout too");
        let wrong = PostmarkEmailSender::new("not-the-token", &url, Duration::from_secs(2)).unwrap();
        assert!(matches!(wrong.send(&email).await, Err(Error::EmailRejected(_))), "a bad token is final");
        assert!(PostmarkEmailSender::new(" ", &url, Duration::from_secs(1)).is_err());
        assert!(!format!("{sender:?}").contains("server-token"), "the token never reaches a log");
        // TLS is set up on the sender's own client: no process-wide crypto provider was installed.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    });
}
