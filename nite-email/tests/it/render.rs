//! Every template rendered with realistic data: subjects, text bodies (snapshots), and HTML that escapes what it
//! shows.

use expect_test::expect;
use nite_core::customer::{Customer, Role};
use nite_core::outbox::{Notification, OutboxMessage};
use nite_core::{CustomerId, Email, MessageId, Money};
use nite_email::{Renderer, tracking_url};

use crate::harness::{settings, shop_with_order};

fn message(notification: Notification) -> OutboxMessage {
    OutboxMessage::new(
        MessageId::parse("msg_7").unwrap(),
        Email::parse("ada@example.com").unwrap(),
        notification,
        "s",
        time::OffsetDateTime::UNIX_EPOCH,
    )
}

#[test]
fn order_emails_show_lines_totals_addresses_and_tracking() {
    futures::executor::block_on(async {
        let (_f, _stores, order) = shop_with_order().await;
        let renderer = Renderer::new(settings());
        let confirmation = renderer
            .render(&message(Notification::OrderConfirmation { order_id: order.id.clone() }), Some(&order), None)
            .unwrap();
        assert_eq!(confirmation.subject, format!("Your NitePutter order {} is confirmed", order.id));
        assert_eq!(confirmation.message_id, "<msg_7@niteputter.example>");
        let text = confirmation.text.replace(order.id.as_str(), "ORDER");
        expect![[r#"
            Hi Ada Lovelace,

            Thank you for your order ORDER. We are getting it ready.

              2 × NitePutter Pro (Green) @ 89.99 USD = 173.72 USD
              1 × NitePutter Basic (Green) @ 49.99 USD = 0.00 USD

            Subtotal: 229.97 USD
            Discount: -67.99 USD
            Shipping: 0.00 USD
            Tax:      11.74 USD
            Total:    173.72 USD

            Shipping to:
              Ada Lovelace
              1 Market St
              San Francisco CA 94105
              US

            NitePutter · https://niteputter.example
        "#]]
        .assert_eq(&text);
        assert!(confirmation.html.contains("<strong>Total: 173.72 USD</strong>"));
        expect![[r#"
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Your NitePutter order ORDER is confirmed</title></head>
            <body style="font-family: Helvetica, Arial, sans-serif; color: #1b1b1b; max-width: 600px; margin: 0 auto;">
            <h1 style="font-size: 20px;">NitePutter</h1>

            <p>Hi Ada Lovelace, thank you for your order <strong>ORDER</strong>. We are getting it ready.</p>
            <table style="width: 100%; border-collapse: collapse;">
            <tr><th align="left">Item</th><th align="right">Qty</th><th align="right">Price</th><th align="right">Total</th></tr>
            <tr><td>NitePutter Pro (Green)</td><td align="right">2</td><td align="right">89.99 USD</td><td align="right">173.72 USD</td></tr>
            <tr><td>NitePutter Basic (Green)</td><td align="right">1</td><td align="right">49.99 USD</td><td align="right">0.00 USD</td></tr>
            </table>
            <p>Subtotal: 229.97 USD<br>
            Discount: −67.99 USD<br>
            Shipping: 0.00 USD<br>
            Tax: 11.74 USD<br>
            <strong>Total: 173.72 USD</strong></p>

            <p>Shipping to:<br>Ada Lovelace<br>1 Market St<br>San Francisco CA 94105<br>US<br></p>


            <p style="color: #666; font-size: 12px;">NitePutter · <a href="https:&#x2f;&#x2f;niteputter.example">https:&#x2f;&#x2f;niteputter.example</a> · Questions? Write to <a href="mailto:help@niteputter.example">help@niteputter.example</a>.</p>
            </body>
            </html>
        "#]].assert_eq(&confirmation.html.replace(order.id.as_str(), "ORDER"));
        assert!(confirmation.html.contains("NitePutter Pro (Green)"));

        let shipped = renderer
            .render(&message(Notification::ShippingNotification { order_id: order.id.clone() }), Some(&order), None)
            .unwrap();
        assert_eq!(shipped.subject, format!("Your NitePutter order {} has shipped", order.id));
        let url = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000";
        assert!(shipped.text.contains(&format!("Track it: {url}")), "{}", shipped.text);
        assert!(shipped.text.contains("Tracking number: 9400 1000 0000 0000 0000 00"));
        // In HTML the link is escaped as all interpolated text is (`/` becomes `&#x2f;`, which browsers decode).
        let escaped = url.replace('/', "&#x2f;");
        assert!(shipped.html.contains(&format!("<a href=\"{escaped}\">track your parcel</a>")), "{}", shipped.html);

        for (notification, subject) in [
            (Notification::Delivered { order_id: order.id.clone() }, "was delivered"),
            (Notification::OrderCancelled { order_id: order.id.clone() }, "was cancelled"),
            (
                Notification::Refunded {
                    order_id: order.id.clone(),
                    amount: Money::from_minor(1000, nite_core::Currency::USD),
                },
                "Refund of 10.00 USD",
            ),
        ] {
            let email = renderer.render(&message(notification), Some(&order), None).unwrap();
            assert!(email.subject.contains(subject), "{}", email.subject);
            assert!(email.text.contains(order.id.as_str()) && email.html.contains(order.id.as_str()));
            assert!(!email.text.is_empty() && email.html.starts_with("<!doctype html>"));
        }
        // An email about an order that no longer exists is given up on, not retried forever.
        assert!(matches!(
            renderer.render(&message(Notification::Delivered { order_id: order.id.clone() }), None, None),
            Err(nite_core::Error::EmailRejected(_))
        ));
    });
}

#[test]
fn account_emails_escape_what_customers_typed() {
    let renderer = Renderer::new(settings());
    let customer = Customer {
        id: CustomerId::parse("cus_1").unwrap(),
        email: Email::parse("ada@example.com").unwrap(),
        name: "Ada <script>alert(1)</script> & Co".into(),
        role: Role::Customer,
        group: None,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
    };
    let welcome = renderer
        .render(&message(Notification::Welcome { customer_id: customer.id.clone() }), None, Some(&customer))
        .unwrap();
    assert_eq!(welcome.subject, "Welcome to NitePutter");
    assert!(welcome.html.contains("Ada &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Co"), "{}", welcome.html);
    assert!(!welcome.html.contains("<script>"));
    expect![[r#"
        Welcome, Ada <script>alert(1)</script> & Co!

        Your NitePutter account is ready. Light up your green: https://niteputter.example/products

        NitePutter · https://niteputter.example
    "#]]
    .assert_eq(&welcome.text);
    let reset = renderer
        .render(
            &message(Notification::PasswordReset { customer_id: customer.id.clone(), token: "tok123".into() }),
            None,
            Some(&customer),
        )
        .unwrap();
    assert!(reset.text.contains("https://niteputter.example/reset-password?token=tok123"));
    assert!(reset.text.contains("for 30 minutes"));
}

#[test]
fn tracking_links_for_known_carriers() {
    assert_eq!(tracking_url("UPS", "1Z 999").as_deref(), Some("https://www.ups.com/track?tracknum=1Z999"));
    assert!(tracking_url("FedEx", "1234").is_some());
    assert_eq!(tracking_url("Pigeon", "1"), None);
}

/// Every template's text body, recorded: a change to any of them shows here first.
#[test]
fn every_text_body_snapshot() {
    futures::executor::block_on(async {
        let (f, stores, shipped) = shop_with_order().await;
        let renderer = Renderer::new(settings());
        let admin = nite_core::services::Viewer::admin(CustomerId::parse("cus_admin").unwrap());
        let delivered = f.fulfilment.deliver(&shipped.id, &admin).await.unwrap();
        let ten = Money::from_minor(1000, nite_core::Currency::USD);
        let refunded = f.fulfilment.refund(&shipped.id, &admin, ten.amount(), "scuffed lens").await.unwrap();
        // A second order, cancelled before payment.
        let cart = f.ready_cart(&[("NP-COMPLETE", 1)], &[]).await;
        let placed = f.checkout.checkout(&cart, &nite_core::services::Viewer::guest(), None).await.unwrap();
        let cancelled = f.fulfilment.cancel(&placed.order.id, &admin, "out of stock at the warehouse").await.unwrap();
        let customer = Customer {
            id: CustomerId::parse("cus_1").unwrap(),
            email: Email::parse("ada@example.com").unwrap(),
            name: "Ada".into(),
            role: Role::Customer,
            group: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let _ = stores;
        let text = |n: Notification, order: Option<&nite_core::order::Order>, c: Option<&Customer>| {
            let email = renderer.render(&message(n), order, c).unwrap();
            let mut out = format!("Subject: {}\n\n{}", email.subject, email.text);
            for o in [&shipped, &cancelled] {
                out = out.replace(o.id.as_str(), "ORDER");
            }
            out
        };
        expect![[r#"
            Subject: Your NitePutter order ORDER has shipped

            Hi Ada Lovelace,

            Your order ORDER is on its way with USPS.
            Tracking number: 9400 1000 0000 0000 0000 00
            Track it: https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000

              2 × NitePutter Pro (Green) @ 89.99 USD = 173.72 USD
              1 × NitePutter Basic (Green) @ 49.99 USD = 0.00 USD

            Subtotal: 229.97 USD
            Discount: -67.99 USD
            Shipping: 0.00 USD
            Tax:      11.74 USD
            Total:    173.72 USD

            NitePutter · https://niteputter.example
        "#]]
        .assert_eq(&text(Notification::ShippingNotification { order_id: shipped.id.clone() }, Some(&shipped), None));
        expect![[r#"
            Subject: Your NitePutter order ORDER was delivered

            Hi Ada Lovelace,

            Your order ORDER has been delivered. Enjoy putting after dark!

            Tell other golfers what you think: https://niteputter.example/account/orders/ORDER

            NitePutter · https://niteputter.example
        "#]]
        .assert_eq(&text(Notification::Delivered { order_id: shipped.id.clone() }, Some(&delivered), None));
        expect![[r#"
            Subject: Refund of 10.00 USD for your NitePutter order ORDER

            Hi Ada Lovelace,

            We refunded 10.00 USD for your order ORDER. It reaches your original payment method within a few days.

            NitePutter · https://niteputter.example
        "#]]
        .assert_eq(&text(Notification::Refunded { order_id: shipped.id.clone(), amount: ten }, Some(&refunded), None));
        expect![[r#"
            Subject: Your NitePutter order ORDER was cancelled

            Hi Ada Lovelace,

            Your order ORDER has been cancelled: out of stock at the warehouse.

            NitePutter · https://niteputter.example
        "#]]
        .assert_eq(&text(Notification::OrderCancelled { order_id: cancelled.id.clone() }, Some(&cancelled), None));
        expect![[r#"
            Subject: Reset your NitePutter password

            Hi Ada,

            Someone asked to reset your password. If it was you, choose a new one here (the link works once, for 30 minutes):

            https://niteputter.example/reset-password?token=tok123

            If it was not you, ignore this email: your password stays as it is.

            NitePutter · https://niteputter.example
        "#]].assert_eq(&text(
            Notification::PasswordReset { customer_id: customer.id.clone(), token: "tok123".into() },
            None,
            Some(&customer),
        ));
    });
}
