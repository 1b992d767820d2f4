//! The file sender: one `.eml` per `Message-ID`, complete MIME, written once.

use nite_core::Email;
use nite_core::email::{EmailMessage, EmailSender};
use nite_email::FileEmailSender;

use crate::harness::{header, settings};

#[test]
fn each_message_is_one_complete_eml_file() {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sender = FileEmailSender::new(dir.path().join("outbox-mail")).unwrap();
        let email = EmailMessage {
            message_id: "<msg_9@niteputter.example>".into(),
            from: settings().from,
            reply_to: None,
            to: Email::parse("ada@example.com").unwrap(),
            subject: "Your order".into(),
            text: "text".into(),
            html: "<p>html</p>".into(),
        };
        sender.send(&email).await.unwrap();
        sender.send(&email).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(sender.dir()).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(files, vec![sender.path_of(&email.message_id)], "one file, written once, no partial left");
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(header(&raw, "Message-ID").as_deref(), Some("<msg_9@niteputter.example>"));
        assert_eq!(header(&raw, "Subject").as_deref(), Some("Your order"));
        assert!(raw.contains("multipart/alternative") && raw.contains("<p>html</p>"));
    });
}
