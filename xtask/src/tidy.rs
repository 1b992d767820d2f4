//! Tidy checks: the architecture's invariants, checked as tests (after rust-analyzer's `xtask/src/tidy.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Crates that do I/O or run async machinery; nite-core must not pull in any of them, even indirectly.
const IO_CRATES: &[&str] =
    &["tokio", "mio", "sqlx", "reqwest", "hyper", "axum", "tower", "lettre", "async-stripe", "rustls", "openssl"];

const ADAPTERS: &[&str] = &["nite-storage", "nite-payments", "nite-shipping", "nite-email"];

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
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["tree", "-p", "nite-core", "-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8_lossy(&output.stdout);
    let offenders: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or_default();
            IO_CRATES.iter().any(|io| name == *io || name.starts_with(&format!("{io}-")))
        })
        .collect();
    assert!(offenders.is_empty(), "nite-core must stay free of I/O, but depends on {offenders:?}");
    assert!(tree.contains("rust_decimal"), "unexpected `cargo tree` output:\n{tree}");
}

#[test]
fn no_adapter_depends_on_another() {
    for adapter in ADAPTERS {
        let manifest = std::fs::read_to_string(root().join(adapter).join("Cargo.toml")).unwrap();
        for other in ADAPTERS.iter().filter(|other| *other != adapter) {
            assert!(
                !manifest.contains(&format!("{other}.")) && !manifest.contains(&format!("{other} =")),
                "{adapter} depends on {other}: adapters depend on nite-core only"
            );
        }
    }
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
