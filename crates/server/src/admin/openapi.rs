//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! It is generated from the code: every route is registered through `utoipa_axum`'s router with
//! the `#[utoipa::path]` annotation of its handler, so a route cannot exist without being
//! described; entities are the view types of [`super::views`], which are what the handlers
//! serialise; request bodies and query parameters are the handlers' own types. The types below
//! describe the envelopes the handlers build around those (lists, errors, refusals); the CI runs a
//! property-based tester (schemathesis) against the running server to hold them to it.

// The envelope types are read by the documentation only.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use super::views::{
    AppointmentView, CallView, CallbackView, CustomerView, EventView, SlotView, TokenView, TraceView, UserView,
};

/// A field at fault.
#[derive(Serialize, ToSchema)]
pub struct FieldErrorView {
    field: String,
    message: String,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `invalid`,
    /// `slot_taken`, `phone_taken`, `too_many_requests`, …
    #[schema(example = "not_found")]
    code: String,
    /// For humans.
    message: String,
    /// The fields at fault (422 `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<FieldErrorView>>,
}

/// Every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// The refusals a read may meet.
#[derive(IntoResponses)]
pub enum ReadErrors {
    /// A parameter that cannot be read.
    #[response(status = 400, description = "unreadable request")]
    BadRequest(ErrorBody),
    /// No credentials, or wrong, expired or revoked ones.
    #[response(status = 401, description = "no valid credentials")]
    Unauthorized(ErrorBody),
    /// Not there, or another company's.
    #[response(status = 404, description = "no such thing in the principal's scope")]
    NotFound(ErrorBody),
}

/// The refusals of a request the role may not make, besides those of a read.
#[derive(IntoResponses)]
pub enum AccessErrors {
    /// A parameter or body that cannot be read.
    #[response(status = 400, description = "unreadable request")]
    BadRequest(ErrorBody),
    /// No credentials, or wrong, expired or revoked ones.
    #[response(status = 401, description = "no valid credentials")]
    Unauthorized(ErrorBody),
    /// The role does not allow this.
    #[response(status = 403, description = "the role does not allow this")]
    Forbidden(ErrorBody),
    /// Not there, or another company's.
    #[response(status = 404, description = "no such thing in the principal's scope")]
    NotFound(ErrorBody),
}

/// The refusals a change may meet.
#[derive(IntoResponses)]
pub enum ChangeErrors {
    /// A parameter or body that cannot be read.
    #[response(status = 400, description = "unreadable request")]
    BadRequest(ErrorBody),
    /// No credentials, or wrong, expired or revoked ones.
    #[response(status = 401, description = "no valid credentials")]
    Unauthorized(ErrorBody),
    /// The role does not allow this.
    #[response(status = 403, description = "the role does not allow this")]
    Forbidden(ErrorBody),
    /// Not there, or another company's.
    #[response(status = 404, description = "no such thing in the principal's scope")]
    NotFound(ErrorBody),
    /// Conflicts with the current state.
    #[response(status = 409, description = "conflicts with the current state")]
    Conflict(ErrorBody),
    /// Fields at fault, named in `error.fields`.
    #[response(status = 422, description = "fields at fault")]
    Invalid(ErrorBody),
}

/// A time that cannot be booked (with the nearest alternatives), or a customer booked then
/// already (with that appointment).
#[derive(Serialize, ToSchema)]
pub struct RefusalBody {
    error: ErrorDetail,
    #[serde(skip_serializing_if = "Option::is_none")]
    alternatives: Option<Vec<SlotView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    appointment: Option<AppointmentView>,
}

/// A page of a list: pass `next_cursor` as `cursor` for the next one.
#[derive(Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

/// An appointment after an operator's change, with the caller policies the change overrode.
#[derive(Serialize, ToSchema)]
pub struct AppointmentChanged {
    #[serde(flatten)]
    appointment: AppointmentView,
    /// `deadline_missed`, `quota_exceeded`, `max_reschedules_reached`, `cancellation_fee`,
    /// `minimum_notice`.
    overridden: Vec<String>,
}

/// A call with its function calls and webhook deliveries.
#[derive(Serialize, ToSchema)]
pub struct CallDetail {
    #[serde(flatten)]
    call: CallView,
    function_calls: Vec<TraceView>,
    webhook_events: Vec<EventView>,
}

