//! The schema migrations of each database, embedded in the binary and run with sqlx's migrator (which locks, so
//! several processes starting at once migrate once). A migration that may have been applied anywhere is never
//! edited (sqlx refuses a changed checksum): changes are new steps.

use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(version, description, SQL)` of each migration, oldest first.
type Steps = &'static [(i64, &'static str, &'static str)];

#[cfg(feature = "sqlite")]
pub(crate) const SQLITE: Steps = &[
    (1, "init", include_str!("../migrations/sqlite/0001_init.sql")),
    (2, "payment provider", include_str!("../migrations/sqlite/0002_payment_provider.sql")),
    (3, "sessions", include_str!("../migrations/sqlite/0003_sessions.sql")),
    (4, "hardening", include_str!("../migrations/sqlite/0004_hardening.sql")),
    (5, "jobs", include_str!("../migrations/sqlite/0005_jobs.sql")),
    (6, "events", include_str!("../migrations/sqlite/0006_events.sql")),
];

#[cfg(feature = "postgres")]
pub(crate) const POSTGRES: Steps = &[
    (1, "init", include_str!("../migrations/postgres/0001_init.sql")),
    (2, "payment provider", include_str!("../migrations/postgres/0002_payment_provider.sql")),
    (3, "sessions", include_str!("../migrations/postgres/0003_sessions.sql")),
    (4, "hardening", include_str!("../migrations/postgres/0004_hardening.sql")),
    (5, "jobs", include_str!("../migrations/postgres/0005_jobs.sql")),
    (6, "events", include_str!("../migrations/postgres/0006_events.sql")),
];

/// The migrator for one database's steps.
pub(crate) fn migrator(steps: Steps) -> Migrator {
    Migrator::with_migrations(
        steps
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(version, description.into(), MigrationType::Simple, SqlStr::from_static(sql), false)
            })
            .collect(),
    )
}

/// The newest migration version of `steps`, which a ready database must have applied.
pub(crate) fn latest(steps: Steps) -> i64 {
    steps.last().map_or(0, |&(version, _, _)| version)
}
