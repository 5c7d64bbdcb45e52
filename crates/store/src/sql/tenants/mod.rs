//! Tenant configuration: loading the directory, and importing tenant files ([`import`]: one
//! transaction that creates, updates or deactivates every row the file describes).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use frontdesk_domain::directory::{CalcomLink, CompanyEntry, Directory};
use frontdesk_domain::ids::{BranchId, CompanyId, ServiceId, StaffId};
use frontdesk_domain::locale::Locale;
use frontdesk_domain::money::{Cents, Currency};
use frontdesk_domain::phone::E164;
use frontdesk_domain::tenant::{
    Branch, BranchDef, Company, CompanyDef, Email, Key, SegmentDef, Service, ServiceDef, Staff, StaffDef,
};
use frontdesk_domain::tenant_file::TenantSpec;
use frontdesk_domain::time::{DateSpan, WeeklyHours};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

mod import;

use import::Import;

use super::{RowExt, SqlStore, SqlTx, db, parse_json};
use crate::backend::Jsonb;
use crate::{ImportReport, Result, StoreError, Tenants, TenantsTx};

for_backends! {
#[async_trait]
impl [TenantsTx for SqlTx<DB>] {
    async fn import_tenants(&mut self, spec: &TenantSpec, now: Timestamp) -> Result<ImportReport> {
        Import::new(&mut self.tx, now).run(spec).await
    }
}
}

