//! Time primitives: instants and ranges in UTC, wall-clock opening hours, weekdays, date spans,
//! and the business clock.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A half-open interval `[start, end)` of instants, never empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    start: Timestamp,
    end: Timestamp,
}

/// A time range whose end is not after its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a time range must end after it starts ({start} .. {end})")]
pub struct EmptyRange {
    /// The offending start.
    pub start: Timestamp,
    /// The offending end.
    pub end: Timestamp,
}

impl TimeRange {
    /// A range from `start` (inclusive) to `end` (exclusive); `end` must be after `start`.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, EmptyRange> {
        if start < end { Ok(Self { start, end }) } else { Err(EmptyRange { start, end }) }
    }

    /// A range of `minutes` (> 0) starting at `start`.
    pub fn starting_at(start: Timestamp, minutes: u32) -> Result<Self, EmptyRange> {
        Self::new(start, start + SignedDuration::from_mins(i64::from(minutes)))
    }

    /// First instant in the range.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// First instant after the range.
    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Length of the range.
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }

    /// Whether the two ranges share at least one instant (touching ends do not overlap).
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies entirely within `self`.
    pub fn contains(&self, other: &TimeRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The range widened by `before` minutes at the start and `after` minutes at the end.
    pub fn widened(&self, before: u32, after: u32) -> TimeRange {
        TimeRange {
            start: self.start - SignedDuration::from_mins(i64::from(before)),
            end: self.end + SignedDuration::from_mins(i64::from(after)),
        }
    }
}

/// A wall-clock time of day with minute precision, from 00:00 up to and including 24:00 (the
/// end of a day that closes at midnight).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// Midnight at the start of the day.
    pub const MIDNIGHT: ClockTime = ClockTime(0);
    /// Midnight at the end of the day.
    pub const END_OF_DAY: ClockTime = ClockTime(24 * 60);

    /// From hours and minutes; `None` unless 00:00 ≤ t ≤ 24:00.
    pub fn from_hm(hour: u8, minute: u8) -> Option<Self> {
        let total = u16::from(hour) * 60 + u16::from(minute);
        (minute < 60 && total <= 24 * 60).then_some(Self(total))
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// From minutes since midnight (≤ 1440).
    pub fn from_minutes(minutes: u16) -> Option<Self> {
        (minutes <= 24 * 60).then_some(Self(minutes))
    }

    /// Parses `HH:MM` exactly (two digits each); `24:00` is allowed.
    pub fn parse(s: &str) -> Option<Self> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        Self::from_hm(h.parse().ok()?, m.parse().ok()?)
    }

    /// As a civil time; 24:00 has none.
    pub fn to_time(self) -> Option<Time> {
        (self.0 < 24 * 60).then(|| Time::constant((self.0 / 60) as i8, (self.0 % 60) as i8, 0, 0))
    }

    /// From a civil time, dropping seconds.
    pub fn from_time(t: Time) -> Self {
        Self(t.hour() as u16 * 60 + t.minute() as u16)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One opening interval of a day, `open` < `close`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpenInterval {
    open: ClockTime,
    close: ClockTime,
}

impl OpenInterval {
    /// An interval; `open` must be before `close`.
    pub fn new(open: ClockTime, close: ClockTime) -> Option<Self> {
        (open < close).then_some(Self { open, close })
    }

    /// Parses `HH:MM-HH:MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('-')?;
        Self::new(ClockTime::parse(a.trim())?, ClockTime::parse(b.trim())?)
    }

    /// Opening time.
    pub fn open(&self) -> ClockTime {
        self.open
    }

    /// Closing time.
    pub fn close(&self) -> ClockTime {
        self.close
    }

    /// The overlap of two intervals, if any.
    pub fn intersect(&self, other: &OpenInterval) -> Option<OpenInterval> {
        OpenInterval::new(self.open.max(other.open), self.close.min(other.close))
    }
}

impl fmt::Display for OpenInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.open, self.close)
    }
}

/// The opening intervals of one weekday: sorted, not overlapping, possibly empty (closed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DayHours(Vec<OpenInterval>);

/// Two intervals of one day overlap.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("intervals {0} and {1} overlap")]
pub struct OverlappingIntervals(pub OpenInterval, pub OpenInterval);

impl DayHours {
    /// Sorts the intervals and rejects overlapping ones (touching is fine: 09:00-13:00, 13:00-18:00).
    pub fn new(mut intervals: Vec<OpenInterval>) -> Result<Self, OverlappingIntervals> {
        intervals.sort_by_key(|i| (i.open, i.close));
        for pair in intervals.windows(2) {
            if pair[1].open < pair[0].close {
                return Err(OverlappingIntervals(pair[0], pair[1]));
            }
        }
        Ok(Self(intervals))
    }

