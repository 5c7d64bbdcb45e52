//! Understanding dates and times as callers say them, in German and English.
//!
//! The voice agent passes arguments as the caller said them ("morgen", "nächste Woche Montag",
//! "halb drei", "2:30 p.m.") or as ISO. Every word must be understood: a phrase with an unknown
//! word is refused (the agent then asks again), never guessed at.
//!
//! Rules:
//! - A weekday alone is its next occurrence after today. With "nächste Woche"/"next week" it is
//!   that weekday in the next calendar week (Monday to Sunday); "übernächsten Mittwoch"/"the
//!   Wednesday after next" is the occurrence after the next one.
//! - "nächsten"/"next" <weekday> is ambiguous when the weekday's next occurrence lies in the
//!   current calendar week: said on a Tuesday, "nächsten Mittwoch" may be tomorrow or the week
//!   after. Both readings are returned ([`Understood::other`]) and the caller is asked. Said on a
//!   Friday, "next Monday" is the coming Monday.
//! - Relative offsets count from today: "in einer Woche", "in two days", "three weeks from now",
//!   "in einem Monat". Past references ("gestern", "last Monday", "vor zwei Tagen") resolve to
//!   their past date, so that the answer can say it is past rather than not understood.
//! - An ordinal day ("am dritten", "the third", "the 3rd") is the next such day of a month.
//! - A day of the month without a month is the next such day; a date without a year is the next
//!   such date (so "15. Januar" said in December is next year's).
//! - `HH:MM` is a 24-hour time. Spoken hours from 1 to 7 without "morgens"/"am" are afternoon
//!   hours ("halb drei" is 14:30; nobody books a haircut at 2:30 at night); 8 to 12 are as said.
//! - "nachmittags", "morning", … alone are a part of the day, not a time.
//! - A time of day that does not exist on a date (the spring-forward gap) is refused by
//!   [`local_instant`]; one that exists twice means its first occurrence.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

use crate::availability::TimeWindow;
use crate::time::ClockTime;

/// A time of day, or a part of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeOfDay {
    /// An exact time.
    At(ClockTime),
    /// Morning, afternoon or evening.
    Window(TimeWindow),
}

/// What a phrase said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Understood {
    /// The date, if the phrase named one.
    pub date: Option<Date>,
    /// The time or part of the day, if the phrase named one.
    pub time: Option<TimeOfDay>,
    /// The other reading of an ambiguous date phrase (`date` is the nearer one): ask which.
    pub other: Option<Date>,
}

/// Which reading a bare number gets: "15" as an argument for a date is the 15th, for a time 15:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The argument is a date.
    Date,
    /// The argument is a time.
    Time,
}

/// A phrase that was not understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not understood")]
pub struct NotUnderstood;

/// Reads a date and/or time from `input`, relative to `today`.
pub fn understand(input: &str, today: Date, expect: Expect) -> Result<Understood, NotUnderstood> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.len() > 80 {
        return Err(NotUnderstood);
    }
    if let Ok(date) = trimmed.parse::<Date>()
        && trimmed.len() == 10
    {
        return Ok(Understood { date: Some(date), time: None, other: None });
    }
    if let Some(dt) = parse_iso_local(trimmed) {
        let time = Some(TimeOfDay::At(ClockTime::from_time(dt.time())));
        return Ok(Understood { date: Some(dt.date()), time, other: None });
    }
    let tokens = tokenize(trimmed);
    Parser { tokens: &tokens, pos: 0, today, expect, found: Found::default() }.run()
}

/// Reads a date.
pub fn parse_date(input: &str, today: Date) -> Result<Date, NotUnderstood> {
    understand(input, today, Expect::Date)?.date.ok_or(NotUnderstood)
}

/// Reads a time or part of the day (a date in the phrase is ignored).
pub fn parse_time(input: &str, today: Date) -> Result<TimeOfDay, NotUnderstood> {
    understand(input, today, Expect::Time)?.time.ok_or(NotUnderstood)
}

/// An ISO date-time with an explicit offset or `Z` (`2026-03-12T14:00:00+01:00`): the instant it
/// names, whatever the branch's time zone.
pub fn parse_instant(input: &str) -> Option<Timestamp> {
    let s = input.trim();
    let has_offset = s.ends_with('Z') || s.ends_with('z') || s.get(10..).is_some_and(|rest| rest.contains(['+', '-']));
    if !has_offset {
        return None;
    }
    s.parse::<Timestamp>().ok()
}

fn parse_iso_local(s: &str) -> Option<DateTime> {
    if s.len() < 16 || !s.as_bytes()[4].eq(&b'-') {
        return None;
    }
    s.replacen(' ', "T", 1).parse::<DateTime>().ok()
}

