//! Customers for operators: create, edit (I2 holds: a number belongs to one customer of the
//! company), merge two into one, and the privacy duties: export everything stored about a
//! customer, erase their personal data.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use frontdesk_domain::access::{Action, Principal, Scope};
use frontdesk_domain::ids::{CompanyId, CustomerId};
use frontdesk_domain::phone::E164;
use frontdesk_domain::tenant::Email;
use frontdesk_store::StoreError;
use frontdesk_store::model::{
    AppointmentFilter, CallFilter, CallbackFilter, CustomerEdit, NewCustomer, Owned, PageRequest,
};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use super::openapi::{AccessErrors, ChangeErrors, CustomerExport, CustomerMerged, Erased, ReadErrors};
use super::views::CustomerView;
use super::views::{appointment_json, call_json, callback_json, customer_json, trace_json};
use super::write::{self, Answer, Audit, Idempotency};
use super::{Json, company, json_body, missing, owner};
use crate::access::Operator;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

fn phone_taken() -> ApiError {
    ApiError::conflict("phone_taken", "another customer of the company has this number")
}

/// A phone number as typed, in the company's region; blank clears it.
fn phone(raw: Option<&str>, state: &AppState, company: CompanyId, errors: &mut Vec<FieldError>) -> Option<E164> {
    let raw = raw.map(str::trim).filter(|p| !p.is_empty())?;
    let dir = state.directory();
    let region = dir.company(company).map(|e| e.company.def.locale.phone_region());
    E164::parse_lenient(raw, region).map_err(|e| errors.push(FieldError::new("phone", e.to_string()))).ok()
}

