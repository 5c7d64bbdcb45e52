//! The tenant model: companies, branches, phone numbers, staff, services and their policies.
//!
//! `*Def` types hold what a tenant file (or an operator) defines; the entity types add the ids the
//! store assigned. Definitions are validated on construction by [`crate::tenant_file`].

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::ids::{BranchId, CompanyId, ServiceId, StaffId};
use crate::locale::Locale;
use crate::money::{Cents, Currency};
use crate::phone::E164;
use crate::time::{DateSpan, DayHours, OpenInterval, WEEKDAY_KEYS, WeeklyHours};

/// A stable, human-chosen identifier within its scope: `friseur1`, `herrenhaarschnitt`, `dr-patel`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Key(String);

impl Key {
    /// Lowercase ASCII letters, digits, `-` and `_`, starting with a letter or digit, ≤ 64 chars.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        ok.then(|| Self(raw.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address: non-empty, one `@`, a dot in the domain. Empty strings are never stored
/// (they broke a unique index in the old system): absent is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates the rough shape of an address and lowercases the domain.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (local, domain) = raw.split_once('@')?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && raw.len() <= 254
            && !raw.chars().any(char::is_whitespace);
        ok.then(|| Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Cancellation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CancellationPolicy {
    /// Less notice than this (hours before the start) is late.
    pub min_notice_hours: u32,
    /// Cancellations per customer within a rolling 30 days; `None` is unlimited.
    pub max_per_month: Option<u32>,
    /// Fee quoted for a late cancellation; without one, late cancellations are refused.
    pub late_fee: Option<Cents>,
}

/// Rescheduling rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReschedulePolicy {
    /// Less notice than this (hours before the current start) is refused.
    pub min_notice_hours: u32,
    /// How often one appointment may be moved; `None` is unlimited.
    pub max_per_appointment: Option<u32>,
}

/// What callers who withhold their number may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnonymousPolicy {
    /// May book (as a customer without phone number).
    pub may_book: bool,
    /// May cancel appointments booked in the same call.
    pub may_cancel: bool,
    /// May reschedule appointments booked in the same call.
    pub may_reschedule: bool,
}

/// The effective policies for one booking: company rules, overridden by branch, then service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policies {
    /// Cancellation rules.
    pub cancellation: CancellationPolicy,
    /// Rescheduling rules.
    pub reschedule: ReschedulePolicy,
    /// Anonymous callers.
    pub anonymous: AnonymousPolicy,
}

impl Default for Policies {
    /// Without a policy: cancel and reschedule any time, no quota; anonymous callers may book only.
    fn default() -> Self {
        Self {
            cancellation: CancellationPolicy { min_notice_hours: 0, max_per_month: None, late_fee: None },
            reschedule: ReschedulePolicy { min_notice_hours: 0, max_per_appointment: None },
            anonymous: AnonymousPolicy { may_book: true, may_cancel: false, may_reschedule: false },
        }
    }
}

/// Policy settings given at one level (company, branch or service); absent fields inherit.
/// Same shape as the tenant file's `policies` tables.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyPatch {
    /// `[policies.cancellation]`.
    pub cancellation: CancellationPatch,
    /// `[policies.reschedule]`.
    pub reschedule: ReschedulePatch,
    /// `[policies.anonymous_callers]`.
    pub anonymous_callers: AnonymousPatch,
}

/// Cancellation settings of one level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)]
pub struct CancellationPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_before: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_month: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_cents_if_late: Option<u32>,
}

/// Rescheduling settings of one level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)]
pub struct ReschedulePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_before: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_appointment: Option<u32>,
}

/// Anonymous-caller settings of one level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)]
pub struct AnonymousPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_book: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_cancel: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_reschedule: Option<bool>,
}

