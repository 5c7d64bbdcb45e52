//! The tenant file's shape as TOML gives it: loose on purpose (numbers as `i64`, times as
//! strings), so that [`super::validate`], not the deserializer, names every problem.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tenant::AnonymousPatch;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) company: Vec<RawCompany>,
}

#[derive(Deserialize, Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) currency: Option<String>,
    #[serde(default, skip_serializing_if = "RawPolicies::is_empty")]
    pub(super) policies: RawPolicies,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) service: Vec<RawService>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) branch: Vec<RawBranch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) customer: Vec<RawCustomer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) calcom: Option<RawCalcom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) notifications: Option<RawNotifications>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotifications {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reminder_hours: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sms: Option<bool>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicies {
    #[serde(default)]
    pub(super) cancellation: RawCancellation,
    #[serde(default)]
    pub(super) reschedule: RawReschedule,
    #[serde(default)]
    pub(super) anonymous_callers: AnonymousPatch,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCancellation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) hours_before: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_per_month: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) fee_cents_if_late: Option<i64>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReschedule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) hours_before: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_per_appointment: Option<i64>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) synonyms: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) price_cents: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) buffer_before: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) buffer_after: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) minimum_notice: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) booking_window_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) slot_interval: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) segments: Option<Vec<RawSegment>>,
    #[serde(default, skip_serializing_if = "RawPolicies::is_empty")]
    pub(super) policies: RawPolicies,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSegment {
    #[serde(default)]
    pub(super) name: String,
    pub(super) duration: i64,
    #[serde(default = "yes")]
    pub(super) staff_busy: bool,
}

impl RawPolicies {
    pub(super) fn is_empty(&self) -> bool {
        let c = &self.cancellation;
        let r = &self.reschedule;
        let a = &self.anonymous_callers;
        c.hours_before.is_none()
            && c.max_per_month.is_none()
            && c.fee_cents_if_late.is_none()
            && r.hours_before.is_none()
            && r.max_per_appointment.is_none()
            && a.may_book.is_none()
            && a.may_cancel.is_none()
            && a.may_reschedule.is_none()
    }
}

pub(super) fn yes() -> bool {
    true
}

pub(super) type RawHours = BTreeMap<String, Vec<String>>;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBranch {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) phone_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) closures: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) hours: RawHours,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) staff: Vec<RawStaff>,
    #[serde(default, skip_serializing_if = "RawPolicies::is_empty")]
    pub(super) policies: RawPolicies,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStaff {
    #[serde(default)]
    pub(super) key: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) services: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) hours: Option<RawHours>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) absences: Vec<RawAbsence>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAbsence {
    pub(super) from: String,
    pub(super) to: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomer {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) salutation: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalcom {
    #[serde(default = "default_calcom_url")]
    pub(super) base_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) api_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) api_key_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) webhook_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) webhook_secret_env: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) event_types: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) users: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) staff_event_types: BTreeMap<String, i64>,
}

pub(super) fn default_calcom_url() -> String {
    "https://api.cal.com/v2".to_owned()
}
