use jiff::civil::{Date, date};
use jiff::tz::TimeZone;

use super::*;

/// The fixed clock: Tuesday, 10 March 2026.
const TUESDAY: Date = date(2026, 3, 10);
/// A Sunday in December, for year rollover.
const DECEMBER: Date = date(2026, 12, 20);

fn at(h: u8, m: u8) -> Option<TimeOfDay> {
    Some(TimeOfDay::At(ClockTime::from_hm(h, m).unwrap()))
}

fn window(w: TimeWindow) -> Option<TimeOfDay> {
    Some(TimeOfDay::Window(w))
}

fn d(y: i16, m: i8, day: i8) -> Option<Date> {
    Some(date(y, m, day))
}

#[test]
fn dates() {
    use Expect::Date as E;
    #[rustfmt::skip]
    let cases: &[(&str, Date, Option<Date>)] = &[
        ("heute", TUESDAY, d(2026, 3, 10)),
        ("Heute", TUESDAY, d(2026, 3, 10)),
        ("morgen", TUESDAY, d(2026, 3, 11)),
        ("übermorgen", TUESDAY, d(2026, 3, 12)),
        ("uebermorgen", TUESDAY, d(2026, 3, 12)),
        ("today", TUESDAY, d(2026, 3, 10)),
        ("tomorrow", TUESDAY, d(2026, 3, 11)),
        ("the day after tomorrow", TUESDAY, d(2026, 3, 12)),
        ("Montag", TUESDAY, d(2026, 3, 16)),
        ("Dienstag", TUESDAY, d(2026, 3, 17)),
        ("Mittwoch", TUESDAY, d(2026, 3, 11)),
        ("am Donnerstag", TUESDAY, d(2026, 3, 12)),
        ("Freitag", TUESDAY, d(2026, 3, 13)),
        ("Samstag", TUESDAY, d(2026, 3, 14)),
        ("Sonnabend", TUESDAY, d(2026, 3, 14)),
        ("Sonntag", TUESDAY, d(2026, 3, 15)),
        ("diesen Freitag", TUESDAY, d(2026, 3, 13)),
        ("on Friday", TUESDAY, d(2026, 3, 13)),
        ("Saturday", TUESDAY, d(2026, 3, 14)),
        ("nächsten Dienstag", TUESDAY, d(2026, 3, 17)),
        ("next Tuesday", TUESDAY, d(2026, 3, 17)),
        ("next Thursday", TUESDAY, d(2026, 3, 12)),
        ("nächste Woche Montag", TUESDAY, d(2026, 3, 16)),
        ("Dienstag nächste Woche", TUESDAY, d(2026, 3, 17)),
        ("nächste Woche Freitag", TUESDAY, d(2026, 3, 20)),
        ("Mittwoch nächster Woche", TUESDAY, d(2026, 3, 18)),
        ("Friday next week", TUESDAY, d(2026, 3, 20)),
        ("Monday next week", TUESDAY, d(2026, 3, 16)),
        ("übernächste Woche Mittwoch", TUESDAY, d(2026, 3, 25)),
        ("Wednesday the week after next", TUESDAY, d(2026, 3, 25)),
        ("am 15.", TUESDAY, d(2026, 3, 15)),
        ("am 5.", TUESDAY, d(2026, 4, 5)),
        ("am 10.", TUESDAY, d(2026, 3, 10)),
        ("am 31.", TUESDAY, d(2026, 3, 31)),
        ("am 31.", date(2026, 4, 10), d(2026, 5, 31)),
        ("15", TUESDAY, d(2026, 3, 15)),
        ("the 15th", TUESDAY, d(2026, 3, 15)),
        ("15. März", TUESDAY, d(2026, 3, 15)),
        ("15. Maerz", TUESDAY, d(2026, 3, 15)),
        ("am 15. März 2027", TUESDAY, d(2027, 3, 15)),
        ("9. März", TUESDAY, d(2027, 3, 9)),
        ("10. März", TUESDAY, d(2026, 3, 10)),
        ("1. April", TUESDAY, d(2026, 4, 1)),
        ("15.3.", TUESDAY, d(2026, 3, 15)),
        ("15.03.", TUESDAY, d(2026, 3, 15)),
        ("15.3", TUESDAY, d(2026, 3, 15)),
        ("15.03.2027", TUESDAY, d(2027, 3, 15)),
        ("15.03.27", TUESDAY, d(2027, 3, 15)),
        ("1.4.", TUESDAY, d(2026, 4, 1)),
        ("3/15", TUESDAY, d(2026, 3, 15)),
        ("3/15/2027", TUESDAY, d(2027, 3, 15)),
        ("March 15", TUESDAY, d(2026, 3, 15)),
        ("March 15th", TUESDAY, d(2026, 3, 15)),
        ("15th of March", TUESDAY, d(2026, 3, 15)),
        ("15 March", TUESDAY, d(2026, 3, 15)),
        ("Dienstag, den 17. März", TUESDAY, d(2026, 3, 17)),
        ("Tuesday, March 17", TUESDAY, d(2026, 3, 17)),
        ("in 3 Tagen", TUESDAY, d(2026, 3, 13)),
        ("in zwei Wochen", TUESDAY, d(2026, 3, 24)),
        ("in two days", TUESDAY, d(2026, 3, 12)),
        ("2026-03-12", TUESDAY, d(2026, 3, 12)),
        ("29. März", TUESDAY, d(2026, 3, 29)),
        ("25.10.", TUESDAY, d(2026, 10, 25)),
        // Year rollover in December.
        ("15. Januar", DECEMBER, d(2027, 1, 15)),
        ("am 5.", DECEMBER, d(2027, 1, 5)),
        ("24.12.", DECEMBER, d(2026, 12, 24)),
        ("2.1.", DECEMBER, d(2027, 1, 2)),
        ("January 2", DECEMBER, d(2027, 1, 2)),
        ("Montag", DECEMBER, d(2026, 12, 21)),
        ("nächste Woche Montag", DECEMBER, d(2026, 12, 21)),
        ("Dienstag nächste Woche", DECEMBER, d(2026, 12, 22)),
        ("29. Februar", DECEMBER, d(2028, 2, 29)),
    ];
    for (input, today, expected) in cases {
        assert_eq!(understand(input, *today, E).map(|u| u.date).ok().flatten(), *expected, "{input} (today {today})");
    }
}

