//! The outbox (I5), Cal.com connections, and busy time from external calendars.
//!
//! Jobs are claimed with a lease: a worker that dies lets its jobs run again once the lease ends.
//! Jobs of one appointment run in order (a cancellation never overtakes its creation), and on
//! PostgreSQL concurrent workers skip each other's rows instead of queueing behind them.

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::{AppointmentId, CompanyId, OutboxJobId, StaffId};
use frontdesk_domain::records::{Appointment, OutboxJob, OutboxKind, OutboxStatus};
use frontdesk_domain::time::TimeRange;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Decode, Type};

use super::{Conn, id_cursor, paginate};
use super::{Filtered, RowExt, SqlStore, SqlTx, db, parse_json};
use crate::backend::{Jsonb, Stamp};
use crate::model::{
    CalcomConnection, JobClaim, JobOutcome, NewOutboxJob, OutboxFilter, OutboxStats, Page, PageRequest,
};
use crate::{Outbox, OutboxTx, Result, StoreError};

const JOB_COLUMNS: &str =
    "id, company_id, appointment_id, kind, payload, status, attempts, run_after, last_error, created_at, updated_at";

/// Busy blocks imported from Cal.com carry this source.
const CALCOM: &str = "calcom";

fn job_from_row<R: RowExt>(r: &R) -> Result<OutboxJob>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Jsonb: Decode<'q, R::Database> + Type<R::Database>,
{
    let kind: String = r.col("kind")?;
    let status: String = r.col("status")?;
    Ok(OutboxJob {
        id: OutboxJobId(r.col("id")?),
        company_id: CompanyId(r.col("company_id")?),
        appointment_id: AppointmentId(r.col("appointment_id")?),
        kind: OutboxKind::parse(&kind).ok_or_else(|| StoreError::corrupt("outbox kind", &kind))?,
        payload: parse_json("payload", &r.col("payload")?)?,
        status: OutboxStatus::parse(&status).ok_or_else(|| StoreError::corrupt("outbox status", &status))?,
        attempts: r.col::<i64>("attempts")? as i32,
        run_after: r.col::<Stamp>("run_after")?.0,
        last_error: r.col("last_error")?,
        created_at: r.col::<Stamp>("created_at")?.0,
        updated_at: r.col::<Stamp>("updated_at")?.0,
    })
}

