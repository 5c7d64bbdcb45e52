//! English. Written to be spoken: short sentences, full stops rather than colons, the date said
//! once, and every refusal ends with a question or an offer.

use super::{Confirmation, Missing, Msg, Why};

pub(super) fn say(msg: &Msg<'_>) -> String {
    match msg {
        Msg::Greeting { company, address: Some(address) } => {
            format!("Hello, this is {company}. Good to hear from you, {address}. How can I help you?")
        }
        Msg::Greeting { company, address: None } => format!("Hello, this is {company}. How can I help you?"),
        Msg::CustomerKnown { address, upcoming } => {
            let hello = match address {
                Some(a) => format!("Good to hear from you again, {a}."),
                None => "Good to hear from you again.".into(),
            };
            match upcoming {
                0 => format!("{hello} What can I do for you?"),
                1 => format!("{hello} You have one appointment with us. Is it about that one, or would you like a new one?"),
                n => format!(
                    "{hello} You have {} appointments with us. Is it about one of them, or would you like a new one?",
                    number(*n)
                ),
            }
        }
        Msg::CustomerNew => "Thank you for calling us. What can I do for you?".into(),
        Msg::CustomerAnonymous => {
            "You're calling from a private number, so I can't look up your details. How can I help you?".into()
        }
        Msg::ServicesOffered { list } => format!("We offer {list}. What would you like?"),
        Msg::NoServicesInCategory { category, offered } => {
            format!("We don't offer anything in {category}. We do offer {offered}. Would any of those suit you?")
        }
        Msg::ServiceInfo { name, duration, price: Some(price) } => {
            format!("{name} takes about {duration} and costs {price}. Would you like an appointment?")
        }
        Msg::ServiceInfo { name, duration, price: None } => {
            format!("{name} takes about {duration}. Would you like an appointment?")
        }
        Msg::UnknownService { offered } => {
            format!("I'm sorry, we don't offer that. We do offer {offered}. Which would you like?")
        }
        Msg::AmbiguousService { options } => format!("Do you mean {options}?"),
        Msg::UnknownStaff { staff } => {
            format!("I'm sorry, {staff} doesn't work here. Shall I look with someone else?")
        }
        Msg::StaffCannotProvide { staff, service } => {
            format!("I'm sorry, {staff} doesn't do {service}. Shall I look with someone else?")
        }
        Msg::Missing(Missing::Service) => "Which service would you like an appointment for?".into(),
        Msg::Missing(Missing::Date) => "Which day would you like the appointment?".into(),
        Msg::Missing(Missing::Time) => "What time would suit you?".into(),
        Msg::HoursWeek { open, closed: Some(closed) } => {
            format!("We're open {open}, and closed on {closed}. Would you like an appointment?")
        }
        Msg::HoursWeek { open, closed: None } => format!("We're open {open}. Would you like an appointment?"),
        Msg::HoursDay { day, hours } => {
            format!("{} we're open {hours}. Would you like an appointment?", capitalize(&day.mid()))
        }
        Msg::ClosedOn { day, alternatives: "" } => {
            format!("I'm sorry, we're closed {}. Would another day suit you?", day.end())
        }
        Msg::ClosedOn { day, alternatives } => format!(
            "I'm sorry, we're closed {}. I could offer you {alternatives}. Would any of those suit you?",
            day.end()
        ),
        Msg::InvalidDate => {
            "I'm sorry, I didn't catch the day. Which day would it be, for example Tuesday or March 15?".into()
        }
        Msg::InvalidTime => "I'm sorry, I didn't catch the time. What time would it be, for example 2 p.m.?".into(),
        Msg::NonexistentTime => {
            "That time doesn't exist that day because the clocks change. What other time would suit you?".into()
        }
        Msg::PastTime => "I'm sorry, that time has already passed. Which day would suit you instead?".into(),
        Msg::TooSoon { when, notice, alternatives: "" } => format!(
            "I'm sorry, I can't book you in {when}, that's too soon. This appointment needs to be booked at least {notice} in advance. Would a later day suit you?"
        ),
        Msg::TooSoon { when, notice, alternatives } => format!(
            "I'm sorry, I can't book you in {when}, that's too soon. This appointment needs to be booked at least {notice} in advance. I could offer you {alternatives}. Would any of those suit you?"
        ),
        Msg::OutsideBookingWindow { days } => format!(
            "I'm sorry, I can't book that far ahead. We take appointments up to {days} days in advance. Would an earlier day suit you?"
        ),
        Msg::Available { when, staff: Some(staff) } => {
            format!("I have an opening {when} with {staff}. Shall I book it for you?")
        }
        Msg::Available { when, staff: None } => format!("I have an opening {when}. Shall I book it for you?"),
        Msg::Unavailable { when, why, alternatives } => {
            let reason = match why {
                Why::Taken => "that time is already taken".to_owned(),
                Why::BeforeOpening(opens) => format!("we only open at {opens}"),
                Why::AfterClosing(closes) => format!("we close at {closes}"),
                Why::Break => "that's our lunch break".to_owned(),
                Why::StaffAway(staff) => format!("{staff} isn't in then"),
                Why::NobodyAvailable => "nobody who does this is in then".to_owned(),
            };
            match *alternatives {
                "" => format!(
                    "I'm sorry, I can't book you in {when}, {reason}, and I can't find anything else in the next two weeks. Shall I have someone call you back?"
                ),
                alternatives => format!(
                    "I'm sorry, I can't book you in {when}, {reason}. I could offer you {alternatives}. Would any of those suit you?"
                ),
            }
        }
        Msg::SlotsOnDay { day, times } => {
            format!("{} I have {times} free, for example. Which time would suit you?", capitalize(&day.mid()))
        }
        Msg::NothingOnDay { day, alternatives: "" } => format!(
            "I'm sorry, nothing is free {}, nor in the next two weeks. Shall I have someone call you back?",
            day.end()
        ),
        Msg::NothingOnDay { day, alternatives } => format!(
            "I'm sorry, nothing is free {}. I could offer you {alternatives}. Would any of those suit you?",
            day.end()
        ),
        Msg::NextFree { slots } => format!("The next free times are {slots}. Would any of those suit you?"),
        Msg::NothingFree => {
            "I'm sorry, I can't find a free time in the coming weeks. Shall I have someone call you back?".into()
        }
        Msg::Booked { service, when, staff, confirmation } => {
            format!(
                "You're booked for {service} {when} with {staff}.{} Is there anything else I can do for you?",
                notice_sent(confirmation)
            )
        }
        Msg::EmailInvalid => {
            "I'm sorry, I didn't get that e-mail address right. Could you spell it for me once more?".into()
        }
        Msg::SlotTaken { when, alternatives: "" } => format!(
            "I'm sorry, the time {when} was just taken, and I can't find anything else in the next two weeks. Shall I have someone call you back?"
        ),
        Msg::SlotTaken { when, alternatives } => format!(
            "I'm sorry, the time {when} was just taken. I could offer you {alternatives}. Would any of those suit you?"
        ),
        Msg::NameRequired => "May I have your name for the booking?".into(),
        Msg::AwaitingConfirmation { service, when } => {
            format!("I have an opening for {service} {when}. Shall I book it for you?")
        }
        Msg::AnonymousMayNotBook => {
            "You're calling from a private number. To book, we need a number where we can reach you. What is it?".into()
        }
        Msg::AppointmentsFound { list, count: 1 } => {
            format!("You have one appointment with us, {list}. Can I help you with it?")
        }
        Msg::AppointmentsFound { list, count } => {
            format!("You have {} appointments with us, {list}. Which one is it about?", number(*count))
        }
        Msg::NoAppointments => "I can't see any upcoming appointments for you. Would you like to make one?".into(),
        Msg::NoAppointmentsOn { day, next: Some(next) } => format!(
            "You have no appointment {}. Your next one is {next}. Is there anything else I can do for you?",
            day.end()
        ),
        Msg::NoAppointmentsOn { day, next: None } => format!(
            "You have no appointment {}, and none after it either. Would you like to make one?",
            day.end()
        ),
        Msg::AppointmentFor { name } => format!("Appointment for {name}"),
        Msg::AlreadyBooked { existing, staff } => format!(
            "You already have an appointment at that time, {existing} with {staff}. Shall I move that one, or is the new appointment for someone else?"
        ),
        Msg::ConfirmDate { first, second } => format!("Do you mean {} or {}?", first.mid(), second.end()),
        Msg::DateRequired { time: Some(time) } => format!("Which day would you like the appointment at {time}?"),
        Msg::DateRequired { time: None } => "Which day would you like the appointment?".into(),
        Msg::AnonymousAppointments => {
            "Since you're calling from a private number, I can only see appointments booked during this call, and there are none. Can I help you another way?".into()
        }
        Msg::Cancelled { what, fee: Some(fee), notice } => format!(
            "Your appointment is cancelled, {what}. The late-cancellation fee of {fee} applies.{} Is there anything else I can do for you?",
            notice_sent(notice)
        ),
        Msg::Cancelled { what, fee: None, notice } => format!(
            "Your appointment is cancelled, {what}.{} Is there anything else I can do for you?",
            notice_sent(notice)
        ),
        Msg::CancelTooLate { notice, fee: Some(fee) } => format!(
            "Appointments can be cancelled free of charge up to {notice} in advance. A late cancellation costs {fee}. Would you still like to cancel?"
        ),
        Msg::CancelTooLate { notice, fee: None } => format!(
            "I'm sorry, appointments can only be cancelled up to {notice} in advance. Shall I have someone call you back?"
        ),
        Msg::CancelQuotaExceeded => {
            "You've cancelled several times in the last 30 days, so I can't take another cancellation by phone. Shall I have someone call you back?".into()
        }
        Msg::RescheduleTooLate { notice } => format!(
            "I'm sorry, appointments can only be moved up to {notice} in advance. Shall I have someone call you back?"
        ),
        Msg::RescheduleLimit => {
            "This appointment has been moved several times already and can't be moved again. Shall I have someone call you back?".into()
        }
        Msg::AppointmentNotFound => {
            "I can't find a matching appointment for your number. When was it booked for?".into()
        }
        Msg::MultipleFound { list } => format!("Which appointment do you mean, {list}?"),
        Msg::AnonymousMayNotChange => {
            "Since you're calling from a private number, I can't change appointments. We'd be happy to call you back, though. What number can we reach you on?".into()
        }
        Msg::AnonymousCallbackNoted => {
            "Since you're calling from a private number, I can't change the appointment myself. I've noted that we'll call you back on the number you gave. Is there anything else I can do for you?".into()
        }
        Msg::Rescheduled { service, when, notice } => format!(
            "Your appointment for {service} is moved, now {when}.{} Is there anything else I can do for you?",
            notice_sent(notice)
        ),
        Msg::NeedsNewTime => "Which day and time would you like to move the appointment to?".into(),
        Msg::CallbackRequested => {
            "I've noted your request, and we'll call you back as soon as we can. Is there anything else I can do for you?".into()
        }
        Msg::PhoneRequired => "What number can we call you back on?".into(),
        Msg::UnknownFunction => "I'm sorry, I can't do that. Can I help you another way?".into(),
        Msg::ArgumentTooLong => "I'm sorry, that was too long for me to take down. Could you say it more briefly?".into(),
        Msg::UnknownNumber => "I'm sorry, this number isn't set up with us. Would you like to try another number?".into(),
        Msg::TemporarilyUnavailable => {
            "One moment please, our system is briefly unavailable. May I try that again in a moment?".into()
        }
        Msg::CouldNotComplete => {
            "I'm sorry, I couldn't complete that just now. Shall I note a call back so that a colleague takes care of it?".into()
        }
    }
}

/// Small counts in words, as they are spoken.
fn number(n: usize) -> String {
    const WORDS: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
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
        Confirmation::Email(address) => format!(" I'll send the confirmation to {address}."),
        Confirmation::Sms => " You'll get a confirmation by text message.".to_owned(),
    }
}
