//! Days off entered by operators: a branch closed for a day, a staff member away. Bookings read
//! them inside their own transaction, so one made a moment after an entry already respects it;
//! the answer lists the booked appointments the entry now concerns, for the team to move.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use frontdesk_domain::access::{Action, Scope};
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::{AbsenceId, ClosureId};
use frontdesk_domain::records::AppointmentStatus;
use frontdesk_domain::time::DateSpan;
use frontdesk_store::model::{Absence, AppointmentFilter, Closure, Owned, PageRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::openapi::{
    AbsenceAdded, AbsenceView, AccessErrors, ChangeErrors, ClosureAdded, ClosureView, List, ReadErrors,
};
use super::views::appointment_json;
use super::write::{self, Answer, Audit, Idempotency};
use super::{Json, Query, branch, company, json_body, missing, owner, staff};
use crate::access::Operator;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

fn closure_json(dir: &Directory, c: &Closure) -> Value {
    let entry = dir.company(c.company_id);
    json!({
        "id": c.id,
        "company_id": c.company_id,
        "branch": entry.and_then(|e| e.branch(c.branch_id)).map(|b| b.def.key.to_string()),
        "branch_id": c.branch_id,
        "date": c.day,
        "note": c.note,
        "created_at": c.created_at,
    })
}

fn absence_json(dir: &Directory, a: &Absence) -> Value {
    let entry = dir.company(a.company_id);
    json!({
        "id": a.id,
        "company_id": a.company_id,
        "staff": entry.and_then(|e| e.staff_member(a.staff_id)).map(|s| s.def.key.to_string()),
        "staff_id": a.staff_id,
        "from": a.span.from(),
        "to": a.span.to(),
        "note": a.note,
        "created_at": a.created_at,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    company: Option<String>,
}

/// `GET /closures`.
#[utoipa::path(
    get,
    path = "/closures",
    tag = "days off",
    params(ListParams),
    responses(
        (status = 200, description = "closures by day", body = List<ClosureView>),
        ReadErrors
    )
)]
pub(super) async fn closures(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<ListParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let asked = q.company.as_deref().map(|c| company(&dir, scope, c).map(|e| e.company.id)).transpose()?;
    let items = state.store().closures(scope, asked).await?;
    Ok(axum::Json(
        json!({"items": items.iter().map(|c| closure_json(&dir, c)).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

/// `GET /absences`.
#[utoipa::path(
    get,
    path = "/absences",
    tag = "days off",
    params(ListParams),
    responses(
        (status = 200, description = "absences by first day", body = List<AbsenceView>),
        ReadErrors
    )
)]
pub(super) async fn absences(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<ListParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let asked = q.company.as_deref().map(|c| company(&dir, scope, c).map(|e| e.company.id)).transpose()?;
    let items = state.store().absences(scope, asked).await?;
    Ok(axum::Json(
        json!({"items": items.iter().map(|a| absence_json(&dir, a)).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

fn date(field: &str, raw: &str) -> Result<Date, FieldError> {
    raw.parse::<Date>().map_err(|_| FieldError::new(field, "must be a date YYYY-MM-DD"))
}

/// Booked appointments in `[from, to]` (local days) matching `filter`: what an entry concerns.
async fn concerned(
    state: &AppState,
    dir: &Directory,
    entry: &CompanyEntry,
    tz: &TimeZone,
    span: DateSpan,
    mut filter: AppointmentFilter,
) -> Result<Vec<Value>, ApiError> {
    let start = span.from().to_zoned(tz.clone()).map_err(|_| ApiError::internal())?.timestamp();
    let end = span.to().tomorrow().and_then(|d| d.to_zoned(tz.clone())).map_err(|_| ApiError::internal())?.timestamp();
    filter.company = Some(entry.company.id);
    filter.from = Some(start);
    filter.to = Some(end);
    filter.status = Some(AppointmentStatus::Booked);
    let page = state
        .store()
        .list_appointments(Scope::Company(entry.company.id), &filter, &PageRequest::first(PageRequest::MAX_LIMIT))
        .await?;
    Ok(page.items.iter().map(|a| appointment_json(dir, a)).collect())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company": "friseur1", "date": "2026-03-12", "note": "water damage"}))]
pub(super) struct NewClosure {
    company: String,
    /// Key or id; the company's first branch if omitted.
    branch: Option<String>,
    date: String,
    note: Option<String>,
}

/// `POST /closures`.
#[utoipa::path(
    post,
    path = "/closures",
    tag = "days off",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewClosure,
    responses(
        (status = 201, description = "closed", body = ClosureAdded),
        ChangeErrors
    )
)]
pub(crate) async fn add_closure(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/closures", &headers, &body)?;
    let body: NewClosure = json_body(&body)?;
    let dir = state.directory();
    let entry = company(&dir, principal.scope, &body.company)?;
    let branch_id = match &body.branch {
        Some(b) => branch(entry, b).map_err(|_| ApiError::invalid_field("branch", format!("no branch `{b}`")))?,
        None => entry
            .branches
            .first()
            .map(|b| b.id)
            .ok_or_else(|| ApiError::invalid_field("branch", "the company has no branch"))?,
    };
    let day = date("date", &body.date).map_err(|e| ApiError::invalid(vec![e]))?;
    let tz = entry.branch(branch_id).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let span = DateSpan::new(day, day).ok_or_else(ApiError::internal)?;
    let filter = AppointmentFilter { branch: Some(branch_id), ..AppointmentFilter::default() };
    let affected = concerned(&state, &dir, entry, &tz, span, filter).await?;
    let company_id = entry.company.id;
    write::run(&state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            if tx.days_off(company_id, day, day).await?.closed(branch_id, day) {
                return Ok(Answer::from(ApiError::conflict("already_closed", "the branch is already closed that day")));
            }
            let closure = tx.add_closure(company_id, branch_id, day, body.note.as_deref(), Timestamp::now()).await?;
            let mut body = closure_json(&dir, &closure);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "closure.add",
                entity: "closure",
                id: closure.id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            body["appointments_affected"] = json!(affected);
            Ok(Answer::new(StatusCode::CREATED, body))
        })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company": "friseur1", "staff": "anna", "from": "2026-03-11", "to": "2026-03-13"}))]
pub(super) struct NewAbsence {
    company: String,
    staff: String,
    from: String,
    /// The last day away; the same day as `from` if omitted.
    to: Option<String>,
    note: Option<String>,
}

/// `POST /absences`.
#[utoipa::path(
    post,
    path = "/absences",
    tag = "days off",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewAbsence,
    responses(
        (status = 201, description = "entered", body = AbsenceAdded),
        ChangeErrors
    )
)]
pub(crate) async fn add_absence(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/absences", &headers, &body)?;
    let body: NewAbsence = json_body(&body)?;
    let dir = state.directory();
    let entry = company(&dir, principal.scope, &body.company)?;
    let mut errors = Vec::new();
    let staff_id = staff(entry, &body.staff)
        .map_err(|_| errors.push(FieldError::new("staff", format!("no staff member `{}`", body.staff))))
        .ok();
    let from = date("from", &body.from).map_err(|e| errors.push(e)).ok();
    let to = match body.to.as_deref() {
        Some(t) => date("to", t).map_err(|e| errors.push(e)).ok(),
        None => from,
    };
    let span = match (from, to) {
        (Some(f), Some(t)) => DateSpan::new(f, t).or_else(|| {
            errors.push(FieldError::new("to", "lies before `from`"));
            None
        }),
        _ => None,
    };
    let (Some(staff_id), Some(span)) = (staff_id, span) else { return Err(ApiError::invalid(errors)) };
    let tz = entry
        .staff_member(staff_id)
        .and_then(|s| entry.branch(s.branch_id))
        .map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let filter = AppointmentFilter { staff: Some(staff_id), ..AppointmentFilter::default() };
    let affected = concerned(&state, &dir, entry, &tz, span, filter).await?;
    let company_id = entry.company.id;
    write::run(&state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let absence = tx.add_absence(company_id, staff_id, span, body.note.as_deref(), Timestamp::now()).await?;
            let mut body = absence_json(&dir, &absence);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "absence.add",
                entity: "absence",
                id: absence.id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            body["appointments_affected"] = json!(affected);
            Ok(Answer::new(StatusCode::CREATED, body))
        })
    })
    .await
}

/// `DELETE /closures/{id}`.
#[utoipa::path(
    delete,
    path = "/closures/{id}",
    tag = "days off",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "removed", body = ClosureView),
        AccessErrors
    )
)]
pub(crate) async fn remove_closure(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let id = ClosureId(id);
    let company_id = owner(&state, principal.scope, Owned::Closure(id)).await?;
    let dir = state.directory();
    write::run(&state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let Some(closure) = tx.remove_closure(company_id, id).await? else {
                return Ok(Answer::from(missing(Owned::Closure(id))));
            };
            let before = closure_json(&dir, &closure);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "closure.remove",
                entity: "closure",
                id: id.to_string(),
            };
            audit.write(tx, Some(before.clone()), None, &[]).await?;
            Ok(Answer::ok(before))
        })
    })
    .await
}

/// `DELETE /absences/{id}`.
#[utoipa::path(
    delete,
    path = "/absences/{id}",
    tag = "days off",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "removed", body = AbsenceView),
        AccessErrors
    )
)]
pub(crate) async fn remove_absence(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let id = AbsenceId(id);
    let company_id = owner(&state, principal.scope, Owned::Absence(id)).await?;
    let dir = state.directory();
    write::run(&state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let Some(absence) = tx.remove_absence(company_id, id).await? else {
                return Ok(Answer::from(missing(Owned::Absence(id))));
            };
            let before = absence_json(&dir, &absence);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "absence.remove",
                entity: "absence",
                id: id.to_string(),
            };
            audit.write(tx, Some(before.clone()), None, &[]).await?;
            Ok(Answer::ok(before))
        })
    })
    .await
}
