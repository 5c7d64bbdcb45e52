//! Callbacks to return: the open ones first, oldest first; assign one to a colleague, mark it
//! done with a note of what was agreed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::ids::CallbackId;
use frontdesk_domain::records::CallbackStatus;
use frontdesk_store::model::{CallbackFilter, Owned, PageRequest};
use serde::Deserialize;

use super::format;
use super::outcome;
use super::page::{Chrome, PageError, Section, render, see};
use super::viewer::Viewer;
use crate::admin::callbacks::{self as ops, ChangeBody};
use crate::admin::owner;
use crate::state::AppState;

/// One callback.
pub struct Row {
    /// Id.
    pub id: i64,
    /// How long it has waited (`3 h`, `2 d`).
    pub age: String,
    /// When asked.
    pub asked: String,
    /// Who.
    pub name: String,
    /// Number as written nationally, and as a `tel:` link.
    pub phone: String,
    /// `tel:+49…`.
    pub tel: String,
    /// Why.
    pub reason: String,
    /// When they would like the call.
    pub preferred: String,
    /// The call it was asked in.
    pub call: Option<String>,
    /// Assigned user's id.
    pub assigned: Option<i64>,
    /// Done: when and the note.
    pub done: Option<String>,
}

impl Row {
    /// Whether `user` is the one assigned.
    pub fn assigned_to(&self, user: &i64) -> bool {
        self.assigned == Some(*user)
    }
}

#[derive(Template)]
#[template(path = "callbacks.html")]
struct CallbacksPage {
    chrome: Chrome,
    open: bool,
    rows: Vec<Row>,
    users: Vec<(i64, String)>,
    may_operate: bool,
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct CallbacksQuery {
    status: Option<String>,
    cursor: Option<String>,
    notice: Option<String>,
}

fn age(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} d", m / (24 * 60)),
    }
}

/// `GET /admin/callbacks`.
pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CallbacksQuery>,
) -> Result<Response, PageError> {
    let open = q.status.as_deref() != Some("done");
    let status = if open { CallbackStatus::Open } else { CallbackStatus::Done };
    let filter = CallbackFilter { company: Some(viewer.company), status: Some(status), ..CallbackFilter::default() };
    let page = PageRequest { cursor: q.cursor.clone(), ..PageRequest::first(PageRequest::DEFAULT_LIMIT) };
    let found = state.store().list_callbacks(viewer.scope(), &filter, &page).await?;
    let entry = viewer.entry();
    let tz = &entry.company.def.time_zone;
    let region = entry.company.def.locale.phone_region().to_owned();
    let now = state.settings().clock.now();
    let mut rows = Vec::new();
    for c in found.items {
        let call = match c.call_id {
            Some(id) => state.store().call_by_id(viewer.scope(), id).await?.map(|r| r.external_id.to_string()),
            None => None,
        };
        rows.push(Row {
            id: c.id.0,
            age: age(now.duration_since(c.created_at).as_mins().max(0)),
            asked: format::datetime(viewer.lang, c.created_at, tz),
            name: c.name.clone().unwrap_or_default(),
            phone: c.phone.as_ref().map(|p| format::phone(p, &region)).unwrap_or_default(),
            tel: c.phone.as_ref().map(|p| format!("tel:{p}")).unwrap_or_default(),
            reason: c.reason.clone().unwrap_or_default(),
            preferred: c.preferred_time.clone().unwrap_or_default(),
            call,
            assigned: c.assigned_user_id.map(|u| u.0),
            done: c.done_at.map(|at| {
                let note = c.done_note.clone().unwrap_or_default();
                format!("{} {note}", format::datetime(viewer.lang, at, tz))
            }),
        });
    }
    let users = state
        .store()
        .users(viewer.scope())
        .await?
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| (u.id.0, u.name.unwrap_or(u.email)))
        .collect();
    let t = viewer.ui();
    let notice = (q.notice.as_deref() == Some("saved")).then(|| t.notice_saved.to_owned());
    let page = CallbacksPage {
        chrome: Chrome::new(&viewer, Section::Callbacks, t.callbacks).notice(notice),
        open,
        rows,
        users,
        may_operate: viewer.may(Action::Operate),
        next: found.next_cursor,
    };
    render(&page)
}

#[derive(Deserialize)]
pub(super) struct CallbackForm {
    assign: Option<String>,
    done: Option<String>,
    note: Option<String>,
}

/// `POST /admin/callbacks/{id}`: assign (`assign`: a user id or empty) or mark done (`done`).
pub(super) async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<CallbackForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let body = if form.done.is_some() {
        let note = form.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        ChangeBody { status: Some("done".to_owned()), note, ..ChangeBody::default() }
    } else {
        let user = match form.assign.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| PageError::bad_request("not a user"))?),
        };
        ChangeBody { assigned_user_id: Some(user), ..ChangeBody::default() }
    };
    let company = owner(&state, principal.scope, Owned::Callback(CallbackId(id))).await?;
    let response = ops::change(&state, principal, company, CallbackId(id), body).await?;
    match outcome::read(response).await? {
        Ok(_) => Ok(see("/admin/callbacks?notice=saved")),
        Err(refused) => Err(PageError::new(refused.status, refused.message)),
    }
}
