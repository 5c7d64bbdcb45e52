//! Booking at the desk: service → staff (optional) → day → a free time from the engine →
//! the customer (found by name or number, or new) → book.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use frontdesk_domain::access::Action;
use frontdesk_domain::ids::CustomerId;
use frontdesk_store::model::{CustomerFilter, PageRequest};
use serde::Deserialize;

use super::appointment::refusal_text;
use super::day::{branch_choices, branch_of, date_of};
use super::format;
use super::outcome;
use super::page::{Chrome, PageError, Section, render, see};
use super::slots::{self, FreeSlot};
use super::viewer::Viewer;
use crate::admin::appointments::{self as ops, CustomerBody, NewAppointmentBody};
use crate::admin::write::Idempotency;
use crate::state::AppState;

/// A customer found by the search.
pub struct Found {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Number as written nationally.
    pub phone: String,
    /// Chosen.
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "new.html")]
struct NewPage {
    chrome: Chrome,
    branches: Vec<(String, String, bool)>,
    branch: String,
    services: Vec<(String, String, bool)>,
    service: String,
    staff: Vec<(String, String, bool)>,
    date: String,
    slots: Vec<FreeSlot>,
    searched: bool,
    q: String,
    found: Vec<Found>,
    name: String,
    phone: String,
    email: String,
    notes: String,
    error: Option<String>,
    nonce: String,
}

#[derive(Deserialize, Default)]
pub(super) struct NewQuery {
    branch: Option<String>,
    service: Option<String>,
    staff: Option<String>,
    date: Option<String>,
    q: Option<String>,
    customer_id: Option<i64>,
}

/// The booking form; with a service chosen it lists the free times, with a search the customers.
async fn form(
    state: &AppState,
    viewer: &Viewer,
    q: NewQuery,
    filled: Option<&BookForm>,
    error: Option<String>,
) -> Result<Response, PageError> {
    viewer.acting(Action::Operate)?;
    let entry = viewer.entry();
    let branch = branch_of(entry, q.branch.as_deref().filter(|b| !b.is_empty()))?;
    let now = state.settings().clock.now();
    let date = date_of(q.date.as_deref(), now, &branch.def.time_zone)?;
    let service = q.service.as_deref().and_then(|s| entry.services.iter().find(|x| x.def.key.to_string() == s));
    let staff = q
        .staff
        .as_deref()
        .and_then(|s| entry.staff.iter().find(|x| x.branch_id == branch.id && x.def.key.to_string() == s));
    let slots = match service {
        Some(s) => slots::free(state, viewer, entry, branch.id, s.id, staff.map(|m| m.id), date, None).await?,
        None => Vec::new(),
    };
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let region = entry.company.def.locale.phone_region().to_owned();
    let found = match search {
        Some(text) => {
            let filter = CustomerFilter {
                company: Some(viewer.company),
                search: Some(text.to_owned()),
                ..CustomerFilter::default()
            };
            state
                .store()
                .list_customers(viewer.scope(), &filter, &PageRequest::first(20))
                .await?
                .items
                .into_iter()
                .map(|c| Found {
                    id: c.id.0,
                    name: c.name.unwrap_or_default(),
                    phone: c.phone.as_ref().map(|p| format::phone(p, &region)).unwrap_or_default(),
                    selected: q.customer_id == Some(c.id.0),
                })
                .collect()
        }
        None => Vec::new(),
    };
    let t = viewer.ui();
    let page = NewPage {
        chrome: Chrome::new(viewer, Section::Calendar, t.new_appointment),
        branches: branch_choices(entry, branch),
        branch: branch.def.key.to_string(),
        services: entry
            .services
            .iter()
            .map(|s| (s.def.key.to_string(), s.def.name.clone(), service.is_some_and(|x| x.id == s.id)))
            .collect(),
        service: service.map(|s| s.def.key.to_string()).unwrap_or_default(),
        staff: entry
            .staff
            .iter()
            .filter(|m| m.branch_id == branch.id && service.is_none_or(|s| m.performs(s.id)))
            .map(|m| (m.def.key.to_string(), m.def.name.clone(), staff.is_some_and(|x| x.id == m.id)))
            .collect(),
        date: date.to_string(),
        slots,
        searched: search.is_some(),
        q: search.unwrap_or_default().to_owned(),
        found,
        name: filled.and_then(|f| f.name.clone()).unwrap_or_default(),
        phone: filled.and_then(|f| f.phone.clone()).unwrap_or_default(),
        email: filled.and_then(|f| f.email.clone()).unwrap_or_default(),
        notes: filled.and_then(|f| f.notes.clone()).unwrap_or_default(),
        error,
        nonce: crate::access::secret::session_secret(),
    };
    render(&page)
}

/// `GET /admin/appointments/new`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    form(&state, &viewer, q, None, None).await
}

#[derive(Deserialize)]
pub(super) struct BookForm {
    branch: Option<String>,
    service: String,
    staff: Option<String>,
    date: Option<String>,
    slot: Option<String>,
    customer_id: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    notes: Option<String>,
    another_person: Option<String>,
    nonce: Option<String>,
}

fn filled(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// `POST /admin/appointments`: books through the admin API's operation.
pub(super) async fn book(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(f): axum::Form<BookForm>,
) -> Result<Response, PageError> {
    let principal = viewer.acting(Action::Operate)?;
    let t = viewer.ui();
    let again = |f: &BookForm| NewQuery {
        branch: f.branch.clone(),
        service: Some(f.service.clone()),
        staff: f.staff.clone(),
        date: f.date.clone(),
        ..NewQuery::default()
    };
    let Some((start, staff)) = f.slot.as_deref().and_then(slots::chosen) else {
        let error = format!("{}: {}", t.refused, t.free_times);
        return form(&state, &viewer, again(&f), Some(&f), Some(error)).await;
    };
    // An existing customer is booked under their name and number (the number finds them, I2).
    let existing = match filled(&f.customer_id).and_then(|id| id.parse::<i64>().ok()) {
        Some(id) => state.store().customer(viewer.company, CustomerId(id)).await?,
        None => None,
    };
    let customer = match &existing {
        Some(c) => CustomerBody {
            name: c.name.clone().unwrap_or_default(),
            salutation: None,
            phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: None,
        },
        None => CustomerBody {
            name: filled(&f.name).unwrap_or_default(),
            salutation: None,
            phone: filled(&f.phone),
            email: filled(&f.email),
        },
    };
    if customer.name.is_empty() {
        let error = format!("{}: {}", t.refused, t.name);
        return form(&state, &viewer, again(&f), Some(&f), Some(error)).await;
    }
    let what = format!("{start}|{}|{}|{:?}", f.service, customer.name, customer.phone);
    let key = f.nonce.as_deref().and_then(|n| Idempotency::form("/admin/appointments", n, &what));
    let body = NewAppointmentBody {
        company: viewer.entry().company.def.key.to_string(),
        branch: filled(&f.branch),
        service: f.service.clone(),
        staff,
        start,
        customer,
        notes: filled(&f.notes),
        another_person: f.another_person.is_some(),
    };
    let response = ops::create(&state, principal, key, body).await?;
    match outcome::read(response).await? {
        Ok(created) => {
            let id = created["id"].as_i64().unwrap_or_default();
            Ok(see(&format!("/admin/appointments/{id}?notice=booked")))
        }
        Err(refused) => {
            let text = refusal_text(t, &refused);
            let mut response = form(&state, &viewer, again(&f), Some(&f), Some(text)).await?;
            *response.status_mut() = refused.status;
            Ok(response)
        }
    }
}
