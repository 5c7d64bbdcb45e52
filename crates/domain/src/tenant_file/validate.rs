//! Validation: from the raw shape to definitions, naming company, entity and field for every
//! problem, and reporting all of them at once.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::raw::*;
use super::{BranchSpec, CalcomDef, CompanySpec, Problem, Secret};
use crate::locale::Locale;
use crate::money::{Cents, Currency};
use crate::phone::E164;
use crate::tenant::{
    BranchDef, CancellationPatch, CompanyDef, CustomerDef, Email, Key, NotificationSettings, PolicyPatch,
    ReschedulePatch, SegmentDef, ServiceDef, StaffDef,
};
use crate::time::{DateSpan, DayHours, OpenInterval, WEEKDAY_KEYS, WeeklyHours};

/// Upper bounds that catch typos (a duration of 3000 minutes) without limiting real use.
const MAX_DURATION_MIN: i64 = 12 * 60;
const MAX_BUFFER_MIN: i64 = 4 * 60;
const MAX_NOTICE_MIN: i64 = 90 * 24 * 60;
const MAX_WINDOW_DAYS: i64 = 2 * 365;
const MAX_POLICY_HOURS: i64 = 90 * 24;
const MAX_COUNT: i64 = 1000;

/// Collects every problem of one company while turning its raw shape into definitions.
pub(super) struct Validator<'a> {
    pub(super) company: String,
    pub(super) problems: &'a mut Vec<Problem>,
}

impl Validator<'_> {
    pub(super) fn problem(&mut self, entity: &str, field: &str, message: impl Into<String>) {
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

    pub(super) fn company(&mut self, raw: RawCompany, numbers_seen: &mut HashMap<E164, String>) -> Option<CompanySpec> {
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
            let email = self.email(&entity, "email", c.email.as_deref());
            let salutation = c.salutation.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            if salutation.as_ref().is_some_and(|s| s.chars().count() > 20 || s.chars().any(|c| c.is_ascii_digit())) {
                self.problem(
                    &entity,
                    "salutation",
                    "a salutation is a short title such as \"Frau\" or \"Mr.\"".to_owned(),
                );
            }
            if let Some(phone) = phone {
                if !phones.insert(phone.clone()) {
                    self.problem(&entity, "phone", format!("{phone} belongs to another customer of this company"));
                }
                customers.push(CustomerDef { name, phone, email, salutation });
            }
        }

        let calcom = raw.calcom.and_then(|c| self.calcom(c, &service_keys, &staff_keys));
        let notifications = self.notifications(raw.notifications.unwrap_or_default());

        Some(CompanySpec {
            def: CompanyDef {
                key: key?,
                name,
                locale: locale?,
                time_zone: time_zone?,
                currency: currency?,
                policies,
                notifications,
            },
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
                email: self.email(entity, "email", raw.email.as_deref()),
                time_zone: time_zone?,
                hours,
                closures,
                phone_numbers,
                policies,
            },
            staff,
        })
    }

    /// An optional e-mail address: absent or blank is none; anything else must parse.
    fn email(&mut self, entity: &str, field: &str, raw: Option<&str>) -> Option<Email> {
        match raw.map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let e = Email::parse(raw);
                if e.is_none() {
                    self.problem(entity, field, format!("`{raw}` is not an e-mail address"));
                }
                e
            }
        }
    }

    fn notifications(&mut self, raw: RawNotifications) -> NotificationSettings {
        let entity = "notifications";
        let defaults = NotificationSettings::default();
        let reminder_hours = match raw.reminder_hours {
            None => defaults.reminder_hours,
            Some(h @ 0..=720) => h as u32,
            Some(h) => {
                self.problem(entity, "reminder_hours", format!("{h} is not between 0 (no reminders) and 720"));
                defaults.reminder_hours
            }
        };
        NotificationSettings {
            sender: self.email(entity, "sender", raw.sender.as_deref()),
            reminder_hours,
            sms: raw.sms.unwrap_or(defaults.sms),
        }
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
        // A secret is given in the file, or named as an environment variable that the import
        // resolves ([`super::TenantSpec::resolve_secrets`]): reading the environment is I/O.
        let secret = |v: &mut Self, field: &str, value: Option<String>, env: Option<String>| -> Option<Secret> {
            match (value, env) {
                (Some(v), None) if !v.is_empty() => Some(Secret::Given(v)),
                (None, Some(var)) if !var.trim().is_empty() => Some(Secret::FromEnv(var.trim().to_owned())),
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
        let mut staff_event_types = BTreeMap::new();
        for (k, id) in raw.staff_event_types {
            let parsed = k.split_once('/').and_then(|(staff, service)| {
                let staff = Key::parse(staff.trim()).filter(|s| staff_keys.contains(s.as_str()))?;
                let service = Key::parse(service.trim()).filter(|s| service_keys.contains(s.as_str()))?;
                Some((staff, service))
            });
            match parsed {
                Some(pair) => {
                    staff_event_types.insert(pair, id);
                }
                None => self.problem(
                    entity,
                    "staff_event_types",
                    format!("`{k}` is not \"staff/service\" with a known staff member and service"),
                ),
            }
        }
        Some(CalcomDef {
            base_url: raw.base_url.trim_end_matches('/').to_owned(),
            api_key: api_key?,
            webhook_secret: webhook_secret?,
            event_types,
            users,
            staff_event_types,
        })
    }
}
