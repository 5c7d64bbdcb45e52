//! Every distinct sentence the functions say, in both languages, kept in a golden file
//! (`tests/golden/sentences.txt`) so that any wording change shows in review.
//!
//! Representative calls are played through the real server on a frozen business clock (Tuesday,
//! 10 March 2026: 14:00 at the salon in Berlin, 09:00 at the practice in New York), on both
//! backends, and must produce the file exactly. The rules for spoken answers are asserted on what
//! was said. After a deliberate wording change, regenerate the file with
//! `FRONTDESK_BLESS=1 cargo test -p frontdesk-server --test http golden` and review the diff.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use frontdesk_domain::availability::TimeWindow;
use frontdesk_domain::time::{ClockTime, FixedClock};
use frontdesk_server::test_support::{FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/sentences.txt");

/// Who calls.
#[derive(Clone, Copy)]
enum Caller {
    Known,
    New,
    Private,
}

/// One tenant's script.
struct Script<'s> {
    server: &'s TestServer,
    language: &'static str,
    number: &'static str,
    known: &'static str,
    new: &'static str,
    said: Arc<Mutex<BTreeSet<String>>>,
    calls: usize,
}

impl Script<'_> {
    /// Calls `function` as `caller` in a call of its own and records what was said.
    async fn ask(&mut self, caller: Caller, function: &str, args: Value) -> Value {
        self.calls += 1;
        let from = match caller {
            Caller::Known => self.known,
            Caller::New => self.new,
            Caller::Private => "anonymous",
        };
        let call = call_object(&format!("call_golden_{}_{}", self.language, self.calls), from, self.number, "ongoing");
        let answer = self.server.function(function, args.clone(), &call).await;
        self.check(function, &args, &answer);
        let line = format!(
            "{} | {} | {}",
            self.language,
            answer["status"].as_str().unwrap_or_default(),
            answer["message"].as_str().unwrap_or_default()
        );
        self.said.lock().unwrap().insert(line);
        answer
    }

    /// The rules every spoken answer keeps.
    fn check(&self, function: &str, args: &Value, answer: &Value) {
        let message = answer["message"].as_str().unwrap_or_default();
        let lower = format!(" {}", message.to_lowercase());
        let context = format!("{function} {args} → {answer}");
        for wrong in [" am morgen", " am heute", " am übermorgen", " on today", " on tomorrow", "withheld"] {
            assert!(!lower.contains(wrong), "never “{}”: {context}", wrong.trim());
        }
        assert!(!message.contains(';'), "full stops, not semicolons: {context}");
        let without_times: String = {
            let b = message.as_bytes();
            (0..b.len())
                .filter(|&i| {
                    !(b[i] == b':'
                        && i > 0
                        && b[i - 1].is_ascii_digit()
                        && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                })
                .map(|i| b[i] as char)
                .collect()
        };
        assert!(!without_times.contains(':'), "full stops, not colons: {context}");
        if answer["success"] == false {
            assert!(message.ends_with('?'), "a refusal ends with a question or an offer: {context}");
        }
        for key in ["alternatives", "slots"] {
            let Some(list) = answer[key].as_array() else { continue };
            let starts: Vec<&str> = list.iter().filter_map(|s| s["start"].as_str()).collect();
            assert!(starts.windows(2).all(|w| w[0] < w[1]), "{key} in time order: {context}");
            if key == "alternatives" {
                assert!(list.len() <= 3, "at most three alternatives: {context}");
            }
            if let Some(window) = args["time_window"].as_str().and_then(TimeWindow::parse) {
                for start in &starts {
                    let (h, m) = (start[11..13].parse().unwrap(), start[14..16].parse().unwrap());
                    assert!(
                        window.contains(ClockTime::from_hm(h, m).unwrap()),
                        "{start} outside {window:?}: {context}"
                    );
                }
            }
        }
    }
}

