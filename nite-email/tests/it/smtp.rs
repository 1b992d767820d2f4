//! SMTP and the outbox worker against a real SMTP server: what arrives, what happens while the server is down,
//! two workers at once, and a worker that crashes mid-send.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use nite_core::email::{EmailMessage, EmailSender};
use nite_core::outbox::{Notification, OutboxMessage, OutboxStatus};
use nite_core::ports::Stores;
use nite_core::testing::FixedClock;
use nite_core::{Email, MessageId, OrderId};
use nite_email::{OutboxWorker, Renderer, SmtpEmailSender, WorkerOptions};
use time::Duration;

use crate::harness::{SmtpSink, header, read_maildir, settings, shop_with_order};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

fn worker(stores: &Stores, sender: Arc<dyn EmailSender>, clock: Arc<FixedClock>, id: &str) -> OutboxWorker {
    let options = WorkerOptions {
        id: id.into(),
        lease: Duration::seconds(60),
        batch: 10,
        max_attempts: 5,
        backoff: Duration::seconds(10),
        max_backoff: Duration::minutes(10),
    };
    OutboxWorker::new(
        stores.outbox.clone(),
        stores.orders.clone(),
        stores.customers.clone(),
        sender,
        Arc::new(Renderer::new(settings())),
        clock,
        options,
    )
}

fn smtp(sink_url: &str) -> Arc<dyn EmailSender> {
    Arc::new(SmtpEmailSender::from_url(sink_url, StdDuration::from_secs(5)).unwrap())
}

#[test]
fn a_message_arrives_with_its_headers_and_both_bodies() {
    runtime().block_on(async {
        let Some(sink) = SmtpSink::start() else { return };
        let sender = smtp(&sink.url());
        let email = EmailMessage {
            message_id: "<msg_1@niteputter.example>".into(),
            from: settings().from,
            reply_to: settings().reply_to,
            to: Email::parse("ada@example.com").unwrap(),
            subject: "Ihre Bestellung ist unterwegs — ⛳ Grün".into(),
            text: "Plain text, ünïcode.".into(),
            html: "<p>HTML</p>".into(),
        };
        sender.send(&email).await.unwrap();
        let received = sink.messages();
        assert_eq!(received.len(), 1);
        let raw = &received[0];
        assert_eq!(header(raw, "Message-ID").as_deref(), Some("<msg_1@niteputter.example>"));
        assert_eq!(header(raw, "To").as_deref(), Some("ada@example.com"));
        assert_eq!(header(raw, "Reply-To").as_deref(), Some("help@niteputter.example"));
        assert!(header(raw, "From").unwrap().contains("orders@niteputter.example"));
        let subject = header(raw, "Subject").unwrap();
        assert!(
            subject.starts_with("Ihre Bestellung ist unterwegs =?utf-8?b?"),
            "RFC 2047 for the non-ASCII words: {subject}"
        );
        assert!(header(raw, "Content-Type").unwrap().starts_with("multipart/alternative"));
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
    });
}

#[test]
fn while_smtp_is_down_messages_wait_then_go_once() {
    runtime().block_on(async {
        let (_f, stores, order) = shop_with_order().await;
        let clock = Arc::new(FixedClock::at_noon());
        let Some(mut sink) = SmtpSink::start() else { return };
        let (port, maildir) = (sink.port, sink.maildir.clone());
        sink.stop();
        let w = worker(&stores, smtp(&sink.url()), clock.clone(), "w1");
        let pass = w.run_once().await.unwrap();
        assert_eq!((pass.sent, pass.retried, pass.dead), (0, 2, 0), "confirmation and shipping emails wait");
        assert_eq!(stores.outbox.outbox(Some(OutboxStatus::Pending), 10).await.unwrap().len(), 2);
        // Not due again yet.
        assert_eq!(w.run_once().await.unwrap().retried, 0);
        let _sink = SmtpSink::start_at(port, maildir.clone()).unwrap();
        clock.advance(Duration::minutes(1));
        let pass = w.run_once().await.unwrap();
        assert_eq!(pass.sent, 2);
        assert_eq!(w.run_once().await.unwrap().sent, 0, "nothing is sent twice");
        let received = read_maildir(&maildir);
        assert_eq!(received.len(), 2);
        assert!(received.iter().all(|m| header(m, "To").as_deref() == Some(order.email.as_str())));
    });
}

