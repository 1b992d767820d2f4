//! nite-core's integration tests: the public API only, one binary.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

mod contract;
mod fixture;
mod pricing_examples;
mod pricing_properties;
mod promotions;
mod services;