/// A date and wall-clock time at a place, as an instant. `None` if that time does not exist that
/// day (the spring-forward gap); a time that exists twice is its first occurrence.
pub fn local_instant(date: Date, time: ClockTime, tz: &TimeZone) -> Option<Timestamp> {
    let dt = date.to_datetime(time.to_time()?);
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { .. } => None,
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
    }
}

/// The next occurrence of a wall-clock time after `now` at a place: today if still ahead, else
/// tomorrow ("a time alone means the next such time").
pub fn next_occurrence(time: ClockTime, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    let today = now.to_zoned(tz.clone()).date();
    [today, today.tomorrow().ok()?].into_iter().filter_map(|d| local_instant(d, time, tz)).find(|t| *t > now)
}

fn tokenize(input: &str) -> Vec<String> {
    let mut s = String::with_capacity(input.len());
    for c in input.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => s.push_str("ae"),
            'ö' => s.push_str("oe"),
            'ü' => s.push_str("ue"),
            'ß' => s.push_str("ss"),
            'é' | 'è' => s.push('e'),
            ',' | ';' | '!' | '?' | '(' | ')' | '"' | '\'' | '’' | '-' | '–' => s.push(' '),
            c => s.push(c),
        }
    }
    let s = s.replace("p.m.", " pm ").replace("a.m.", " am ").replace("o clock", "oclock");
    let mut out = Vec::new();
    for raw in s.split_whitespace() {
        // Split glued units: "14uhr", "2pm", "2:30pm", "15th".
        let digits_end = raw.find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '.' | '/'))).unwrap_or(raw.len());
        let (number, unit) = raw.split_at(digits_end);
        if number.is_empty() || unit.is_empty() {
            out.push(raw.to_owned());
            continue;
        }
        match unit {
            "st" | "nd" | "rd" | "th" | "ten" | "te" | "ter" => out.push(format!("{}.", number.trim_end_matches('.'))),
            _ => {
                out.push(number.to_owned());
                out.push(unit.trim_start_matches('.').to_owned());
            }
        }
    }
    out
}

#[derive(Default)]
struct Found {
    relative_days: Option<i64>,
    relative_months: Option<i64>,
    weekday: Option<Weekday>,
    /// "nächsten"/"next" right before the weekday (the reading may be ambiguous).
    next_weekday: bool,
    /// "übernächsten Mittwoch": occurrences to skip.
    skip_weeks: Option<i64>,
    /// "letzten Montag": the weekday's last occurrence before today.
    last_weekday: bool,
    next_week: Option<i64>,
    day: Option<i8>,
    month: Option<i8>,
    year: Option<i16>,
    hour: Option<(i8, i8, bool)>, // hour, minute, spoken (the 1–7 afternoon rule applies)
    period: Option<TimeWindow>,
    /// `Some(true)` for p.m., `Some(false)` for a.m.
    meridiem: Option<bool>,
}

struct Parser<'a> {
    tokens: &'a [String],
    pos: usize,
    today: Date,
    expect: Expect,
    found: Found,
}

const FILLERS: &[&str] = &[
    "am",
    "an",
    "den",
    "dem",
    "der",
    "die",
    "das",
    "on",
    "the",
    "at",
    "um",
    "this",
    "diesen",
    "diese",
    "dieser",
    "kommenden",
    "kommende",
    "coming",
    "bitte",
    "please",
    "so",
    "for",
    "fuer",
    "ab",
    "from",
    "of",
    "in",
    "gegen",
    "around",
    "by",
    "etwa",
    "circa",
    "ca",
    "uhr",
    "ungefaehr",
    "and",
    "und",
    "oder",
    "es",
    "geht",
    "gerne",
    "gern",
    "also",
    "im",
    "laufe",
    "des",
    "tages",
    "day",
    "termin",
    "appointment",
    "o",
    "clock",
];

