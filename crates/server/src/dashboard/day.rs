//! The start page: one branch's day, one column per staff member, the appointments as blocks
//! placed by time; and the week at a glance.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::{CustomerId, StaffId};
use frontdesk_domain::records::{Appointment, AppointmentSource, AppointmentStatus};
use frontdesk_domain::tenant::Branch;
use frontdesk_store::model::{AppointmentFilter, PageRequest};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

use super::format;
use super::page::{Chrome, PageError, Section, render};
use super::viewer::Viewer;
use crate::state::AppState;

#[derive(Deserialize)]
pub(super) struct DayQuery {
    branch: Option<String>,
    date: Option<String>,
    notice: Option<String>,
}

/// A block in a staff member's column: one segment of an appointment.
pub struct Block {
    /// The appointment.
    pub id: i64,
    /// Percent from the top of the column.
    pub top: f64,
    /// Percent of the column's height.
    pub height: f64,
    /// `14:00–14:45`.
    pub time: String,
    /// The service (and the segment's name for composite services).
    pub service: String,
    /// The customer's name.
    pub customer: String,
    /// `phone`, `admin`, `calcom`: the CSS class and the label.
    pub source: &'static str,
    /// The source, in words.
    pub source_label: &'static str,
    /// A processing segment: the staff member is free meanwhile.
    pub processing: bool,
    /// Completed or no-show (shown muted).
    pub past: bool,
}

/// One staff member's column.
pub struct Column {
    /// Their key.
    pub key: String,
    /// Their name.
    pub name: String,
    /// Away this day (why, if known).
    pub away: Option<String>,
    /// Their blocks.
    pub blocks: Vec<Block>,
}

/// An hour mark on the time axis.
pub struct HourMark {
    /// Percent from the top.
    pub top: f64,
    /// `09:00` / `9:00 AM`.
    pub label: String,
}

/// What the day and week pages share: the branch picker and the date's neighbours.
pub struct Picker {
    /// `(key, name, selected)` for each branch.
    pub branches: Vec<(String, String, bool)>,
    /// The branch's key.
    pub branch: String,
    /// The date shown (ISO).
    pub date: String,
    /// The date shown, in words.
    pub date_label: String,
    /// Previous and next (ISO), by a day or a week.
    pub previous: String,
    /// Next.
    pub next: String,
    /// Today (ISO).
    pub today: String,
}

#[derive(Template)]
#[template(path = "day.html")]
struct DayPage {
    chrome: Chrome,
    picker: Picker,
    closed: Option<String>,
    hours: Vec<HourMark>,
    columns: Vec<Column>,
    /// Percent from the top of the "now" line, when the day is today.
    now: Option<f64>,
    may_book: bool,
}

/// The branch asked for (by key), or the company's first.
pub fn branch_of<'e>(entry: &'e CompanyEntry, asked: Option<&str>) -> Result<&'e Branch, PageError> {
    match asked {
        Some(key) => entry.branches.iter().find(|b| b.def.key.to_string() == key).ok_or_else(PageError::not_found),
        None => entry.branches.first().ok_or_else(PageError::not_found),
    }
}

/// The date asked for (ISO), or today at `tz`.
pub fn date_of(asked: Option<&str>, now: Timestamp, tz: &TimeZone) -> Result<Date, PageError> {
    match asked.filter(|d| !d.is_empty()) {
        Some(d) => d.parse().map_err(|_| PageError::bad_request("the date must be YYYY-MM-DD")),
        None => Ok(now.to_zoned(tz.clone()).date()),
    }
}

/// The company's branches as `(key, name, selected)`, for a branch picker.
pub fn branch_choices(entry: &CompanyEntry, branch: &Branch) -> Vec<(String, String, bool)> {
    entry.branches.iter().map(|b| (b.def.key.to_string(), b.def.name.clone(), b.id == branch.id)).collect()
}

fn picker(viewer: &Viewer, branch: &Branch, date: Date, step: i64, today: Date) -> Picker {
    let entry = viewer.entry();
    Picker {
        branches: branch_choices(entry, branch),
        branch: branch.def.key.to_string(),
        date: date.to_string(),
        date_label: format::long_date(viewer.lang, date),
        previous: date.checked_sub(step.days()).unwrap_or(date).to_string(),
        next: date.checked_add(step.days()).unwrap_or(date).to_string(),
        today: today.to_string(),
    }
}

/// The notice named in a redirect after a change.
pub fn notice(viewer: &Viewer, key: Option<&str>) -> Option<String> {
    let t = viewer.ui();
    let text = match key? {
        "booked" => t.notice_booked,
        "moved" => t.notice_moved,
        "cancelled" => t.notice_cancelled,
        "saved" => t.notice_saved,
        _ => return None,
    };
    Some(text.to_owned())
}

