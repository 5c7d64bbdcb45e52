//! How dates, times, money and lists are said: "Dienstag, den 10. März um 14:30 Uhr",
//! "Tuesday, March 10 at 2:30 PM".

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use crate::locale::Language;
use crate::money::{Cents, Currency};
use crate::time::{ClockTime, DayHours};

/// The weekday's name.
pub fn weekday(lang: Language, w: Weekday) -> &'static str {
    let i = w.to_monday_zero_offset() as usize;
    match lang {
        Language::De => ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][i],
        Language::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i],
    }
}

fn month(lang: Language, m: i8) -> &'static str {
    let i = (m.clamp(1, 12) - 1) as usize;
    match lang {
        Language::De => [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ][i],
        Language::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][i],
    }
}

/// A date: "Dienstag, den 10. März" / "Tuesday, March 10"; "heute"/"morgen"/"übermorgen" (or
/// "today"/"tomorrow") in front when it is that close to `today`; the year when it is not this
/// year's.
pub fn date(lang: Language, d: Date, today: Date) -> String {
    let relative = match d.since(today).ok().map(|s| s.get_days()) {
        Some(0) => Some(["heute", "today"]),
        Some(1) => Some(["morgen", "tomorrow"]),
        Some(2) => Some(["übermorgen", "the day after tomorrow"]),
        _ => None,
    };
    let year = (d.year() != today.year()).then_some(d.year());
    let plain = match lang {
        Language::De => {
            let y = year.map(|y| format!(" {y}")).unwrap_or_default();
            format!("{}, den {}. {}{y}", weekday(lang, d.weekday()), d.day(), month(lang, d.month()))
        }
        Language::En => {
            let y = year.map(|y| format!(", {y}")).unwrap_or_default();
            format!("{}, {} {}{y}", weekday(lang, d.weekday()), month(lang, d.month()), d.day())
        }
    };
    match (relative, lang) {
        (Some([de, _]), Language::De) => format!("{de}, {plain}"),
        (Some([_, en]), Language::En) => format!("{en}, {plain}"),
        (None, _) => plain,
    }
}

/// A time: "14:30 Uhr", "14 Uhr" / "2:30 p.m.", "2 p.m.", "noon", "midnight".
pub fn time(lang: Language, t: ClockTime) -> String {
    match lang {
        Language::De => format!("{} Uhr", bare(lang, t)),
        Language::En => match t.minutes() {
            720 => "noon".into(),
            0 | 1440 => "midnight".into(),
            _ => format!("{} {}", bare(lang, t), meridiem(t)),
        },
    }
}

/// A time without its unit: "14:30" / "2:30".
fn bare(lang: Language, t: ClockTime) -> String {
    let (h, m) = (t.minutes() / 60, t.minutes() % 60);
    let h = match lang {
        Language::De => h,
        Language::En => match h % 12 {
            0 => 12,
            x => x,
        },
    };
    if m == 0 { format!("{h}") } else { format!("{h}:{m:02}") }
}

fn meridiem(t: ClockTime) -> &'static str {
    if t.minutes() < 720 || t.minutes() >= 1440 { "a.m." } else { "p.m." }
}

/// Several times as one alternative list, in time order, the unit said once where that is how
/// people speak: "9, 10:30 oder 14 Uhr" / "9 or 10:30 a.m.", "11 a.m., noon, or 2 p.m.".
pub fn times(lang: Language, list: &[ClockTime]) -> String {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    let Some(last) = list.last().copied() else { return String::new() };
    let one_unit = match lang {
        Language::De => true,
        Language::En => {
            let plain = |t: &ClockTime| !matches!(t.minutes(), 0 | 720 | 1440);
            list.iter().all(plain) && list.iter().all(|t| meridiem(*t) == meridiem(last))
        }
    };
    if !one_unit {
        return or_list(lang, &list.iter().map(|t| time(lang, *t)).collect::<Vec<_>>());
    }
    let mut said: Vec<String> = list.iter().map(|t| bare(lang, *t)).collect();
    if let Some(end) = said.last_mut() {
        *end = time(lang, last);
    }
    or_list(lang, &said)
}

