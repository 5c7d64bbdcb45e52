//! One appointment: who, what, when, the call that booked it, its history and mirror state, and
//! what an operator does with it: move (to a free time from the engine), cancel with a reason,
//! notes, the outcome.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::ids::AppointmentId;
use frontdesk_domain::notification::{Notification, NotificationKind, NotificationStatus};
use frontdesk_domain::records::{Appointment, AppointmentStatus};
use frontdesk_store::model::{AuditFilter, NotificationFilter, Owned, PageRequest};
use serde::Deserialize;

use super::day::{date_of, notice, source};
use super::format;
use super::outcome::{self, Refused};
use super::page::{Chrome, PageError, Section, render, see};
use super::slots::{self, FreeSlot};
use super::text::Ui;
use super::viewer::Viewer;
use crate::admin::appointments::{self as ops, CancelBody, ChangeBody};
use crate::admin::owner;
use crate::admin::write::Idempotency;
use crate::state::AppState;

/// The appointment's status in words.
pub fn status_label(t: &Ui, s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Booked => t.status_booked,
        AppointmentStatus::Cancelled => t.status_cancelled,
        AppointmentStatus::Completed => t.status_completed,
        AppointmentStatus::NoShow => t.status_no_show,
    }
}

/// A message sent (or to be sent) about the appointment.
pub struct MessageLine {
    /// Confirmation, reminder, …
    pub kind: &'static str,
    /// E-mail or SMS, and to whom.
    pub to: String,
    /// Where it stands.
    pub status: &'static str,
    /// Sent at, or due at.
    pub when: String,
    /// The last error, if any.
    pub error: Option<String>,
}

fn message_line(viewer: &Viewer, n: &Notification, tz: &jiff::tz::TimeZone) -> MessageLine {
    let t = viewer.ui();
    let kind = match n.kind {
        NotificationKind::Confirmation => t.message_confirmation,
        NotificationKind::Moved => t.message_moved,
        NotificationKind::Cancelled => t.message_cancelled,
        NotificationKind::Reminder => t.message_reminder,
        NotificationKind::CallbackAlert => t.message_callback_alert,
    };
    let status = match n.status {
        NotificationStatus::Pending => t.message_pending,
        NotificationStatus::Running => t.message_running,
        NotificationStatus::Sent => t.message_sent,
        NotificationStatus::Failed => t.message_failed,
        NotificationStatus::Skipped => t.message_skipped,
        NotificationStatus::Withdrawn => t.message_withdrawn,
    };
    let when = match n.sent_at {
        Some(at) => format::datetime(viewer.lang, at, tz),
        None => format!("{} {}", t.message_due, format::datetime(viewer.lang, n.due_at, tz)),
    };
    MessageLine { kind, to: format!("{} · {}", n.channel, n.recipient), status, when, error: n.last_error.clone() }
}

