//! Calls, function traces, webhook deliveries, idempotency records, reconciliation leases.
//!
//! Calls and traces are written by one path, [`super::record`] (I6 lives there). I3: a webhook's dedupe key is unique. I4: the
//! idempotency key is claimed first in the transaction that performs the side effect; a
//! concurrent retry waits on it and then reads the answer stored with the side effect.

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::call::CallRecord;
use frontdesk_domain::ids::{CallId, WebhookEventId};
use frontdesk_domain::records::{FunctionTrace, WebhookEvent, WebhookStatus};
use jiff::Timestamp;

use super::call_rows::{CALL_COLUMNS, EVENT_COLUMNS, TRACE_COLUMNS, call_from_row, event_from_row, trace_from_row};
use super::{Conn, Filtered, RowExt, SqlStore, SqlTx, db, id_cursor, paginate};
use crate::backend::Stamp;

/// What a pruned webhook payload is replaced with (the raw body is text on both backends).
const PRUNED_PAYLOAD: &str = r#"{"pruned":true}"#;
use crate::model::{
    CallFilter, ClaimedCall, Delivery, NewWebhookEvent, Page, PageRequest, Pruned, Record, Recorded, StaleClaim,
    WebhookFilter,
};
use crate::{Calls, CallsTx, Result};

for_backends! {
#[async_trait]
impl [CallsTx for SqlTx<DB>] {
    async fn record(&mut self, batch: &[Record]) -> Result<Vec<Recorded>> {
        Conn::<DB>(&mut self.tx).record(batch).await
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
            // The company is the call's (I7: the composite key checks it against the call).
            "INSERT INTO idempotency_keys (key, call_id, company_id, function, response, created_at)
             SELECT $1, id, company_id, $3, '', $4 FROM calls WHERE id = $2
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

}
}

for_backends! {
#[async_trait]
impl [Calls for SqlStore<DB>] {
    async fn prune(&self, before: Timestamp, batch: u32) -> Result<Pruned> {
        self.on_lane(move |writer| async move {
            // Finished calls last heard of before the cutoff; an ongoing call is never pruned.
            const FINISHED: &str =
                "SELECT id FROM calls WHERE status NOT IN ('registered', 'ongoing') AND last_event_at < $1";
            let mut tx = writer.begin_with(DB::BEGIN_WRITE).await.map_err(db::<DB>)?;
            let limit = i64::from(batch);
            let traces = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM function_traces WHERE id IN
                   (SELECT id FROM function_traces WHERE call_id IN ({FINISHED}) LIMIT $2)"
            )))
            .bind(Stamp(before))
            .bind(limit)
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>)?;
            let payloads = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE webhook_events SET payload = $3 WHERE id IN
                   (SELECT id FROM webhook_events
                     WHERE received_at < $1 AND status IN ('processed', 'ignored') AND payload <> $3
                       AND (external_call_id IS NULL
                            OR external_call_id IN (SELECT external_id FROM calls WHERE id IN ({FINISHED})))
                     LIMIT $2)"
            )))
            .bind(Stamp(before))
            .bind(limit)
            .bind(PRUNED_PAYLOAD)
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>)?;
            let transcripts = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE calls SET transcript = NULL WHERE id IN
                   (SELECT id FROM calls WHERE id IN ({FINISHED}) AND transcript IS NOT NULL LIMIT $2)"
            )))
            .bind(Stamp(before))
            .bind(limit)
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>)?;
            tx.commit().await.map_err(db::<DB>)?;
            Ok(Pruned {
                traces: DB::rows_affected(&traces),
                payloads: DB::rows_affected(&payloads),
                transcripts: DB::rows_affected(&transcripts),
            })
        })
        .await
    }

    async fn record(&self, record: Record) -> Result<Recorded> {
        self.group.record(record).await
    }

    async fn record_batch(&self, batch: &[Record]) -> Result<Vec<Recorded>> {
        Self::commit_batch(&self.writer, batch).await
    }

    async fn call_in_scope(&self, scope: Scope, external: &str) -> Result<Option<CallRecord>> {
        let call = self.call(external).await?;
        Ok(call.filter(|c| scope == Scope::Platform || c.links.company_id.is_some_and(|company| scope.covers(company))))
    }

    async fn call_by_id(&self, scope: Scope, id: CallId) -> Result<Option<CallRecord>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {CALL_COLUMNS} FROM calls"));
        f.scoped(scope, None)?.eq("id", Some(id.0));
        let row = f.query().build().fetch_optional(&self.reader).await.map_err(db::<DB>)?;
        row.as_ref().map(call_from_row).transpose()
    }

    async fn trace_statuses(&self, calls: &[CallId]) -> Result<Vec<(CallId, String)>> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<DB>::new("SELECT DISTINCT call_id, status FROM function_traces WHERE call_id IN (");
        let mut ids = q.separated(", ");
        for id in calls {
            ids.push_bind(id.0);
        }
        q.push(")");
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        rows.iter().map(|r| Ok((CallId(r.col("call_id")?), r.col("status")?))).collect()
    }

    async fn call(&self, external: &str) -> Result<Option<CallRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CALL_COLUMNS} FROM calls WHERE external_id = $1")))
            .bind(external)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(call_from_row).transpose()
    }

    async fn list_calls(&self, scope: Scope, filter: &CallFilter, page: &PageRequest) -> Result<Page<CallRecord>> {
        // Newest first: the cursor is the last id seen, and the next page continues below it.
        let before = match id_cursor(page)? {
            0 => i64::MAX,
            id => id,
        };
        let mut f = Filtered::<DB>::new(format!("SELECT {CALL_COLUMNS} FROM calls"));
        f.scoped(scope, filter.company)?
            .eq("status", filter.status.map(|s| s.as_str().to_owned()))
            .eq("customer_id", filter.customer.map(|c| c.0));
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

    async fn webhook_events(&self, scope: Scope, filter: &WebhookFilter, page: &PageRequest) -> Result<Page<WebhookEvent>> {
        let after = id_cursor(page)?;
        let mut f = Filtered::<DB>::new(format!("SELECT {EVENT_COLUMNS} FROM webhook_events"));
        f.scoped(scope, None)?.eq("provider", filter.provider.map(|p| p.as_str().to_owned()))
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
        let (owner, claim) = (claim.owner.to_owned(), StaleClaim { owner: "", ..*claim });
        self.on_lane(move |writer| async move {
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
        .bind(owner)
        .bind(Stamp(claim.lease_until))
        .bind(Stamp(claim.last_event_before))
        .bind(Stamp(claim.now))
        .bind(i64::from(claim.limit))
        .fetch_all(&writer)
        .await
        .map_err(db::<DB>)?;
        rows.iter()
            .map(|r| {
                let attempts = u32::try_from(r.col::<i64>("reconcile_attempts")?).unwrap_or(u32::MAX);
                Ok(ClaimedCall { call: call_from_row(r)?, attempts })
            })
            .collect()
        })
        .await
    }

    async fn release_call(&self, id: CallId, owner: &str, not_before: Option<Timestamp>) -> Result<()> {
        let owner = owner.to_owned();
        self.on_lane(move |writer| async move {
        sqlx::query(
            "UPDATE calls SET lease_owner = NULL, lease_until = NULL, reconcile_not_before = $3
              WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id.0)
        .bind(owner)
        .bind(not_before.map(Stamp))
        .execute(&writer)
        .await
        .map_err(db::<DB>)?;
        Ok(())
        })
        .await
    }
}
}
