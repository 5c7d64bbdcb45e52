use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;

use super::*;
use crate::directory::Directory;
use crate::ids::ServiceId;
use crate::tenant_file::{self, DEMO_TENANTS};
use crate::time::{DayHours, OpenInterval, WeeklyHours};

fn demo() -> Directory {
    Directory::from_spec(&tenant_file::parse(DEMO_TENANTS).unwrap())
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn local(tz: &str, d: Date, h: i8, m: i8) -> Timestamp {
    d.at(h, m, 0, 0).to_zoned(TimeZone::get(tz).unwrap()).unwrap().timestamp()
}

fn berlin(d: Date, h: i8, m: i8) -> Timestamp {
    local("Europe/Berlin", d, h, m)
}

fn service<'a>(entry: &'a CompanyEntry, key: &str) -> &'a Service {
    entry.services.iter().find(|s| s.def.key.as_str() == key).unwrap()
}

fn staff_id(entry: &CompanyEntry, key: &str) -> StaffId {
    entry.staff.iter().find(|s| s.def.key.as_str() == key).unwrap().id
}

fn busy(staff: StaffId, from: Timestamp, minutes: i64, appointment: i64) -> Busy {
    Busy {
        staff_id: staff,
        range: TimeRange::new(from, from + SignedDuration::from_mins(minutes)).unwrap(),
        appointment_id: Some(AppointmentId(appointment)),
    }
}

const TUESDAY: Date = date(2026, 3, 10);

#[test]
fn a_plain_tuesday_for_a_mens_haircut() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let engine = Engine::new(f, &f.branches[0], cut, ts("2026-03-09T08:00:00Z"));
    let slots = engine.day_slots(TUESDAY, &Calendar::default(), None);
    assert_eq!(slots.len(), 35, "09:00 to 17:30 every 15 minutes");
    assert_eq!(slots[0].start, berlin(TUESDAY, 9, 0));
    assert_eq!(slots.last().unwrap().start, berlin(TUESDAY, 17, 30));
    assert!(slots.iter().all(|s| s.staff_id == staff_id(f, "anna")), "ties go to the smallest key");
    let first = &slots[0];
    assert_eq!(first.end, berlin(TUESDAY, 9, 30));
    assert_eq!(first.segments[0].block.unwrap().end(), berlin(TUESDAY, 9, 35), "buffer after blocks 5 minutes");
}

#[test]
fn the_less_busy_stylist_gets_the_booking() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let anna = staff_id(f, "anna");
    let calendar = Calendar::new([busy(anna, berlin(TUESDAY, 9, 0), 35, 1)]);
    let engine = Engine::new(f, &f.branches[0], cut, ts("2026-03-09T08:00:00Z"));
    let noon = engine.at(berlin(TUESDAY, 12, 0), &calendar).unwrap();
    assert_eq!(noon.staff_id, staff_id(f, "mehmet"), "Anna already has a booking that day");
    let morning = engine.at(berlin(TUESDAY, 10, 0), &calendar).unwrap();
    assert_eq!(morning.staff_id, anna, "Mehmet starts at 12:00 on Tuesdays");
    assert_eq!(engine.at(berlin(TUESDAY, 9, 15), &calendar), Err(Refusal::Taken));
}

#[test]
fn refusals_say_why() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let now = berlin(TUESDAY, 9, 10);
    let engine = Engine::new(f, &f.branches[0], cut, now);
    let cal = Calendar::default();
    assert_eq!(engine.at(berlin(TUESDAY, 9, 0), &cal), Err(Refusal::PastTime));
    assert_eq!(engine.at(berlin(TUESDAY, 10, 0), &cal), Err(Refusal::TooSoon), "60 minutes notice");
    assert!(engine.at(berlin(TUESDAY, 10, 15), &cal).is_ok());
    assert_eq!(engine.at(berlin(date(2026, 3, 16), 10, 0), &cal), Err(Refusal::Closed), "closed on Mondays");
    let december = Engine::new(f, &f.branches[0], cut, berlin(date(2026, 12, 1), 9, 0));
    assert_eq!(december.at(berlin(date(2026, 12, 24), 10, 0), &cal), Err(Refusal::Closed), "holiday");
    assert_eq!(engine.at(berlin(TUESDAY, 17, 45), &cal), Err(Refusal::OutsideHours), "would end after 18:00");
    assert_eq!(engine.at(berlin(date(2026, 6, 2), 10, 0), &cal), Err(Refusal::BeyondWindow), "60-day window");
    let first = engine.day_slots(TUESDAY, &cal, None)[0].start;
    assert_eq!(first, berlin(TUESDAY, 10, 15));
}

