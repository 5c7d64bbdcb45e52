//! Appointments for operators: read one, book, move, edit notes and outcome, cancel.
//!
//! Operators are bound by opening hours, staff hours and I1 but not by the caller policies
//! (notice, quotas, fees): what they override is answered in `overridden` and audited.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use frontdesk_domain::access::{Action, Principal};
use frontdesk_domain::availability::{Refusal, Slot};
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::{AppointmentId, CompanyId};
use frontdesk_domain::matching::Match;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{AppointmentSource, AppointmentStatus};
use frontdesk_domain::tenant::Email;
use frontdesk_store::StoreError;
use frontdesk_store::model::{AppointmentEdit, NewCustomer, Owned};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::openapi::{AccessErrors, AppointmentChanged, ChangeErrors, ReadErrors, RefusalBody};
use super::views::AppointmentView;
use super::views::{appointment_json, slot_json};
use super::write::{self, Answer, Audit, Idempotency};
use super::{Json, branch, company, json_body, missing, owner, staff};
use crate::access::Operator;
use crate::booking::{
    self, Attempt, Authority, BookOutcome, BookRequest, CancelOutcome, CancelRequest, RescheduleOutcome,
    RescheduleRequest,
};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company": "friseur1", "service": "herrenhaarschnitt", "staff": "mehmet", "start": "2026-03-10T14:00", "customer": {"name": "Hans Müller", "phone": "+491604366218"}}))]
pub(crate) struct NewAppointmentBody {
    pub(crate) company: String,
    pub(crate) branch: Option<String>,
    pub(crate) service: String,
    pub(crate) staff: Option<String>,
    /// RFC 3339 with offset, or a local date-time (`2026-03-10T14:00`) at the branch.
    pub(crate) start: String,
    pub(crate) customer: CustomerBody,
    pub(crate) notes: Option<String>,
    /// The appointment is for somebody else than the customer: it may overlap theirs.
    #[serde(default)]
    pub(crate) another_person: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerBody {
    pub(crate) name: String,
    /// How to address them ("Frau", "Mr."), if known.
    pub(crate) salutation: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
}

/// `GET /appointments/{id}`.
#[utoipa::path(
    get,
    path = "/appointments/{id}",
    tag = "appointments",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "the appointment", body = AppointmentView),
        ReadErrors
    )
)]
pub(super) async fn appointment(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let id = AppointmentId(id);
    let company = owner(&state, scope, Owned::Appointment(id)).await?;
    let found = state.store().appointment(company, id).await?.ok_or_else(|| missing(Owned::Appointment(id)))?;
    Ok(axum::Json(appointment_json(&state.directory(), &found)))
}

/// A start as RFC 3339 or a local date-time at the branch.
fn parse_start(raw: &str, tz: &TimeZone) -> Result<Timestamp, ApiError> {
    match raw.parse::<Timestamp>() {
        Ok(t) => Ok(t),
        Err(_) => {
            raw.parse::<DateTime>().ok().and_then(|dt| dt.to_zoned(tz.clone()).ok()).map(|z| z.timestamp()).ok_or_else(
                || ApiError::invalid_field("start", "must be RFC 3339 or a local date-time YYYY-MM-DDTHH:MM"),
            )
        }
    }
}

/// The answer to a time that cannot be booked: 409 for a taken slot, 422 otherwise, with the
/// nearest alternatives.
fn unavailable(entry: &CompanyEntry, tz: &TimeZone, refusal: Refusal, alternatives: &[Slot]) -> Answer {
    let conflict = booking::outward(refusal, Attempt::Book).conflict;
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let alternatives: Vec<Value> = alternatives.iter().map(|s| slot_json(entry, tz, s)).collect();
    Answer::new(
        status,
        json!({
            "error": {"code": refusal.as_str(), "message": "that time cannot be booked"},
            "alternatives": alternatives,
        }),
    )
}