impl Parser<'_> {
    fn peek(&self, offset: usize) -> Option<&str> {
        self.tokens.get(self.pos + offset).map(String::as_str)
    }

    fn run(mut self) -> Result<Understood, NotUnderstood> {
        while self.pos < self.tokens.len() {
            let consumed = self.step()?;
            self.pos += consumed.max(1);
        }
        self.finish()
    }

    /// Recognises what starts at the current token; returns how many tokens it used.
    fn step(&mut self) -> Result<usize, NotUnderstood> {
        let t = self.peek(0).unwrap_or_default().to_owned();
        let next = self.peek(1).map(str::to_owned);

        // Relative days.
        match t.as_str() {
            "heute" | "today" => return self.set_relative(0),
            "tonight" => {
                self.set_period(TimeWindow::Evening)?;
                return self.set_relative(0);
            }
            "morgen" | "tomorrow" => {
                // "heute morgen" is this morning; "morgen früh" is tomorrow morning.
                if self.found.relative_days == Some(0) && self.pos > 0 && self.tokens[self.pos - 1] == "heute" {
                    return self.set_period(TimeWindow::Morning).map(|_| 1);
                }
                return self.set_relative(1);
            }
            "uebermorgen" => return self.set_relative(2),
            "gestern" | "yesterday" => return self.set_relative(-1),
            "vorgestern" => return self.set_relative(-2),
            "day" if next.as_deref() == Some("after") && self.peek(2) == Some("tomorrow") => {
                self.set_relative(2)?;
                return Ok(3);
            }
            "day" if next.as_deref() == Some("before") && self.peek(2) == Some("yesterday") => {
                self.set_relative(-2)?;
                return Ok(3);
            }
            _ => {}
        }
        // Offsets: "in 3 Tagen", "in einer Woche", "in two weeks", "in a month", "vor zwei
        // Tagen"; "two days from now", "a week from today", "three days ago".
        if matches!(t.as_str(), "in" | "vor")
            && let Some(n) = next.as_deref().and_then(count)
            && let Some(offset) = self.peek(2).and_then(|u| Offset::of(u, n))
        {
            self.add_offset(if t == "vor" { offset.negated() } else { offset })?;
            return Ok(3);
        }
        if let Some(n) = count(&t)
            && let Some(offset) = next.as_deref().and_then(|u| Offset::of(u, n))
        {
            match (self.peek(2), self.peek(3)) {
                (Some("from" | "ab"), Some("now" | "today" | "heute" | "jetzt")) => {
                    self.add_offset(offset)?;
                    return Ok(4);
                }
                (Some("ago"), _) => {
                    self.add_offset(offset.negated())?;
                    return Ok(3);
                }
                _ => {}
            }
        }
        // Week modifiers.
        let week_word = |w: Option<&str>| matches!(w, Some("woche" | "week"));
        if matches!(t.as_str(), "naechste" | "naechsten" | "naechster" | "next" | "kommende")
            && week_word(next.as_deref())
        {
            self.found.next_week = Some(1);
            return Ok(2);
        }
        if matches!(t.as_str(), "uebernaechste" | "uebernaechsten") && week_word(next.as_deref()) {
            self.found.next_week = Some(2);
            return Ok(2);
        }
        if t == "week" && next.as_deref() == Some("after") && self.peek(2) == Some("next") {
            self.found.next_week = Some(2);
            return Ok(3);
        }
        if matches!(t.as_str(), "letzte" | "letzten" | "letzter" | "vergangene" | "vergangenen" | "last" | "past")
            && week_word(next.as_deref())
        {
            self.found.next_week = Some(-1);
            return Ok(2);
        }
        if matches!(t.as_str(), "naechste" | "naechsten" | "naechster" | "next")
            && next.as_deref().and_then(weekday).is_some()
        {
            self.found.next_weekday = true;
            return Ok(1);
        }
        if matches!(t.as_str(), "uebernaechste" | "uebernaechsten" | "uebernaechster")
            && next.as_deref().and_then(weekday).is_some()
        {
            self.set(|f| &mut f.skip_weeks, 1)?;
            return Ok(1);
        }
        if matches!(t.as_str(), "letzte" | "letzten" | "letzter" | "vergangenen" | "last" | "past")
            && next.as_deref().and_then(weekday).is_some()
        {
            self.found.last_weekday = true;
            return Ok(1);
        }
        if let Some(w) = weekday(&t) {
            self.set(|f| &mut f.weekday, w)?;
            // "Wednesday after next".
            if next.as_deref() == Some("after") && self.peek(2) == Some("next") {
                self.set(|f| &mut f.skip_weeks, 1)?;
                return Ok(3);
            }
            return Ok(1);
        }
        // German compounds: "Dienstagvormittag", "montagabends", "Freitagnachmittag".
        if let Some((w, period)) = weekday_compound(&t) {
            self.set(|f| &mut f.weekday, w)?;
            self.set_period(period)?;
            return Ok(1);
        }
        // Ordinal words: "am dritten", "the third (of March)", "twenty first".
        if let Some(used) = self.ordinal(&t)? {
            return Ok(used);
        }
        if let Some(m) = month(&t) {
            self.set(|f| &mut f.month, m)?;
            // "March 15", "März 15."
            if let Some(d) = next.as_deref().and_then(day_token) {
                self.set(|f| &mut f.day, d)?;
                return Ok(2);
            }
            return Ok(1);
        }
        if let Some(period) = period_word(&t) {
            self.set_period(period)?;
            return Ok(1);
        }
        // "pm" always; "am" only after a time and not before a date ("14 Uhr am Dienstag").
        let starts_date =
            |n: &str| weekday(n).is_some() || month(n).is_some() || day_token(n).is_some() || number(n).is_some();
        if t == "pm" || (t == "am" && self.found.hour.is_some() && !next.as_deref().is_some_and(starts_date)) {
            self.set(|f| &mut f.meridiem, t == "pm")?;
            return Ok(1);
        }
        if t == "noon" || t == "midday" {
            self.set_hour(12, 0, false)?;
            return Ok(1);
        }
        if t == "midnight" || t == "mitternacht" {
            return Err(NotUnderstood);
        }
        // Spoken times: "halb drei", "viertel nach zehn", "half past two", "quarter to ten".
        if let Some(used) = self.spoken_time(&t)? {
            return Ok(used);
        }
        // Numbers: years, numeric dates, clock times, days, hours.
        if let Some(used) = self.numeric(&t)? {
            return Ok(used);
        }
        if FILLERS.contains(&t.as_str()) {
            return Ok(1);
        }
        Err(NotUnderstood)
    }

    fn spoken_time(&mut self, t: &str) -> Result<Option<usize>, NotUnderstood> {
        let hour_at = |p: &Self, i: usize| p.peek(i).and_then(number).filter(|h| (1..=12).contains(h));
        match t {
            "halb" => {
                let h = hour_at(self, 1).ok_or(NotUnderstood)?;
                self.set_hour(prev_hour(h), 30, true)?;
                Ok(Some(2))
            }
            "viertel" => match self.peek(1) {
                Some("nach") => {
                    let h = hour_at(self, 2).ok_or(NotUnderstood)?;
                    self.set_hour(h as i8, 15, true)?;
                    Ok(Some(3))
                }
                Some("vor") => {
                    let h = hour_at(self, 2).ok_or(NotUnderstood)?;
                    self.set_hour(prev_hour(h), 45, true)?;
                    Ok(Some(3))
                }
                _ => {
                    // Regional "viertel drei" = 2:15.
                    let h = hour_at(self, 1).ok_or(NotUnderstood)?;
                    self.set_hour(prev_hour(h), 15, true)?;
                    Ok(Some(2))
                }
            },
            "dreiviertel" => {
                let h = hour_at(self, 1).ok_or(NotUnderstood)?;
                self.set_hour(prev_hour(h), 45, true)?;
                Ok(Some(2))
            }
            "half" if self.peek(1) == Some("past") => {
                let h = hour_at(self, 2).ok_or(NotUnderstood)?;
                self.set_hour(h as i8, 30, true)?;
                Ok(Some(3))
            }
            "quarter" if matches!(self.peek(1), Some("past" | "after")) => {
                let h = hour_at(self, 2).ok_or(NotUnderstood)?;
                self.set_hour(h as i8, 15, true)?;
                Ok(Some(3))
            }
            "quarter" if matches!(self.peek(1), Some("to" | "before" | "til")) => {
                let h = hour_at(self, 2).ok_or(NotUnderstood)?;
                self.set_hour(prev_hour(h), 45, true)?;
                Ok(Some(3))
            }
            _ => {
                // "zehn nach drei", "twenty past two", "fünf vor vier" (minutes, not hours).
                if let Some(m) = number(t).filter(|m| (1..=29).contains(m))
                    && matches!(self.peek(1), Some("nach" | "past" | "after" | "vor" | "to" | "before"))
                    && let Some(h) = hour_at(self, 2)
                {
                    let m = m as i8;
                    if matches!(self.peek(1), Some("nach" | "past" | "after")) {
                        self.set_hour(h as i8, m, true)?;
                    } else {
                        self.set_hour(prev_hour(h), 60 - m, true)?;
                    }
                    return Ok(Some(3));
                }
                Ok(None)
            }
        }
    }

    fn numeric(&mut self, t: &str) -> Result<Option<usize>, NotUnderstood> {
        let next = self.peek(1).map(str::to_owned);
        // A four-digit year.
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            let y: i16 = t.parse().map_err(|_| NotUnderstood)?;
            if !(2000..=2100).contains(&y) {
                return Err(NotUnderstood);
            }
            return self.set(|f| &mut f.year, y).map(|_| Some(1));
        }
        // Clock times: "14:15", "14:15:00", "14.15 Uhr".
        if let Some((h, m)) = clock(t, ':') {
            self.set_hour(h, m, false)?;
            return Ok(Some(1));
        }
        if let Some((h, m)) = clock(t, '.')
            && (matches!(next.as_deref(), Some("uhr")) || self.expect == Expect::Time)
        {
            self.set_hour(h, m, false)?;
            return Ok(Some(if matches!(next.as_deref(), Some("uhr")) { 2 } else { 1 }));
        }
        // Numeric dates: "15.3.", "15.03.2027", "3/15", "3/15/2027".
        if let Some((d, m, y)) = numeric_date(t) {
            self.set(|f| &mut f.day, d)?;
            self.set(|f| &mut f.month, m)?;
            if let Some(y) = y {
                self.set(|f| &mut f.year, y)?;
            }
            return Ok(Some(1));
        }
        // An ordinal day, "15." / "15th", possibly followed by a month.
        if t.ends_with('.')
            && let Some(d) = day_token(t)
        {
            self.set(|f| &mut f.day, d)?;
            if let Some(m) = next.as_deref().and_then(month) {
                self.set(|f| &mut f.month, m)?;
                return Ok(Some(2));
            }
            return Ok(Some(1));
        }
        let Some(n) = number(t) else { return Ok(None) };
        // "14 Uhr 30", "2 pm", "10 in the morning", "3 o'clock".
        match next.as_deref() {
            Some("uhr") => {
                let minute = self.peek(2).and_then(number).filter(|m| *m < 60);
                if n > 24 {
                    return Err(NotUnderstood);
                }
                self.set_hour(n as i8, minute.unwrap_or(0) as i8, n <= 12)?;
                return Ok(Some(if minute.is_some() { 3 } else { 2 }));
            }
            Some("pm" | "am") => {
                if !(1..=12).contains(&n) {
                    return Err(NotUnderstood);
                }
                self.set(|f| &mut f.meridiem, next.as_deref() == Some("pm"))?;
                self.set_hour(n as i8, 0, true)?;
                return Ok(Some(2));
            }
            Some("oclock") => {
                self.set_hour(n as i8, 0, true)?;
                return Ok(Some(2));
            }
            _ => {}
        }
        // "March 15 2027" is handled by the month; "15 March": a day before a month name.
        if let Some(m) = next.as_deref().and_then(month)
            && (1..=31).contains(&n)
        {
            self.set(|f| &mut f.day, n as i8)?;
            self.set(|f| &mut f.month, m)?;
            return Ok(Some(2));
        }
        // English "two thirty", "two forty five": an hour word followed by minute words.
        if let Some(m) = next.as_deref().and_then(number).filter(|m| (10..60).contains(m))
            && (1..=12).contains(&n)
            && !t.bytes().all(|b| b.is_ascii_digit())
        {
            let unit = self.peek(2).and_then(number).filter(|u| (1..=9).contains(u) && m % 10 == 0 && m >= 20);
            self.set_hour(n as i8, (m + unit.unwrap_or(0)) as i8, true)?;
            return Ok(Some(if unit.is_some() { 3 } else { 2 }));
        }
        // A bare number: a day for a date argument, an hour for a time argument — but after
        // "um"/"at" always an hour ("Freitag um 9", "Monday at 9").
        let after_at = self.pos > 0 && matches!(self.tokens[self.pos - 1].as_str(), "um" | "at" | "gegen" | "around");
        match self.expect {
            Expect::Date if (1..=31).contains(&n) && self.found.day.is_none() && !after_at => {
                self.set(|f| &mut f.day, n as i8).map(|_| Some(1))
            }
            _ if n <= 24 => self.set_hour(n as i8, 0, n <= 12).map(|_| Some(1)),
            _ => Err(NotUnderstood),
        }
    }

    fn set<T: PartialEq>(
        &mut self,
        field: impl Fn(&mut Found) -> &mut Option<T>,
        value: T,
    ) -> Result<(), NotUnderstood> {
        let slot = field(&mut self.found);
        match slot {
            Some(existing) if *existing != value => Err(NotUnderstood),
            _ => {
                *slot = Some(value);
                Ok(())
            }
        }
    }

    fn set_relative(&mut self, days: i64) -> Result<usize, NotUnderstood> {
        self.set(|f| &mut f.relative_days, days).map(|_| 1)
    }

    /// Adds an offset to the day said so far ("heute in einer Woche", "morgen in zwei Wochen").
    fn add_offset(&mut self, offset: Offset) -> Result<(), NotUnderstood> {
        match offset {
            Offset::Days(d) => self.found.relative_days = Some(self.found.relative_days.unwrap_or(0) + d),
            Offset::Months(m) => self.set(|f| &mut f.relative_months, m)?,
        }
        Ok(())
    }

    /// An ordinal day in words, maybe with its month: "dritten", "dritten März", "third of March",
    /// "twenty first".
    fn ordinal(&mut self, t: &str) -> Result<Option<usize>, NotUnderstood> {
        let tens = number(t).filter(|n| matches!(n, 20 | 30));
        let (day, mut used) = match (tens, self.peek(1).and_then(ordinal_word)) {
            (Some(tens), Some(unit)) if (1..=9).contains(&unit) => (tens + unit, 2),
            _ => match ordinal_word(t) {
                Some(d) => (d, 1),
                None => return Ok(None),
            },
        };
        self.set(|f| &mut f.day, i8::try_from(day).map_err(|_| NotUnderstood)?)?;
        let month_at = |p: &Self, i: usize| p.peek(i).and_then(month);
        if let Some(m) = month_at(self, used) {
            self.set(|f| &mut f.month, m)?;
            used += 1;
        } else if self.peek(used) == Some("of")
            && let Some(m) = month_at(self, used + 1)
        {
            self.set(|f| &mut f.month, m)?;
            used += 2;
        }
        Ok(Some(used))
    }

    fn set_period(&mut self, period: TimeWindow) -> Result<(), NotUnderstood> {
        self.set(|f| &mut f.period, period)
    }

    fn set_hour(&mut self, hour: i8, minute: i8, spoken: bool) -> Result<(), NotUnderstood> {
        if !(0..=24).contains(&hour) || !(0..60).contains(&minute) {
            return Err(NotUnderstood);
        }
        self.set(|f| &mut f.hour, (hour, minute, spoken))
    }

    fn finish(self) -> Result<Understood, NotUnderstood> {
        let (date, other) = match self.date(&self.found)? {
            Some((date, other)) => (Some(date), other),
            None => (None, None),
        };
        let f = self.found;
        let time = match (f.hour, f.period) {
            (Some((h, m, spoken)), period) => {
                let hour = match (f.meridiem, period) {
                    (Some(_), _) if !(1..=12).contains(&h) => return Err(NotUnderstood),
                    (Some(true), _) => h % 12 + 12,
                    (Some(false), _) => h % 12,
                    (None, period) => Self::spoken_hour(h, spoken, period),
                };
                let t = ClockTime::from_hm(hour as u8, m as u8).filter(|t| *t < ClockTime::END_OF_DAY);
                Some(TimeOfDay::At(t.ok_or(NotUnderstood)?))
            }
            (None, Some(p)) => Some(TimeOfDay::Window(p)),
            (None, None) if f.meridiem.is_some() => return Err(NotUnderstood),
            (None, None) => None,
        };
        if date.is_none() && time.is_none() {
            return Err(NotUnderstood);
        }
        Ok(Understood { date, time, other })
    }

    /// The 24-hour hour of a spoken hour, given the part of the day the caller named.
    fn spoken_hour(h: i8, spoken: bool, period: Option<TimeWindow>) -> i8 {
        match period {
            _ if !spoken || h > 12 => h,
            Some(TimeWindow::Morning) => h % 12,
            // "12 Uhr mittags" is noon, "1 Uhr mittags" 13:00; "11 Uhr mittags" stays 11.
            Some(TimeWindow::Midday) if (8..=11).contains(&h) => h,
            Some(TimeWindow::Midday | TimeWindow::Afternoon | TimeWindow::Evening) => {
                if h == 12 {
                    12
                } else {
                    h + 12
                }
            }
            None if (1..=7).contains(&h) => h + 12,
            None => h,
        }
    }

    /// The date said, and its other reading if it has two.
    fn date(&self, f: &Found) -> Result<Option<(Date, Option<Date>)>, NotUnderstood> {
        let today = self.today;
        let explicit = f.day.is_some() || f.month.is_some() || f.year.is_some();
        let weekday_words = f.next_weekday || f.skip_weeks.is_some() || f.last_weekday;
        if (weekday_words && f.weekday.is_none()) || (f.last_weekday && (f.skip_weeks.is_some() || f.next_weekday)) {
            return Err(NotUnderstood);
        }
        let add = |d: Date, days: i64| d.checked_add(days.days()).map_err(|_| NotUnderstood);
        if let Some(months) = f.relative_months {
            if explicit || f.weekday.is_some() || f.next_week.is_some() {
                return Err(NotUnderstood);
            }
            let date = today.checked_add(months.months()).map_err(|_| NotUnderstood)?;
            return Ok(Some((add(date, f.relative_days.unwrap_or(0))?, None)));
        }
        if explicit {
            if f.relative_days.is_some() || f.next_week.is_some() || weekday_words {
                return Err(NotUnderstood);
            }
            let date = match (f.day, f.month, f.year) {
                (Some(d), Some(m), Some(y)) => Date::new(y, m, d).map_err(|_| NotUnderstood)?,
                (Some(d), Some(m), None) => next_day_month(today, m, d)?,
                (Some(d), None, None) => next_day(today, d)?,
                _ => return Err(NotUnderstood), // a month or a year alone is not a date
            };
            // "Dienstag, den 10. März": the weekday must agree.
            if f.weekday.is_some_and(|w| w != date.weekday()) {
                return Err(NotUnderstood);
            }
            return Ok(Some((date, None)));
        }
        let monday = |d: Date| d.checked_sub(i64::from(d.weekday().to_monday_zero_offset()).days());
        match (f.relative_days, f.weekday, f.next_week) {
            (Some(d), None, None) => Ok(Some((add(today, d)?, None))),
            (None, Some(w), None) if f.last_weekday => {
                Ok(Some((today.nth_weekday(-1, w).map_err(|_| NotUnderstood)?, None)))
            }
            (None, Some(w), None) => {
                let coming = today.nth_weekday(1, w).map_err(|_| NotUnderstood)?;
                if let Some(skip) = f.skip_weeks {
                    return Ok(Some((add(coming, 7 * skip)?, None)));
                }
                // "nächsten Mittwoch" said early in the week: this week's, or next week's?
                let this_week = monday(coming).ok() == monday(today).ok();
                let other = (f.next_weekday && this_week).then(|| add(coming, 7)).transpose()?;
                Ok(Some((coming, other)))
            }
            (None, Some(w), Some(weeks)) if !weekday_words => {
                let monday = monday(today).map_err(|_| NotUnderstood)?;
                let offset = 7 * weeks + i64::from(w.to_monday_zero_offset());
                Ok(Some((add(monday, offset)?, None)))
            }
            (None, None, None) if !weekday_words => Ok(None),
            // "nächste Woche" without a day, or contradictions: ask, do not guess.
            _ => Err(NotUnderstood),
        }
    }
}

