//! Project automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask ci`: everything CI checks, in order, stopping at the first failure: formatting, clippy on every
//!   target with warnings denied, each feature set on its own, every example, the binary, schemathesis against the
//!   served OpenAPI document (`scripts/fuzz-api`), the deployment files (hadolint, check-jsonschema), `cargo package` of every library crate, the doc tests, then every test (nextest when installed, else
//!   `cargo test`). The tidy checks (`src/tidy.rs`) run as ordinary tests of this crate.
//! - `cargo xtask bench`: the criterion benchmarks.
//!
//! `./scripts/test` installs what the tests need and then runs `cargo xtask ci`.

#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("ci") => ci(),
        Some("bench") => step("benchmarks", cargo(&["bench", "-p", "nite-benches"])),
        _ => {
            eprintln!("usage: cargo xtask <ci|bench>");
            bail!("unknown task {task:?}");
        }
    }
}

fn ci() -> anyhow::Result<()> {
    let started = Instant::now();
    step("format", cargo(&["fmt", "--all", "--", "--check"]))?;
    step(
        "clippy",
        cargo(&["clippy", "--workspace", "--all-targets", "--all-features", "--locked", "--", "-D", "warnings"]),
    )?;
    // Each feature on its own must build too (the full set is what clippy and the tests use).
    for (package, features) in FEATURE_SETS {
        let mut args = vec!["check", "--locked", "-p", package, "--no-default-features"];
        if !features.is_empty() {
            args.extend(["--features", features]);
        }
        step(&format!("check {package} [{features}]"), cargo(&args))?;
    }
    for example in examples()? {
        step(&format!("example {example}"), cargo(&["run", "--quiet", "-p", "nite-examples", "--example", &example]))?;
    }
    // Checkout in a plain binary whose dependency tree holds no web crate (a tidy test reads `cargo tree`).
    step("example embedded-checkout", cargo(&["run", "--quiet", "-p", "embedded-checkout"]))?;
    let mut binary = cargo(&["run", "--quiet", "-p", "nite-http", "--", "seed"]);
    binary.env("NITE_DATABASE_URL", format!("sqlite://{}", root().join("target/niteputter-ci.db").display()));
    step("the niteputter binary (seed)", binary)?;
    // The binary the seed step built, fuzzed through its own OpenAPI document (scripts/fuzz-api says how).
    let mut fuzz = Command::new(root().join("scripts/fuzz-api"));
    fuzz.arg(root().join("target/debug/niteputter")).current_dir(root());
    step("API fuzzing (schemathesis)", fuzz)?;
    web(&root().join("target/debug/niteputter"))?;
    // The deployment files, linted offline (no container engine runs here): hadolint for the Dockerfile, and the
    // compose file and the workflow against their published JSON schemas.
    let mut hadolint = Command::new("hadolint");
    hadolint.args(["--failure-threshold", "warning", "Dockerfile"]).current_dir(root());
    step("Dockerfile (hadolint)", hadolint)?;
    for (schema, file) in
        [("vendor.compose-spec", "compose.yaml"), ("vendor.github-workflows", ".github/workflows/ci.yml")]
    {
        let mut check = Command::new("check-jsonschema");
        check.args(["--builtin-schema", schema, file]).current_dir(root());
        step(&format!("{file} (check-jsonschema {schema})"), check)?;
    }
    // Every library crate packages as crates.io would take it, and the packaged sources build on their own
    // (`cargo package` verifies each, with its sibling crates from the packages it just made).
    forget_unpacked_packages()?;
    step(
        "package the library crates",
        cargo(&[
            "package",
            "--workspace",
            "--locked",
            "--allow-dirty",
            "--exclude",
            "xtask",
            "--exclude",
            "nite-examples",
            "--exclude",
            "embedded-checkout",
            "--exclude",
            "nite-benches",
            "--exclude",
            "nite-load",
        ]),
    )?;
    step("doc tests", cargo(&["test", "--workspace", "--all-features", "--doc", "--locked"]))?;
    // Last, so that the log closes on the summary of the whole test run.
    if has_nextest() {
        step(
            "tests (nextest)",
            cargo(&["nextest", "run", "--workspace", "--all-targets", "--all-features", "--locked", "--no-fail-fast"]),
        )?;
    } else {
        step(
            "tests",
            cargo(&["test", "--workspace", "--all-targets", "--all-features", "--locked", "--no-fail-fast"]),
        )?;
    }
    eprintln!("xtask ci: every step passed in {:.0?}", started.elapsed());
    Ok(())
}

