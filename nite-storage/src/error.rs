//! nite-storage's own errors (opening and migrating a database); everything a port call returns is already a
//! `nite_core::Error`.

/// What can go wrong opening or migrating a database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The URL names no database this build supports.
    #[error("`{0}` is not a database URL this build supports (sqlite:… or postgres://…)")]
    UnsupportedUrl(String),
    /// Connecting failed. The URL is shown without its password.
    #[error("cannot open the database at {url}")]
    Connect {
        /// The URL, password removed.
        url: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migrating the database failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// What was asked cannot be done on this database (say, an online backup of PostgreSQL, which is `pg_dump`'s).
    #[error("{0}")]
    Unsupported(&'static str),
    /// The backup's target exists already: a backup never overwrites a file.
    #[error("{0} exists already; a backup never overwrites a file")]
    TargetExists(String),
    /// A query outside a port call (readiness, setup) failed.
    #[error("{context}")]
    Query {
        /// What was being done.
        context: &'static str,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
}

impl From<StorageError> for nite_core::Error {
    fn from(error: StorageError) -> nite_core::Error {
        nite_core::Error::adapter("storage", error)
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.split_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://nite:s3cret@db:5432/nite"), "postgres://nite:***@db:5432/nite");
        assert_eq!(redact("postgres://nite@db/nite"), "postgres://nite@db/nite");
        assert_eq!(redact("sqlite://nite.db"), "sqlite://nite.db");
    }
}
