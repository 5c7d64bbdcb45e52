//! Customers, appointments and their segments, callback requests.
//!
//! I1 (no double booking) is checked here inside the write transaction — on SQLite that
//! transaction holds the database's only write lock, so the check is conclusive — and enforced
//! again by the schema: a trigger on SQLite, an exclusion constraint on PostgreSQL, where several
//! processes may insert at once. Either guard's refusal becomes [`SlotTaken`].

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::availability::{Busy, DaysOff, Slot};
use frontdesk_domain::ids::{
    AbsenceId, AppointmentId, BranchId, CallId, CallbackId, ClosureId, CompanyId, CustomerId, StaffId,
};
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{Appointment, AppointmentStatus, CallbackRequest, CallbackStatus, Customer};
use frontdesk_domain::time::{DateSpan, TimeRange};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Connection;

mod queries;

use queries::{APPOINTMENT_COLUMNS, CALLBACK_COLUMNS, Change};

use super::{Conn, Filtered, RowExt, SqlStore, SqlTx, bad_cursor, db, id_cursor, paginate};
use crate::backend::{ErrorClass, Stamp};
use crate::model::{
    Absence, AppointmentEdit, AppointmentFilter, CallbackChange, CallbackFilter, Cancellation, Closure, CustomerEdit,
    CustomerFilter, ErasureReport, MergeReport, NewAppointment, NewCallback, NewCustomer, Owned, Page, PageRequest,
    SlotTaken,
};
use crate::{Bookings, BookingsTx, Result, StoreError};

/// Runs `step` inside a savepoint: if the no-overlap guarantee refuses it, the savepoint is rolled
/// back and the outcome is [`SlotTaken`]; other errors propagate.
macro_rules! in_savepoint {
    ($tx:expr, |$conn:ident| $step:expr) => {{
        let mut savepoint = Connection::begin(&mut *$tx).await.map_err(db::<DB>)?;
        let outcome = {
            let mut $conn = Conn::<DB>(&mut *savepoint);
            $step.await
        };
        match outcome {
            Ok(Ok(value)) => {
                savepoint.commit().await.map_err(db::<DB>)?;
                Ok(Ok(value))
            }
            Ok(Err(SlotTaken)) => {
                savepoint.rollback().await.map_err(db::<DB>)?;
                Ok(Err(SlotTaken))
            }
            Err(StoreError::Conflict(e)) if DB::classify(&e) == ErrorClass::SlotTaken => {
                savepoint.rollback().await.map_err(db::<DB>)?;
                Ok(Err(SlotTaken))
            }
            Err(e) => Err(e),
        }
    }};
}