fn email(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<Email> {
    let raw = raw.map(str::trim).filter(|e| !e.is_empty())?;
    let parsed = Email::parse(raw);
    if parsed.is_none() {
        errors.push(FieldError::new("email", "not an e-mail address"));
    }
    parsed
}

/// `GET /customers/{id}`.
#[utoipa::path(
    get,
    path = "/customers/{id}",
    tag = "customers",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "the customer", body = CustomerView),
        ReadErrors
    )
)]
pub(super) async fn customer(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let id = CustomerId(id);
    let company = owner(&state, scope, Owned::Customer(id)).await?;
    let found = state.store().customer(company, id).await?.ok_or_else(|| missing(Owned::Customer(id)))?;
    Ok(axum::Json(customer_json(&found)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company": "friseur1", "name": "Petra Schulz", "phone": "0151 23456789"}))]
pub(super) struct NewCustomerBody {
    company: String,
    name: String,
    salutation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// `POST /customers`.
#[utoipa::path(
    post,
    path = "/customers",
    tag = "customers",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewCustomerBody,
    responses(
        (status = 201, description = "created", body = CustomerView),
        ChangeErrors
    )
)]
pub(super) async fn create_customer(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/customers", &headers, &body)?;
    let body: NewCustomerBody = json_body(&body)?;
    let company_id = company(&state.directory(), principal.scope, &body.company)?.company.id;
    let mut errors = Vec::new();
    if body.name.trim().is_empty() {
        errors.push(FieldError::new("name", "must not be empty"));
    }
    let new = NewCustomer {
        name: Some(body.name),
        salutation: body.salutation,
        phone: phone(body.phone.as_deref(), &state, company_id, &mut errors),
        email: email(body.email.as_deref(), &mut errors),
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    write::run(&state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            if let Some(p) = &new.phone
                && tx.customer_by_phone(company_id, p).await?.is_some()
            {
                return Ok(Answer::from(phone_taken()));
            }
            let customer = tx.create_customer(company_id, &new, Timestamp::now()).await?;
            let body = customer_json(&customer);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "customer.create",
                entity: "customer",
                id: customer.id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            Ok(Answer::new(StatusCode::CREATED, body))
        })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditBody {
    #[serde(default, deserialize_with = "present")]
    pub(crate) name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) salutation: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) email: Option<Option<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PATCH /customers/{id}`: fields given are replaced, `null` clears them.
#[utoipa::path(
    patch,
    path = "/customers/{id}",
    tag = "customers",
    params(("id" = i64, Path, description = "the id")),
    request_body = EditBody,
    responses(
        (status = 200, description = "edited", body = CustomerView),
        ChangeErrors
    )
)]
pub(super) async fn edit_customer(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    // A missing or another company's customer is not found before the body is looked at.
    let company = owner(&state, principal.scope, Owned::Customer(CustomerId(id))).await?;
    let body: EditBody = json_body(&body)?;
    edit(&state, principal, company, CustomerId(id), body).await
}

/// Edits a customer of `company_id` (found by [`owner`]): the API's `PATCH` and the
/// dashboard's form.
pub(crate) async fn edit(
    state: &AppState,
    principal: Principal,
    company_id: CompanyId,
    id: CustomerId,
    body: EditBody,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let edit = CustomerEdit {
        name: body.name,
        salutation: body.salutation,
        phone: body.phone.map(|p| phone(p.as_deref(), state, company_id, &mut errors)),
        email: body.email.map(|e| email(e.as_deref(), &mut errors)),
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if edit == CustomerEdit::default() {
        return Err(ApiError::invalid_field("name", "nothing to change"));
    }
    write::run(state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            if let Some(Some(p)) = &edit.phone
                && tx.customer_by_phone(company_id, p).await?.is_some_and(|other| other.id != id)
            {
                return Ok(Answer::from(phone_taken()));
            }
            let Some((before, after)) = tx.update_customer(company_id, id, &edit, Timestamp::now()).await? else {
                return Ok(Answer::from(missing(Owned::Customer(id))));
            };
            let after = customer_json(&after);
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "customer.edit",
                entity: "customer",
                id: id.to_string(),
            };
            audit.write(tx, Some(customer_json(&before)), Some(after.clone()), &[]).await?;
            Ok(Answer::ok(after))
        })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeBody {
    /// The customer merged into this one (and removed).
    pub(crate) from: i64,
}

/// `POST /customers/{id}/merge`: `from`'s appointments, calls and callbacks move to `{id}`.
#[utoipa::path(
    post,
    path = "/customers/{id}/merge",
    tag = "customers",
    params(("id" = i64, Path, description = "the id"), ("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = MergeBody,
    responses(
        (status = 200, description = "merged", body = CustomerMerged),
        ChangeErrors
    )
)]
pub(super) async fn merge_customers(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let into = CustomerId(id);
    let key = Idempotency::of(&Method::POST, &format!("/api/v1/customers/{into}/merge"), &headers, &body)?;
    let company = owner(&state, principal.scope, Owned::Customer(into)).await?;
    let body: MergeBody = json_body(&body)?;
    merge(&state, principal, company, into, key, body).await
}

/// Merges the customer `body.from` into `into`, a customer of `company_id` (found by
/// [`owner`]): the API's `POST …/merge` and the dashboard's.
pub(crate) async fn merge(
    state: &AppState,
    principal: Principal,
    company_id: CompanyId,
    into: CustomerId,
    key: Option<Idempotency>,
    body: MergeBody,
) -> Result<Response, ApiError> {
    let from = CustomerId(body.from);
    if from == into {
        return Err(ApiError::invalid_field("from", "a customer cannot be merged into itself"));
    }
    // Another company's customer is not found, like one that does not exist.
    if state.store().owner_of(principal.scope, Owned::Customer(from)).await? != Some(company_id) {
        return Err(ApiError::invalid_field("from", format!("no customer {from} in this customer's company")));
    }
    let before_into = state.store().customer(company_id, into).await?;
    write::run(state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let Some(report) = tx.merge_customers(company_id, into, from, Timestamp::now()).await? else {
                return Ok(Answer::from(missing(Owned::Customer(from))));
            };
            let kept = report.kept.as_ref().ok_or(StoreError::NotFound("customer"))?;
            let mut body = customer_json(kept);
            let moved =
                json!({"appointments": report.appointments, "calls": report.calls, "callbacks": report.callbacks});
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "customer.merge",
                entity: "customer",
                id: into.to_string(),
            };
            let before = before_into.map(|b| json!({"into": customer_json(&b), "from": from}));
            audit.write(tx, before, Some(json!({"customer": body.clone(), "moved": moved})), &[]).await?;
            body["moved"] = moved;
            Ok(Answer::ok(body))
        })
    })
    .await
}

/// `GET /customers/{id}/export`: everything stored about the customer, as one JSON document.
#[utoipa::path(
    get,
    path = "/customers/{id}/export",
    tag = "customers",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "everything stored about the customer", body = CustomerExport),
        AccessErrors
    )
)]
pub(super) async fn export_customer(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Json, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let id = CustomerId(id);
    let company_id = owner(&state, principal.scope, Owned::Customer(id)).await?;
    let store = state.store();
    let dir = state.directory();
    let customer = store.customer(company_id, id).await?.ok_or_else(|| missing(Owned::Customer(id)))?;
    let scope = Scope::Company(company_id);
    let all = PageRequest::first(PageRequest::MAX_LIMIT);
    let mut appointments = Vec::new();
    let mut page = all.clone();
    loop {
        let filter = AppointmentFilter { customer: Some(id), ..AppointmentFilter::default() };
        let got = store.list_appointments(scope, &filter, &page).await?;
        appointments.extend(got.items.iter().map(|a| appointment_json(&dir, a)));
        match got.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    let mut calls = Vec::new();
    let mut page = all.clone();
    loop {
        let got = store.list_calls(scope, &CallFilter { customer: Some(id), ..CallFilter::default() }, &page).await?;
        for call in &got.items {
            let mut body = call_json(&dir, call);
            body["function_calls"] = store.traces_of_call(call.id).await?.iter().map(trace_json).collect();
            calls.push(body);
        }
        match got.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    let callbacks =
        store.list_callbacks(scope, &CallbackFilter { customer: Some(id), ..CallbackFilter::default() }, &all).await?;
    Ok(axum::Json(json!({
        "exported_at": Timestamp::now(),
        "customer": customer_json(&customer),
        "appointments": appointments,
        "calls": calls,
        "callbacks": callbacks.items.iter().map(callback_json).collect::<Vec<Value>>(),
    })))
}

/// `POST /customers/{id}/erase`: the customer's personal data is replaced everywhere; the
/// appointments stay as anonymous history. Cannot be undone.
#[utoipa::path(
    post,
    path = "/customers/{id}/erase",
    tag = "customers",
    params(("id" = i64, Path, description = "the id"), ("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    responses(
        (status = 200, description = "erased", body = Erased),
        AccessErrors
    )
)]
pub(super) async fn erase_customer(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    let id = CustomerId(id);
    let company_id = owner(&state, principal.scope, Owned::Customer(id)).await?;
    write::run(&state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let Some(report) = tx.erase_customer(company_id, id, Timestamp::now()).await? else {
                return Ok(Answer::from(missing(Owned::Customer(id))));
            };
            let report = serde_json::to_value(report).unwrap_or_default();
            // The audit log records that and how much was erased, never what.
            let audit = Audit {
                principal: &principal,
                company: Some(company_id),
                action: "customer.erase",
                entity: "customer",
                id: id.to_string(),
            };
            audit.write(tx, None, Some(json!({"erased": report.clone()})), &[]).await?;
            Ok(Answer::ok(json!({"id": id, "erased": report})))
        })
    })
    .await
}