/// A day said in a sentence, with its preposition, by how far it is: "heute"; "morgen, am
/// Mittwoch, den 11. März"; later this week "am Donnerstag"; beyond "am Montag, den 16. März" /
/// "today"; "tomorrow, Wednesday, March 11"; "on Thursday"; "on Monday, March 16". Never "am
/// morgen" or "on today": relative days are adverbs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    text: String,
    /// Ends with an inserted date that a following word must be set off from by a comma.
    open: bool,
}

impl Day {
    /// Said at the end of a clause (before a full stop, a question mark or "oder").
    pub fn end(&self) -> &str {
        &self.text
    }

    /// Said with more words following: an inserted date is closed with a comma.
    pub fn mid(&self) -> String {
        if self.open { format!("{},", self.text) } else { self.text.clone() }
    }
}

/// `d` as said on `today` (see [`Day`]).
pub fn day(lang: Language, d: Date, today: Date) -> Day {
    said_day(lang, d, today, false)
}

/// `d` with its date always said, even later this week ("am Donnerstag, den 12. März"): for
/// telling two readings of a phrase apart.
pub fn dated_day(lang: Language, d: Date, today: Date) -> Day {
    said_day(lang, d, today, true)
}

fn said_day(lang: Language, d: Date, today: Date, always_dated: bool) -> Day {
    let offset = d.since(today).ok().map(|s| s.get_days());
    let monday = |x: Date| x.checked_sub(jiff::Span::new().days(x.weekday().to_monday_zero_offset()));
    let this_week = monday(d).ok() == monday(today).ok();
    let weekday_name = weekday(lang, d.weekday());
    let dated = match lang {
        Language::De => {
            let year = if d.year() == today.year() { String::new() } else { format!(" {}", d.year()) };
            format!("{weekday_name}, den {}. {}{year}", d.day(), month(lang, d.month()))
        }
        Language::En => {
            let year = if d.year() == today.year() { String::new() } else { format!(", {}", d.year()) };
            format!("{weekday_name}, {} {}{year}", month(lang, d.month()), d.day())
        }
    };
    let (text, open) = match (lang, offset) {
        (Language::De, Some(0)) => ("heute".to_owned(), false),
        (Language::En, Some(0)) => ("today".to_owned(), false),
        (Language::De, Some(1)) => (format!("morgen, am {dated}"), true),
        (Language::En, Some(1)) => (format!("tomorrow, {dated}"), true),
        (Language::De, Some(2..=6)) if this_week && !always_dated => (format!("am {weekday_name}"), false),
        (Language::En, Some(2..=6)) if this_week && !always_dated => (format!("on {weekday_name}"), false),
        (Language::De, _) => (format!("am {dated}"), true),
        (Language::En, _) => (format!("on {dated}"), true),
    };
    Day { text, open }
}

/// An instant at a place, said in a sentence: "heute um 16 Uhr", "morgen, am Mittwoch, den
/// 11. März, um 14 Uhr", "am Donnerstag um 9 Uhr" / "today at 4 p.m.", "on Thursday at 9 a.m.".
pub fn at(lang: Language, t: Timestamp, tz: &TimeZone, today: Date) -> String {
    let z = t.to_zoned(tz.clone());
    let clock = time(lang, ClockTime::from_time(z.time()));
    let day = day(lang, z.date(), today).mid();
    match lang {
        Language::De => format!("{day} um {clock}"),
        Language::En => format!("{day} at {clock}"),
    }
}

/// An instant for the agent's context (not a sentence): "heute, Dienstag, den 10. März um
/// 14:30 Uhr" / "today, Tuesday, March 10 at 2:30 p.m.".
pub fn datetime(lang: Language, t: Timestamp, tz: &TimeZone, today: Date) -> String {
    let z = t.to_zoned(tz.clone());
    let clock = time(lang, ClockTime::from_time(z.time()));
    let day = date(lang, z.date(), today);
    match lang {
        Language::De => format!("{day} um {clock}"),
        Language::En => format!("{day} at {clock}"),
    }
}

