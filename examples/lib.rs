//! Runnable examples of nite's public API: `cargo run -p nite-examples --example NAME`.
//!
//! - `price_cart`: prices a NitePutter cart with promotions, tax and shipping, and prints it as a receipt.
