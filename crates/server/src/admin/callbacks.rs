//! Callback requests for operators: assign to a user of the company, mark done with a note,
//! reopen.

use axum::extract::{Path, State};
use axum::response::Response;
use frontdesk_domain::access::{Action, Principal, Scope};
use frontdesk_domain::ids::{CallbackId, CompanyId, UserId};
use frontdesk_domain::records::CallbackStatus;
use frontdesk_store::model::{CallbackChange, Owned};
use serde::Deserialize;
use serde_json::Value;

use super::openapi::ChangeErrors;
use super::views::CallbackView;
use super::views::callback_json;
use super::write::{self, Answer, Audit};
use super::{json_body, missing, owner};
use crate::access::Operator;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "note": "moved to Friday"}))]
#[derive(Default)]
pub(crate) struct ChangeBody {
    /// Assign to this user of the company; `null` unassigns.
    #[serde(default, deserialize_with = "present")]
    pub(crate) assigned_user_id: Option<Option<i64>>,
    /// `done` or `open`.
    pub(crate) status: Option<String>,
    /// What was agreed (with `status: done`).
    pub(crate) note: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// `PATCH /callbacks/{id}`.
#[utoipa::path(
    patch,
    path = "/callbacks/{id}",
    tag = "callbacks",
    params(("id" = i64, Path, description = "the id")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "changed", body = CallbackView),
        ChangeErrors
    )
)]
pub(super) async fn change_callback(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    // A missing or another company's callback is not found before the body is looked at.
    let company = owner(&state, principal.scope, Owned::Callback(CallbackId(id))).await?;
    let body: ChangeBody = json_body(&body)?;
    change(&state, principal, company, CallbackId(id), body).await
}

/// Assigns, marks done or reopens a callback of `company` (found by [`owner`]): the API's
/// `PATCH` and the dashboard's forms.
pub(crate) async fn change(
    state: &AppState,
    principal: Principal,
    company: CompanyId,
    id: CallbackId,
    body: ChangeBody,
) -> Result<Response, ApiError> {
    let mut changes = Vec::new();
    if let Some(user) = body.assigned_user_id {
        let user = user.map(UserId);
        if let Some(u) = user
            && state.store().user(Scope::Company(company), u).await?.is_none()
        {
            return Err(ApiError::invalid_field("assigned_user_id", "not a user of the callback's company"));
        }
        changes.push(("callback.assign", CallbackChange::Assign(user)));
    }
    match body.status.as_deref().map(|s| (s, CallbackStatus::parse(s))) {
        None if body.note.is_some() => {
            return Err(ApiError::invalid_field("note", "a note is given with `status: done`"));
        }
        None => {}
        Some((_, Some(CallbackStatus::Done))) => {
            changes.push(("callback.done", CallbackChange::Done { note: body.note.clone() }));
        }
        Some((_, Some(CallbackStatus::Open))) if body.note.is_none() => {
            changes.push(("callback.reopen", CallbackChange::Reopen));
        }
        Some((_, Some(CallbackStatus::Open))) => {
            return Err(ApiError::invalid_field("note", "a note is given with `status: done`"));
        }
        Some((s, None)) => return Err(ApiError::invalid_field("status", format!("`{s}`: must be `open` or `done`"))),
    }
    if changes.is_empty() {
        return Err(ApiError::invalid_field("status", "nothing to change: give `assigned_user_id` or `status`"));
    }
    write::run(state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let mut last: Option<Value> = None;
            for (action, change) in changes {
                let now = jiff::Timestamp::now();
                let Some((before, after)) = tx.update_callback(company, id, &change, now).await? else {
                    return Ok(Answer::from(missing(Owned::Callback(id))));
                };
                let after = callback_json(&after);
                let audit = Audit {
                    principal: &principal,
                    company: Some(company),
                    action,
                    entity: "callback",
                    id: id.to_string(),
                };
                audit.write(tx, Some(callback_json(&before)), Some(after.clone()), &[]).await?;
                last = Some(after);
            }
            Ok(Answer::ok(last.unwrap_or(Value::Null)))
        })
    })
    .await
}
