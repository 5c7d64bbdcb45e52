//! Settings for owners: the company's users and API tokens (a new secret is shown once), days
//! off (branch closures, staff absences), and the company's configuration as its tenant file
//! (read, download, upload).
//!
//! Every change is the admin API's own handler called in process with the JSON it takes: the
//! same validation, role checks, transaction and audit entry.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::Action;
use serde::Deserialize;
use serde_json::{Value, json};

use super::day::notice;
use super::format;
use super::outcome;
use super::page::{Chrome, PageError, Section, render, see};
use super::viewer::Viewer;
use crate::access::Operator;
use crate::admin::{accounts, config, days_off};
use crate::state::AppState;

/// A user row.
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: &'static str,
    /// Disabled.
    pub disabled: bool,
    /// The viewer themself (cannot disable themself here).
    pub me: bool,
}

/// A token row.
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Public prefix.
    pub prefix: String,
    /// Role.
    pub role: &'static str,
    /// Last used.
    pub last_used: String,
    /// Revoked.
    pub revoked: bool,
}

/// A day off.
pub struct DayOffRow {
    /// Id.
    pub id: i64,
    /// Branch or staff member.
    pub who: String,
    /// The day or days.
    pub when: String,
    /// Why.
    pub note: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    tokens: Vec<TokenRow>,
    closures: Vec<DayOffRow>,
    absences: Vec<DayOffRow>,
    branches: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    config: String,
    may_configure: bool,
    secret: Option<(String, String)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct SettingsQuery {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    notice_key: Option<&str>,
    secret: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, PageError> {
    viewer.acting(Action::ManageAccess)?;
    let entry = viewer.entry();
    let t = viewer.ui();
    let tz = &entry.company.def.time_zone;
    let users = state
        .store()
        .users(viewer.scope())
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            me: u.id == viewer.user.id,
            email: u.email,
            name: u.name.unwrap_or_default(),
            role: u.role.as_str(),
            disabled: u.disabled_at.is_some(),
        })
        .collect();
    let tokens = state
        .store()
        .tokens(viewer.scope())
        .await?
        .into_iter()
        .map(|k| TokenRow {
            id: k.id.0,
            name: k.name,
            prefix: k.prefix,
            role: k.role.as_str(),
            last_used: k.last_used_at.map(|at| format::datetime(viewer.lang, at, tz)).unwrap_or_default(),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let closures = state
        .store()
        .closures(viewer.scope(), Some(viewer.company))
        .await?
        .into_iter()
        .map(|c| DayOffRow {
            id: c.id.0,
            who: entry.branch(c.branch_id).map_or_else(String::new, |b| b.def.name.clone()),
            when: format::date(viewer.lang, c.day),
            note: c.note.unwrap_or_default(),
        })
        .collect();
    let absences = state
        .store()
        .absences(viewer.scope(), Some(viewer.company))
        .await?
        .into_iter()
        .map(|a| DayOffRow {
            id: a.id.0,
            who: entry.staff_member(a.staff_id).map_or_else(String::new, |s| s.def.name.clone()),
            when: format!("{} – {}", format::date(viewer.lang, a.span.from()), format::date(viewer.lang, a.span.to())),
            note: a.note.unwrap_or_default(),
        })
        .collect();
    let may_configure = viewer.may(Action::Configure);
    let config = if may_configure {
        let key = entry.company.def.key.to_string();
        let response =
            config::export(State(state.clone()), Operator(viewer.acting(Action::Configure)?), Path(key)).await?;
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        String::new()
    };
    let page = SettingsPage {
        chrome: Chrome::new(viewer, Section::Settings, t.settings).notice(notice(viewer, notice_key)),
        users,
        tokens,
        closures,
        absences,
        branches: entry.branches.iter().map(|b| (b.def.key.to_string(), b.def.name.clone())).collect(),
        staff: entry.staff.iter().map(|s| (s.def.key.to_string(), s.def.name.clone())).collect(),
        config,
        may_configure,
        secret,
        error,
    };
    render(&page)
}

/// `GET /admin/settings`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, PageError> {
    page(&state, &viewer, q.notice.as_deref(), None, None).await
}

fn body(value: Value) -> Bytes {
    Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
}

/// After a change: back to the settings, or the settings with the refusal.
async fn after(state: &AppState, viewer: &Viewer, response: Response) -> Result<Response, PageError> {
    match outcome::read(response).await? {
        Ok(_) => Ok(see("/admin/settings?notice=saved")),
        Err(refused) => {
            let t = viewer.ui();
            let mut page = page(state, viewer, None, None, Some(format!("{}: {}", t.refused, refused.message))).await?;
            *page.status_mut() = refused.status;
            Ok(page)
        }
    }
}

fn filled(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[derive(Deserialize)]
pub(super) struct NewUserForm {
    email: String,
    name: Option<String>,
    role: String,
}

/// `POST /admin/settings/users`: a new user; the generated password is shown once.
pub(super) async fn add_user(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<NewUserForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::ManageAccess)?);
    let json = json!({"email": form.email.trim(), "name": filled(form.name), "role": form.role});
    let response = accounts::create_user(State(state.clone()), op, HeaderMap::new(), body(json)).await?;
    match outcome::read(response).await? {
        Ok(created) => {
            let email = created["email"].as_str().unwrap_or_default().to_owned();
            let password = created["password"].as_str().unwrap_or_default().to_owned();
            page(&state, &viewer, Some("saved"), Some((email, password)), None).await
        }
        Err(refused) => {
            let t = viewer.ui();
            page(&state, &viewer, None, None, Some(format!("{}: {}", t.refused, refused.message))).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct UserForm {
    disabled: String,
}

/// `POST /admin/settings/users/{id}`: disable or enable.
pub(super) async fn change_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<UserForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::ManageAccess)?);
    let json = json!({"disabled": form.disabled == "true"});
    let response = accounts::change_user(State(state.clone()), op, Path(id), body(json)).await?;
    after(&state, &viewer, response).await
}