#[test]
fn thursday_lunch_break_splits_the_day() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let thursday = date(2026, 3, 12);
    let engine = Engine::new(f, &f.branches[0], cut, ts("2026-03-09T08:00:00Z"));
    let starts: Vec<Timestamp> =
        engine.day_slots(thursday, &Calendar::default(), None).iter().map(|s| s.start).collect();
    assert!(starts.contains(&berlin(thursday, 12, 30)));
    assert!(!starts.contains(&berlin(thursday, 12, 45)), "would run into the break");
    assert!(!starts.contains(&berlin(thursday, 13, 30)));
    assert!(starts.contains(&berlin(thursday, 14, 0)));
}

#[test]
fn composite_services_free_the_stylist_during_processing() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let colour = service(f, "faerben");
    let anna = staff_id(f, "anna");
    let lena = staff_id(f, "lena");
    let now = ts("2026-03-09T08:00:00Z");
    let engine = Engine::new(f, &f.branches[0], colour, now).only(anna);
    let booked = engine.at(berlin(TUESDAY, 10, 0), &Calendar::default()).unwrap();
    let blocks: Vec<TimeRange> = booked.blocks().collect();
    assert_eq!(blocks.len(), 2, "apply and wash occupy Anna, processing does not");
    assert_eq!(blocks[0], TimeRange::new(berlin(TUESDAY, 10, 0), berlin(TUESDAY, 10, 30)).unwrap());
    assert_eq!(blocks[1], TimeRange::new(berlin(TUESDAY, 11, 0), berlin(TUESDAY, 11, 30)).unwrap());

    let mut busy_list: Vec<Busy> =
        blocks.iter().map(|b| Busy { staff_id: anna, range: *b, appointment_id: Some(AppointmentId(7)) }).collect();
    let calendar = Calendar::new(busy_list.clone());
    // A child's cut (20 minutes, no buffer) fits into the processing gap…
    let kids = Engine::new(f, &f.branches[0], service(f, "kinderhaarschnitt"), now).only(anna);
    assert!(kids.at(berlin(TUESDAY, 10, 30), &calendar).is_ok());
    // …a men's cut does not: its 5-minute buffer would reach into the wash.
    let mens = Engine::new(f, &f.branches[0], service(f, "herrenhaarschnitt"), now).only(anna);
    assert_eq!(mens.at(berlin(TUESDAY, 10, 30), &calendar), Err(Refusal::Taken));

    // With the gap booked, a second colouring by Anna cannot start at 10:30 (its first block
    // would overlap the child's cut) — but Lena can take it.
    busy_list.push(busy(anna, berlin(TUESDAY, 10, 30), 20, 8));
    let calendar = Calendar::new(busy_list);
    assert_eq!(engine.at(berlin(TUESDAY, 10, 30), &calendar), Err(Refusal::Taken));
    let any = Engine::new(f, &f.branches[0], colour, now);
    assert_eq!(any.at(berlin(TUESDAY, 10, 30), &calendar).unwrap().staff_id, lena);
}

#[test]
fn the_whole_chain_must_fit_opening_hours() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let perm = service(f, "dauerwelle"); // 45 + 40 + 50 = 135 minutes
    let engine = Engine::new(f, &f.branches[0], perm, ts("2026-03-01T08:00:00Z"));
    let saturday = date(2026, 3, 14); // 09:00-14:00
    let slots = engine.day_slots(saturday, &Calendar::default(), None);
    assert_eq!(slots.last().unwrap().start, berlin(saturday, 11, 45), "ends at 14:00 exactly");
    // Thursday 09:00-13:00 and 14:00-20:00: no chain may span the break.
    let thursday = date(2026, 3, 12);
    let starts: Vec<Timestamp> =
        engine.day_slots(thursday, &Calendar::default(), None).iter().map(|s| s.start).collect();
    assert!(starts.contains(&berlin(thursday, 10, 45)));
    assert!(!starts.contains(&berlin(thursday, 11, 0)));
}

