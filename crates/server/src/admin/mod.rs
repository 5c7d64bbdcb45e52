//! The admin API under `/api/v1`: JSON for operators and scripts, authenticated by an API token,
//! the platform's admin token or a browser session (`crate::access`). Lists are
//! `{"items": [...], "next_cursor": ...}`; pass `cursor` to get the next page.
//!
//! Every handler takes the principal ([`Operator`](crate::access::Operator)), asks its role for
//! the action, and hands its scope to the store, which confines every read and change to it.
//! [`lists`] answers the reads; [`appointments`], [`callbacks`], [`accounts`] the changes, each
//! carried out by [`write`] (one transaction, audit log, idempotency key); [`audit`] lists the
//! log; [`views`] shapes every entity the same way wherever it appears.

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::middleware;
use axum::routing::{delete, get, patch, post};
use frontdesk_domain::access::Scope;
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::{BranchId, CompanyId, StaffId};
use frontdesk_store::model::{Page, PageRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::access::{authenticate, login};
use crate::error::ApiError;
use crate::state::AppState;

mod accounts;
mod appointments;
mod audit;
mod callbacks;
mod config;
mod customers;
mod days_off;
mod lists;
pub mod views;
pub mod write;

/// The `/api/v1` routes: logging in is open, everything else needs credentials.
pub fn routes(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/auth/logout", post(login::logout))
        .route("/me", get(login::me))
        .route("/companies", get(lists::companies))
        .route("/companies/{key}/config", get(config::export).put(config::apply))
        .route("/appointments", get(lists::appointments).post(appointments::create_appointment))
        .route("/appointments/{id}", get(appointments::appointment).patch(appointments::change_appointment))
        .route("/appointments/{id}/cancel", post(appointments::cancel_appointment))
        .route("/customers", get(lists::customers).post(customers::create_customer))
        .route("/customers/{id}", get(customers::customer).patch(customers::edit_customer))
        .route("/customers/{id}/merge", post(customers::merge_customers))
        .route("/customers/{id}/export", get(customers::export_customer))
        .route("/customers/{id}/erase", post(customers::erase_customer))
        .route("/callbacks", get(lists::callbacks))
        .route("/callbacks/{id}", patch(callbacks::change_callback))
        .route("/calls", get(lists::calls))
        .route("/calls/{call_id}", get(lists::call_detail))
        .route("/webhook-events", get(lists::webhook_events))
        .route("/outbox", get(lists::outbox))
        .route("/users", get(accounts::users).post(accounts::create_user))
        .route("/users/{id}", patch(accounts::change_user))
        .route("/tokens", get(accounts::tokens).post(accounts::create_token))
        .route("/tokens/{id}", delete(accounts::revoke_token))
        .route("/closures", get(days_off::closures).post(days_off::add_closure))
        .route("/closures/{id}", delete(days_off::remove_closure))
        .route("/absences", get(days_off::absences).post(days_off::add_absence))
        .route("/absences/{id}", delete(days_off::remove_absence))
        .route("/audit", get(audit::audit))
        .route_layer(middleware::from_fn_with_state(state, authenticate::require_principal));
    Router::new().route("/auth/login", post(login::login)).merge(guarded)
}

/// Query parameters, with malformed ones answered as a JSON 400.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request(e.body_text()))
    }
}

/// The page asked for by `limit` and `cursor` (flattened structs do not work with numbers in
/// query strings, so every parameter struct carries both fields itself).
pub(crate) fn page(limit: Option<u32>, cursor: &Option<String>) -> PageRequest {
    PageRequest { cursor: cursor.clone(), ..PageRequest::first(limit.unwrap_or(PageRequest::DEFAULT_LIMIT)) }
}

/// The company named by id or key, if `scope` covers it: another company's is not found, exactly
/// like one that does not exist.
pub(crate) fn company<'d>(dir: &'d Directory, scope: Scope, raw: &str) -> Result<&'d CompanyEntry, ApiError> {
    raw.parse::<i64>()
        .ok()
        .and_then(|id| dir.company(CompanyId(id)))
        .or_else(|| dir.company_by_key(raw))
        .filter(|c| scope.covers(c.company.id))
        .ok_or_else(|| ApiError::not_found(format!("no company `{raw}`")))
}

pub(crate) fn branch(entry: &CompanyEntry, raw: &str) -> Result<BranchId, ApiError> {
    entry
        .branches
        .iter()
        .find(|b| b.def.key.as_str() == raw || b.id.0.to_string() == raw)
        .map(|b| b.id)
        .ok_or_else(|| ApiError::not_found(format!("no branch `{raw}` in company `{}`", entry.company.def.key)))
}

pub(crate) fn staff(entry: &CompanyEntry, raw: &str) -> Result<StaffId, ApiError> {
    entry
        .staff
        .iter()
        .find(|s| s.def.key.as_str() == raw || s.id.0.to_string() == raw)
        .map(|s| s.id)
        .ok_or_else(|| ApiError::not_found(format!("no staff member `{raw}` in company `{}`", entry.company.def.key)))
}

/// An instant from RFC 3339, or a date (midnight in `tz`).
pub(crate) fn instant(raw: &str, tz: &TimeZone, field: &str) -> Result<Timestamp, ApiError> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    raw.parse::<Date>()
        .ok()
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| ApiError::bad_request(format!("`{field}` must be an RFC 3339 instant or a date (YYYY-MM-DD)")))
}

pub(crate) fn list<T>(page: Page<T>, render: impl Fn(&T) -> Value) -> Value {
    json!({"items": page.items.iter().map(render).collect::<Vec<_>>(), "next_cursor": page.next_cursor})
}

pub(crate) type Json = axum::Json<Value>;

/// A query parameter naming one of an enum's values; an unknown value is a 400.
pub(crate) fn parse_param<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, ApiError> {
    raw.map(|s| parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown {what} `{s}`")))).transpose()
}