/// A span counted from today.
#[derive(Clone, Copy)]
enum Offset {
    Days(i64),
    Months(i64),
}

impl Offset {
    /// `n` of the unit word `unit` ("Tagen", "weeks", "Monat", "fortnight").
    fn of(unit: &str, n: i64) -> Option<Offset> {
        Some(match unit {
            "tag" | "tage" | "tagen" | "day" | "days" => Offset::Days(n),
            "woche" | "wochen" | "week" | "weeks" => Offset::Days(7 * n),
            "fortnight" | "fortnights" => Offset::Days(14 * n),
            "monat" | "monate" | "monaten" | "month" | "months" => Offset::Months(n),
            _ => return None,
        })
    }

    fn negated(self) -> Offset {
        match self {
            Offset::Days(d) => Offset::Days(-d),
            Offset::Months(m) => Offset::Months(-m),
        }
    }
}

/// A count before a unit: a number, or an article meaning one ("in einer Woche", "a week").
fn count(t: &str) -> Option<i64> {
    match t {
        "a" | "an" | "one" | "einer" | "einem" | "einen" | "eine" | "ein" => Some(1),
        _ => number(t).filter(|n| (1..=366).contains(n)),
    }
}

/// An ordinal number word: "dritten", "einundzwanzigsten", "third", "twentieth".
fn ordinal_word(t: &str) -> Option<i64> {
    let english = match t {
        "first" => Some(1),
        "second" => Some(2),
        "third" => Some(3),
        "fifth" => Some(5),
        "eighth" => Some(8),
        "ninth" => Some(9),
        "twelfth" => Some(12),
        "twentieth" => Some(20),
        "thirtieth" => Some(30),
        _ => t.strip_suffix("th").and_then(number).filter(|n| (4..=19).contains(n)),
    };
    if english.is_some() {
        return english;
    }
    for suffix in ["sten", "ster", "stes", "stem", "ste"] {
        if let Some(n) = t.strip_suffix(suffix).and_then(number).filter(|n| (20..=31).contains(n)) {
            return Some(n);
        }
    }
    for suffix in ["ten", "ter", "tes", "tem", "te"] {
        if let Some(base) = t.strip_suffix(suffix) {
            return match base {
                "ers" => Some(1),
                "zwei" | "zwo" => Some(2),
                "drit" => Some(3),
                "sieb" | "sieben" => Some(7),
                "ach" => Some(8),
                _ => number(base).filter(|n| (2..=19).contains(n)),
            };
        }
    }
    None
}

