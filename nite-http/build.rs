//! Rebuilds the crate when the storefront's built files change: they are embedded (rust-embed) at compile time,
//! and a Vite rebuild renames its hashed files, which cargo would not notice on its own.

fn main() {
    println!("cargo:rerun-if-changed=assets");
}
