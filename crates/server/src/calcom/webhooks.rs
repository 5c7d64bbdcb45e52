//! `POST /webhooks/calcom` (and `/webhooks/calcom/{company}`): bookings changed in Cal.com.
//!
//! The signature is checked against the company's webhook secret (each connected company's in
//! turn when the URL does not name one); a bad signature is 401 and nothing is stored. Each
//! delivery goes into the inbox with trigger + booking uid + createdAt as its dedupe key (Cal.com
//! sends no delivery id) and is applied in the same transaction.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use frontdesk_calcom::signature;
use frontdesk_calcom::wire::WebhookDelivery;
use std::sync::Arc;

use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::CompanyId;
use frontdesk_domain::records::{Provider, WebhookEvent, WebhookStatus};
use frontdesk_store::model::{Delivery, NewWebhookEvent};
use frontdesk_store::{SharedStore, StoreError};
use jiff::Timestamp;
use serde_json::Value;

use super::apply::{self, Applied};
use crate::error::ApiError;
use crate::state::AppState;

/// A delivery for whichever connected company's secret verifies it.
pub async fn any_company(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, None, &headers, &body).await
}

/// A delivery for the company named in the path.
pub async fn for_company(
    State(state): State<AppState>,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&state, Some(company), &headers, &body).await
}

