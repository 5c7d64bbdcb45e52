//! The admin API's reads: lists with filters and cursors, and one call in full.

use axum::extract::{Path, State};
use frontdesk_domain::access::Action;
use frontdesk_domain::call::CallStatus;
use frontdesk_domain::notification::{NotificationKind, NotificationStatus};
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{AppointmentStatus, CallbackStatus, OutboxStatus, Provider, WebhookStatus};
use frontdesk_store::model::{
    AppointmentFilter, CallFilter, CallbackFilter, CustomerFilter, NotificationFilter, OutboxFilter, PageRequest,
    WebhookFilter,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::openapi::{CallDetail, List, ReadErrors};
use super::views::{
    AppointmentView, CallView, CallbackView, CompanyView, CustomerView, EventView, JobView, NotificationView,
};
use super::views::{
    appointment_json, call_json, callback_json, company_json, customer_json, event_json, job_json, notification_json,
    trace_json,
};
use super::{Json, Query, branch, company, instant, list, page, parse_param, staff};
use crate::access::Operator;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/companies`.
#[utoipa::path(
    get,
    path = "/companies",
    tag = "companies",
    responses(
        (status = 200, description = "the companies in scope", body = List<CompanyView>),
        ReadErrors
    )
)]
pub(super) async fn companies(State(state): State<AppState>, op: Operator) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let items: Vec<Value> = dir.companies().filter(|c| scope.covers(c.company.id)).map(company_json).collect();
    Ok(axum::Json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AppointmentParams {
    company: Option<String>,
    branch: Option<String>,
    staff: Option<String>,
    customer: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/appointments`.
#[utoipa::path(
    get,
    path = "/appointments",
    tag = "appointments",
    params(AppointmentParams),
    responses(
        (status = 200, description = "appointments by start", body = List<AppointmentView>),
        ReadErrors
    )
)]
pub(super) async fn appointments(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<AppointmentParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let needs_company = |what: &str| ApiError::bad_request(format!("`{what}` needs `company`"));
    let tz = entry.map_or(TimeZone::UTC, |e| e.company.def.time_zone.clone());
    let filter = AppointmentFilter {
        company: entry.map(|e| e.company.id),
        branch: match &q.branch {
            Some(b) => Some(branch(entry.ok_or_else(|| needs_company("branch"))?, b)?),
            None => None,
        },
        staff: match &q.staff {
            Some(s) => Some(staff(entry.ok_or_else(|| needs_company("staff"))?, s)?),
            None => None,
        },
        customer: q.customer.map(Into::into),
        from: q.from.as_deref().map(|f| instant(f, &tz, "from")).transpose()?,
        to: q.to.as_deref().map(|t| instant(t, &tz, "to")).transpose()?,
        status: parse_param(q.status.as_deref(), AppointmentStatus::parse, "status")?,
    };
    let page = state.store().list_appointments(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, |a| appointment_json(&dir, a))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CustomerParams {
    company: Option<String>,
    phone: Option<String>,
    /// Part of the name (any case), or at least three digits of the number.
    q: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/customers`.
#[utoipa::path(
    get,
    path = "/customers",
    tag = "customers",
    params(CustomerParams),
    responses(
        (status = 200, description = "customers by id", body = List<CustomerView>),
        ReadErrors
    )
)]
pub(super) async fn customers(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CustomerParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let phone = match q.phone.as_deref() {
        Some(p) => {
            let region = entry.map(|e| e.company.def.locale.phone_region());
            Some(E164::parse_lenient(p, region).map_err(|e| ApiError::bad_request(e.to_string()))?)
        }
        None => None,
    };
    let filter = CustomerFilter { company: entry.map(|e| e.company.id), phone, search: q.q.clone() };
    let page = state.store().list_customers(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, customer_json)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CallbackParams {
    company: Option<String>,
    customer: Option<i64>,
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/callbacks`.
#[utoipa::path(
    get,
    path = "/callbacks",
    tag = "callbacks",
    params(CallbackParams),
    responses(
        (status = 200, description = "callback requests by id", body = List<CallbackView>),
        ReadErrors
    )
)]
pub(super) async fn callbacks(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CallbackParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let status = parse_param(q.status.as_deref(), CallbackStatus::parse, "status")?;
    let filter = CallbackFilter { company: entry.map(|e| e.company.id), status, customer: q.customer.map(Into::into) };
    let page = state.store().list_callbacks(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, callback_json)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CallParams {
    company: Option<String>,
    customer: Option<i64>,
    status: Option<String>,
    /// Only calls still ongoing longer than the reconcile threshold.
    stale: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/calls`.
#[utoipa::path(
    get,
    path = "/calls",
    tag = "calls",
    params(CallParams),
    responses(
        (status = 200, description = "calls, newest first", body = List<CallView>),
        ReadErrors
    )
)]
pub(super) async fn calls(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CallParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let status = parse_param(q.status.as_deref(), CallStatus::parse, "status")?;
    let stale_before = q.stale.unwrap_or(false).then(|| {
        Timestamp::now() - jiff::SignedDuration::try_from(state.settings().reconcile_after).unwrap_or_default()
    });
    let filter =
        CallFilter { company: entry.map(|e| e.company.id), status, stale_before, customer: q.customer.map(Into::into) };
    let page = state.store().list_calls(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, |c| call_json(&dir, c))))
}

/// `GET /api/v1/calls/{call_id}`: the call with its function calls and webhook events.
#[utoipa::path(
    get,
    path = "/calls/{call_id}",
    tag = "calls",
    params(("call_id" = String, Path, description = "the voice platform's call id")),
    responses(
        (status = 200, description = "the call with its function calls and deliveries", body = CallDetail),
        ReadErrors
    )
)]
pub(super) async fn call_detail(
    State(state): State<AppState>,
    op: Operator,
    Path(call_id): Path<String>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let call = state
        .store()
        .call_in_scope(scope, &call_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no call `{call_id}`")))?;
    let traces = state.store().traces_of_call(call.id).await?;
    let filter = WebhookFilter { external_call_id: Some(call_id.clone()), ..WebhookFilter::default() };
    let events = state.store().webhook_events(scope, &filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await?;
    let mut body = call_json(&dir, &call);
    body["function_calls"] = traces.iter().map(trace_json).collect();
    body["webhook_events"] = events.items.iter().map(event_json).collect();
    Ok(axum::Json(body))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct EventParams {
    status: Option<String>,
    provider: Option<String>,
    call: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/webhook-events`.
#[utoipa::path(
    get,
    path = "/webhook-events",
    tag = "calls",
    params(EventParams),
    responses(
        (status = 200, description = "deliveries, oldest first", body = List<EventView>),
        ReadErrors
    )
)]
pub(super) async fn webhook_events(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<EventParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let filter = WebhookFilter {
        status: parse_param(q.status.as_deref(), WebhookStatus::parse, "status")?,
        provider: parse_param(q.provider.as_deref(), Provider::parse, "provider")?,
        external_call_id: q.call,
    };
    let page = state.store().webhook_events(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, event_json)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct NotificationParams {
    company: Option<String>,
    /// `pending`, `running`, `sent`, `failed`, `skipped` or `withdrawn`.
    status: Option<String>,
    /// `confirmation`, `moved`, `cancelled`, `reminder` or `callback_alert`.
    kind: Option<String>,
    appointment: Option<i64>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/notifications`.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "appointments",
    params(NotificationParams),
    responses(
        (status = 200, description = "notifications, newest first", body = List<NotificationView>),
        ReadErrors
    )
)]
pub(super) async fn notifications(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<NotificationParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let filter = NotificationFilter {
        company: entry.map(|e| e.company.id),
        status: parse_param(q.status.as_deref(), NotificationStatus::parse, "status")?,
        kind: parse_param(q.kind.as_deref(), NotificationKind::parse, "kind")?,
        appointment: q.appointment.map(Into::into),
    };
    let page = state.store().list_notifications(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, notification_json)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OutboxParams {
    company: Option<String>,
    status: Option<String>,
    appointment: Option<i64>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/outbox`.
#[utoipa::path(
    get,
    path = "/outbox",
    tag = "appointments",
    params(OutboxParams),
    responses(
        (status = 200, description = "Cal.com jobs, oldest first", body = List<JobView>),
        ReadErrors
    )
)]
pub(super) async fn outbox(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<OutboxParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let filter = OutboxFilter {
        company: entry.map(|e| e.company.id),
        status: parse_param(q.status.as_deref(), OutboxStatus::parse, "status")?,
        appointment: q.appointment.map(Into::into),
    };
    let page = state.store().list_jobs(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, job_json)))
}
