//! Background workers: each a tokio task that wakes periodically, safe to run in several
//! processes at once, and stops when the server shuts down.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use std::sync::Arc;

use crate::calcom::pull;
use crate::calcom::sync::CalcomSync;
use crate::notify::worker::Notifier;
use crate::retell::reconciler::Reconciler;
use crate::state::AppState;

/// The running workers.
pub(crate) struct Workers {
    tasks: JoinSet<()>,
}

impl Workers {
    /// Waits for every worker to finish its current round and stop.
    pub(crate) async fn stop(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Starts every worker; they stop when `shutdown` turns true.
pub(crate) fn spawn(state: AppState, shutdown: watch::Receiver<bool>) -> Workers {
    let mut tasks = JoinSet::new();
    let refresh = state.settings().directory_refresh;
    let directory_state = state.clone();
    tasks.spawn(every(refresh, shutdown.clone(), move || {
        let state = directory_state.clone();
        async move {
            if let Err(error) = state.refresh_directory().await {
                tracing::warn!(%error, "could not refresh the tenant directory");
            }
        }
    }));
    let interval = state.settings().worker_interval;
    let outbox = Arc::new(CalcomSync::new(state.clone()));
    tasks.spawn(every(interval, shutdown.clone(), move || {
        let outbox = Arc::clone(&outbox);
        async move {
            if let Err(error) = outbox.round().await {
                tracing::warn!(%error, "outbox round failed");
            }
        }
    }));
    let notifier = Arc::new(Notifier::new(state.clone()));
    tasks.spawn(every(interval, shutdown.clone(), move || {
        let notifier = Arc::clone(&notifier);
        async move {
            if let Err(error) = notifier.round().await {
                tracing::warn!(%error, "notification round failed");
            }
        }
    }));
    let pull_state = state.clone();
    tasks.spawn(every(state.settings().calcom_pull_interval, shutdown.clone(), move || {
        let state = pull_state.clone();
        async move {
            if let Err(error) = pull::round(&state).await {
                tracing::warn!(%error, "Cal.com catch-up pull failed");
            }
        }
    }));
    if let Some(keep) = state.settings().retention {
        let retention_state = state.clone();
        tasks.spawn(every(RETENTION_INTERVAL, shutdown.clone(), move || {
            let state = retention_state.clone();
            async move { prune(&state, keep).await }
        }));
    }
    let summary_state = state.clone();
    tasks.spawn(every(SUMMARY_INTERVAL, shutdown.clone(), move || {
        let state = summary_state.clone();
        async move {
            if let Err(error) = crate::summaries::refresh(&state).await {
                tracing::warn!(%error, "refreshing the daily summaries failed");
            }
        }
    }));
    let reconciler = Arc::new(Reconciler::new(state));
    tasks.spawn(every(interval, shutdown, move || {
        let reconciler = Arc::clone(&reconciler);
        async move {
            if let Err(error) = reconciler.round().await {
                tracing::warn!(%error, "reconciler round failed");
            }
        }
    }));
    Workers { tasks }
}

/// How often today's figures for the health charts are recomputed.
const SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

/// How often the retention worker looks for what has expired.
const RETENTION_INTERVAL: Duration = Duration::from_secs(60);

/// Rows pruned per statement: small transactions, so that calls being answered never wait long
/// behind one.
const RETENTION_BATCH: u32 = 500;

/// Batches per wake-up at most; the rest waits for the next one.
const RETENTION_BATCHES: usize = 20;

/// Prunes, batch by batch, what is older than `keep` (real time: the recorded instants are).
async fn prune(state: &AppState, keep: Duration) {
    let Ok(keep) = jiff::SignedDuration::try_from(keep) else { return };
    let before = jiff::Timestamp::now() - keep;
    for _ in 0..RETENTION_BATCHES {
        match state.store().prune(before, RETENTION_BATCH).await {
            Ok(pruned) => {
                metrics::counter!("frontdesk_pruned_rows_total").increment(pruned.total());
                if pruned.traces < u64::from(RETENTION_BATCH)
                    && pruned.payloads < u64::from(RETENTION_BATCH)
                    && pruned.transcripts < u64::from(RETENTION_BATCH)
                {
                    return;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "retention round failed");
                return;
            }
        }
    }
}

/// Runs `round` every `period` until shutdown.
async fn every<F, Fut>(period: Duration, mut shutdown: watch::Receiver<bool>, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        tokio::select! {
            () = stopped(&mut shutdown) => return,
            () = tokio::time::sleep(period) => {}
        }
        // A round cut short by shutdown is safe to abandon: its transaction rolls back, and what
        // it had claimed stays leased until another worker takes it over.
        tokio::select! {
            () = stopped(&mut shutdown) => return,
            () = round() => {}
        }
    }
}

/// Resolves once shutdown is signalled (or the sender is gone).
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