async fn handle(state: &AppState, company: Option<String>, headers: &HeaderMap, body: &[u8]) -> Response {
    match receive(state, company, headers, body).await {
        Ok(response) => response,
        Err(error) if error.is_transient() => ApiError::from(error).into_response(),
        Err(error) => {
            tracing::error!(%error, "Cal.com webhook could not be applied");
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn receive(
    state: &AppState,
    company: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, StoreError> {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    let directory = state.directory();
    let connections = state.store().calcom_connections().await?;
    let named = company.as_deref().map(|key| directory.company_by_key(key).map(|e| e.company.id));
    if named == Some(None) {
        return Ok(ApiError::not_found("no such company").into_response());
    }
    let verified = connections
        .iter()
        .filter(|c| named.flatten().is_none_or(|id| c.company_id == id))
        .find(|c| signature::verify(&c.webhook_secret, body, header));
    let Some(connection) = verified else {
        metrics::counter!("frontdesk_signature_rejections_total", "provider" => "calcom").increment(1);
        return Ok(ApiError::unauthorized("X-Cal-Signature-256 does not match").into_response());
    };
    let Some(entry) = directory.company(connection.company_id) else {
        return Ok(ApiError::not_found("no such company").into_response());
    };
    let value = match frontdesk_domain::text::parse_json(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Ok(ApiError::bad_request("the body must be a JSON object").into_response()),
    };
    let payload = String::from_utf8_lossy(body).into_owned();
    let status = apply_delivery(state.store(), directory.clone(), entry.company.id, &value, payload).await?;
    metrics::counter!("frontdesk_webhooks_total", "provider" => "calcom", "event" => "booking", "status" => status.as_str())
        .increment(1);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Stores and applies one delivery, in one transaction.
async fn apply_delivery(
    store: &SharedStore,
    directory: Arc<Directory>,
    company: CompanyId,
    value: &Value,
    payload: String,
) -> Result<WebhookStatus, StoreError> {
    let now = Timestamp::now();
    let delivery = WebhookDelivery::from_value(value);
    let event = NewWebhookEvent {
        provider: Provider::Calcom,
        event_type: delivery.as_ref().map_or_else(|| "unknown".to_owned(), |d| d.trigger.chars().take(64).collect()),
        dedupe_key: delivery.as_ref().map(WebhookDelivery::dedupe_key),
        external_call_id: None,
        company_id: Some(company),
        payload,
        status: WebhookStatus::Processed,
        error: None,
        at: now,
    };
    // Kept to record the delivery as failed if applying it fails for good (below).
    let kept = event.clone();
    let applied = store
        .write(move |tx| {
            Box::pin(async move {
                let mut event = event;
                let Some(delivery) = delivery else {
                    event.status = WebhookStatus::Failed;
                    event.error = Some("no `triggerEvent`".into());
                    tx.insert_webhook_event(&event).await?;
                    return Ok(WebhookStatus::Failed);
                };
                let id = match tx.insert_webhook_event(&event).await? {
                    Delivery::Duplicate(first) => {
                        event.dedupe_key = None;
                        event.status = WebhookStatus::Ignored;
                        event.error = Some(format!("duplicate of event {first}"));
                        tx.insert_webhook_event(&event).await?;
                        return Ok(WebhookStatus::Ignored);
                    }
                    Delivery::New(id) => id,
                };
                let entry = directory.company(company).ok_or(StoreError::NotFound("company"))?;
                let (status, note) = apply_trigger(tx, entry, &delivery, now).await?;
                if status != WebhookStatus::Processed || note.is_some() {
                    tx.set_webhook_status(id, status, note.as_deref(), now).await?;
                }
                Ok(status)
            })
        })
        .await;
    match applied {
        Err(error) if !error.is_transient() => {
            // A delivery that can never be applied is still acknowledged (Cal.com would only send
            // it again), but never silently: it is stored as `failed` with the error, listed and
            // replayable like any other.
            tracing::warn!(%error, "a Cal.com delivery failed for good; stored as failed");
            let mut failed = kept;
            failed.status = WebhookStatus::Failed;
            failed.error = Some(format!("could not be applied: {error}"));
            store.write(move |tx| Box::pin(async move { tx.insert_webhook_event(&failed).await.map(drop) })).await?;
            Ok(WebhookStatus::Failed)
        }
        other => other,
    }
}

/// What a trigger means for the calendar.
async fn apply_trigger(
    tx: &mut dyn frontdesk_store::StoreTx,
    company: &CompanyEntry,
    delivery: &WebhookDelivery,
    now: Timestamp,
) -> Result<(WebhookStatus, Option<String>), StoreError> {
    let Some(mut booking) = delivery.booking.clone() else {
        return Ok((WebhookStatus::Failed, Some("the payload has no booking `uid`".into())));
    };
    match delivery.trigger.as_str() {
        "BOOKING_CREATED" | "BOOKING_RESCHEDULED" => {
            if booking.status.is_empty() {
                booking.status = "accepted".into();
            }
        }
        "BOOKING_CANCELLED" | "BOOKING_REJECTED" => booking.status = "cancelled".into(),
        other => return Ok((WebhookStatus::Ignored, Some(format!("trigger `{other}` is not used by frontdesk")))),
    }
    Ok(match apply::booking_state(tx, company, &booking, now).await? {
        Applied::Done(_) => (WebhookStatus::Processed, None),
        Applied::Ignored(why) => (WebhookStatus::Ignored, Some(why)),
        Applied::Failed(why) => (WebhookStatus::Failed, Some(why)),
    })
}

/// Applies a stored Cal.com delivery again (`frontdesk webhooks replay`).
pub async fn replay(
    store: &SharedStore,
    directory: Arc<Directory>,
    event: &WebhookEvent,
) -> Result<WebhookStatus, StoreError> {
    let Some(company) = event.company_id.filter(|id| directory.company(*id).is_some()) else {
        return Err(StoreError::NotFound("company of the event"));
    };
    let delivery = frontdesk_domain::text::parse_json(event.payload.as_bytes())
        .ok()
        .as_ref()
        .and_then(WebhookDelivery::from_value);
    let id = event.id;
    let now = Timestamp::now();
    store
        .write(move |tx| {
            Box::pin(async move {
                let entry = directory.company(company).ok_or(StoreError::NotFound("company"))?;
                let (status, note) = match delivery {
                    Some(delivery) => apply_trigger(tx, entry, &delivery, now).await?,
                    None => (WebhookStatus::Failed, Some("no `triggerEvent`".to_owned())),
                };
                tx.set_webhook_status(id, status, note.as_deref(), now).await?;
                Ok(status)
            })
        })
        .await
}