/// A day's appointments at a branch that still take time (cancelled ones do not), with their
/// customers' names.
pub async fn day_appointments(
    state: &AppState,
    viewer: &Viewer,
    branch: &Branch,
    from: Timestamp,
    to: Timestamp,
) -> Result<(Vec<Appointment>, HashMap<CustomerId, String>), PageError> {
    let filter = AppointmentFilter {
        company: Some(viewer.company),
        branch: Some(branch.id),
        from: Some(from),
        to: Some(to),
        ..AppointmentFilter::default()
    };
    let mut appointments = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let found = state.store().list_appointments(viewer.scope(), &filter, &page).await?;
        appointments.extend(found.items.into_iter().filter(|a| a.status.occupies_time()));
        match found.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    let names = customer_names(state, viewer, appointments.iter().map(|a| a.customer_id)).await?;
    Ok((appointments, names))
}

/// Customers' display names by id.
pub async fn customer_names(
    state: &AppState,
    viewer: &Viewer,
    ids: impl Iterator<Item = CustomerId>,
) -> Result<HashMap<CustomerId, String>, PageError> {
    let mut names = HashMap::new();
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        let name = state.store().customer(viewer.company, id).await?.and_then(|c| c.name).unwrap_or_default();
        names.insert(id, name);
    }
    Ok(names)
}

/// The source's class and label.
pub fn source(viewer: &Viewer, s: AppointmentSource) -> (&'static str, &'static str) {
    let t = viewer.ui();
    match s {
        AppointmentSource::Phone => ("phone", t.source_phone),
        AppointmentSource::Admin => ("admin", t.source_admin),
        AppointmentSource::Calcom => ("calcom", t.source_calcom),
    }
}

/// The branch and date a day or week page shows.
struct Shown<'v> {
    branch: &'v Branch,
    now: Timestamp,
    today: Date,
    date: Date,
}

fn shown<'v>(state: &AppState, viewer: &'v Viewer, q: &DayQuery) -> Result<Shown<'v>, PageError> {
    let branch = branch_of(viewer.entry(), q.branch.as_deref())?;
    let now = state.settings().clock.now();
    let today = now.to_zoned(branch.def.time_zone.clone()).date();
    let date = date_of(q.date.as_deref(), now, &branch.def.time_zone)?;
    Ok(Shown { branch, now, today, date })
}

/// `GET /admin/day`.
pub(super) async fn day(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    let entry = viewer.entry();
    let Shown { branch, now, today, date } = shown(&state, &viewer, &q)?;
    let tz = &branch.def.time_zone;
    let start_of_day = date.to_zoned(tz.clone()).map_err(|_| PageError::bad_request("no such day"))?;
    let from = start_of_day.timestamp();
    let to = start_of_day.tomorrow().map_or(from, |z| z.timestamp());
    let (appointments, names) = day_appointments(&state, &viewer, branch, from, to).await?;
    let days_off = state.store().days_off(viewer.company, date, date).await?;
    let t = viewer.ui();

    // The axis: the opening hours, widened to whatever is booked, in whole hours.
    let hours = branch.def.hours.day(date.weekday());
    let mut first = hours.intervals().first().map_or(8 * 60, |i| i32::from(i.open().minutes()));
    let mut last = hours.intervals().last().map_or(18 * 60, |i| i32::from(i.close().minutes()));
    let minute_of = |ts: Timestamp| -> i32 {
        let z = ts.to_zoned(tz.clone());
        if z.date() < date {
            0
        } else if z.date() > date {
            24 * 60
        } else {
            i32::from(z.hour()) * 60 + i32::from(z.minute())
        }
    };
    for a in &appointments {
        first = first.min(minute_of(a.range.start()));
        last = last.max(minute_of(a.range.end()));
    }
    let (first, last) = ((first / 60) * 60, (last + 59) / 60 * 60);
    let span = f64::from((last - first).max(60));
    let at = |minute: i32| f64::from(minute - first) * 100.0 / span;

    let closed = (days_off.closed(branch.id, date) || branch.def.closures.contains(&date) || hours.is_closed())
        .then(|| t.closed.to_owned());
    let mut columns = Vec::new();
    let staff: Vec<_> = entry.staff.iter().filter(|s| s.branch_id == branch.id).collect();
    let mut by_staff: HashMap<StaffId, Vec<&Appointment>> = HashMap::new();
    for a in &appointments {
        by_staff.entry(a.staff_id).or_default().push(a);
    }
    for member in staff {
        let away = (days_off.away(member.id, date) || member.def.absences.iter().any(|s| s.contains(date)))
            .then(|| t.away.to_owned());
        let mut blocks = Vec::new();
        for a in by_staff.remove(&member.id).unwrap_or_default() {
            let service = entry.service(a.service_id).map_or_else(String::new, |s| s.def.name.clone());
            let (class, label) = source(&viewer, a.source);
            let composite = a.segments.len() > 1;
            for segment in &a.segments {
                let (s, e) = (minute_of(segment.range.start()), minute_of(segment.range.end()));
                blocks.push(Block {
                    id: a.id.0,
                    top: at(s),
                    height: at(e) - at(s),
                    time: format!(
                        "{}–{}",
                        format::clock_at(viewer.lang, segment.range.start(), tz),
                        format::clock_at(viewer.lang, segment.range.end(), tz)
                    ),
                    service: if composite { format!("{service} · {}", segment.name) } else { service.clone() },
                    customer: names.get(&a.customer_id).cloned().unwrap_or_default(),
                    source: class,
                    source_label: label,
                    processing: !segment.staff_busy,
                    past: matches!(a.status, AppointmentStatus::Completed | AppointmentStatus::NoShow),
                });
            }
        }
        columns.push(Column { key: member.def.key.to_string(), name: member.def.name.clone(), away, blocks });
    }
    let marks = (first..=last)
        .step_by(60)
        .map(|m| HourMark {
            top: at(m),
            label: format::clock(viewer.lang, Time::constant((m / 60).min(23) as i8, 0, 0, 0)),
        })
        .collect();
    let now_line = (date == today).then(|| at(minute_of(now))).filter(|p| (0.0..=100.0).contains(p));
    let title = format!("{} · {}", t.day, format::long_date(viewer.lang, date));
    let page = DayPage {
        chrome: Chrome::new(&viewer, Section::Calendar, title).notice(notice(&viewer, q.notice.as_deref())),
        picker: picker(&viewer, branch, date, 1, today),
        closed,
        hours: marks,
        columns,
        now: now_line,
        may_book: viewer.may(Action::Operate),
    };
    render(&page)
}