impl Policies {
    /// These policies with the settings of `patch` applied on top.
    pub fn patched(mut self, patch: &PolicyPatch) -> Self {
        let c = &patch.cancellation;
        if let Some(h) = c.hours_before {
            self.cancellation.min_notice_hours = h;
        }
        if let Some(m) = c.max_per_month {
            self.cancellation.max_per_month = Some(m);
        }
        if let Some(fee) = c.fee_cents_if_late {
            self.cancellation.late_fee = (fee > 0).then_some(Cents(i64::from(fee)));
        }
        let r = &patch.reschedule;
        if let Some(h) = r.hours_before {
            self.reschedule.min_notice_hours = h;
        }
        if let Some(m) = r.max_per_appointment {
            self.reschedule.max_per_appointment = Some(m);
        }
        let a = &patch.anonymous_callers;
        self.anonymous.may_book = a.may_book.unwrap_or(self.anonymous.may_book);
        self.anonymous.may_cancel = a.may_cancel.unwrap_or(self.anonymous.may_cancel);
        self.anonymous.may_reschedule = a.may_reschedule.unwrap_or(self.anonymous.may_reschedule);
        self
    }
}

/// A company (tenant) as defined.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyDef {
    /// Unique key.
    pub key: Key,
    /// Display name, spoken to callers.
    pub name: String,
    /// Language and region.
    pub locale: Locale,
    /// Default time zone of its branches.
    pub time_zone: TimeZone,
    /// Currency of its prices.
    pub currency: Currency,
    /// Company-wide policies.
    pub policies: PolicyPatch,
    /// What is sent to customers, and from which address.
    pub notifications: NotificationSettings,
}

/// `[company.notifications]`: the company's settings for confirmations and reminders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    /// The `From` address of its e-mails; unset: the server's default sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Email>,
    /// How long before an appointment its reminder is sent; 0 sends none.
    pub reminder_hours: u32,
    /// Whether customers known only by a mobile number get text messages.
    pub sms: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { sender: None, reminder_hours: Self::DEFAULT_REMINDER_HOURS, sms: false }
    }
}

impl NotificationSettings {
    /// A reminder the day before, unless configured otherwise.
    pub const DEFAULT_REMINDER_HOURS: u32 = 24;

    /// Whether these are the defaults (then the tenant file leaves the section out).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// One part of a service: the stylist applies colour (busy), the colour sets (free), …
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SegmentDef {
    /// What happens in this part.
    pub name: String,
    /// Minutes, > 0.
    pub duration: u32,
    /// Whether the staff member is occupied during this part.
    pub staff_busy: bool,
}

/// A bookable service as defined.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDef {
    /// Unique key within the company.
    pub key: Key,
    /// Display name.
    pub name: String,
    /// What callers say instead of the name.
    pub synonyms: Vec<String>,
    /// Grouping for `list_services`.
    pub category: Option<String>,
    /// Price, if the business quotes one.
    pub price: Option<Cents>,
    /// Minutes the staff member is blocked before the first segment.
    pub buffer_before: u32,
    /// Minutes the staff member is blocked after the last segment.
    pub buffer_after: u32,
    /// Minutes between now and the earliest bookable start.
    pub minimum_notice: u32,
    /// Days ahead that can be booked.
    pub booking_window_days: u32,
    /// Minutes between offered start times.
    pub slot_interval: u32,
    /// The parts, in order; a simple service has one busy segment.
    pub segments: Vec<SegmentDef>,
    /// Service-level policy overrides.
    pub policies: PolicyPatch,
}

impl ServiceDef {
    /// Default minutes between offered start times.
    pub const DEFAULT_SLOT_INTERVAL: u32 = 15;

    /// Total minutes from the first segment's start to the last segment's end.
    pub fn duration(&self) -> u32 {
        self.segments.iter().map(|s| s.duration).sum()
    }

    /// Whether the service consists of several segments.
    pub fn is_composite(&self) -> bool {
        self.segments.len() > 1
    }
}

/// A branch (location) as defined.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchDef {
    /// Unique key within the company.
    pub key: Key,
    /// Display name.
    pub name: String,
    /// Postal address, spoken on request.
    pub address: Option<String>,
    /// Contact address: callback requests are sent here.
    pub email: Option<Email>,
    /// Time zone of its hours.
    pub time_zone: TimeZone,
    /// Regular opening hours.
    pub hours: WeeklyHours,
    /// Days closed (holidays).
    pub closures: Vec<Date>,
    /// Numbers that route to this branch.
    pub phone_numbers: Vec<E164>,
    /// Branch-level policy overrides.
    pub policies: PolicyPatch,
}

