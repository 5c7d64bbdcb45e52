//! `POST /webhooks/retell`: the inbound-call webhook and the lifecycle events.
//!
//! Every delivery is stored in the inbox with its dedupe key (I3) and applied in the same
//! transaction; the answer (204) is sent only once both are durable. A duplicate is stored as
//! `ignored` and changes nothing; an event frontdesk cannot use is stored as `ignored` or `failed`
//! and still answered 2xx (Retell must not retry what cannot succeed). A transient database error
//! answers 503, so Retell retries and nothing half-done remains.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::call::CallLinks;
use frontdesk_domain::directory::Directory;
use frontdesk_domain::ids::{CompanyId, ExternalCallId};
use frontdesk_domain::language::spoken;
use frontdesk_domain::phone::{Caller, E164};
use frontdesk_domain::records::{Provider, WebhookEvent, WebhookStatus};
use frontdesk_retell::wire::{self, CallObject, InboundCall, LifecycleEvent};
use frontdesk_store::model::{CallUpdate, NewWebhookEvent, Record, Recorded};
use frontdesk_store::{Bookings, SharedStore, StoreError};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// Handles one delivery.
pub async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = super::verify(&state, &headers, &body) {
        return refused.into_response();
    }
    let value = match frontdesk_domain::text::parse_json(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return ApiError::bad_request("the body must be a JSON object").into_response(),
    };
    let Some(event) = value.get("event").and_then(Value::as_str).map(str::to_owned) else {
        return ApiError::bad_request("the body has no `event`").into_response();
    };
    // The body parsed as JSON, so it is UTF-8; it is stored exactly as received.
    let payload = String::from_utf8_lossy(&body).into_owned();
    let directory = state.directory();
    let outcome = if event == "call_inbound" {
        inbound(&state, &directory, &value, payload).await
    } else {
        lifecycle(&state, &directory, &event, &value, payload).await.map(|status| {
            record_metric(&event, status);
            StatusCode::NO_CONTENT.into_response()
        })
    };
    match outcome {
        Ok(response) => response,
        Err(error) if error.is_transient() => ApiError::from(error).into_response(),
        Err(error) => {
            // A bug or bad data, not a passing fault: a retry would fail the same way. The
            // delivery is kept as `failed` (listed, replayable) before it is acknowledged.
            if matches!(error, StoreError::CallOfAnotherTenant { .. }) {
                tracing::warn!(%event, "webhook refused: its call id belongs to another company; stored as failed");
            } else {
                tracing::error!(%event, %error, "webhook could not be applied; stored as failed");
            }
            record_metric(&event, WebhookStatus::Failed);
            match store_failed(&state, &event, &value, &body, &error).await {
                Ok(()) => StatusCode::NO_CONTENT.into_response(),
                Err(again) if again.is_transient() => ApiError::from(again).into_response(),
                Err(again) => {
                    // Nothing was stored: not acknowledged, so the sender's retries stay possible.
                    tracing::error!(%event, error = %again, "a failed webhook could not be stored either");
                    ApiError::internal().into_response()
                }
            }
        }
    }
}

/// Stores a delivery that could not be applied as `failed`, with the reason, and nothing else.
async fn store_failed(
    state: &AppState,
    event: &str,
    value: &Value,
    body: &[u8],
    error: &StoreError,
) -> Result<(), StoreError> {
    let call = value.get("call").or_else(|| value.get("data"));
    let external = call.and_then(|c| c.get("call_id")).and_then(Value::as_str);
    let external = external.and_then(|id| ExternalCallId::parse(id.trim()));
    let payload = String::from_utf8_lossy(body).into_owned();
    let (company, reason) = match error {
        // Kept with the call it names, at that call's company, for its operators to see.
        StoreError::CallOfAnotherTenant { company, .. } => {
            let dialled = call.and_then(|c| c.get("to_number")).and_then(Value::as_str).unwrap_or("(none)");
            (*company, format!("refused: this call belongs to another company; the delivery named number {dialled}"))
        }
        error => (None, format!("could not be applied: {error}")),
    };
    let mut stored = new_event(event, external.as_ref().map(ExternalCallId::as_str), company, payload);
    stored.status = WebhookStatus::Failed;
    stored.error = Some(reason);
    state.store().record(Record::Delivery { event: stored, call: None }).await.map(|_| ())
}

