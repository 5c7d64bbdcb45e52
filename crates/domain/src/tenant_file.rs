//! Reading and validating tenant files (`fixtures/demo-tenant.toml` is the reference).
//!
//! Parsing is deliberately loose (numbers as `i64`, times as strings) so that validation, not the
//! TOML deserializer, produces the errors: every error names the company, the entity key and the
//! field, and all errors of a file are reported at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::locale::Locale;
use crate::money::{Cents, Currency};
use crate::phone::E164;
use crate::tenant::{
    AnonymousPatch, BranchDef, CancellationPatch, CompanyDef, CustomerDef, Email, Key, PolicyPatch, ReschedulePatch,
    SegmentDef, ServiceDef, StaffDef,
};
use crate::time::{DateSpan, DayHours, OpenInterval, WEEKDAY_KEYS, WeeklyHours};

/// A validated tenant file: everything needed to create or update its companies.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantSpec {
    /// The companies, in file order.
    pub companies: Vec<CompanySpec>,
}

/// One company of a tenant file with everything it owns.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanySpec {
    /// The company itself.
    pub def: CompanyDef,
    /// Its services.
    pub services: Vec<ServiceDef>,
    /// Its branches, each with its staff.
    pub branches: Vec<BranchSpec>,
    /// Known customers.
    pub customers: Vec<CustomerDef>,
    /// Cal.com connection, if the company mirrors its calendar there.
    pub calcom: Option<CalcomDef>,
}

/// A branch with its staff.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchSpec {
    /// The branch.
    pub def: BranchDef,
    /// Staff working there.
    pub staff: Vec<StaffDef>,
}

/// A company's Cal.com connection.
#[derive(Clone, PartialEq, Eq)]
pub struct CalcomDef {
    /// API base, e.g. `https://api.cal.com/v2`.
    pub base_url: String,
    /// API key (secret).
    pub api_key: String,
    /// Secret for `X-Cal-Signature-256` (secret).
    pub webhook_secret: String,
    /// Service key → Cal.com event type id.
    pub event_types: BTreeMap<Key, i64>,
    /// Staff key → Cal.com user id.
    pub users: BTreeMap<Key, i64>,
}

impl fmt::Debug for CalcomDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalcomDef")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("event_types", &self.event_types)
            .field("users", &self.users)
            .finish()
    }
}

/// One problem in a tenant file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The company's key (or its position if the key itself is bad).
    pub company: String,
    /// The entity within the company, e.g. ``service `faerben` ``; empty for the company itself.
    pub entity: String,
    /// The field, e.g. `duration`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "company `{}`", self.company)?;
        if !self.entity.is_empty() {
            write!(f, ", {}", self.entity)?;
        }
        write!(f, ", field `{}`: {}", self.field, self.message)
    }
}

/// Why a tenant file was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TenantFileError {
    /// Not valid TOML, or not the tenant file's shape (unknown keys, wrong types).
    #[error("tenant file is not valid: {0}")]
    Syntax(String),
    /// Valid shape, invalid content.
    #[error("tenant file is invalid:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl TenantFileError {
    /// The individual problems (empty for syntax errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Syntax(_) => &[],
            Self::Invalid(p) => p,
        }
    }
}

/// Parses and validates a tenant file.
pub fn parse(text: &str) -> Result<TenantSpec, TenantFileError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| TenantFileError::Syntax(e.to_string()))?;
    let mut problems = Vec::new();
    let mut numbers_seen: HashMap<E164, String> = HashMap::new();
    let mut keys_seen = HashSet::new();
    let mut companies = Vec::new();
    for (index, company) in raw.company.into_iter().enumerate() {
        let mut v = Validator { company: company_label(&company.key, index), problems: &mut problems };
        if !keys_seen.insert(company.key.clone()) {
            v.problem("", "key", format!("company `{}` appears twice", company.key));
        }
        if let Some(spec) = v.company(company, &mut numbers_seen) {
            companies.push(spec);
        }
    }
    if problems.is_empty() { Ok(TenantSpec { companies }) } else { Err(TenantFileError::Invalid(problems)) }
}