/// The browser side (`web/`, installed by `scripts/test` with `npm ci`): the generated client matches the API the
/// binary serves, types and lints are clean, the unit tests pass, a rebuild reproduces the committed assets, and
/// the browser tests pass against `binary` in Debian's Chromium.
fn web(binary: &Path) -> anyhow::Result<()> {
    let web = root().join("web");
    let npm = |args: &[&str]| {
        let mut command = Command::new("npm");
        command.args(args).current_dir(&web);
        command
    };
    let client = web.join("client");
    let before = snapshot(&client)?;
    let document = Command::new(binary).arg("openapi").output().context("running niteputter openapi")?;
    if !document.status.success() {
        bail!("niteputter openapi failed");
    }
    std::fs::write(client.join("openapi.json"), &document.stdout).context("writing web/client/openapi.json")?;
    step("web: generate the client's types", npm(&["run", "--silent", "generate"]))?;
    unchanged("web/client (the OpenAPI document and the types generated from it)", &before, &snapshot(&client)?)?;
    step("web: typecheck (tsc, strict)", npm(&["run", "--silent", "typecheck"]))?;
    step("web: lint (eslint)", npm(&["run", "--silent", "lint"]))?;
    step("web: unit and component tests (vitest)", npm(&["test", "--silent"]))?;
    let assets = root().join("nite-http/assets");
    let before = snapshot(&assets)?;
    step("web: build (vite)", npm(&["run", "--silent", "build"]))?;
    unchanged("nite-http/assets (the built storefront and dashboard)", &before, &snapshot(&assets)?)?;
    let mut browser = npm(&["run", "--silent", "e2e"]);
    browser.env("NITE_BINARY", binary);
    step("web: browser tests (Playwright, Chromium)", browser)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> anyhow::Result<std::collections::BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).with_context(|| format!("reading {}", at.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "node_modules") {
                    pending.push(path);
                }
            } else {
                let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                files.insert(path.strip_prefix(dir).unwrap_or(&path).to_path_buf(), bytes);
            }
        }
    }
    Ok(files)
}

/// Fails, naming the files, when a regeneration changed what is committed.
fn unchanged(
    what: &str,
    before: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    after: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
) -> anyhow::Result<()> {
    let changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| path.display().to_string())
        .collect();
    if changed.is_empty() {
        eprintln!("<== {what}: as committed");
        return Ok(());
    }
    bail!("{what} differ from a fresh build: {}; rebuild (see web/README.md) and commit the result", changed.join(", "))
}

/// The crates `cargo package` verifies against each other.
pub(crate) const PACKAGED: &[&str] = &[
    "nite-core",
    "nite-email",
    "nite-payments",
    "nite-shipping",
    "nite-storage",
    "nite-webhooks",
    "nite-shop",
    "nite-http",
];

/// Removes cargo's unpacked copies of our own packages from `CARGO_HOME/registry/src`. `cargo package` verifies a
/// crate against its siblings' fresh packages through a local registry, but unpacks each name and version there only
/// once and reuses the copy afterwards: without this, a sibling changed since an earlier run (same version) is
/// verified against its old sources. Only our crates' folders are touched; cargo unpacks them again.
fn forget_unpacked_packages() -> anyhow::Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(sources) = home.map(|h| h.join("registry/src")) else { return Ok(()) };
    let Ok(registries) = std::fs::read_dir(&sources) else { return Ok(()) };
    for registry in registries.flatten() {
        let Ok(unpacked) = std::fs::read_dir(registry.path()) else { continue };
        for entry in unpacked.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = PACKAGED.iter().any(|crate_name| {
                name.strip_prefix(crate_name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
            });
            if ours {
                std::fs::remove_dir_all(entry.path())
                    .with_context(|| format!("removing {}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Feature sets checked on their own: `(package, features)`, each with default features off.
const FEATURE_SETS: &[(&str, &str)] = &[
    ("nite-core", ""),
    ("nite-core", "openapi"),
    ("nite-storage", "sqlite"),
    ("nite-storage", "postgres"),
    ("nite-email", ""),
    ("nite-email", "smtp"),
    ("nite-email", "postmark"),
    ("nite-shipping", ""),
    ("nite-shipping", "easypost"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.args(args).current_dir(root());
    command
}

fn step(name: &str, mut command: Command) -> anyhow::Result<()> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let status = command.status().with_context(|| format!("starting {name}"))?;
    eprintln!("<== {name}: {} in {:.1?}", if status.success() { "ok" } else { "FAILED" }, started.elapsed());
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn has_nextest() -> bool {
    cargo(&["nextest", "--version"]).output().is_ok_and(|out| out.status.success())
}

/// The examples of `nite-examples`, from its manifest.
fn examples() -> anyhow::Result<Vec<String>> {
    let manifest =
        std::fs::read_to_string(root().join("examples/Cargo.toml")).context("reading examples/Cargo.toml")?;
    Ok(manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "nite-examples")
        .map(str::to_owned)
        .collect())
}
