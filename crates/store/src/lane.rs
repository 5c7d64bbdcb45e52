//! Where write transactions run: the store decides, callers only say `store.write(…)`.
//!
//! On SQLite every statement is a hand-off to the connection's thread and back, and the one writer connection is held from the first statement to the commit.
//! On a busy runtime the transaction's task waits behind every other request to be polled again
//! after each statement, so the writer is held mostly by waiting. Running write transactions on a
//! thread of their own makes each hand-off a direct wake-up: the writer is held for the work only.
//!
//! On PostgreSQL transactions run in parallel on many connections: they run where they are.

use std::future::Future;

use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::{BackendKind, StoreError};

/// Runs write transactions (see the module docs). Cheap to clone.
#[derive(Clone)]
pub(crate) struct Lane {
    thread: Option<Thread>,
}

#[derive(Clone)]
struct Thread {
    handle: Handle,
    /// Dropped with the last clone: the thread then stops.
    _stop: std::sync::Arc<oneshot::Sender<()>>,
}

impl Lane {
    /// A writer thread for SQLite; none (transactions run in place) for PostgreSQL, or if the
    /// thread cannot be started (then it is only slower).
    pub(crate) fn start(kind: BackendKind) -> Lane {
        if kind != BackendKind::Sqlite {
            return Lane { thread: None };
        }
        match Self::thread() {
            Ok(thread) => Lane { thread: Some(thread) },
            Err(error) => {
                tracing::warn!(%error, "no writer thread; write transactions run on the request threads");
                Lane { thread: None }
            }
        }
    }

    fn thread() -> std::io::Result<Thread> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new().name("frontdesk-writer".into()).spawn(move || {
            // Runs the spawned transactions until the server drops its writer.
            let _ = runtime.block_on(stopped);
        })?;
        Ok(Thread { handle, _stop: std::sync::Arc::new(stop) })
    }

    /// Runs `work` (a write transaction and what it needs) on the writer thread, if there is one.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
        T: Send + 'static,
    {
        match &self.thread {
            Some(thread) => match thread.handle.spawn(work).await {
                Ok(output) => output,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Cancelled: the writer thread has stopped (the server is shutting down).
                Err(_) => Err(StoreError::shutting_down()),
            },
            None => work.await,
        }
    }

    /// Starts `work` on the writer thread (or on the current runtime) without waiting for it.
    pub(crate) fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match &self.thread {
            Some(thread) => drop(thread.handle.spawn(work)),
            None => drop(tokio::spawn(work)),
        }
    }
}
