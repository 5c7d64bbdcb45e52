//! How the dashboard writes dates, times, durations and phone numbers: in the user's language,
//! at the branch's time zone, phone numbers as written in the company's country.

use frontdesk_domain::language::spoken;
use frontdesk_domain::locale::Language;
use frontdesk_domain::phone::E164;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// A time of day: `14:30` / `2:30 PM`.
pub fn clock(lang: Language, t: Time) -> String {
    match lang {
        Language::De => format!("{:02}:{:02}", t.hour(), t.minute()),
        Language::En => {
            let (h, suffix) = match t.hour() {
                0 => (12, "AM"),
                h @ 1..=11 => (h, "AM"),
                12 => (12, "PM"),
                h => (h - 12, "PM"),
            };
            format!("{h}:{:02} {suffix}", t.minute())
        }
    }
}

/// An instant's time of day at `tz`.
pub fn clock_at(lang: Language, t: Timestamp, tz: &TimeZone) -> String {
    clock(lang, t.to_zoned(tz.clone()).time())
}

/// A date with its weekday: `Di., 10.03.2026` / `Tue, 03/10/2026`.
pub fn date(lang: Language, d: Date) -> String {
    let weekday = spoken::weekday(lang, d.weekday());
    match lang {
        Language::De => format!("{}., {:02}.{:02}.{}", &weekday[..2], d.day(), d.month(), d.year()),
        Language::En => format!("{}, {:02}/{:02}/{}", &weekday[..3], d.month(), d.day(), d.year()),
    }
}

/// A date in full: `Dienstag, 10.03.2026` / `Tuesday, 03/10/2026`.
pub fn long_date(lang: Language, d: Date) -> String {
    let weekday = spoken::weekday(lang, d.weekday());
    match lang {
        Language::De => format!("{weekday}, {:02}.{:02}.{}", d.day(), d.month(), d.year()),
        Language::En => format!("{weekday}, {:02}/{:02}/{}", d.month(), d.day(), d.year()),
    }
}

/// An instant as date and time at `tz`.
pub fn datetime(lang: Language, t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    format!("{} {}", date(lang, z.date()), clock(lang, z.time()))
}

/// Minutes as `1 h 15 min` / `45 min`.
pub fn minutes(total: i64) -> String {
    match (total / 60, total % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Seconds as `3:05`.
pub fn seconds(total: i64) -> String {
    format!("{}:{:02}", total / 60, total % 60)
}

/// A phone number as written in `region` (nationally there, internationally elsewhere).
pub fn phone(number: &E164, region: &str) -> String {
    number.display_for(region)
}
