//! English.

use super::{Missing, Msg};

pub(super) fn say(msg: &Msg<'_>) -> String {
    match msg {
        Msg::Greeting { company, customer: Some(name) } => {
            format!("Hello, this is {company}. Good to hear from you, {name}. How can I help you?")
        }
        Msg::Greeting { company, customer: None } => format!("Hello, this is {company}. How can I help you?"),
        Msg::CustomerKnown { name, upcoming } => {
            let who = name.map(|n| format!(", {n}")).unwrap_or_default();
            match upcoming {
                0 => format!("You are already a patient with us{who}."),
                1 => format!("You are already a patient with us{who}, with one upcoming appointment."),
                n => format!("You are already a patient with us{who}, with {n} upcoming appointments."),
            }
        }
        Msg::CustomerNew => "Welcome, this is your first call with us.".into(),
        Msg::CustomerAnonymous => "Your number is withheld, so I cannot look you up.".into(),
        Msg::ServicesOffered { list } => format!("We offer {list}."),
        Msg::NoServicesInCategory { category } => format!("We don't offer anything in the category {category}."),
        Msg::ServiceInfo { name, minutes, price: Some(price) } => {
            format!("{name} takes about {minutes} minutes and costs {price}.")
        }
        Msg::ServiceInfo { name, minutes, price: None } => format!("{name} takes about {minutes} minutes."),
        Msg::UnknownService { offered } => format!("I'm sorry, we don't offer that. We offer {offered}."),
        Msg::AmbiguousService { options } => format!("Do you mean {options}?"),
        Msg::UnknownStaff { staff } => format!("I'm sorry, {staff} doesn't work here."),
        Msg::StaffCannotProvide { staff, service } => format!("I'm sorry, {staff} doesn't do {service}."),
        Msg::Missing(Missing::Service) => "Which service would you like to book?".into(),
        Msg::Missing(Missing::Date) => "Which day would you like to come in?".into(),
        Msg::Missing(Missing::Time) => "What time would suit you?".into(),
        Msg::HoursWeek { summary } => format!("Our opening hours: {summary}."),
        Msg::HoursDay { date, hours } => format!("On {date} we are open {hours}."),
        Msg::ClosedOn { date } => format!("I'm sorry, we are closed on {date}."),
        Msg::InvalidDate => {
            "I didn't catch the date. Could you tell me the day, for example \"Tuesday\" or \"March 15\"?".into()
        }
        Msg::InvalidTime => "I didn't catch the time. Could you tell me a time, for example \"2 PM\" or \"10:30\"?".into(),
        Msg::NonexistentTime => {
            "That time doesn't exist on that day because the clocks change. Please choose another time.".into()
        }
        Msg::PastTime => "I'm sorry, that time is already in the past.".into(),
        Msg::TooSoon { notice, alternatives: "" } => {
            format!("I'm sorry, that's too short notice; we need at least {notice}.")
        }
        Msg::TooSoon { notice, alternatives } => {
            format!("I'm sorry, that's too short notice; we need at least {notice}. I could offer you {alternatives}.")
        }
        Msg::OutsideBookingWindow { days } => {
            format!("I'm sorry, I can only book up to {days} days in advance.")
        }
        Msg::Available { when, staff: Some(staff) } => format!("{} is available, with {staff}.", capitalize(when)),
        Msg::Available { when, staff: None } => format!("{} is available.", capitalize(when)),
        Msg::Unavailable { when, alternatives: "" } => {
            format!("I'm sorry, {when} is not available, and I can't find anything suitable in the next days.")
        }
        Msg::Unavailable { when, alternatives } => {
            format!("I'm sorry, {when} is not available. I could offer you {alternatives}.")
        }
        Msg::SlotsOnDay { date, times } => format!("On {date} I have, for example, {times}."),
        Msg::NothingOnDay { date, alternatives: "" } => {
            format!("I'm sorry, nothing is available on {date}.")
        }
        Msg::NothingOnDay { date, alternatives } => {
            format!("I'm sorry, nothing is available on {date}. I could offer you {alternatives}.")
        }
        Msg::NextFree { slots } => format!("The next available times are {slots}."),
        Msg::NothingFree => "I'm sorry, I can't find anything available in the coming weeks.".into(),
        Msg::Booked { service, when, staff } => {
            format!("You're booked: {service} on {when} with {staff}. We look forward to seeing you!")
        }
        Msg::SlotTaken { when, alternatives: "" } => {
            format!("I'm sorry, {when} was just taken.")
        }
        Msg::SlotTaken { when, alternatives } => {
            format!("I'm sorry, {when} was just taken. I could offer you {alternatives}.")
        }
        Msg::NameRequired => "May I have your full name for the booking?".into(),
        Msg::AwaitingConfirmation { service, when } => {
            format!("{service} on {when} is available. Shall I book it for you?")
        }
        Msg::AnonymousMayNotBook => {
            "Your number is withheld. To book, we need a phone number where we can reach you — what is it?".into()
        }
        Msg::AppointmentsFound { list, count: 1 } => format!("You have one appointment: {list}."),
        Msg::AppointmentsFound { list, count } => format!("You have {count} appointments: {list}."),
        Msg::NoAppointments => "I can't find any upcoming appointments for you.".into(),
        Msg::AnonymousAppointments => {
            "Since your number is withheld, I can only tell you about appointments booked during this call, and there are none.".into()
        }
        Msg::Cancelled { what, fee: Some(fee) } => {
            format!("Your appointment {what} is cancelled. The late-cancellation fee of {fee} applies.")
        }
        Msg::Cancelled { what, fee: None } => format!("Your appointment {what} is cancelled."),
        Msg::CancelTooLate { hours, fee: Some(fee) } => format!(
            "Appointments can be cancelled free of charge up to {hours} hours in advance. A late cancellation costs {fee}. Would you still like to cancel?"
        ),
        Msg::CancelTooLate { hours, fee: None } => format!(
            "Appointments can only be cancelled up to {hours} hours in advance. Shall I have someone call you back?"
        ),
        Msg::CancelQuotaExceeded => {
            "You have cancelled several times in the last 30 days, so I can't take another cancellation by phone. Shall I have someone call you back?".into()
        }
        Msg::RescheduleTooLate { hours } => format!(
            "Appointments can only be moved up to {hours} hours in advance. Shall I have someone call you back?"
        ),
        Msg::RescheduleLimit => "This appointment has been moved several times already and can't be moved again.".into(),
        Msg::AppointmentNotFound => "I can't find a matching appointment for your number.".into(),
        Msg::MultipleFound { list } => format!("Which appointment do you mean: {list}?"),
        Msg::AnonymousMayNotChange => {
            "Since you're calling from a private number, I can't change appointments. We'd be happy to call you back, though. What number can we reach you on?".into()
        }
        Msg::AnonymousCallbackNoted => {
            "Since you're calling from a private number, I can't change the appointment myself. I've noted that we'll call you back on the number you gave. Is there anything else I can do for you?".into()
        }
        Msg::NoAppointmentsOn { date, next: Some(next) } => {
            format!("You have no appointment on {date}. Your next one is {next}. Is there anything else I can do for you?")
        }
        Msg::NoAppointmentsOn { date, next: None } => {
            format!("You have no appointment on {date}, and none after it either. Would you like to make one?")
        }
        Msg::AlreadyBooked { existing, staff } => format!(
            "You already have an appointment at that time, {existing} with {staff}. Shall I move that one, or is the new appointment for someone else?"
        ),
        Msg::DateRequired { time: Some(time) } => format!("Which day would you like the appointment at {time}?"),
        Msg::ConfirmDate { first, second } => format!("Do you mean {first} or {second}?"),
        Msg::AppointmentFor { name } => format!("Appointment for {name}"),
        Msg::DateRequired { time: None } => "Which day would you like the appointment?".into(),
        Msg::Rescheduled { service, when } => format!("Your appointment is moved: {service}, now on {when}."),
        Msg::NeedsNewTime => "Which day and time would you like to move the appointment to?".into(),
        Msg::CallbackRequested => "I've noted your request; we'll call you back as soon as we can.".into(),
        Msg::PhoneRequired => "What number can we call you back on?".into(),
        Msg::UnknownFunction => "I'm sorry, I can't do that.".into(),
        Msg::ArgumentTooLong => "I'm sorry, that was too long for me to take down. Could you say it more briefly?".into(),
        Msg::UnknownNumber => "This number is not set up with us.".into(),
        Msg::TemporarilyUnavailable => {
            "One moment please, our system is briefly unavailable. Please try again in a moment.".into()
        }
        Msg::CouldNotComplete => {
            "I'm sorry, I couldn't complete that just now. I can note a call back so a colleague takes care of it.".into()
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
