//! The queries of customers, appointments and callbacks that reads and write transactions
//! share (on [`Conn`]): busy time, customers, appointments with their segments and history.

use frontdesk_domain::availability::{Busy, Slot};
use frontdesk_domain::ids::{
    AppointmentId, BranchId, CallId, CallbackId, CompanyId, CustomerId, ServiceId, StaffId, UserId,
};
use frontdesk_domain::money::Cents;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{
    Appointment, AppointmentSource, AppointmentStatus, CallbackRequest, CallbackStatus, Customer, Segment,
};
use frontdesk_domain::tenant::Email;
use frontdesk_domain::time::TimeRange;
use jiff::{SignedDuration, Timestamp};

use crate::backend::{BackendKind, Stamp};
use crate::model::NewAppointment;
use crate::sql::{Conn, RowExt, db};
use crate::{Result, StoreError};

/// No block is longer than this (services are at most 12 hours, buffers 4 each), so a window
/// query can bound its index scan from below.
const LONGEST_BLOCK: SignedDuration = SignedDuration::from_hours(24);

pub(super) const CALLBACK_COLUMNS: &str = "id, company_id, branch_id, call_id, customer_id, name, phone, reason, \
    preferred_time, status, created_at, assigned_user_id, done_at, done_note";

pub(super) const APPOINTMENT_COLUMNS: &str =
    "id, company_id, branch_id, service_id, staff_id, customer_id, starts_at, ends_at,
    status, source, call_id, reschedule_count, notes, cancelled_at, cancellation_fee_cents, calcom_uid, created_at";

/// One line of an appointment's history (`appointment_changes`).
pub(super) struct Change {
    pub(super) kind: &'static str,
    pub(super) old_start: Option<Timestamp>,
    pub(super) new_start: Option<Timestamp>,
    pub(super) call: Option<CallId>,
    pub(super) at: Timestamp,
}

/// Busy time in a window: active appointment segments and busy blocks. Binds the company as
/// `$1`, the window as `$2`..`$3`, and the earliest start that can reach into it as `$4`. A macro
/// so that the packed form below is built from the same text at compile time.
macro_rules! busy_times_sql {
    () => {
        "SELECT staff_id, blocks_from AS from_at, blocks_until AS until_at, appointment_id
           FROM appointment_segments
          WHERE company_id = $1 AND active AND blocks_from >= $4 AND blocks_from < $3 AND blocks_until > $2
         UNION ALL
         SELECT staff_id, starts_at AS from_at, ends_at AS until_at, NULL AS appointment_id
           FROM busy_blocks
          WHERE company_id = $1 AND active AND starts_at >= $4 AND starts_at < $3 AND ends_at > $2"
    };
}

/// [`busy_times_sql`] row by row (PostgreSQL).
const BUSY_TIMES: &str = busy_times_sql!();

