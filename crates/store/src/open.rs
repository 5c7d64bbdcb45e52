//! Opening a store from a database URL.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite};

use crate::checkpoint::Checkpointer;
use crate::lane::Lane;
use crate::sql::SqlStore;
use crate::{BackendKind, SharedStore, StoreError};

/// Connection settings.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Most connections in the pool (PostgreSQL).
    pub max_connections: u32,
    /// Reader connections (SQLite; there is always one writer besides). Each has a thread, a
    /// page cache and its prepared statements; four kept up with eight in the benchmark, at
    /// less memory.
    pub sqlite_readers: u32,
    /// How long to wait for a connection (and, on SQLite, for another process's write lock).
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 8, sqlite_readers: 4, acquire_timeout: Duration::from_secs(5) }
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
    // Checkpoints are the checkpointer's (crate::checkpoint), and the log file is cut back to
    // 64 MiB when the writer starts it over.
    let writer_options = if in_memory {
        base.clone()
    } else {
        base.clone().pragma("wal_autocheckpoint", "0").pragma("journal_size_limit", "67108864")
    };
    // One writer: write transactions queue in the pool instead of spinning on SQLite's busy
    // handler, and I1's check-then-insert runs alone. Connected from the writer thread (its lane),
    // so that its connection thread shares the writer's core (crate::lane).
    // No ping before every acquire: it is a round trip to the connection's thread each time, and a
    // broken connection fails its first statement anyway (a transient error, retried).
    let lane = Lane::start(BackendKind::Sqlite);
    let acquire_timeout = options.acquire_timeout;
    let writer = lane
        .run(async move {
            SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(1)
                .min_connections(1)
                // Kept for the process's life: a replacement would be started from elsewhere.
                .max_lifetime(None)
                .idle_timeout(None)
                .acquire_timeout(acquire_timeout)
                .connect_with(writer_options)
                .await
                .map_err(StoreError::Unavailable)
        })
        .await?;
    let (reader, checkpointer) = if in_memory {
        (writer.clone(), None)
    } else {
        let reader = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(options.sqlite_readers.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_lazy_with(base.clone().read_only(true).pragma("cache_size", "-2048"));
        let checkpoints = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_lazy_with(base.pragma("cache_size", "-512"));
        (reader, Some(Checkpointer::start(checkpoints)))
    };
    Ok(Arc::new(SqlStore::<Sqlite>::new(lane, writer, reader, checkpointer)))
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
    Ok(Arc::new(SqlStore::<Postgres>::new(Lane::start(BackendKind::Postgres), pool.clone(), pool, None)))
}
