//! Tidy checks: the architecture's invariants, checked as tests (after rust-analyzer's `xtask/src/tidy.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Crates that do I/O or run async machinery; nite-core must not pull in any of them, even indirectly.
const IO_CRATES: &[&str] =
    &["tokio", "mio", "sqlx", "reqwest", "hyper", "axum", "tower", "lettre", "async-stripe", "rustls", "openssl"];

const ADAPTERS: &[&str] = &["nite-storage", "nite-payments", "nite-shipping", "nite-email", "nite-webhooks"];

/// Crates that serve or speak HTTP; the composed shop, and checkout embedded with it, must pull in none of them.
const WEB_CRATES: &[&str] =
    &["axum", "hyper", "tower", "reqwest", "http", "h2", "actix-web", "warp", "tonic", "utoipa", "async-stripe"];

/// The crates `package` depends on, directly or not (normal and build dependencies, default features).
fn dependency_tree(package: &str) -> Vec<String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["tree", "-p", package, "-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split_whitespace().next().unwrap_or_default().to_owned())
        .collect()
}

fn is_one_of(name: &str, crates: &[&str]) -> bool {
    crates.iter().any(|c| name == *c || name.starts_with(&format!("{c}-")))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn workspace_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for member in [
        "nite-core",
        "nite-storage",
        "nite-payments",
        "nite-shipping",
        "nite-email",
        "nite-webhooks",
        "nite-shop",
        "nite-http",
        "examples",
        "benches",
        "xtask",
    ] {
        rust_files(&root().join(member), &mut files);
    }
    assert!(files.len() > 20, "found only {} Rust files: is the root right?", files.len());
    files
}

#[test]
fn nite_core_depends_on_no_io_crate() {
    let tree = dependency_tree("nite-core");
    let offenders: Vec<&String> = tree.iter().filter(|name| is_one_of(name, IO_CRATES)).collect();
    assert!(offenders.is_empty(), "nite-core must stay free of I/O, but depends on {offenders:?}");
    assert!(tree.iter().any(|name| name == "rust_decimal"), "unexpected `cargo tree` output: {tree:?}");
}

/// The shop without HTTP: nite-shop, and the example that embeds checkout with it over SQLite, depend on no crate
/// that serves or speaks HTTP.
#[test]
fn the_shop_and_embedded_checkout_depend_on_no_web_crate() {
    for package in ["nite-shop", "embedded-checkout"] {
        let tree = dependency_tree(package);
        let offenders: Vec<&String> = tree.iter().filter(|name| is_one_of(name, WEB_CRATES)).collect();
        assert!(offenders.is_empty(), "{package} must need no web crate, but depends on {offenders:?}");
        assert!(tree.iter().any(|name| name == "nite-core"), "unexpected `cargo tree` output: {tree:?}");
    }
    assert!(dependency_tree("embedded-checkout").iter().any(|name| name == "sqlx"), "it embeds a real database");
}

/// Each workspace crate and the workspace crates it depends on (any kind: normal, dev, build), from
/// `cargo metadata`, so renamed, optional or target-specific dependencies are seen as cargo sees them.
fn workspace_dependencies() -> Vec<(String, Vec<String>)> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let members: Vec<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    packages
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_owned();
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap())
                .filter(|d| members.contains(d) && *d != name)
                .map(str::to_owned)
                .collect();
            (name, deps)
        })
        .collect()
}

/// `cargo package` verifies each crate against its siblings' unpacked packages, which the test command removes
/// first by name (`PACKAGED`): a publishable crate missing from that list is verified against a stale copy of
/// itself. So the list is exactly the workspace's publishable crates.
#[test]
fn every_publishable_crate_is_forgotten_before_packaging() {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut publishable: Vec<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        // `publish = false` is an empty list of registries.
        .filter(|p| p["publish"].as_array().is_none_or(|registries| !registries.is_empty()))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let mut packaged = crate::PACKAGED.to_vec();
    publishable.sort_unstable();
    packaged.sort_unstable();
    assert_eq!(packaged, publishable);
}

