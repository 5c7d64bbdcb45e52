//! Group commit of what requests record: webhook deliveries and function calls without side
//! effects queue here, and one writer stores everything queued in one transaction
//! ([`crate::Calls::record_batch`]). A request still gets its answer only once its record is
//! committed — durability is unchanged — but a thousand requests a second share a few dozen
//! commits instead of each holding the database's single writer (SQLite) for its own.
//!
//! There is no timer: a batch is whatever queued while the previous one was committing, so an
//! idle server commits each record at once and a busy one commits in bigger batches.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::lane::Lane;
use crate::model::{Record, Recorded};
use crate::{BackendKind, StoreError};

/// Records per transaction at most: bounded so that no statement exceeds the backends' bind
/// limits (SQLite: 32 766 parameters; a call row has 20).
pub const MAX_BATCH: usize = 256;
/// Records waiting at most; beyond, requests wait to queue (backpressure).
const QUEUE: usize = 4096;

struct Job {
    record: Record,
    done: oneshot::Sender<Result<Recorded, StoreError>>,
}

/// Commits one batch in one transaction, and hands the batch back (a failed batch is retried
/// record by record without copying it first).
pub(crate) type CommitBatch = Arc<
    dyn Fn(Vec<Record>) -> Pin<Box<dyn Future<Output = (Vec<Record>, Result<Vec<Recorded>, StoreError>)> + Send>>
        + Send
        + Sync,
>;

/// The queue in front of the writers. Cheap to clone.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writers on `lane`: one on SQLite (it has one writer connection; the batch grows
    /// while it commits), a few on PostgreSQL (commits wait for the disk, so several overlap).
    /// They stop when the last handle is dropped.
    pub(crate) fn start(kind: BackendKind, lane: &Lane, commit: CommitBatch) -> GroupCommit {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        let writers = match kind {
            BackendKind::Sqlite => 1,
            BackendKind::Postgres => 4,
        };
        for _ in 0..writers {
            lane.spawn(write(Arc::clone(&commit), Arc::clone(&jobs)));
        }
        GroupCommit { queue }
    }

    /// Records one delivery or function call; returns once it is committed.
    pub(crate) async fn record(&self, record: Record) -> Result<Recorded, StoreError> {
        let (done, result) = oneshot::channel();
        let stopped = StoreError::shutting_down;
        self.queue.send(Job { record, done }).await.map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// One writer: takes everything queued (up to [`MAX_BATCH`]), commits it, answers each request.
async fn write(commit: CommitBatch, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut jobs = jobs.lock().await;
            if jobs.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return; // every sender is gone: the store has been dropped
            }
        }
        metrics::histogram!("frontdesk_group_commit_records").record(batch.len() as f64);
        let (records, done): (Vec<Record>, Vec<_>) = batch.into_iter().map(|j| (j.record, j.done)).unzip();
        let started = std::time::Instant::now();
        let single = records.len() == 1;
        let (records, result) = commit(records).await;
        metrics::histogram!("frontdesk_group_commit_duration_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(recorded) => {
                for (done, outcome) in done.into_iter().zip(recorded) {
                    let _ = done.send(Ok(outcome));
                }
            }
            Err(error) if single => {
                let _ = done.into_iter().next().map(|d| d.send(Err(error)));
            }
            Err(error) if error.is_transient() => {
                tracing::warn!(%error, records = records.len(), "group commit failed");
                let message = error.to_string();
                for done in done {
                    let _ = done.send(Err(StoreError::Group { message: message.clone(), transient: true }));
                }
            }
            Err(error) => {
                // Not the database's fault: one record is bad. Commit each alone, so only it fails.
                tracing::warn!(%error, records = records.len(), "group commit failed; recording one by one");
                for (record, done) in records.into_iter().zip(done) {
                    let (_, outcome) = commit(vec![record]).await;
                    let _ = done.send(outcome.map(|mut r| r.pop().unwrap_or(Recorded::Stored)));
                }
            }
        }
    }
}
