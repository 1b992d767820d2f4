//! Templates: every notification rendered to a subject, a plain-text body and an HTML body (HTML-escaped).

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use nite_core::customer::Customer;
use nite_core::email::{EmailMessage, Mailbox};
use nite_core::order::Order;
use nite_core::outbox::{Notification, OutboxMessage};
use nite_core::{Address, Error, Result};
use serde::Serialize;

/// What the templates say about the shop, and who the mail comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The sender.
    pub from: Mailbox,
    /// Where replies go, if not the sender.
    pub reply_to: Option<Mailbox>,
    /// The shop's name (`NitePutter`).
    pub shop_name: String,
    /// The storefront's URL, without a trailing slash.
    pub shop_url: String,
    /// Where customers write.
    pub support_email: String,
    /// The domain of `Message-ID`s (`<msg_…@domain>`).
    pub message_id_domain: String,
    /// How long a password-reset link works.
    pub reset_valid_minutes: u32,
}

/// Renders outbox messages into emails.
pub struct Renderer {
    env: Environment<'static>,
    settings: EmailSettings,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("order_lines.html", include_str!("../templates/order_lines.html")),
    ("order_lines.txt", include_str!("../templates/order_lines.txt")),
    ("order_confirmation.html", include_str!("../templates/order_confirmation.html")),
    ("order_confirmation.txt", include_str!("../templates/order_confirmation.txt")),
    ("shipping_notification.html", include_str!("../templates/shipping_notification.html")),
    ("shipping_notification.txt", include_str!("../templates/shipping_notification.txt")),
    ("delivered.html", include_str!("../templates/delivered.html")),
    ("delivered.txt", include_str!("../templates/delivered.txt")),
    ("order_cancelled.html", include_str!("../templates/order_cancelled.html")),
    ("order_cancelled.txt", include_str!("../templates/order_cancelled.txt")),
    ("refunded.html", include_str!("../templates/refunded.html")),
    ("refunded.txt", include_str!("../templates/refunded.txt")),
    ("welcome.html", include_str!("../templates/welcome.html")),
    ("welcome.txt", include_str!("../templates/welcome.txt")),
    ("password_reset.html", include_str!("../templates/password_reset.html")),
    ("password_reset.txt", include_str!("../templates/password_reset.txt")),
];

#[derive(Serialize)]
struct LineView {
    name: String,
    quantity: u32,
    unit_price: String,
    total: String,
}

#[derive(Serialize)]
struct OrderView {
    id: String,
    customer_name: String,
    lines: Vec<LineView>,
    subtotal: String,
    has_discount: bool,
    discount: String,
    shipping: String,
    tax: String,
    total: String,
    shipping_address: Vec<String>,
    billing_address: Vec<String>,
    billing_differs: bool,
    reason: Option<String>,
    refunded: Option<String>,
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.name.clone(), address.line1.clone()];
    lines.extend(address.line2.clone());
    let region = address.region.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
    lines.push(format!("{}{region} {}", address.city, address.postal_code));
    lines.push(address.country.to_string());
    lines
}

fn order_view(order: &Order) -> OrderView {
    let t = &order.totals;
    let shipping = t.shipping.checked_sub(t.shipping_discount).unwrap_or(t.shipping);
    let (reason, refunded) = match &order.status {
        nite_core::order::Status::Cancelled(c) => {
            (Some(c.reason.clone()), (!order.payment.refunded.is_zero()).then(|| order.payment.refunded.to_string()))
        }
        _ => (None, None),
    };
    OrderView {
        id: order.id.to_string(),
        customer_name: order.shipping_address.name.clone(),
        lines: order
            .lines
            .iter()
            .map(|l| LineView {
                name: l.name.clone(),
                quantity: l.quantity.get(),
                unit_price: l.unit_price.to_string(),
                total: l.total.to_string(),
            })
            .collect(),
        subtotal: t.subtotal.to_string(),
        has_discount: !t.discount.is_zero(),
        discount: t.discount.to_string(),
        shipping: shipping.to_string(),
        tax: t.tax.to_string(),
        total: t.total.to_string(),
        shipping_address: address_lines(&order.shipping_address),
        billing_address: address_lines(&order.billing_address),
        billing_differs: order.billing_address != order.shipping_address,
        reason,
        refunded,
    }
}

