//! Importing a tenant file: one transaction that creates or updates every company, branch,
//! number, service, staff member and customer it describes, deactivates what it no longer names
//! (history stays), and leaves unchanged rows untouched.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::backend::{Backend, Jsonb, Stamp};
use crate::sql::{RowExt, db};
use crate::{Result, StoreError};
use frontdesk_domain::phone::E164;
use frontdesk_domain::tenant::{Key, ServiceDef, StaffDef};
use frontdesk_domain::tenant_file::{BranchSpec, CompanySpec, Problem, Secret, TenantFileError, TenantSpec};
use jiff::tz::TimeZone;
use sqlx::Transaction;

impl<'t, DB: Backend> Import<'t, DB> {
    /// An import in `tx`, at `now`.
    pub(super) fn new(tx: &'t mut Transaction<'static, DB>, now: jiff::Timestamp) -> Self {
        Self { tx, now: Stamp(now), changed: 0, problems: Vec::new() }
    }
}

/// One import, in a transaction of its own or of the caller's.
pub(super) struct Import<'t, DB: Backend> {
    pub(super) tx: &'t mut Transaction<'static, DB>,
    pub(super) now: Stamp,
    pub(super) changed: u64,
    pub(super) problems: Vec<Problem>,
}

for_backends! {
impl [Import<'_, DB>] {
    /// Imports `spec` in the transaction: every company created or updated, what the file no
    /// longer names deactivated, the configuration version raised if anything changed. A file
    /// the database refuses (a number routed elsewhere, …) is `StoreError::Rejected` with every
    /// problem; the caller's transaction is then to be rolled back.
    pub(super) async fn run(mut self, spec: &TenantSpec) -> Result<crate::ImportReport> {
        self.release_dropped_numbers(spec).await?;
        for company in &spec.companies {
            self.company(company).await?;
        }
        if !self.problems.is_empty() {
            return Err(StoreError::Rejected(TenantFileError::Invalid(self.problems)));
        }
        if self.changed > 0 {
            sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
                .execute(&mut **self.tx)
                .await
                .map_err(db::<DB>)?;
        }
        Ok(crate::ImportReport { companies: spec.companies.len(), changed_rows: self.changed })
    }

    /// Frees numbers that the file no longer routes to their current company, so that a number
    /// can move between two companies of the same file.
    pub(super) async fn release_dropped_numbers(&mut self, spec: &TenantSpec) -> Result<()> {
        for company in &spec.companies {
            let listed: BTreeSet<&str> =
                company.branches.iter().flat_map(|b| b.def.phone_numbers.iter().map(E164::as_str)).collect();
            let rows = sqlx::query(
                "SELECT n.number FROM phone_numbers n JOIN companies c ON c.id = n.company_id WHERE c.key = $1",
            )
            .bind(company.def.key.as_str())
            .fetch_all(&mut **self.tx)
            .await
            .map_err(db::<DB>)?;
            for r in rows {
                let number: String = r.col("number")?;
                if !listed.contains(number.as_str()) {
                    self.execute_counted(sqlx::query("DELETE FROM phone_numbers WHERE number = $1").bind(number))
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn execute_counted<'q>(&mut self, query: sqlx::query::Query<'q, DB, DB::Arguments>) -> Result<()> {
        let done = query.execute(&mut **self.tx).await.map_err(db::<DB>)?;
        self.changed += DB::rows_affected(&done);
        Ok(())
    }

    async fn id_of(&mut self, sql: &'static str, company: i64, key: &str) -> Result<i64> {
        sqlx::query(sql).bind(company).bind(key).fetch_one(&mut **self.tx).await.map_err(db::<DB>)?.col("id")
    }

    fn problem(&mut self, company: &CompanySpec, entity: String, field: &str, message: String) {
        self.problems.push(Problem { company: company.def.key.to_string(), entity, field: field.to_owned(), message });
    }

    pub(super) async fn company(&mut self, spec: &CompanySpec) -> Result<()> {
        let def = &spec.def;
        self.execute_counted(
            sqlx::query(
                "INSERT INTO companies (key, name, locale, time_zone, currency, policies, notifications, created_at,
                    updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7)
                 ON CONFLICT (key) DO UPDATE SET
                    name = excluded.name, locale = excluded.locale, time_zone = excluded.time_zone,
                    currency = excluded.currency, policies = excluded.policies,
                    notifications = excluded.notifications, updated_at = excluded.updated_at
                 WHERE companies.name IS DISTINCT FROM excluded.name
                    OR companies.locale IS DISTINCT FROM excluded.locale
                    OR companies.time_zone IS DISTINCT FROM excluded.time_zone
                    OR companies.currency IS DISTINCT FROM excluded.currency
                    OR companies.policies IS DISTINCT FROM excluded.policies
                    OR companies.notifications IS DISTINCT FROM excluded.notifications",
            )
            .bind(def.key.as_str())
            .bind(def.name.as_str())
            .bind(def.locale.tag())
            .bind(tz_name(&def.time_zone))
            .bind(def.currency.code())
            .bind(Jsonb::of(&def.policies))
            .bind(self.now)
            .bind(Jsonb::of(&def.notifications)),
        )
        .await?;
        let company_id: i64 = sqlx::query("SELECT id FROM companies WHERE key = $1")
            .bind(def.key.as_str())
            .fetch_one(&mut **self.tx)
            .await
            .map_err(db::<DB>)?
            .col("id")?;

        let mut service_ids = HashMap::new();
        for service in &spec.services {
            let id = self.service(company_id, service).await?;
            service_ids.insert(service.key.clone(), id);
        }
        self.deactivate_missing("services", company_id, spec.services.iter().map(|s| &s.key)).await?;

        let mut staff_services = BTreeSet::new();
        for branch in &spec.branches {
            let branch_id = self.branch(company_id, branch).await?;
            self.numbers(spec, company_id, branch_id, branch).await?;
            for staff in &branch.staff {
                let staff_id = self.staff(company_id, branch_id, staff).await?;
                staff_services.extend(staff.services.iter().filter_map(|k| service_ids.get(k)).map(|s| (staff_id, *s)));
            }
        }
        self.deactivate_missing("branches", company_id, spec.branches.iter().map(|b| &b.def.key)).await?;
        self.deactivate_missing("staff", company_id, spec.branches.iter().flat_map(|b| &b.staff).map(|s| &s.key))
            .await?;
        self.staff_services(company_id, &staff_services).await?;

        self.calcom(company_id, spec).await?;

        for customer in &spec.customers {
            self.execute_counted(
                sqlx::query(
                    "INSERT INTO customers (company_id, name, phone, email, created_at, updated_at, salutation)
                     VALUES ($1, $2, $3, $4, $5, $5, $6)
                     ON CONFLICT (company_id, phone) DO UPDATE SET
                        name = excluded.name, email = excluded.email, updated_at = excluded.updated_at,
                        salutation = COALESCE(excluded.salutation, customers.salutation)
                     WHERE customers.name IS DISTINCT FROM excluded.name
                        OR customers.email IS DISTINCT FROM excluded.email
                        OR (excluded.salutation IS NOT NULL
                            AND customers.salutation IS DISTINCT FROM excluded.salutation)",
                )
                .bind(company_id)
                .bind(customer.name.as_str())
                .bind(customer.phone.as_str())
                .bind(customer.email.as_ref().map(|e| e.as_str().to_owned()))
                .bind(self.now)
                .bind(customer.salutation.clone()),
            )
            .await?;
        }
        Ok(())
    }

    async fn calcom(&mut self, company_id: i64, spec: &CompanySpec) -> Result<()> {
        let Some(link) = &spec.calcom else {
            return self
                .execute_counted(sqlx::query("DELETE FROM calcom_connections WHERE company_id = $1").bind(company_id))
                .await;
        };
        let keys =
            |m: &BTreeMap<Key, i64>| m.iter().map(|(k, v)| (k.as_str().to_owned(), *v)).collect::<BTreeMap<_, _>>();
        // Secrets named by environment variables are resolved by whoever imports the file.
        let secret = |s: &Secret| {
            s.given().map(str::to_owned).ok_or_else(|| {
                StoreError::InvalidInput("a Cal.com secret is an unresolved environment variable reference".into())
            })
        };
        let (api_key, webhook_secret) = (secret(&link.api_key)?, secret(&link.webhook_secret)?);
        self.execute_counted(
            sqlx::query(
                "INSERT INTO calcom_connections (company_id, base_url, api_key, webhook_secret, event_types, users,
                    created_at, updated_at, staff_event_types)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
                 ON CONFLICT (company_id) DO UPDATE SET
                    base_url = excluded.base_url, api_key = excluded.api_key, webhook_secret = excluded.webhook_secret,
                    event_types = excluded.event_types, users = excluded.users, updated_at = excluded.updated_at,
                    staff_event_types = excluded.staff_event_types
                 WHERE calcom_connections.base_url IS DISTINCT FROM excluded.base_url
                    OR calcom_connections.api_key IS DISTINCT FROM excluded.api_key
                    OR calcom_connections.webhook_secret IS DISTINCT FROM excluded.webhook_secret
                    OR calcom_connections.event_types IS DISTINCT FROM excluded.event_types
                    OR calcom_connections.users IS DISTINCT FROM excluded.users
                    OR calcom_connections.staff_event_types IS DISTINCT FROM excluded.staff_event_types",
            )
            .bind(company_id)
            .bind(link.base_url.as_str())
            .bind(api_key)
            .bind(webhook_secret)
            .bind(Jsonb::of(&keys(&link.event_types)))
            .bind(Jsonb::of(&keys(&link.users)))
            .bind(self.now)
            .bind(Jsonb::of(
                &link
                    .staff_event_types
                    .iter()
                    .map(|((staff, service), id)| (format!("{staff}/{service}"), *id))
                    .collect::<BTreeMap<_, _>>(),
            )),
        )
        .await
    }

    async fn service(&mut self, company_id: i64, s: &ServiceDef) -> Result<i64> {
        self.execute_counted(
            sqlx::query(
                "INSERT INTO services (company_id, key, name, synonyms, category, price_cents, buffer_before,
                    buffer_after, minimum_notice, booking_window_days, slot_interval, segments, policies, active,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, TRUE, $14, $14)
                 ON CONFLICT (company_id, key) DO UPDATE SET
                    name = excluded.name, synonyms = excluded.synonyms, category = excluded.category,
                    price_cents = excluded.price_cents, buffer_before = excluded.buffer_before,
                    buffer_after = excluded.buffer_after, minimum_notice = excluded.minimum_notice,
                    booking_window_days = excluded.booking_window_days, slot_interval = excluded.slot_interval,
                    segments = excluded.segments, policies = excluded.policies, active = TRUE,
                    updated_at = excluded.updated_at
                 WHERE services.name IS DISTINCT FROM excluded.name
                    OR services.synonyms IS DISTINCT FROM excluded.synonyms
                    OR services.category IS DISTINCT FROM excluded.category
                    OR services.price_cents IS DISTINCT FROM excluded.price_cents
                    OR services.buffer_before IS DISTINCT FROM excluded.buffer_before
                    OR services.buffer_after IS DISTINCT FROM excluded.buffer_after
                    OR services.minimum_notice IS DISTINCT FROM excluded.minimum_notice
                    OR services.booking_window_days IS DISTINCT FROM excluded.booking_window_days
                    OR services.slot_interval IS DISTINCT FROM excluded.slot_interval
                    OR services.segments IS DISTINCT FROM excluded.segments
                    OR services.policies IS DISTINCT FROM excluded.policies
                    OR NOT services.active",
            )
            .bind(company_id)
            .bind(s.key.as_str())
            .bind(s.name.as_str())
            .bind(Jsonb::of(&s.synonyms))
            .bind(s.category.clone())
            .bind(s.price.map(|p| p.0))
            .bind(i64::from(s.buffer_before))
            .bind(i64::from(s.buffer_after))
            .bind(i64::from(s.minimum_notice))
            .bind(i64::from(s.booking_window_days))
            .bind(i64::from(s.slot_interval))
            .bind(Jsonb::of(&s.segments))
            .bind(Jsonb::of(&s.policies))
            .bind(self.now),
        )
        .await?;
        self.id_of("SELECT id FROM services WHERE company_id = $1 AND key = $2", company_id, s.key.as_str()).await
    }

    async fn branch(&mut self, company_id: i64, b: &BranchSpec) -> Result<i64> {
        let def = &b.def;
        self.execute_counted(
            sqlx::query(
                "INSERT INTO branches (company_id, key, name, address, time_zone, hours, closures, policies, active,
                    created_at, updated_at, email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $9, $10)
                 ON CONFLICT (company_id, key) DO UPDATE SET
                    name = excluded.name, address = excluded.address, email = excluded.email,
                    time_zone = excluded.time_zone,
                    hours = excluded.hours, closures = excluded.closures, policies = excluded.policies,
                    active = TRUE, updated_at = excluded.updated_at
                 WHERE branches.name IS DISTINCT FROM excluded.name
                    OR branches.address IS DISTINCT FROM excluded.address
                    OR branches.email IS DISTINCT FROM excluded.email
                    OR branches.time_zone IS DISTINCT FROM excluded.time_zone
                    OR branches.hours IS DISTINCT FROM excluded.hours
                    OR branches.closures IS DISTINCT FROM excluded.closures
                    OR branches.policies IS DISTINCT FROM excluded.policies
                    OR NOT branches.active",
            )
            .bind(company_id)
            .bind(def.key.as_str())
            .bind(def.name.as_str())
            .bind(def.address.clone())
            .bind(tz_name(&def.time_zone))
            .bind(Jsonb::of(&def.hours))
            .bind(Jsonb::of(&def.closures))
            .bind(Jsonb::of(&def.policies))
            .bind(self.now)
            .bind(def.email.as_ref().map(|e| e.as_str().to_owned())),
        )
        .await?;
        self.id_of("SELECT id FROM branches WHERE company_id = $1 AND key = $2", company_id, def.key.as_str()).await
    }

    async fn numbers(&mut self, spec: &CompanySpec, company_id: i64, branch_id: i64, b: &BranchSpec) -> Result<()> {
        for number in &b.def.phone_numbers {
            let owner = sqlx::query(
                "SELECT c.key AS company, b.key AS branch FROM phone_numbers n
                 JOIN companies c ON c.id = n.company_id JOIN branches b ON b.id = n.branch_id
                 WHERE n.number = $1 AND n.company_id <> $2",
            )
            .bind(number.as_str())
            .bind(company_id)
            .fetch_optional(&mut **self.tx)
            .await
            .map_err(db::<DB>)?;
            if let Some(owner) = owner {
                let message = format!(
                    "{number} is already routed to company `{}`, branch `{}`",
                    owner.col::<String>("company")?,
                    owner.col::<String>("branch")?
                );
                self.problem(spec, format!("branch `{}`", b.def.key), "phone_numbers", message);
                continue;
            }
            self.execute_counted(
                sqlx::query(
                    "INSERT INTO phone_numbers (number, company_id, branch_id) VALUES ($1, $2, $3)
                     ON CONFLICT (number) DO UPDATE SET branch_id = excluded.branch_id
                     WHERE phone_numbers.branch_id IS DISTINCT FROM excluded.branch_id",
                )
                .bind(number.as_str())
                .bind(company_id)
                .bind(branch_id),
            )
            .await?;
        }
        Ok(())
    }

    async fn staff(&mut self, company_id: i64, branch_id: i64, s: &StaffDef) -> Result<i64> {
        self.execute_counted(
            sqlx::query(
                "INSERT INTO staff (company_id, branch_id, key, name, hours, absences, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)
                 ON CONFLICT (company_id, key) DO UPDATE SET
                    branch_id = excluded.branch_id, name = excluded.name, hours = excluded.hours,
                    absences = excluded.absences, active = TRUE, updated_at = excluded.updated_at
                 WHERE staff.branch_id IS DISTINCT FROM excluded.branch_id
                    OR staff.name IS DISTINCT FROM excluded.name
                    OR staff.hours IS DISTINCT FROM excluded.hours
                    OR staff.absences IS DISTINCT FROM excluded.absences
                    OR NOT staff.active",
            )
            .bind(company_id)
            .bind(branch_id)
            .bind(s.key.as_str())
            .bind(s.name.as_str())
            .bind(s.hours.as_ref().map(Jsonb::of))
            .bind(Jsonb::of(&s.absences))
            .bind(self.now),
        )
        .await?;
        self.id_of("SELECT id FROM staff WHERE company_id = $1 AND key = $2", company_id, s.key.as_str()).await
    }

    async fn deactivate_missing<'k>(
        &mut self,
        table: &'static str,
        company_id: i64,
        keep: impl Iterator<Item = &'k Key>,
    ) -> Result<()> {
        let keep: BTreeSet<&str> = keep.map(Key::as_str).collect();
        let (select, update) = match table {
            "services" => (
                "SELECT id, key FROM services WHERE company_id = $1 AND active",
                "UPDATE services SET active = FALSE, updated_at = $2 WHERE id = $1",
            ),
            "branches" => (
                "SELECT id, key FROM branches WHERE company_id = $1 AND active",
                "UPDATE branches SET active = FALSE, updated_at = $2 WHERE id = $1",
            ),
            _ => (
                "SELECT id, key FROM staff WHERE company_id = $1 AND active",
                "UPDATE staff SET active = FALSE, updated_at = $2 WHERE id = $1",
            ),
        };
        let rows = sqlx::query(select).bind(company_id).fetch_all(&mut **self.tx).await.map_err(db::<DB>)?;
        for r in rows {
            if !keep.contains(r.col::<String>("key")?.as_str()) {
                let id: i64 = r.col("id")?;
                self.execute_counted(sqlx::query(update).bind(id).bind(self.now)).await?;
            }
        }
        Ok(())
    }

    async fn staff_services(&mut self, company_id: i64, wanted: &BTreeSet<(i64, i64)>) -> Result<()> {
        let rows = sqlx::query("SELECT staff_id, service_id FROM staff_services WHERE company_id = $1")
            .bind(company_id)
            .fetch_all(&mut **self.tx)
            .await
            .map_err(db::<DB>)?;
        let mut existing = BTreeSet::new();
        for r in rows {
            existing.insert((r.col::<i64>("staff_id")?, r.col::<i64>("service_id")?));
        }
        for (staff, service) in existing.difference(wanted) {
            self.execute_counted(
                sqlx::query("DELETE FROM staff_services WHERE staff_id = $1 AND service_id = $2")
                    .bind(*staff)
                    .bind(*service),
            )
            .await?;
        }
        for (staff, service) in wanted.difference(&existing) {
            self.execute_counted(
                sqlx::query("INSERT INTO staff_services (company_id, staff_id, service_id) VALUES ($1, $2, $3)")
                    .bind(company_id)
                    .bind(*staff)
                    .bind(*service),
            )
            .await?;
        }
        Ok(())
    }
}
}

fn tz_name(tz: &TimeZone) -> &str {
    tz.iana_name().unwrap_or("UTC")
}