/// A German weekday glued to a part of the day: "Dienstagvormittag", "montagabends".
fn weekday_compound(t: &str) -> Option<(Weekday, TimeWindow)> {
    const DAYS: [&str; 8] =
        ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag"];
    let day = DAYS.iter().find(|d| t.starts_with(**d) && t.len() > d.len())?;
    let rest = &t[day.len()..];
    let rest = rest.strip_suffix('s').unwrap_or(rest);
    let period = match rest {
        "morgen" | "frueh" | "vormittag" => TimeWindow::Morning,
        "mittag" => TimeWindow::Midday,
        "nachmittag" => TimeWindow::Afternoon,
        "abend" => TimeWindow::Evening,
        _ => return None,
    };
    Some((weekday(day)?, period))
}

fn prev_hour(h: i64) -> i8 {
    if h == 1 { 12 } else { (h - 1) as i8 }
}

/// The next date with day `d` (this month if not past, else the following months).
fn next_day(today: Date, d: i8) -> Result<Date, NotUnderstood> {
    if !(1..=31).contains(&d) {
        return Err(NotUnderstood);
    }
    let mut first = today.first_of_month();
    for _ in 0..12 {
        if let Ok(date) = Date::new(first.year(), first.month(), d)
            && date >= today
        {
            return Ok(date);
        }
        first = first.checked_add(1.month()).map_err(|_| NotUnderstood)?;
    }
    Err(NotUnderstood)
}

