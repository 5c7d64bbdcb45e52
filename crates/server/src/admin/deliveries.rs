//! Putting failed deliveries right: applying a stored webhook delivery again (after the cause is
//! fixed), and retrying a Cal.com job that gave up. Both are idempotent: a processed delivery
//! replayed changes nothing, a job retried runs once more.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::access::{Action, Principal, Scope};
use frontdesk_domain::ids::{NotificationId, OutboxJobId, WebhookEventId};
use frontdesk_domain::records::{Provider, WebhookStatus};
use jiff::Timestamp;
use serde_json::json;

use super::openapi::ChangeErrors;
use super::views::{EventView, event_json};
use super::write::{self, Answer, Audit};
use crate::access::Operator;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /webhook-events/{id}/replay`.
#[utoipa::path(
    post,
    path = "/webhook-events/{id}/replay",
    tag = "calls",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "applied again; `status` says how it went", body = EventView),
        ChangeErrors
    )
)]
pub(super) async fn replay_webhook(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    replay(&state, principal, WebhookEventId(id)).await
}

/// Applies a stored delivery again, if it is in the principal's scope (one not yet tied to a
/// company is the platform's); the replay is recorded in the audit log.
pub(crate) async fn replay(state: &AppState, principal: Principal, id: WebhookEventId) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("no webhook event {id}"));
    let event = state.store().webhook_event(id).await?.ok_or_else(not_found)?;
    let visible = match event.company_id {
        Some(company) => principal.scope.covers(company),
        None => principal.scope == Scope::Platform,
    };
    if !visible {
        return Err(not_found());
    }
    let directory = state.directory();
    let status = match event.provider {
        Provider::Retell => crate::retell::webhooks::replay(state.store(), &directory, &event).await,
        Provider::Calcom => crate::calcom::webhooks::replay(state.store(), directory, &event).await,
    };
    let status = match status {
        Ok(status) => status,
        Err(error) if error.is_transient() => return Err(error.into()),
        Err(error) => {
            tracing::warn!(event = id.0, %error, "a replayed delivery could not be applied");
            WebhookStatus::Failed
        }
    };
    let after = state.store().webhook_event(id).await?.ok_or_else(not_found)?;
    let company = event.company_id;
    write::run(state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let audit = Audit {
                principal: &principal,
                company,
                action: "webhook.replay",
                entity: "webhook_event",
                id: id.to_string(),
            };
            let (before, mut after) = (event_json(&event), event_json(&after));
            audit.write(tx, Some(before), Some(after.clone()), &[]).await?;
            after["status"] = json!(status.as_str());
            Ok(Answer::ok(after))
        })
    })
    .await
}

/// `POST /outbox/{id}/retry`.
#[utoipa::path(
    post,
    path = "/outbox/{id}/retry",
    tag = "calls",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 202, description = "the job will run again", body = super::openapi::Retried),
        ChangeErrors
    )
)]
pub(super) async fn retry_job(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    retry(&state, principal, OutboxJobId(id)).await
}

/// Makes a failed job in the principal's scope due again.
pub(crate) async fn retry(state: &AppState, principal: Principal, id: OutboxJobId) -> Result<Response, ApiError> {
    if !state.store().retry_job(principal.scope, id, Timestamp::now()).await? {
        return Err(ApiError::not_found(format!("no failed job {id}")));
    }
    queued_again(state, principal, "outbox.retry", "outbox_job", id.0).await
}

/// Records in the audit log that `principal` queued `entity` `id` again, and answers 202.
async fn queued_again(
    state: &AppState,
    principal: Principal,
    action: &'static str,
    entity: &'static str,
    id: i64,
) -> Result<Response, ApiError> {
    write::run(state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let audit =
                Audit { principal: &principal, company: principal.scope.company(), action, entity, id: id.to_string() };
            audit.write(tx, None, None, &[]).await?;
            let body = super::openapi::Retried { id, status: "pending".to_owned() };
            Ok(Answer::new(StatusCode::ACCEPTED, serde_json::to_value(body).unwrap_or_default()))
        })
    })
    .await
}

/// `POST /notifications/{id}/retry`.
#[utoipa::path(
    post,
    path = "/notifications/{id}/retry",
    tag = "appointments",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 202, description = "the notification will be sent again", body = super::openapi::Retried),
        ChangeErrors
    )
)]
pub(super) async fn retry_notification(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Operate)?.clone();
    resend(&state, principal, NotificationId(id)).await
}

/// Makes a failed or skipped notification in the principal's scope due again.
pub(crate) async fn resend(state: &AppState, principal: Principal, id: NotificationId) -> Result<Response, ApiError> {
    if !state.store().retry_notification(principal.scope, id, Timestamp::now()).await? {
        return Err(ApiError::not_found(format!("no failed or skipped notification {id}")));
    }
    queued_again(state, principal, "notification.retry", "notification", id.0).await
}
