//! The admin API under `/api/v1`: bearer-token authenticated JSON for operators and scripts.
//! Lists are `{"items": [...], "next_cursor": ...}`; pass `cursor` to get the next page.

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdesk_domain::availability::{Refusal, Slot};
use frontdesk_domain::call::{CallRecord, CallStatus};
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::{BranchId, CompanyId, StaffId};
use frontdesk_domain::matching::Match;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{
    Appointment, AppointmentSource, AppointmentStatus, CallbackRequest, CallbackStatus, Customer, FunctionTrace,
    OutboxJob, OutboxStatus, Provider, WebhookEvent, WebhookStatus,
};
use frontdesk_domain::tenant::Email;
use frontdesk_store::model::{
    AppointmentFilter, CallFilter, CallbackFilter, CustomerFilter, NewCustomer, OutboxFilter, Page, PageRequest,
    WebhookFilter,
};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::ApiError;
use crate::booking::{self, BookOutcome, BookRequest};
use crate::state::AppState;

/// The `/api/v1` routes, behind the bearer token.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/companies", get(companies))
        .route("/appointments", get(appointments).post(create_appointment))
        .route("/customers", get(customers))
        .route("/callbacks", get(callbacks))
        .route("/calls", get(calls))
        .route("/calls/{call_id}", get(call_detail))
        .route("/webhook-events", get(webhook_events))
        .route("/outbox", get(outbox))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.settings().admin_token.as_deref() else {
        return ApiError::unauthorized("the admin API is disabled: no admin token is configured").into_response();
    };
    let given = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        next.run(request).await
    } else {
        ApiError::unauthorized("missing or wrong bearer token").into_response()
    }
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
fn page(limit: Option<u32>, cursor: &Option<String>) -> PageRequest {
    PageRequest { cursor: cursor.clone(), ..PageRequest::first(limit.unwrap_or(PageRequest::DEFAULT_LIMIT)) }
}

fn company<'d>(dir: &'d Directory, raw: &str) -> Result<&'d CompanyEntry, ApiError> {
    raw.parse::<i64>()
        .ok()
        .and_then(|id| dir.company(CompanyId(id)))
        .or_else(|| dir.company_by_key(raw))
        .ok_or_else(|| ApiError::not_found(format!("no company `{raw}`")))
}

fn branch(entry: &CompanyEntry, raw: &str) -> Result<BranchId, ApiError> {
    entry
        .branches
        .iter()
        .find(|b| b.def.key.as_str() == raw || b.id.0.to_string() == raw)
        .map(|b| b.id)
        .ok_or_else(|| ApiError::not_found(format!("no branch `{raw}` in company `{}`", entry.company.def.key)))
}

fn staff(entry: &CompanyEntry, raw: &str) -> Result<StaffId, ApiError> {
    entry
        .staff
        .iter()
        .find(|s| s.def.key.as_str() == raw || s.id.0.to_string() == raw)
        .map(|s| s.id)
        .ok_or_else(|| ApiError::not_found(format!("no staff member `{raw}` in company `{}`", entry.company.def.key)))
}

/// An instant from RFC 3339, or a date (midnight in `tz`).
fn instant(raw: &str, tz: &TimeZone, field: &str) -> Result<Timestamp, ApiError> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    raw.parse::<Date>()
        .ok()
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| ApiError::bad_request(format!("`{field}` must be an RFC 3339 instant or a date (YYYY-MM-DD)")))
}

fn list<T>(page: Page<T>, render: impl Fn(&T) -> Value) -> Value {
    json!({"items": page.items.iter().map(render).collect::<Vec<_>>(), "next_cursor": page.next_cursor})
}

async fn companies(State(state): State<AppState>) -> Json {
    let dir = state.directory();
    let items: Vec<Value> = dir.companies().map(company_json).collect();
    axum::Json(json!({"items": items, "next_cursor": null}))
}

type Json = axum::Json<Value>;