#[test]
fn absences_and_staff_hours() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let ladies = service(f, "damenhaarschnitt");
    let anna = staff_id(f, "anna");
    let lena = staff_id(f, "lena");
    let now = ts("2026-07-20T08:00:00Z");
    let absent_day = date(2026, 8, 4);
    let calendar = Calendar::new([busy(anna, berlin(absent_day, 9, 0), 9 * 60, 1)]);
    let engine = Engine::new(f, &f.branches[0], ladies, now);
    assert!(engine.day_slots(absent_day, &calendar, None).is_empty(), "Anna is booked out, Lena is away");
    let only_lena = Engine::new(f, &f.branches[0], ladies, now).only(lena);
    assert_eq!(only_lena.at(berlin(absent_day, 10, 0), &Calendar::default()), Err(Refusal::OutsideHours));
    assert!(only_lena.at(berlin(date(2026, 8, 18), 10, 0), &Calendar::default()).is_ok());
}

#[test]
fn time_windows_filter_slots() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let engine = Engine::new(f, &f.branches[0], cut, ts("2026-03-09T08:00:00Z"));
    let cal = Calendar::default();
    let evening = engine.day_slots(date(2026, 3, 12), &cal, Some(TimeWindow::Evening));
    assert_eq!(evening.first().unwrap().start, berlin(date(2026, 3, 12), 17, 0));
    let afternoon = engine.day_slots(TUESDAY, &cal, Some(TimeWindow::Afternoon));
    assert_eq!(afternoon.first().unwrap().start, berlin(TUESDAY, 13, 0), "the afternoon starts at 13:00");
    assert_eq!(afternoon.last().unwrap().start, berlin(TUESDAY, 16, 45));
    let midday = engine.day_slots(TUESDAY, &cal, Some(TimeWindow::Midday));
    assert_eq!(midday.first().unwrap().start, berlin(TUESDAY, 11, 30), "midday overlaps the morning");
    assert_eq!(midday.last().unwrap().start, berlin(TUESDAY, 13, 45));
    assert_eq!(TimeWindow::parse("nachmittags"), Some(TimeWindow::Afternoon));
    assert_eq!(TimeWindow::parse("in the morning"), Some(TimeWindow::Morning));
    assert_eq!(TimeWindow::parse("abends"), Some(TimeWindow::Evening));
    assert_eq!(TimeWindow::parse("mittags"), Some(TimeWindow::Midday));
    assert_eq!(TimeWindow::parse("whenever"), None);
}

#[test]
fn alternatives_prefer_the_same_day_by_distance_then_later_days() {
    let dir = demo();
    let f = dir.company_by_key("friseur1").unwrap();
    let cut = service(f, "herrenhaarschnitt");
    let anna = staff_id(f, "anna");
    let saturday = date(2026, 3, 14);
    // Saturday: Anna busy 09:00-13:55, Mehmet busy 09:00-13:55 except 10:00-10:35.
    let mehmet = staff_id(f, "mehmet");
    let calendar = Calendar::new([
        busy(anna, berlin(saturday, 9, 0), 295, 1),
        busy(mehmet, berlin(saturday, 9, 0), 60, 2),
        busy(mehmet, berlin(saturday, 10, 35), 200, 3),
    ]);
    let engine = Engine::new(f, &f.branches[0], cut, ts("2026-03-09T08:00:00Z"));
    let alternatives = engine.alternatives(berlin(saturday, 11, 0), &calendar, None, 3, 14);
    let starts: Vec<Timestamp> = alternatives.iter().map(|s| s.start).collect();
    // Same day: only 10:00 is free. Then Tuesday (Sunday and Monday closed) near 11:00, spread
    // out (10:45 and 11:15 are too close to 11:00 to be a real choice), in time order.
    assert_eq!(
        starts,
        vec![berlin(saturday, 10, 0), berlin(date(2026, 3, 17), 10, 30), berlin(date(2026, 3, 17), 11, 0)]
    );
    let next = engine.next_available(berlin(saturday, 9, 0), &calendar, None, 2, 14);
    assert_eq!(next[0].start, berlin(saturday, 10, 0));
    assert_eq!(next[0].staff_id, mehmet);
    assert_eq!(next[1].start, berlin(date(2026, 3, 17), 9, 0));
}

/// A branch open around the clock every day, to exercise daylight-saving nights.
fn around_the_clock(tz: &str) -> Directory {
    let mut spec = tenant_file::parse(DEMO_TENANTS).unwrap();
    let company = &mut spec.companies[0];
    company.branches[0].def.time_zone = TimeZone::get(tz).unwrap();
    let all_day = DayHours::new(vec![OpenInterval::parse("00:00-24:00").unwrap()]).unwrap();
    company.branches[0].def.hours = WeeklyHours::new(std::array::from_fn(|_| all_day.clone()));
    company.branches[0].def.closures.clear();
    for s in &mut company.branches[0].staff {
        s.hours = None;
    }
    Directory::from_spec(&spec)
}

