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
use std::sync::Arc;

use axum::routing::get;
use frontdesk_domain::access::Scope;
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::{BranchId, CompanyId, StaffId};
use frontdesk_store::model::{Owned, Page, PageRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{authenticate, login};
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) mod accounts;
pub(crate) mod appointments;
mod audit;
pub(crate) mod callbacks;
pub(crate) mod config;
pub(crate) mod customers;
pub(crate) mod days_off;
pub(crate) mod deliveries;
mod lists;
pub mod openapi;
pub mod views;
pub mod write;

/// The `/api/v1` routes with their OpenAPI document: logging in and the document are open,
/// everything else needs credentials. Every route is registered with its handler's
/// `#[utoipa::path]` description, so none can be missing from the document.
pub fn routes(state: AppState) -> Router<AppState> {
    let guarded = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(login::logout))
        .routes(routes!(login::me))
        .routes(routes!(lists::companies))
        .routes(routes!(config::export, config::apply))
        .routes(routes!(lists::appointments, appointments::create_appointment))
        .routes(routes!(appointments::appointment, appointments::change_appointment))
        .routes(routes!(appointments::cancel_appointment))
        .routes(routes!(lists::customers, customers::create_customer))
        .routes(routes!(customers::customer, customers::edit_customer))
        .routes(routes!(customers::merge_customers))
        .routes(routes!(customers::export_customer))
        .routes(routes!(customers::erase_customer))
        .routes(routes!(lists::callbacks))
        .routes(routes!(callbacks::change_callback))
        .routes(routes!(days_off::closures, days_off::add_closure))
        .routes(routes!(days_off::remove_closure))
        .routes(routes!(days_off::absences, days_off::add_absence))
        .routes(routes!(days_off::remove_absence))
        .routes(routes!(lists::calls))
        .routes(routes!(lists::call_detail))
        .routes(routes!(lists::webhook_events))
        .routes(routes!(deliveries::replay_webhook))
        .routes(routes!(lists::outbox))
        .routes(routes!(deliveries::retry_job))
        .routes(routes!(lists::notifications))
        .routes(routes!(deliveries::retry_notification))
        .routes(routes!(accounts::users, accounts::create_user))
        .routes(routes!(accounts::change_user))
        .routes(routes!(accounts::tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(audit::audit))
        .route_layer(middleware::from_fn_with_state(state, authenticate::require_principal));
    let (router, mut document) = OpenApiRouter::new().routes(routes!(login::login)).merge(guarded).split_for_parts();
    openapi::finish(&mut document);
    // Serialised once: the document does not change while the server runs.
    let document: Arc<str> = serde_json::to_string(&document).unwrap_or_default().into();
    let serve = move || {
        let body = Arc::clone(&document);
        std::future::ready(([(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()))
    };
    router.route("/openapi.json", get(serve))
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

/// A JSON request body, with text scrubbed by the rule of `frontdesk_domain::text`; one that
/// cannot be read (or names an unknown field) is a 400.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    frontdesk_domain::text::from_json(bytes).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))
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

/// A row named by id that the principal cannot see: the same answer whether it does not exist or
/// belongs to another company.
pub(crate) fn missing(row: Owned) -> ApiError {
    ApiError::not_found(match row {
        Owned::Appointment(id) => format!("no appointment {id}"),
        Owned::Customer(id) => format!("no customer {id}"),
        Owned::Callback(id) => format!("no callback request {id}"),
        Owned::Closure(id) => format!("no closure {id}"),
        Owned::Absence(id) => format!("no absence {id}"),
    })
}

/// The company of a row named by id, if the principal's scope covers it; 404 otherwise.
pub(crate) async fn owner(state: &AppState, scope: Scope, row: Owned) -> Result<CompanyId, ApiError> {
    state.store().owner_of(scope, row).await?.ok_or_else(|| missing(row))
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