/// Just the time of an instant at a place.
pub fn clock_of(lang: Language, t: Timestamp, tz: &TimeZone) -> String {
    time(lang, ClockTime::from_time(t.to_zoned(tz.clone()).time()))
}

/// An amount: "28 Euro", "28,50 Euro" / "$150", "$150.50".
pub fn money(lang: Language, amount: Cents, currency: Currency) -> String {
    let (units, cents) = amount.split();
    match (lang, currency) {
        (Language::De, Currency::Eur) if cents == 0 => format!("{units} Euro"),
        (Language::De, Currency::Eur) => format!("{units},{cents:02} Euro"),
        (Language::De, Currency::Usd) if cents == 0 => format!("{units} Dollar"),
        (Language::De, Currency::Usd) => format!("{units},{cents:02} Dollar"),
        (Language::En, Currency::Usd) if cents == 0 => format!("${units}"),
        (Language::En, Currency::Usd) => format!("${units}.{cents:02}"),
        (Language::En, Currency::Eur) if cents == 0 => format!("{units} euros"),
        (Language::En, Currency::Eur) => format!("{units}.{cents:02} euros"),
    }
}

/// A span of time as people say it: "zehn Minuten", "eine Stunde", "anderthalb Stunden",
/// "zweieinhalb Stunden", "einen Tag" / "ten minutes", "an hour", "an hour and a half", "a day".
/// German days are in the accusative ("mindestens einen Tag vorher"), as every sentence that
/// says a notice or a duration uses them.
pub fn duration(lang: Language, minutes: u32) -> String {
    let de = lang == Language::De;
    if minutes >= 1440 && minutes.is_multiple_of(1440) {
        return match (lang, minutes / 1440) {
            (Language::De, 1) => "einen Tag".into(),
            (Language::En, 1) => "a day".into(),
            (Language::De, n) => format!("{} Tage", count(lang, n)),
            (Language::En, n) => format!("{} days", count(lang, n)),
        };
    }
    let (h, m) = (minutes / 60, minutes % 60);
    let minutes_said = |m: u32| match (lang, m) {
        (Language::De, 1) => "eine Minute".to_owned(),
        (Language::En, 1) => "a minute".to_owned(),
        (Language::De, m) => format!("{} Minuten", count(lang, m)),
        (Language::En, m) => format!("{} minutes", count(lang, m)),
    };
    match (h, m) {
        (0, m) => minutes_said(m),
        (1, 0) => if de { "eine Stunde" } else { "an hour" }.into(),
        (1, 30) => if de { "anderthalb Stunden" } else { "an hour and a half" }.into(),
        (h, 0) => format!("{} {}", count(lang, h), if de { "Stunden" } else { "hours" }),
        (h, 30) if de => format!("{}einhalb Stunden", count(lang, h)),
        (h, 30) => format!("{} and a half hours", count(lang, h)),
        (1, m) => format!(
            "{} {} {}",
            if de { "eine Stunde" } else { "an hour" },
            if de { "und" } else { "and" },
            minutes_said(m)
        ),
        (h, m) => format!("{} {} {}", count(lang, h), if de { "Stunden und" } else { "hours and" }, minutes_said(m)),
    }
}

