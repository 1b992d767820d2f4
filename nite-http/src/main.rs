//! `niteputter`: the NitePutter reference shop.
//!
//! - `niteputter` or `niteputter serve [--bind ADDR] [--role all|http|worker]`: serves the shop (migrating and
//!   seeding first), with the outbox worker and the reservation sweeper unless the role is `http`, until SIGINT or
//!   SIGTERM.
//! - `niteputter backup FILE`: a consistent copy of a live SQLite shop (`VACUUM INTO`), taken while it sells.
//! - `niteputter healthcheck [--url URL]`: exits 0 if the server at `NITE_BIND` (or URL) answers `/healthz`, 1 if
//!   not (for container health checks: no curl needed).
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

/// The shop's allocator: mimalloc, whose per-thread free lists serve a request's many small, short-lived allocations
/// without the glibc allocator's locking and consolidation (see load_tests/README, "tenth step"). Built without
/// transparent huge pages (`no_thp`, which turns them off for the process): with them, each thread's first pages
/// came in 2 MiB and the idle shop took 44 MB instead of 32. mimalloc gives freed memory back when later
/// allocations give it occasion, so argon2's 19 MiB working buffers come from the system allocator instead
/// (`nite_shop::Argon2Passwords`), which unmaps a released one at once, busy or idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// What this process does: all (the default), http (requests only) or worker (background work only)
        /// (overrides NITE_ROLE).
        #[arg(long)]
        role: Option<String>,
    },
    /// Write a consistent copy of the live SQLite shop to FILE (a new file), while it keeps selling.
    Backup {
        /// Where the copy goes; it must not exist.
        file: PathBuf,
    },
    /// Exit 0 if the server answers `/healthz` (at NITE_BIND, or --url), 1 if not.
    Healthcheck {
        /// The URL to ask, such as http://127.0.0.1:8080/healthz.
        #[arg(long)]
        url: Option<String>,
    },
    /// Print the API's OpenAPI document (what `/api/v1/openapi.json` serves), for generating clients.
    Openapi,
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

/// Logs to stderr as the configuration says, and, with the `otel` feature and `NITE_OTLP_ENDPOINT`, exports the
/// same spans (a request's span and everything under it) over OTLP/HTTP. Returns the exporter's provider, to flush
/// at exit.
fn logging(config: &Config) -> anyhow::Result<Option<Telemetry>> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer().json().boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
    };
    let (otel, telemetry) = telemetry(config)?;
    // The filter is not per layer: what it turns off, neither the log nor the export sees.
    tracing_subscriber::registry().with(otel).with(fmt).with(filter).init();
    Ok(telemetry)
}

#[cfg(feature = "otel")]
type Telemetry = opentelemetry_sdk::trace::SdkTracerProvider;
#[cfg(not(feature = "otel"))]
type Telemetry = ();

type OtelLayer = Option<Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>>;

#[cfg(feature = "otel")]
fn telemetry(config: &Config) -> anyhow::Result<(OtelLayer, Option<Telemetry>)> {
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_otlp::WithExportConfig;
    use opentelemetry_otlp::WithHttpConfig;
    use tracing_subscriber::Layer;
    let Some(endpoint) = &config.otlp_endpoint else { return Ok((None, None)) };
    // The exporter's own client, with TLS set on it (ring, no roots: the endpoint is plain http://), so nothing
    // process-wide is needed; built on a thread of its own, as a blocking client must be outside the runtime.
    let client = std::thread::spawn(|| {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| anyhow::anyhow!("building the OTLP client panicked"))?
    .map_err(|e| anyhow::anyhow!("NITE_OTLP_ENDPOINT: building the OTLP client: {e}"))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .context("NITE_OTLP_ENDPOINT: building the OTLP exporter")?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("niteputter").build();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("niteputter")).boxed();
    Ok((Some(layer), Some(provider)))
}

#[cfg(not(feature = "otel"))]
fn telemetry(config: &Config) -> anyhow::Result<(OtelLayer, Option<Telemetry>)> {
    if config.otlp_endpoint.is_some() {
        anyhow::bail!("NITE_OTLP_ENDPOINT is set, but this niteputter was built without the `otel` feature");
    }
    Ok((None, None))
}

/// Sends the spans still batched (at exit).
fn flush(telemetry: Option<Telemetry>) {
    #[cfg(feature = "otel")]
    if let Some(provider) = telemetry
        && let Err(error) = provider.shutdown()
    {
        eprintln!("niteputter: exporting the last spans failed: {error}");
    }
    #[cfg(not(feature = "otel"))]
    let _ = telemetry;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { bind: None, role: None });
    if let Command::Openapi = command {
        println!("{}", nite_http::openapi().to_pretty_json()?);
        return Ok(());
    }
    let (bind, role) = match &command {
        Command::Serve { bind, role } => (bind.clone(), role.clone()),
        _ => (None, None),
    };
    let env = |key: &str| {
        let flag = match key {
            "NITE_BIND" => &bind,
            "NITE_ROLE" => &role,
            _ => &None,
        };
        flag.clone().or_else(|| std::env::var(key).ok())
    };
    let config = Config::load(cli.config.as_deref(), &env)?;
    if let Command::Healthcheck { url } = &command {
        let url = url.clone().unwrap_or_else(|| nite_http::health_url(config.bind));
        return match nite_http::healthcheck(&url, std::time::Duration::from_secs(3)).await {
            Ok(()) => Ok(()),
            Err(problem) => {
                eprintln!("niteputter healthcheck: {url}: {problem}");
                std::process::exit(1);
            }
        };
    }
    let telemetry = logging(&config)?;
    match command {
        Command::Serve { .. } => {
            let served = nite_http::serve(config).await;
            tokio::task::spawn_blocking(move || flush(telemetry)).await?;
            served
        }
        Command::Healthcheck { .. } | Command::Openapi => Ok(()),
        Command::Backup { file } => {
            let url = config.database_url.clone();
            let database = Database::connect(&url, 2).await.with_context(|| format!("opening {}", redact(&url)))?;
            database.backup_to(&file).await.with_context(|| format!("backing up to {}", file.display()))?;
            database.close().await;
            println!("niteputter: {} is backed up to {}", redact(&url), file.display());
            Ok(())
        }
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