for_backends! {
#[async_trait]
impl [BookingsTx for SqlTx<DB>] {
    async fn busy_times(&mut self, company: CompanyId, window: TimeRange) -> Result<Vec<Busy>> {
        Conn::<DB>(&mut self.tx).busy_times(company, window).await
    }

    async fn upsert_customer(&mut self, company: CompanyId, new: &NewCustomer, at: Timestamp) -> Result<Customer> {
        let sql = if new.phone.is_some() {
            "INSERT INTO customers (company_id, name, phone, email, created_at, updated_at, salutation)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (company_id, phone) DO UPDATE SET
                name = COALESCE(customers.name, excluded.name),
                email = COALESCE(excluded.email, customers.email),
                salutation = COALESCE(excluded.salutation, customers.salutation)
             RETURNING id, company_id, name, salutation, phone, email, created_at"
        } else {
            "INSERT INTO customers (company_id, name, phone, email, created_at, updated_at, salutation)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             RETURNING id, company_id, name, salutation, phone, email, created_at"
        };
        let name = new.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        let row = sqlx::query(sql)
            .bind(company.0)
            .bind(name)
            .bind(new.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(new.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind(Stamp(at))
            .bind(new.salutation.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        Conn::<DB>::customer(&row)
    }

    async fn customer_by_phone(&mut self, company: CompanyId, phone: &E164) -> Result<Option<Customer>> {
        Conn::<DB>(&mut self.tx).customer_by_phone(company, phone).await
    }

    async fn book(&mut self, new: &NewAppointment<'_>) -> Result<Result<Appointment, SlotTaken>> {
        let company = new.company_id;
        let booked: Result<AppointmentId, SlotTaken> = in_savepoint!(self.tx, |conn| async {
            conn.lock_staff(company, new.slot.staff_id).await?;
            if conn.overlaps(new.slot, None).await? {
                return Ok(Err(SlotTaken));
            }
            conn.insert_appointment(new).await.map(Ok)
        })?;
        match booked {
            Ok(id) => {
                let appointment = Conn::<DB>(&mut self.tx).appointment_by_id(company, id, false).await?;
                appointment.map(Ok).ok_or(StoreError::NotFound("appointment"))
            }
            Err(taken) => Ok(Err(taken)),
        }
    }

    async fn lock_appointment(&mut self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>> {
        Conn::<DB>(&mut self.tx).appointment_by_id(company, id, true).await
    }

    async fn days_off(&mut self, company: CompanyId, from: Date, to: Date) -> Result<DaysOff> {
        Conn::<DB>(&mut self.tx).days_off(company, from, to).await
    }

    async fn add_closure(
        &mut self,
        company: CompanyId,
        branch: BranchId,
        day: Date,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<Closure> {
        Conn::<DB>(&mut self.tx).add_closure(company, branch, day, note, at).await
    }

    async fn remove_closure(&mut self, company: CompanyId, id: ClosureId) -> Result<Option<Closure>> {
        Conn::<DB>(&mut self.tx).remove_closure(company, id).await
    }

    async fn add_absence(
        &mut self,
        company: CompanyId,
        staff: StaffId,
        span: DateSpan,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<Absence> {
        Conn::<DB>(&mut self.tx).add_absence(company, staff, span, note, at).await
    }

    async fn remove_absence(&mut self, company: CompanyId, id: AbsenceId) -> Result<Option<Absence>> {
        Conn::<DB>(&mut self.tx).remove_absence(company, id).await
    }

    async fn create_customer(&mut self, company: CompanyId, new: &NewCustomer, at: Timestamp) -> Result<Customer> {
        Conn::<DB>(&mut self.tx).create_customer(company, new, at).await
    }

    async fn update_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        edit: &CustomerEdit,
        at: Timestamp,
    ) -> Result<Option<(Customer, Customer)>> {
        Conn::<DB>(&mut self.tx).update_customer(company, id, edit, at).await
    }

    async fn merge_customers(
        &mut self,
        company: CompanyId,
        into: CustomerId,
        from: CustomerId,
        at: Timestamp,
    ) -> Result<Option<MergeReport>> {
        Conn::<DB>(&mut self.tx).merge_customers(company, into, from, at).await
    }

    async fn erase_customer(&mut self, company: CompanyId, id: CustomerId, at: Timestamp) -> Result<Option<ErasureReport>> {
        Conn::<DB>(&mut self.tx).erase_customer(company, id, at).await
    }

    async fn edit_appointment(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        edit: &AppointmentEdit,
        at: Timestamp,
    ) -> Result<Appointment> {
        let mut conn = Conn::<DB>(&mut self.tx);
        let before = conn.appointment_by_id(company, id, true).await?.ok_or(StoreError::NotFound("appointment"))?;
        let notes = match &edit.notes {
            Some(n) => n.clone(),
            None => before.notes.clone(),
        };
        sqlx::query("UPDATE appointments SET notes = $3, status = $4, updated_at = $5 WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id.0)
            .bind(notes)
            .bind(edit.status.unwrap_or(before.status).as_str())
            .bind(Stamp(at))
            .execute(&mut *conn.0)
            .await
            .map_err(db::<DB>)?;
        conn.appointment_by_id(company, id, false).await?.ok_or(StoreError::NotFound("appointment"))
    }

    async fn customer_appointments(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        from: Timestamp,
    ) -> Result<Vec<Appointment>> {
        Conn::<DB>(&mut self.tx).customer_appointments(company, customer, from).await
    }

    async fn appointments_of_call(&mut self, company: CompanyId, call: CallId) -> Result<Vec<Appointment>> {
        Conn::<DB>(&mut self.tx).appointments_of_call(company, call).await
    }

    async fn lock_customer(&mut self, company: CompanyId, customer: CustomerId) -> Result<()> {
        let sql = format!("SELECT id FROM customers WHERE company_id = $1 AND id = $2{}", DB::FOR_UPDATE);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0)
            .bind(customer.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db::<DB>)?
            .map(|_| ())
            .ok_or(StoreError::NotFound("customer"))
    }

    async fn count_cancellations(&mut self, company: CompanyId, customer: CustomerId, since: Timestamp) -> Result<u32> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM appointments
              WHERE company_id = $1 AND customer_id = $2 AND status = 'cancelled' AND cancelled_at >= $3",
        )
        .bind(company.0)
        .bind(customer.0)
        .bind(Stamp(since))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?
        .col("n")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn cancel(&mut self, company: CompanyId, id: AppointmentId, change: &Cancellation) -> Result<Appointment> {
        let updated = sqlx::query(
            "UPDATE appointments SET status = 'cancelled', cancelled_at = $3, cancel_reason = $4,
                    cancellation_fee_cents = $5, updated_at = $3
              WHERE company_id = $1 AND id = $2 AND status = 'booked'",
        )
        .bind(company.0)
        .bind(id.0)
        .bind(Stamp(change.at))
        .bind(change.reason.clone())
        .bind(change.fee.map(|f| f.0))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        if DB::rows_affected(&updated) == 0 {
            return Err(StoreError::NotFound("booked appointment"));
        }
        sqlx::query("UPDATE appointment_segments SET active = FALSE WHERE appointment_id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        let mut conn = Conn::<DB>(&mut self.tx);
        let record =
            Change { kind: "cancelled", old_start: None, new_start: None, call: change.call_id, at: change.at };
        conn.record_change(company, id, record).await?;
        conn.appointment_by_id(company, id, false).await?.ok_or(StoreError::NotFound("appointment"))
    }

    async fn reschedule(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        slot: &Slot,
        at: Timestamp,
        call: Option<CallId>,
    ) -> Result<Result<Appointment, SlotTaken>> {
        let current = Conn::<DB>(&mut self.tx)
            .appointment_by_id(company, id, true)
            .await?
            .filter(|a| a.status == AppointmentStatus::Booked)
            .ok_or(StoreError::NotFound("booked appointment"))?;
        let moved: Result<(), SlotTaken> = in_savepoint!(self.tx, |conn| async {
            conn.lock_staff(company, slot.staff_id).await?;
            if conn.overlaps(slot, Some(id)).await? {
                return Ok(Err(SlotTaken));
            }
            // The old segments go before the new ones arrive: a move by a quarter of an hour
            // overlaps the appointment's own old time.
            sqlx::query("DELETE FROM appointment_segments WHERE appointment_id = $1")
                .bind(id.0)
                .execute(&mut *conn.0)
                .await
                .map_err(db::<DB>)?;
            conn.insert_segments(company, id, slot).await?;
            sqlx::query(
                "UPDATE appointments SET starts_at = $3, ends_at = $4, staff_id = $5,
                        reschedule_count = reschedule_count + 1, updated_at = $6
                  WHERE company_id = $1 AND id = $2",
            )
            .bind(company.0)
            .bind(id.0)
            .bind(Stamp(slot.start))
            .bind(Stamp(slot.end))
            .bind(slot.staff_id.0)
            .bind(Stamp(at))
            .execute(&mut *conn.0)
            .await
            .map_err(db::<DB>)?;
            let change = Change {
                kind: "rescheduled",
                old_start: Some(current.range.start()),
                new_start: Some(slot.start),
                call,
                at,
            };
            conn.record_change(company, id, change).await?;
            Ok(Ok(()))
        })?;
        match moved {
            Ok(()) => Ok(Ok(Conn::<DB>(&mut self.tx)
                .appointment_by_id(company, id, false)
                .await?
                .ok_or(StoreError::NotFound("appointment"))?)),
            Err(taken) => Ok(Err(taken)),
        }
    }

    async fn insert_callback(&mut self, new: &NewCallback) -> Result<CallbackRequest> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO callback_requests (company_id, branch_id, call_id, customer_id, name, phone, reason,
                preferred_time, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)
             RETURNING {CALLBACK_COLUMNS}"
        )))
        .bind(new.company_id.0)
        .bind(new.branch_id.map(|b| b.0))
        .bind(new.call_id.map(|c| c.0))
        .bind(new.customer_id.map(|c| c.0))
        .bind(new.name.clone())
        .bind(new.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(new.reason.clone())
        .bind(new.preferred_time.clone())
        .bind(Stamp(new.at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Conn::<DB>::callback(&row)
    }

    async fn update_callback(
        &mut self,
        company: CompanyId,
        id: CallbackId,
        change: &CallbackChange,
        at: Timestamp,
    ) -> Result<Option<(CallbackRequest, CallbackRequest)>> {
        let lock = format!("SELECT {CALLBACK_COLUMNS} FROM callback_requests WHERE company_id = $1 AND id = $2{}", DB::FOR_UPDATE);
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(lock))
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db::<DB>)?
        else {
            return Ok(None);
        };
        let before = Conn::<DB>::callback(&row)?;
        let (assigned, status, done_at, note) = match change {
            CallbackChange::Assign(user) => {
                (user.map(|u| u.0), before.status, before.done_at, before.done_note.clone())
            }
            CallbackChange::Done { note } => (
                before.assigned_user_id.map(|u| u.0),
                CallbackStatus::Done,
                Some(before.done_at.unwrap_or(at)),
                note.clone().or_else(|| before.done_note.clone()),
            ),
            CallbackChange::Reopen => (before.assigned_user_id.map(|u| u.0), CallbackStatus::Open, None, None),
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE callback_requests SET assigned_user_id = $3, status = $4, done_at = $5, done_note = $6
              WHERE company_id = $1 AND id = $2 RETURNING {CALLBACK_COLUMNS}"
        )))
        .bind(company.0)
        .bind(id.0)
        .bind(assigned)
        .bind(status.as_str())
        .bind(done_at.map(Stamp))
        .bind(note)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(Some((before, Conn::<DB>::callback(&row)?)))
    }
}
}

