//! What Retell calls: the lifecycle and inbound-call webhooks, and the custom functions.
//! Every request is verified against `X-Retell-Signature` before anything is read or stored.

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use frontdesk_retell::signature;
use jiff::Timestamp;

use crate::error::ApiError;
use crate::state::AppState;

pub mod functions;
pub mod reconciler;
pub mod webhooks;

/// The Retell endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/retell", post(webhooks::handle))
        .route("/retell/functions", post(functions::by_body))
        .route("/retell/functions/{name}", post(functions::by_path))
}

/// Checks the signature over the raw body with the real clock; 401 when it fails.
pub(crate) fn verify(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    state.verifier().verify(header, body, Timestamp::now().as_millisecond()).map_err(|e| {
        metrics::counter!("frontdesk_signature_rejections_total", "provider" => "retell").increment(1);
        ApiError::unauthorized(e.to_string())
    })
}
