//! Storage adapters for nite's ports (SQLite and PostgreSQL through sqlx).
//!
//! Nothing lives here yet: the storage ports and their adapters arrive with the orders and storage work.