    /// A closed day.
    pub fn closed() -> Self {
        Self(Vec::new())
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[OpenInterval] {
        &self.0
    }

    /// Whether there are no opening intervals.
    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }

    /// Times open in both `self` and `other`.
    pub fn intersect(&self, other: &DayHours) -> DayHours {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                out.extend(a.intersect(b));
            }
        }
        out.sort_by_key(|i| i.open);
        DayHours(out)
    }
}

/// Opening hours for each day of the week, Monday first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WeeklyHours([DayHours; 7]);

impl WeeklyHours {
    /// From the seven days, Monday first.
    pub fn new(days: [DayHours; 7]) -> Self {
        Self(days)
    }

    /// The hours of one weekday.
    pub fn day(&self, weekday: Weekday) -> &DayHours {
        &self.0[weekday.to_monday_zero_offset() as usize]
    }

    /// Times open in both weekly schedules, day by day.
    pub fn intersect(&self, other: &WeeklyHours) -> WeeklyHours {
        WeeklyHours(std::array::from_fn(|i| self.0[i].intersect(&other.0[i])))
    }

    /// The days, Monday first.
    pub fn days(&self) -> &[DayHours; 7] {
        &self.0
    }
}

/// Weekday names as used in tenant files and the wire: `mon` … `sun`.
pub const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// An inclusive span of calendar days (an absence, a holiday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateSpan {
    from: Date,
    to: Date,
}

impl DateSpan {
    /// `from` ≤ `to`, both inclusive.
    pub fn new(from: Date, to: Date) -> Option<Self> {
        (from <= to).then_some(Self { from, to })
    }

    /// First day.
    pub fn from(&self) -> Date {
        self.from
    }

    /// Last day (inclusive).
    pub fn to(&self) -> Date {
        self.to
    }

    /// Whether `date` falls within the span.
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
}

/// The business clock: what "now" is for bookings. Tests and simulations start it at a fixed
/// instant; signature freshness never uses it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current business instant.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that started at a chosen instant and runs forward in real time.
#[derive(Clone, Copy, Debug)]
pub struct ShiftedClock {
    offset: SignedDuration,
}

impl ShiftedClock {
    /// A clock that reads `start` now and advances with real time from here.
    pub fn starting_at(start: Timestamp) -> Self {
        Self { offset: start.duration_since(Timestamp::now()) }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        Timestamp::now() + self.offset
    }
}

/// A clock that never moves, for tests.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_parse_strictly() {
        assert_eq!(ClockTime::parse("09:30").unwrap().minutes(), 570);
        assert_eq!(ClockTime::parse("24:00"), Some(ClockTime::END_OF_DAY));
        for bad in ["25:00", "24:01", "9:30", "09:60", "0930", "", "ab:cd"] {
            assert!(ClockTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn day_hours_reject_overlap_but_allow_touching() {
        let iv = |s| OpenInterval::parse(s).unwrap();
        assert!(DayHours::new(vec![iv("09:00-13:00"), iv("12:00-18:00")]).is_err());
        let ok = DayHours::new(vec![iv("14:00-20:00"), iv("09:00-14:00")]).unwrap();
        assert_eq!(ok.intervals()[0], iv("09:00-14:00"));
        assert!(OpenInterval::parse("18:00-09:00").is_none());
    }

    #[test]
    fn intersection_of_hours() {
        let iv = |s| OpenInterval::parse(s).unwrap();
        let branch = DayHours::new(vec![iv("09:00-13:00"), iv("14:00-20:00")]).unwrap();
        let staff = DayHours::new(vec![iv("12:00-18:00")]).unwrap();
        assert_eq!(branch.intersect(&staff).intervals(), &[iv("12:00-13:00"), iv("14:00-18:00")]);
    }

    #[test]
    fn ranges_overlap_only_when_sharing_time() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let a = TimeRange::new(t("2026-03-10T09:00:00Z"), t("2026-03-10T10:00:00Z")).unwrap();
        let b = TimeRange::new(t("2026-03-10T10:00:00Z"), t("2026-03-10T11:00:00Z")).unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.widened(0, 1).overlaps(&b));
        assert!(TimeRange::new(t("2026-03-10T10:00:00Z"), t("2026-03-10T10:00:00Z")).is_err());
    }
}
