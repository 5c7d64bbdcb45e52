//! The HTTP surface: which path goes where, and the middleware every request passes.
//!
//! A request flows: metrics → JSON errors → timeout → body limit → route handler. Handlers live
//! with their area: [`crate::health`], [`crate::retell`], [`crate::calcom`], [`crate::admin`].

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::health::{healthz, metrics, readyz};
use crate::state::AppState;
use crate::{admin, calcom, dashboard, notify, retell};

/// Builds the router with every endpoint and layer. Text in the path and query is scrubbed
/// (`frontdesk_domain::text`) before routing, so that path parameters see it too.
pub fn router(state: AppState) -> Router {
    let routes = routes(state);
    Router::new().fallback_service(tower::Layer::layer(&middleware::map_request(scrub_uri), routes))
}

fn routes(state: AppState) -> Router {
    let settings = state.settings().clone();
    let router = Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz));
    // With a separate metrics address, the public one does not serve `/metrics`.
    let router = if settings.metrics_listen.is_none() { router.route("/metrics", get(metrics)) } else { router };
    router
        .nest("/api/v1", admin::routes(state.clone()))
        .nest("/admin", dashboard::routes(state.clone()))
        .merge(retell::routes())
        .merge(calcom::routes())
        .route("/unsubscribe/{token}", get(notify::unsubscribe::show).post(notify::unsubscribe::confirm))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // The last layer added is the outermost: metrics see every answer, errors made by the
        // inner layers are turned into JSON.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(settings.body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, settings.request_timeout))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(record_metrics))
        .with_state(state)
}

/// Replaces a percent-encoded NUL (`%00`, the only way a URI can carry one) with the encoded
/// replacement character, the rule of `frontdesk_domain::text` for every text from outside.
async fn scrub_uri(mut request: Request) -> Request {
    let uri = request.uri();
    if uri.path_and_query().is_some_and(|pq| pq.as_str().contains("%00")) {
        let scrubbed = uri.to_string().replace("%00", "%EF%BF%BD");
        if let Ok(scrubbed) = scrubbed.parse() {
            *request.uri_mut() = scrubbed;
        }
    }
    request
}

async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!("no endpoint {} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}", request.method(), request.uri().path()),
    )
}

/// The router of the separate metrics address: `/metrics` only.
pub fn metrics_router() -> Router {
    Router::new().route("/metrics", get(metrics)).fallback(not_found)
}

/// Counts requests and records their latency per route and status.
async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("frontdesk_http_requests_total", &labels).increment(1);
    metrics::histogram!("frontdesk_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    tracing::debug!(method = %labels[0].1, route = %labels[1].1, status = %labels[2].1, micros = elapsed.as_micros() as u64, "request");
    response
}

/// Turns error answers made by layers or the router (413, 405, timeouts) into the JSON error
/// shape, so that every error a client sees reads the same (the dashboard's HTML error pages
/// are left as they are).
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return ApiError::for_status(status).into_response();
    }
    response
}
