//! Opening a store from a database URL.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite};

use crate::sql::SqlStore;
use crate::{SharedStore, StoreError};

/// Connection settings.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Most connections per pool (PostgreSQL) or readers (SQLite; there is always one writer).
    pub max_connections: u32,
    /// How long to wait for a connection (and, on SQLite, for another process's write lock).
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 8, acquire_timeout: Duration::from_secs(5) }
    }
}

/// Opens `sqlite://PATH` (created if missing), `sqlite::memory:` or `postgres://…`. Migrations
/// are not applied here: call [`crate::StoreCore::migrate`].
pub async fn open(url: &str, options: &StoreOptions) -> crate::Result<SharedStore> {
    if url.starts_with("sqlite:") {
        open_sqlite(url, options).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        open_postgres(url, options).await
    } else {
        Err(StoreError::Corrupt(format!(
            "unsupported database URL `{}` (use sqlite://PATH or postgres://…)",
            url.split('@').next_back().unwrap_or_default()
        )))
    }
}

async fn open_sqlite(url: &str, options: &StoreOptions) -> crate::Result<SharedStore> {
    let base = SqliteConnectOptions::from_str(url)
        .map_err(StoreError::Database)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Under WAL, NORMAL loses at most the last commits on power loss, never consistency.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(options.acquire_timeout)
        .pragma("temp_store", "memory")
        // The writer keeps 8 MiB of pages (the indexes every booking checks); readers 2 MiB each
        // (below). No memory map: a map of the file per connection counted its pages in the
        // resident set once per connection (300 MiB at the benchmark's peak), and the kernel's
        // page cache serves re-reads as fast at this size.
        .pragma("mmap_size", "0")
        .pragma("cache_size", "-8192");
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    // One writer: write transactions queue in the pool instead of spinning on SQLite's busy
    // handler, and I1's check-then-insert runs alone.
    // No ping before every acquire: it is a round trip to the connection's thread each time, and a
    // broken connection fails its first statement anyway (a transient error, retried).
    let writer = SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(options.acquire_timeout)
        .connect_with(base.clone())
        .await
        .map_err(StoreError::Unavailable)?;
    let reader = if in_memory {
        writer.clone()
    } else {
        SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_lazy_with(base.read_only(true).pragma("cache_size", "-2048"))
    };
    Ok(Arc::new(SqlStore::<Sqlite>::new(writer, reader)))
}

async fn open_postgres(url: &str, options: &StoreOptions) -> crate::Result<SharedStore> {
    let connect = PgConnectOptions::from_str(url).map_err(StoreError::Database)?;
    let pool = PgPoolOptions::new()
        .test_before_acquire(false)
        .max_connections(options.max_connections.max(2))
        .acquire_timeout(options.acquire_timeout)
        .connect_with(connect)
        .await
        .map_err(StoreError::Unavailable)?;
    Ok(Arc::new(SqlStore::<Postgres>::new(pool.clone(), pool)))
}
