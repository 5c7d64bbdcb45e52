//! The Cal.com mirror: the outbox worker pushes frontdesk's changes, webhooks and a periodic pull
//! bring Cal.com's own bookings in as busy time. frontdesk's calendar stays the guard against
//! double booking; Cal.com is never on a function call's path.

use axum::Router;
use axum::routing::post;

use crate::state::AppState;

pub mod apply;
pub mod pull;
pub mod sync;
pub mod webhooks;

/// The Cal.com endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/calcom", post(webhooks::any_company))
        .route("/webhooks/calcom/{company}", post(webhooks::for_company))
}
