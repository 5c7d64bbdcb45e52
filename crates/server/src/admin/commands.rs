//! The admin API's writes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdesk_domain::matching::Match;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::AppointmentSource;
use frontdesk_domain::tenant::Email;
use frontdesk_store::StoreError;
use frontdesk_store::model::NewCustomer;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::views::{appointment_json, slot_json};
use super::{branch, company, staff};
use crate::booking::{self, Attempt, BookOutcome, BookRequest};
use crate::error::ApiError;
use crate::state::AppState;

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
    /// The appointment is for somebody else than the customer: it may overlap theirs.
    #[serde(default)]
    another_person: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerBody {
    name: String,
    /// How to address them ("Frau", "Mr."), if known.
    salutation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// `POST /appointments`: books for an operator.
pub(super) async fn create_appointment(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: NewAppointmentBody =
        frontdesk_domain::text::from_json(&body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?;
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
        customer: NewCustomer { name: Some(body.customer.name), salutation: body.customer.salutation, phone, email },
        source: AppointmentSource::Admin,
        call_id: None,
        notes: body.notes,
        window: None,
        another_person: body.another_person,
    };
    let now = state.settings().clock.now();
    let (booking_dir, company) = (dir.clone(), entry.company.id);
    let outcome = state
        .store()
        .write(move |tx| {
            Box::pin(async move {
                let entry = booking_dir.company(company).ok_or(StoreError::NotFound("company"))?;
                booking::book(tx, entry, &request, now).await
            })
        })
        .await?;
    Ok(match outcome {
        BookOutcome::Booked { appointment, .. } => {
            (StatusCode::CREATED, axum::Json(appointment_json(&dir, &appointment))).into_response()
        }
        BookOutcome::AlreadyBooked { existing } => (
            StatusCode::CONFLICT,
            axum::Json(json!({
                "error": {"code": "customer_already_booked",
                          "message": "the customer already has an appointment at that time; set `another_person` to book anyway"},
                "appointment": appointment_json(&dir, &existing),
            })),
        )
            .into_response(),
        BookOutcome::Unavailable { refusal, alternatives } => {
            let conflict = booking::outward(refusal, Attempt::Book).conflict;
            let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
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