for_backends! {
#[async_trait]
impl [OutboxTx for SqlTx<DB>] {
    async fn enqueue_outbox(&mut self, job: &NewOutboxJob) -> Result<OutboxJobId> {
        let id: i64 = sqlx::query(
            "INSERT INTO outbox_jobs (company_id, appointment_id, kind, payload, status, attempts, run_after,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5) RETURNING id",
        )
        .bind(job.company_id.0)
        .bind(job.appointment_id.0)
        .bind(job.kind.as_str())
        .bind(Jsonb(job.payload.to_string()))
        .bind(Stamp(job.at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?
        .col("id")?;
        Ok(OutboxJobId(id))
    }

    async fn finish_job(&mut self, id: OutboxJobId, owner: &str, outcome: &JobOutcome, at: Timestamp) -> Result<bool> {
        Conn::<DB>(&mut self.tx).finish(id, owner, outcome, at).await
    }

    async fn set_calcom_uid(
        &mut self,
        company: CompanyId,
        appointment: AppointmentId,
        uid: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE appointments SET calcom_uid = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(appointment.0)
            .bind(uid.map(str::to_owned))
            .execute(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        Ok(())
    }

    async fn appointment_by_calcom_uid(&mut self, company: CompanyId, uid: &str) -> Result<Option<Appointment>> {
        Conn::<DB>(&mut self.tx).appointment_by_calcom_uid(company, uid).await
    }

    async fn appointment(&mut self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>> {
        Conn::<DB>(&mut self.tx).appointment_by_id(company, id, false).await
    }

    async fn upsert_busy_block(
        &mut self,
        company: CompanyId,
        staff: StaffId,
        range: TimeRange,
        uid: &str,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO busy_blocks (company_id, staff_id, starts_at, ends_at, source, external_uid, active,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)
             ON CONFLICT (company_id, source, external_uid) DO UPDATE SET
                staff_id = excluded.staff_id, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                active = TRUE, updated_at = excluded.updated_at",
        )
        .bind(company.0)
        .bind(staff.0)
        .bind(Stamp(range.start()))
        .bind(Stamp(range.end()))
        .bind(CALCOM)
        .bind(uid)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(())
    }

    async fn release_busy_block(&mut self, company: CompanyId, uid: &str, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE busy_blocks SET active = FALSE, updated_at = $4
              WHERE company_id = $1 AND source = $2 AND external_uid = $3 AND active",
        )
        .bind(company.0)
        .bind(CALCOM)
        .bind(uid)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(DB::rows_affected(&done) > 0)
    }
}
}

for_backends! {
impl [Conn<'_, DB>] {
    /// Ends a claimed job; `false` if the lease was lost.
    async fn finish(&mut self, id: OutboxJobId, owner: &str, outcome: &JobOutcome, at: Timestamp) -> Result<bool> {
        let (status, run_after, error) = match outcome {
            JobOutcome::Done => (OutboxStatus::Done, at, None),
            JobOutcome::Retry { run_after, error } => (OutboxStatus::Pending, *run_after, Some(error.clone())),
            JobOutcome::Failed { error } => (OutboxStatus::Failed, at, Some(error.clone())),
        };
        let done = sqlx::query(
            "UPDATE outbox_jobs SET status = $3, run_after = $4, last_error = $5, updated_at = $6,
                    lease_owner = NULL, lease_until = NULL
              WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        )
        .bind(id.0)
        .bind(owner)
        .bind(status.as_str())
        .bind(Stamp(run_after))
        .bind(error)
        .bind(Stamp(at))
        .execute(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Ok(DB::rows_affected(&done) > 0)
    }

    async fn appointment_by_calcom_uid(&mut self, company: CompanyId, uid: &str) -> Result<Option<Appointment>> {
        let id: Option<i64> = sqlx::query("SELECT id FROM appointments WHERE company_id = $1 AND calcom_uid = $2")
            .bind(company.0)
            .bind(uid)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db::<DB>)?
            .map(|r| r.col("id"))
            .transpose()?;
        match id {
            Some(id) => self.appointment_by_id(company, AppointmentId(id), false).await,
            None => Ok(None),
        }
    }
}
}

for_backends! {
#[async_trait]
impl [Outbox for SqlStore<DB>] {
    async fn claim_jobs(&self, claim: &JobClaim<'_>) -> Result<Vec<OutboxJob>> {
        let claim_skip = claim.skip_companies.to_vec();
        let (owner, claim) = (claim.owner.to_owned(), JobClaim { owner: "", skip_companies: &[], ..*claim });
        // Company ids are integers: listed inline, nothing from outside reaches the statement.
        let skip = if claim_skip.is_empty() {
            String::new()
        } else {
            format!(" AND j.company_id NOT IN ({})", claim_skip.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(", "))
        };
        self.on_lane(move |writer| async move {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox_jobs SET status = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1,
                    updated_at = $3
              WHERE id IN (
                    SELECT j.id FROM outbox_jobs j
                     WHERE ((j.status = 'pending' AND j.run_after <= $3) OR (j.status = 'running' AND j.lease_until < $3))
                       AND NOT EXISTS (
                            SELECT 1 FROM outbox_jobs e
                             WHERE e.appointment_id = j.appointment_id AND e.id < j.id
                               AND e.status IN ('pending', 'running')){skip}
                     ORDER BY j.id LIMIT $4{})
                AND (status = 'pending' OR lease_until < $3)
              RETURNING {JOB_COLUMNS}",
            DB::SKIP_LOCKED
        )))
        .bind(owner)
        .bind(Stamp(claim.lease_until))
        .bind(Stamp(claim.now))
        .bind(i64::from(claim.limit))
        .fetch_all(&writer)
        .await
        .map_err(db::<DB>)?;
        let mut jobs = rows.iter().map(job_from_row).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
        })
        .await
    }

    async fn finish_job(&self, id: OutboxJobId, owner: &str, outcome: &JobOutcome, at: Timestamp) -> Result<bool> {
        let (owner, outcome) = (owner.to_owned(), outcome.clone());
        self.on_lane(move |writer| async move {
            let mut conn = writer.acquire().await.map_err(db::<DB>)?;
            Conn::<DB>(&mut conn).finish(id, &owner, &outcome, at).await
        })
        .await
    }

    async fn list_jobs(&self, scope: Scope, filter: &OutboxFilter, page: &PageRequest) -> Result<Page<OutboxJob>> {
        let after = id_cursor(page)?;
        let mut f = Filtered::<DB>::new(format!("SELECT {JOB_COLUMNS} FROM outbox_jobs"));
        f.scoped(scope, filter.company)?
            .eq("status", filter.status.map(|s| s.as_str().to_owned()))
            .eq("appointment_id", filter.appointment.map(|a| a.0));
        f.and("id > ").push_bind(after);
        let mut q = f.query();
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(job_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |j| j.id.0.to_string());
        Ok(Page { items, next_cursor })
    }

    async fn retry_job(&self, scope: Scope, id: OutboxJobId, now: Timestamp) -> Result<bool> {
        self.on_lane(move |writer| async move {
        let done = sqlx::query(
            "UPDATE outbox_jobs SET status = 'pending', attempts = 0, run_after = $2, updated_at = $2
              WHERE id = $1 AND status = 'failed' AND ($3 IS NULL OR company_id = $3)",
        )
        .bind(id.0)
        .bind(Stamp(now))
        .bind(scope.company().map(|c| c.0))
        .execute(&writer)
        .await
        .map_err(db::<DB>)?;
        Ok(DB::rows_affected(&done) > 0)
        })
        .await
    }

    async fn outbox_stats(&self) -> Result<OutboxStats> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_jobs GROUP BY status")
                .fetch_all(&self.reader)
                .await
                .map_err(db::<DB>)?;
        let mut stats = OutboxStats::default();
        for r in rows {
            let n = u64::try_from(r.col::<i64>("n")?).unwrap_or(0);
            match OutboxStatus::parse(&r.col::<String>("status")?) {
                Some(OutboxStatus::Pending) => {
                    stats.pending = n;
                    stats.oldest_pending = r.col::<Option<Stamp>>("oldest")?.map(|s| s.0);
                }
                Some(OutboxStatus::Running) => stats.running = n,
                Some(OutboxStatus::Done) => stats.done = n,
                Some(OutboxStatus::Failed) => stats.failed = n,
                None => {}
            }
        }
        Ok(stats)
    }

    async fn calcom_connections(&self) -> Result<Vec<CalcomConnection>> {
        let rows = sqlx::query(
            "SELECT company_id, base_url, api_key, webhook_secret, last_pulled_at FROM calcom_connections ORDER BY company_id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>)?;
        rows.iter()
            .map(|r| {
                Ok(CalcomConnection {
                    company_id: CompanyId(r.col("company_id")?),
                    base_url: r.col("base_url")?,
                    api_key: r.col("api_key")?,
                    webhook_secret: r.col("webhook_secret")?,
                    last_pulled_at: r.col::<Option<Stamp>>("last_pulled_at")?.map(|s| s.0),
                })
            })
            .collect()
    }

    async fn set_last_pulled(&self, company: CompanyId, at: Timestamp) -> Result<()> {
        self.on_lane(move |writer| async move {
            sqlx::query("UPDATE calcom_connections SET last_pulled_at = $2 WHERE company_id = $1")
                .bind(company.0)
                .bind(Stamp(at))
                .execute(&writer)
                .await
                .map_err(db::<DB>)?;
            Ok(())
        })
        .await
    }
}
}