/// What a merge moved.
#[derive(Serialize, ToSchema)]
pub struct Moved {
    appointments: u64,
    calls: u64,
    callbacks: u64,
}

/// The kept customer after a merge.
#[derive(Serialize, ToSchema)]
pub struct CustomerMerged {
    #[serde(flatten)]
    customer: CustomerView,
    moved: Moved,
}

/// A call in an export: the call, its function calls.
#[derive(Serialize, ToSchema)]
pub struct ExportedCall {
    #[serde(flatten)]
    call: CallView,
    function_calls: Vec<TraceView>,
}

/// Everything stored about a customer.
#[derive(Serialize, ToSchema)]
pub struct CustomerExport {
    exported_at: String,
    customer: CustomerView,
    appointments: Vec<AppointmentView>,
    calls: Vec<ExportedCall>,
    callbacks: Vec<CallbackView>,
}

/// How much an erasure replaced.
#[derive(Serialize, ToSchema)]
pub struct ErasureCounts {
    calls: u64,
    traces: u64,
    deliveries: u64,
    callbacks: u64,
    appointments: u64,
}

/// An erased customer.
#[derive(Serialize, ToSchema)]
pub struct Erased {
    id: i64,
    erased: ErasureCounts,
}

/// A day a branch is closed.
#[derive(Serialize, ToSchema)]
pub struct ClosureView {
    id: i64,
    company_id: i64,
    branch: Option<String>,
    branch_id: i64,
    #[schema(format = Date)]
    date: String,
    note: Option<String>,
    created_at: String,
}

/// A staff member's absence.
#[derive(Serialize, ToSchema)]
pub struct AbsenceView {
    id: i64,
    company_id: i64,
    staff: Option<String>,
    staff_id: i64,
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
    note: Option<String>,
    created_at: String,
}

/// A new closure with the booked appointments it concerns.
#[derive(Serialize, ToSchema)]
pub struct ClosureAdded {
    #[serde(flatten)]
    closure: ClosureView,
    appointments_affected: Vec<AppointmentView>,
}

/// A new absence with the booked appointments it concerns.
#[derive(Serialize, ToSchema)]
pub struct AbsenceAdded {
    #[serde(flatten)]
    absence: AbsenceView,
    appointments_affected: Vec<AppointmentView>,
}

/// A new user; `password` only when it was generated (shown once).
#[derive(Serialize, ToSchema)]
pub struct UserCreated {
    #[serde(flatten)]
    user: UserView,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// A new API token; `token` is shown once.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    #[serde(flatten)]
    view: TokenView,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

/// A job queued again.
#[derive(Serialize, ToSchema)]
pub struct Retried {
    /// The job.
    pub id: i64,
    /// `pending`.
    pub status: String,
}

/// A login.
#[derive(Serialize, ToSchema)]
pub struct LoggedIn {
    user: UserView,
    expires_at: String,
}

/// Who the credentials belong to.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// `{"kind": "user" | "token" | "admin_token" | "cli", …}`.
    #[schema(value_type = Object)]
    actor: serde_json::Value,
    label: String,
    role: String,
    company: Option<String>,
}

/// What applying a tenant file did.
#[derive(Serialize, ToSchema)]
pub struct ConfigApplied {
    changed_rows: u64,
    warnings: Vec<String>,
    /// The company as stored now (a tenant file, without secrets).
    config: String,
}

/// The ways in: a bearer token (API token or the platform's admin token) or the session cookie.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("frontdesk_session"))),
        );
    }
}

/// The document's frame; the paths come from the router.
#[derive(OpenApi)]
#[openapi(
    info(title = "frontdesk admin API", description = "Operators' API of frontdesk: the business's calendar, customers, calls, callbacks, days off, accounts and configuration. Every entity is scoped to the principal's company; another company's ids answer 404."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

/// Fills in what the router cannot know: the servers' prefix. The paths are registered relative to
/// `/api/v1`, where the router is nested.
pub fn finish(document: &mut utoipa::openapi::OpenApi) {
    let paths = std::mem::take(&mut document.paths.paths);
    document.paths.paths = paths.into_iter().map(|(path, item)| (format!("/api/v1{path}"), item)).collect();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
}
