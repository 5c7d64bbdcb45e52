//! `check_availability` and `find_next_available`.

use frontdesk_domain::language::catalogue::{Missing, Msg};
use frontdesk_domain::language::spoken;
use frontdesk_domain::language::when::{self, Expect, TimeOfDay};
use frontdesk_domain::time::ClockTime;
use frontdesk_retell::status::Status;
use frontdesk_store::StoreError;
use jiff::Timestamp;
use serde_json::Value;

use super::answer::Answer;
use super::args::{Args, names};
use super::context::{Ctx, Moment};
use crate::booking::{self, ALTERNATIVE_DAYS, Attempt, BusyFrom, Check, DEFAULT_ALTERNATIVES, Probe};

/// Most slots listed for a day.
const SLOTS_LISTED: usize = 12;
/// Slots said aloud for a day.
const SLOTS_SAID: usize = 3;

/// Up to `n` items spread evenly over `items`, first and last included.
pub fn spread<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if items.len() <= n || n < 2 {
        return items.iter().take(n.max(1)).cloned().collect();
    }
    (0..n).map(|i| items[i * (items.len() - 1) / (n - 1)].clone()).collect()
}

/// `check_availability`.
pub async fn check_availability(ctx: &Ctx<'_>, args: &Args) -> Result<Answer, StoreError> {
    let (service, staff) = match ctx.service_and_staff(args) {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (date, time, datetime) = (args.text(names::DATE), args.text(names::TIME), args.text(names::DATETIME));
    if date.is_none() && time.is_none() && datetime.is_none() {
        return Ok(Answer::fail(Status::MissingArgument, ctx.lang, &Msg::Missing(Missing::Date)));
    }
    let moment = match ctx.moment(date, time, datetime) {
        Ok(m) => m,
        Err(answer) => return Ok(answer),
    };
    let window = ctx.window(args);
    let engine = booking::engine_for(ctx.company, ctx.branch, service, staff, ctx.now);
    match moment {
        Moment::At(start) => {
            // The caller may already be booked then themselves (and be what is in the way). Their
            // appointments and the calendar are read at once, on two readers; their own booking,
            // if any, is what they hear.
            let own = async {
                let Some(customer) = ctx.caller_customer().await? else { return Ok(None) };
                let range = booking::requested_range(ctx.company, service.id, start)?;
                BusyFrom::Reader(ctx.state.store()).own_overlap(ctx.company, customer, range, None).await
            };
            let probe = Probe::at(start, window);
            let decided =
                async { booking::check(&mut BusyFrom::Reader(ctx.state.store()), ctx.company, &engine, &probe).await };
            let (own, decided) = tokio::try_join!(own, decided)?;
            if let Some(existing) = own {
                return Ok(ctx.already_booked(&existing, true));
            }
            match decided {
                Check::Free(slot) => {
                    let when = ctx.when(slot.start);
                    let staff_name = ctx.staff_name(slot.staff_id);
                    let msg = Msg::Available { when: &when, staff: Some(&staff_name) };
                    Ok(Answer::ok(Status::Available, ctx.lang, &msg).with("slot", ctx.slot_json(&slot)))
                }
                Check::Refused { refusal, alternatives } => {
                    Ok(ctx.refusal(refusal, Attempt::Ask, start, (service, staff), &alternatives))
                }
            }
        }
        Moment::Day { date, window: day_window } => {
            let window = day_window.or(window);
            if date < ctx.today {
                return Ok(Answer::fail(Status::PastTime, ctx.lang, &Msg::PastTime));
            }
            if date > engine.last_bookable_date() {
                let days = service.def.booking_window_days;
                return Ok(Answer::fail(Status::OutsideBookingWindow, ctx.lang, &Msg::OutsideBookingWindow { days }));
            }
            let cal = BusyFrom::Reader(ctx.state.store()).calendar(ctx.company, &engine, date, 1, None).await?;
            let slots = engine.day_slots(date, &cal, window);
            let said_date = ctx.day(date);
            if !slots.is_empty() {
                let listed: Vec<Value> = spread(&slots, SLOTS_LISTED).iter().map(|s| ctx.slot_json(s)).collect();
                let said: Vec<ClockTime> = spread(&slots, SLOTS_SAID)
                    .iter()
                    .map(|s| ClockTime::from_time(s.start.to_zoned(ctx.tz().clone()).time()))
                    .collect();
                let times = spoken::times(ctx.lang, &said);
                let msg = Msg::SlotsOnDay { day: &said_date, times: &times };
                return Ok(Answer::ok(Status::SlotsFound, ctx.lang, &msg)
                    .with("slots", listed)
                    .with("free_count", slots.len()));
            }
            let next_day_start =
                date.tomorrow().ok().and_then(|d| d.to_zoned(ctx.tz().clone()).ok()).map(|z| z.timestamp());
            let others = match next_day_start {
                Some(from) => {
                    let cal = BusyFrom::Reader(ctx.state.store())
                        .calendar(ctx.company, &engine, date, ALTERNATIVE_DAYS, None)
                        .await?;
                    engine.next_available(from, &cal, window, DEFAULT_ALTERNATIVES, ALTERNATIVE_DAYS)
                }
                None => Vec::new(),
            };
            let said = ctx.speak_slots(&others, None);
            let json: Vec<Value> = others.iter().map(|s| ctx.slot_json(s)).collect();
            if !engine.is_open(date, &cal) {
                let msg = Msg::ClosedOn { day: &said_date, alternatives: &said };
                return Ok(Answer::fail(Status::Closed, ctx.lang, &msg).with("alternatives", json));
            }
            let msg = Msg::NothingOnDay { day: &said_date, alternatives: &said };
            Ok(Answer::ok(Status::Unavailable, ctx.lang, &msg).with("alternatives", json))
        }
    }
}

/// `find_next_available`.
pub async fn find_next_available(ctx: &Ctx<'_>, args: &Args) -> Result<Answer, StoreError> {
    let (service, staff) = match ctx.service_and_staff(args) {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let after = match args.text(names::AFTER).or_else(|| args.text(names::DATE)) {
        None => ctx.now,
        Some(raw) => match after_instant(ctx, &raw) {
            Some(t) => t,
            None => return Ok(Answer::fail(Status::InvalidDate, ctx.lang, &Msg::InvalidDate)),
        },
    };
    let count = args.count(names::COUNT).unwrap_or(DEFAULT_ALTERNATIVES);
    let engine = booking::engine_for(ctx.company, ctx.branch, service, staff, ctx.now);
    let from = after.max(ctx.now);
    let cal = BusyFrom::Reader(ctx.state.store())
        .calendar(ctx.company, &engine, engine.local_date(from), ALTERNATIVE_DAYS, None)
        .await?;
    let slots = engine.next_available(from, &cal, ctx.window(args), count, ALTERNATIVE_DAYS);
    if slots.is_empty() {
        return Ok(Answer::ok(Status::Unavailable, ctx.lang, &Msg::NothingFree).with("slots", Vec::<Value>::new()));
    }
    let said = ctx.speak_slots(&slots, None);
    let json: Vec<Value> = slots.iter().map(|s| ctx.slot_json(s)).collect();
    Ok(Answer::ok(Status::SlotsFound, ctx.lang, &Msg::NextFree { slots: &said }).with("slots", json))
}

/// "after" as a date (its start), a date and time, or an instant.
fn after_instant(ctx: &Ctx<'_>, raw: &str) -> Option<Timestamp> {
    if let Some(t) = when::parse_instant(raw) {
        return Some(t);
    }
    let understood = when::understand(raw, ctx.today, Expect::Date).ok()?;
    let date = understood.date?;
    match understood.time {
        Some(TimeOfDay::At(t)) => when::local_instant(date, t, ctx.tz()),
        _ => date.to_zoned(ctx.tz().clone()).ok().map(|z| z.timestamp()),
    }
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn spreading_keeps_first_and_last() {
        let v: Vec<u32> = (0..35).collect();
        assert_eq!(spread(&v, 3), vec![0, 17, 34]);
        assert_eq!(spread(&v[..2], 3), vec![0, 1]);
        assert_eq!(spread(&v, 1), vec![0]);
    }
}
