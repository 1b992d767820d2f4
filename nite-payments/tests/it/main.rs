//! nite-payments' integration tests: the Stripe adapter against a local fake that speaks Stripe's wire format, the
//! payment contract for both providers, and webhook signatures checked against Stripe's own library.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod events;
mod fake_stripe;
mod journey;
mod stripe;
mod webhooks;