/// A count up to twelve in words, as spoken; digits beyond.
fn count(lang: Language, n: u32) -> String {
    const DE: [&str; 13] =
        ["null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"];
    const EN: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let words = if lang == Language::De { DE } else { EN };
    words.get(n as usize).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

/// An e-mail address spelled so that a caller can correct it: the part before the `@` letter by
/// letter (names are what is misheard), the domain in words: "m, a, x, Punkt, m, ü, l, l, e, r at
/// example Punkt de" / "m, a, x, dot, … at example dot com".
pub fn spell_email(lang: Language, address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let symbol = |c: char| -> Option<&'static str> {
        let (de, en) = match c {
            '.' => ("Punkt", "dot"),
            '-' => ("Bindestrich", "dash"),
            '_' => ("Unterstrich", "underscore"),
            '+' => ("Plus", "plus"),
            _ => return None,
        };
        Some(if lang == Language::De { de } else { en })
    };
    let letters: Vec<String> =
        local.chars().map(|c| symbol(c).map_or_else(|| c.to_lowercase().to_string(), str::to_owned)).collect();
    let dot = symbol('.').unwrap_or(".");
    let domain = domain
        .split('.')
        .map(|label| label.split('-').collect::<Vec<_>>().join(&format!(" {} ", symbol('-').unwrap_or("-"))))
        .collect::<Vec<_>>()
        .join(&format!(" {dot} "));
    format!("{} at {domain}", letters.join(", "))
}

/// "A, B und C" / "A, B, and C".
pub fn and_list(lang: Language, items: &[String]) -> String {
    joined(lang, items, ["und", "and"])
}

/// "A, B oder C" / "A, B, or C".
pub fn or_list(lang: Language, items: &[String]) -> String {
    joined(lang, items, ["oder", "or"])
}

fn joined(lang: Language, items: &[String], words: [&str; 2]) -> String {
    let word = match lang {
        Language::De => words[0],
        Language::En => words[1],
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} {word} {b}"),
        [rest @ .., last] => {
            let comma = if lang == Language::En { "," } else { "" };
            format!("{}{comma} {word} {last}", rest.join(", "))
        }
    }
}

