//! Is everything working: deliveries that failed (replay), Cal.com jobs that gave up (retry),
//! calls the reconciler is waiting on, and the last day and month at a glance.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::ids::{OutboxJobId, WebhookEventId};
use frontdesk_domain::records::{OutboxStatus, WebhookStatus};
use frontdesk_store::model::{CallFilter, OutboxFilter, PageRequest, WebhookFilter};
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Deserialize;

use super::charts::{self, Line, Values};
use super::format;
use super::outcome;
use super::page::{Chrome, PageError, Section, render, see};
use super::viewer::Viewer;
use crate::admin::deliveries;
use crate::state::AppState;
use crate::summaries::DAYS;

/// A failed delivery.
pub struct FailedEvent {
    /// Id.
    pub id: i64,
    /// When received.
    pub at: String,
    /// Sender and event type.
    pub what: String,
    /// The call it names.
    pub call: Option<String>,
    /// Why it failed.
    pub error: String,
}

/// A job that gave up.
pub struct FailedJob {
    /// Id.
    pub id: i64,
    /// What it was to do.
    pub kind: String,
    /// Its appointment.
    pub appointment: i64,
    /// Tries.
    pub attempts: i32,
    /// The last error.
    pub error: String,
}

/// A call waiting for the reconciler.
pub struct Waiting {
    /// The platform's id.
    pub id: String,
    /// Last heard of.
    pub last: String,
}

/// A figure of the last 24 hours.
pub struct Figure {
    /// What.
    pub label: &'static str,
    /// How much.
    pub value: String,
}

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    chrome: Chrome,
    figures: Vec<Figure>,
    charts: Vec<String>,
    events: Vec<FailedEvent>,
    jobs: Vec<FailedJob>,
    waiting: Vec<Waiting>,
    may_operate: bool,
}

#[derive(Deserialize)]
pub(super) struct HealthQuery {
    notice: Option<String>,
}

fn ms(us: Option<i64>) -> Option<f64> {
    us.map(|u| u as f64 / 1000.0)
}