async fn salon(t: &mut Script<'_>) {
    use Caller::*;
    t.ask(Known, "initialize_call", json!({})).await;
    t.ask(New, "initialize_call", json!({})).await;
    t.ask(Known, "check_customer", json!({})).await;
    t.ask(New, "check_customer", json!({})).await;
    t.ask(Private, "check_customer", json!({})).await;
    t.ask(Known, "list_services", json!({})).await;
    t.ask(Known, "list_services", json!({"kategorie": "Nägel"})).await;
    t.ask(Known, "get_service_info", json!({"dienstleistung": "Färben"})).await;
    t.ask(Known, "get_service_info", json!({"dienstleistung": "Pizza"})).await;
    t.ask(Known, "get_opening_hours", json!({})).await;
    t.ask(Known, "get_opening_hours", json!({"datum": "Donnerstag"})).await;
    t.ask(Known, "get_opening_hours", json!({"datum": "Montag"})).await;
    let cut = |date: &str, time: &str| json!({"dienstleistung": "Herrenhaarschnitt", "datum": date, "uhrzeit": time});
    t.ask(Known, "check_availability", cut("morgen", "10 Uhr")).await;
    t.ask(Known, "check_availability", cut("Donnerstag", "13:30")).await;
    t.ask(Known, "check_availability", cut("Donnerstag", "8 Uhr")).await;
    t.ask(Known, "check_availability", cut("Freitag", "17:45")).await;
    t.ask(Known, "check_availability", cut("gestern", "10 Uhr")).await;
    t.ask(Known, "check_availability", cut("in drei Monaten", "10 Uhr")).await;
    t.ask(Known, "check_availability", cut("heute", "14:30")).await;
    t.ask(Known, "check_availability", cut("nächsten Donnerstag", "10 Uhr")).await;
    t.ask(Known, "check_availability", cut("Blumenkohl", "10 Uhr")).await;
    t.ask(Known, "check_availability", cut("morgen", "25 Uhr")).await;
    t.ask(Known, "check_availability", cut("29. März", "halb drei morgens")).await;
    let mut mehmet = cut("nächste Woche Dienstag", "10 Uhr");
    mehmet["mitarbeiter"] = json!("Mehmet");
    t.ask(Known, "check_availability", mehmet).await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Montag"})).await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Freitag"})).await;
    t.ask(
        Known,
        "check_availability",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Freitag", "time_window": "nachmittags"}),
    )
    .await;
    t.ask(
        Known,
        "check_availability",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Donnerstag", "time_window": "mittags"}),
    )
    .await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Pizza", "datum": "morgen"})).await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Haarschnitt", "datum": "morgen"})).await;
    t.ask(
        Known,
        "check_availability",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "mitarbeiter": "Peter"}),
    )
    .await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Färben", "datum": "morgen", "mitarbeiter": "Mehmet"}))
        .await;
    t.ask(Known, "check_availability", json!({"dienstleistung": "Herrenhaarschnitt"})).await;
    t.ask(Known, "find_next_available", json!({"dienstleistung": "Damenhaarschnitt", "anzahl": 2})).await;
    t.ask(Known, "find_next_available", json!({"dienstleistung": "Herrenhaarschnitt", "time_window": "abends"})).await;

    // Somebody else takes Friday at 10 with both stylists; Hans then hears it is taken.
    for name in ["Petra Schulz", "Olaf Schmitz"] {
        let mut args = cut("Freitag", "10 Uhr");
        args["kundenname"] = json!(name);
        args["another_person"] = json!(true);
        t.ask(New, "book_appointment", args).await;
    }
    t.ask(Known, "check_availability", cut("Freitag", "10 Uhr")).await;
    let mut check_only = cut("morgen", "11 Uhr");
    check_only["bestaetigung"] = json!(false);
    t.ask(Known, "book_appointment", check_only).await;
    t.ask(Known, "book_appointment", cut("morgen", "11 Uhr")).await;
    t.ask(Known, "check_availability", cut("morgen", "11 Uhr")).await;
    let mut again = cut("morgen", "11:15");
    again["notizen"] = json!("zweiter Versuch");
    t.ask(Known, "book_appointment", again).await;
    let mut son = cut("morgen", "11 Uhr");
    son["another_person"] = json!(true);
    son["kundenname"] = json!("Max Müller");
    t.ask(Known, "book_appointment", son).await;
    t.ask(New, "book_appointment", cut("morgen", "12 Uhr")).await;
    t.ask(Known, "book_appointment", json!({"dienstleistung": "Herrenhaarschnitt", "uhrzeit": "15 Uhr"})).await;
    t.ask(Known, "book_appointment", json!({"dienstleistung": "Herrenhaarschnitt"})).await;
    t.ask(Known, "book_appointment", cut("Freitag", "9 Uhr")).await;
    t.ask(Known, "book_appointment", cut("heute", "17 Uhr")).await;

    t.ask(Known, "get_customer_appointments", json!({})).await;
    t.ask(Known, "get_customer_appointments", json!({"datum": "Donnerstag"})).await;
    t.ask(Known, "get_customer_appointments", json!({"datum": "Samstag"})).await;
    t.ask(New, "get_customer_appointments", json!({})).await;
    t.ask(Private, "get_customer_appointments", json!({})).await;

    t.ask(Known, "reschedule_appointment", json!({"altes_datum": "Freitag"})).await;
    t.ask(Known, "reschedule_appointment", json!({"altes_datum": "Freitag", "neue_uhrzeit": "10 Uhr"})).await;
    t.ask(
        Known,
        "reschedule_appointment",
        json!({"altes_datum": "Freitag", "neues_datum": "Montag", "neue_uhrzeit": "10 Uhr"}),
    )
    .await;
    t.ask(
        Known,
        "reschedule_appointment",
        json!({"altes_datum": "Freitag", "neues_datum": "morgen", "neue_uhrzeit": "11 Uhr"}),
    )
    .await;
    t.ask(
        Known,
        "reschedule_appointment",
        json!({"altes_datum": "Freitag", "neues_datum": "Samstag", "neue_uhrzeit": "10 Uhr"}),
    )
    .await;
    t.ask(
        Known,
        "reschedule_appointment",
        json!({"altes_datum": "heute", "neues_datum": "Samstag", "neue_uhrzeit": "11 Uhr"}),
    )
    .await;

    t.ask(Known, "cancel_appointment", json!({"datum": "morgen"})).await;
    t.ask(Known, "cancel_appointment", json!({"datum": "Mittwoch", "uhrzeit": "11 Uhr", "grund": "krank"})).await;
    t.ask(Known, "cancel_appointment", json!({"datum": "Samstag", "uhrzeit": "10 Uhr"})).await;
    t.ask(Known, "cancel_appointment", json!({"datum": "Freitag", "uhrzeit": "9 Uhr"})).await;
    t.ask(Known, "cancel_appointment", json!({"datum": "heute", "uhrzeit": "17 Uhr", "gebuehr_akzeptiert": true}))
        .await;
    t.ask(Private, "cancel_appointment", json!({})).await;
    t.ask(Private, "cancel_appointment", json!({"telefon": "0151 23456789"})).await;
    t.ask(Private, "reschedule_appointment", json!({"neues_datum": "Freitag", "neue_uhrzeit": "10 Uhr"})).await;

    t.ask(Known, "request_callback", json!({"grund": "Frage zur Farbe"})).await;
    t.ask(Private, "request_callback", json!({})).await;
    t.ask(Known, "drop_all_tables", json!({})).await;
    t.ask(Known, "check_customer", json!({"notizen": "x".repeat(2100)})).await;
}

