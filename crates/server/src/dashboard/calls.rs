//! Every call: the list (who called, how long, what came of it) and one call in full — a
//! timeline of its webhooks and function calls, the transcript, the analysis, and what the call
//! changed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::call::{CallOutcome, CallRecord, CallStatus};
use frontdesk_domain::ids::CallId;
use frontdesk_domain::phone::Caller;
use frontdesk_domain::records::WebhookStatus;
use frontdesk_store::model::{CallFilter, PageRequest, WebhookFilter};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use super::format;
use super::page::{Chrome, PageError, Section, render};
use super::text::Ui;
use super::viewer::Viewer;
use crate::state::AppState;

/// A call's outcome in words.
pub fn outcome_label(t: &Ui, o: CallOutcome) -> &'static str {
    match o {
        CallOutcome::Booked => t.outcome_booked,
        CallOutcome::Moved => t.outcome_moved,
        CallOutcome::Cancelled => t.outcome_cancelled,
        CallOutcome::Callback => t.outcome_callback,
        CallOutcome::Information => t.outcome_information,
        CallOutcome::Abandoned => t.outcome_abandoned,
    }
}

/// A call's status in words.
pub fn status_label(t: &Ui, s: CallStatus) -> &'static str {
    match s {
        CallStatus::Registered => t.call_registered,
        CallStatus::Ongoing => t.call_ongoing,
        CallStatus::Ended => t.call_ended,
        CallStatus::NotConnected => t.call_not_connected,
        CallStatus::Error => t.call_error,
        CallStatus::Abandoned => t.call_abandoned,
    }
}

/// One row of the list.
pub struct CallRow {
    /// The platform's id (the link).
    pub id: String,
    /// When it started.
    pub time: String,
    /// The caller's name, if a customer.
    pub name: String,
    /// The number as written nationally.
    pub number: String,
    /// The number was withheld.
    pub anonymous: bool,
    /// The customer was first recorded in this call.
    pub new: bool,
    /// `3:05`.
    pub duration: String,
    /// `booked`, … (CSS class).
    pub outcome: &'static str,
    /// In words.
    pub outcome_label: &'static str,
    /// The call's status.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    chrome: Chrome,
    rows: Vec<CallRow>,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    customer: Option<i64>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct CallsQuery {
    status: Option<String>,
    customer: Option<i64>,
    cursor: Option<String>,
}

/// The rows for a page of calls: names, badges and outcomes read in one query each.
pub async fn rows(state: &AppState, viewer: &Viewer, calls: &[CallRecord]) -> Result<Vec<CallRow>, PageError> {
    let entry = viewer.entry();
    let t = viewer.ui();
    let tz = &entry.company.def.time_zone;
    let region = entry.company.def.locale.phone_region().to_owned();
    let ids: Vec<CallId> = calls.iter().map(|c| c.id).collect();
    let mut statuses: HashMap<CallId, Vec<String>> = HashMap::new();
    for (call, status) in state.store().trace_statuses(&ids).await? {
        statuses.entry(call).or_default().push(status);
    }
    let mut customers = HashMap::new();
    for call in calls {
        if let Some(id) = call.links.customer_id
            && !customers.contains_key(&id)
        {
            customers.insert(id, state.store().customer(viewer.company, id).await?);
        }
    }
    Ok(calls
        .iter()
        .map(|call| {
            let caller = Caller::from_platform(call.facts.from_number.as_deref());
            let customer = call.links.customer_id.and_then(|id| customers.get(&id).cloned().flatten());
            let started = call.facts.started_at.unwrap_or(call.first_seen_at);
            let outcome = CallOutcome::of(statuses.get(&call.id).into_iter().flatten().map(String::as_str));
            CallRow {
                id: call.external_id.to_string(),
                time: format::datetime(viewer.lang, started, tz),
                name: customer.as_ref().and_then(|c| c.name.clone()).unwrap_or_default(),
                number: caller.number().map(|n| format::phone(n, &region)).unwrap_or_default(),
                anonymous: caller.is_anonymous(),
                new: customer.as_ref().is_some_and(|c| c.created_at >= call.first_seen_at),
                duration: call.facts.duration_ms.map(|ms| format::seconds(ms / 1000)).unwrap_or_default(),
                outcome: outcome.as_str(),
                outcome_label: outcome_label(t, outcome),
                status: status_label(t, call.status),
            }
        })
        .collect())
}

/// `GET /admin/calls`: newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CallsQuery>,
) -> Result<Response, PageError> {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).and_then(CallStatus::parse);
    let filter = CallFilter {
        company: Some(viewer.company),
        status,
        customer: q.customer.map(Into::into),
        ..CallFilter::default()
    };
    let page = PageRequest { cursor: q.cursor.clone(), ..PageRequest::first(PageRequest::DEFAULT_LIMIT) };
    let found = state.store().list_calls(viewer.scope(), &filter, &page).await?;
    let rows = rows(&state, &viewer, &found.items).await?;
    let t = viewer.ui();
    let page = CallsPage {
        chrome: Chrome::new(&viewer, Section::Calls, t.calls),
        rows,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        statuses: CallStatus::ALL.iter().map(|s| (s.as_str(), status_label(t, *s))).collect(),
        customer: q.customer,
        next: found.next_cursor,
    };
    render(&page)
}

