//! Customers: find one by name or number, see their appointments, calls and callbacks, correct
//! their details, and merge a duplicate into them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::ids::CustomerId;
use frontdesk_store::model::{AppointmentFilter, CallFilter, CallbackFilter, CustomerFilter, Owned, PageRequest};
use serde::Deserialize;

use super::appointment::status_label;
use super::calls::{CallRow, rows};
use super::day::notice;
use super::format;
use super::outcome;
use super::page::{Chrome, PageError, Section, render, see};
use super::viewer::Viewer;
use crate::admin::customers::{self as ops, EditBody, MergeBody};
use crate::admin::owner;
use crate::admin::write::Idempotency;
use crate::state::AppState;

/// A customer in the list.
pub struct CustomerRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Number as written nationally.
    pub phone: String,
    /// E-mail.
    pub email: String,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct CustomersPage {
    chrome: Chrome,
    q: String,
    rows: Vec<CustomerRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct CustomersQuery {
    q: Option<String>,
    cursor: Option<String>,
}

/// `GET /admin/customers`.
pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CustomersQuery>,
) -> Result<Response, PageError> {
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let filter = CustomerFilter { company: Some(viewer.company), search: search.clone(), ..CustomerFilter::default() };
    let page = PageRequest { cursor: q.cursor.clone(), ..PageRequest::first(PageRequest::DEFAULT_LIMIT) };
    let found = state.store().list_customers(viewer.scope(), &filter, &page).await?;
    let region = viewer.entry().company.def.locale.phone_region().to_owned();
    let rows = found
        .items
        .into_iter()
        .map(|c| CustomerRow {
            id: c.id.0,
            name: c.name.unwrap_or_default(),
            phone: c.phone.as_ref().map(|p| format::phone(p, &region)).unwrap_or_default(),
            email: c.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        })
        .collect();
    let t = viewer.ui();
    let page = CustomersPage {
        chrome: Chrome::new(&viewer, Section::Customers, t.customers),
        q: search.unwrap_or_default(),
        rows,
        next: found.next_cursor,
    };
    render(&page)
}

/// An appointment of the customer.
pub struct AppointmentRow {
    /// Id.
    pub id: i64,
    /// When.
    pub when: String,
    /// Service.
    pub service: String,
    /// Staff member.
    pub staff: String,
    /// Status in words.
    pub status: &'static str,
}

/// A callback of the customer.
pub struct CallbackRow {
    /// When asked.
    pub asked: String,
    /// Why.
    pub reason: String,
    /// Open or done, in words.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    chrome: Chrome,
    id: i64,
    name: String,
    salutation: String,
    phone: String,
    email: String,
    created: String,
    appointments: Vec<AppointmentRow>,
    calls: Vec<CallRow>,
    callbacks: Vec<CallbackRow>,
    may_operate: bool,
    error: Option<String>,
    nonce: String,
}

#[derive(Deserialize, Default)]
pub(super) struct CustomerQuery {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    notice_key: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let id = CustomerId(id);
    let company =
        state.store().owner_of(viewer.scope(), Owned::Customer(id)).await?.ok_or_else(PageError::not_found)?;
    let c = state.store().customer(company, id).await?.ok_or_else(PageError::not_found)?;
    let entry = viewer.entry();
    let t = viewer.ui();
    let tz = &entry.company.def.time_zone;
    let filter = AppointmentFilter { company: Some(company), customer: Some(id), ..AppointmentFilter::default() };
    let appointments = state.store().list_appointments(viewer.scope(), &filter, &PageRequest::first(100)).await?;
    let appointments = appointments
        .items
        .iter()
        .rev()
        .map(|a| AppointmentRow {
            id: a.id.0,
            when: format::datetime(viewer.lang, a.range.start(), tz),
            service: entry.service(a.service_id).map_or_else(String::new, |s| s.def.name.clone()),
            staff: entry.staff_member(a.staff_id).map_or_else(String::new, |s| s.def.name.clone()),
            status: status_label(t, a.status),
        })
        .collect();
    let calls = state
        .store()
        .list_calls(
            viewer.scope(),
            &CallFilter { company: Some(company), customer: Some(id), ..CallFilter::default() },
            &PageRequest::first(20),
        )
        .await?;
    let calls = rows(state, viewer, &calls.items).await?;
    let callbacks = state
        .store()
        .list_callbacks(
            viewer.scope(),
            &CallbackFilter { company: Some(company), customer: Some(id), ..CallbackFilter::default() },
            &PageRequest::first(50),
        )
        .await?
        .items
        .iter()
        .map(|cb| CallbackRow {
            asked: format::datetime(viewer.lang, cb.created_at, tz),
            reason: cb.reason.clone().unwrap_or_default(),
            status: if cb.done_at.is_some() { t.done } else { t.open },
        })
        .collect();
    let region = entry.company.def.locale.phone_region().to_owned();
    let name = c.name.clone().unwrap_or_default();
    let page = CustomerPage {
        chrome: Chrome::new(viewer, Section::Customers, format!("{} · {name}", t.customer))
            .notice(notice(viewer, notice_key)),
        id: c.id.0,
        name,
        salutation: c.salutation.clone().unwrap_or_default(),
        phone: c.phone.as_ref().map(|p| format::phone(p, &region)).unwrap_or_default(),
        email: c.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        created: format::datetime(viewer.lang, c.created_at, tz),
        appointments,
        calls,
        callbacks,
        may_operate: viewer.may(Action::Operate),
        error,
        nonce: crate::access::secret::session_secret(),
    };
    render(&page)
}

/// `GET /admin/customers/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CustomerQuery>,
) -> Result<Response, PageError> {
    page(&state, &viewer, id, q.notice.as_deref(), None).await
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    name: Option<String>,
    salutation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// A form field: empty clears it.
fn field(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
}

/// `POST /admin/customers/{id}`: the details.
pub(super) async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let body = EditBody {
        name: field(form.name),
        salutation: field(form.salutation),
        phone: field(form.phone),
        email: field(form.email),
    };
    let company = owner(&state, principal.scope, Owned::Customer(CustomerId(id))).await?;
    let response = ops::edit(&state, principal, company, CustomerId(id), body).await?;
    after(&state, &viewer, id, response).await
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    from: String,
    nonce: Option<String>,
}

/// `POST /admin/customers/{id}/merge`: the duplicate `from` into this customer.
pub(super) async fn merge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<MergeForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let Ok(from) = form.from.trim().trim_start_matches('#').parse::<i64>() else {
        let t = viewer.ui();
        return page(&state, &viewer, id, None, Some(format!("{}: {}", t.refused, t.merge_into))).await;
    };
    let key = form
        .nonce
        .as_deref()
        .and_then(|n| Idempotency::form(&format!("/admin/customers/{id}/merge"), n, &from.to_string()));
    let company = owner(&state, principal.scope, Owned::Customer(CustomerId(id))).await?;
    let response = ops::merge(&state, principal, company, CustomerId(id), key, MergeBody { from }).await?;
    after(&state, &viewer, id, response).await
}

async fn after(state: &AppState, viewer: &Viewer, id: i64, response: Response) -> Result<Response, PageError> {
    match outcome::read(response).await? {
        Ok(_) => Ok(see(&format!("/admin/customers/{id}?notice=saved"))),
        Err(refused) => {
            let t = viewer.ui();
            let mut response =
                page(state, viewer, id, None, Some(format!("{}: {}", t.refused, refused.message))).await?;
            *response.status_mut() = refused.status;
            Ok(response)
        }
    }
}
