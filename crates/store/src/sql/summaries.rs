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

/// Where the `p`-th percentile (0–100) of `n` sorted values is, counted from 0 (nearest rank);
/// `None` without values.
fn percentile_offset(n: i64, p: i64) -> Option<i64> {
    (n > 0).then(|| ((p * n + 99) / 100).max(1) - 1)
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
        // The percentiles are picked by the database from the day's traces, sorted there: a busy
        // day has hundreds of thousands, and each row fetched is a hand-off on SQLite.
        let n_functions: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM function_traces WHERE company_id = $1 AND created_at >= $2 AND created_at < $3",
        )
        .bind(company.0)
        .bind(Stamp(from))
        .bind(Stamp(to))
        .fetch_one(&self.reader)
        .await
        .map_err(db::<DB>)?
        .col("n")?;
        let mut percentiles = [None, None];
        for (slot, p) in percentiles.iter_mut().zip([50, 99]) {
            let Some(offset) = percentile_offset(n_functions, p) else { continue };
            *slot = sqlx::query(
                "SELECT duration_us FROM function_traces
                  WHERE company_id = $1 AND created_at >= $2 AND created_at < $3
                  ORDER BY duration_us LIMIT 1 OFFSET $4",
            )
            .bind(company.0)
            .bind(Stamp(from))
            .bind(Stamp(to))
            .bind(offset)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?
            .map(|row| row.col::<i64>("duration_us"))
            .transpose()?;
        }
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
        let [p50, p99] = percentiles;
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
    use super::percentile_offset;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile_offset(0, 50), None);
        assert_eq!(percentile_offset(1, 99), Some(0));
        // 1..=100 sorted: the 50th percentile is 50 (offset 49), the 99th is 99.
        assert_eq!(percentile_offset(100, 50), Some(49));
        assert_eq!(percentile_offset(100, 99), Some(98));
        // [1, 2, 3]: the median is 2.
        assert_eq!(percentile_offset(3, 50), Some(1));
    }
}
