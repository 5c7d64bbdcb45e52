//! The notification outbox (I5): written with the change that causes it, sent by workers that
//! claim rows with a lease. A reminder waits for its moment on the business clock; a failed
//! attempt waits for its backoff on the real clock. Marking a row sent is one statement guarded
//! by the lease, so a worker that lost its lease never overwrites another's outcome.

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::{AppointmentId, CallbackId, CompanyId, CustomerId, NotificationId};
use frontdesk_domain::notification::{Channel, Notification, NotificationKind, NotificationStatus};
use frontdesk_domain::records::Customer;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Decode, Type};

use super::{Conn, Filtered, RowExt, SqlStore, SqlTx, db, id_cursor, paginate, parse_json};
use crate::backend::{Jsonb, Stamp};
use crate::model::{
    NewNotification, NotificationClaim, NotificationFilter, NotificationOutcome, NotificationStats, Page, PageRequest,
};
use crate::{Notifications, NotificationsTx, Result, StoreError};

const COLUMNS: &str = "id, company_id, kind, channel, recipient, appointment_id, customer_id, callback_id, sequence,
    message_id, token, payload, status, attempts, due_at, run_after, last_error, sent_at, created_at, updated_at";

fn from_row<R: RowExt>(r: &R) -> Result<Notification>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Jsonb: Decode<'q, R::Database> + Type<R::Database>,
{
    let kind: String = r.col("kind")?;
    let channel: String = r.col("channel")?;
    let status: String = r.col("status")?;
    Ok(Notification {
        id: NotificationId(r.col("id")?),
        company_id: CompanyId(r.col("company_id")?),
        kind: NotificationKind::parse(&kind).ok_or_else(|| StoreError::corrupt("notification kind", &kind))?,
        channel: Channel::parse(&channel).ok_or_else(|| StoreError::corrupt("notification channel", &channel))?,
        recipient: r.col("recipient")?,
        appointment_id: r.col::<Option<i64>>("appointment_id")?.map(AppointmentId),
        customer_id: r.col::<Option<i64>>("customer_id")?.map(CustomerId),
        callback_id: r.col::<Option<i64>>("callback_id")?.map(CallbackId),
        sequence: u32::try_from(r.col::<i64>("sequence")?).unwrap_or(0),
        message_id: r.col("message_id")?,
        token: r.col("token")?,
        facts: parse_json("payload", &r.col("payload")?)?,
        status: NotificationStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt("notification status", &status))?,
        attempts: r.col::<i64>("attempts")? as i32,
        due_at: r.col::<Stamp>("due_at")?.0,
        run_after: r.col::<Stamp>("run_after")?.0,
        last_error: r.col("last_error")?,
        sent_at: r.col::<Option<Stamp>>("sent_at")?.map(|s| s.0),
        created_at: r.col::<Stamp>("created_at")?.0,
        updated_at: r.col::<Stamp>("updated_at")?.0,
    })
}

for_backends! {
#[async_trait]
impl [NotificationsTx for SqlTx<DB>] {
    async fn enqueue_notification(&mut self, new: &NewNotification) -> Result<Option<NotificationId>> {
        let payload = serde_json::to_string(&new.facts).map_err(|e| StoreError::corrupt("notification facts", e))?;
        // A reminder is not written for a customer who unsubscribed from reminders; the check is
        // part of the insert, so an unsubscribe committed first is always seen.
        let row = sqlx::query(
            "INSERT INTO notifications (company_id, kind, channel, recipient, appointment_id, customer_id,
                callback_id, sequence, message_id, token, payload, status, attempts, due_at, run_after,
                created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, $12, $13, $13, $13
              WHERE $2 <> 'reminder' OR NOT EXISTS (
                    SELECT 1 FROM customers WHERE id = $6 AND reminders_opted_out_at IS NOT NULL)
             RETURNING id",
        )
        .bind(new.company_id.0)
        .bind(new.kind.as_str())
        .bind(new.channel.as_str())
        .bind(new.recipient.clone())
        .bind(new.appointment_id.map(|a| a.0))
        .bind(new.customer_id.map(|c| c.0))
        .bind(new.callback_id.map(|c| c.0))
        .bind(i64::from(new.sequence))
        .bind(new.message_id.clone())
        .bind(new.token.clone())
        .bind(Jsonb(payload))
        .bind(Stamp(new.due_at))
        .bind(Stamp(new.at))
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| r.col("id").map(NotificationId)).transpose()
    }

    async fn withdraw_reminders(&mut self, company: CompanyId, appointment: AppointmentId, at: Timestamp)
    -> Result<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET status = 'withdrawn', lease_owner = NULL, lease_until = NULL, updated_at = $3
              WHERE company_id = $1 AND appointment_id = $2 AND kind = 'reminder'
                AND status IN ('pending', 'running')",
        )
        .bind(company.0)
        .bind(appointment.0)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(DB::rows_affected(&done))
    }

    async fn customer(&mut self, company: CompanyId, id: CustomerId) -> Result<Option<Customer>> {
        let row = sqlx::query(
            "SELECT id, company_id, name, salutation, phone, email, created_at FROM customers
              WHERE company_id = $1 AND id = $2",
        )
        .bind(company.0)
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| Conn::<DB>::customer(&r)).transpose()
    }

    async fn unsubscribe(&mut self, token: &str, at: Timestamp) -> Result<Option<CustomerId>> {
        let customer: Option<i64> = sqlx::query("SELECT customer_id FROM notifications WHERE token = $1")
            .bind(token)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db::<DB>)?
            .map(|r| r.col::<Option<i64>>("customer_id"))
            .transpose()?
            .flatten();
        let Some(customer) = customer else { return Ok(None) };
        sqlx::query(
            "UPDATE customers SET reminders_opted_out_at = $2, updated_at = $2
              WHERE id = $1 AND reminders_opted_out_at IS NULL",
        )
        .bind(customer)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        sqlx::query(
            "UPDATE notifications SET status = 'withdrawn', lease_owner = NULL, lease_until = NULL, updated_at = $2
              WHERE customer_id = $1 AND kind = 'reminder' AND status IN ('pending', 'running')",
        )
        .bind(customer)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(Some(CustomerId(customer)))
    }
}
}

