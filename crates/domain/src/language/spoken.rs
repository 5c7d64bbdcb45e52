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

/// A time: "14:30 Uhr", "14 Uhr" / "2:30 PM", "2 PM".
pub fn time(lang: Language, t: ClockTime) -> String {
    let (h, m) = (t.minutes() / 60, t.minutes() % 60);
    match lang {
        Language::De if m == 0 => format!("{h} Uhr"),
        Language::De => format!("{h}:{m:02} Uhr"),
        Language::En => {
            let suffix = if h < 12 || h == 24 { "AM" } else { "PM" };
            let h12 = match h % 12 {
                0 => 12,
                x => x,
            };
            if m == 0 { format!("{h12} {suffix}") } else { format!("{h12}:{m:02} {suffix}") }
        }
    }
}

/// An instant at a place: "morgen, Mittwoch, den 11. März um 14 Uhr" / "Tuesday, March 10 at 2:30 PM".
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

/// A span of minutes: "30 Minuten", "2 Stunden", "1 Tag" / "30 minutes", "2 hours", "1 day".
pub fn duration(lang: Language, minutes: u32) -> String {
    let (n, unit) = if minutes >= 1440 && minutes.is_multiple_of(1440) {
        (minutes / 1440, ["Tag", "Tage", "day", "days"])
    } else if minutes >= 60 && minutes.is_multiple_of(60) {
        (minutes / 60, ["Stunde", "Stunden", "hour", "hours"])
    } else {
        (minutes, ["Minute", "Minuten", "minute", "minutes"])
    };
    let word = match (lang, n == 1) {
        (Language::De, true) => unit[0],
        (Language::De, false) => unit[1],
        (Language::En, true) => unit[2],
        (Language::En, false) => unit[3],
    };
    format!("{n} {word}")
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

/// Opening hours of a day: "von 9 bis 13 Uhr und von 14 bis 20 Uhr" / "from 9 AM to 1 PM and from
/// 2 PM to 8 PM"; `None` when closed.
pub fn hours(lang: Language, day: &DayHours) -> Option<String> {
    if day.is_closed() {
        return None;
    }
    let short = |t: ClockTime| match lang {
        Language::De if t.minutes().is_multiple_of(60) => format!("{}", t.minutes() / 60),
        Language::De => format!("{}:{:02}", t.minutes() / 60, t.minutes() % 60),
        Language::En => time(lang, t),
    };
    let parts: Vec<String> = day
        .intervals()
        .iter()
        .map(|iv| match lang {
            Language::De => format!("von {} bis {} Uhr", short(iv.open()), short(iv.close())),
            Language::En => format!("from {} to {}", short(iv.open()), short(iv.close())),
        })
        .collect();
    Some(and_list(lang, &parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i16, m: i8, d: i8) -> Date {
        jiff::civil::date(y, m, d)
    }

    #[test]
    fn dates_and_times() {
        let today = ymd(2026, 3, 10);
        assert_eq!(date_de(ymd(2026, 3, 10), today), "heute, Dienstag, den 10. März");
        assert_eq!(date_de(ymd(2026, 3, 11), today), "morgen, Mittwoch, den 11. März");
        assert_eq!(date_de(ymd(2026, 3, 17), today), "Dienstag, den 17. März");
        assert_eq!(date_de(ymd(2027, 1, 5), today), "Dienstag, den 5. Januar 2027");
        assert_eq!(date(Language::En, ymd(2026, 3, 17), today), "Tuesday, March 17");
        assert_eq!(date(Language::En, ymd(2026, 3, 11), today), "tomorrow, Wednesday, March 11");
        let t = |h, m| ClockTime::from_hm(h, m).unwrap();
        assert_eq!(time(Language::De, t(14, 30)), "14:30 Uhr");
        assert_eq!(time(Language::De, t(9, 0)), "9 Uhr");
        assert_eq!(time(Language::En, t(14, 30)), "2:30 PM");
        assert_eq!(time(Language::En, t(12, 0)), "12 PM");
        assert_eq!(time(Language::En, t(0, 15)), "12:15 AM");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let ts: Timestamp = "2026-03-10T13:30:00Z".parse().unwrap();
        assert_eq!(datetime(Language::De, ts, &berlin, ymd(2026, 3, 1)), "Dienstag, den 10. März um 14:30 Uhr");
        let ny = TimeZone::get("America/New_York").unwrap();
        let ts: Timestamp = "2026-03-10T18:30:00Z".parse().unwrap();
        assert_eq!(datetime(Language::En, ts, &ny, ymd(2026, 3, 1)), "Tuesday, March 10 at 2:30 PM");
    }

    fn date_de(d: Date, today: Date) -> String {
        date(Language::De, d, today)
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
        assert_eq!(hours(Language::De, &thu).unwrap(), "von 9 bis 13 Uhr und von 14 bis 20 Uhr");
        assert_eq!(hours(Language::En, &thu).unwrap(), "from 9 AM to 1 PM and from 2 PM to 8 PM");
        assert_eq!(hours(Language::De, &DayHours::closed()), None);
    }
}