/// A line of the appointment's history.
pub struct HistoryLine {
    /// When.
    pub at: String,
    /// What.
    pub what: String,
    /// Who.
    pub who: String,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct AppointmentPage {
    chrome: Chrome,
    id: i64,
    service: String,
    staff: String,
    branch: String,
    date: String,
    time: String,
    duration: String,
    status: &'static str,
    booked: bool,
    status_value: &'static str,
    source: &'static str,
    customer_id: i64,
    customer: String,
    phone: Option<String>,
    notes: String,
    call: Option<String>,
    calcom: &'static str,
    history: Vec<HistoryLine>,
    messages: Vec<MessageLine>,
    staff_choices: Vec<(String, String, bool)>,
    move_date: String,
    slots: Vec<FreeSlot>,
    may_operate: bool,
    error: Option<String>,
    nonce: String,
}

#[derive(Deserialize, Default)]
pub(super) struct AppointmentQuery {
    move_date: Option<String>,
    move_staff: Option<String>,
    notice: Option<String>,
}

/// The appointment if it is in the viewer's company (another company's is not found).
async fn find(state: &AppState, viewer: &Viewer, id: i64) -> Result<Appointment, PageError> {
    let id = AppointmentId(id);
    let company =
        state.store().owner_of(viewer.scope(), Owned::Appointment(id)).await?.ok_or_else(PageError::not_found)?;
    state.store().appointment(company, id).await?.ok_or_else(PageError::not_found)
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    a: Appointment,
    q: AppointmentQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    let entry = viewer.entry();
    let t = viewer.ui();
    let branch = entry.branch(a.branch_id).ok_or_else(PageError::not_found)?;
    let tz = &branch.def.time_zone;
    let local = a.range.start().to_zoned(tz.clone());
    let customer = state.store().customer(viewer.company, a.customer_id).await?;
    let region = entry.company.def.locale.phone_region().to_owned();
    let call = match a.call_id {
        Some(id) => state.store().call_by_id(viewer.scope(), id).await?.map(|c| c.external_id.to_string()),
        None => None,
    };
    let calcom = match (&a.calcom_uid, &entry.calcom) {
        (Some(_), _) => t.calcom_mirrored,
        (None, Some(_)) => t.calcom_pending,
        (None, None) => t.calcom_none,
    };
    let audit = state
        .store()
        .audit_log(
            viewer.scope(),
            &AuditFilter {
                company: Some(viewer.company),
                entity: Some("appointment".to_owned()),
                entity_id: Some(a.id.to_string()),
                ..AuditFilter::default()
            },
            &PageRequest::first(100),
        )
        .await?;
    let mut history = vec![HistoryLine {
        at: format::datetime(viewer.lang, a.created_at, tz),
        what: format!("{} ({})", t.created, source(viewer, a.source).1),
        who: String::new(),
    }];
    let mut audited_cancel = false;
    let mut entries = audit.items;
    entries.sort_by_key(|e| e.at);
    for e in entries {
        let what = match e.action.as_str() {
            "appointment.create" => continue,
            "appointment.move" => {
                let when = e.after.as_ref().and_then(|v| v["start"].as_str().map(str::to_owned));
                let when = when
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                    .map(|ts| format::datetime(viewer.lang, ts, tz))
                    .unwrap_or_default();
                format!("{} → {when}", t.moved)
            }
            "appointment.cancel" => {
                audited_cancel = true;
                t.cancelled.to_owned()
            }
            _ => t.edited.to_owned(),
        };
        history.push(HistoryLine { at: format::datetime(viewer.lang, e.at, tz), what, who: e.actor_label });
    }
    if let (Some(at), false) = (a.cancelled_at, audited_cancel) {
        history.push(HistoryLine {
            at: format::datetime(viewer.lang, at, tz),
            what: t.cancelled.to_owned(),
            who: source(viewer, a.source).1.to_owned(),
        });
    }
    let filter = NotificationFilter { company: Some(viewer.company), appointment: Some(a.id), ..Default::default() };
    let mut notifications =
        state.store().list_notifications(viewer.scope(), &filter, &PageRequest::first(50)).await?.items;
    notifications.reverse();
    let messages = notifications.iter().map(|n| message_line(viewer, n, tz)).collect();
    let now = state.settings().clock.now();
    let move_date = date_of(q.move_date.as_deref().or(Some(&local.date().to_string())), now, tz)?;
    let staff_choices: Vec<(String, String, bool)> = entry
        .staff
        .iter()
        .filter(|s| s.branch_id == a.branch_id && s.performs(a.service_id))
        .map(|s| {
            let key = s.def.key.to_string();
            let selected = q.move_staff.as_deref().map_or(s.id == a.staff_id, |m| m == key);
            (key, s.def.name.clone(), selected)
        })
        .collect();
    let move_staff = match q.move_staff.as_deref() {
        Some("") => None,
        Some(key) => entry.staff.iter().find(|s| s.def.key.to_string() == key).map(|s| s.id),
        None => Some(a.staff_id),
    };
    let booked = a.status == AppointmentStatus::Booked;
    let slots = if booked && viewer.may(Action::Operate) {
        slots::free(state, viewer, entry, a.branch_id, a.service_id, move_staff, move_date, Some(a.id)).await?
    } else {
        Vec::new()
    };
    let service = entry.service(a.service_id).map_or_else(String::new, |s| s.def.name.clone());
    let member = entry.staff_member(a.staff_id);
    let page = AppointmentPage {
        chrome: Chrome::new(viewer, Section::Calendar, format!("{} · {service}", t.appointment))
            .notice(notice(viewer, q.notice.as_deref())),
        id: a.id.0,
        service,
        staff: member.map_or_else(String::new, |m| m.def.name.clone()),
        branch: branch.def.name.clone(),
        date: format::long_date(viewer.lang, local.date()),
        time: format!(
            "{}–{}",
            format::clock_at(viewer.lang, a.range.start(), tz),
            format::clock_at(viewer.lang, a.range.end(), tz)
        ),
        duration: format::minutes(a.range.duration().as_mins()),
        status: status_label(t, a.status),
        booked,
        status_value: a.status.as_str(),
        source: source(viewer, a.source).1,
        customer_id: a.customer_id.0,
        customer: customer.as_ref().and_then(|c| c.name.clone()).unwrap_or_default(),
        phone: customer.as_ref().and_then(|c| c.phone.as_ref()).map(|p| format::phone(p, &region)),
        notes: a.notes.clone().unwrap_or_default(),
        call,
        calcom,
        history,
        messages,
        staff_choices,
        move_date: move_date.to_string(),
        slots,
        may_operate: viewer.may(Action::Operate),
        error,
        nonce: crate::access::secret::session_secret(),
    };
    render(&page)
}

/// `GET /admin/appointments/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<AppointmentQuery>,
) -> Result<Response, PageError> {
    let a = find(&state, &viewer, id).await?;
    page(&state, &viewer, a, q, None).await
}

