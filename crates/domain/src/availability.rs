//! The availability engine: which start times can be booked for a service at a branch.
//!
//! Pure: it takes the schedules (branch hours and closures, staff hours and absences, who performs
//! what), the service (segments, buffers, notice, window, slot interval) and the staff members'
//! busy time, and computes slots. The database re-checks every booking (I1); the engine's job is
//! to offer only what the database will accept when nothing changes in between.
//!
//! Rules:
//! - Start times lie on a grid of the service's slot interval, counted in wall-clock time from
//!   each opening interval's start. A wall-clock time that does not exist (the spring-forward
//!   gap) is never offered; one that exists twice (the fall-back fold) is offered once, at its
//!   first occurrence.
//! - The whole chain of segments lies within one opening interval of the branch; every
//!   staff-busy segment lies within the staff member's working hours (their own hours, intersected
//!   with the branch's). Staff-free segments (processing time) occupy nobody.
//! - A busy segment blocks its staff member from its start (minus the buffer before, for the
//!   first segment) to its end (plus the buffer after, for the last); blocks must not overlap busy
//!   time. Buffers may reach outside opening hours (preparing before opening is fine).
//! - The start is at least the minimum notice after now and at most the booking window after now.
//! - Without a preference, the capable free staff member with the fewest bookings that day gets
//!   the slot; ties go to the smallest key, so the choice is deterministic.

use std::collections::HashMap;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::directory::CompanyEntry;
use crate::ids::{AppointmentId, BranchId, StaffId};
use crate::records::Segment;
use crate::tenant::{Branch, Service, Staff};
use crate::time::{ClockTime, DateSpan, DayHours, TimeRange};

/// How far apart alternatives offered on one day are at least.
pub const ALTERNATIVES_APART: SignedDuration = SignedDuration::from_mins(30);

/// Part of the day a caller prefers. The one definition of the windows: they overlap as people
/// mean them ("mittags" is late morning and early afternoon).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeWindow {
    /// Before 12:00.
    Morning,
    /// 11:30 to 14:00.
    Midday,
    /// 13:00 to 17:00.
    Afternoon,
    /// From 17:00.
    Evening,
}

impl TimeWindow {
    /// Every window, in the order of the day.
    pub const ALL: [TimeWindow; 4] = [Self::Morning, Self::Midday, Self::Afternoon, Self::Evening];

    /// Whether a local start time falls in the window.
    pub fn contains(self, t: ClockTime) -> bool {
        let m = t.minutes();
        match self {
            Self::Morning => m < 12 * 60,
            Self::Midday => (11 * 60 + 30..14 * 60).contains(&m),
            Self::Afternoon => (13 * 60..17 * 60).contains(&m),
            Self::Evening => m >= 17 * 60,
        }
    }

    /// Reads `morning`/`vormittags`, `midday`/`mittags`, `afternoon`/`nachmittags`,
    /// `evening`/`abends` and close forms.
    pub fn parse(raw: &str) -> Option<Self> {
        let s = crate::matching::fold(raw);
        let has = |words: &[&str]| words.iter().any(|w| s.split(' ').any(|x| x == *w));
        if has(&["morning", "morgens", "vormittag", "vormittags", "frueh", "am"]) {
            Some(Self::Morning)
        } else if has(&["midday", "mittag", "mittags", "noon", "lunchtime", "mittagszeit"]) {
            Some(Self::Midday)
        } else if has(&["afternoon", "nachmittag", "nachmittags", "pm"]) {
            Some(Self::Afternoon)
        } else if has(&["evening", "abend", "abends", "night", "late", "spaet"]) {
            Some(Self::Evening)
        } else {
            None
        }
    }
}

/// Time a staff member is not free: a block of an appointment, or of an external calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    /// Whose time.
    pub staff_id: StaffId,
    /// The blocked interval (buffers included).
    pub range: TimeRange,
    /// The appointment it belongs to (`None` for external busy time).
    pub appointment_id: Option<AppointmentId>,
}

/// Busy time indexed per staff member.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    staff: HashMap<StaffId, StaffCalendar>,
    days_off: DaysOff,
}

/// Days entered by operators on which a branch is closed or a staff member away (a sick day, a
/// burst pipe), besides the tenant file's closures and absences. They are read from the store with
/// the busy time, inside the booking's transaction, so that a booking never misses one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaysOff {
    /// Branch closed on a day.
    pub closures: Vec<(BranchId, Date)>,
    /// Staff member away for a span of days.
    pub absences: Vec<(StaffId, DateSpan)>,
}

