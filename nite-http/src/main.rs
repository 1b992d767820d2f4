//! `niteputter`: the NitePutter reference shop's operator binary.
//!
//! - `niteputter migrate`: applies the database migrations.
//! - `niteputter seed`: migrates, then loads the NitePutter catalog, stock and promotions (stock only where none).
//! - `niteputter` or `niteputter serve`: migrates and seeds, then (until the HTTP server lands) prices the demo cart
//!   through the real cart service over the database, with table-rate shipping, and prints it as the cart endpoint
//!   will return it.
//!
//! The database is `NITE_DATABASE_URL` (or `--database-url`): a SQLite file in the working folder by default,
//! `postgres://…` for PostgreSQL.

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use nite_core::catalog::Sku;
use nite_core::payment::TestPaymentProvider;
use nite_core::services::{CartService, ShopContext, ShopSettings, Viewer};
use nite_core::{Address, RandomIds, SystemClock, seed};
use nite_shipping::TableRates;
use nite_storage::{Database, redact};

#[derive(Parser)]
#[command(name = "niteputter", version, about = "The NitePutter reference shop")]
struct Cli {
    /// The database: `sqlite://file.db` or `postgres://user:password@host/database`.
    #[arg(long, env = "NITE_DATABASE_URL", default_value = "sqlite://niteputter.db", global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the shop (the default).
    Serve,
    /// Apply database migrations.
    Migrate,
    /// Load the NitePutter catalog, stock and promotions.
    Seed,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let url = cli.database_url.clone();
    let database = Database::connect(&url, 8).await.with_context(|| format!("opening {}", redact(&url)))?;
    database.migrate().await.context("migrating the database")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => println!("niteputter: {} is migrated", redact(&url)),
        Command::Seed => {
            seed::load(&database.stores()).await.context("seeding")?;
            println!("niteputter: {} is seeded with the NitePutter catalog", redact(&url));
        }
        Command::Serve => {
            seed::load(&database.stores()).await.context("seeding")?;
            demo(&database).await?;
        }
    }
    database.close().await;
    Ok(())
}

/// Prices the demo cart (two Pro lights and a Basic, NITE10, shipping to California) through the cart service.
async fn demo(database: &Database) -> anyhow::Result<()> {
    let settings = ShopSettings { tax_rules: seed::niteputter().tax_rules, ..ShopSettings::default() };
    let ids = Arc::new(RandomIds);
    let ctx = ShopContext {
        stores: database.stores(),
        payments: Arc::new(TestPaymentProvider::new(ids.clone())),
        shipping: Arc::new(TableRates::niteputter()),
        clock: Arc::new(SystemClock),
        ids,
        settings: Arc::new(settings),
    };
    let carts = CartService::new(ctx);
    let guest = Viewer::guest();
    let cart = carts.create(&guest, None).await?.cart.id;
    carts.add_item(&cart, &guest, &Sku::new("NP-PRO-GRN")?, 2).await?;
    carts.add_item(&cart, &guest, &Sku::new("NP-BASIC-GRN")?, 1).await?;
    carts.add_code(&cart, &guest, "NITE10").await?;
    let address = Address {
        name: "Demo Shopper".into(),
        line1: "1 Market St".into(),
        line2: None,
        city: "San Francisco".into(),
        region: Some("CA".into()),
        postal_code: "94105".into(),
        country: nite_core::tax::CountryCode::new("US")?,
        phone: None,
    };
    carts.set_addresses(&cart, &guest, "demo@example.com", address, None).await?;
    let standard = carts.shipping_options(&cart, &guest).await?.into_iter().next().context("a shipping rate")?;
    let view = carts.choose_shipping(&cart, &guest, &standard.id).await?;
    println!(
        "niteputter {}: the HTTP server is not built yet; the demo cart {} prices as:",
        env!("CARGO_PKG_VERSION"),
        view.cart.id
    );
    println!("{}", serde_json::to_string_pretty(&view.priced)?);
    Ok(())
}