/// `GET /admin/health`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HealthQuery>,
) -> Result<Response, PageError> {
    let entry = viewer.entry();
    let t = viewer.ui();
    let tz = &entry.company.def.time_zone;
    let now = Timestamp::now();
    let today = now.to_zoned(tz.clone()).date();
    let first = today.checked_sub((DAYS - 1).days()).unwrap_or(today);
    let rows = state.store().daily_summaries(viewer.scope(), viewer.company, first, today).await?;
    let mut days = Vec::new();
    let mut day = first;
    while day <= today {
        days.push(day);
        day = day.tomorrow().unwrap_or(today.tomorrow().unwrap_or(today));
        if days.len() > DAYS as usize {
            break;
        }
    }
    let of = |d: &jiff::civil::Date| rows.iter().find(|r| r.day == *d);
    let series = |f: &dyn Fn(&frontdesk_store::model::DailySummary) -> Option<f64>| -> Vec<Option<f64>> {
        days.iter().map(|d| of(d).and_then(f)).collect()
    };
    let charts = vec![
        charts::lines(
            t.chart_calls,
            &days,
            Values::Counts,
            &[
                Line { label: t.calls, color: charts::BLUE, values: series(&|r| Some(r.calls as f64)) },
                Line {
                    label: t.outcome_booked,
                    color: charts::GREEN,
                    values: series(&|r| Some(r.calls_booked as f64)),
                },
            ],
        ),
        charts::lines(
            t.chart_conversion,
            &days,
            Values::Measures,
            &[Line {
                label: "%",
                color: charts::GREEN,
                values: series(&|r| (r.calls > 0).then(|| r.calls_booked as f64 * 100.0 / r.calls as f64)),
            }],
        ),
        charts::lines(
            t.chart_latency,
            &days,
            Values::Measures,
            &[
                Line { label: "p50", color: charts::BLUE, values: series(&|r| ms(r.function_p50_us)) },
                Line { label: "p99", color: charts::PURPLE, values: series(&|r| ms(r.function_p99_us)) },
            ],
        ),
        charts::lines(
            t.chart_failures,
            &days,
            Values::Counts,
            &[Line { label: t.webhook, color: charts::RED, values: series(&|r| Some(r.webhook_failures as f64)) }],
        ),
    ];
    // The last 24 hours: today's and yesterday's rows weighed by how much of each lies inside.
    let last = |r: Option<&frontdesk_store::model::DailySummary>| r.cloned();
    let (today_row, yesterday_row) = (last(of(&today)), last(today.yesterday().ok().as_ref().and_then(of)));
    let since_midnight = now.to_zoned(tz.clone()).time();
    let share = 1.0 - (f64::from(since_midnight.hour()) * 60.0 + f64::from(since_midnight.minute())) / (24.0 * 60.0);
    let sum = |f: &dyn Fn(&frontdesk_store::model::DailySummary) -> i64| -> i64 {
        today_row.as_ref().map_or(0, f) + yesterday_row.as_ref().map_or(0.0, |r| f(r) as f64 * share).round() as i64
    };
    let calls = sum(&|r| r.calls);
    let booked = sum(&|r| r.calls_booked);
    let figures = vec![
        Figure { label: t.calls, value: calls.to_string() },
        Figure { label: t.outcome_booked, value: booked.to_string() },
        Figure {
            label: t.chart_conversion,
            value: if calls > 0 { format!("{:.0} %", booked as f64 * 100.0 / calls as f64) } else { "–".to_owned() },
        },
        Figure {
            label: "p99",
            value: today_row
                .as_ref()
                .and_then(|r| ms(r.function_p99_us))
                .map_or_else(|| "–".to_owned(), |v| format!("{v:.1} ms")),
        },
        Figure { label: t.chart_failures, value: sum(&|r| r.webhook_failures).to_string() },
    ];

    let failed = WebhookFilter { status: Some(WebhookStatus::Failed), ..WebhookFilter::default() };
    let events = state
        .store()
        .webhook_events(viewer.scope(), &failed, &PageRequest::first(50))
        .await?
        .items
        .into_iter()
        .map(|e| FailedEvent {
            id: e.id.0,
            at: format::datetime(viewer.lang, e.received_at, tz),
            what: format!("{} {}", e.provider, e.event_type),
            call: e.external_call_id.clone(),
            error: e.error.clone().unwrap_or_default(),
        })
        .collect();
    let failed_jobs =
        OutboxFilter { company: Some(viewer.company), status: Some(OutboxStatus::Failed), ..OutboxFilter::default() };
    let jobs = state
        .store()
        .list_jobs(viewer.scope(), &failed_jobs, &PageRequest::first(50))
        .await?
        .items
        .into_iter()
        .map(|j| FailedJob {
            id: j.id.0,
            kind: j.kind.to_string(),
            appointment: j.appointment_id.0,
            attempts: j.attempts,
            error: j.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let after = SignedDuration::try_from(state.settings().reconcile_after).unwrap_or_default();
    let stale = CallFilter { company: Some(viewer.company), stale_before: Some(now - after), ..CallFilter::default() };
    let waiting = state
        .store()
        .list_calls(viewer.scope(), &stale, &PageRequest::first(50))
        .await?
        .items
        .into_iter()
        .map(|c| Waiting { id: c.external_id.to_string(), last: format::datetime(viewer.lang, c.last_event_at, tz) })
        .collect();
    let notice = match q.notice.as_deref() {
        Some("replayed") => Some(t.notice_replayed.to_owned()),
        Some("replay_failed") => Some(t.notice_replay_failed.to_owned()),
        Some("retried") => Some(t.notice_retried.to_owned()),
        _ => None,
    };
    let page = HealthPage {
        chrome: Chrome::new(&viewer, Section::Health, t.health).notice(notice),
        figures,
        charts,
        events,
        jobs,
        waiting,
        may_operate: viewer.may(Action::Operate),
    };
    render(&page)
}

/// `POST /admin/health/webhooks/{id}/replay`.
pub(super) async fn replay(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let response = deliveries::replay(&state, principal, WebhookEventId(id)).await?;
    match outcome::read(response).await? {
        Ok(event) if event["status"] == "failed" => Ok(see("/admin/health?notice=replay_failed")),
        Ok(_) => Ok(see("/admin/health?notice=replayed")),
        Err(refused) => Err(PageError::new(refused.status, refused.message)),
    }
}

/// `POST /admin/health/jobs/{id}/retry`.
pub(super) async fn retry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let response = deliveries::retry(&state, principal, OutboxJobId(id)).await?;
    match outcome::read(response).await? {
        Ok(_) => Ok(see("/admin/health?notice=retried")),
        Err(refused) => Err(PageError::new(refused.status, refused.message)),
    }
}
