//! The tenant file's shape as TOML gives it: loose on purpose (numbers as `i64`, times as
//! strings), so that [`super::validate`], not the deserializer, names every problem.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::tenant::AnonymousPatch;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) company: Vec<RawCompany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompany {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) locale: String,
    #[serde(default)]
    pub(super) timezone: String,
    pub(super) currency: Option<String>,
    #[serde(default)]
    pub(super) policies: RawPolicies,
    #[serde(default)]
    pub(super) service: Vec<RawService>,
    #[serde(default)]
    pub(super) branch: Vec<RawBranch>,
    #[serde(default)]
    pub(super) customer: Vec<RawCustomer>,
    pub(super) calcom: Option<RawCalcom>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicies {
    #[serde(default)]
    pub(super) cancellation: RawCancellation,
    #[serde(default)]
    pub(super) reschedule: RawReschedule,
    #[serde(default)]
    pub(super) anonymous_callers: AnonymousPatch,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCancellation {
    pub(super) hours_before: Option<i64>,
    pub(super) max_per_month: Option<i64>,
    pub(super) fee_cents_if_late: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReschedule {
    pub(super) hours_before: Option<i64>,
    pub(super) max_per_appointment: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) synonyms: Vec<String>,
    pub(super) category: Option<String>,
    pub(super) duration: Option<i64>,
    pub(super) price_cents: Option<i64>,
    pub(super) buffer_before: Option<i64>,
    pub(super) buffer_after: Option<i64>,
    pub(super) minimum_notice: Option<i64>,
    pub(super) booking_window_days: Option<i64>,
    pub(super) slot_interval: Option<i64>,
    pub(super) segments: Option<Vec<RawSegment>>,
    #[serde(default)]
    pub(super) policies: RawPolicies,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSegment {
    #[serde(default)]
    pub(super) name: String,
    pub(super) duration: i64,
    #[serde(default = "yes")]
    pub(super) staff_busy: bool,
}

pub(super) fn yes() -> bool {
    true
}

pub(super) type RawHours = BTreeMap<String, Vec<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBranch {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    pub(super) address: Option<String>,
    pub(super) timezone: Option<String>,
    #[serde(default)]
    pub(super) phone_numbers: Vec<String>,
    #[serde(default)]
    pub(super) closures: Vec<String>,
    #[serde(default)]
    pub(super) hours: RawHours,
    #[serde(default)]
    pub(super) staff: Vec<RawStaff>,
    #[serde(default)]
    pub(super) policies: RawPolicies,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStaff {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) services: Vec<String>,
    pub(super) hours: Option<RawHours>,
    #[serde(default)]
    pub(super) absences: Vec<RawAbsence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAbsence {
    pub(super) from: String,
    pub(super) to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomer {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) phone: String,
    pub(super) email: Option<String>,
    pub(super) salutation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalcom {
    #[serde(default = "default_calcom_url")]
    pub(super) base_url: String,
    pub(super) api_key: Option<String>,
    pub(super) api_key_env: Option<String>,
    pub(super) webhook_secret: Option<String>,
    pub(super) webhook_secret_env: Option<String>,
    #[serde(default)]
    pub(super) event_types: BTreeMap<String, i64>,
    #[serde(default)]
    pub(super) users: BTreeMap<String, i64>,
    #[serde(default)]
    pub(super) staff_event_types: BTreeMap<String, i64>,
}

pub(super) fn default_calcom_url() -> String {
    "https://api.cal.com/v2".to_owned()
}