fn enqueue_many(n: usize) -> Vec<OutboxMessage> {
    (0..n)
        .map(|i| {
            OutboxMessage::new(
                MessageId::parse(&format!("msg_bulk{i}")).unwrap(),
                Email::parse(&format!("shopper{i}@example.com")).unwrap(),
                Notification::Delivered { order_id: OrderId::parse("ord_placeholder").unwrap() },
                &i.to_string(),
                time::OffsetDateTime::UNIX_EPOCH,
            )
        })
        .collect()
}

#[test]
fn two_workers_deliver_every_message_exactly_once() {
    runtime().block_on(async {
        let (_f, stores, order) = shop_with_order().await;
        let mut messages = enqueue_many(30);
        for m in &mut messages {
            m.notification = Notification::Delivered { order_id: order.id.clone() };
        }
        stores.outbox.enqueue(&messages).await.unwrap();
        let Some(sink) = SmtpSink::start() else { return };
        let clock = Arc::new(FixedClock::at_noon());
        let a = Arc::new(worker(&stores, smtp(&sink.url()), clock.clone(), "a"));
        let b = Arc::new(worker(&stores, smtp(&sink.url()), clock.clone(), "b"));
        let mut handles = Vec::new();
        for w in [a, b] {
            handles.push(tokio::spawn(async move {
                let mut sent = 0;
                for _ in 0..10 {
                    sent += w.run_once().await.unwrap().sent;
                }
                sent
            }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap();
        }
        assert_eq!(total, 32, "30 bulk messages and the order's two");
        let received = sink.messages();
        let mut ids: Vec<String> = received.iter().filter_map(|m| header(m, "Message-ID")).collect();
        ids.sort();
        let count = ids.len();
        ids.dedup();
        assert_eq!((count, ids.len()), (32, 32), "every message once, none twice");
    });
}

/// Sends, then hangs before the worker can mark the message sent: a process that dies mid-send.
struct SendsThenHangs(Arc<dyn EmailSender>);

#[async_trait::async_trait]
impl EmailSender for SendsThenHangs {
    fn name(&self) -> &'static str {
        "hangs"
    }

    async fn send(&self, message: &EmailMessage) -> nite_core::Result<()> {
        self.0.send(message).await?;
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[test]
fn a_crash_mid_send_costs_at_most_one_duplicate_with_the_same_message_id() {
    runtime().block_on(async {
        let (_f, stores, _order) = shop_with_order().await;
        let Some(sink) = SmtpSink::start() else { return };
        let clock = Arc::new(FixedClock::at_noon());
        let crashing = Arc::new(worker(&stores, Arc::new(SendsThenHangs(smtp(&sink.url()))), clock.clone(), "doomed"));
        let task = tokio::spawn(async move { crashing.run_once().await });
        // Wait (bounded) for the first message to reach the server, then kill the worker.
        for _ in 0..100 {
            if !sink.messages().is_empty() {
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        task.abort();
        assert_eq!(sink.messages().len(), 1);
        // Its lease runs out; another worker takes both messages over.
        let rescuer = worker(&stores, smtp(&sink.url()), clock.clone(), "rescuer");
        assert_eq!(rescuer.run_once().await.unwrap().sent, 0, "the lease still holds");
        clock.advance(Duration::seconds(61));
        assert_eq!(rescuer.run_once().await.unwrap().sent, 2);
        let received = sink.messages();
        let ids: Vec<String> = received.iter().filter_map(|m| header(m, "Message-ID")).collect();
        assert_eq!(ids.len(), 3, "one duplicate for one crash");
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 2, "the duplicate carries the same Message-ID: {ids:?}");
        assert_eq!(clock.now(), FixedClock::at_noon().now() + Duration::seconds(61));
    });
}
