//! Calls, function traces, webhook deliveries, idempotency records, reconciliation leases.
//!
//! I6: a call is read under a row lock, joined with the new facts in Rust
//! ([`CallFacts::join`], commutative and idempotent) and written back, so the stored record is
//! the same whatever order events arrive in. I3: a webhook's dedupe key is unique. I4: the
//! idempotency key is claimed first in the transaction that performs the side effect; a
//! concurrent retry waits on it and then reads the answer stored with the side effect.

use async_trait::async_trait;
use frontdesk_domain::call::{CallFacts, CallLinks, CallRecord, CallStatus};
use frontdesk_domain::ids::{BranchId, CallId, CompanyId, CustomerId, ExternalCallId, TraceId, WebhookEventId};
use frontdesk_domain::money::Cents;
use frontdesk_domain::records::{FunctionTrace, Provider, WebhookEvent, WebhookStatus};
use jiff::Timestamp;
use sqlx::{ColumnIndex, Decode, Executor, IntoArguments, Type};

use super::bookings::{id_cursor, paginate};
use super::{Filtered, RowExt, SqlStore, SqlTx, db, parse_json};
use crate::backend::{Backend, Jsonb, Stamp};
use crate::model::{
    CallFilter, ClaimedCall, Delivery, NewTrace, NewWebhookEvent, Page, PageRequest, StaleClaim, WebhookFilter,
};
use crate::{Calls, CallsTx, Result, StoreError};

pub(super) const CALL_COLUMNS: &str =
    "id, external_id, company_id, branch_id, customer_id, status, agent_id, direction,
    from_number, to_number, started_at, ended_at, duration_ms, disconnection_reason, transcript, recording_url,
    public_log_url, analysis, cost_cents, first_seen_at, last_event_at, reconcile_attempts";

const TRACE_COLUMNS: &str = "id, call_id, company_id, name_sent, function, arguments, response, status, success,
    replayed, duration_us, created_at";

const EVENT_COLUMNS: &str = "id, provider, event_type, dedupe_key, external_call_id, company_id, payload, status,
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

fn trace_from_row<R: RowExt>(r: &R) -> Result<FunctionTrace>
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
        company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
        name_sent: r.col("name_sent")?,
        function: r.col("function")?,
        arguments: parse_json("arguments", &r.col("arguments")?)?,
        response: parse_json("response", &r.col("response")?)?,
        status: r.col("status")?,
        success: r.col("success")?,
        replayed: r.col("replayed")?,
        duration_us: r.col("duration_us")?,
        created_at: r.col::<Stamp>("created_at")?.0,
    })
}

fn event_from_row<R: RowExt>(r: &R) -> Result<WebhookEvent>
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