#[test]
fn dates_that_are_not_understood() {
    for input in [
        "",
        "Blumenkohl",
        "irgendwann",
        "nächste Woche",
        "next week",
        "März",
        "2027",
        "30. Februar",
        "32. März",
        "15.13.",
        "Montag, den 17. März",
        "morgen Dienstag",
        "heute und morgen",
        "am 15. oder 16.",
        "Mondtag",
    ] {
        assert_eq!(
            understand(input, TUESDAY, Expect::Date).and_then(|u| u.date.ok_or(NotUnderstood)),
            Err(NotUnderstood),
            "{input}"
        );
    }
}

#[test]
fn times() {
    use TimeWindow::*;
    #[rustfmt::skip]
    let cases: &[(&str, Option<TimeOfDay>)] = &[
        ("14:15", at(14, 15)),
        ("14:15:00", at(14, 15)),
        ("9:00", at(9, 0)),
        ("09:00", at(9, 0)),
        ("07:30", at(7, 30)),
        ("14 Uhr", at(14, 0)),
        ("14 uhr", at(14, 0)),
        ("14Uhr", at(14, 0)),
        ("14 Uhr 30", at(14, 30)),
        ("um 14 Uhr", at(14, 0)),
        ("gegen 16 Uhr", at(16, 0)),
        ("14:30 Uhr", at(14, 30)),
        ("14.15 Uhr", at(14, 15)),
        ("14.15", at(14, 15)),
        ("halb drei", at(14, 30)),
        ("um halb drei", at(14, 30)),
        ("halb zehn", at(9, 30)),
        ("halb eins", at(12, 30)),
        ("halb acht", at(19, 30)),
        ("halb acht morgens", at(7, 30)),
        ("viertel nach zehn", at(10, 15)),
        ("Viertel vor zehn", at(9, 45)),
        ("viertel nach drei", at(15, 15)),
        ("dreiviertel zehn", at(9, 45)),
        ("viertel drei", at(14, 15)),
        ("zehn nach drei", at(15, 10)),
        ("fünf vor vier", at(15, 55)),
        ("zwanzig nach elf", at(11, 20)),
        ("3 Uhr nachmittags", at(15, 0)),
        ("10 Uhr morgens", at(10, 0)),
        ("8 Uhr abends", at(20, 0)),
        ("9 Uhr", at(9, 0)),
        ("neun Uhr", at(9, 0)),
        ("5 Uhr", at(17, 0)),
        ("5 Uhr morgens", at(5, 0)),
        ("12 Uhr mittags", at(12, 0)),
        ("1 Uhr mittags", at(13, 0)),
        ("nachmittags", window(Afternoon)),
        ("am Nachmittag", window(Afternoon)),
        ("vormittags", window(Morning)),
        ("morgens", window(Morning)),
        ("abends", window(Evening)),
        ("mittags", window(Midday)),
        ("2pm", at(14, 0)),
        ("2 pm", at(14, 0)),
        ("2 PM", at(14, 0)),
        ("2:30 p.m.", at(14, 30)),
        ("2:30 pm", at(14, 30)),
        ("2:30pm", at(14, 30)),
        ("11am", at(11, 0)),
        ("11 a.m.", at(11, 0)),
        ("12pm", at(12, 0)),
        ("12 am", at(0, 0)),
        ("10 in the morning", at(10, 0)),
        ("3 in the afternoon", at(15, 0)),
        ("half past two", at(14, 30)),
        ("quarter past ten", at(10, 15)),
        ("quarter to ten", at(9, 45)),
        ("twenty past eleven", at(11, 20)),
        ("ten o'clock", at(10, 0)),
        ("10 o'clock", at(10, 0)),
        ("two thirty", at(14, 30)),
        ("two forty five", at(14, 45)),
        ("noon", at(12, 0)),
        ("at noon", at(12, 0)),
        ("14", at(14, 0)),
        ("in the afternoon", window(Afternoon)),
        ("in the evening", window(Evening)),
        ("morning", window(Morning)),
    ];
    for (input, expected) in cases {
        assert_eq!(understand(input, TUESDAY, Expect::Time).map(|u| u.time).ok().flatten(), *expected, "{input}");
    }
}