/// `POST /appointments`: books for an operator.
#[utoipa::path(
    post,
    path = "/appointments",
    tag = "appointments",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewAppointmentBody,
    responses(
        (status = 201, description = "booked", body = AppointmentChanged),
        (status = 409, description = "slot taken (with alternatives) or the customer booked then already", body = RefusalBody),
        (status = 422, description = "cannot be booked then (with alternatives), or fields at fault", body = RefusalBody),
        AccessErrors
    )
)]
pub(super) async fn create_appointment(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/appointments", &headers, &body)?;
    let body: NewAppointmentBody = json_body(&body)?;
    create(&state, principal, key, body).await
}

/// Books for an operator: the API's `POST /appointments` and the dashboard's booking form.
pub(crate) async fn create(
    state: &AppState,
    principal: Principal,
    key: Option<Idempotency>,
    body: NewAppointmentBody,
) -> Result<Response, ApiError> {
    let dir = state.directory();
    let entry = company(&dir, principal.scope, &body.company)?;
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
    let start = parse_start(&body.start, &tz)?;
    let region = entry.company.def.locale.phone_region();
    let phone = body
        .customer
        .phone
        .as_deref()
        .map(|p| {
            E164::parse_lenient(p, Some(region)).map_err(|e| ApiError::invalid_field("customer.phone", e.to_string()))
        })
        .transpose()?;
    let email = match body.customer.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => {
            Some(Email::parse(e).ok_or_else(|| ApiError::invalid_field("customer.email", "not an e-mail address"))?)
        }
    };
    let request = BookRequest {
        branch: branch_id,
        service,
        staff: staff_id,
        start,
        customer: NewCustomer { name: Some(body.customer.name), salutation: body.customer.salutation, phone, email },
        source: AppointmentSource::Admin,
        call_id: None,
        notes: body.notes,
        window: None,
        another_person: body.another_person,
    };
    let now = state.settings().clock.now();
    let company_id = entry.company.id;
    let within_notice =
        booking::engine(entry, branch_id, service, staff_id, now).is_some_and(|e| e.within_minimum_notice(start));
    write::run(state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let entry = dir.company(company_id).ok_or(StoreError::NotFound("company"))?;
            Ok(match booking::book(tx, entry, &request, now).await? {
                BookOutcome::Booked { appointment, .. } => {
                    let overridden: Vec<&str> = if within_notice { vec!["minimum_notice"] } else { Vec::new() };
                    let mut body = appointment_json(&dir, &appointment);
                    let audit = Audit {
                        principal: &principal,
                        company: Some(company_id),
                        action: "appointment.create",
                        entity: "appointment",
                        id: appointment.id.to_string(),
                    };
                    audit.write(tx, None, Some(body.clone()), &overridden).await?;
                    body["overridden"] = json!(overridden);
                    Answer::new(StatusCode::CREATED, body)
                }
                BookOutcome::AlreadyBooked { existing } => Answer::new(
                    StatusCode::CONFLICT,
                    json!({
                        "error": {"code": "customer_already_booked",
                                  "message": "the customer already has an appointment at that time; set `another_person` to book anyway"},
                        "appointment": appointment_json(&dir, &existing),
                    }),
                ),
                BookOutcome::Unavailable { refusal, alternatives } => unavailable(entry, &tz, refusal, &alternatives),
            })
        })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "2026-03-10T15:00", "staff": "anna"}))]
