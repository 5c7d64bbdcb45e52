//! The daily summary table behind the health charts: one row per company and local day, kept
//! by a worker from that day's calls, function traces and failed deliveries, read by the
//! dashboard without touching the raw rows (which retention prunes).

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::CompanyId;
use jiff::Timestamp;
use jiff::civil::Date;

use super::{Filtered, RowExt, SqlStore, db};
use crate::backend::Stamp;
use crate::model::DailySummary;
use crate::{Result, StoreError, Summaries};

/// The `p`-th percentile (0–100) of sorted values, nearest rank.
fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

for_backends! {
#[async_trait]
impl [Summaries for SqlStore<DB>] {
    async fn refresh_daily_summary(&self, company: CompanyId, day: Date, from: Timestamp, to: Timestamp) -> Result<()> {
        let calls = sqlx::query(
            "SELECT COUNT(*) AS calls,
                    COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM function_traces t
                                                    WHERE t.call_id = c.id AND t.status = 'booked')
                                      THEN 1 ELSE 0 END), 0) AS booked
               FROM calls c
              WHERE c.company_id = $1 AND COALESCE(c.started_at, c.first_seen_at) >= $2
                AND COALESCE(c.started_at, c.first_seen_at) < $3",
        )
        .bind(company.0)
        .bind(Stamp(from))
        .bind(Stamp(to))
        .fetch_one(&self.reader)
        .await
        .map_err(db::<DB>)?;
        let rows = sqlx::query(
            "SELECT duration_us FROM function_traces WHERE company_id = $1 AND created_at >= $2 AND created_at < $3",
        )
        .bind(company.0)
        .bind(Stamp(from))
        .bind(Stamp(to))
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>)?;
        let mut durations = rows.iter().map(|r| r.col::<i64>("duration_us")).collect::<Result<Vec<_>>>()?;
        durations.sort_unstable();
        let failures: i64 = sqlx::query(
            "SELECT COUNT(*) AS failures FROM webhook_events
              WHERE company_id = $1 AND status = 'failed' AND received_at >= $2 AND received_at < $3",
        )
        .bind(company.0)
        .bind(Stamp(from))
        .bind(Stamp(to))
        .fetch_one(&self.reader)
        .await
        .map_err(db::<DB>)?
        .col("failures")?;
        let (n_calls, booked): (i64, i64) = (calls.col("calls")?, calls.col("booked")?);
        let (p50, p99) = (percentile(&durations, 50), percentile(&durations, 99));
        let n_functions = durations.len() as i64;
        self.on_lane(move |writer| async move {
            sqlx::query(
                "INSERT INTO daily_summaries
                   (company_id, day, calls, calls_booked, function_calls, function_p50_us, function_p99_us,
                    webhook_failures, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (company_id, day) DO UPDATE SET
                   calls = excluded.calls, calls_booked = excluded.calls_booked,
                   function_calls = excluded.function_calls, function_p50_us = excluded.function_p50_us,
                   function_p99_us = excluded.function_p99_us, webhook_failures = excluded.webhook_failures,
                   updated_at = excluded.updated_at",
            )
            .bind(company.0)
            .bind(day.to_string())
            .bind(n_calls)
            .bind(booked)
            .bind(n_functions)
            .bind(p50)
            .bind(p99)
            .bind(failures)
            .bind(Stamp(Timestamp::now()))
            .execute(&writer)
            .await
            .map_err(db::<DB>)?;
            Ok(())
        })
        .await
    }

    async fn summarized_days(&self, company: CompanyId, from: Date, to: Date) -> Result<Vec<Date>> {
        let rows = sqlx::query("SELECT day FROM daily_summaries WHERE company_id = $1 AND day >= $2 AND day <= $3")
        .bind(company.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>)?;
        rows.iter().map(|r| r.col::<String>("day")?.parse().map_err(|e| StoreError::corrupt("day", e))).collect()
    }

    async fn daily_summaries(&self, scope: Scope, company: CompanyId, from: Date, to: Date) -> Result<Vec<DailySummary>> {
        let mut f = Filtered::<DB>::new(
            "SELECT company_id, day, calls, calls_booked, function_calls, function_p50_us, function_p99_us,
                    webhook_failures FROM daily_summaries",
        );
        f.scoped(scope, Some(company))?;
        f.and("day >= ").push_bind(from.to_string());
        f.and("day <= ").push_bind(to.to_string());
        let mut q = f.query();
        q.push(" ORDER BY day");
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        rows.iter()
            .map(|r| {
                Ok(DailySummary {
                    company_id: CompanyId(r.col("company_id")?),
                    day: r.col::<String>("day")?.parse().map_err(|e| StoreError::corrupt("day", e))?,
                    calls: r.col("calls")?,
                    calls_booked: r.col("calls_booked")?,
                    function_calls: r.col("function_calls")?,
                    function_p50_us: r.col("function_p50_us")?,
                    function_p99_us: r.col("function_p99_us")?,
                    webhook_failures: r.col("webhook_failures")?,
                })
            })
            .collect()
    }
}
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 99), Some(7));
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 50), Some(50));
        assert_eq!(percentile(&hundred, 99), Some(99));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
    }
}