for_backends! {
#[async_trait]
impl [Notifications for SqlStore<DB>] {
    async fn claim_notifications(&self, claim: &NotificationClaim<'_>) -> Result<Vec<Notification>> {
        let (owner, claim) = (claim.owner.to_owned(), NotificationClaim { owner: "", ..*claim });
        self.on_lane(move |writer| async move {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE notifications SET status = 'running', lease_owner = $1, lease_until = $2,
                        attempts = attempts + 1, updated_at = $3
                  WHERE id IN (
                        SELECT n.id FROM notifications n
                         WHERE (n.status = 'pending' AND n.due_at <= $4 AND n.run_after <= $3)
                            OR (n.status = 'running' AND n.lease_until < $3)
                         ORDER BY n.due_at, n.id LIMIT $5{})
                    AND (status = 'pending' OR lease_until < $3)
                  RETURNING {COLUMNS}",
                DB::SKIP_LOCKED
            )))
            .bind(owner)
            .bind(Stamp(claim.lease_until))
            .bind(Stamp(claim.now))
            .bind(Stamp(claim.business_now))
            .bind(i64::from(claim.limit))
            .fetch_all(&writer)
            .await
            .map_err(db::<DB>)?;
            let mut claimed = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
            claimed.sort_by_key(|n| (n.due_at, n.id));
            Ok(claimed)
        })
        .await
    }

    async fn finish_notification(
        &self,
        id: NotificationId,
        owner: &str,
        outcome: &NotificationOutcome,
        at: Timestamp,
    ) -> Result<bool> {
        let (status, run_after, error, sent_at) = match outcome {
            NotificationOutcome::Sent => (NotificationStatus::Sent, at, None, Some(Stamp(at))),
            NotificationOutcome::Retry { run_after, error } => {
                (NotificationStatus::Pending, *run_after, Some(error.clone()), None)
            }
            NotificationOutcome::Failed { error } => (NotificationStatus::Failed, at, Some(error.clone()), None),
            NotificationOutcome::Skipped { reason } => (NotificationStatus::Skipped, at, Some(reason.clone()), None),
            NotificationOutcome::Withdrawn => (NotificationStatus::Withdrawn, at, None, None),
        };
        let owner = owner.to_owned();
        self.on_lane(move |writer| async move {
            let done = sqlx::query(
                "UPDATE notifications SET status = $3, run_after = $4, last_error = $5, sent_at = $6,
                        updated_at = $7, lease_owner = NULL, lease_until = NULL
                  WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
            )
            .bind(id.0)
            .bind(owner)
            .bind(status.as_str())
            .bind(Stamp(run_after))
            .bind(error)
            .bind(sent_at)
            .bind(Stamp(at))
            .execute(&writer)
            .await
            .map_err(db::<DB>)?;
            Ok(DB::rows_affected(&done) > 0)
        })
        .await
    }

    async fn list_notifications(
        &self,
        scope: Scope,
        filter: &NotificationFilter,
        page: &PageRequest,
    ) -> Result<Page<Notification>> {
        let before = match page.cursor.as_deref() {
            None => None,
            Some(_) => Some(id_cursor(page)?),
        };
        let mut f = Filtered::<DB>::new(format!("SELECT {COLUMNS} FROM notifications"));
        f.scoped(scope, filter.company)?
            .eq("status", filter.status.map(|s| s.as_str().to_owned()))
            .eq("kind", filter.kind.map(|k| k.as_str().to_owned()))
            .eq("appointment_id", filter.appointment.map(|a| a.0));
        if let Some(before) = before {
            f.and("id < ").push_bind(before);
        }
        let mut q = f.query();
        q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |n| n.id.0.to_string());
        Ok(Page { items, next_cursor })
    }

    async fn retry_notification(&self, scope: Scope, id: NotificationId, now: Timestamp) -> Result<bool> {
        self.on_lane(move |writer| async move {
            let done = sqlx::query(
                "UPDATE notifications SET status = 'pending', attempts = 0, run_after = $2, last_error = NULL,
                        updated_at = $2
                  WHERE id = $1 AND status IN ('failed', 'skipped') AND ($3 IS NULL OR company_id = $3)",
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

    async fn notification_stats(&self, business_now: Timestamp) -> Result<NotificationStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE status IN ('pending', 'running') AND due_at <= $1) AS due,
                    MIN(due_at) FILTER (WHERE status IN ('pending', 'running') AND due_at <= $1) AS oldest,
                    COUNT(*) FILTER (WHERE status = 'failed') AS failed
               FROM notifications",
        )
        .bind(Stamp(business_now))
        .fetch_one(&self.reader)
        .await
        .map_err(db::<DB>)?;
        Ok(NotificationStats {
            due: u64::try_from(row.col::<i64>("due")?).unwrap_or(0),
            oldest_due: row.col::<Option<Stamp>>("oldest")?.map(|s| s.0),
            failed: u64::try_from(row.col::<i64>("failed")?).unwrap_or(0),
        })
    }

    async fn notification_by_token(&self, token: &str) -> Result<Option<Notification>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM notifications WHERE token = $1")))
            .bind(token.to_owned())
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(from_row).transpose()
    }
}
}
