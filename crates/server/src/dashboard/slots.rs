//! Free times from the availability engine, for the forms that book or move: what an operator
//! may choose is exactly what the operation would accept (opening and staff hours, days off,
//! I1), without the caller policies an operator is not bound by (minimum notice).

use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::{AppointmentId, BranchId, ServiceId, StaffId};
use jiff::Timestamp;
use jiff::civil::Date;

use super::format;
use super::page::PageError;
use super::viewer::Viewer;
use crate::booking::{self, BusyFrom};
use crate::state::AppState;

/// A free start.
pub struct FreeSlot {
    /// The value the form sends: `2026-03-10T14:00|anna` (local start and staff key).
    pub value: String,
    /// `14:00`.
    pub time: String,
    /// Who would do it.
    pub staff: String,
}

/// The free starts on `date` for `service` at `branch` (with `staff` only, if given), ignoring
/// the blocks of the appointment being moved.
#[allow(clippy::too_many_arguments)]
pub async fn free(
    state: &AppState,
    viewer: &Viewer,
    entry: &CompanyEntry,
    branch: BranchId,
    service: ServiceId,
    staff: Option<StaffId>,
    date: Date,
    ignoring: Option<AppointmentId>,
) -> Result<Vec<FreeSlot>, PageError> {
    let now: Timestamp = state.settings().clock.now();
    let Some(engine) = booking::engine(entry, branch, service, staff, now) else { return Ok(Vec::new()) };
    let engine = engine.waive_minimum_notice();
    let calendar = BusyFrom::Reader(state.store()).calendar(entry, &engine, date, 1, ignoring).await?;
    let tz = engine.time_zone().clone();
    Ok(engine
        .day_slots(date, &calendar, None)
        .into_iter()
        .map(|slot| {
            let local = slot.start.to_zoned(tz.clone());
            let member = entry.staff_member(slot.staff_id);
            FreeSlot {
                value: format!(
                    "{}T{:02}:{:02}|{}",
                    local.date(),
                    local.hour(),
                    local.minute(),
                    member.map_or_else(String::new, |m| m.def.key.to_string())
                ),
                time: format::clock(viewer.lang, local.time()),
                staff: member.map_or_else(String::new, |m| m.def.name.clone()),
            }
        })
        .collect())
}

/// Splits a chosen slot's value into the local start and the staff key.
pub fn chosen(value: &str) -> Option<(String, Option<String>)> {
    let (start, staff) = value.split_once('|').unwrap_or((value, ""));
    if start.is_empty() {
        return None;
    }
    Some((start.to_owned(), (!staff.is_empty()).then(|| staff.to_owned())))
}
