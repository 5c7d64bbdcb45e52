//! frontdesk's HTTP server: the endpoints Retell and Cal.com call, the admin API, and the
//! background workers, over the store and the domain.

use std::future::Future;
use std::net::SocketAddr;

use frontdesk_store::SharedStore;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod access;
pub mod admin;
pub mod booking;
pub mod calcom;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod health;
pub mod listener;
pub mod metrics;
pub mod notify;
pub mod retell;
pub mod router;
pub mod settings;
pub mod state;
pub mod summaries;
#[cfg(feature = "test-support")]
pub mod test_support;
mod workers;

pub use listener::ConnectionLimits;
pub use settings::Settings;
pub use state::AppState;

/// A server that is accepting connections.
pub struct RunningServer {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The bound metrics address, when `/metrics` has one of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// The shared state, for tests that inspect it.
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Binds, loads the directory and starts serving and the background workers.
    pub async fn start(store: SharedStore, settings: Settings) -> anyhow::Result<RunningServer> {
        // Install the metrics recorder before the first request is counted.
        let _ = metrics::handle();
        let listener = listener::bind(settings.listen, settings.listen_backlog)?;
        let addr = listener.local_addr()?;
        let metrics_listener = match settings.metrics_listen {
            Some(metrics_addr) => Some(TcpListener::bind(metrics_addr).await?),
            None if !addr.ip().is_loopback() => {
                tracing::warn!(
                    %addr,
                    "/metrics is served on a public address: anyone who reaches it can read the metrics; \
                     set FRONTDESK_METRICS_LISTEN to a private address"
                );
                None
            }
            None => None,
        };
        let metrics_addr = metrics_listener.as_ref().map(TcpListener::local_addr).transpose()?;
        let state = AppState::new(store, settings).await?;
        let (shutdown, signal) = watch::channel(false);
        let workers = workers::spawn(state.clone(), signal.clone());
        let app = router::router(state.clone());
        let limits = ConnectionLimits {
            header_read_timeout: state.settings().header_read_timeout,
            max_connections: state.settings().max_connections,
        };
        if let Some(metrics_listener) = metrics_listener {
            let mut stop = signal.clone();
            tokio::spawn(async move {
                let served = axum::serve(metrics_listener, router::metrics_router())
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|stop| *stop).await;
                    })
                    .await;
                if let Err(error) = served {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        let task = tokio::spawn(async move {
            let served = listener::serve(listener, app, limits, signal).await;
            workers.stop().await;
            served
        });
        Ok(RunningServer { addr, metrics_addr, state, shutdown, task })
    }

    /// Stops accepting connections, lets in-flight requests finish, stops the workers.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await??;
        self.state.store().close().await;
        Ok(())
    }

    /// Serves until `signal` resolves, then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        signal.await;
        tracing::info!("shutting down: finishing in-flight requests");
        self.shutdown().await
    }
}
