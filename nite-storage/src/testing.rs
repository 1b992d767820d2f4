//! Test databases (feature `testing`), one helper for every crate's tests and benchmarks: a fresh PostgreSQL
//! database on the test server that `./scripts/test` starts (`NITE_TEST_DATABASE_URL`), named apart per process and
//! call, on a URL that keeps every parameter of the server's (`sslmode`, say).

use std::sync::atomic::{AtomicU32, Ordering};

use crate::PgStore;

/// The test server's URL from `NITE_TEST_DATABASE_URL`; `None` (said loudly on stderr) when it is not set, and a
/// panic under CI (`CI` set), where the PostgreSQL tests must run.
///
/// # Panics
/// Under CI when `NITE_TEST_DATABASE_URL` is not set.
pub fn postgres_url() -> Option<String> {
    match std::env::var("NITE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "NITE_TEST_DATABASE_URL is not set in CI: the PostgreSQL tests must run there (./scripts/test sets it)"
            );
            eprintln!("SKIPPED: NITE_TEST_DATABASE_URL is not set, so this PostgreSQL test did not run");
            None
        }
    }
}

/// `url` pointing at database `name` instead, keeping its query parameters.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base.rfind('/') {
        Some(i) if i >= authority_start => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// Creates a new, empty database `nite_{purpose}_{pid}_{time}_{n}` on the server at `admin_url` and returns its URL.
/// The time (microseconds, in hex) keeps names apart when a later run's process gets the same id as an earlier one
/// whose databases are still there.
///
/// # Panics
/// When the server does not answer or refuses to create the database: a test cannot go on without it.
pub async fn create_database(admin_url: &str, purpose: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros());
    let name = format!("nite_{purpose}_{}_{micros:x}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = PgStore::connect(admin_url, 1).await.expect("the test PostgreSQL server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .expect("a test database is created");
    admin.close().await;
    with_database(admin_url, &name)
}

/// The URL of a new, empty database on the test server; `None` when there is none here (see [`postgres_url`]).
pub async fn fresh_postgres_url(purpose: &str) -> Option<String> {
    let admin_url = postgres_url()?;
    Some(create_database(&admin_url, purpose).await)
}

/// A new, migrated PostgreSQL store on the test server with up to `connections` connections; `None` when there is
/// no server here.
///
/// # Panics
/// When the new database cannot be opened or migrated.
pub async fn fresh_postgres(purpose: &str, connections: u32) -> Option<PgStore> {
    let url = fresh_postgres_url(purpose).await?;
    let store = PgStore::connect(&url, connections).await.expect("the new test database opens");
    store.migrate().await.expect("PostgreSQL migrates");
    Some(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_swapped_in_urls_keeping_their_parameters() {
        assert_eq!(with_database("postgres://u@h:5/postgres", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(with_database("postgres://u:p%2Fq@h:5/db?a=1&b=2", "y"), "postgres://u:p%2Fq@h:5/y?a=1&b=2");
    }
}