#[derive(Default)]
pub(crate) struct ChangeBody {
    /// New start (RFC 3339 or a local date-time at the branch).
    pub(crate) start: Option<String>,
    /// New staff member (key or id).
    pub(crate) staff: Option<String>,
    /// New notes; `null` clears them.
    #[serde(default, deserialize_with = "present")]
    pub(crate) notes: Option<Option<String>>,
    /// `booked`, `completed` or `no_show`.
    pub(crate) status: Option<String>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PATCH /appointments/{id}`: move (new start and/or staff), edit notes, set the outcome.
#[utoipa::path(
    patch,
    path = "/appointments/{id}",
    tag = "appointments",
    params(("id" = i64, Path, description = "the id")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "changed", body = AppointmentChanged),
        (status = 409, description = "slot taken (with alternatives), customer booked then, or not booked", body = RefusalBody),
        (status = 422, description = "cannot be booked then (with alternatives), or fields at fault", body = RefusalBody),
        AccessErrors
    )
)]
pub(super) async fn change_appointment(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    // A missing or another company's appointment is not found before the body is looked at.
    let company = owner(&state, principal.scope, Owned::Appointment(AppointmentId(id))).await?;
    let body: ChangeBody = json_body(&body)?;
    change(&state, principal, company, AppointmentId(id), body).await
}

/// Moves, edits notes or sets the outcome of an appointment of `company_id` (its owner within
/// the principal's scope, found by [`owner`]): the API's `PATCH` and the dashboard's forms.
pub(crate) async fn change(
    state: &AppState,
    principal: Principal,
    company_id: CompanyId,
    id: AppointmentId,
    body: ChangeBody,
) -> Result<Response, ApiError> {
    let dir = state.directory();
    let entry = dir.company(company_id).ok_or_else(|| missing(Owned::Appointment(id)))?;
    let current = state.store().appointment(company_id, id).await?.ok_or_else(|| missing(Owned::Appointment(id)))?;
    let tz = entry.branch(current.branch_id).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let mut errors = Vec::new();
    let new_start = match body.start.as_deref().map(|s| parse_start(s, &tz)).transpose() {
        Ok(s) => s,
        Err(e) => {
            errors.extend(e.fields);
            None
        }
    };
    let new_staff = match body.staff.as_deref() {
        Some(s) => match staff(entry, s) {
            Ok(staff) if entry.staff_member(staff).is_some_and(|m| m.performs(current.service_id)) => Some(staff),
            Ok(_) => {
                errors.push(FieldError::new("staff", "does not perform this appointment's service"));
                None
            }
            Err(_) => {
                errors.push(FieldError::new("staff", format!("no staff member `{s}`")));
                None
            }
        },
        None => None,
    };
    let status = match body.status.as_deref() {
        None => None,
        Some(s) => match AppointmentStatus::parse(s) {
            Some(st @ (AppointmentStatus::Booked | AppointmentStatus::Completed | AppointmentStatus::NoShow)) => {
                Some(st)
            }
            _ => {
                errors.push(FieldError::new(
                    "status",
                    "must be `booked`, `completed` or `no_show`; cancel with POST …/cancel",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let moves = new_start.is_some() || new_staff.is_some();
    if !moves && body.notes.is_none() && status.is_none() {
        return Err(ApiError::invalid_field("start", "nothing to change: give `start`, `staff`, `notes` or `status`"));
    }
    let now = state.settings().clock.now();
    write::run(state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let entry = dir.company(company_id).ok_or(StoreError::NotFound("company"))?;
            let Some(before) = tx.lock_appointment(company_id, id).await? else {
                return Ok(Answer::from(missing(Owned::Appointment(id))));
            };
            if before.status == AppointmentStatus::Cancelled {
                return Ok(Answer::from(ApiError::conflict("appointment_cancelled", "the appointment is cancelled")));
            }
            let mut overridden: Vec<&'static str> = Vec::new();
            let mut after = before.clone();
            if moves {
                if before.status != AppointmentStatus::Booked {
                    return Ok(Answer::from(ApiError::conflict(
                        "appointment_not_booked",
                        "only a booked appointment can be moved",
                    )));
                }
                let request = RescheduleRequest {
                    id,
                    new_start: new_start.unwrap_or(before.range.start()),
                    window: None,
                    call_id: None,
                    authority: Authority::Operator,
                    // An operator's calendar is explicit: without a new staff member the
                    // appointment stays with its own, rather than going to whoever is free.
                    staff: Some(new_staff.unwrap_or(before.staff_id)),
                };
                match booking::reschedule(tx, entry, request, |_| true, now).await? {
                    RescheduleOutcome::Rescheduled { appointment, overridden: o, .. } => {
                        after = appointment;
                        overridden = o;
                    }
                    RescheduleOutcome::Unavailable { refusal, alternatives } => {
                        return Ok(unavailable(entry, &tz, refusal, &alternatives));
                    }
                    RescheduleOutcome::AlreadyBooked { existing } => {
                        return Ok(Answer::new(
                            StatusCode::CONFLICT,
                            json!({
                                "error": {"code": "customer_already_booked",
                                          "message": "the customer has another appointment at that time"},
                                "appointment": appointment_json(&dir, &existing),
                            }),
                        ));
                    }
                    // Operators are not denied by policy; a lost appointment is not found.
                    RescheduleOutcome::Denied { .. } | RescheduleOutcome::NotFound => {
                        return Ok(Answer::from(missing(Owned::Appointment(id))));
                    }
                }
            }
            if body.notes.is_some() || status.is_some() {
                let edit = AppointmentEdit { notes: body.notes, status };
                after = tx.edit_appointment(company_id, id, &edit, now).await?;
            }
            let action = if moves { "appointment.move" } else { "appointment.edit" };
            let (before_json, mut after_json) = (appointment_json(&dir, &before), appointment_json(&dir, &after));
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action,
                entity: "appointment",
                id: id.to_string(),
            };
            audit.write(tx, Some(before_json), Some(after_json.clone()), &overridden).await?;
            after_json["overridden"] = json!(overridden);
            Ok(Answer::ok(after_json))
        })
    })
    .await
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "ill"}))]
pub(crate) struct CancelBody {
    /// Why (kept with the appointment).
    pub(crate) reason: Option<String>,
}

/// `POST /appointments/{id}/cancel`: cancels without a fee, whatever the notice.
#[utoipa::path(
    post,
    path = "/appointments/{id}/cancel",
    tag = "appointments",
    params(("id" = i64, Path, description = "the id"), ("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = CancelBody,
    responses(
        (status = 200, description = "cancelled", body = AppointmentChanged),
        ChangeErrors
    )
)]
pub(super) async fn cancel_appointment(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let id = AppointmentId(id);
    let company = owner(&state, principal.scope, Owned::Appointment(id)).await?;
    let key = Idempotency::of(&Method::POST, &format!("/api/v1/appointments/{id}/cancel"), &headers, &body)?;
    let body: CancelBody = if body.is_empty() { CancelBody::default() } else { json_body(&body)? };
    cancel(&state, principal, company, id, key, body).await
}

/// Cancels an appointment of `company_id` (found by [`owner`]) without a fee: the API's
/// `POST …/cancel` and the dashboard's form.
pub(crate) async fn cancel(
    state: &AppState,
    principal: Principal,
    company_id: CompanyId,
    id: AppointmentId,
    key: Option<Idempotency>,
    body: CancelBody,
) -> Result<Response, ApiError> {
    let dir = state.directory();
    let now = state.settings().clock.now();
    write::run(state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let entry = dir.company(company_id).ok_or(StoreError::NotFound("company"))?;
            let Some(before) = tx.lock_appointment(company_id, id).await? else {
                return Ok(Answer::from(missing(Owned::Appointment(id))));
            };
            if before.status != AppointmentStatus::Booked {
                return Ok(Answer::from(ApiError::conflict(
                    "appointment_not_booked",
                    format!("the appointment is {}, not booked", before.status),
                )));
            }
            let request = CancelRequest {
                id,
                reason: body.reason,
                fee_accepted: false,
                call_id: None,
                authority: Authority::Operator,
            };
            Ok(match booking::cancel(tx, entry, request, |_| true, now).await? {
                CancelOutcome::Cancelled { appointment, overridden, .. } => {
                    let mut after = appointment_json(&dir, &appointment);
                    let audit = Audit {
                        principal: &principal,
                        company: Some(company_id),
                        action: "appointment.cancel",
                        entity: "appointment",
                        id: id.to_string(),
                    };
                    audit.write(tx, Some(appointment_json(&dir, &before)), Some(after.clone()), &overridden).await?;
                    after["overridden"] = json!(overridden);
                    Answer::ok(after)
                }
                CancelOutcome::Denied { .. } | CancelOutcome::NotFound => Answer::from(missing(Owned::Appointment(id))),
            })
        })
    })
    .await
}