#[test]
fn crates_depend_only_inwards() {
    let graph = workspace_dependencies();
    let deps_of = |name: &str| &graph.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name}")).1;
    assert!(deps_of("nite-core").is_empty(), "nite-core depends on no other crate of ours: {:?}", deps_of("nite-core"));
    for adapter in ADAPTERS {
        let wrong: Vec<_> = deps_of(adapter).iter().filter(|d| *d != "nite-core").collect();
        assert!(wrong.is_empty(), "{adapter} depends on {wrong:?}: adapters depend on nite-core only");
    }
    let composes = |d: &String| d == "nite-core" || ADAPTERS.contains(&d.as_str());
    let wrong: Vec<_> = deps_of("nite-shop").iter().filter(|d| !composes(d)).collect();
    assert!(wrong.is_empty(), "nite-shop depends on {wrong:?}: it composes nite-core and the adapters only");
    let wrong: Vec<_> = deps_of("nite-http").iter().filter(|d| !composes(d) && *d != "nite-shop").collect();
    assert!(wrong.is_empty(), "nite-http depends on {wrong:?}: it serves nite-shop over nite-core and the adapters");
}

#[test]
fn every_file_says_what_it_owns() {
    let missing: Vec<_> = workspace_rust_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .collect();
    assert!(missing.is_empty(), "files without a `//!` first line: {missing:?}");
}

#[test]
fn no_mod_rs() {
    let found: Vec<_> = workspace_rust_files().into_iter().filter(|p| p.ends_with("mod.rs")).collect();
    assert!(found.is_empty(), "use `name.rs` + `name/`, not mod.rs: {found:?}");
}

#[test]
fn money_never_goes_through_floats() {
    let mut files = Vec::new();
    rust_files(&root().join("nite-core/src"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let float = code.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "f32" || w == "f64");
            assert!(!float, "{}:{}: floats have no place in nite-core: {line}", path.display(), number + 1);
        }
    }
}

/// nite-http's modules name each other by path (`crate::state::AppState`), never the crate root's re-exports
/// (`crate::AppState`): `lib.rs` only declares the modules and re-exports the public surface, so the dependency
/// between modules is visible where it is used.
#[test]
fn nite_http_modules_do_not_import_the_crate_root() {
    let src = root().join("nite-http/src");
    let mut modules: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    modules.sort();
    let mut offending = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("lib.rs") || path.ends_with("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                // `crate::{a, b::C}` lists modules; `crate::name` must be one.
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(list) => list
                        .split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap_or_default())
                        .collect(),
                    None => vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()],
                };
                for name in names.into_iter().filter(|n| !n.is_empty()) {
                    if !modules.iter().any(|m| m == name) {
                        offending.push(format!("{}:{}: crate::{name}", path.display(), number + 1));
                    }
                }
            }
        }
    }
    assert!(offending.is_empty(), "imports of the crate root: {offending:#?}");
}

/// rustfmt formats nite-storage in full: its SQL is ordinary modules (`#[path]`-included once per database), not
/// macro bodies, which rustfmt skips; and no line is wider than rustfmt's `max_width`, because rustfmt silently
/// leaves a whole statement unformatted when one of its string literals cannot fit.
#[test]
fn rustfmt_covers_every_line_of_nite_storage() {
    let max_width: usize = std::fs::read_to_string(root().join("rustfmt.toml"))
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("max_width = "))
        .and_then(|width| width.trim().parse().ok())
        .expect("rustfmt.toml sets max_width");
    let mut files = Vec::new();
    rust_files(&root().join("nite-storage"), &mut files);
    let mut offending = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.chars().count() > max_width {
                offending.push(format!("{}:{}: wider than {max_width}", path.display(), number + 1));
            }
            if line.trim_start().starts_with("macro_rules!") {
                offending.push(format!("{}:{}: a macro body, which rustfmt skips", path.display(), number + 1));
            }
        }
    }
    assert!(offending.is_empty(), "lines rustfmt does not format: {offending:#?}");
}

/// `cargo doc` of every library crate opens with what the crate is for and an example that compiles (a doc test).
#[test]
fn every_library_crate_opens_with_an_example() {
    let mut missing = Vec::new();
    for krate in [
        "nite-core",
        "nite-storage",
        "nite-payments",
        "nite-shipping",
        "nite-email",
        "nite-webhooks",
        "nite-shop",
        "nite-http",
    ] {
        let lib = std::fs::read_to_string(root().join(krate).join("src/lib.rs")).unwrap();
        let docs: Vec<&str> = lib.lines().take_while(|l| l.starts_with("//!")).collect();
        let opens = docs.first().is_some_and(|l| l.starts_with(&format!("//! {krate}:")));
        let example = docs.iter().any(|l| l.trim_start_matches("//!").trim_start().starts_with("```"));
        if !opens || !example {
            missing.push(krate);
        }
    }
    assert!(missing.is_empty(), "crate docs without `//! <crate>: …` or an example: {missing:?}");
}
