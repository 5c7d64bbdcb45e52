//! Operators' days off: branch closures and staff absences. Read with the busy time (on a reader
//! for questions, in the booking's transaction for commits), written by the admin API.

use frontdesk_domain::access::Scope;
use frontdesk_domain::availability::DaysOff;
use frontdesk_domain::ids::{AbsenceId, BranchId, ClosureId, CompanyId, StaffId};
use frontdesk_domain::time::DateSpan;
use jiff::Timestamp;
use jiff::civil::Date;

use super::{Conn, Filtered, RowExt, db};
use crate::backend::Stamp;
use crate::model::{Absence, Closure};
use crate::{Result, StoreError};

const CLOSURE_COLUMNS: &str = "id, company_id, branch_id, day, note, created_at";
const ABSENCE_COLUMNS: &str = "id, company_id, staff_id, starts_on, ends_on, note, created_at";

fn date(raw: &str) -> Result<Date> {
    raw.parse().map_err(|e| StoreError::corrupt("day", e))
}

for_backends! {
impl [Conn<'_, DB>] {
    pub(crate) async fn days_off(&mut self, company: CompanyId, from: Date, to: Date) -> Result<DaysOff> {
        // One statement for both kinds: this runs with every availability decision.
        let rows = sqlx::query(
            "SELECT 'closure' AS kind, branch_id AS who, day AS first_day, day AS last_day FROM branch_closures
              WHERE company_id = $1 AND day >= $2 AND day <= $3
             UNION ALL
             SELECT 'absence' AS kind, staff_id AS who, starts_on AS first_day, ends_on AS last_day FROM staff_absences
              WHERE company_id = $1 AND ends_on >= $2 AND starts_on <= $3",
        )
        .bind(company.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        let mut days_off = DaysOff::default();
        for r in &rows {
            let who: i64 = r.col("who")?;
            let (first, last) = (date(&r.col::<String>("first_day")?)?, date(&r.col::<String>("last_day")?)?);
            if r.col::<String>("kind")? == "closure" {
                days_off.closures.push((BranchId(who), first));
            } else {
                let span = DateSpan::new(first, last).ok_or_else(|| StoreError::corrupt("absence", "ends before it starts"))?;
                days_off.absences.push((StaffId(who), span));
            }
        }
        Ok(days_off)
    }

    pub(crate) async fn closures(&mut self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<Closure>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {CLOSURE_COLUMNS} FROM branch_closures"));
        f.scoped(scope, company)?;
        let mut q = f.query();
        q.push(" ORDER BY day, id");
        let rows = q.build().fetch_all(&mut *self.0).await.map_err(db::<DB>)?;
        rows.iter().map(Self::closure).collect()
    }

    pub(crate) async fn absences(&mut self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<Absence>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {ABSENCE_COLUMNS} FROM staff_absences"));
        f.scoped(scope, company)?;
        let mut q = f.query();
        q.push(" ORDER BY starts_on, id");
        let rows = q.build().fetch_all(&mut *self.0).await.map_err(db::<DB>)?;
        rows.iter().map(Self::absence).collect()
    }

    pub(crate) async fn add_closure(
        &mut self,
        company: CompanyId,
        branch: BranchId,
        day: Date,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<Closure> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO branch_closures (company_id, branch_id, day, note, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING {CLOSURE_COLUMNS}"
        )))
        .bind(company.0)
        .bind(branch.0)
        .bind(day.to_string())
        .bind(note.map(str::to_owned))
        .bind(Stamp(at))
        .fetch_one(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Self::closure(&row)
    }

    pub(crate) async fn remove_closure(&mut self, company: CompanyId, id: ClosureId) -> Result<Option<Closure>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM branch_closures WHERE company_id = $1 AND id = $2 RETURNING {CLOSURE_COLUMNS}"
        )))
        .bind(company.0)
        .bind(id.0)
        .fetch_optional(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        row.as_ref().map(Self::closure).transpose()
    }

    pub(crate) async fn add_absence(
        &mut self,
        company: CompanyId,
        staff: StaffId,
        span: DateSpan,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<Absence> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO staff_absences (company_id, staff_id, starts_on, ends_on, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ABSENCE_COLUMNS}"
        )))
        .bind(company.0)
        .bind(staff.0)
        .bind(span.from().to_string())
        .bind(span.to().to_string())
        .bind(note.map(str::to_owned))
        .bind(Stamp(at))
        .fetch_one(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        Self::absence(&row)
    }

    pub(crate) async fn remove_absence(&mut self, company: CompanyId, id: AbsenceId) -> Result<Option<Absence>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM staff_absences WHERE company_id = $1 AND id = $2 RETURNING {ABSENCE_COLUMNS}"
        )))
        .bind(company.0)
        .bind(id.0)
        .fetch_optional(&mut *self.0)
        .await
        .map_err(db::<DB>)?;
        row.as_ref().map(Self::absence).transpose()
    }

    fn closure(r: &DB::Row) -> Result<Closure> {
        Ok(Closure {
            id: ClosureId(r.col("id")?),
            company_id: CompanyId(r.col("company_id")?),
            branch_id: BranchId(r.col("branch_id")?),
            day: date(&r.col::<String>("day")?)?,
            note: r.col("note")?,
            created_at: r.col::<Stamp>("created_at")?.0,
        })
    }

    fn absence(r: &DB::Row) -> Result<Absence> {
        let span = DateSpan::new(date(&r.col::<String>("starts_on")?)?, date(&r.col::<String>("ends_on")?)?)
            .ok_or_else(|| StoreError::corrupt("absence", "ends before it starts"))?;
        Ok(Absence {
            id: AbsenceId(r.col("id")?),
            company_id: CompanyId(r.col("company_id")?),
            staff_id: StaffId(r.col("staff_id")?),
            span,
            note: r.col("note")?,
            created_at: r.col::<Stamp>("created_at")?.0,
        })
    }
}
}