impl DaysOff {
    /// Whether the branch is closed on `date`.
    pub fn closed(&self, branch: BranchId, date: Date) -> bool {
        self.closures.iter().any(|(b, d)| *b == branch && *d == date)
    }

    /// Whether the staff member is away on `date`.
    pub fn away(&self, staff: StaffId, date: Date) -> bool {
        self.absences.iter().any(|(s, span)| *s == staff && span.contains(date))
    }
}

#[derive(Clone, Debug, Default)]
struct StaffCalendar {
    /// Merged, sorted, disjoint busy intervals.
    merged: Vec<TimeRange>,
    /// Start of each appointment's first block, sorted (for "bookings that day").
    appointment_starts: Vec<Timestamp>,
}

impl Calendar {
    /// Indexes busy time.
    pub fn new(busy: impl IntoIterator<Item = Busy>) -> Self {
        let mut by_staff: HashMap<StaffId, (Vec<TimeRange>, HashMap<AppointmentId, Timestamp>)> = HashMap::new();
        for b in busy {
            let entry = by_staff.entry(b.staff_id).or_default();
            entry.0.push(b.range);
            if let Some(a) = b.appointment_id {
                let first = entry.1.entry(a).or_insert(b.range.start());
                *first = (*first).min(b.range.start());
            }
        }
        let staff = by_staff
            .into_iter()
            .map(|(id, (mut ranges, appointments))| {
                ranges.sort();
                let mut merged: Vec<TimeRange> = Vec::with_capacity(ranges.len());
                for r in ranges {
                    match merged.last_mut() {
                        Some(last) if r.start() <= last.end() => {
                            if r.end() > last.end() {
                                *last = TimeRange::new(last.start(), r.end()).unwrap_or(*last);
                            }
                        }
                        _ => merged.push(r),
                    }
                }
                let mut appointment_starts: Vec<Timestamp> = appointments.into_values().collect();
                appointment_starts.sort();
                (id, StaffCalendar { merged, appointment_starts })
            })
            .collect();
        Self { staff, days_off: DaysOff::default() }
    }

    /// The calendar with operators' days off.
    pub fn with_days_off(mut self, days_off: DaysOff) -> Self {
        self.days_off = days_off;
        self
    }

    /// Whether `staff` is free for the whole of `range`.
    pub fn is_free(&self, staff: StaffId, range: &TimeRange) -> bool {
        let Some(cal) = self.staff.get(&staff) else { return true };
        // The first merged interval ending after the range starts is the only candidate.
        let i = cal.merged.partition_point(|b| b.end() <= range.start());
        cal.merged.get(i).is_none_or(|b| !b.overlaps(range))
    }

    fn bookings_between(&self, staff: StaffId, from: Timestamp, to: Timestamp) -> usize {
        let Some(cal) = self.staff.get(&staff) else { return 0 };
        let lo = cal.appointment_starts.partition_point(|t| *t < from);
        let hi = cal.appointment_starts.partition_point(|t| *t < to);
        hi - lo
    }
}

/// A bookable start: who performs it and the segments it would occupy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// First segment's start.
    pub start: Timestamp,
    /// Last segment's end.
    pub end: Timestamp,
    /// Who performs the busy segments.
    pub staff_id: StaffId,
    /// The segments, each with its block if staff-busy.
    pub segments: Vec<Segment>,
}

impl Slot {
    /// The intervals this slot blocks.
    pub fn blocks(&self) -> impl Iterator<Item = TimeRange> + '_ {
        self.segments.iter().filter_map(|s| s.block)
    }
}

/// Why a particular start cannot be booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It is in the past.
    PastTime,
    /// It is sooner than the service's minimum notice.
    TooSoon,
    /// It is beyond the booking window.
    BeyondWindow,
    /// The branch is closed that day (no hours, or a closure).
    Closed,
    /// The branch is open that day, but the service does not fit the hours at that time, or
    /// nobody who performs it works then.
    OutsideHours,
    /// Everybody who could do it is busy.
    Taken,
}