#[test]
fn times_that_are_not_understood() {
    for input in
        ["", "25:00", "14:60", "24:30", "13pm", "0am", "halb", "viertel nach", "Pizza", "bald", "14 Uhr 75", "pm"]
    {
        assert_eq!(parse_time(input, TUESDAY), Err(NotUnderstood), "{input}");
    }
}

#[test]
fn dates_with_times() {
    #[rustfmt::skip]
    let cases: &[(&str, Option<Date>, Option<TimeOfDay>)] = &[
        ("morgen um 14 Uhr", d(2026, 3, 11), at(14, 0)),
        ("morgen nachmittag", d(2026, 3, 11), window(TimeWindow::Afternoon)),
        ("morgen früh", d(2026, 3, 11), window(TimeWindow::Morning)),
        ("heute abend", d(2026, 3, 10), window(TimeWindow::Evening)),
        ("heute morgen", d(2026, 3, 10), window(TimeWindow::Morning)),
        ("tonight", d(2026, 3, 10), window(TimeWindow::Evening)),
        ("tomorrow at 2pm", d(2026, 3, 11), at(14, 0)),
        ("next Tuesday at 10am", d(2026, 3, 17), at(10, 0)),
        ("Dienstag um halb drei", d(2026, 3, 17), at(14, 30)),
        ("15. März um 14 Uhr", d(2026, 3, 15), at(14, 0)),
        ("14 Uhr am Dienstag", d(2026, 3, 17), at(14, 0)),
        ("2026-03-12T14:00", d(2026, 3, 12), at(14, 0)),
        ("2026-03-12 14:00", d(2026, 3, 12), at(14, 0)),
        ("2026-03-12T14:30:00", d(2026, 3, 12), at(14, 30)),
    ];
    for (input, date, time) in cases {
        let u = understand(input, TUESDAY, Expect::Date).unwrap_or_else(|_| panic!("{input}"));
        assert_eq!((u.date, u.time), (*date, *time), "{input}");
    }
}

#[test]
fn explicit_offsets_are_honoured() {
    assert_eq!(parse_instant("2026-03-12T14:00:00+01:00"), Some("2026-03-12T13:00:00Z".parse().unwrap()));
    assert_eq!(parse_instant("2026-03-12T13:00:00Z"), Some("2026-03-12T13:00:00Z".parse().unwrap()));
    assert_eq!(parse_instant("2026-03-12T09:00-05:00"), Some("2026-03-12T14:00:00Z".parse().unwrap()));
    assert_eq!(parse_instant("2026-03-12T14:00"), None, "no offset: local to the branch");
    assert_eq!(parse_instant("2026-03-12"), None);
}