#[async_trait]
impl<DB: Backend> CallsTx for SqlTx<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Stamp: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Jsonb: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> Option<Stamp>: sqlx::Encode<'q, DB>,
    for<'q> Option<Jsonb>: sqlx::Encode<'q, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
    DB::Arguments: IntoArguments<DB>,
{
    async fn upsert_call(
        &mut self,
        external: &ExternalCallId,
        facts: &CallFacts,
        links: CallLinks,
        at: Timestamp,
    ) -> Result<CallRecord> {
        let select = format!("SELECT {CALL_COLUMNS} FROM calls WHERE external_id = $1{}", DB::FOR_UPDATE);
        let mut existing = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
            .bind(external.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        if existing.is_none() {
            // A concurrent first event may insert the row too: either way, read it back locked.
            let status = facts.status.unwrap_or(CallStatus::Registered);
            sqlx::query(
                "INSERT INTO calls (external_id, status, first_seen_at, last_event_at) VALUES ($1, $2, $3, $3)
                 ON CONFLICT (external_id) DO NOTHING",
            )
            .bind(external.as_str())
            .bind(status.as_str())
            .bind(Stamp(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
            existing = sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(external.as_str())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db::<DB>)?;
        }
        let current = call_from_row(&existing.ok_or(StoreError::NotFound("call"))?)?;
        let merged_facts = current.facts.join(facts);
        let merged_links = current.links.join(&links);
        let status = merged_facts.status.unwrap_or(CallStatus::Registered);
        let last_event_at = current.last_event_at.max(at);
        sqlx::query(
            "UPDATE calls SET company_id = $2, branch_id = $3, customer_id = $4, status = $5, agent_id = $6,
                direction = $7, from_number = $8, to_number = $9, started_at = $10, ended_at = $11,
                duration_ms = $12, disconnection_reason = $13, transcript = $14, recording_url = $15,
                public_log_url = $16, analysis = $17, cost_cents = $18, last_event_at = $19
             WHERE id = $1",
        )
        .bind(current.id.0)
        .bind(merged_links.company_id.map(|c| c.0))
        .bind(merged_links.branch_id.map(|b| b.0))
        .bind(merged_links.customer_id.map(|c| c.0))
        .bind(status.as_str())
        .bind(merged_facts.agent_id.clone())
        .bind(merged_facts.direction.clone())
        .bind(merged_facts.from_number.clone())
        .bind(merged_facts.to_number.clone())
        .bind(merged_facts.started_at.map(Stamp))
        .bind(merged_facts.ended_at.map(Stamp))
        .bind(merged_facts.duration_ms)
        .bind(merged_facts.disconnection_reason.clone())
        .bind(merged_facts.transcript.clone())
        .bind(merged_facts.recording_url.clone())
        .bind(merged_facts.public_log_url.clone())
        .bind(merged_facts.analysis.clone())
        .bind(merged_facts.cost.map(|c| c.0))
        .bind(Stamp(last_event_at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(CallRecord {
            links: merged_links,
            facts: CallFacts { status: Some(status), ..merged_facts },
            status,
            last_event_at,
            ..current
        })
    }

    async fn insert_webhook_event(&mut self, new: &NewWebhookEvent) -> Result<Delivery> {
        let processed_at = (new.status != WebhookStatus::Pending).then_some(Stamp(new.at));
        let row = sqlx::query(
            "INSERT INTO webhook_events (provider, event_type, dedupe_key, external_call_id, company_id, payload,
                status, error, attempts, received_at, processed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)
             ON CONFLICT (provider, dedupe_key) DO NOTHING
             RETURNING id",
        )
        .bind(new.provider.as_str())
        .bind(new.event_type.as_str())
        .bind(new.dedupe_key.clone())
        .bind(new.external_call_id.clone())
        .bind(new.company_id.map(|c| c.0))
        .bind(new.payload.as_str())
        .bind(new.status.as_str())
        .bind(new.error.clone())
        .bind(Stamp(new.at))
        .bind(processed_at)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        if let Some(row) = row {
            return Ok(Delivery::New(WebhookEventId(row.col("id")?)));
        }
        let existing: i64 = sqlx::query("SELECT id FROM webhook_events WHERE provider = $1 AND dedupe_key = $2")
            .bind(new.provider.as_str())
            .bind(new.dedupe_key.clone())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db::<DB>)?
            .col("id")?;
        Ok(Delivery::Duplicate(WebhookEventId(existing)))
    }

    async fn set_webhook_status(
        &mut self,
        id: WebhookEventId,
        status: WebhookStatus,
        error: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_events SET status = $2, error = $3, processed_at = $4, attempts = attempts + 1 WHERE id = $1",
        )
        .bind(id.0)
        .bind(status.as_str())
        .bind(error.map(str::to_owned))
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(())
    }

    async fn claim_idempotency(
        &mut self,
        key: &str,
        call: CallId,
        function: &str,
        at: Timestamp,
    ) -> Result<Option<String>> {
        // On PostgreSQL a concurrent retry blocks here until the first request commits (and then
        // finds its answer) or rolls back (and then proceeds itself).
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (key, call_id, function, response, created_at) VALUES ($1, $2, $3, '', $4)
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(call.0)
        .bind(function)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        if DB::rows_affected(&claimed) == 1 {
            return Ok(None);
        }
        let response: String = sqlx::query("SELECT response FROM idempotency_keys WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db::<DB>)?
            .col("response")?;
        Ok(Some(response))
    }

    async fn store_idempotent_response(&mut self, key: &str, response: &str) -> Result<()> {
        sqlx::query("UPDATE idempotency_keys SET response = $2 WHERE key = $1")
            .bind(key)
            .bind(response)
            .execute(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        Ok(())
    }

    async fn insert_trace(&mut self, new: &NewTrace<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO function_traces (call_id, company_id, name_sent, function, arguments, response, status,
                success, replayed, duration_us, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(new.call_id.0)
        .bind(new.company_id.map(|c| c.0))
        .bind(new.name_sent)
        .bind(new.function.map(str::to_owned))
        .bind(Jsonb::of(new.arguments))
        .bind(Jsonb::of(new.response))
        .bind(new.status)
        .bind(new.success)
        .bind(new.replayed)
        .bind(new.duration_us)
        .bind(Stamp(new.at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(())
    }
}

#[async_trait]
impl<DB: Backend> Calls for SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Stamp: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Jsonb: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> Option<Stamp>: sqlx::Encode<'q, DB>,
    for<'q> Option<Jsonb>: sqlx::Encode<'q, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
    DB::Arguments: IntoArguments<DB> + Default,
{
    async fn record(&self, batch: &[crate::model::Record]) -> Result<Vec<crate::model::Recorded>> {
        super::record::record(&self.writer, batch).await
    }

    async fn call(&self, external: &str) -> Result<Option<CallRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CALL_COLUMNS} FROM calls WHERE external_id = $1")))
            .bind(external)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(call_from_row).transpose()
    }

    async fn list_calls(&self, filter: &CallFilter, page: &PageRequest) -> Result<Page<CallRecord>> {
        // Newest first: the cursor is the last id seen, and the next page continues below it.
        let before = match id_cursor(page)? {
            0 => i64::MAX,
            id => id,
        };
        let mut f = Filtered::<DB>::new(format!("SELECT {CALL_COLUMNS} FROM calls"));
        f.eq("company_id", filter.company.map(|c| c.0)).eq("status", filter.status.map(|s| s.as_str().to_owned()));
        if let Some(stale) = filter.stale_before {
            f.and("status IN ('registered', 'ongoing') AND last_event_at < ").push_bind(Stamp(stale));
        }
        f.and("id < ").push_bind(before);
        let mut q = f.query();
        q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(call_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |c| c.id.0.to_string());
        Ok(Page { items, next_cursor })
    }

    async fn traces_of_call(&self, call: CallId) -> Result<Vec<FunctionTrace>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TRACE_COLUMNS} FROM function_traces WHERE call_id = $1 ORDER BY id"
        )))
        .bind(call.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>)?;
        rows.iter().map(trace_from_row).collect()
    }

    async fn webhook_events(&self, filter: &WebhookFilter, page: &PageRequest) -> Result<Page<WebhookEvent>> {
        let after = id_cursor(page)?;
        let mut f = Filtered::<DB>::new(format!("SELECT {EVENT_COLUMNS} FROM webhook_events"));
        f.eq("provider", filter.provider.map(|p| p.as_str().to_owned()))
            .eq("status", filter.status.map(|s| s.as_str().to_owned()))
            .eq("external_call_id", filter.external_call_id.clone());
        f.and("id > ").push_bind(after);
        let mut q = f.query();
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(event_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |e| e.id.0.to_string());
        Ok(Page { items, next_cursor })
    }

    async fn webhook_event(&self, id: WebhookEventId) -> Result<Option<WebhookEvent>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM webhook_events WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(event_from_row).transpose()
    }

    async fn claim_stale_calls(&self, claim: &StaleClaim<'_>) -> Result<Vec<ClaimedCall>> {
        // On PostgreSQL concurrent claims skip each other's rows (SKIP LOCKED) instead of all
        // picking the same oldest calls; the lease condition is repeated outside the subquery so
        // a claim that read a call just before another process took it re-checks and drops it.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE calls SET lease_owner = $1, lease_until = $2, reconcile_attempts = reconcile_attempts + 1
              WHERE id IN (
                    SELECT id FROM calls
                     WHERE status IN ('registered', 'ongoing') AND last_event_at < $3
                       AND (reconcile_not_before IS NULL OR reconcile_not_before <= $4)
                       AND (lease_until IS NULL OR lease_until < $4)
                     ORDER BY last_event_at LIMIT $5{})
                AND (lease_until IS NULL OR lease_until < $4)
              RETURNING {CALL_COLUMNS}",
            DB::SKIP_LOCKED
        )))
        .bind(claim.owner)
        .bind(Stamp(claim.lease_until))
        .bind(Stamp(claim.last_event_before))
        .bind(Stamp(claim.now))
        .bind(i64::from(claim.limit))
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>)?;
        rows.iter()
            .map(|r| {
                let attempts = u32::try_from(r.col::<i64>("reconcile_attempts")?).unwrap_or(u32::MAX);
                Ok(ClaimedCall { call: call_from_row(r)?, attempts })
            })
            .collect()
    }

    async fn release_call(&self, id: CallId, owner: &str, not_before: Option<Timestamp>) -> Result<()> {
        sqlx::query(
            "UPDATE calls SET lease_owner = NULL, lease_until = NULL, reconcile_not_before = $3
              WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id.0)
        .bind(owner)
        .bind(not_before.map(Stamp))
        .execute(&self.writer)
        .await
        .map_err(db::<DB>)?;
        Ok(())
    }
}
