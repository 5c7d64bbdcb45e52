//! The small endpoints: liveness, readiness (database and migrations) and Prometheus metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// `GET /healthz`: the process answers.
pub async fn healthz() -> impl IntoResponse {
    axum::Json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers and every migration is applied.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().readiness().await {
        Ok(r) if r.is_ready() => axum::Json(json!({
            "status": "ready",
            "database": state.store().kind().to_string(),
            "config_version": state.directory().version(),
        }))
        .into_response(),
        Ok(r) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("{} migrations pending", r.pending_migrations),
        )
        .into_response(),
        Err(e) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", format!("database: {e}")).into_response(),
    }
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::metrics::handle().render())
}
