//! The other direction: a stored company as a tenant file, so that configuration can be kept as
//! code (`GET …/config`, edit, `PUT …/config`). Exporting then importing the result changes
//! nothing. Secrets are never exported: the Cal.com section carries its base URL and mappings
//! only, and an import without secrets keeps the stored ones.

use std::collections::BTreeMap;

use super::raw::{
    RawAbsence, RawBranch, RawCalcom, RawCancellation, RawCompany, RawFile, RawHours, RawNotifications, RawPolicies,
    RawReschedule, RawSegment, RawService, RawStaff,
};
use crate::directory::CompanyEntry;
use crate::tenant::PolicyPatch;
use crate::time::WeeklyHours;

fn policies(p: &PolicyPatch) -> RawPolicies {
    let int = |v: Option<u32>| v.map(i64::from);
    RawPolicies {
        cancellation: RawCancellation {
            hours_before: int(p.cancellation.hours_before),
            max_per_month: int(p.cancellation.max_per_month),
            fee_cents_if_late: int(p.cancellation.fee_cents_if_late),
        },
        reschedule: RawReschedule {
            hours_before: int(p.reschedule.hours_before),
            max_per_appointment: int(p.reschedule.max_per_appointment),
        },
        anonymous_callers: p.anonymous_callers.clone(),
    }
}

fn hours(h: &WeeklyHours) -> RawHours {
    // The wire form of weekly hours is the tenant file's: `{"mon": ["09:00-18:00"], …}`.
    serde_json::to_value(h).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

/// The company of `entry` as a tenant file (TOML), with `calcom_base_url` for its Cal.com
/// connection, if it has one. Customers are data, not configuration: they are not exported.
pub fn company_toml(entry: &CompanyEntry, calcom_base_url: Option<&str>) -> String {
    let def = &entry.company.def;
    let services = entry
        .services
        .iter()
        .map(|s| {
            let d = &s.def;
            // One staff-busy segment named like the service is the short form `duration`.
            let single = d.segments.len() == 1 && d.segments[0].staff_busy && d.segments[0].name == d.name;
            RawService {
                key: d.key.to_string(),
                name: d.name.clone(),
                synonyms: d.synonyms.clone(),
                category: d.category.clone(),
                duration: single.then(|| i64::from(d.segments[0].duration)),
                price_cents: d.price.map(|p| p.0),
                buffer_before: Some(i64::from(d.buffer_before)),
                buffer_after: Some(i64::from(d.buffer_after)),
                minimum_notice: Some(i64::from(d.minimum_notice)),
                booking_window_days: Some(i64::from(d.booking_window_days)),
                slot_interval: Some(i64::from(d.slot_interval)),
                segments: (!single).then(|| {
                    d.segments
                        .iter()
                        .map(|seg| RawSegment {
                            name: seg.name.clone(),
                            duration: i64::from(seg.duration),
                            staff_busy: seg.staff_busy,
                        })
                        .collect()
                }),
                policies: policies(&d.policies),
            }
        })
        .collect();
    let branches = entry
        .branches
        .iter()
        .map(|b| {
            let d = &b.def;
            RawBranch {
                key: d.key.to_string(),
                name: d.name.clone(),
                address: d.address.clone(),
                email: d.email.as_ref().map(|e| e.as_str().to_owned()),
                timezone: Some(d.time_zone.iana_name().unwrap_or("UTC").to_owned()),
                phone_numbers: d.phone_numbers.iter().map(|n| n.as_str().to_owned()).collect(),
                closures: d.closures.iter().map(ToString::to_string).collect(),
                hours: hours(&d.hours),
                staff: entry
                    .staff
                    .iter()
                    .filter(|s| s.branch_id == b.id)
                    .map(|s| RawStaff {
                        key: s.def.key.to_string(),
                        name: s.def.name.clone(),
                        services: s.def.services.iter().map(ToString::to_string).collect(),
                        hours: s.def.hours.as_ref().map(hours),
                        absences: s
                            .def
                            .absences
                            .iter()
                            .map(|a| RawAbsence { from: a.from().to_string(), to: a.to().to_string() })
                            .collect(),
                    })
                    .collect(),
                policies: policies(&d.policies),
            }
        })
        .collect();
    let calcom = entry.calcom.as_ref().map(|link| {
        let service_key = |id| entry.service(id).map(|s| s.def.key.to_string());
        let staff_key = |id| entry.staff_member(id).map(|s| s.def.key.to_string());
        RawCalcom {
            base_url: calcom_base_url.unwrap_or("https://api.cal.com/v2").to_owned(),
            api_key: None,
            api_key_env: None,
            webhook_secret: None,
            webhook_secret_env: None,
            event_types: link.event_types.iter().filter_map(|(s, id)| Some((service_key(*s)?, *id))).collect(),
            users: link.users.iter().filter_map(|(s, id)| Some((staff_key(*s)?, *id))).collect(),
            staff_event_types: link
                .staff_event_types
                .iter()
                .filter_map(|((staff, service), id)| {
                    Some((format!("{}/{}", staff_key(*staff)?, service_key(*service)?), *id))
                })
                .collect::<BTreeMap<_, _>>(),
        }
    });
    let file = RawFile {
        company: vec![RawCompany {
            key: def.key.to_string(),
            name: def.name.clone(),
            locale: def.locale.tag().to_owned(),
            timezone: def.time_zone.iana_name().unwrap_or("UTC").to_owned(),
            currency: Some(def.currency.code().to_owned()),
            policies: policies(&def.policies),
            service: services,
            branch: branches,
            customer: Vec::new(),
            calcom,
            notifications: (!def.notifications.is_default()).then(|| RawNotifications {
                sender: def.notifications.sender.as_ref().map(|e| e.as_str().to_owned()),
                reminder_hours: Some(i64::from(def.notifications.reminder_hours)),
                sms: Some(def.notifications.sms),
            }),
        }],
    };
    let body = toml::to_string_pretty(&file).unwrap_or_default();
    format!("# Company `{}` as stored; secrets are never exported.\n{body}", def.key)
}