#[derive(Deserialize)]
pub(super) struct NewTokenForm {
    name: String,
    role: Option<String>,
}

/// `POST /admin/settings/tokens`: a new API token, shown once.
pub(super) async fn add_token(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<NewTokenForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::ManageAccess)?);
    let json = json!({"name": form.name.trim(), "role": filled(form.role)});
    let response = accounts::create_token(State(state.clone()), op, HeaderMap::new(), body(json)).await?;
    match outcome::read(response).await? {
        Ok(created) => {
            let name = created["name"].as_str().unwrap_or_default().to_owned();
            let token = created["token"].as_str().unwrap_or_default().to_owned();
            page(&state, &viewer, Some("saved"), Some((name, token)), None).await
        }
        Err(refused) => {
            let t = viewer.ui();
            page(&state, &viewer, None, None, Some(format!("{}: {}", t.refused, refused.message))).await
        }
    }
}

/// `POST /admin/settings/tokens/{id}/revoke`.
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::ManageAccess)?);
    let response = accounts::revoke_token(State(state.clone()), op, Path(id)).await?;
    after(&state, &viewer, response).await
}

#[derive(Deserialize)]
pub(super) struct ClosureForm {
    branch: String,
    date: String,
    note: Option<String>,
}

/// `POST /admin/settings/closures`.
pub(super) async fn add_closure(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<ClosureForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Operate)?);
    let company = viewer.entry().company.def.key.to_string();
    let json = json!({"company": company, "branch": form.branch, "date": form.date, "note": filled(form.note)});
    let response = days_off::add_closure(State(state.clone()), op, HeaderMap::new(), body(json)).await?;
    after(&state, &viewer, response).await
}

/// `POST /admin/settings/closures/{id}/remove`.
pub(super) async fn remove_closure(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Operate)?);
    let response = days_off::remove_closure(State(state.clone()), op, Path(id)).await?;
    after(&state, &viewer, response).await
}

#[derive(Deserialize)]
pub(super) struct AbsenceForm {
    staff: String,
    from: String,
    to: Option<String>,
    note: Option<String>,
}

/// `POST /admin/settings/absences`.
pub(super) async fn add_absence(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<AbsenceForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Operate)?);
    let company = viewer.entry().company.def.key.to_string();
    let json = json!({"company": company, "staff": form.staff, "from": form.from, "to": filled(form.to), "note": filled(form.note)});
    let response = days_off::add_absence(State(state.clone()), op, HeaderMap::new(), body(json)).await?;
    after(&state, &viewer, response).await
}

/// `POST /admin/settings/absences/{id}/remove`.
pub(super) async fn remove_absence(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Operate)?);
    let response = days_off::remove_absence(State(state.clone()), op, Path(id)).await?;
    after(&state, &viewer, response).await
}

/// `GET /admin/settings/tenant.toml`: the company's tenant file, as a download.
pub(super) async fn download(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Configure)?);
    let key = viewer.entry().company.def.key.to_string();
    let mut response = config::export(State(state), op, Path(key.clone())).await?.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{key}.toml\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct ConfigForm {
    file: String,
}

/// `POST /admin/settings/config`: applies an edited tenant file.
pub(super) async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<ConfigForm>,
) -> Result<Response, PageError> {
    let op = Operator(viewer.acting(Action::Configure)?);
    let key = viewer.entry().company.def.key.to_string();
    let response = config::apply(State(state.clone()), op, Path(key), Bytes::from(form.file)).await?;
    after(&state, &viewer, response).await
}