fn company_label(key: &str, index: usize) -> String {
    if key.is_empty() { format!("#{}", index + 1) } else { key.to_owned() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    company: Vec<RawCompany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompany {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    timezone: String,
    currency: Option<String>,
    #[serde(default)]
    policies: RawPolicies,
    #[serde(default)]
    service: Vec<RawService>,
    #[serde(default)]
    branch: Vec<RawBranch>,
    #[serde(default)]
    customer: Vec<RawCustomer>,
    calcom: Option<RawCalcom>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicies {
    #[serde(default)]
    cancellation: RawCancellation,
    #[serde(default)]
    reschedule: RawReschedule,
    #[serde(default)]
    anonymous_callers: AnonymousPatch,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCancellation {
    hours_before: Option<i64>,
    max_per_month: Option<i64>,
    fee_cents_if_late: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReschedule {
    hours_before: Option<i64>,
    max_per_appointment: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    synonyms: Vec<String>,
    category: Option<String>,
    duration: Option<i64>,
    price_cents: Option<i64>,
    buffer_before: Option<i64>,
    buffer_after: Option<i64>,
    minimum_notice: Option<i64>,
    booking_window_days: Option<i64>,
    slot_interval: Option<i64>,
    segments: Option<Vec<RawSegment>>,
    #[serde(default)]
    policies: RawPolicies,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    #[serde(default)]
    name: String,
    duration: i64,
    #[serde(default = "yes")]
    staff_busy: bool,
}

fn yes() -> bool {
    true
}

type RawHours = BTreeMap<String, Vec<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    address: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    phone_numbers: Vec<String>,
    #[serde(default)]
    closures: Vec<String>,
    #[serde(default)]
    hours: RawHours,
    #[serde(default)]
    staff: Vec<RawStaff>,
    #[serde(default)]
    policies: RawPolicies,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaff {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    services: Vec<String>,
    hours: Option<RawHours>,
    #[serde(default)]
    absences: Vec<RawAbsence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAbsence {
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalcom {
    #[serde(default = "default_calcom_url")]
    base_url: String,
    api_key: Option<String>,
    api_key_env: Option<String>,
    webhook_secret: Option<String>,
    webhook_secret_env: Option<String>,
    #[serde(default)]
    event_types: BTreeMap<String, i64>,
    #[serde(default)]
    users: BTreeMap<String, i64>,
}

fn default_calcom_url() -> String {
    "https://api.cal.com/v2".to_owned()
}

/// Upper bounds that catch typos (a duration of 3000 minutes) without limiting real use.
const MAX_DURATION_MIN: i64 = 12 * 60;
const MAX_BUFFER_MIN: i64 = 4 * 60;
const MAX_NOTICE_MIN: i64 = 90 * 24 * 60;
const MAX_WINDOW_DAYS: i64 = 2 * 365;
const MAX_POLICY_HOURS: i64 = 90 * 24;
const MAX_COUNT: i64 = 1000;

struct Validator<'a> {
    company: String,
    problems: &'a mut Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, entity: &str, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            company: self.company.clone(),
            entity: entity.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn key(&mut self, entity: &str, raw: &str) -> Option<Key> {
        let key = Key::parse(raw);
        if key.is_none() {
            self.problem(entity, "key", format!("`{raw}` is not a valid key (lowercase letters, digits, - and _)"));
        }
        key
    }

    fn non_empty(&mut self, entity: &str, field: &str, raw: &str) -> String {
        let s = raw.trim();
        if s.is_empty() {
            self.problem(entity, field, "must not be empty");
        }
        s.to_owned()
    }

    fn bounded(&mut self, entity: &str, field: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> u32 {
        let v = value.unwrap_or(default);
        if v < min || v > max {
            let what = if v < 0 { "must not be negative" } else { "is out of range" };
            self.problem(entity, field, format!("{what} (got {v}, allowed {min}..={max})"));
            return default as u32;
        }
        v as u32
    }

    fn time_zone(&mut self, entity: &str, name: &str) -> Option<TimeZone> {
        match TimeZone::get(name) {
            Ok(tz) if !name.is_empty() => Some(tz),
            _ => {
                self.problem(
                    entity,
                    "timezone",
                    format!("unknown time zone `{name}` (use an IANA name such as Europe/Berlin)"),
                );
                None
            }
        }
    }

    fn date(&mut self, entity: &str, field: &str, raw: &str) -> Option<Date> {
        let parsed = raw.parse::<Date>().ok().filter(|_| raw.len() == 10);
        if parsed.is_none() {
            self.problem(entity, field, format!("`{raw}` is not a date (YYYY-MM-DD)"));
        }
        parsed
    }

    fn hours(&mut self, entity: &str, field: &str, raw: &RawHours) -> WeeklyHours {
        let mut days: [DayHours; 7] = Default::default();
        for (day, intervals) in raw {
            let Some(i) = WEEKDAY_KEYS.iter().position(|k| k == day) else {
                self.problem(
                    entity,
                    &format!("{field}.{day}"),
                    "unknown weekday (use mon, tue, wed, thu, fri, sat, sun)",
                );
                continue;
            };
            let mut parsed = Vec::new();
            for s in intervals {
                match OpenInterval::parse(s) {
                    Some(iv) => parsed.push(iv),
                    None => self.problem(
                        entity,
                        &format!("{field}.{day}"),
                        format!("`{s}` is not an interval HH:MM-HH:MM within 00:00-24:00 that ends after it starts"),
                    ),
                }
            }
            match DayHours::new(parsed) {
                Ok(h) => days[i] = h,
                Err(e) => self.problem(entity, &format!("{field}.{day}"), e.to_string()),
            }
        }
        WeeklyHours::new(days)
    }

    fn policies(&mut self, entity: &str, raw: RawPolicies) -> PolicyPatch {
        let count = |v: &mut Self, field: &str, value: Option<i64>, max: i64| {
            value.map(|x| v.bounded(entity, &format!("policies.{field}"), Some(x), 0, 0, max))
        };
        PolicyPatch {
            cancellation: CancellationPatch {
                hours_before: count(self, "cancellation.hours_before", raw.cancellation.hours_before, MAX_POLICY_HOURS),
                max_per_month: count(self, "cancellation.max_per_month", raw.cancellation.max_per_month, MAX_COUNT),
                fee_cents_if_late: count(
                    self,
                    "cancellation.fee_cents_if_late",
                    raw.cancellation.fee_cents_if_late,
                    i64::from(u32::MAX),
                ),
            },
            reschedule: ReschedulePatch {
                hours_before: count(self, "reschedule.hours_before", raw.reschedule.hours_before, MAX_POLICY_HOURS),
                max_per_appointment: count(
                    self,
                    "reschedule.max_per_appointment",
                    raw.reschedule.max_per_appointment,
                    MAX_COUNT,
                ),
            },
            anonymous_callers: raw.anonymous_callers,
        }
    }

    fn company(&mut self, raw: RawCompany, numbers_seen: &mut HashMap<E164, String>) -> Option<CompanySpec> {
        let key = self.key("", &raw.key);
        let name = self.non_empty("", "name", &raw.name);
        let locale = match Locale::parse(&raw.locale) {
            Ok(l) => Some(l),
            Err(e) => {
                self.problem("", "locale", e.to_string());
                None
            }
        };
        let time_zone = self.time_zone("", &raw.timezone);
        let currency = match raw.currency.as_deref() {
            None => locale.as_ref().map(Locale::default_currency),
            Some("EUR") => Some(Currency::Eur),
            Some("USD") => Some(Currency::Usd),
            Some(other) => {
                self.problem("", "currency", format!("unsupported currency `{other}` (EUR, USD)"));
                None
            }
        };
        let policies = self.policies("", raw.policies);

        let mut service_keys = HashSet::new();
        let mut services = Vec::new();
        for s in raw.service {
            let entity = format!("service `{}`", s.key);
            if !service_keys.insert(s.key.clone()) {
                self.problem(&entity, "key", "appears twice");
            }
            services.extend(self.service(&entity, s));
        }

        let mut branch_keys = HashSet::new();
        let mut staff_keys = HashSet::new();
        let mut branches = Vec::new();
        for b in raw.branch {
            let entity = format!("branch `{}`", b.key);
            if !branch_keys.insert(b.key.clone()) {
                self.problem(&entity, "key", "appears twice");
            }
            let fallback_tz = time_zone.clone();
            branches.extend(self.branch(&entity, b, fallback_tz, &service_keys, &mut staff_keys, numbers_seen));
        }

        let mut phones = HashSet::new();
        let mut customers = Vec::new();
        for (i, c) in raw.customer.into_iter().enumerate() {
            let entity = format!("customer #{}", i + 1);
            let name = self.non_empty(&entity, "name", &c.name);
            let phone = match E164::parse_strict(&c.phone) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.problem(&entity, "phone", e.to_string());
                    None
                }
            };
            let email = match c.email.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(raw) => {
                    let e = Email::parse(raw);
                    if e.is_none() {
                        self.problem(&entity, "email", format!("`{raw}` is not an e-mail address"));
                    }
                    e
                }
            };
            if let Some(phone) = phone {
                if !phones.insert(phone.clone()) {
                    self.problem(&entity, "phone", format!("{phone} belongs to another customer of this company"));
                }
                customers.push(CustomerDef { name, phone, email });
            }
        }

        let calcom = raw.calcom.and_then(|c| self.calcom(c, &service_keys, &staff_keys));

        Some(CompanySpec {
            def: CompanyDef { key: key?, name, locale: locale?, time_zone: time_zone?, currency: currency?, policies },
            services,
            branches,
            customers,
            calcom,
        })
    }

    fn service(&mut self, entity: &str, raw: RawService) -> Option<ServiceDef> {
        let key = self.key(entity, &raw.key);
        let name = self.non_empty(entity, "name", &raw.name);
        let segments = match raw.segments {
            Some(segments) if !segments.is_empty() => {
                let mut out = Vec::new();
                for (i, s) in segments.into_iter().enumerate() {
                    let field = format!("segments[{i}].duration");
                    let duration = self.bounded(entity, &field, Some(s.duration), 1, 1, MAX_DURATION_MIN);
                    let seg_name =
                        if s.name.trim().is_empty() { format!("{} {}", name, i + 1) } else { s.name.trim().to_owned() };
                    out.push(SegmentDef { name: seg_name, duration, staff_busy: s.staff_busy });
                }
                let total: i64 = out.iter().map(|s| i64::from(s.duration)).sum();
                if let Some(d) = raw.duration.filter(|d| *d != total) {
                    self.problem(entity, "duration", format!("is {d} but the segments add up to {total}"));
                }
                if !out.iter().any(|s| s.staff_busy) {
                    self.problem(entity, "segments", "at least one segment must occupy the staff member");
                }
                out
            }
            Some(_) => {
                self.problem(entity, "segments", "must not be empty");
                Vec::new()
            }
            None => match raw.duration {
                None => {
                    self.problem(entity, "duration", "is required (or give segments)");
                    Vec::new()
                }
                Some(d) => {
                    let duration = self.bounded(entity, "duration", Some(d), 1, 1, MAX_DURATION_MIN);
                    vec![SegmentDef { name: name.clone(), duration, staff_busy: true }]
                }
            },
        };
        let price = match raw.price_cents {
            Some(p) if p < 0 => {
                self.problem(entity, "price_cents", format!("must not be negative (got {p})"));
                None
            }
            p => p.map(Cents),
        };
        let def = ServiceDef {
            key: key?,
            name,
            synonyms: raw.synonyms.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
            category: raw.category.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
            price,
            buffer_before: self.bounded(entity, "buffer_before", raw.buffer_before, 0, 0, MAX_BUFFER_MIN),
            buffer_after: self.bounded(entity, "buffer_after", raw.buffer_after, 0, 0, MAX_BUFFER_MIN),
            minimum_notice: self.bounded(entity, "minimum_notice", raw.minimum_notice, 0, 0, MAX_NOTICE_MIN),
            booking_window_days: self.bounded(
                entity,
                "booking_window_days",
                raw.booking_window_days,
                60,
                1,
                MAX_WINDOW_DAYS,
            ),
            slot_interval: self.bounded(
                entity,
                "slot_interval",
                raw.slot_interval,
                i64::from(ServiceDef::DEFAULT_SLOT_INTERVAL),
                5,
                240,
            ),
            segments,
            policies: self.policies(entity, raw.policies),
        };
        (!def.segments.is_empty()).then_some(def)
    }

    fn branch(
        &mut self,
        entity: &str,
        raw: RawBranch,
        company_tz: Option<TimeZone>,
        service_keys: &HashSet<String>,
        staff_keys: &mut HashSet<String>,
        numbers_seen: &mut HashMap<E164, String>,
    ) -> Option<BranchSpec> {
        let key = self.key(entity, &raw.key);
        let name = self.non_empty(entity, "name", &raw.name);
        let time_zone = match raw.timezone.as_deref() {
            Some(tz) => self.time_zone(entity, tz),
            None => company_tz,
        };
        let hours = self.hours(entity, "hours", &raw.hours);
        let closures = raw.closures.iter().filter_map(|d| self.date(entity, "closures", d)).collect();
        let mut phone_numbers = Vec::new();
        for raw_number in &raw.phone_numbers {
            match E164::parse_strict(raw_number) {
                Ok(n) => {
                    let here = format!("{} {}", self.company, entity);
                    if let Some(other) = numbers_seen.insert(n.clone(), here) {
                        self.problem(entity, "phone_numbers", format!("{n} is already routed to {other}"));
                    } else {
                        phone_numbers.push(n);
                    }
                }
                Err(e) => self.problem(entity, "phone_numbers", e.to_string()),
            }
        }
        let mut staff = Vec::new();
        for s in raw.staff {
            let staff_entity = format!("{entity}, staff `{}`", s.key);
            if !staff_keys.insert(s.key.clone()) {
                self.problem(&staff_entity, "key", "appears twice in this company");
            }
            staff.extend(self.staff(&staff_entity, s, service_keys));
        }
        let policies = self.policies(entity, raw.policies);
        Some(BranchSpec {
            def: BranchDef {
                key: key?,
                name,
                address: raw.address.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
                time_zone: time_zone?,
                hours,
                closures,
                phone_numbers,
                policies,
            },
            staff,
        })
    }

    fn staff(&mut self, entity: &str, raw: RawStaff, service_keys: &HashSet<String>) -> Option<StaffDef> {
        let key = self.key(entity, &raw.key);
        let name = self.non_empty(entity, "name", &raw.name);
        let mut services = Vec::new();
        for s in &raw.services {
            if service_keys.contains(s) {
                services.extend(Key::parse(s));
            } else {
                self.problem(entity, "services", format!("unknown service `{s}`"));
            }
        }
        let hours = raw.hours.as_ref().map(|h| self.hours(entity, "hours", h));
        let mut absences = Vec::new();
        for (i, a) in raw.absences.iter().enumerate() {
            let field = format!("absences[{i}]");
            let (from, to) = (self.date(entity, &field, &a.from), self.date(entity, &field, &a.to));
            if let (Some(from), Some(to)) = (from, to) {
                match DateSpan::new(from, to) {
                    Some(span) => absences.push(span),
                    None => self.problem(entity, &field, format!("ends ({to}) before it starts ({from})")),
                }
            }
        }
        Some(StaffDef { key: key?, name, hours, absences, services })
    }

    fn calcom(
        &mut self,
        raw: RawCalcom,
        service_keys: &HashSet<String>,
        staff_keys: &HashSet<String>,
    ) -> Option<CalcomDef> {
        let entity = "calcom";
        let secret = |v: &mut Self, field: &str, value: Option<String>, env: Option<String>| -> Option<String> {
            match (value, env) {
                (Some(v), None) if !v.is_empty() => Some(v),
                (None, Some(var)) => match std::env::var(&var) {
                    Ok(v) if !v.is_empty() => Some(v),
                    _ => {
                        v.problem(entity, &format!("{field}_env"), format!("environment variable `{var}` is not set"));
                        None
                    }
                },
                _ => {
                    v.problem(entity, field, format!("give exactly one of `{field}` and `{field}_env`"));
                    None
                }
            }
        };
        let api_key = secret(self, "api_key", raw.api_key, raw.api_key_env);
        let webhook_secret = secret(self, "webhook_secret", raw.webhook_secret, raw.webhook_secret_env);
        if !(raw.base_url.starts_with("http://") || raw.base_url.starts_with("https://")) {
            self.problem(entity, "base_url", format!("`{}` is not an http(s) URL", raw.base_url));
        }
        let mut event_types = BTreeMap::new();
        for (k, id) in raw.event_types {
            match Key::parse(&k).filter(|_| service_keys.contains(&k)) {
                Some(key) => {
                    event_types.insert(key, id);
                }
                None => self.problem(entity, "event_types", format!("unknown service `{k}`")),
            }
        }
        let mut users = BTreeMap::new();
        for (k, id) in raw.users {
            match Key::parse(&k).filter(|_| staff_keys.contains(&k)) {
                Some(key) => {
                    users.insert(key, id);
                }
                None => self.problem(entity, "users", format!("unknown staff `{k}`")),
            }
        }
        Some(CalcomDef {
            base_url: raw.base_url.trim_end_matches('/').to_owned(),
            api_key: api_key?,
            webhook_secret: webhook_secret?,
            event_types,
            users,
        })
    }
}

/// The demo tenants (`fixtures/demo-tenant.toml`), embedded so that `serve --demo` needs no files.
pub const DEMO_TENANTS: &str = include_str!("../../../fixtures/demo-tenant.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_file_is_valid() {
        let spec = parse(DEMO_TENANTS).unwrap();
        assert_eq!(spec.companies.len(), 2);
        let friseur = &spec.companies[0];
        assert_eq!(friseur.def.key.as_str(), "friseur1");
        assert_eq!(friseur.services.len(), 5);
        let faerben = friseur.services.iter().find(|s| s.key.as_str() == "faerben").unwrap();
        assert_eq!(faerben.duration(), 90);
        assert!(!faerben.segments[1].staff_busy);
        assert_eq!(friseur.branches[0].staff.len(), 3);
        assert_eq!(friseur.branches[0].def.phone_numbers.len(), 2);
        assert_eq!(spec.companies[1].def.currency, Currency::Usd);
    }

    fn problems_of(text: &str) -> Vec<String> {
        match parse(text) {
            Err(TenantFileError::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    const BASE: &str = r#"
[[company]]
key = "acme"
name = "Acme"
locale = "en-US"
timezone = "America/New_York"
[[company.service]]
key = "cut"
name = "Cut"
duration = 30
[[company.branch]]
key = "main"
name = "Main"
phone_numbers = ["+12125550100"]
[company.branch.hours]
mon = ["09:00-17:00"]
[[company.branch.staff]]
key = "sam"
name = "Sam"
services = ["cut"]
"#;

    #[test]
    fn base_is_valid() {
        assert!(parse(BASE).is_ok());
    }

    #[test]
    fn each_problem_names_company_entity_and_field() {
        let cases = [
            (
                ("America/New_York", "Mars/Olympus"),
                "company `acme`, field `timezone`: unknown time zone `Mars/Olympus`",
            ),
            (
                ("+12125550100", "12125550100"),
                "company `acme`, branch `main`, field `phone_numbers`: `12125550100` is not an E.164 number",
            ),
            (
                ("services = [\"cut\"]", "services = [\"perm\"]"),
                "company `acme`, branch `main`, staff `sam`, field `services`: unknown service `perm`",
            ),
            (
                ("09:00-17:00", "09:00-25:00"),
                "company `acme`, branch `main`, field `hours.mon`: `09:00-25:00` is not an interval",
            ),
            (
                ("mon = [\"09:00-17:00\"]", "mon = [\"09:00-13:00\", \"12:00-17:00\"]"),
                "company `acme`, branch `main`, field `hours.mon`: intervals 09:00-13:00 and 12:00-17:00 overlap",
            ),
            (
                ("duration = 30", "duration = -5"),
                "company `acme`, service `cut`, field `duration`: must not be negative (got -5",
            ),
            (
                ("locale = \"en-US\"", "locale = \"fr-FR\""),
                "company `acme`, field `locale`: unsupported locale `fr-FR`",
            ),
        ];
        for ((from, to), expected) in cases {
            let problems = problems_of(&BASE.replace(from, to));
            assert!(problems.iter().any(|p| p.starts_with(expected)), "{expected}\n got {problems:?}");
        }
    }

    #[test]
    fn a_number_routed_twice_is_rejected() {
        let twice = format!(
            "{BASE}\n[[company.branch]]\nkey = \"second\"\nname = \"Second\"\nphone_numbers = [\"+12125550100\"]\n"
        );
        let problems = problems_of(&twice);
        assert!(
            problems.iter().any(|p| p.contains(
                "branch `second`, field `phone_numbers`: +12125550100 is already routed to acme branch `main`"
            )),
            "{problems:?}"
        );
    }

    #[test]
    fn unknown_fields_are_syntax_errors() {
        let err = parse(&BASE.replace("duration = 30", "durration = 30")).unwrap_err();
        assert!(matches!(err, TenantFileError::Syntax(ref m) if m.contains("durration")), "{err}");
    }

    #[test]
    fn segments_must_agree_with_duration() {
        let text = BASE.replace(
            "duration = 30",
            "duration = 50\nsegments = [{ name = \"a\", duration = 30 }, { name = \"b\", duration = 30, staff_busy = false }]",
        );
        let problems = problems_of(&text);
        assert!(
            problems.iter().any(|p| p.contains("field `duration`: is 50 but the segments add up to 60")),
            "{problems:?}"
        );
    }
}