/// The carrier's public tracking page for a number, for the carriers nite knows.
pub fn tracking_url(carrier: &str, tracking_number: &str) -> Option<String> {
    let number: String = tracking_number.chars().filter(char::is_ascii_alphanumeric).collect();
    let url = match carrier.to_ascii_lowercase().as_str() {
        "usps" => format!("https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
        "ups" => format!("https://www.ups.com/track?tracknum={number}"),
        "fedex" => format!("https://www.fedex.com/fedextrack/?trknbr={number}"),
        "dhl" => format!("https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"),
        "canada post" => format!("https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}"),
        _ => return None,
    };
    Some(url)
}

fn render_error(e: minijinja::Error) -> Error {
    Error::EmailRejected(format!("template: {e:#}"))
}

impl Renderer {
    /// A renderer with the built-in templates.
    pub fn new(settings: EmailSettings) -> Renderer {
        let mut env = Environment::new();
        // Text bodies end with a newline, and an included block keeps the one that ends it.
        let syntax = minijinja::syntax::SyntaxConfig::builder().keep_trailing_newline(true).build();
        env.set_syntax(syntax.expect("the default syntax with trailing newlines kept is valid"));
        for (name, source) in TEMPLATES {
            // The templates ship with the crate; a test renders every one of them.
            env.add_template(name, source).expect("the built-in templates parse");
        }
        Renderer { env, settings }
    }

    /// The settings.
    pub fn settings(&self) -> &EmailSettings {
        &self.settings
    }

    /// Renders `message`; `order` and `customer` are what its notification names (loaded by the caller).
    /// A notification whose subject is missing is `EmailRejected`: retrying cannot help.
    pub fn render(
        &self,
        message: &OutboxMessage,
        order: Option<&Order>,
        customer: Option<&Customer>,
    ) -> Result<EmailMessage> {
        let s = &self.settings;
        let shop = context! { name => &s.shop_name, url => &s.shop_url, support_email => &s.support_email };
        let need_order = || order.ok_or_else(|| Error::EmailRejected("the message's order no longer exists".into()));
        let need_customer =
            || customer.ok_or_else(|| Error::EmailRejected("the message's customer no longer exists".into()));
        let name = |c: &Customer| c.name.clone();
        let (kind, subject, ctx): (&str, String, Value) = match &message.notification {
            Notification::OrderConfirmation { .. } => {
                let order = need_order()?;
                let subject = format!("Your {} order {} is confirmed", s.shop_name, order.id);
                ("order_confirmation", subject, context! { order => Value::from(Serde(order_view(order))) })
            }
            Notification::ShippingNotification { .. } => {
                let order = need_order()?;
                let shipment = order.status.shipment().map(|sh| {
                    context! {
                        carrier => &sh.carrier,
                        tracking_number => &sh.tracking_number,
                        tracking_url => tracking_url(&sh.carrier, &sh.tracking_number),
                    }
                });
                let subject = format!("Your {} order {} has shipped", s.shop_name, order.id);
                let ctx = context! { order => Value::from(Serde(order_view(order))), shipment => shipment };
                ("shipping_notification", subject, ctx)
            }
            Notification::Delivered { .. } => {
                let order = need_order()?;
                let subject = format!("Your {} order {} was delivered", s.shop_name, order.id);
                ("delivered", subject, context! { order => Value::from(Serde(order_view(order))) })
            }
            Notification::OrderCancelled { .. } => {
                let order = need_order()?;
                let subject = format!("Your {} order {} was cancelled", s.shop_name, order.id);
                ("order_cancelled", subject, context! { order => Value::from(Serde(order_view(order))) })
            }
            Notification::Refunded { amount, .. } => {
                let order = need_order()?;
                let subject = format!("Refund of {amount} for your {} order {}", s.shop_name, order.id);
                let ctx = context! {
                    order => Value::from(Serde(order_view(order))),
                    refund => context! { amount => amount.to_string() },
                };
                ("refunded", subject, ctx)
            }
            Notification::Welcome { .. } => {
                let customer = need_customer()?;
                (
                    "welcome",
                    format!("Welcome to {}", s.shop_name),
                    context! { customer => context! { name => name(customer) } },
                )
            }
            Notification::PasswordReset { token, .. } => {
                let customer = need_customer()?;
                let reset = context! {
                    url => format!("{}/reset-password?token={token}", s.shop_url),
                    valid_minutes => s.reset_valid_minutes,
                };
                let ctx = context! { customer => context! { name => name(customer) }, reset => reset };
                ("password_reset", format!("Reset your {} password", s.shop_name), ctx)
            }
        };
        let ctx = context! { shop => shop, subject => &subject, ..ctx };
        let render = |suffix: &str| {
            self.env.get_template(&format!("{kind}.{suffix}")).and_then(|t| t.render(&ctx)).map_err(render_error)
        };
        Ok(EmailMessage {
            message_id: format!("<{}@{}>", message.id, s.message_id_domain),
            from: s.from.clone(),
            reply_to: s.reply_to.clone(),
            to: message.to.clone(),
            subject,
            text: render("txt")?,
            html: render("html")?,
        })
    }
}