/// [`busy_times_sql`] as one text value (SQLite; see [`unpack_busy`]). A two-week calendar is
/// hundreds of rows, and the SQLite driver hands each row from its connection's thread to the
/// caller's separately; packed, it is one hand-off (the open loop's refusals, which read two
/// weeks, took 2.5–5 ms row by row once the calendar filled).
const BUSY_TIMES_PACKED: &str = concat!(
    "SELECT group_concat(staff_id || ',' || from_at || ',' || until_at || ',' || coalesce(appointment_id, ''), ';')
            AS packed
       FROM (",
    busy_times_sql!(),
    ") AS busy"
);

fn busy(staff: i64, from: Timestamp, until: Timestamp, appointment: Option<i64>) -> Result<Busy> {
    Ok(Busy {
        staff_id: StaffId(staff),
        range: TimeRange::new(from, until).map_err(|e| StoreError::corrupt("busy time", e))?,
        appointment_id: appointment.map(AppointmentId),
    })
}

/// Reads SQLite's packed busy time: `staff,from,until,appointment` entries (instants in
/// microseconds, the appointment empty for a busy block) separated by `;`.
fn unpack_busy(packed: &str) -> Result<Vec<Busy>> {
    let corrupt = |entry: &str| StoreError::corrupt("busy time", format!("unreadable entry `{entry}`"));
    packed
        .split(';')
        .map(|entry| {
            let mut fields = entry.split(',');
            let mut next = || fields.next().ok_or_else(|| corrupt(entry));
            let number = |field: &str| field.parse::<i64>().map_err(|_| corrupt(entry));
            let instant = |field: &str| {
                Timestamp::from_microsecond(number(field)?).map_err(|e| StoreError::corrupt("busy time", e))
            };
            let (staff, from, until, appointment) = (next()?, next()?, next()?, next()?);
            if fields.next().is_some() {
                return Err(corrupt(entry));
            }
            let appointment = if appointment.is_empty() { None } else { Some(number(appointment)?) };
            busy(number(staff)?, instant(from)?, instant(until)?, appointment)
        })
        .collect()
}

for_backends! {
impl [Conn<'_, DB>] {
    pub(crate) async fn busy_times(&mut self, company: CompanyId, window: TimeRange) -> Result<Vec<Busy>> {
        let packed = DB::KIND == BackendKind::Sqlite;
        let rows = sqlx::query(if packed { BUSY_TIMES_PACKED } else { BUSY_TIMES })
            .bind(company.0)
            .bind(Stamp(window.start()))
            .bind(Stamp(window.end()))
            .bind(Stamp(window.start() - LONGEST_BLOCK))
            .fetch_all(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        if packed {
            let value: Option<String> = rows.first().map(|r| r.col("packed")).transpose()?.flatten();
            return value.as_deref().map_or(Ok(Vec::new()), unpack_busy);
        }
        rows.iter()
            .map(|r| {
                let from: Stamp = r.col("from_at")?;
                let until: Stamp = r.col("until_at")?;
                busy(r.col("staff_id")?, from.0, until.0, r.col("appointment_id")?)
            })
            .collect()
    }

    pub(crate) async fn customer_by_phone(&mut self, company: CompanyId, phone: &E164) -> Result<Option<Customer>> {
        let row = sqlx::query(
            "SELECT id, company_id, name, salutation, phone, email, created_at FROM customers WHERE company_id = $1 AND phone = $2",
        )
        .bind(company.0)
        .bind(phone.as_str())
        .fetch_optional(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| Self::customer(&r)).transpose()
    }

    pub(crate) fn customer(r: &DB::Row) -> Result<Customer> {
        Ok(Customer {
            id: CustomerId(r.col("id")?),
            company_id: CompanyId(r.col("company_id")?),
            name: r.col("name")?,
            salutation: r.col("salutation")?,
            phone: r
                .col::<Option<String>>("phone")?
                .map(|p| E164::parse_strict(&p).map_err(|e| StoreError::corrupt("phone", e)))
                .transpose()?,
            email: r.col::<Option<String>>("email")?.and_then(|e| Email::parse(&e)),
            created_at: r.col::<Stamp>("created_at")?.0,
        })
    }

    /// Appointments (with their segments) selected by `sql`, which binds `company` as `$1` and
    /// `key` as `$2` and selects [`APPOINTMENT_COLUMNS`].
    pub(super) async fn appointments_where(&mut self, sql: String, company: CompanyId, key: i64) -> Result<Vec<Appointment>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0)
            .bind(key)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        let mut out = rows.iter().map(Self::appointment).collect::<Result<Vec<_>>>()?;
        self.attach_segments(&mut out).await?;
        Ok(out)
    }

    pub(crate) async fn appointment_by_id(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        lock: bool,
    ) -> Result<Option<Appointment>> {
        let lock = if lock { DB::FOR_UPDATE } else { "" };
        let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE company_id = $1 AND id = $2{lock}");
        Ok(self.appointments_where(sql, company, id.0).await?.pop())
    }

    pub(crate) async fn customer_appointments(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        from: Timestamp,
    ) -> Result<Vec<Appointment>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments
              WHERE company_id = $1 AND customer_id = $2 AND status = 'booked' AND ends_at > $3
              ORDER BY starts_at, id"
        )))
        .bind(company.0)
        .bind(customer.0)
        .bind(Stamp(from))
        .fetch_all(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        let mut out = rows.iter().map(Self::appointment).collect::<Result<Vec<_>>>()?;
        self.attach_segments(&mut out).await?;
        Ok(out)
    }

    pub(crate) async fn appointments_of_call(&mut self, company: CompanyId, call: CallId) -> Result<Vec<Appointment>> {
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE company_id = $1 AND call_id = $2 ORDER BY starts_at, id"
        );
        self.appointments_where(sql, company, call.0).await
    }

    pub(super) fn appointment(r: &DB::Row) -> Result<Appointment> {
        let status: String = r.col("status")?;
        let source: String = r.col("source")?;
        let starts: Stamp = r.col("starts_at")?;
        let ends: Stamp = r.col("ends_at")?;
        Ok(Appointment {
            id: AppointmentId(r.col("id")?),
            company_id: CompanyId(r.col("company_id")?),
            branch_id: BranchId(r.col("branch_id")?),
            service_id: ServiceId(r.col("service_id")?),
            staff_id: StaffId(r.col("staff_id")?),
            customer_id: CustomerId(r.col("customer_id")?),
            range: TimeRange::new(starts.0, ends.0).map_err(|e| StoreError::corrupt("appointment", e))?,
            status: AppointmentStatus::parse(&status).ok_or_else(|| StoreError::corrupt("status", &status))?,
            source: AppointmentSource::parse(&source).ok_or_else(|| StoreError::corrupt("source", &source))?,
            call_id: r.col::<Option<i64>>("call_id")?.map(CallId),
            reschedule_count: u32::try_from(r.col::<i64>("reschedule_count")?).unwrap_or(0),
            notes: r.col("notes")?,
            cancelled_at: r.col::<Option<Stamp>>("cancelled_at")?.map(|s| s.0),
            cancellation_fee: r.col::<Option<i64>>("cancellation_fee_cents")?.map(Cents),
            calcom_uid: r.col("calcom_uid")?,
            created_at: r.col::<Stamp>("created_at")?.0,
            segments: Vec::new(),
        })
    }

    pub(super) async fn attach_segments(&mut self, appointments: &mut [Appointment]) -> Result<()> {
        if appointments.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=appointments.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT appointment_id, name, starts_at, ends_at, staff_busy, blocks_from, blocks_until
               FROM appointment_segments WHERE appointment_id IN ({}) ORDER BY appointment_id, position",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in appointments.iter() {
            query = query.bind(a.id.0);
        }
        let rows = query.fetch_all(&mut *self.0).await.map_err(db::<DB>)?;
        for r in &rows {
            let id = AppointmentId(r.col("appointment_id")?);
            let (s, e): (Stamp, Stamp) = (r.col("starts_at")?, r.col("ends_at")?);
            let block = match (r.col::<Option<Stamp>>("blocks_from")?, r.col::<Option<Stamp>>("blocks_until")?) {
                (Some(f), Some(u)) => Some(TimeRange::new(f.0, u.0).map_err(|e| StoreError::corrupt("block", e))?),
                _ => None,
            };
            let segment = Segment {
                name: r.col("name")?,
                range: TimeRange::new(s.0, e.0).map_err(|e| StoreError::corrupt("segment", e))?,
                staff_busy: r.col("staff_busy")?,
                block,
            };
            if let Some(a) = appointments.iter_mut().find(|a| a.id == id) {
                a.segments.push(segment);
            }
        }
        Ok(())
    }

    /// Whether any of `slot`'s blocks overlaps active busy time of its staff member, ignoring the
    /// blocks of `except` (the appointment being moved).
    /// Serialises the bookings of one staff member (PostgreSQL): the holder checks and inserts
    /// alone, so concurrent bookings never wait on each other's uncommitted segments inside the
    /// exclusion constraint — which deadlocks when composite services interleave — and the
    /// constraint stays a backstop. A no-key lock: foreign-key checks of other inserts pass.
    pub(super) async fn lock_staff(&mut self, company: CompanyId, staff: StaffId) -> Result<()> {
        let sql = format!("SELECT id FROM staff WHERE company_id = $1 AND id = $2{}", DB::FOR_NO_KEY_UPDATE);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0)
            .bind(staff.0)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        Ok(())
    }

    pub(super) async fn overlaps(&mut self, slot: &Slot, except: Option<AppointmentId>) -> Result<bool> {
        for block in slot.blocks() {
            let hit = sqlx::query(
                "SELECT 1 AS hit FROM appointment_segments
                  WHERE active AND staff_id = $1 AND blocks_from < $3 AND blocks_until > $2 AND appointment_id <> $4
                 UNION ALL
                 SELECT 1 AS hit FROM busy_blocks
                  WHERE active AND staff_id = $1 AND starts_at < $3 AND ends_at > $2
                 LIMIT 1",
            )
            .bind(slot.staff_id.0)
            .bind(Stamp(block.start()))
            .bind(Stamp(block.end()))
            .bind(except.map_or(0, |a| a.0))
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
            if hit.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) async fn insert_segments(&mut self, company: CompanyId, appointment: AppointmentId, slot: &Slot) -> Result<()> {
        for (position, s) in slot.segments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO appointment_segments (appointment_id, company_id, staff_id, position, name, starts_at,
                    ends_at, staff_busy, blocks_from, blocks_until, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8)",
            )
            .bind(appointment.0)
            .bind(company.0)
            .bind(slot.staff_id.0)
            .bind(position as i64)
            .bind(s.name.as_str())
            .bind(Stamp(s.range.start()))
            .bind(Stamp(s.range.end()))
            .bind(s.staff_busy)
            .bind(s.block.map(|b| Stamp(b.start())))
            .bind(s.block.map(|b| Stamp(b.end())))
            .execute(&mut *self.0)
            .await
            .map_err(db::<DB>)?;
        }
        Ok(())
    }

    pub(super) async fn record_change(&mut self, company: CompanyId, appointment: AppointmentId, change: Change) -> Result<()> {
        let Change { kind, old_start, new_start, call, at } = change;
        sqlx::query(
            "INSERT INTO appointment_changes (appointment_id, company_id, kind, old_starts_at, new_starts_at, call_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(appointment.0)
        .bind(company.0)
        .bind(kind)
        .bind(old_start.map(Stamp))
        .bind(new_start.map(Stamp))
        .bind(call.map(|c| c.0))
        .bind(Stamp(at))
        .execute(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Ok(())
    }

    /// Inserts the appointment and its segments. Runs inside a savepoint of the caller's
    /// transaction, so a refusal leaves the rest of the transaction intact.
    pub(super) async fn insert_appointment(&mut self, new: &NewAppointment<'_>) -> Result<AppointmentId> {
        let slot = new.slot;
        let id: i64 = sqlx::query(
            "INSERT INTO appointments (company_id, branch_id, service_id, staff_id, customer_id, starts_at, ends_at,
                status, source, call_id, notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(new.company_id.0)
        .bind(new.branch_id.0)
        .bind(new.service_id.0)
        .bind(slot.staff_id.0)
        .bind(new.customer_id.0)
        .bind(Stamp(slot.start))
        .bind(Stamp(slot.end))
        .bind(new.source.as_str())
        .bind(new.call_id.map(|c| c.0))
        .bind(new.notes.clone())
        .bind(Stamp(new.at))
        .fetch_one(&mut *self.0)
        .await
        .map_err(db::<DB>)?
        .col("id")?;
        let id = AppointmentId(id);
        self.insert_segments(new.company_id, id, slot).await?;
        let change =
            Change { kind: "booked", old_start: None, new_start: Some(slot.start), call: new.call_id, at: new.at };
        self.record_change(new.company_id, id, change).await?;
        Ok(id)
    }

    pub(super) fn callback(r: &DB::Row) -> Result<CallbackRequest> {
        let status: String = r.col("status")?;
        Ok(CallbackRequest {
            id: CallbackId(r.col("id")?),
            company_id: CompanyId(r.col("company_id")?),
            branch_id: r.col::<Option<i64>>("branch_id")?.map(BranchId),
            call_id: r.col::<Option<i64>>("call_id")?.map(CallId),
            customer_id: r.col::<Option<i64>>("customer_id")?.map(CustomerId),
            name: r.col("name")?,
            phone: r.col::<Option<String>>("phone")?.and_then(|p| E164::parse_strict(&p).ok()),
            reason: r.col("reason")?,
            preferred_time: r.col("preferred_time")?,
            status: CallbackStatus::parse(&status).ok_or_else(|| StoreError::corrupt("callback status", &status))?,
            created_at: r.col::<Stamp>("created_at")?.0,
            assigned_user_id: r.col::<Option<i64>>("assigned_user_id")?.map(UserId),
            done_at: r.col::<Option<Stamp>>("done_at")?.map(|s| s.0),
            done_note: r.col("done_note")?,
        })
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_busy_time_reads_back_blocks_and_appointments() {
        let busy = unpack_busy("3,1773043200000000,1773046800000000,17;4,1773043200000000,1773044100000000,").unwrap();
        assert_eq!(busy.len(), 2);
        assert_eq!((busy[0].staff_id, busy[0].appointment_id), (StaffId(3), Some(AppointmentId(17))));
        assert_eq!(busy[0].range.start(), Timestamp::from_microsecond(1_773_043_200_000_000).unwrap());
        assert_eq!(busy[0].range.end(), Timestamp::from_microsecond(1_773_046_800_000_000).unwrap());
        assert_eq!((busy[1].staff_id, busy[1].appointment_id), (StaffId(4), None));
    }

    #[test]
    fn packed_busy_time_that_does_not_read_is_corrupt() {
        for bad in ["3,1773043200000000,1773046800000000", "x,1,2,", "3,2,1,", "3,1,2,3,4"] {
            assert!(matches!(unpack_busy(bad), Err(StoreError::Corrupt(_))), "{bad}");
        }
    }
}