#[test]
fn daylight_saving_days() {
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let new_york = TimeZone::get("America/New_York").unwrap();
    let t = |h, m| ClockTime::from_hm(h, m).unwrap();
    let ts = |s: &str| s.parse::<Timestamp>().unwrap();
    // The spring-forward gap does not exist…
    assert_eq!(local_instant(date(2026, 3, 29), t(2, 30), &berlin), None);
    assert_eq!(local_instant(date(2026, 3, 8), t(2, 30), &new_york), None);
    // …the hours around it do, with the new offset after.
    assert_eq!(local_instant(date(2026, 3, 29), t(1, 30), &berlin), Some(ts("2026-03-29T00:30:00Z")));
    assert_eq!(local_instant(date(2026, 3, 29), t(3, 30), &berlin), Some(ts("2026-03-29T01:30:00Z")));
    assert_eq!(local_instant(date(2026, 3, 8), t(9, 0), &new_york), Some(ts("2026-03-08T13:00:00Z")));
    // The repeated hour means its first occurrence.
    assert_eq!(local_instant(date(2026, 10, 25), t(2, 30), &berlin), Some(ts("2026-10-25T00:30:00Z")));
    assert_eq!(local_instant(date(2026, 11, 1), t(1, 30), &new_york), Some(ts("2026-11-01T05:30:00Z")));
    // "A time alone is the next such time."
    let afternoon = ts("2026-03-10T14:00:00Z"); // 15:00 in Berlin
    assert_eq!(next_occurrence(t(16, 0), afternoon, &berlin), Some(ts("2026-03-10T15:00:00Z")));
    assert_eq!(next_occurrence(t(14, 0), afternoon, &berlin), Some(ts("2026-03-11T13:00:00Z")));
}

/// What a line of the phrase table expects.
#[derive(Debug, Default)]
struct Expected {
    date: Option<Date>,
    other: Option<Date>,
    time: Option<TimeOfDay>,
    past: bool,
    beyond: bool,
    gap: bool,
    instant: Option<Timestamp>,
    not_understood: bool,
}

fn expected(text: &str) -> Expected {
    let mut e = Expected::default();
    if text == "?" {
        e.not_understood = true;
        return e;
    }
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        match word {
            "past" => e.past = true,
            "beyond" => e.beyond = true,
            "gap" => e.gap = true,
            "or" => e.other = Some(words.next().expect("a date after `or`").parse().expect("a date")),
            "=" => e.instant = Some(words.next().expect("an instant after `=`").parse().expect("an instant")),
            "morning" => e.time = window(TimeWindow::Morning),
            "midday" => e.time = window(TimeWindow::Midday),
            "afternoon" => e.time = window(TimeWindow::Afternoon),
            "evening" => e.time = window(TimeWindow::Evening),
            w if w.contains(':') => {
                let (h, m) = w.split_once(':').unwrap();
                e.time = at(h.parse().unwrap(), m.parse().unwrap());
            }
            w => e.date = Some(w.parse().unwrap_or_else(|_| panic!("`{w}` in `{text}`"))),
        }
    }
    e
}

/// The phrase table (`phrases.txt`): at least 300 phrases, half German and half English, each
/// understood as the table says on its fixed clock.
#[test]
fn the_phrase_table() {
    let mut clock: Option<(Date, TimeZone)> = None;
    let (mut german, mut english, mut failures) = (0, 0, Vec::new());
    for (n, line) in include_str!("phrases.txt").lines().enumerate() {
        let line = line.split(" # ").next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('@') {
            let mut parts = rest.split_whitespace();
            let today: Date = parts.next().unwrap().parse().unwrap();
            clock = Some((today, TimeZone::get(parts.next().unwrap()).unwrap()));
            continue;
        }
        let (today, tz) = clock.as_ref().expect("a clock line before the first phrase");
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [language, phrase, expectation] = fields[..] else { panic!("line {}: {line}", n + 1) };
        match language {
            "de" => german += 1,
            "en" => english += 1,
            other => panic!("line {}: unknown language {other}", n + 1),
        }
        let e = expected(expectation);
        let expect = if e.date.is_some() || e.not_understood { Expect::Date } else { Expect::Time };
        let got = understand(phrase, *today, expect);
        let ok = match &got {
            Err(NotUnderstood) => e.not_understood,
            Ok(_) if e.not_understood => false,
            Ok(u) => {
                let instant = match (u.date, u.time) {
                    (Some(d), Some(TimeOfDay::At(t))) => local_instant(d, t, tz),
                    _ => None,
                };
                u.date == e.date
                    && u.other == e.other
                    && u.time == e.time
                    && (!e.past || u.date.is_some_and(|d| d < *today))
                    && (!e.beyond || u.date.is_some_and(|d| d > today.checked_add(60.days()).unwrap()))
                    && (!e.gap || instant.is_none())
                    && (e.instant.is_none() || instant == e.instant)
            }
        };
        if !ok {
            failures.push(format!("line {}: {phrase:?} on {today}: expected {expectation}, got {got:?}", n + 1));
        }
    }
    assert!(failures.is_empty(), "{} phrases misunderstood:\n{}", failures.len(), failures.join("\n"));
    assert!(german >= 150 && english >= 150, "{german} German and {english} English phrases");
}