fn company_json(e: &CompanyEntry) -> Value {
    let c = &e.company.def;
    json!({
        "id": e.company.id,
        "key": c.key,
        "name": c.name,
        "locale": c.locale.tag(),
        "time_zone": c.time_zone.iana_name(),
        "currency": c.currency.code(),
        "branches": e.branches.iter().map(|b| json!({
            "id": b.id,
            "key": b.def.key,
            "name": b.def.name,
            "address": b.def.address,
            "time_zone": b.def.time_zone.iana_name(),
            "phone_numbers": b.def.phone_numbers,
            "hours": b.def.hours,
            "closures": b.def.closures,
        })).collect::<Vec<_>>(),
        "services": e.services.iter().map(|s| json!({
            "id": s.id,
            "key": s.def.key,
            "name": s.def.name,
            "category": s.def.category,
            "synonyms": s.def.synonyms,
            "duration_minutes": s.def.duration(),
            "price_cents": s.def.price.map(|p| p.0),
            "buffer_before": s.def.buffer_before,
            "buffer_after": s.def.buffer_after,
            "minimum_notice_minutes": s.def.minimum_notice,
            "booking_window_days": s.def.booking_window_days,
            "slot_interval_minutes": s.def.slot_interval,
            "segments": s.def.segments,
        })).collect::<Vec<_>>(),
        "calcom": e.calcom.as_ref().map(|link| json!({
            "connected": true,
            "event_types": link.event_types.iter()
                .map(|(service, id)| (e.service(*service).map_or_else(|| service.to_string(), |s| s.def.key.to_string()), json!(id)))
                .collect::<serde_json::Map<_, _>>(),
            "users": link.users.iter()
                .map(|(staff, id)| (e.staff_member(*staff).map_or_else(|| staff.to_string(), |s| s.def.key.to_string()), json!(id)))
                .collect::<serde_json::Map<_, _>>(),
        })),
        "staff": e.staff.iter().map(|s| json!({
            "id": s.id,
            "key": s.def.key,
            "name": s.def.name,
            "branch": e.branch(s.branch_id).map(|b| b.def.key.as_str()),
            "services": s.def.services,
            "hours": s.def.hours,
            "absences": s.def.absences,
        })).collect::<Vec<_>>(),
    })
}

/// An appointment for operators: ids and keys, UTC and branch-local times.
pub fn appointment_json(dir: &Directory, a: &Appointment) -> Value {
    let entry = dir.company(a.company_id);
    let tz = entry.and_then(|e| e.branch(a.branch_id)).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let key = |k: Option<&str>| k.map(str::to_owned);
    json!({
        "id": a.id,
        "company": key(entry.map(|e| e.company.def.key.as_str())),
        "branch": key(entry.and_then(|e| e.branch(a.branch_id)).map(|b| b.def.key.as_str())),
        "service": key(entry.and_then(|e| e.service(a.service_id)).map(|s| s.def.key.as_str())),
        "staff": key(entry.and_then(|e| e.staff_member(a.staff_id)).map(|s| s.def.key.as_str())),
        "company_id": a.company_id,
        "customer_id": a.customer_id,
        "start": a.range.start(),
        "end": a.range.end(),
        "local_start": local(a.range.start(), &tz),
        "status": a.status,
        "source": a.source,
        "call_id": a.call_id,
        "reschedule_count": a.reschedule_count,
        "notes": a.notes,
        "cancelled_at": a.cancelled_at,
        "cancellation_fee_cents": a.cancellation_fee.map(|f| f.0),
        "calcom_uid": a.calcom_uid,
        "created_at": a.created_at,
        "segments": a.segments.iter().map(|s| json!({
            "name": s.name,
            "start": s.range.start(),
            "end": s.range.end(),
            "staff_busy": s.staff_busy,
            "blocks_from": s.block.map(|b| b.start()),
            "blocks_until": s.block.map(|b| b.end()),
        })).collect::<Vec<_>>(),
    })
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A slot offered as an alternative.
pub fn slot_json(entry: &CompanyEntry, tz: &TimeZone, slot: &Slot) -> Value {
    json!({
        "start": slot.start,
        "end": slot.end,
        "local_start": local(slot.start, tz),
        "staff": entry.staff_member(slot.staff_id).map(|s| s.def.key.as_str()),
    })
}

fn customer_json(c: &Customer) -> Value {
    json!({
        "id": c.id,
        "company_id": c.company_id,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "created_at": c.created_at,
    })
}

fn callback_json(c: &CallbackRequest) -> Value {
    json!({
        "id": c.id,
        "company_id": c.company_id,
        "branch_id": c.branch_id,
        "call_id": c.call_id,
        "customer_id": c.customer_id,
        "name": c.name,
        "phone": c.phone,
        "reason": c.reason,
        "preferred_time": c.preferred_time,
        "status": c.status,
        "created_at": c.created_at,
    })
}

#[derive(Deserialize)]
struct AppointmentParams {
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

async fn appointments(State(state): State<AppState>, Query(q): Query<AppointmentParams>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, c)).transpose()?;
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
        status: q
            .status
            .as_deref()
            .map(|s| AppointmentStatus::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`"))))
            .transpose()?,
    };
    let page = state.store().list_appointments(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, |a| appointment_json(&dir, a))))
}

#[derive(Deserialize)]
struct CustomerParams {
    company: Option<String>,
    phone: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn customers(State(state): State<AppState>, Query(q): Query<CustomerParams>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, c)).transpose()?;
    let phone = match q.phone.as_deref() {
        Some(p) => {
            let region = entry.map(|e| e.company.def.locale.phone_region());
            Some(E164::parse_lenient(p, region).map_err(|e| ApiError::bad_request(e.to_string()))?)
        }
        None => None,
    };
    let filter = CustomerFilter { company: entry.map(|e| e.company.id), phone };
    let page = state.store().list_customers(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, customer_json)))
}

#[derive(Deserialize)]
struct CallbackParams {
    company: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn callbacks(State(state): State<AppState>, Query(q): Query<CallbackParams>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, c)).transpose()?;
    let status = q
        .status
        .as_deref()
        .map(|s| CallbackStatus::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`"))))
        .transpose()?;
    let filter = CallbackFilter { company: entry.map(|e| e.company.id), status };
    let page = state.store().list_callbacks(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, callback_json)))
}