fn record_metric(event: &str, status: WebhookStatus) {
    let event = match event {
        "call_inbound" | "call_started" | "call_ended" | "call_analyzed" | "transcript_updated"
        | "transfer_started" | "transfer_bridged" | "transfer_cancelled" | "transfer_ended" => event.to_owned(),
        _ => "other".to_owned(),
    };
    metrics::counter!("frontdesk_webhooks_total", "provider" => "retell", "event" => event, "status" => status.as_str())
        .increment(1);
}

fn new_event(event: &str, call: Option<&str>, company: Option<CompanyId>, payload: String) -> NewWebhookEvent {
    NewWebhookEvent {
        provider: Provider::Retell,
        event_type: event.chars().take(64).collect(),
        dedupe_key: None,
        external_call_id: call.map(str::to_owned),
        company_id: company,
        payload,
        status: WebhookStatus::Processed,
        error: None,
        at: Timestamp::now(),
    }
}

/// The tenant a call belongs to, from the dialled number, and the caller's number.
fn route(directory: &Directory, call: &CallObject) -> (CallLinks, Option<E164>) {
    let dialled = call.to_number.as_deref().and_then(|n| E164::parse_strict(n.trim()).ok());
    let Some((company, branch)) = dialled.as_ref().and_then(|n| directory.route(n)) else {
        return (CallLinks::default(), None);
    };
    let links = CallLinks { company_id: Some(company.company.id), branch_id: Some(branch.id), customer_id: None };
    (links, Caller::from_platform(call.from_number.as_deref()).number().cloned())
}

/// The tenant and customer a call belongs to, from its numbers.
pub(crate) async fn links(
    store: &(impl Bookings + ?Sized),
    directory: &Directory,
    call: &CallObject,
) -> Result<CallLinks, StoreError> {
    let (links, caller) = route(directory, call);
    let customer = match (links.company_id, caller) {
        (Some(company), Some(n)) => store.customer_by_phone(company, &n).await?.map(|c| c.id),
        _ => None,
    };
    Ok(CallLinks { customer_id: customer, ..links })
}

/// Applies a lifecycle event: stores it (or recognises a duplicate) and merges it into the call,
/// in a group commit with other requests.
pub(crate) async fn lifecycle(
    state: &AppState,
    directory: &Directory,
    event: &str,
    value: &Value,
    payload: String,
) -> Result<WebhookStatus, StoreError> {
    let call = value.get("call").or_else(|| value.get("data")).and_then(CallObject::from_value);
    let external = call.as_ref().and_then(|c| c.call_id.as_deref()).and_then(|id| ExternalCallId::parse(id.trim()));
    let record = match (LifecycleEvent::parse(event), call, external) {
        (None, call, _) => {
            let id = call.and_then(|c| c.call_id).and_then(|id| ExternalCallId::parse(id.trim()));
            let mut stored = new_event(event, id.as_ref().map(ExternalCallId::as_str), None, payload);
            stored.status = WebhookStatus::Ignored;
            stored.error = Some(format!("event type `{}` is not used by frontdesk", stored.event_type));
            Record::Delivery { event: stored, call: None }
        }
        (Some(_), None, _) | (Some(_), _, None) => {
            let mut stored = new_event(event, None, None, payload);
            stored.status = WebhookStatus::Failed;
            stored.error = Some("no `call` object with a usable `call_id`".into());
            Record::Delivery { event: stored, call: None }
        }
        (Some(kind), Some(call), Some(external)) => {
            // The customer is linked by the caller's number in the group commit.
            let (links, caller) = route(directory, &call);
            let mut stored = new_event(event, Some(external.as_str()), links.company_id, payload);
            stored.dedupe_key = wire::dedupe_key(event, kind, external.as_str(), value);
            let update = CallUpdate { external, facts: call.facts(), links, caller, at: stored.at };
            Record::Delivery { event: stored, call: Some(update) }
        }
    };
    let status = match &record {
        Record::Delivery { event, .. } => event.status,
        Record::Function { .. } | Record::Call(_) | Record::Trace { .. } => WebhookStatus::Processed,
    };
    Ok(match state.store().record(record).await? {
        Recorded::Duplicate(_) => WebhookStatus::Ignored,
        Recorded::Stored | Recorded::Traced(_) | Recorded::Call(_) => status,
    })
}

