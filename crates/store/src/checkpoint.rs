//! SQLite's checkpoints, off the write path.
//!
//! SQLite copies its write-ahead log back into the database file (a checkpoint) by default in the
//! commit that takes the log past 1,000 pages: that commit — a caller's booking, or a batch of
//! function traces everyone in it waits for — then also waits for the copy and its two `fsync`s.
//! Here the writer connection never checkpoints (`wal_autocheckpoint = 0`); a connection of its
//! own does, every [`EVERY`], in `PASSIVE` mode (it neither waits for nor blocks the readers and
//! the writer), and the writer starts the log over once a checkpoint has caught up, cutting the
//! file back to `journal_size_limit`.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::oneshot;

/// How often the log is copied back: at the benchmark's load, a few hundred pages each time.
const EVERY: Duration = Duration::from_secs(1);

/// The running checkpointer; it stops when this is dropped (with the store).
pub(crate) struct Checkpointer {
    _stop: oneshot::Sender<()>,
}

impl Checkpointer {
    /// Checkpoints through `pool` (a connection that may write) until dropped; call inside a
    /// Tokio runtime.
    pub(crate) fn start(pool: SqlitePool) -> Checkpointer {
        let (stop, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = ticks.tick() => {
                        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                            tracing::warn!(%error, "WAL checkpoint failed");
                        }
                    }
                }
            }
            pool.close().await;
        });
        Checkpointer { _stop: stop }
    }
}