#[derive(Deserialize)]
struct CallParams {
    company: Option<String>,
    status: Option<String>,
    /// Only calls still ongoing longer than the reconcile threshold.
    stale: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// A call for operators.
pub fn call_json(dir: &Directory, c: &CallRecord) -> Value {
    let company = c.links.company_id.and_then(|id| dir.company(id));
    // Operators see numbers in full (the admin API is authenticated); logs never do.
    let number = |n: &Option<String>| n.clone();
    json!({
        "id": c.id,
        "call_id": c.external_id,
        "company": company.map(|e| e.company.def.key.as_str()),
        "branch": company.zip(c.links.branch_id).and_then(|(e, b)| e.branch(b)).map(|b| b.def.key.as_str()),
        "customer_id": c.links.customer_id,
        "status": c.status,
        "from_number": number(&c.facts.from_number),
        "to_number": number(&c.facts.to_number),
        "agent_id": c.facts.agent_id,
        "direction": c.facts.direction,
        "started_at": c.facts.started_at,
        "ended_at": c.facts.ended_at,
        "duration_ms": c.facts.duration_ms,
        "disconnection_reason": c.facts.disconnection_reason,
        "transcript": c.facts.transcript,
        "recording_url": c.facts.recording_url,
        "public_log_url": c.facts.public_log_url,
        "analysis": c.facts.analysis.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok()),
        "cost_cents": c.facts.cost.map(|c| c.0),
        "first_seen_at": c.first_seen_at,
        "last_event_at": c.last_event_at,
    })
}

fn trace_json(t: &FunctionTrace) -> Value {
    json!({
        "id": t.id,
        "name_sent": t.name_sent,
        "function": t.function,
        "arguments": t.arguments,
        "response": t.response,
        "status": t.status,
        "success": t.success,
        "replayed": t.replayed,
        "duration_us": t.duration_us,
        "created_at": t.created_at,
    })
}

/// A webhook delivery for operators.
pub fn event_json(e: &WebhookEvent) -> Value {
    json!({
        "id": e.id,
        "provider": e.provider,
        "event": e.event_type,
        "dedupe_key": e.dedupe_key,
        "call_id": e.external_call_id,
        "company_id": e.company_id,
        "status": e.status,
        "error": e.error,
        "attempts": e.attempts,
        "received_at": e.received_at,
        "processed_at": e.processed_at,
        "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::String(e.payload.clone())),
    })
}

async fn calls(State(state): State<AppState>, Query(q): Query<CallParams>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, c)).transpose()?;
    let status = q
        .status
        .as_deref()
        .map(|s| CallStatus::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`"))))
        .transpose()?;
    let stale_before = q.stale.unwrap_or(false).then(|| {
        Timestamp::now() - jiff::SignedDuration::try_from(state.settings().reconcile_after).unwrap_or_default()
    });
    let filter = CallFilter { company: entry.map(|e| e.company.id), status, stale_before };
    let page = state.store().list_calls(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, |c| call_json(&dir, c))))
}

async fn call_detail(State(state): State<AppState>, Path(call_id): Path<String>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let call =
        state.store().call(&call_id).await?.ok_or_else(|| ApiError::not_found(format!("no call `{call_id}`")))?;
    let traces = state.store().traces_of_call(call.id).await?;
    let filter = WebhookFilter { external_call_id: Some(call_id.clone()), ..WebhookFilter::default() };
    let events = state.store().webhook_events(&filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await?;
    let mut body = call_json(&dir, &call);
    body["function_calls"] = traces.iter().map(trace_json).collect();
    body["webhook_events"] = events.items.iter().map(event_json).collect();
    Ok(axum::Json(body))
}

#[derive(Deserialize)]
struct EventParams {
    status: Option<String>,
    provider: Option<String>,
    call: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn webhook_events(State(state): State<AppState>, Query(q): Query<EventParams>) -> Result<Json, ApiError> {
    let filter = WebhookFilter {
        status: q
            .status
            .as_deref()
            .map(|s| WebhookStatus::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`"))))
            .transpose()?,
        provider: q
            .provider
            .as_deref()
            .map(|p| Provider::parse(p).ok_or_else(|| ApiError::bad_request(format!("unknown provider `{p}`"))))
            .transpose()?,
        external_call_id: q.call,
    };
    let page = state.store().webhook_events(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, event_json)))
}

