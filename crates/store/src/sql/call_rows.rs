//! How calls, function traces and webhook deliveries are read from their rows: the columns and
//! the decoders shared by the reads ([`super::calls`]) and the write path ([`super::record`]).

use frontdesk_domain::call::{CallFacts, CallLinks, CallRecord, CallStatus};
use frontdesk_domain::ids::{BranchId, CallId, CompanyId, CustomerId, ExternalCallId, TraceId, WebhookEventId};
use frontdesk_domain::money::Cents;
use frontdesk_domain::records::{FunctionTrace, Provider, Trace, WebhookEvent, WebhookStatus};
use sqlx::{ColumnIndex, Decode, Type};

use super::{RowExt, parse_json};
use crate::backend::{Jsonb, Stamp};
use crate::{Result, StoreError};

pub(super) const CALL_COLUMNS: &str =
    "id, external_id, company_id, branch_id, customer_id, status, agent_id, direction,
    from_number, to_number, started_at, ended_at, duration_ms, disconnection_reason, transcript, recording_url,
    public_log_url, analysis, cost_cents, first_seen_at, last_event_at, reconcile_attempts";

pub(super) const TRACE_COLUMNS: &str =
    "id, call_id, company_id, name_sent, function, arguments, response, status, success,
    replayed, duration_us, created_at";

pub(super) const EVENT_COLUMNS: &str =
    "id, provider, event_type, dedupe_key, external_call_id, company_id, payload, status,
    error, attempts, received_at, processed_at";

pub(super) fn call_from_row<R: RowExt>(r: &R) -> Result<CallRecord>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
{
    let status: String = r.col("status")?;
    let status = CallStatus::parse(&status).ok_or_else(|| StoreError::corrupt("call status", &status))?;
    let external: String = r.col("external_id")?;
    Ok(CallRecord {
        id: CallId(r.col("id")?),
        external_id: ExternalCallId::parse(&external).ok_or_else(|| StoreError::corrupt("call id", &external))?,
        links: CallLinks {
            company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
            branch_id: r.col::<Option<i64>>("branch_id")?.map(BranchId),
            customer_id: r.col::<Option<i64>>("customer_id")?.map(CustomerId),
        },
        facts: CallFacts {
            status: Some(status),
            agent_id: r.col("agent_id")?,
            direction: r.col("direction")?,
            from_number: r.col("from_number")?,
            to_number: r.col("to_number")?,
            started_at: r.col::<Option<Stamp>>("started_at")?.map(|s| s.0),
            ended_at: r.col::<Option<Stamp>>("ended_at")?.map(|s| s.0),
            duration_ms: r.col("duration_ms")?,
            disconnection_reason: r.col("disconnection_reason")?,
            transcript: r.col("transcript")?,
            recording_url: r.col("recording_url")?,
            public_log_url: r.col("public_log_url")?,
            analysis: r.col("analysis")?,
            cost: r.col::<Option<i64>>("cost_cents")?.map(Cents),
        },
        status,
        first_seen_at: r.col::<Stamp>("first_seen_at")?.0,
        last_event_at: r.col::<Stamp>("last_event_at")?.0,
    })
}

pub(super) fn trace_from_row<R: RowExt>(r: &R) -> Result<FunctionTrace>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> bool: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Jsonb: Decode<'q, R::Database> + Type<R::Database>,
{
    Ok(FunctionTrace {
        id: TraceId(r.col("id")?),
        call_id: CallId(r.col("call_id")?),
        trace: Trace {
            company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
            name_sent: r.col("name_sent")?,
            function: r.col("function")?,
            arguments: parse_json("arguments", &r.col("arguments")?)?,
            response: parse_json("response", &r.col("response")?)?,
            status: r.col("status")?,
            success: r.col("success")?,
            replayed: r.col("replayed")?,
            duration_us: r.col("duration_us")?,
            at: r.col::<Stamp>("created_at")?.0,
        },
    })
}

pub(super) fn event_from_row<R: RowExt>(r: &R) -> Result<WebhookEvent>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
{
    let provider: String = r.col("provider")?;
    let status: String = r.col("status")?;
    Ok(WebhookEvent {
        id: WebhookEventId(r.col("id")?),
        provider: Provider::parse(&provider).ok_or_else(|| StoreError::corrupt("provider", &provider))?,
        event_type: r.col("event_type")?,
        dedupe_key: r.col("dedupe_key")?,
        external_call_id: r.col("external_call_id")?,
        company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
        payload: r.col("payload")?,
        status: WebhookStatus::parse(&status).ok_or_else(|| StoreError::corrupt("webhook status", &status))?,
        error: r.col("error")?,
        attempts: r.col::<i64>("attempts")? as i32,
        received_at: r.col::<Stamp>("received_at")?.0,
        processed_at: r.col::<Option<Stamp>>("processed_at")?.map(|s| s.0),
    })
}