/// One entry of a call's timeline.
pub struct Moment {
    /// Sort key.
    at: Timestamp,
    /// `12:03:15`.
    pub time: String,
    /// `function` or `webhook`.
    pub kind: &'static str,
    /// The function's or event's name.
    pub name: String,
    /// Its status.
    pub status: String,
    /// Failed.
    pub failed: bool,
    /// The function's arguments (pretty JSON).
    pub arguments: String,
    /// The sentence the agent was given.
    pub message: String,
    /// How long the answer took, or why a webhook failed.
    pub detail: String,
}

/// Something the call changed.
pub struct Change {
    /// What.
    pub what: String,
    /// Where it is shown.
    pub link: String,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    chrome: Chrome,
    id: String,
    facts: Vec<(&'static str, String)>,
    timeline: Vec<Moment>,
    transcript: String,
    summary: String,
    changes: Vec<Change>,
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// The call's analysis summary, if Retell sent one.
fn summary(analysis: Option<&str>) -> String {
    let Some(raw) = analysis else { return String::new() };
    match serde_json::from_str::<Value>(raw) {
        Ok(v) => v["call_summary"].as_str().map_or_else(|| pretty(&v), str::to_owned),
        Err(_) => raw.to_owned(),
    }
}

/// `GET /admin/calls/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let call = state.store().call_in_scope(viewer.scope(), &id).await?.ok_or_else(PageError::not_found)?;
    let entry = viewer.entry();
    let t = viewer.ui();
    let tz = &entry.company.def.time_zone;
    let traces = state.store().traces_of_call(call.id).await?;
    let filter = WebhookFilter { external_call_id: Some(id.clone()), ..WebhookFilter::default() };
    let events =
        state.store().webhook_events(viewer.scope(), &filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await?;
    let clock = |at: Timestamp| {
        let z = at.to_zoned(tz.clone());
        format!("{:02}:{:02}:{:02}", z.hour(), z.minute(), z.second())
    };
    let mut timeline: Vec<Moment> = Vec::new();
    let mut changes = Vec::new();
    for trace in &traces {
        let tr = &trace.trace;
        timeline.push(Moment {
            at: tr.at,
            time: clock(tr.at),
            kind: "function",
            name: tr.function.clone().unwrap_or_else(|| tr.name_sent.clone()),
            status: tr.status.clone(),
            failed: !tr.success,
            arguments: pretty(&tr.arguments),
            message: tr.response["message"].as_str().unwrap_or_default().to_owned(),
            detail: format!("{:.1} ms", tr.duration_us as f64 / 1000.0),
        });
        let appointment = tr.response["appointment"]["id"].as_i64();
        let what = match tr.status.as_str() {
            "booked" => Some(t.outcome_booked),
            "rescheduled" => Some(t.outcome_moved),
            "cancelled" => Some(t.outcome_cancelled),
            "callback_requested" => Some(t.outcome_callback),
            _ => None,
        };
        if let Some(what) = what {
            let spoken = tr.response["appointment"]["spoken"].as_str().unwrap_or_default();
            let link =
                appointment.map_or_else(|| "/admin/callbacks".to_owned(), |a| format!("/admin/appointments/{a}"));
            changes.push(Change { what: format!("{} {spoken}", capitalise(what)), link });
        }
    }
    for e in &events.items {
        timeline.push(Moment {
            at: e.received_at,
            time: clock(e.received_at),
            kind: "webhook",
            name: e.event_type.clone(),
            status: e.status.as_str().to_owned(),
            failed: e.status == WebhookStatus::Failed,
            arguments: String::new(),
            message: String::new(),
            detail: e.error.clone().unwrap_or_default(),
        });
    }
    timeline.sort_by_key(|m| m.at);
    let region = entry.company.def.locale.phone_region().to_owned();
    let caller = Caller::from_platform(call.facts.from_number.as_deref());
    let customer = match call.links.customer_id {
        Some(c) => state.store().customer(viewer.company, c).await?,
        None => None,
    };
    let started = call.facts.started_at.unwrap_or(call.first_seen_at);
    let mut facts = vec![
        (t.time, format::datetime(viewer.lang, started, tz)),
        (t.call_status, status_label(t, call.status).to_owned()),
        (
            t.caller,
            match (&customer, caller.number()) {
                (Some(c), Some(n)) => format!("{} · {}", c.name.clone().unwrap_or_default(), format::phone(n, &region)),
                (None, Some(n)) => format::phone(n, &region),
                (_, None) => t.anonymous.to_owned(),
            },
        ),
    ];
    if let Some(ms) = call.facts.duration_ms {
        facts.push((t.duration, format::seconds(ms / 1000)));
    }
    let page = CallPage {
        chrome: Chrome::new(&viewer, Section::Calls, format!("{} {id}", t.call)),
        id: id.clone(),
        facts,
        timeline,
        transcript: call.facts.transcript.clone().unwrap_or_default(),
        summary: summary(call.facts.analysis.as_deref()),
        changes,
    };
    render(&page)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