#[derive(Deserialize)]
struct OutboxParams {
    company: Option<String>,
    status: Option<String>,
    appointment: Option<i64>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// An outbox job for operators.
pub fn job_json(j: &OutboxJob) -> Value {
    json!({
        "id": j.id,
        "company_id": j.company_id,
        "appointment_id": j.appointment_id,
        "kind": j.kind,
        "status": j.status,
        "attempts": j.attempts,
        "run_after": j.run_after,
        "last_error": j.last_error,
        "payload": j.payload,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
    })
}

async fn outbox(State(state): State<AppState>, Query(q): Query<OutboxParams>) -> Result<Json, ApiError> {
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, c)).transpose()?;
    let filter = OutboxFilter {
        company: entry.map(|e| e.company.id),
        status: q
            .status
            .as_deref()
            .map(|s| OutboxStatus::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`"))))
            .transpose()?,
        appointment: q.appointment.map(Into::into),
    };
    let page = state.store().list_jobs(&filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, job_json)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAppointmentBody {
    company: String,
    branch: Option<String>,
    service: String,
    staff: Option<String>,
    /// RFC 3339 with offset, or a local date-time (`2026-03-10T14:00`) at the branch.
    start: String,
    customer: CustomerBody,
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerBody {
    name: String,
    phone: Option<String>,
    email: Option<String>,
}

async fn create_appointment(State(state): State<AppState>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let body: NewAppointmentBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?;
    let dir = state.directory();
    let entry = company(&dir, &body.company)?;
    let branch_id = match &body.branch {
        Some(b) => branch(entry, b)?,
        None => entry.branches.first().map(|b| b.id).ok_or_else(|| ApiError::not_found("the company has no branch"))?,
    };
    let tz = entry.branch(branch_id).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let service = match entry.find_service(&body.service) {
        Match::One(s) => s.id,
        _ => return Err(ApiError::not_found(format!("no unique service `{}`", body.service))),
    };
    let staff_id = body.staff.as_deref().map(|s| staff(entry, s)).transpose()?;
    if let Some(s) = staff_id.and_then(|s| entry.staff_member(s))
        && !s.performs(service)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "staff_cannot_provide_service",
            format!("{} does not perform this service", s.def.name),
        ));
    }
    let start = match body.start.parse::<Timestamp>() {
        Ok(t) => t,
        Err(_) => body
            .start
            .parse::<DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp())
            .ok_or_else(|| ApiError::bad_request("`start` must be RFC 3339 or a local date-time YYYY-MM-DDTHH:MM"))?,
    };
    let region = entry.company.def.locale.phone_region();
    let phone = body
        .customer
        .phone
        .as_deref()
        .map(|p| E164::parse_lenient(p, Some(region)).map_err(|e| ApiError::bad_request(e.to_string())))
        .transpose()?;
    let email = match body.customer.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => {
            Some(Email::parse(e).ok_or_else(|| ApiError::bad_request(format!("`{e}` is not an e-mail address")))?)
        }
    };
    let request = BookRequest {
        branch: branch_id,
        service,
        staff: staff_id,
        start,
        customer: NewCustomer { name: Some(body.customer.name), phone, email },
        source: AppointmentSource::Admin,
        call_id: None,
        notes: body.notes,
        window: None,
    };
    let now = state.settings().clock.now();
    let mut tx = state.store().begin().await?;
    let outcome = booking::book(tx.as_mut(), entry, &request, now).await?;
    tx.commit().await?;
    Ok(match outcome {
        BookOutcome::Booked { appointment, .. } => {
            (StatusCode::CREATED, axum::Json(appointment_json(&dir, &appointment))).into_response()
        }
        BookOutcome::Unavailable { refusal, alternatives } => {
            let status = match refusal {
                Refusal::Taken => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let code = refusal.as_str();
            let alternatives: Vec<Value> = alternatives.iter().map(|s| slot_json(entry, &tz, s)).collect();
            (
                status,
                axum::Json(json!({
                    "error": {"code": code, "message": "that time cannot be booked"},
                    "alternatives": alternatives,
                })),
            )
                .into_response()
        }
    })
}