/// A staff member as defined.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffDef {
    /// Unique key within the company.
    pub key: Key,
    /// Display name.
    pub name: String,
    /// Own working hours; `None` works whenever the branch is open.
    pub hours: Option<WeeklyHours>,
    /// Days away.
    pub absences: Vec<DateSpan>,
    /// Keys of the services this person performs.
    pub services: Vec<Key>,
}

/// A customer as a tenant file defines one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerDef {
    /// Full name.
    pub name: String,
    /// Phone number, the customer's identity within the company.
    pub phone: E164,
    /// E-mail address.
    pub email: Option<Email>,
    /// How to address them ("Herr", "Frau", "Mr.", "Ms.", "Dr."), if known.
    pub salutation: Option<String>,
}

/// A company with its id.
#[derive(Clone, Debug, PartialEq)]
pub struct Company {
    /// Store id.
    pub id: CompanyId,
    /// Definition.
    pub def: CompanyDef,
}

/// A branch with its ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// Store id.
    pub id: BranchId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Definition.
    pub def: BranchDef,
}

/// A service with its ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Store id.
    pub id: ServiceId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Definition.
    pub def: ServiceDef,
}

/// A staff member with ids and the ids of the services they perform.
#[derive(Clone, Debug, PartialEq)]
pub struct Staff {
    /// Store id.
    pub id: StaffId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Branch they work at.
    pub branch_id: BranchId,
    /// Definition.
    pub def: StaffDef,
    /// Services performed, resolved.
    pub service_ids: Vec<ServiceId>,
}

impl Staff {
    /// Whether this person performs `service`.
    pub fn performs(&self, service: ServiceId) -> bool {
        self.service_ids.contains(&service)
    }
}

/// Weekly hours as stored and exchanged: `{"mon": ["09:00-18:00"], …}`; absent days are closed.
impl Serialize for WeeklyHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, Vec<String>> = WEEKDAY_KEYS
            .iter()
            .zip(self.days())
            .map(|(k, d)| (*k, d.intervals().iter().map(ToString::to_string).collect()))
            .collect();
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WeeklyHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, Vec<String>>::deserialize(d)?;
        let mut days: [DayHours; 7] = Default::default();
        for (key, intervals) in map {
            let i = WEEKDAY_KEYS
                .iter()
                .position(|k| *k == key)
                .ok_or_else(|| D::Error::custom(format!("unknown weekday `{key}`")))?;
            let parsed = intervals
                .iter()
                .map(|s| OpenInterval::parse(s).ok_or_else(|| D::Error::custom(format!("bad interval `{s}`"))))
                .collect::<Result<Vec<_>, _>>()?;
            days[i] = DayHours::new(parsed).map_err(D::Error::custom)?;
        }
        Ok(WeeklyHours::new(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_slugs() {
        assert!(Key::parse("dr-patel").is_some());
        assert!(Key::parse("friseur1").is_some());
        for bad in ["", "Dr", "-x", "a b", "ä"] {
            assert!(Key::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn emails_are_never_empty() {
        assert!(Email::parse("").is_none());
        assert!(Email::parse("a@b").is_none());
        assert_eq!(Email::parse(" Sabine@Example.ORG ").unwrap().as_str(), "Sabine@example.org");
    }

    #[test]
    fn policy_patches_layer() {
        let mut company = PolicyPatch::default();
        company.cancellation.hours_before = Some(24);
        company.cancellation.fee_cents_if_late = Some(1500);
        let mut service = PolicyPatch::default();
        service.cancellation.hours_before = Some(48);
        let p = Policies::default().patched(&company).patched(&service);
        assert_eq!(p.cancellation.min_notice_hours, 48);
        assert_eq!(p.cancellation.late_fee, Some(Cents(1500)));
        assert!(p.anonymous.may_book && !p.anonymous.may_cancel);
    }

    #[test]
    fn weekly_hours_round_trip_as_json() {
        let json = r#"{"mon":[],"thu":["14:00-20:00","09:00-13:00"]}"#;
        let h: WeeklyHours = serde_json::from_str(json).unwrap();
        assert_eq!(h.day(jiff::civil::Weekday::Thursday).intervals().len(), 2);
        let back: WeeklyHours = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(back, h);
        assert!(serde_json::from_str::<WeeklyHours>(r#"{"mon":["09:00-13:00","12:00-14:00"]}"#).is_err());
    }
}
