//! Prometheus metrics: one process-wide recorder, rendered by `GET /metrics`.
//!
//! Names follow Prometheus conventions: `frontdesk_http_requests_total`,
//! `frontdesk_http_request_duration_seconds`, and per-area families added by the modules that
//! own them.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: fine-grained where function calls live (sub-millisecond to tens
/// of milliseconds), coarse beyond.
const BUCKETS: &[f64] =
    &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's metrics handle, installing the recorder on first use.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder =
                PrometheusBuilder::new().set_buckets(BUCKETS).expect("bucket list is not empty").build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests embedding several servers in one
            // process share this one); metrics then go there and rendering shows ours, empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
