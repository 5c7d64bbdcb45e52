//! Group commit of what requests record: webhook deliveries and function calls without side
//! effects queue here, and one writer stores everything queued in one transaction
//! ([`frontdesk_store::Calls::record`]). A request still gets its answer only once its record is
//! committed — durability is unchanged — but a thousand requests a second share a few dozen
//! commits instead of each holding the database's single writer (SQLite) for its own.
//!
//! There is no timer: a batch is whatever queued while the previous one was committing, so an
//! idle server commits each record at once and a busy one commits in bigger batches.

use std::sync::Arc;

use frontdesk_store::model::{Record, Recorded};
use frontdesk_store::{BackendKind, SharedStore, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::writer::Writer;

/// Records per transaction at most.
const MAX_BATCH: usize = 256;
/// Records waiting at most; beyond, requests wait to queue (backpressure).
const QUEUE: usize = 4096;

struct Job {
    record: Record,
    done: oneshot::Sender<Result<Recorded, StoreError>>,
}

/// The queue in front of the writers. Cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::Sender<Job>,
}

impl Recorder {
    /// Starts the writers: one on SQLite (it has one writer connection; the batch grows while
    /// it commits), a few on PostgreSQL (commits wait for the disk, so several overlap).
    pub fn start(store: SharedStore, writer: &Writer) -> Recorder {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        let writers = match store.kind() {
            BackendKind::Sqlite => 1,
            BackendKind::Postgres => 4,
        };
        for _ in 0..writers {
            writer.spawn(write(store.clone(), Arc::clone(&jobs)));
        }
        Recorder { queue }
    }

    /// Records one delivery or function call; returns once it is committed.
    pub async fn record(&self, record: Record) -> Result<Recorded, StoreError> {
        let (done, result) = oneshot::channel();
        let stopped = StoreError::shutting_down;
        self.queue.send(Job { record, done }).await.map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// One writer: takes everything queued (up to [`MAX_BATCH`]), commits it, answers each request.
async fn write(store: SharedStore, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut jobs = jobs.lock().await;
            if jobs.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return; // every sender is gone: the server has stopped
            }
        }
        metrics::histogram!("frontdesk_group_commit_records").record(batch.len() as f64);
        let (records, done): (Vec<Record>, Vec<_>) = batch.into_iter().map(|j| (j.record, j.done)).unzip();
        let started = std::time::Instant::now();
        let result = store.record(&records).await;
        metrics::histogram!("frontdesk_group_commit_duration_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(recorded) => {
                for (done, outcome) in done.into_iter().zip(recorded) {
                    let _ = done.send(Ok(outcome));
                }
            }
            Err(error) if records.len() == 1 => {
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
                for (record, done) in records.iter().zip(done) {
                    let outcome = store.record(std::slice::from_ref(record)).await;
                    let _ = done.send(outcome.map(|mut r| r.pop().unwrap_or(Recorded::Stored)));
                }
            }
        }
    }
}