async fn practice(t: &mut Script<'_>) {
    use Caller::*;
    t.ask(Known, "initialize_call", json!({})).await;
    t.ask(New, "initialize_call", json!({})).await;
    t.ask(Known, "check_customer", json!({})).await;
    t.ask(New, "check_customer", json!({})).await;
    t.ask(Private, "check_customer", json!({})).await;
    t.ask(Known, "list_services", json!({})).await;
    t.ask(Known, "get_service_info", json!({"service": "whitening"})).await;
    t.ask(Known, "get_service_info", json!({"service": "braces"})).await;
    t.ask(Known, "get_opening_hours", json!({})).await;
    t.ask(Known, "get_opening_hours", json!({"date": "Wednesday"})).await;
    t.ask(Known, "get_opening_hours", json!({"date": "Saturday"})).await;
    let at = |service: &str, date: &str, time: &str| json!({"service": service, "date": date, "time": time});
    t.ask(Known, "check_availability", at("cleaning", "tomorrow", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "tomorrow", "9am")).await;
    t.ask(Known, "check_availability", at("cleaning", "Friday", "2:30pm")).await;
    t.ask(Known, "check_availability", at("cleaning", "Saturday", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "yesterday", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "in four months", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "today", "11am")).await;
    t.ask(Known, "check_availability", at("whitening", "tomorrow", "noon")).await;
    t.ask(Known, "check_availability", at("cleaning", "next Thursday", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "someday", "10am")).await;
    t.ask(Known, "check_availability", at("cleaning", "tomorrow", "25 o'clock")).await;
    t.ask(Known, "check_availability", at("cleaning", "Sunday", "2:30am")).await;
    t.ask(Known, "check_availability", json!({"service": "cleaning", "date": "Thursday"})).await;
    t.ask(Known, "check_availability", json!({"service": "cleaning", "date": "Thursday", "time_window": "afternoon"}))
        .await;
    t.ask(Known, "check_availability", json!({"service": "cleaning", "date": "Thursday", "time_window": "morning"}))
        .await;
    t.ask(Known, "check_availability", json!({"service": "cleaning", "date": "tomorrow", "staff": "Dr. Smith"})).await;
    t.ask(Known, "check_availability", json!({"service": "whitening", "date": "tomorrow", "staff": "Sam"})).await;
    t.ask(Known, "find_next_available", json!({"service": "consult"})).await;
    t.ask(Known, "find_next_available", json!({"service": "cleaning", "time_window": "evening"})).await;

    for name in ["Paula Stone", "Rick Doyle"] {
        let mut args = at("cleaning", "Friday", "10am");
        args["customer_name"] = json!(name);
        args["another_person"] = json!(true);
        t.ask(New, "book_appointment", args).await;
    }
    t.ask(Known, "check_availability", at("cleaning", "Friday", "10am")).await;
    let mut check_only = at("cleaning", "tomorrow", "2pm");
    check_only["confirm"] = json!(false);
    t.ask(Known, "book_appointment", check_only).await;
    t.ask(Known, "book_appointment", at("cleaning", "tomorrow", "2pm")).await;
    let mut again = at("consult", "tomorrow", "2:30pm");
    again["notes"] = json!("second try");
    t.ask(Known, "book_appointment", again).await;
    let mut daughter = at("cleaning", "tomorrow", "2pm");
    daughter["another_person"] = json!(true);
    daughter["customer_name"] = json!("Lucy Carter");
    t.ask(Known, "book_appointment", daughter).await;
    t.ask(New, "book_appointment", at("consult", "tomorrow", "4pm")).await;
    t.ask(Private, "book_appointment", at("consult", "tomorrow", "4pm")).await;
    t.ask(Known, "book_appointment", json!({"service": "consult", "time": "3pm"})).await;
    t.ask(Known, "book_appointment", at("consult", "Thursday", "9am")).await;
    t.ask(Known, "book_appointment", at("consult", "today", "2pm")).await;

    t.ask(Known, "get_customer_appointments", json!({})).await;
    t.ask(Known, "get_customer_appointments", json!({"date": "Monday"})).await;
    t.ask(New, "get_customer_appointments", json!({})).await;
    t.ask(Private, "get_customer_appointments", json!({})).await;

    t.ask(Known, "reschedule_appointment", json!({"old_date": "Thursday"})).await;
    t.ask(Known, "reschedule_appointment", json!({"old_date": "Thursday", "new_time": "10am"})).await;
    t.ask(Known, "reschedule_appointment", json!({"old_date": "Thursday", "new_date": "Saturday", "new_time": "10am"}))
        .await;
    t.ask(Known, "reschedule_appointment", json!({"old_date": "Thursday", "new_date": "tomorrow", "new_time": "2pm"}))
        .await;
    t.ask(Known, "reschedule_appointment", json!({"old_date": "Thursday", "new_date": "Friday", "new_time": "11am"}))
        .await;
    t.ask(Known, "reschedule_appointment", json!({"old_date": "today", "new_date": "Friday", "new_time": "1pm"})).await;

    t.ask(Known, "cancel_appointment", json!({"date": "tomorrow"})).await;
    t.ask(Known, "cancel_appointment", json!({"date": "Wednesday", "time": "2pm", "reason": "sick"})).await;
    t.ask(Known, "cancel_appointment", json!({"date": "Monday", "time": "10am"})).await;
    t.ask(Known, "cancel_appointment", json!({"date": "today", "time": "2pm", "accept_fee": true})).await;
    t.ask(Private, "cancel_appointment", json!({})).await;
    t.ask(Private, "cancel_appointment", json!({"phone": "(212) 555-0188"})).await;

    t.ask(Known, "request_callback", json!({"reason": "question about the bill"})).await;
    t.ask(Private, "request_callback", json!({})).await;
    t.ask(Known, "drop_all_tables", json!({})).await;
}