for_backends! {
#[async_trait]
impl [Bookings for SqlStore<DB>] {
    async fn busy_times(&self, company: CompanyId, window: TimeRange) -> Result<Vec<Busy>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).busy_times(company, window).await
    }

    async fn customer_by_phone(&self, company: CompanyId, phone: &E164) -> Result<Option<Customer>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).customer_by_phone(company, phone).await
    }

    async fn customer(&self, company: CompanyId, id: CustomerId) -> Result<Option<Customer>> {
        let row = sqlx::query(
            "SELECT id, company_id, name, salutation, phone, email, created_at FROM customers WHERE company_id = $1 AND id = $2",
        )
        .bind(company.0)
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| Conn::<DB>::customer(&r)).transpose()
    }

    async fn appointment(&self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).appointment_by_id(company, id, false).await
    }

    async fn customer_appointments(
        &self,
        company: CompanyId,
        customer: CustomerId,
        from: Timestamp,
    ) -> Result<Vec<Appointment>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).customer_appointments(company, customer, from).await
    }

    async fn appointments_of_call(&self, company: CompanyId, call: CallId) -> Result<Vec<Appointment>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).appointments_of_call(company, call).await
    }

    async fn list_appointments(&self, scope: Scope, filter: &AppointmentFilter, page: &PageRequest) -> Result<Page<Appointment>> {
        let (after_start, after_id) = match &page.cursor {
            Some(c) => {
                let (s, i) = c.split_once('.').ok_or_else(|| bad_cursor(c))?;
                let start = s.parse::<i64>().ok().and_then(|us| Timestamp::from_microsecond(us).ok());
                (Some(Stamp(start.ok_or_else(|| bad_cursor(c))?)), i.parse::<i64>().map_err(|_| bad_cursor(c))?)
            }
            None => (None, 0),
        };
        let mut f = Filtered::<DB>::new(format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments"));
        f.scoped(scope, filter.company)?
            .eq("branch_id", filter.branch.map(|b| b.0))
            .eq("staff_id", filter.staff.map(|s| s.0))
            .eq("customer_id", filter.customer.map(|c| c.0))
            .eq("status", filter.status.map(|s| s.as_str().to_owned()));
        if let Some(from) = filter.from {
            f.and("starts_at >= ").push_bind(Stamp(from));
        }
        if let Some(to) = filter.to {
            f.and("starts_at < ").push_bind(Stamp(to));
        }
        if let Some(start) = after_start {
            f.and("(starts_at > ").push_bind(start).push(" OR (starts_at = ").push_bind(start);
            f.query_mut().push(" AND id > ").push_bind(after_id).push("))");
        }
        let mut q = f.query();
        q.push(" ORDER BY starts_at, id LIMIT ").push_bind(i64::from(page.limit) + 1);
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        let rows = q.build().fetch_all(&mut *conn).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(Conn::<DB>::appointment).collect::<Result<Vec<_>>>()?;
        let next_cursor =
            paginate(&mut items, page.limit, |a| format!("{}.{}", a.range.start().as_microsecond(), a.id.0));
        Conn::<DB>(&mut conn).attach_segments(&mut items).await?;
        Ok(Page { items, next_cursor })
    }

    async fn days_off(&self, company: CompanyId, from: Date, to: Date) -> Result<DaysOff> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).days_off(company, from, to).await
    }

    async fn closures(&self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<Closure>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).closures(scope, company).await
    }

    async fn absences(&self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<Absence>> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        Conn::<DB>(&mut conn).absences(scope, company).await
    }

    async fn owner_of(&self, scope: Scope, row: Owned) -> Result<Option<CompanyId>> {
        let (table, id) = match row {
            Owned::Appointment(id) => ("appointments", id.0),
            Owned::Customer(id) => ("customers", id.0),
            Owned::Callback(id) => ("callback_requests", id.0),
            Owned::Closure(id) => ("branch_closures", id.0),
            Owned::Absence(id) => ("staff_absences", id.0),
        };
        let mut f = Filtered::<DB>::new(format!("SELECT company_id FROM {table}"));
        f.scoped(scope, None)?.eq("id", Some(id));
        let row = f.query().build().fetch_optional(&self.reader).await.map_err(db::<DB>)?;
        row.map(|r| r.col::<i64>("company_id").map(CompanyId)).transpose()
    }

    async fn list_customers(&self, scope: Scope, filter: &CustomerFilter, page: &PageRequest) -> Result<Page<Customer>> {
        let after = id_cursor(page)?;
        let mut f = Filtered::<DB>::new("SELECT id, company_id, name, salutation, phone, email, created_at FROM customers");
        f.scoped(scope, filter.company)?
            .eq("phone", filter.phone.as_ref().map(|p| p.as_str().to_owned()));
        if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let escaped: String = search
                .to_lowercase()
                .chars()
                .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
                .collect();
            let digits: String = search.chars().filter(char::is_ascii_digit).collect();
            // Fewer than three digits would match nearly every number: the name alone decides.
            let number = if digits.len() >= 3 { Some(format!("%{digits}%")) } else { None };
            f.and("(lower(name) LIKE ")
                .push_bind(format!("%{escaped}%"))
                .push(" ESCAPE '\\' OR phone LIKE ")
                .push_bind(number)
                .push(")");
        }
        f.and("id > ").push_bind(after);
        let mut q = f.query();
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(Conn::<DB>::customer).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |c| c.id.0.to_string());
        Ok(Page { items, next_cursor })
    }

    async fn list_callbacks(&self, scope: Scope, filter: &CallbackFilter, page: &PageRequest) -> Result<Page<CallbackRequest>> {
        let after = id_cursor(page)?;
        let mut f = Filtered::<DB>::new(format!("SELECT {CALLBACK_COLUMNS} FROM callback_requests"));
        f.scoped(scope, filter.company)?
            .eq("status", filter.status.map(|s| s.as_str().to_owned()))
            .eq("customer_id", filter.customer.map(|c| c.0));
        f.and("id > ").push_bind(after);
        let mut q = f.query();
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(Conn::<DB>::callback).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |c| c.id.0.to_string());
        Ok(Page { items, next_cursor })
    }
}
}