#[test]
fn spring_forward_times_that_do_not_exist_are_never_offered() {
    for (tz, day) in [("Europe/Berlin", date(2026, 3, 29)), ("America/New_York", date(2026, 3, 8))] {
        let dir = around_the_clock(tz);
        let f = dir.company_by_key("friseur1").unwrap();
        let kids = service(f, "kinderhaarschnitt");
        let engine = Engine::new(f, &f.branches[0], kids, ts("2026-03-01T00:00:00Z"));
        let zone = TimeZone::get(tz).unwrap();
        let wall: Vec<String> = engine
            .day_slots(day, &Calendar::default(), None)
            .iter()
            .map(|s| s.start.to_zoned(zone.clone()).strftime("%H:%M").to_string())
            .collect();
        assert!(wall.contains(&"01:45".to_owned()), "{tz}");
        assert!(!wall.iter().any(|w| w.starts_with("02:")), "{tz}: 02:xx does not exist: {wall:?}");
        assert!(wall.contains(&"03:00".to_owned()), "{tz}");
        // Wall-clock starts 00:00 to 23:30 (the last that ends by midnight), minus the four in
        // the missing hour.
        assert_eq!(wall.len(), 95 - 4, "{tz}");
        let mut unique = wall.clone();
        unique.dedup();
        assert_eq!(unique.len(), wall.len());
        // A chain across the gap lasts its real duration.
        let at_0145 = engine
            .day_slots(day, &Calendar::default(), None)
            .into_iter()
            .find(|s| s.start.to_zoned(zone.clone()).hour() == 1 && s.start.to_zoned(zone.clone()).minute() == 45)
            .unwrap();
        assert_eq!(at_0145.end.duration_since(at_0145.start), SignedDuration::from_mins(20));
    }
}

#[test]
fn fall_back_times_are_offered_once() {
    for (tz, day) in [("Europe/Berlin", date(2026, 10, 25)), ("America/New_York", date(2026, 11, 1))] {
        let dir = around_the_clock(tz);
        let f = dir.company_by_key("friseur1").unwrap();
        let kids = service(f, "kinderhaarschnitt");
        let engine = Engine::new(f, &f.branches[0], kids, ts("2026-10-01T00:00:00Z"));
        let slots = engine.day_slots(day, &Calendar::default(), None);
        let zone = TimeZone::get(tz).unwrap();
        let repeated_hour = if tz == "Europe/Berlin" { 2 } else { 1 };
        let in_that_hour: Vec<&Slot> =
            slots.iter().filter(|s| s.start.to_zoned(zone.clone()).hour() == repeated_hour).collect();
        assert_eq!(in_that_hour.len(), 4, "{tz}: each quarter of the repeated hour once");
        // The first occurrence: before the clocks go back (summer offset).
        let first = in_that_hour[0].start.to_zoned(zone.clone());
        assert!(
            first.offset().seconds() > zone.to_offset(in_that_hour[0].start + SignedDuration::from_hours(2)).seconds(),
            "{tz}"
        );
        assert_eq!(slots.len(), 95, "{tz}: 25 real hours, each wall-clock start once");
    }
}

#[test]
fn new_york_hours_follow_the_offset_change() {
    let dir = demo();
    let smile = dir.company_by_key("brightsmile").unwrap();
    let consult = service(smile, "consultation");
    let engine = Engine::new(smile, &smile.branches[0], consult, ts("2026-03-01T12:00:00Z"));
    let friday_before = engine.day_slots(date(2026, 3, 6), &Calendar::default(), None);
    let monday_after = engine.day_slots(date(2026, 3, 9), &Calendar::default(), None);
    assert_eq!(friday_before[0].start, ts("2026-03-06T13:00:00Z"), "08:00 EST");
    assert_eq!(monday_after[0].start, ts("2026-03-09T12:00:00Z"), "08:00 EDT");
    assert!(engine.day_slots(date(2026, 11, 26), &Calendar::default(), None).is_empty(), "Thanksgiving closure");
}

#[test]
fn buffers_before_are_blocked() {
    let dir = demo();
    let smile = dir.company_by_key("brightsmile").unwrap();
    let checkup = service(smile, "checkup"); // 60 minutes, 10 before
    let engine = Engine::new(smile, &smile.branches[0], checkup, ts("2026-03-01T12:00:00Z"));
    let slot = engine.at(ts("2026-03-09T13:00:00Z"), &Calendar::default()).unwrap();
    let block = slot.blocks().next().unwrap();
    assert_eq!(block.start(), ts("2026-03-09T12:50:00Z"));
    assert_eq!(block.end(), ts("2026-03-09T14:00:00Z"));
}