/// The next date with month `m` and day `d` (this year if not past, else next year; 29 February
/// waits for a leap year).
fn next_day_month(today: Date, m: i8, d: i8) -> Result<Date, NotUnderstood> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(NotUnderstood);
    }
    for year in today.year()..today.year() + 8 {
        if let Ok(date) = Date::new(year, m, d)
            && date >= today
        {
            return Ok(date);
        }
    }
    Err(NotUnderstood)
}

fn clock(t: &str, sep: char) -> Option<(i8, i8)> {
    let mut parts = t.split(sep);
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if s.is_some_and(|s| s.len() != 2 || s.parse::<u8>().is_err()) {
        return None;
    }
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=23).contains(&h) && (0..60).contains(&m)).then_some((h, m))
}

fn numeric_date(t: &str) -> Option<(i8, i8, Option<i16>)> {
    let (sep, day_first) = if t.contains('.') {
        ('.', true)
    } else if t.contains('/') {
        ('/', false)
    } else {
        return None;
    };
    let parts: Vec<&str> = t.trim_end_matches(sep).split(sep).collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let a: i8 = parts[0].parse().ok()?;
    let b: i8 = parts[1].parse().ok()?;
    let (d, m) = if day_first || a > 12 { (a, b) } else { (b, a) };
    let y = match parts.get(2) {
        Some(y) if y.len() == 4 => Some(y.parse().ok()?),
        Some(y) if y.len() == 2 => Some(2000 + y.parse::<i16>().ok()?),
        Some(_) => return None,
        None => None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((d, m, y))
}

fn day_token(t: &str) -> Option<i8> {
    let digits = t.trim_end_matches('.');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn weekday(t: &str) -> Option<Weekday> {
    Some(match t {
        "montag" | "monday" | "mon" => Weekday::Monday,
        "dienstag" | "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "mittwoch" | "wednesday" | "wed" => Weekday::Wednesday,
        "donnerstag" | "thursday" | "thu" | "thurs" => Weekday::Thursday,
        "freitag" | "friday" | "fri" => Weekday::Friday,
        "samstag" | "sonnabend" | "saturday" | "sat" => Weekday::Saturday,
        "sonntag" | "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

fn month(t: &str) -> Option<i8> {
    Some(match t.trim_end_matches('.') {
        "januar" | "january" | "jan" | "jaenner" => 1,
        "februar" | "february" | "feb" => 2,
        "maerz" | "marz" | "march" | "mar" => 3,
        "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juni" | "june" | "jun" => 6,
        "juli" | "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "october" | "okt" | "oct" => 10,
        "november" | "nov" => 11,
        "dezember" | "december" | "dez" | "dec" => 12,
        _ => return None,
    })
}

fn period_word(t: &str) -> Option<TimeWindow> {
    Some(match t {
        "morgens" | "vormittag" | "vormittags" | "frueh" | "morning" => TimeWindow::Morning,
        "mittag" | "mittags" | "mittagszeit" | "lunchtime" => TimeWindow::Midday,
        "nachmittag" | "nachmittags" | "afternoon" => TimeWindow::Afternoon,
        "abend" | "abends" | "evening" => TimeWindow::Evening,
        _ => return None,
    })
}

/// A number from digits or a German or English number word (0–59).
fn number(t: &str) -> Option<i64> {
    if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let units = |w: &str| -> Option<i64> {
        Some(match w {
            "null" | "zero" => 0,
            "eins" | "ein" | "eine" | "one" => 1,
            "zwei" | "zwo" | "two" => 2,
            "drei" | "three" => 3,
            "vier" | "four" => 4,
            "fuenf" | "five" => 5,
            "sechs" | "six" => 6,
            "sieben" | "seven" => 7,
            "acht" | "eight" => 8,
            "neun" | "nine" => 9,
            "zehn" | "ten" => 10,
            "elf" | "eleven" => 11,
            "zwoelf" | "twelve" => 12,
            "dreizehn" | "thirteen" => 13,
            "vierzehn" | "fourteen" => 14,
            "fuenfzehn" | "fifteen" => 15,
            "sechzehn" | "sixteen" => 16,
            "siebzehn" | "seventeen" => 17,
            "achtzehn" | "eighteen" => 18,
            "neunzehn" | "nineteen" => 19,
            "zwanzig" | "twenty" => 20,
            "dreissig" | "thirty" => 30,
            "vierzig" | "forty" => 40,
            "fuenfzig" | "fifty" => 50,
            _ => return None,
        })
    };
    if let Some(n) = units(t) {
        return Some(n);
    }
    // German compounds: "fuenfundvierzig", "einundzwanzig".
    let (unit, tens) = t.split_once("und")?;
    let (u, d) = (units(unit)?, units(tens)?);
    ((1..=9).contains(&u) && d % 10 == 0 && d >= 20).then_some(d + u)
}

#[cfg(test)]
mod tests;
