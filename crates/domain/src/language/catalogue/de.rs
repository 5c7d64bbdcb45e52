//! German. Written to be spoken: short sentences, full stops rather than colons, the date said
//! once, and every refusal ends with a question or an offer.

use super::{Confirmation, Missing, Msg, Why};

pub(super) fn say(msg: &Msg<'_>) -> String {
    match msg {
        Msg::Greeting { company, address: Some(address) } => {
            format!("Guten Tag, hier ist {company}. Schön, von Ihnen zu hören, {address}. Wie kann ich Ihnen helfen?")
        }
        Msg::Greeting { company, address: None } => format!("Guten Tag, hier ist {company}. Wie kann ich Ihnen helfen?"),
        Msg::CustomerKnown { address, upcoming } => {
            let hello = match address {
                Some(a) => format!("Schön, dass Sie wieder anrufen, {a}."),
                None => "Schön, dass Sie wieder anrufen.".into(),
            };
            match upcoming {
                0 => format!("{hello} Was kann ich für Sie tun?"),
                1 => format!("{hello} Sie haben einen Termin bei uns. Geht es um diesen, oder möchten Sie einen neuen?"),
                n => format!(
                    "{hello} Sie haben {} Termine bei uns. Geht es um einen davon, oder möchten Sie einen neuen?",
                    number(*n)
                ),
            }
        }
        Msg::CustomerNew => "Schön, dass Sie bei uns anrufen. Was kann ich für Sie tun?".into(),
        Msg::CustomerAnonymous => {
            "Sie rufen mit unterdrückter Nummer an, daher kann ich Sie leider nicht zuordnen. Wie kann ich Ihnen helfen?".into()
        }
        Msg::ServicesOffered { list } => format!("Wir bieten {list} an. Was darf es für Sie sein?"),
        Msg::NoServicesInCategory { category, offered } => {
            format!("In der Kategorie {category} bieten wir leider nichts an. Möglich sind {offered}. Ist etwas davon für Sie dabei?")
        }
        Msg::ServiceInfo { name, duration, price: Some(price) } => {
            format!("{name} dauert etwa {duration} und kostet {price}. Möchten Sie einen Termin?")
        }
        Msg::ServiceInfo { name, duration, price: None } => {
            format!("{name} dauert etwa {duration}. Möchten Sie einen Termin?")
        }
        Msg::UnknownService { offered } => {
            format!("Diese Leistung bieten wir leider nicht an. Möglich sind {offered}. Was davon darf es sein?")
        }
        Msg::AmbiguousService { options } => format!("Meinen Sie {options}?"),
        Msg::UnknownStaff { staff } => {
            format!("{staff} arbeitet leider nicht bei uns. Soll ich bei jemand anderem nachsehen?")
        }
        Msg::StaffCannotProvide { staff, service } => {
            format!("{service} macht {staff} leider nicht. Soll ich bei jemand anderem nachsehen?")
        }
        Msg::Missing(Missing::Service) => "Für welche Leistung möchten Sie einen Termin?".into(),
        Msg::Missing(Missing::Date) => "An welchem Tag hätten Sie gern einen Termin?".into(),
        Msg::Missing(Missing::Time) => "Um wie viel Uhr hätten Sie gern den Termin?".into(),
        Msg::HoursWeek { open, closed: Some(closed) } => {
            format!("Wir haben {open} geöffnet. Am {closed} haben wir geschlossen. Möchten Sie einen Termin?")
        }
        Msg::HoursWeek { open, closed: None } => format!("Wir haben {open} geöffnet. Möchten Sie einen Termin?"),
        Msg::HoursDay { day, hours } => {
            format!("{} haben wir {hours} geöffnet. Möchten Sie einen Termin?", capitalize(&day.mid()))
        }
        Msg::ClosedOn { day, alternatives: "" } => {
            format!("{} haben wir leider geschlossen. Passt Ihnen ein anderer Tag?", capitalize(&day.mid()))
        }
        Msg::ClosedOn { day, alternatives } => format!(
            "{} haben wir leider geschlossen. Ich könnte Ihnen {alternatives} anbieten. Passt Ihnen davon etwas?",
            capitalize(&day.mid())
        ),
        Msg::InvalidDate => {
            "Den Tag habe ich leider nicht verstanden. Welcher Tag wäre es, zum Beispiel Dienstag oder der 15. März?".into()
        }
        Msg::InvalidTime => {
            "Die Uhrzeit habe ich leider nicht verstanden. Um wie viel Uhr wäre es, zum Beispiel um 14 Uhr oder um halb drei?".into()
        }
        Msg::NonexistentTime => {
            "Diese Uhrzeit gibt es an dem Tag wegen der Zeitumstellung nicht. Welche andere Uhrzeit passt Ihnen?".into()
        }
        Msg::PastTime => "Dieser Zeitpunkt liegt leider schon in der Vergangenheit. Welcher Tag passt Ihnen stattdessen?".into(),
        Msg::TooSoon { when, notice, alternatives: "" } => format!(
            "{} ist es leider zu kurzfristig. Diesen Termin vergeben wir mindestens {notice} vorher. Passt Ihnen ein späterer Tag?",
            capitalize(when)
        ),
        Msg::TooSoon { when, notice, alternatives } => format!(
            "{} ist es leider zu kurzfristig. Diesen Termin vergeben wir mindestens {notice} vorher. Ich könnte Ihnen {alternatives} anbieten. Passt Ihnen davon etwas?",
            capitalize(when)
        ),
        Msg::OutsideBookingWindow { days } => format!(
            "So weit im Voraus kann ich leider noch nicht buchen. Termine vergeben wir bis zu {days} Tage im Voraus. Passt Ihnen ein früherer Tag?"
        ),
        Msg::Available { when, staff: Some(staff) } => {
            format!("{} hätte ich einen Termin frei, bei {staff}. Soll ich ihn für Sie eintragen?", capitalize(when))
        }
        Msg::Available { when, staff: None } => {
            format!("{} hätte ich einen Termin frei. Soll ich ihn für Sie eintragen?", capitalize(when))
        }
        Msg::Unavailable { when, why, alternatives } => {
            let reason = match why {
                Why::Taken => "ist leider schon alles vergeben".to_owned(),
                Why::BeforeOpening(opens) => format!("geht es leider nicht, wir öffnen erst um {opens}"),
                Why::AfterClosing(closes) => format!("geht es leider nicht mehr, wir schließen um {closes}"),
                Why::Break => "geht es leider nicht, da ist Mittagspause".to_owned(),
                Why::StaffAway(staff) => format!("geht es leider nicht, da arbeitet {staff} nicht"),
                Why::NobodyAvailable => "geht es leider nicht, da ist niemand für diese Leistung eingeteilt".to_owned(),
            };
            match *alternatives {
                "" => format!(
                    "{} {reason}. In den nächsten zwei Wochen finde ich auch sonst nichts. Soll ich Sie zurückrufen lassen?",
                    capitalize(when)
                ),
                alternatives => format!(
                    "{} {reason}. Ich könnte Ihnen {alternatives} anbieten. Passt Ihnen davon etwas?",
                    capitalize(when)
                ),
            }
        }
        Msg::SlotsOnDay { day, times } => {
            format!("{} hätte ich zum Beispiel um {times} frei. Welche Uhrzeit passt Ihnen?", capitalize(&day.mid()))
        }
        Msg::NothingOnDay { day, alternatives: "" } => format!(
            "{} ist leider nichts mehr frei, und in den nächsten zwei Wochen auch nicht. Soll ich Sie zurückrufen lassen?",
            capitalize(&day.mid())
        ),
        Msg::NothingOnDay { day, alternatives } => format!(
            "{} ist leider nichts mehr frei. Ich könnte Ihnen {alternatives} anbieten. Passt Ihnen davon etwas?",
            capitalize(&day.mid())
        ),
        Msg::NextFree { slots } => format!("Frei wäre als Nächstes {slots}. Passt Ihnen davon etwas?"),
        Msg::NothingFree => {
            "In den nächsten Wochen finde ich leider keinen freien Termin. Soll ich Sie zurückrufen lassen?".into()
        }
        Msg::Booked { service, when, staff, confirmation } => {
            format!(
                "Ihr Termin für {service} ist eingetragen, {when} bei {staff}.{} Kann ich sonst noch etwas für Sie tun?",
                notice_sent(confirmation)
            )
        }
        Msg::EmailInvalid => {
            "Die E-Mail-Adresse habe ich leider nicht richtig verstanden. Könnten Sie sie mir bitte noch einmal buchstabieren?".into()
        }
        Msg::SlotTaken { when, alternatives: "" } => format!(
            "{} ist der Termin leider gerade vergeben worden, und in den nächsten zwei Wochen finde ich nichts anderes. Soll ich Sie zurückrufen lassen?",
            capitalize(when)
        ),
        Msg::SlotTaken { when, alternatives } => format!(
            "{} ist der Termin leider gerade vergeben worden. Ich könnte Ihnen {alternatives} anbieten. Passt Ihnen davon etwas?",
            capitalize(when)
        ),
        Msg::NameRequired => "Auf welchen Namen darf ich den Termin eintragen?".into(),
        Msg::AwaitingConfirmation { service, when } => {
            format!("{} hätte ich für {service} einen Termin frei. Soll ich ihn verbindlich eintragen?", capitalize(when))
        }
        Msg::AnonymousMayNotBook => {
            "Sie rufen mit unterdrückter Nummer an. Für eine Buchung brauchen wir eine Telefonnummer, unter der wir Sie erreichen. Wie lautet sie?".into()
        }
        Msg::AppointmentsFound { list, count: 1 } => {
            format!("Sie haben einen Termin bei uns, {list}. Kann ich dazu etwas für Sie tun?")
        }
        Msg::AppointmentsFound { list, count } => {
            format!("Sie haben {} Termine bei uns, {list}. Um welchen geht es?", number(*count))
        }
        Msg::NoAppointments => "Ich sehe keine anstehenden Termine für Sie. Möchten Sie einen vereinbaren?".into(),
        Msg::NoAppointmentsOn { day, next: Some(next) } => format!(
            "{} haben Sie keinen Termin. Ihr nächster Termin ist {next}. Kann ich sonst noch etwas für Sie tun?",
            capitalize(&day.mid())
        ),
        Msg::NoAppointmentsOn { day, next: None } => format!(
            "{} haben Sie keinen Termin, und danach ist auch keiner eingetragen. Möchten Sie einen vereinbaren?",
            capitalize(&day.mid())
        ),
        Msg::AppointmentFor { name } => format!("Termin für {name}"),
        Msg::AlreadyBooked { existing, staff } => format!(
            "Sie haben zu dieser Zeit schon einen Termin, {existing} bei {staff}. Soll ich diesen Termin verschieben, oder ist der neue Termin für eine andere Person?"
        ),
        Msg::ConfirmDate { first, second } => format!("Meinen Sie {} oder {}?", first.mid(), second.end()),
        Msg::DateRequired { time: Some(time) } => format!("An welchem Tag soll ich den Termin um {time} eintragen?"),
        Msg::DateRequired { time: None } => "An welchem Tag hätten Sie gern den Termin?".into(),
        Msg::AnonymousAppointments => {
            "Da Sie mit unterdrückter Nummer anrufen, sehe ich nur Termine, die in diesem Gespräch gebucht wurden, und das sind keine. Kann ich Ihnen anders helfen?".into()
        }
        Msg::Cancelled { what, fee: Some(fee), notice } => format!(
            "Ihr Termin ist abgesagt, {what}. Für die kurzfristige Absage berechnen wir {fee}.{} Kann ich sonst noch etwas für Sie tun?",
            notice_sent(notice)
        ),
        Msg::Cancelled { what, fee: None, notice } => {
            format!("Ihr Termin ist abgesagt, {what}.{} Kann ich sonst noch etwas für Sie tun?", notice_sent(notice))
        }
        Msg::CancelTooLate { notice, fee: Some(fee) } => format!(
            "Kostenlos absagen kann man bis {notice} vorher. Eine kurzfristige Absage kostet {fee}. Möchten Sie trotzdem absagen?"
        ),
        Msg::CancelTooLate { notice, fee: None } => format!(
            "Absagen kann man leider nur bis {notice} vorher. Soll ich Sie zurückrufen lassen?"
        ),
        Msg::CancelQuotaExceeded => {
            "Sie haben in den letzten 30 Tagen schon mehrmals abgesagt. Weitere Absagen kann ich am Telefon leider nicht annehmen. Soll ich Sie zurückrufen lassen?".into()
        }
        Msg::RescheduleTooLate { notice } => {
            format!("Verschieben kann man leider nur bis {notice} vorher. Soll ich Sie zurückrufen lassen?")
        }
        Msg::RescheduleLimit => {
            "Dieser Termin wurde schon mehrmals verschoben, noch einmal geht es leider nicht. Soll ich Sie zurückrufen lassen?".into()
        }
        Msg::AppointmentNotFound => {
            "Zu Ihrer Nummer finde ich keinen passenden Termin. Wann war der Termin denn eingetragen?".into()
        }
        Msg::MultipleFound { list } => format!("Welchen Termin meinen Sie, {list}?"),
        Msg::AnonymousMayNotChange => {
            "Da Sie mit unterdrückter Nummer anrufen, kann ich Termine leider nicht ändern. Wir rufen Sie aber gern zurück. Unter welcher Nummer erreichen wir Sie?".into()
        }
        Msg::AnonymousCallbackNoted => {
            "Da Sie mit unterdrückter Nummer anrufen, kann ich den Termin nicht selbst ändern. Ich habe notiert, dass wir Sie unter der genannten Nummer zurückrufen. Kann ich sonst noch etwas für Sie tun?".into()
        }
        Msg::Rescheduled { service, when, notice } => format!(
            "Ihr Termin für {service} ist verschoben, jetzt {when}.{} Kann ich sonst noch etwas für Sie tun?",
            notice_sent(notice)
        ),
        Msg::NeedsNewTime => "Auf welchen Tag und welche Uhrzeit möchten Sie den Termin verschieben?".into(),
        Msg::CallbackRequested => {
            "Ich habe Ihre Rückrufbitte notiert, wir melden uns so bald wie möglich. Kann ich sonst noch etwas für Sie tun?".into()
        }
        Msg::PhoneRequired => "Unter welcher Nummer können wir Sie zurückrufen?".into(),
        Msg::UnknownFunction => "Das kann ich leider nicht erledigen. Kann ich Ihnen anders helfen?".into(),
        Msg::ArgumentTooLong => "Das war leider zu lang für mich. Können Sie es mir bitte kürzer sagen?".into(),
        Msg::UnknownNumber => {
            "Diese Rufnummer ist bei uns leider nicht eingerichtet. Möchten Sie es unter einer anderen Nummer versuchen?".into()
        }
        Msg::TemporarilyUnavailable => {
            "Einen Moment bitte, unser System ist gerade kurz nicht erreichbar. Darf ich es gleich noch einmal versuchen?".into()
        }
        Msg::CouldNotComplete => {
            "Das konnte ich leider gerade nicht erledigen. Soll ich einen Rückruf notieren, damit sich jemand darum kümmert?".into()
        }
    }
}

/// Small counts in words, as they are spoken.
fn number(n: usize) -> String {
    const WORDS: [&str; 13] =
        ["null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Where the written confirmation goes, as a sentence (with its leading space), or nothing.
fn notice_sent(confirmation: &Confirmation<'_>) -> String {
    match confirmation {
        Confirmation::None => String::new(),
        Confirmation::Email(address) => format!(" Die Bestätigung schicke ich an {address}."),
        Confirmation::Sms => " Eine Bestätigung bekommen Sie per SMS.".to_owned(),
    }
}