// ---------------------------------------------------------------------------------------------
// Properties: whatever the busy time, a returned slot is genuinely bookable.

const SERVICES: [&str; 5] = ["herrenhaarschnitt", "damenhaarschnitt", "kinderhaarschnitt", "faerben", "dauerwelle"];

fn busy_strategy() -> impl Strategy<Value = Vec<(usize, i64, i64)>> {
    // (staff index, start minutes after Monday 00:00 local, length in minutes)
    proptest::collection::vec((0usize..3, 0i64..7 * 24 * 60, 5i64..240), 0..60)
}

fn within(hours: &DayHours, from: ClockTime, to_minutes: u16) -> bool {
    hours.intervals().iter().any(|iv| iv.open() <= from && to_minutes <= iv.close().minutes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn returned_slots_respect_every_rule(
        raw_busy in busy_strategy(),
        service_index in 0usize..5,
        now_offset in 0i64..3 * 24 * 60,
        day_offset in 0i64..9,
        window in proptest::option::of(prop_oneof![Just(TimeWindow::Morning), Just(TimeWindow::Afternoon), Just(TimeWindow::Evening)]),
    ) {
        let dir = demo();
        let f = dir.company_by_key("friseur1").unwrap();
        let branch = &f.branches[0];
        let tz = branch.def.time_zone.clone();
        let monday = date(2026, 7, 27); // Lena is away from 2026-08-03
        let now = berlin(monday, 0, 0) + SignedDuration::from_mins(now_offset);
        let staff: Vec<&Staff> = f.staff.iter().collect();
        let busy_list: Vec<Busy> = raw_busy.iter().enumerate().map(|(i, (s, start, len))| Busy {
            staff_id: staff[*s].id,
            range: TimeRange::starting_at(berlin(monday, 0, 0) + SignedDuration::from_mins(*start), *len as u32).unwrap(),
            appointment_id: Some(AppointmentId(i as i64)),
        }).collect();
        let calendar = Calendar::new(busy_list.clone());
        let svc = service(f, SERVICES[service_index]);
        let engine = Engine::new(f, branch, svc, now);
        let day = monday.checked_add(day_offset.days()).unwrap();
        for slot in engine.day_slots(day, &calendar, window) {
            let performer = f.staff_member(slot.staff_id).unwrap();
            prop_assert!(performer.performs(ServiceId(svc.id.0)));
            // Never overlaps busy time of its staff member.
            for block in slot.blocks() {
                prop_assert!(busy_list.iter().filter(|b| b.staff_id == slot.staff_id).all(|b| !b.range.overlaps(&block)));
            }
            // Inside hours, not in a closure or absence.
            let date_here = slot.start.to_zoned(tz.clone()).date();
            prop_assert_eq!(date_here, day);
            prop_assert!(!branch.def.closures.contains(&date_here));
            prop_assert!(!performer.def.absences.iter().any(|a| a.contains(date_here)));
            let branch_hours = branch.def.hours.day(date_here.weekday());
            let start_local = ClockTime::from_time(slot.start.to_zoned(tz.clone()).time());
            let end_local = slot.end.to_zoned(tz.clone()).time();
            prop_assert!(within(branch_hours, start_local, ClockTime::from_time(end_local).minutes()));
            let staff_hours = performer.def.hours.as_ref().map_or(branch_hours.clone(), |h| h.day(date_here.weekday()).intersect(branch_hours));
            for seg in slot.segments.iter().filter(|s| s.staff_busy) {
                let a = ClockTime::from_time(seg.range.start().to_zoned(tz.clone()).time());
                let b = ClockTime::from_time(seg.range.end().to_zoned(tz.clone()).time());
                prop_assert!(within(&staff_hours, a, b.minutes()));
            }
            // Notice and window.
            prop_assert!(slot.start >= now + SignedDuration::from_mins(i64::from(svc.def.minimum_notice)));
            prop_assert!(slot.start <= now + SignedDuration::from_hours(24 * i64::from(svc.def.booking_window_days)));
            if let Some(w) = window {
                prop_assert!(w.contains(start_local));
            }
            // Bookable when nothing else changed: the same answer for that exact start.
            prop_assert_eq!(engine.at(slot.start, &calendar), Ok(slot.clone()));
        }
    }
}
