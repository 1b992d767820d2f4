//! `niteputter`: the NitePutter reference shop.
//!
//! - `niteputter` or `niteputter serve [--bind ADDR]`: serves the shop (migrating and seeding first), with the
//!   outbox worker and the reservation sweeper, until SIGINT or SIGTERM.
//! - `niteputter migrate`: applies the database migrations.
//! - `niteputter seed`: loads the NitePutter catalog, stock and promotions (stock only where none).
//!
//! Configuration: defaults, then `--config FILE` (or `NITE_CONFIG`), then `NITE_*` variables; see `config.rs`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use nite_http::config::{Config, LogFormat};
use nite_storage::{Database, redact};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "niteputter", version, about = "The NitePutter reference shop")]
struct Cli {
    /// A TOML configuration file.
    #[arg(long, env = "NITE_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the shop (the default).
    Serve {
        /// Where to listen (overrides NITE_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply database migrations.
    Migrate,
    /// Load the NitePutter catalog, stock and promotions.
    Seed,
    /// Open an administrator's account; the password is read from `NITE_ADMIN_PASSWORD` or the first line of stdin,
    /// never from the command line.
    CreateAdmin {
        /// The administrator's email.
        #[arg(long)]
        email: String,
        /// The administrator's name.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

fn logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { bind: None });
    let bind = match &command {
        Command::Serve { bind } => bind.clone(),
        _ => None,
    };
    let env = |key: &str| {
        if key == "NITE_BIND"
            && let Some(bind) = &bind
        {
            return Some(bind.clone());
        }
        std::env::var(key).ok()
    };
    let config = Config::load(cli.config.as_deref(), &env)?;
    logging(&config);
    match command {
        Command::Serve { .. } => nite_http::serve(config).await,
        Command::CreateAdmin { email, name } => {
            let password = match std::env::var("NITE_ADMIN_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let (shop, database) = nite_http::build_shop(&config).await?;
            let admin = shop.sessions.register_admin(&email, &name, &password).await.context("creating the admin")?;
            println!("niteputter: administrator {} ({}) created", admin.email, admin.id);
            database.close().await;
            Ok(())
        }
        Command::Migrate | Command::Seed => {
            let url = config.database_url.clone();
            let database = Database::connect(&url, 4).await.with_context(|| format!("opening {}", redact(&url)))?;
            database.migrate().await.context("migrating the database")?;
            if matches!(command, Command::Seed) {
                nite_core::seed::load(&database.stores()).await.context("seeding")?;
                println!("niteputter: {} is migrated and seeded", redact(&url));
            } else {
                println!("niteputter: {} is migrated", redact(&url));
            }
            database.close().await;
            Ok(())
        }
    }
}
