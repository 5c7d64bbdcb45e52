//! German.

use super::{Missing, Msg};

pub(super) fn say(msg: &Msg<'_>) -> String {
    match msg {
        Msg::Greeting { company, customer: Some(name) } => {
            format!("Guten Tag, hier ist {company}. Schön, von Ihnen zu hören, {name}. Wie kann ich Ihnen helfen?")
        }
        Msg::Greeting { company, customer: None } => format!("Guten Tag, hier ist {company}. Wie kann ich Ihnen helfen?"),
        Msg::CustomerKnown { name, upcoming } => {
            let who = name.map(|n| format!(", {n}")).unwrap_or_default();
            match upcoming {
                0 => format!("Sie sind bei uns bereits Kunde{who}."),
                1 => format!("Sie sind bei uns bereits Kunde{who} und haben einen anstehenden Termin."),
                n => format!("Sie sind bei uns bereits Kunde{who} und haben {n} anstehende Termine."),
            }
        }
        Msg::CustomerNew => "Sie rufen zum ersten Mal bei uns an – herzlich willkommen!".into(),
        Msg::CustomerAnonymous => "Ihre Rufnummer ist unterdrückt, daher kann ich Sie leider nicht zuordnen.".into(),
        Msg::ServicesOffered { list } => format!("Wir bieten an: {list}."),
        Msg::NoServicesInCategory { category } => format!("In der Kategorie {category} bieten wir leider nichts an."),
        Msg::ServiceInfo { name, minutes, price: Some(price) } => {
            format!("{name} dauert etwa {minutes} Minuten und kostet {price}.")
        }
        Msg::ServiceInfo { name, minutes, price: None } => format!("{name} dauert etwa {minutes} Minuten."),
        Msg::UnknownService { offered } => format!("Diese Leistung bieten wir leider nicht an. Möglich sind: {offered}."),
        Msg::AmbiguousService { options } => format!("Meinen Sie {options}?"),
        Msg::UnknownStaff { staff } => format!("{staff} arbeitet leider nicht bei uns."),
        Msg::StaffCannotProvide { staff, service } => format!("{staff} bietet {service} leider nicht an."),
        Msg::Missing(Missing::Service) => "Für welche Leistung möchten Sie einen Termin?".into(),
        Msg::Missing(Missing::Date) => "An welchem Tag hätten Sie gern einen Termin?".into(),
        Msg::Missing(Missing::Time) => "Um wie viel Uhr hätten Sie gern den Termin?".into(),
        Msg::HoursWeek { summary } => format!("Unsere Öffnungszeiten: {summary}."),
        Msg::HoursDay { date, hours } => format!("Am {date} haben wir {hours} geöffnet."),
        Msg::ClosedOn { date } => format!("Am {date} haben wir leider geschlossen."),
        Msg::InvalidDate => {
            "Das Datum habe ich leider nicht verstanden. Nennen Sie mir bitte den Tag, zum Beispiel „Dienstag“ oder „15. März“.".into()
        }
        Msg::InvalidTime => {
            "Die Uhrzeit habe ich leider nicht verstanden. Nennen Sie mir bitte eine Uhrzeit, zum Beispiel „14 Uhr“ oder „halb drei“.".into()
        }
        Msg::NonexistentTime => {
            "Diese Uhrzeit gibt es an dem Tag wegen der Zeitumstellung nicht. Bitte wählen Sie eine andere Uhrzeit.".into()
        }
        Msg::PastTime => "Dieser Zeitpunkt liegt leider schon in der Vergangenheit.".into(),
        Msg::TooSoon { notice, alternatives: "" } => {
            format!("So kurzfristig ist das leider nicht möglich – wir brauchen mindestens {notice} Vorlauf.")
        }
        Msg::TooSoon { notice, alternatives } => format!(
            "So kurzfristig ist das leider nicht möglich – wir brauchen mindestens {notice} Vorlauf. Ich könnte Ihnen {alternatives} anbieten."
        ),
        Msg::OutsideBookingWindow { days } => {
            format!("So weit im Voraus kann ich leider nicht buchen, höchstens {days} Tage.")
        }
        Msg::Available { when, staff: Some(staff) } => format!("{} ist frei, bei {staff}.", capitalize(when)),
        Msg::Available { when, staff: None } => format!("{} ist frei.", capitalize(when)),
        Msg::Unavailable { when, alternatives: "" } => {
            format!("{} ist leider nicht frei, und in den nächsten Tagen finde ich auch nichts Passendes.", capitalize(when))
        }
        Msg::Unavailable { when, alternatives } => {
            format!("{} ist leider nicht frei. Ich könnte Ihnen {alternatives} anbieten.", capitalize(when))
        }
        Msg::SlotsOnDay { date, times } => format!("Am {date} hätte ich zum Beispiel um {times} frei."),
        Msg::NothingOnDay { date, alternatives: "" } => {
            format!("Am {date} ist leider nichts mehr frei.")
        }
        Msg::NothingOnDay { date, alternatives } => {
            format!("Am {date} ist leider nichts mehr frei. Ich könnte Ihnen {alternatives} anbieten.")
        }
        Msg::NextFree { slots } => format!("Die nächsten freien Termine wären {slots}."),
        Msg::NothingFree => "In den nächsten Wochen finde ich leider keinen freien Termin.".into(),
        Msg::Booked { service, when, staff } => {
            format!("Ihr Termin ist gebucht: {service} am {when} bei {staff}. Wir freuen uns auf Sie!")
        }
        Msg::SlotTaken { when, alternatives: "" } => {
            format!("{} ist leider gerade vergeben worden.", capitalize(when))
        }
        Msg::SlotTaken { when, alternatives } => {
            format!("{} ist leider gerade vergeben worden. Ich könnte Ihnen {alternatives} anbieten.", capitalize(when))
        }
        Msg::NameRequired => "Auf welchen Namen darf ich den Termin buchen?".into(),
        Msg::AwaitingConfirmation { service, when } => {
            format!("{service} am {when} ist frei. Soll ich den Termin verbindlich für Sie buchen?")
        }
        Msg::AnonymousMayNotBook => {
            "Ihre Rufnummer ist unterdrückt. Für eine Buchung brauchen wir eine Telefonnummer, unter der wir Sie erreichen können – wie lautet sie?".into()
        }
        Msg::AppointmentsFound { list, count: 1 } => format!("Sie haben einen Termin: {list}."),
        Msg::AppointmentsFound { list, count } => format!("Sie haben {count} Termine: {list}."),
        Msg::NoAppointments => "Ich finde keine anstehenden Termine für Sie.".into(),
        Msg::AnonymousAppointments => {
            "Da Ihre Rufnummer unterdrückt ist, kann ich Ihnen nur Termine nennen, die Sie in diesem Anruf gebucht haben – das sind keine.".into()
        }
        Msg::Cancelled { what, fee: Some(fee) } => {
            format!("Ihr Termin {what} ist storniert. Für die kurzfristige Absage berechnen wir {fee}.")
        }
        Msg::Cancelled { what, fee: None } => format!("Ihr Termin {what} ist storniert."),
        Msg::CancelTooLate { hours, fee: Some(fee) } => format!(
            "Termine können bis {hours} Stunden vorher kostenlos abgesagt werden. Eine kurzfristige Absage kostet {fee}. Möchten Sie trotzdem absagen?"
        ),
        Msg::CancelTooLate { hours, fee: None } => format!(
            "Termine können nur bis {hours} Stunden vorher abgesagt werden. Soll ich Sie zurückrufen lassen?"
        ),
        Msg::CancelQuotaExceeded => {
            "Sie haben in den letzten 30 Tagen schon mehrfach abgesagt; weitere Absagen kann ich am Telefon leider nicht annehmen. Soll ich Sie zurückrufen lassen?".into()
        }
        Msg::RescheduleTooLate { hours } => {
            format!("Termine können nur bis {hours} Stunden vorher verschoben werden. Soll ich Sie zurückrufen lassen?")
        }
        Msg::RescheduleLimit => {
            "Dieser Termin wurde schon mehrfach verschoben; ein weiteres Verschieben ist leider nicht möglich.".into()
        }
        Msg::AppointmentNotFound => "Ich finde leider keinen passenden Termin unter Ihrer Nummer.".into(),
        Msg::MultipleFound { list } => format!("Welchen Termin meinen Sie: {list}?"),
        Msg::AnonymousMayNotChange => {
            "Da Sie mit unterdrückter Nummer anrufen, kann ich Termine leider nicht ändern. Wir rufen Sie aber gern zurück. Unter welcher Nummer erreichen wir Sie?".into()
        }
        Msg::AnonymousCallbackNoted => {
            "Da Sie mit unterdrückter Nummer anrufen, kann ich den Termin nicht selbst ändern. Ich habe notiert, dass wir Sie unter der genannten Nummer zurückrufen. Kann ich sonst noch etwas für Sie tun?".into()
        }
        Msg::NoAppointmentsOn { date, next: Some(next) } => {
            format!("Am {date} haben Sie keinen Termin. Ihr nächster Termin ist {next}. Kann ich sonst noch etwas für Sie tun?")
        }
        Msg::NoAppointmentsOn { date, next: None } => {
            format!("Am {date} haben Sie keinen Termin, und danach ist auch keiner eingetragen. Möchten Sie einen vereinbaren?")
        }
        Msg::AlreadyBooked { existing, staff } => format!(
            "Sie haben zu dieser Zeit schon einen Termin, {existing} bei {staff}. Soll ich diesen Termin verschieben, oder ist der neue Termin für eine andere Person?"
        ),
        Msg::DateRequired { time: Some(time) } => format!("An welchem Tag soll ich den Termin um {time} eintragen?"),
        Msg::ConfirmDate { first, second } => format!("Meinen Sie {first} oder {second}?"),
        Msg::AppointmentFor { name } => format!("Termin für {name}"),
        Msg::DateRequired { time: None } => "An welchem Tag hätten Sie gern den Termin?".into(),
        Msg::Rescheduled { service, when } => format!("Ihr Termin ist verschoben: {service} jetzt am {when}."),
        Msg::NeedsNewTime => "Auf welchen Tag und welche Uhrzeit möchten Sie den Termin verschieben?".into(),
        Msg::CallbackRequested => "Ich habe Ihre Rückrufbitte notiert. Wir rufen Sie so bald wie möglich zurück.".into(),
        Msg::PhoneRequired => "Unter welcher Telefonnummer können wir Sie zurückrufen?".into(),
        Msg::UnknownFunction => "Das kann ich leider nicht erledigen.".into(),
        Msg::ArgumentTooLong => "Das war leider zu lang für mich. Können Sie es mir bitte kürzer sagen?".into(),
        Msg::UnknownNumber => "Diese Rufnummer ist bei uns nicht eingerichtet.".into(),
        Msg::TemporarilyUnavailable => {
            "Einen Moment bitte, unser System ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.".into()
        }
        Msg::CouldNotComplete => {
            "Das konnte ich leider gerade nicht erledigen. Ich kann gern einen Rückruf notieren, dann kümmert sich jemand darum.".into()
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