/// Every message of the catalogue, with sample fragments, in both languages: the sentences the
/// representative calls do not reach (a database fault, a lost race, a monthly quota) are in the
/// golden file too. `name` matches every variant, so a new one does not compile without a name
/// here, and the count below fails until it has a sample.
fn catalogue_lines() -> Vec<String> {
    use frontdesk_domain::language::catalogue::{Confirmation, Missing, Msg, Why, say};
    use frontdesk_domain::language::spoken;
    use frontdesk_domain::locale::Language;

    fn name(m: &Msg<'_>) -> &'static str {
        match m {
            Msg::Greeting { .. } => "Greeting",
            Msg::CustomerKnown { .. } => "CustomerKnown",
            Msg::CustomerNew => "CustomerNew",
            Msg::CustomerAnonymous => "CustomerAnonymous",
            Msg::ServicesOffered { .. } => "ServicesOffered",
            Msg::NoServicesInCategory { .. } => "NoServicesInCategory",
            Msg::ServiceInfo { .. } => "ServiceInfo",
            Msg::UnknownService { .. } => "UnknownService",
            Msg::AmbiguousService { .. } => "AmbiguousService",
            Msg::UnknownStaff { .. } => "UnknownStaff",
            Msg::StaffCannotProvide { .. } => "StaffCannotProvide",
            Msg::Missing(_) => "Missing",
            Msg::HoursWeek { .. } => "HoursWeek",
            Msg::HoursDay { .. } => "HoursDay",
            Msg::ClosedOn { .. } => "ClosedOn",
            Msg::InvalidDate => "InvalidDate",
            Msg::InvalidTime => "InvalidTime",
            Msg::NonexistentTime => "NonexistentTime",
            Msg::PastTime => "PastTime",
            Msg::TooSoon { .. } => "TooSoon",
            Msg::OutsideBookingWindow { .. } => "OutsideBookingWindow",
            Msg::Available { .. } => "Available",
            Msg::Unavailable { .. } => "Unavailable",
            Msg::SlotsOnDay { .. } => "SlotsOnDay",
            Msg::NothingOnDay { .. } => "NothingOnDay",
            Msg::NextFree { .. } => "NextFree",
            Msg::NothingFree => "NothingFree",
            Msg::Booked { .. } => "Booked",
            Msg::EmailInvalid => "EmailInvalid",
            Msg::SlotTaken { .. } => "SlotTaken",
            Msg::NameRequired => "NameRequired",
            Msg::AwaitingConfirmation { .. } => "AwaitingConfirmation",
            Msg::AnonymousMayNotBook => "AnonymousMayNotBook",
            Msg::AppointmentsFound { .. } => "AppointmentsFound",
            Msg::NoAppointments => "NoAppointments",
            Msg::NoAppointmentsOn { .. } => "NoAppointmentsOn",
            Msg::AppointmentFor { .. } => "AppointmentFor",
            Msg::AlreadyBooked { .. } => "AlreadyBooked",
            Msg::ConfirmDate { .. } => "ConfirmDate",
            Msg::DateRequired { .. } => "DateRequired",
            Msg::AnonymousAppointments => "AnonymousAppointments",
            Msg::Cancelled { .. } => "Cancelled",
            Msg::CancelTooLate { .. } => "CancelTooLate",
            Msg::CancelQuotaExceeded => "CancelQuotaExceeded",
            Msg::RescheduleTooLate { .. } => "RescheduleTooLate",
            Msg::RescheduleLimit => "RescheduleLimit",
            Msg::AppointmentNotFound => "AppointmentNotFound",
            Msg::MultipleFound { .. } => "MultipleFound",
            Msg::AnonymousMayNotChange => "AnonymousMayNotChange",
            Msg::AnonymousCallbackNoted => "AnonymousCallbackNoted",
            Msg::Rescheduled { .. } => "Rescheduled",
            Msg::NeedsNewTime => "NeedsNewTime",
            Msg::CallbackRequested => "CallbackRequested",
            Msg::PhoneRequired => "PhoneRequired",
            Msg::UnknownFunction => "UnknownFunction",
            Msg::ArgumentTooLong => "ArgumentTooLong",
            Msg::UnknownNumber => "UnknownNumber",
            Msg::TemporarilyUnavailable => "TemporarilyUnavailable",
            Msg::CouldNotComplete => "CouldNotComplete",
        }
    }
    /// The arms of `name`.
    const VARIANTS: usize = 59;

    let mut lines = Vec::new();
    let today = jiff::civil::date(2026, 3, 10);
    for lang in [Language::De, Language::En] {
        let code = lang.code();
        let tomorrow = spoken::day(lang, jiff::civil::date(2026, 3, 11), today);
        let friday = spoken::day(lang, jiff::civil::date(2026, 3, 13), today);
        let spelled = spoken::spell_email(lang, "max.mueller@example.de");
        let (this_friday, later) = (
            spoken::dated_day(lang, jiff::civil::date(2026, 3, 13), today),
            spoken::dated_day(lang, jiff::civil::date(2026, 3, 20), today),
        );
        // Fragments as the handlers say them in each language.
        let de = lang == Language::De;
        let pick = |german: &'static str, english: &'static str| if de { german } else { english };
        let when = pick("am Freitag um 10 Uhr", "on Friday at 10 a.m.");
        let alternatives = pick("am selben Tag um 11 oder 15 Uhr", "11 a.m. or 3 p.m. that day");
        let staff = pick("Anna Schmidt", "Dr. Priya Patel");
        let service = pick("Herrenhaarschnitt", "Consultation");
        let services = pick(
            "Herrenhaarschnitt, Damenhaarschnitt und Färben",
            "Checkup and Cleaning, Consultation, and Teeth Whitening",
        );
        let notice = pick("einen Tag", "a day");
        let duration = pick("anderthalb Stunden", "an hour and a half");
        let hours = pick("9 bis 18 Uhr", "8 a.m. to 5 p.m.");
        let times = pick("9, 10 oder 11 Uhr", "9, 10, or 11 a.m.");
        let fee = pick("15 Euro", "$50");
        let appointment = pick("Herrenhaarschnitt am Freitag um 10 Uhr", "Consultation on Friday at 10 a.m.");
        let samples = [
            Msg::Greeting { company: "Friseur 1", address: None },
            Msg::CustomerKnown { address: None, upcoming: 2 },
            Msg::CustomerNew,
            Msg::CustomerAnonymous,
            Msg::ServicesOffered { list: services },
            Msg::NoServicesInCategory { category: pick("Nägel", "braces"), offered: services },
            Msg::ServiceInfo { name: service, duration, price: None },
            Msg::UnknownService { offered: services },
            Msg::AmbiguousService {
                options: pick("Herrenhaarschnitt oder Damenhaarschnitt", "Checkup and Cleaning or Consultation"),
            },
            Msg::UnknownStaff { staff },
            Msg::StaffCannotProvide { staff, service },
            Msg::Missing(Missing::Service),
            Msg::Missing(Missing::Time),
            Msg::HoursWeek { open: hours, closed: None },
            Msg::HoursDay { day: &friday, hours },
            Msg::ClosedOn { day: &tomorrow, alternatives: "" },
            Msg::InvalidDate,
            Msg::InvalidTime,
            Msg::NonexistentTime,
            Msg::PastTime,
            Msg::TooSoon { when, notice, alternatives: "" },
            Msg::OutsideBookingWindow { days: 60 },
            Msg::Available { when, staff: None },
            Msg::Unavailable { when, why: Why::Taken, alternatives: "" },
            Msg::Unavailable { when, why: Why::NobodyAvailable, alternatives },
            Msg::SlotsOnDay { day: &friday, times },
            Msg::NothingOnDay { day: &friday, alternatives: "" },
            Msg::NothingOnDay { day: &tomorrow, alternatives },
            Msg::NextFree { slots: alternatives },
            Msg::NothingFree,
            Msg::Booked { service, when, staff, confirmation: Confirmation::None },
            Msg::Booked { service, when, staff, confirmation: Confirmation::Email(&spelled) },
            Msg::Booked { service, when, staff, confirmation: Confirmation::Sms },
            Msg::EmailInvalid,
            Msg::SlotTaken { when, alternatives: "" },
            Msg::SlotTaken { when, alternatives },
            Msg::NameRequired,
            Msg::AwaitingConfirmation { service, when },
            Msg::AnonymousMayNotBook,
            Msg::AppointmentsFound { list: appointment, count: 1 },
            Msg::NoAppointments,
            Msg::NoAppointmentsOn { day: &friday, next: None },
            Msg::AppointmentFor { name: "Max Müller" },
            Msg::AlreadyBooked { existing: appointment, staff },
            Msg::ConfirmDate { first: &this_friday, second: &later },
            Msg::DateRequired { time: None },
            Msg::AnonymousAppointments,
            Msg::Cancelled { what: appointment, fee: None, notice: Confirmation::None },
            Msg::Cancelled { what: appointment, fee: None, notice: Confirmation::Email(&spelled) },
            Msg::CancelTooLate { notice, fee: None },
            Msg::CancelTooLate { notice, fee: Some(fee) },
            Msg::CancelQuotaExceeded,
            Msg::RescheduleTooLate { notice },
            Msg::RescheduleLimit,
            Msg::AppointmentNotFound,
            Msg::MultipleFound {
                list: pick(
                    "Herrenhaarschnitt am Freitag um 10 Uhr oder am selben Tag um 15 Uhr",
                    "Consultation on Friday at 10 a.m. or at 3 p.m. that day",
                ),
            },
            Msg::AnonymousMayNotChange,
            Msg::AnonymousCallbackNoted,
            Msg::Rescheduled { service, when, notice: Confirmation::None },
            Msg::Rescheduled { service, when, notice: Confirmation::Sms },
            Msg::NeedsNewTime,
            Msg::CallbackRequested,
            Msg::PhoneRequired,
            Msg::UnknownFunction,
            Msg::ArgumentTooLong,
            Msg::UnknownNumber,
            Msg::TemporarilyUnavailable,
            Msg::CouldNotComplete,
        ];
        let named: BTreeSet<&str> = samples.iter().map(name).collect();
        assert_eq!(named.len(), VARIANTS, "every message of the catalogue has a sample");
        for msg in &samples {
            lines.push(format!("{code} | (catalogue) {} | {}", name(msg), say(lang, msg)));
        }
    }
    lines
}

async fn every_sentence_is_in_the_golden_file(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.clock = Arc::new(FixedClock("2026-03-10T13:00:00Z".parse().unwrap()));
    let server = TestServer::start(db, settings).await;
    let said = Arc::new(Mutex::new(BTreeSet::new()));
    let mut de = Script {
        server: &server,
        language: "de",
        number: FRISEUR,
        known: HANS,
        new: "+4915199887766",
        said: said.clone(),
        calls: 0,
    };
    salon(&mut de).await;
    let mut en = Script {
        server: &server,
        language: "en",
        number: SMILE,
        known: JOHN,
        new: "+12125550177",
        said: said.clone(),
        calls: 0,
    };
    practice(&mut en).await;
    let unknown = call_object("call_golden_unknown", HANS, "+4930999999", "ongoing");
    let answer = server.function("check_customer", json!({}), &unknown).await;
    said.lock().unwrap().insert(format!(
        "en | {} | {}",
        answer["status"].as_str().unwrap_or_default(),
        answer["message"].as_str().unwrap_or_default()
    ));
    server.stop().await;
    for line in catalogue_lines() {
        let sentence = line.rsplit(" | ").next().unwrap_or_default();
        let lower = format!(" {}", sentence.to_lowercase());
        for wrong in [" am morgen", " am heute", " on today", " on tomorrow", "withheld", ";"] {
            assert!(!lower.contains(wrong), "never “{}”: {line}", wrong.trim());
        }
        said.lock().unwrap().insert(line);
    }

    let mut text = String::from(
        "# Every sentence the functions say, by language and status (generated; see tests/http/golden.rs).\n",
    );
    for line in said.lock().unwrap().iter() {
        text.push_str(line);
        text.push('\n');
    }
    if std::env::var("FRONTDESK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(GOLDEN).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN, &text).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if golden != text {
        let old: BTreeSet<&str> = golden.lines().collect();
        let new: BTreeSet<&str> = text.lines().collect();
        let gone: Vec<&&str> = old.difference(&new).collect();
        let added: Vec<&&str> = new.difference(&old).collect();
        panic!(
            "the spoken sentences changed; review and regenerate with FRONTDESK_BLESS=1.\nno longer said:\n{}\nnew:\n{}",
            gone.iter().map(|l| format!("  - {l}")).collect::<Vec<_>>().join("\n"),
            added.iter().map(|l| format!("  + {l}")).collect::<Vec<_>>().join("\n"),
        );
    }
}

backend_tests!(every_sentence_is_in_the_golden_file);