for_backends! {
#[async_trait]
impl [Tenants for SqlStore<DB>] {
    async fn import_tenants(&self, spec: &TenantSpec, now: Timestamp) -> Result<ImportReport> {
        let spec = spec.clone();
        self.on_lane(move |writer| async move {
        let mut tx = writer.begin_with(DB::BEGIN_WRITE).await.map_err(db::<DB>)?;
        // A rejected file returns early: dropping the transaction rolls it back.
        let report = Import::new(&mut tx, now).run(&spec).await?;
        tx.commit().await.map_err(db::<DB>)?;
        Ok(report)
        })
        .await
    }

    async fn config_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM config_version WHERE id = 1")
            .fetch_one(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.col("version")
    }

    async fn has_tenants(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM companies").fetch_one(&self.reader).await.map_err(db::<DB>)?;
        Ok(row.col::<i64>("n")? > 0)
    }

    async fn load_directory(&self) -> Result<Directory> {
        let mut conn = self.reader.acquire().await.map_err(db::<DB>)?;
        // Read the version first: a concurrent import can only make the snapshot newer than it
        // claims, so the next version check reloads rather than missing a change.
        let version: i64 = sqlx::query("SELECT version FROM config_version WHERE id = 1")
            .fetch_one(&mut *conn)
            .await
            .map_err(db::<DB>)?
            .col("version")?;

        let mut entries = BTreeMap::new();
        let rows =
            sqlx::query("SELECT id, key, name, locale, time_zone, currency, policies, notifications FROM companies ORDER BY id")
                .fetch_all(&mut *conn)
                .await
                .map_err(db::<DB>)?;
        for r in rows {
            let id = CompanyId(r.col("id")?);
            let currency: String = r.col("currency")?;
            let def = CompanyDef {
                key: key(r.col("key")?)?,
                name: r.col("name")?,
                locale: Locale::parse(&r.col::<String>("locale")?).map_err(|e| StoreError::corrupt("locale", e))?,
                time_zone: time_zone(&r.col::<String>("time_zone")?)?,
                currency: match currency.as_str() {
                    "USD" => Currency::Usd,
                    "EUR" => Currency::Eur,
                    other => return Err(StoreError::corrupt("currency", other)),
                },
                policies: parse_json("policies", &r.col("policies")?)?,
                notifications: parse_json("notifications", &r.col("notifications")?)?,
            };
            entries.insert(
                id,
                CompanyEntry {
                    company: Company { id, def },
                    branches: Vec::new(),
                    services: Vec::new(),
                    staff: Vec::new(),
                    calcom: None,
                },
            );
        }

        let mut numbers: HashMap<BranchId, Vec<E164>> = HashMap::new();
        for r in sqlx::query("SELECT number, branch_id FROM phone_numbers ORDER BY number")
            .fetch_all(&mut *conn)
            .await
            .map_err(db::<DB>)?
        {
            let number =
                E164::parse_strict(&r.col::<String>("number")?).map_err(|e| StoreError::corrupt("number", e))?;
            numbers.entry(BranchId(r.col("branch_id")?)).or_default().push(number);
        }

        for r in sqlx::query(
            "SELECT id, company_id, key, name, address, email, time_zone, hours, closures, policies
             FROM branches WHERE active ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db::<DB>)?
        {
            let id = BranchId(r.col("id")?);
            let company_id = CompanyId(r.col("company_id")?);
            let def = BranchDef {
                key: key(r.col("key")?)?,
                name: r.col("name")?,
                address: r.col("address")?,
                email: r.col::<Option<String>>("email")?.as_deref().and_then(Email::parse),
                time_zone: time_zone(&r.col::<String>("time_zone")?)?,
                hours: parse_json("hours", &r.col("hours")?)?,
                closures: parse_json::<Vec<Date>>("closures", &r.col("closures")?)?,
                phone_numbers: numbers.remove(&id).unwrap_or_default(),
                policies: parse_json("policies", &r.col("policies")?)?,
            };
            if let Some(entry) = entries.get_mut(&company_id) {
                entry.branches.push(Branch { id, company_id, def });
            }
        }

        let mut service_keys: HashMap<ServiceId, Key> = HashMap::new();
        for r in sqlx::query(
            "SELECT id, company_id, key, name, synonyms, category, price_cents, buffer_before, buffer_after,
                    minimum_notice, booking_window_days, slot_interval, segments, policies
             FROM services WHERE active ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db::<DB>)?
        {
            let id = ServiceId(r.col("id")?);
            let company_id = CompanyId(r.col("company_id")?);
            let def = ServiceDef {
                key: key(r.col("key")?)?,
                name: r.col("name")?,
                synonyms: parse_json("synonyms", &r.col("synonyms")?)?,
                category: r.col("category")?,
                price: r.col::<Option<i64>>("price_cents")?.map(Cents),
                buffer_before: minutes(r.col("buffer_before")?)?,
                buffer_after: minutes(r.col("buffer_after")?)?,
                minimum_notice: minutes(r.col("minimum_notice")?)?,
                booking_window_days: minutes(r.col("booking_window_days")?)?,
                slot_interval: minutes(r.col("slot_interval")?)?,
                segments: parse_json::<Vec<SegmentDef>>("segments", &r.col("segments")?)?,
                policies: parse_json("policies", &r.col("policies")?)?,
            };
            service_keys.insert(id, def.key.clone());
            if let Some(entry) = entries.get_mut(&company_id) {
                entry.services.push(Service { id, company_id, def });
            }
        }

        let mut performs: HashMap<StaffId, Vec<ServiceId>> = HashMap::new();
        for r in sqlx::query("SELECT staff_id, service_id FROM staff_services ORDER BY service_id")
            .fetch_all(&mut *conn)
            .await
            .map_err(db::<DB>)?
        {
            let service = ServiceId(r.col("service_id")?);
            if service_keys.contains_key(&service) {
                performs.entry(StaffId(r.col("staff_id")?)).or_default().push(service);
            }
        }

        for r in sqlx::query(
            "SELECT id, company_id, branch_id, key, name, hours, absences FROM staff WHERE active ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db::<DB>)?
        {
            let id = StaffId(r.col("id")?);
            let company_id = CompanyId(r.col("company_id")?);
            let service_ids = performs.remove(&id).unwrap_or_default();
            let hours = match r.col::<Option<Jsonb>>("hours")? {
                Some(h) => Some(parse_json::<WeeklyHours>("hours", &h)?),
                None => None,
            };
            let def = StaffDef {
                key: key(r.col("key")?)?,
                name: r.col("name")?,
                hours,
                absences: parse_json::<Vec<DateSpan>>("absences", &r.col("absences")?)?,
                services: service_ids.iter().filter_map(|s| service_keys.get(s).cloned()).collect(),
            };
            if let Some(entry) = entries.get_mut(&company_id) {
                entry.staff.push(Staff { id, company_id, branch_id: BranchId(r.col("branch_id")?), def, service_ids });
            }
        }
        for r in sqlx::query("SELECT company_id, event_types, users, staff_event_types FROM calcom_connections")
            .fetch_all(&mut *conn)
            .await
            .map_err(db::<DB>)?
        {
            let Some(entry) = entries.get_mut(&CompanyId(r.col("company_id")?)) else { continue };
            let event_types: BTreeMap<String, i64> = parse_json("event_types", &r.col("event_types")?)?;
            let users: BTreeMap<String, i64> = parse_json("users", &r.col("users")?)?;
            let per_staff: BTreeMap<String, i64> = parse_json("staff_event_types", &r.col("staff_event_types")?)?;
            let staff_event_types = per_staff
                .iter()
                .filter_map(|(k, id)| {
                    let (staff, service) = k.split_once('/')?;
                    let staff = entry.staff.iter().find(|s| s.def.key.as_str() == staff)?;
                    let service = entry.services.iter().find(|s| s.def.key.as_str() == service)?;
                    Some(((staff.id, service.id), *id))
                })
                .collect();
            let link = CalcomLink {
                staff_event_types,
                event_types: event_types
                    .iter()
                    .filter_map(|(k, id)| entry.services.iter().find(|s| s.def.key.as_str() == k).map(|s| (s.id, *id)))
                    .collect(),
                users: users
                    .iter()
                    .filter_map(|(k, id)| entry.staff.iter().find(|s| s.def.key.as_str() == k).map(|s| (s.id, *id)))
                    .collect(),
            };
            entry.calcom = Some(link);
        }
        Ok(Directory::new(entries.into_values().collect(), version))
    }
}
}

fn key(raw: String) -> Result<Key> {
    Key::parse(&raw).ok_or_else(|| StoreError::corrupt("key", raw))
}

fn time_zone(name: &str) -> Result<TimeZone> {
    TimeZone::get(name).map_err(|e| StoreError::corrupt("time_zone", e))
}

fn minutes(raw: i64) -> Result<u32> {
    u32::try_from(raw).map_err(|e| StoreError::corrupt("minutes", e))
}