/// What a refusal means for the operator.
pub fn refusal_text(t: &Ui, refused: &Refused) -> String {
    match refused.code.as_str() {
        "slot_taken" => t.slot_taken.to_owned(),
        "customer_already_booked" => t.customer_already_booked.to_owned(),
        "invalid" | "bad_request" => format!("{}: {}", t.refused, refused.message),
        _ if refused.body["alternatives"].is_array() => t.cannot_book.to_owned(),
        _ => format!("{}: {}", t.refused, refused.message),
    }
}

/// After a change: back to the appointment with a notice, or the page again with the refusal.
async fn answer(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    response: Response,
    done: &str,
) -> Result<Response, PageError> {
    match outcome::read(response).await? {
        Ok(_) => Ok(see(&format!("/admin/appointments/{id}?notice={done}"))),
        Err(refused) => {
            let a = find(state, viewer, id).await?;
            let text = refusal_text(viewer.ui(), &refused);
            let mut response = page(state, viewer, a, AppointmentQuery::default(), Some(text)).await?;
            *response.status_mut() = refused.status;
            Ok(response)
        }
    }
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    slot: Option<String>,
}

/// `POST /admin/appointments/{id}/move`: to the chosen free time.
pub(super) async fn move_to(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<MoveForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let Some((start, staff)) = form.slot.as_deref().and_then(slots::chosen) else {
        return Err(PageError::bad_request("choose a free time"));
    };
    let body = ChangeBody { start: Some(start), staff, ..ChangeBody::default() };
    let company = owner(&state, principal.scope, Owned::Appointment(AppointmentId(id))).await?;
    let response = ops::change(&state, principal, company, AppointmentId(id), body).await?;
    answer(&state, &viewer, id, response, "moved").await
}

#[derive(Deserialize)]
pub(super) struct CancelForm {
    reason: Option<String>,
    nonce: Option<String>,
}

/// `POST /admin/appointments/{id}/cancel`.
pub(super) async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<CancelForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let reason = form.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    let key = form.nonce.as_deref().and_then(|n| {
        Idempotency::form(&format!("/admin/appointments/{id}/cancel"), n, reason.as_deref().unwrap_or(""))
    });
    let company = owner(&state, principal.scope, Owned::Appointment(AppointmentId(id))).await?;
    let response = ops::cancel(&state, principal, company, AppointmentId(id), key, CancelBody { reason }).await?;
    answer(&state, &viewer, id, response, "cancelled").await
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    notes: Option<String>,
    status: Option<String>,
}

/// `POST /admin/appointments/{id}/edit`: notes and outcome.
pub(super) async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let notes = form.notes.map(|n| Some(n.trim().to_owned()).filter(|n| !n.is_empty()));
    let body = ChangeBody { notes, status: form.status.filter(|s| !s.is_empty()), ..ChangeBody::default() };
    let company = owner(&state, principal.scope, Owned::Appointment(AppointmentId(id))).await?;
    let response = ops::change(&state, principal, company, AppointmentId(id), body).await?;
    answer(&state, &viewer, id, response, "saved").await
}