/// Applies a stored delivery again (`frontdesk webhooks replay`): the call merge is idempotent,
/// so replaying a processed event changes nothing, and a failed one is retried.
pub async fn replay(
    store: &SharedStore,
    directory: &Directory,
    event: &WebhookEvent,
) -> Result<WebhookStatus, StoreError> {
    let value = frontdesk_domain::text::parse_json(event.payload.as_bytes()).unwrap_or(Value::Null);
    let call = value.get("call").or_else(|| value.get("data")).and_then(CallObject::from_value);
    let external = call.as_ref().and_then(|c| c.call_id.as_deref()).and_then(|id| ExternalCallId::parse(id.trim()));
    let links = match &call {
        Some(call) => links(store.as_ref(), directory, call).await?,
        None => CallLinks::default(),
    };
    let (status, error, update) =
        match (event.event_type.as_str(), LifecycleEvent::parse(&event.event_type), call, external) {
            ("call_inbound", ..) => (WebhookStatus::Processed, None, None),
            (_, None, ..) => (WebhookStatus::Ignored, Some("event type not used by frontdesk".to_owned()), None),
            (_, Some(_), Some(call), Some(external)) => {
                let update = CallUpdate { external, facts: call.facts(), links, caller: None, at: Timestamp::now() };
                (WebhookStatus::Processed, None, Some(update))
            }
            _ => (WebhookStatus::Failed, Some("no `call` object with a usable `call_id`".to_owned()), None),
        };
    let id = event.id;
    store
        .write(move |tx| {
            Box::pin(async move {
                if let Some(update) = update {
                    tx.record(&[Record::Call(update)]).await?;
                }
                tx.set_webhook_status(id, status, error.as_deref(), Timestamp::now()).await
            })
        })
        .await?;
    Ok(status)
}

/// `call_inbound`: who is calling which number; answer the agent's dynamic variables.
async fn inbound(
    state: &AppState,
    directory: &Directory,
    value: &Value,
    payload: String,
) -> Result<Response, StoreError> {
    let inbound = value
        .get("call_inbound")
        .or_else(|| value.get("data"))
        .and_then(|v| InboundCall::deserialize(v).ok())
        .unwrap_or_default();
    let dialled = inbound.to_number.as_deref().and_then(|n| E164::parse_strict(n.trim()).ok());
    let route = dialled.as_ref().and_then(|n| directory.route(n));
    let mut stored = new_event("call_inbound", None, route.map(|(c, _)| c.company.id), payload);
    let Some((company, branch)) = route else {
        stored.status = WebhookStatus::Ignored;
        stored.error = Some("the dialled number is not routed to any branch".into());
        state.store().record(Record::Delivery { event: stored, call: None }).await?;
        record_metric("call_inbound", WebhookStatus::Ignored);
        // No overrides: Retell answers with the number's default agent.
        return Ok(axum::Json(json!({"call_inbound": {}})).into_response());
    };
    let caller = Caller::from_platform(inbound.from_number.as_deref());
    let customer = match caller.number() {
        Some(n) => state.store().customer_by_phone(company.company.id, n).await?,
        None => None,
    };
    state.store().record(Record::Delivery { event: stored, call: None }).await?;
    record_metric("call_inbound", WebhookStatus::Processed);

    let lang = company.company.def.locale.language();
    let tz = branch.def.time_zone.clone();
    let now = state.settings().clock.now();
    let local = now.to_zoned(tz.clone());
    let mut vars = Map::new();
    let mut set = |k: &str, v: String| {
        vars.insert(k.to_owned(), Value::String(v));
    };
    set("company_name", company.company.def.name.clone());
    set("branch_name", branch.def.name.clone());
    set("customer_known", customer.is_some().to_string());
    set("customer_name", customer.as_ref().and_then(|c| c.name.clone()).unwrap_or_default());
    set("caller_anonymous", caller.is_anonymous().to_string());
    set("current_date", local.date().to_string());
    set("current_time", local.strftime("%H:%M").to_string());
    set("current_weekday", spoken::weekday(lang, local.weekday()).to_owned());
    set("current_datetime_spoken", spoken::datetime(lang, now, &tz, local.date()));
    set("timezone", tz.iana_name().unwrap_or("UTC").to_owned());
    set("locale", company.company.def.locale.tag().to_owned());
    Ok(axum::Json(json!({
        "call_inbound": {
            "dynamic_variables": vars,
            "metadata": {"company_id": company.company.id, "branch_id": branch.id},
        }
    }))
    .into_response())
}
