//! Operators' changes to customers: create, edit, merge two into one, and erase one's personal
//! data. I2 (one customer per company and number) is the schema's; a number taken by another
//! customer is a [`StoreError::Conflict`] the caller turns into a client error.

use frontdesk_domain::ids::{CompanyId, CustomerId};
use frontdesk_domain::records::Customer;
use jiff::Timestamp;
use serde_json::json;

use super::{Conn, db};
use crate::backend::{Jsonb, Stamp};
use crate::model::{CustomerEdit, ErasureReport, MergeReport, NewCustomer};
use crate::{Result, StoreError};

const CUSTOMER_COLUMNS: &str = "id, company_id, name, salutation, phone, email, created_at";

/// Blank text is no text.
fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

for_backends! {
impl [Conn<'_, DB>] {
    async fn lock_customer_row(&mut self, company: CompanyId, id: CustomerId) -> Result<Option<Customer>> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE company_id = $1 AND id = $2{}", DB::FOR_UPDATE);
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(Self::customer).transpose()
    }

    pub(crate) async fn create_customer(&mut self, company: CompanyId, new: &NewCustomer, at: Timestamp) -> Result<Customer> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO customers (company_id, name, salutation, phone, email, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {CUSTOMER_COLUMNS}"
        )))
        .bind(company.0)
        .bind(clean(new.name.as_deref()))
        .bind(clean(new.salutation.as_deref()))
        .bind(new.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(new.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(Stamp(at))
        .fetch_one(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Self::customer(&row)
    }

    pub(crate) async fn update_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        edit: &CustomerEdit,
        at: Timestamp,
    ) -> Result<Option<(Customer, Customer)>> {
        let Some(before) = self.lock_customer_row(company, id).await? else { return Ok(None) };
        let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
            Some(n) => clean(n.as_deref()),
            None => old.clone(),
        };
        let phone = match &edit.phone {
            Some(p) => p.as_ref().map(|p| p.as_str().to_owned()),
            None => before.phone.as_ref().map(|p| p.as_str().to_owned()),
        };
        let email = match &edit.email {
            Some(e) => e.as_ref().map(|e| e.as_str().to_owned()),
            None => before.email.as_ref().map(|e| e.as_str().to_owned()),
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE customers SET name = $3, salutation = $4, phone = $5, email = $6, updated_at = $7
              WHERE company_id = $1 AND id = $2 RETURNING {CUSTOMER_COLUMNS}"
        )))
        .bind(company.0)
        .bind(id.0)
        .bind(pick(&edit.name, &before.name))
        .bind(pick(&edit.salutation, &before.salutation))
        .bind(phone)
        .bind(email)
        .bind(Stamp(at))
        .fetch_one(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Ok(Some((before, Self::customer(&row)?)))
    }

    /// Moves everything of `from` to `into` and removes `from`; `into` keeps its own details
    /// and takes those of `from` it lacks.
    pub(crate) async fn merge_customers(
        &mut self,
        company: CompanyId,
        into: CustomerId,
        from: CustomerId,
        at: Timestamp,
    ) -> Result<Option<MergeReport>> {
        if into == from {
            return Err(StoreError::InvalidInput("a customer cannot be merged into itself".to_owned()));
        }
        // Locked in id order, so that two merges of the same pair cannot deadlock.
        let (first, second) = if into.0 < from.0 { (into, from) } else { (from, into) };
        let a = self.lock_customer_row(company, first).await?;
        let b = self.lock_customer_row(company, second).await?;
        let (Some(a), Some(b)) = (a, b) else { return Ok(None) };
        let (kept, gone) = if a.id == into { (a, b) } else { (b, a) };
        let mut report = MergeReport::default();
        let mut notifications = 0;
        for (table, counter) in [
            ("appointments", &mut report.appointments),
            ("calls", &mut report.calls),
            ("callback_requests", &mut report.callbacks),
            ("notifications", &mut notifications),
        ] {
            let sql = format!("UPDATE {table} SET customer_id = $3 WHERE company_id = $1 AND customer_id = $2");
            let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(company.0)
                .bind(gone.id.0)
                .bind(kept.id.0)
                .execute(&mut *self.0)
                .await
                .map_err(db::<DB>)?;
            *counter = DB::rows_affected(&done);
        }
        sqlx::query("DELETE FROM customers WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(gone.id.0)
            .execute(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        // The removed customer's number is free now: the kept one takes it if it had none.
        sqlx::query(
            "UPDATE customers SET name = COALESCE(name, $3), salutation = COALESCE(salutation, $4),
                    phone = COALESCE(phone, $5), email = COALESCE(email, $6), updated_at = $7
              WHERE company_id = $1 AND id = $2",
        )
        .bind(company.0)
        .bind(kept.id.0)
        .bind(gone.name.clone())
        .bind(gone.salutation.clone())
        .bind(gone.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(gone.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(Stamp(at))
        .execute(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        report.kept = self.lock_customer_row(company, kept.id).await?;
        Ok(Some(report))
    }

    /// Replaces a customer's personal data wherever it is stored: the customer's own fields,
    /// their calls' numbers, transcripts, analyses and recordings, the traces and deliveries of
    /// those calls, their callback requests, and free text on their appointments. What remains
    /// (appointments with times and services) counts as anonymous history.
    pub(crate) async fn erase_customer(&mut self, company: CompanyId, id: CustomerId, at: Timestamp) -> Result<Option<ErasureReport>> {
        let Some(customer) = self.lock_customer_row(company, id).await? else { return Ok(None) };
        let phone = customer.phone.as_ref().map(|p| p.as_str().to_owned());
        let erased = Jsonb::of(&json!({"erased": true}));
        let mut report = ErasureReport::default();
        // The calls: linked to the customer, or from their number before they were a customer.
        let calls_of = "SELECT id FROM calls WHERE company_id = $1 AND (customer_id = $2 OR ($3 IS NOT NULL AND from_number = $3))";
        let sql = format!(
            "UPDATE function_traces SET arguments = $4, response = $4 WHERE company_id = $1 AND call_id IN ({calls_of})"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0).bind(id.0).bind(phone.clone()).bind(erased)
            .execute(&mut *self.0).await.map_err(db::<DB>)?;
        report.traces = DB::rows_affected(&done);
        let sql = format!(
            "UPDATE idempotency_keys SET response = '{{\"erased\":true}}' WHERE company_id = $1 AND call_id IN ({calls_of})"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0).bind(id.0).bind(phone.clone())
            .execute(&mut *self.0).await.map_err(db::<DB>)?;
        let sql = format!(
            "UPDATE webhook_events SET payload = $4
              WHERE external_call_id IN (SELECT external_id FROM calls WHERE id IN ({calls_of}))"
        );
        // The raw body is kept as text (its signature was computed over it).
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0).bind(id.0).bind(phone.clone()).bind(r#"{"erased":true}"#)
            .execute(&mut *self.0).await.map_err(db::<DB>)?;
        report.deliveries = DB::rows_affected(&done);
        let done = sqlx::query(
            "UPDATE calls SET from_number = NULL, transcript = NULL, analysis = NULL, recording_url = NULL,
                    public_log_url = NULL, customer_id = $2
              WHERE company_id = $1 AND (customer_id = $2 OR ($3 IS NOT NULL AND from_number = $3))",
        )
        .bind(company.0).bind(id.0).bind(phone.clone())
        .execute(&mut *self.0).await.map_err(db::<DB>)?;
        report.calls = DB::rows_affected(&done);
        // Notifications: nothing more is sent, and what was sent keeps no address or name
        // (a callback alert's details included).
        sqlx::query(
            "UPDATE notifications SET recipient = 'erased', payload = $4, token = NULL,
                    status = CASE WHEN status IN ('pending', 'running') THEN 'withdrawn' ELSE status END,
                    lease_owner = NULL, lease_until = NULL
              WHERE company_id = $1 AND (customer_id = $2 OR callback_id IN (
                    SELECT id FROM callback_requests
                     WHERE company_id = $1 AND (customer_id = $2 OR ($3 IS NOT NULL AND phone = $3))))",
        )
        .bind(company.0).bind(id.0).bind(phone.clone()).bind(Jsonb::of(&json!({"about": "erased"})))
        .execute(&mut *self.0).await.map_err(db::<DB>)?;
        let done = sqlx::query(
            "UPDATE callback_requests SET name = NULL, phone = NULL, reason = NULL, preferred_time = NULL, done_note = NULL
              WHERE company_id = $1 AND (customer_id = $2 OR ($3 IS NOT NULL AND phone = $3))",
        )
        .bind(company.0).bind(id.0).bind(phone)
        .execute(&mut *self.0).await.map_err(db::<DB>)?;
        report.callbacks = DB::rows_affected(&done);
        let done = sqlx::query(
            "UPDATE appointments SET notes = NULL, cancel_reason = NULL, updated_at = $3 WHERE company_id = $1 AND customer_id = $2",
        )
        .bind(company.0).bind(id.0).bind(Stamp(at))
        .execute(&mut *self.0).await.map_err(db::<DB>)?;
        report.appointments = DB::rows_affected(&done);
        sqlx::query(
            "UPDATE customers SET name = NULL, salutation = NULL, phone = NULL, email = NULL, updated_at = $3
              WHERE company_id = $1 AND id = $2",
        )
        .bind(company.0).bind(id.0).bind(Stamp(at))
        .execute(&mut *self.0).await.map_err(db::<DB>)?;
        Ok(Some(report))
    }
}
}