/// One appointment in the week view.
pub struct WeekItem {
    /// Its id.
    pub id: i64,
    /// `14:00`.
    pub time: String,
    /// Service.
    pub service: String,
    /// Staff member.
    pub staff: String,
    /// Customer.
    pub customer: String,
    /// Source class.
    pub source: &'static str,
}

/// One day of the week view.
pub struct WeekDay {
    /// ISO date (a link to the day).
    pub date: String,
    /// In words.
    pub label: String,
    /// Closed that day.
    pub closed: bool,
    /// Whether it is today.
    pub today: bool,
    /// Its appointments by start.
    pub items: Vec<WeekItem>,
}

#[derive(Template)]
#[template(path = "week.html")]
struct WeekPage {
    chrome: Chrome,
    picker: Picker,
    days: Vec<WeekDay>,
}

/// `GET /admin/week`: Monday to Sunday around the date.
pub(super) async fn week(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    let entry = viewer.entry();
    let Shown { branch, today, date, .. } = shown(&state, &viewer, &q)?;
    let tz = &branch.def.time_zone;
    let monday = date
        .checked_sub(i64::from(date.weekday().to_monday_zero_offset()).days())
        .map_err(|_| PageError::bad_request("no such week"))?;
    let sunday = monday.checked_add(6.days()).unwrap_or(monday);
    let from = monday.to_zoned(tz.clone()).map_err(|_| PageError::bad_request("no such week"))?.timestamp();
    let to = sunday.to_zoned(tz.clone()).ok().and_then(|z| z.tomorrow().ok()).map_or(from, |z| z.timestamp());
    let (appointments, names) = day_appointments(&state, &viewer, branch, from, to).await?;
    let days_off = state.store().days_off(viewer.company, monday, sunday).await?;
    let mut days: Vec<WeekDay> = (0..7)
        .map(|i| {
            let d = monday.checked_add(i.days()).unwrap_or(monday);
            WeekDay {
                date: d.to_string(),
                label: format::date(viewer.lang, d),
                closed: branch.def.hours.day(d.weekday()).is_closed()
                    || days_off.closed(branch.id, d)
                    || branch.def.closures.contains(&d),
                today: d == today,
                items: Vec::new(),
            }
        })
        .collect();
    for a in &appointments {
        let d = a.range.start().to_zoned(tz.clone()).date();
        let Some(day) = days.iter_mut().find(|w| w.date == d.to_string()) else { continue };
        day.items.push(WeekItem {
            id: a.id.0,
            time: format::clock_at(viewer.lang, a.range.start(), tz),
            service: entry.service(a.service_id).map_or_else(String::new, |s| s.def.name.clone()),
            staff: entry.staff_member(a.staff_id).map_or_else(String::new, |s| s.def.name.clone()),
            customer: names.get(&a.customer_id).cloned().unwrap_or_default(),
            source: source(&viewer, a.source).0,
        });
    }
    let t = viewer.ui();
    let title = format!("{} · {}", t.week, format::date(viewer.lang, monday));
    let page = WeekPage {
        chrome: Chrome::new(&viewer, Section::Calendar, title),
        picker: picker(&viewer, branch, date, 7, today),
        days,
    };
    render(&page)
}