/// Opening hours of a day: "9 bis 13 und 14 bis 20 Uhr" / "9 a.m. to 1 p.m. and 2 to 8 p.m.";
/// `None` when closed.
pub fn hours(lang: Language, day: &DayHours) -> Option<String> {
    if day.is_closed() {
        return None;
    }
    let parts: Vec<String> = day
        .intervals()
        .iter()
        .map(|iv| match lang {
            // "Uhr" once, at the end of the whole list.
            Language::De => format!("{} bis {}", bare(lang, iv.open()), bare(lang, iv.close())),
            Language::En if meridiem(iv.open()) == meridiem(iv.close()) && iv.open().minutes() != 720 => {
                format!("{} to {}", bare(lang, iv.open()), time(lang, iv.close()))
            }
            Language::En => format!("{} to {}", time(lang, iv.open()), time(lang, iv.close())),
        })
        .collect();
    let list = and_list(lang, &parts);
    Some(if lang == Language::De { format!("{list} Uhr") } else { list })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_spelled_before_the_at_and_said_after_it() {
        assert_eq!(
            spell_email(Language::De, "max.mü-ller@salon-berlin.de"),
            "m, a, x, Punkt, m, ü, Bindestrich, l, l, e, r at salon Bindestrich berlin Punkt de"
        );
        assert_eq!(spell_email(Language::En, "Jo_1@example.com"), "j, o, underscore, 1 at example dot com");
    }

    fn ymd(y: i16, m: i8, d: i8) -> Date {
        jiff::civil::date(y, m, d)
    }

    #[test]
    fn days_are_said_with_their_preposition_and_never_after_one() {
        let today = ymd(2026, 3, 10); // a Tuesday
        let de = |d| day(Language::De, d, today);
        let en = |d| day(Language::En, d, today);
        assert_eq!(de(ymd(2026, 3, 10)).mid(), "heute");
        assert_eq!(de(ymd(2026, 3, 11)).mid(), "morgen, am Mittwoch, den 11. März,");
        assert_eq!(de(ymd(2026, 3, 11)).end(), "morgen, am Mittwoch, den 11. März");
        assert_eq!(de(ymd(2026, 3, 13)).mid(), "am Freitag");
        assert_eq!(de(ymd(2026, 3, 16)).mid(), "am Montag, den 16. März,");
        assert_eq!(de(ymd(2027, 1, 5)).end(), "am Dienstag, den 5. Januar 2027");
        assert_eq!(en(ymd(2026, 3, 10)).mid(), "today");
        assert_eq!(en(ymd(2026, 3, 11)).mid(), "tomorrow, Wednesday, March 11,");
        assert_eq!(en(ymd(2026, 3, 13)).end(), "on Friday");
        assert_eq!(en(ymd(2026, 3, 16)).end(), "on Monday, March 16");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let ts: Timestamp = "2026-03-11T13:00:00Z".parse().unwrap();
        assert_eq!(at(Language::De, ts, &berlin, today), "morgen, am Mittwoch, den 11. März, um 14 Uhr");
        let ts: Timestamp = "2026-03-10T15:00:00Z".parse().unwrap();
        assert_eq!(at(Language::De, ts, &berlin, today), "heute um 16 Uhr");
        let ny = TimeZone::get("America/New_York").unwrap();
        let ts: Timestamp = "2026-03-12T16:00:00Z".parse().unwrap();
        assert_eq!(at(Language::En, ts, &ny, today), "on Thursday at noon");
    }

    #[test]
    fn times_say_the_unit_once_in_time_order() {
        let t = |h, m| ClockTime::from_hm(h, m).unwrap();
        assert_eq!(time(Language::De, t(14, 30)), "14:30 Uhr");
        assert_eq!(time(Language::En, t(14, 30)), "2:30 p.m.");
        assert_eq!(time(Language::En, t(12, 0)), "noon");
        assert_eq!(time(Language::En, t(0, 0)), "midnight");
        assert_eq!(time(Language::En, t(0, 15)), "12:15 a.m.");
        assert_eq!(times(Language::De, &[t(15, 0), t(9, 0), t(10, 30)]), "9, 10:30 oder 15 Uhr");
        assert_eq!(times(Language::En, &[t(14, 0), t(15, 30)]), "2 or 3:30 p.m.");
        assert_eq!(times(Language::En, &[t(11, 0), t(12, 0), t(14, 0)]), "11 a.m., noon, or 2 p.m.");
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration(Language::De, 10), "zehn Minuten");
        assert_eq!(duration(Language::De, 45), "45 Minuten");
        assert_eq!(duration(Language::De, 60), "eine Stunde");
        assert_eq!(duration(Language::De, 90), "anderthalb Stunden");
        assert_eq!(duration(Language::De, 150), "zweieinhalb Stunden");
        assert_eq!(duration(Language::De, 1440), "einen Tag");
        assert_eq!(duration(Language::De, 2880), "zwei Tage");
        assert_eq!(duration(Language::En, 90), "an hour and a half");
        assert_eq!(duration(Language::En, 120), "two hours");
        assert_eq!(duration(Language::En, 1440), "a day");
        assert_eq!(duration(Language::En, 75), "an hour and 15 minutes");
    }

    #[test]
    fn money_lists_and_hours() {
        assert_eq!(money(Language::De, Cents(2800), Currency::Eur), "28 Euro");
        assert_eq!(money(Language::De, Cents(1550), Currency::Eur), "15,50 Euro");
        assert_eq!(money(Language::En, Cents(15000), Currency::Usd), "$150");
        assert_eq!(money(Language::En, Cents(15050), Currency::Usd), "$150.50");
        let items: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        assert_eq!(and_list(Language::De, &items), "A, B und C");
        assert_eq!(or_list(Language::En, &items), "A, B, or C");
        assert_eq!(or_list(Language::De, &items[..2]), "A oder B");
        let thu = DayHours::new(vec![
            crate::time::OpenInterval::parse("09:00-13:00").unwrap(),
            crate::time::OpenInterval::parse("14:00-20:00").unwrap(),
        ])
        .unwrap();
        assert_eq!(hours(Language::De, &thu).unwrap(), "9 bis 13 und 14 bis 20 Uhr");
        assert_eq!(hours(Language::En, &thu).unwrap(), "9 a.m. to 1 p.m. and 2 to 8 p.m.");
        assert_eq!(hours(Language::De, &DayHours::closed()), None);
    }
}