impl Refusal {
    /// The machine-readable name (also the Retell function status where one exists).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PastTime => "past_time",
            Self::TooSoon => "too_soon",
            Self::BeyondWindow => "outside_booking_window",
            Self::Closed => "closed",
            Self::OutsideHours => "outside_hours",
            Self::Taken => "slot_taken",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Part {
    from_min: i64,
    to_min: i64,
    busy: bool,
    before: i64,
    after: i64,
}

/// Availability of one service at one branch, as of `now`.
#[derive(Clone, Debug)]
pub struct Engine<'a> {
    branch: &'a Branch,
    service: &'a Service,
    staff: Vec<&'a Staff>,
    tz: TimeZone,
    now: Timestamp,
    earliest: Timestamp,
    latest: Timestamp,
    parts: Vec<Part>,
    duration_min: i64,
}

/// One day, resolved to instants.
struct Day<'e> {
    /// Opening intervals, local and absolute.
    open: Vec<(ClockTime, ClockTime, Timestamp, Timestamp)>,
    /// Working staff: who, absolute working intervals, bookings that day.
    staff: Vec<(&'e Staff, Vec<TimeRange>, usize)>,
}

impl<'a> Engine<'a> {
    /// The engine for `service` at `branch`, considering every staff member of the branch who
    /// performs it.
    pub fn new(company: &'a CompanyEntry, branch: &'a Branch, service: &'a Service, now: Timestamp) -> Self {
        let mut staff: Vec<&Staff> = company.staff_of(branch.id).filter(|s| s.performs(service.id)).collect();
        staff.sort_by(|a, b| a.def.key.cmp(&b.def.key));
        let def = &service.def;
        let mut offset = 0i64;
        let last = def.segments.len().saturating_sub(1);
        let parts = def
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let from = offset;
                offset += i64::from(s.duration);
                Part {
                    from_min: from,
                    to_min: offset,
                    busy: s.staff_busy,
                    before: if i == 0 { i64::from(def.buffer_before) } else { 0 },
                    after: if i == last { i64::from(def.buffer_after) } else { 0 },
                }
            })
            .collect();
        Self {
            branch,
            service,
            staff,
            tz: branch.def.time_zone.clone(),
            now,
            earliest: now + SignedDuration::from_mins(i64::from(def.minimum_notice)),
            latest: now + SignedDuration::from_hours(24 * i64::from(def.booking_window_days)),
            parts,
            duration_min: offset,
        }
    }

    /// Lets starts sooner than the service's minimum notice be booked: the notice is a caller
    /// policy, and an operator at the desk is not bound by it (a start in the past still is not).
    pub fn waive_minimum_notice(mut self) -> Self {
        self.earliest = self.now;
        self
    }

    /// Whether `start` is sooner than the service's minimum notice allows a caller.
    pub fn within_minimum_notice(&self, start: Timestamp) -> bool {
        start >= self.now && start < self.now + SignedDuration::from_mins(i64::from(self.service.def.minimum_notice))
    }

    /// Restricts the engine to one staff member (who must perform the service to be offered).
    pub fn only(mut self, staff: StaffId) -> Self {
        self.staff.retain(|s| s.id == staff);
        self
    }

    /// The staff members considered.
    pub fn staff(&self) -> &[&'a Staff] {
        &self.staff
    }

    /// The branch's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The local date of an instant at this branch.
    pub fn local_date(&self, t: Timestamp) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    /// The interval whose busy time must be known to answer for `days` days from `from`.
    pub fn busy_window(&self, from: Date, days: i32) -> TimeRange {
        let start = self.midnight(from) - SignedDuration::from_hours(24);
        let end = self.midnight(from.saturating_add(days.days())) + SignedDuration::from_hours(48);
        TimeRange::new(start, end).unwrap_or_else(|_| TimeRange::starting_at(start, 1).expect("one minute"))
    }

    /// Whether the branch opens on `date` at all (hours that weekday, no closure in the tenant
    /// file or entered by an operator).
    pub fn is_open(&self, date: Date, calendar: &Calendar) -> bool {
        !self.branch.def.closures.contains(&date)
            && !calendar.days_off.closed(self.branch.id, date)
            && !self.branch.def.hours.day(date.weekday()).is_closed()
    }

    /// The service this engine books.
    pub fn service(&self) -> &Service {
        self.service
    }

    /// The last date that can be booked.
    pub fn last_bookable_date(&self) -> Date {
        self.local_date(self.latest)
    }

    /// Every bookable start on `date` (one per start time), earliest first.
    pub fn day_slots(&self, date: Date, calendar: &Calendar, window: Option<TimeWindow>) -> Vec<Slot> {
        let Some(day) = self.day(date, calendar) else { return Vec::new() };
        let mut slots = Vec::new();
        let step = i64::from(self.service.def.slot_interval.max(1));
        for (open, close, _, _) in &day.open {
            let mut t = i64::from(open.minutes());
            while t + self.duration_min <= i64::from(close.minutes()) {
                let local = ClockTime::from_minutes(t as u16).expect("within the day");
                t += step;
                if window.is_some_and(|w| !w.contains(local)) {
                    continue;
                }
                let Some(start) = self.exact_instant(date, local) else { continue };
                if start < self.earliest || start > self.latest {
                    continue;
                }
                if let Ok(slot) = self.fit(&day, start, calendar) {
                    slots.push(slot);
                }
            }
        }
        slots
    }

    /// Whether `start` can be booked, and by whom.
    pub fn at(&self, start: Timestamp, calendar: &Calendar) -> Result<Slot, Refusal> {
        if start < self.now {
            return Err(Refusal::PastTime);
        }
        if start > self.latest {
            return Err(Refusal::BeyondWindow);
        }
        let Some(day) = self.day(self.local_date(start), calendar) else { return Err(Refusal::Closed) };
        if start < self.earliest {
            return Err(Refusal::TooSoon);
        }
        self.fit(&day, start, calendar)
    }

    /// The first `count` bookable starts from `after` on, within `max_days` days, at least
    /// [`ALTERNATIVES_APART`] apart.
    pub fn next_available(
        &self,
        after: Timestamp,
        calendar: &Calendar,
        window: Option<TimeWindow>,
        count: usize,
        max_days: i32,
    ) -> Vec<Slot> {
        let mut out: Vec<Slot> = Vec::new();
        let first = self.local_date(after.max(self.now));
        for date in days_from(first, max_days).take_while(|d| *d <= self.last_bookable_date()) {
            for slot in self.day_slots(date, calendar, window) {
                // Spread out like alternatives: real choices, not 9:00, 9:15 and 9:30.
                let apart = out.last().is_none_or(|last| slot.start.duration_since(last.start) >= ALTERNATIVES_APART);
                if slot.start >= after && apart {
                    out.push(slot);
                    if out.len() == count {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// The nearest bookable starts to `requested`: the same day first, by distance from the
    /// requested time, then the following days near the same time of day — spread out (no two
    /// within [`ALTERNATIVES_APART`] on one day, so that a caller hears real choices rather than
    /// 9:00, 9:15 and 9:30) and returned in time order.
    pub fn alternatives(
        &self,
        requested: Timestamp,
        calendar: &Calendar,
        window: Option<TimeWindow>,
        count: usize,
        max_days: i32,
    ) -> Vec<Slot> {
        let requested_local = requested.to_zoned(self.tz.clone());
        let time_of_day = requested_local.time();
        let mut out = Vec::new();
        for date in days_from(requested_local.date(), max_days).take_while(|d| *d <= self.last_bookable_date()) {
            let target = self.lenient_instant(date.to_datetime(time_of_day));
            let mut slots = self.day_slots(date, calendar, window);
            slots.retain(|s| s.start != requested);
            slots.sort_by_key(|s| (s.start.duration_since(target).abs(), s.start));
            let mut chosen: Vec<Slot> = Vec::new();
            for slot in slots {
                if out.len() + chosen.len() == count {
                    break;
                }
                if chosen.iter().all(|c| c.start.duration_since(slot.start).abs() >= ALTERNATIVES_APART) {
                    chosen.push(slot);
                }
            }
            out.extend(chosen);
            if out.len() == count {
                break;
            }
        }
        out.sort_by_key(|s| s.start);
        out
    }

    fn day(&self, date: Date, calendar: &Calendar) -> Option<Day<'a>> {
        let branch = &self.branch.def;
        if branch.closures.contains(&date) || calendar.days_off.closed(self.branch.id, date) {
            return None;
        }
        let hours = branch.hours.day(date.weekday());
        if hours.is_closed() {
            return None;
        }
        let open = hours
            .intervals()
            .iter()
            .map(|iv| (iv.open(), iv.close(), self.boundary(date, iv.open()), self.boundary(date, iv.close())))
            .collect();
        let day_start = self.midnight(date);
        let day_end = self.midnight(date.tomorrow().unwrap_or(date));
        let staff = self
            .staff
            .iter()
            .filter(|s| !s.def.absences.iter().any(|a| a.contains(date)) && !calendar.days_off.away(s.id, date))
            .filter_map(|s| {
                let working: DayHours = match &s.def.hours {
                    Some(own) => own.day(date.weekday()).intersect(hours),
                    None => hours.clone(),
                };
                let ranges: Vec<TimeRange> = working
                    .intervals()
                    .iter()
                    .filter_map(|iv| {
                        TimeRange::new(self.boundary(date, iv.open()), self.boundary(date, iv.close())).ok()
                    })
                    .collect();
                (!ranges.is_empty()).then(|| (*s, ranges, calendar.bookings_between(s.id, day_start, day_end)))
            })
            .collect();
        Some(Day { open, staff })
    }

    /// Fits the chain starting at `start` into `day`: branch hours, then the best free staff.
    fn fit(&self, day: &Day<'a>, start: Timestamp, calendar: &Calendar) -> Result<Slot, Refusal> {
        let end = start + SignedDuration::from_mins(self.duration_min);
        if !day.open.iter().any(|(_, _, o, c)| *o <= start && end <= *c) {
            return Err(Refusal::OutsideHours);
        }
        let mut someone_works = false;
        let mut best: Option<(usize, &Staff)> = None;
        for (staff, working, bookings) in &day.staff {
            let works = self.parts.iter().filter(|p| p.busy).all(|p| {
                let seg = self.range(start, p.from_min, p.to_min, 0, 0);
                working.iter().any(|w| w.contains(&seg))
            });
            if !works {
                continue;
            }
            someone_works = true;
            let free = self
                .parts
                .iter()
                .filter(|p| p.busy)
                .all(|p| calendar.is_free(staff.id, &self.range(start, p.from_min, p.to_min, p.before, p.after)));
            // Staff are sorted by key, so keeping the first of equal counts breaks ties by key.
            if free && best.is_none_or(|(n, _)| *bookings < n) {
                best = Some((*bookings, staff));
            }
        }
        match best {
            Some((_, staff)) => Ok(self.slot(start, staff.id)),
            None if someone_works => Err(Refusal::Taken),
            None => Err(Refusal::OutsideHours),
        }
    }

    /// The slot for `start` performed by `staff`, without checking anything.
    pub fn slot(&self, start: Timestamp, staff: StaffId) -> Slot {
        let segments = self
            .service
            .def
            .segments
            .iter()
            .zip(&self.parts)
            .map(|(def, p)| Segment {
                name: def.name.clone(),
                range: self.range(start, p.from_min, p.to_min, 0, 0),
                staff_busy: p.busy,
                block: p.busy.then(|| self.range(start, p.from_min, p.to_min, p.before, p.after)),
            })
            .collect();
        Slot { start, end: start + SignedDuration::from_mins(self.duration_min), staff_id: staff, segments }
    }

    fn range(&self, start: Timestamp, from_min: i64, to_min: i64, before: i64, after: i64) -> TimeRange {
        let s = start + SignedDuration::from_mins(from_min - before);
        let e = start + SignedDuration::from_mins(to_min + after);
        TimeRange::new(s, e).expect("segments have positive durations")
    }

    /// The instant of a wall-clock start time, or `None` if it does not exist that day.
    fn exact_instant(&self, date: Date, t: ClockTime) -> Option<Timestamp> {
        let dt = date.to_datetime(t.to_time()?);
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
            AmbiguousOffset::Gap { .. } => None,
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        }
    }

    /// The instant of an interval boundary; 24:00 is the next midnight; a boundary in a gap
    /// moves forward.
    fn boundary(&self, date: Date, t: ClockTime) -> Timestamp {
        match t.to_time() {
            Some(time) => self.lenient_instant(date.to_datetime(time)),
            None => self.midnight(date.tomorrow().unwrap_or(date)),
        }
    }

    fn lenient_instant(&self, dt: DateTime) -> Timestamp {
        self.tz.to_ambiguous_timestamp(dt).compatible().unwrap_or(self.now)
    }

    fn midnight(&self, date: Date) -> Timestamp {
        self.lenient_instant(date.to_datetime(jiff::civil::Time::midnight()))
    }
}

fn days_from(first: Date, count: i32) -> impl Iterator<Item = Date> {
    (0..count.max(0)).filter_map(move |i| first.checked_add(i64::from(i).days()).ok())
}

#[cfg(test)]
mod tests;
