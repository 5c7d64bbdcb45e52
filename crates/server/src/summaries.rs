//! Keeps the daily summary table (the health charts' figures): each minute, every company's
//! today and yesterday in its own time zone are recomputed, and any of the last 30 days without
//! a row is filled in (after a restart, or the first time). Rows outlive trace retention.

use frontdesk_store::StoreError;
use jiff::{Timestamp, ToSpan};

use crate::state::AppState;

/// How many days back the charts reach (and the worker fills in).
pub const DAYS: i64 = 30;

/// One round for every company.
pub async fn refresh(state: &AppState) -> Result<(), StoreError> {
    let now = Timestamp::now();
    let directory = state.directory();
    for entry in directory.companies() {
        let tz = &entry.company.def.time_zone;
        let today = now.to_zoned(tz.clone()).date();
        let first = today.checked_sub((DAYS - 1).days()).unwrap_or(today);
        let have = state.store().summarized_days(entry.company.id, first, today).await?;
        let mut day = first;
        while day <= today {
            let recent = today.since(day).map_or(true, |s| s.get_days() <= 1);
            if recent || !have.contains(&day) {
                let (Ok(start), Ok(next)) =
                    (day.to_zoned(tz.clone()), day.tomorrow().and_then(|d| d.to_zoned(tz.clone())))
                else {
                    break;
                };
                state.store().refresh_daily_summary(entry.company.id, day, start.timestamp(), next.timestamp()).await?;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }
    Ok(())
}
