//! Every sentence spoken to a caller, per language ([`de`], [`en`]). Handlers pick a [`Msg`] and
//! fill in fragments already said in the caller's language by [`crate::language::spoken`];
//! no handler writes a sentence itself.

use crate::language::spoken::Day;
use crate::locale::Language;

mod de;
mod en;

/// Why a time cannot be booked, as the caller is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why<'a> {
    /// Someone else has it.
    Taken,
    /// Before opening; we open at this time, said.
    BeforeOpening(&'a str),
    /// The appointment would run past closing; we close at this time, said.
    AfterClosing(&'a str),
    /// During the midday break.
    Break,
    /// The staff member asked for does not work then.
    StaffAway(&'a str),
    /// Nobody who performs the service works then.
    NobodyAvailable,
}

/// Where a booking's confirmation is sent, as the caller is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation<'a> {
    /// Nowhere (no address known).
    None,
    /// By e-mail to this address, spelled ([`crate::language::spoken::spell_email`]).
    Email(&'a str),
    /// By text message to the caller's mobile number.
    Sms,
}

/// What to say. Fragments (`when`, `list`, …) are already in the caller's language; a `when`
/// carries its own preposition ("morgen, am Mittwoch, den 11. März, um 14 Uhr", "on Thursday at
/// 9 a.m."), a [`Day`] knows how to close an inserted date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg<'a> {
    /// The greeting at the start of a call.
    Greeting {
        /// The business.
        company: &'a str,
        /// How to address the caller ("Herr Müller"), if known.
        address: Option<&'a str>,
    },
    /// The caller is a known customer.
    CustomerKnown {
        /// How to address them, if known.
        address: Option<&'a str>,
        /// Upcoming appointments.
        upcoming: usize,
    },
    /// A caller we do not know.
    CustomerNew,
    /// The caller called from a private number.
    CustomerAnonymous,
    /// The services on offer.
    ServicesOffered {
        /// Their names.
        list: &'a str,
    },
    /// No service in that category.
    NoServicesInCategory {
        /// The category asked for.
        category: &'a str,
        /// What is offered instead.
        offered: &'a str,
    },
    /// One service's details.
    ServiceInfo {
        /// Its name.
        name: &'a str,
        /// How long it takes, said ("eine Stunde").
        duration: &'a str,
        /// Its price, said.
        price: Option<&'a str>,
    },
    /// The service named is not offered.
    UnknownService {
        /// What is offered instead.
        offered: &'a str,
    },
    /// Several services match.
    AmbiguousService {
        /// The candidates.
        options: &'a str,
    },
    /// The staff member named does not work here.
    UnknownStaff {
        /// The name as said.
        staff: &'a str,
    },
    /// The staff member does not perform the service.
    StaffCannotProvide {
        /// Who.
        staff: &'a str,
        /// What.
        service: &'a str,
    },
    /// A required argument is missing.
    Missing(Missing),
    /// Opening hours for the week.
    HoursWeek {
        /// The open days and their hours.
        open: &'a str,
        /// The closed days, if any.
        closed: Option<&'a str>,
    },
    /// Opening hours of one day.
    HoursDay {
        /// The day.
        day: &'a Day,
        /// The hours, said.
        hours: &'a str,
    },
    /// Closed that day.
    ClosedOn {
        /// The day.
        day: &'a Day,
        /// Alternatives, said as an or-list; empty if none.
        alternatives: &'a str,
    },
    /// A date the agent should ask again for.
    InvalidDate,
    /// A time the agent should ask again for.
    InvalidTime,
    /// A time that does not exist that day (daylight saving).
    NonexistentTime,
    /// In the past.
    PastTime,
    /// Sooner than the minimum notice.
    TooSoon {
        /// When, said.
        when: &'a str,
        /// The notice, said ("einen Tag").
        notice: &'a str,
        /// Alternatives, said as an or-list; empty if none.
        alternatives: &'a str,
    },
    /// Beyond the booking window.
    OutsideBookingWindow {
        /// Days ahead that can be booked.
        days: u32,
    },
    /// The requested time is free.
    Available {
        /// When, said.
        when: &'a str,
        /// With whom, if it matters.
        staff: Option<&'a str>,
    },
    /// The requested time is not free; here are others.
    Unavailable {
        /// When, said.
        when: &'a str,
        /// Why not.
        why: Why<'a>,
        /// Alternatives, said as an or-list; empty if none.
        alternatives: &'a str,
    },
    /// Free times on a day.
    SlotsOnDay {
        /// The day.
        day: &'a Day,
        /// The times, said as an or-list.
        times: &'a str,
    },
    /// Nothing free that day, but at these other times.
    NothingOnDay {
        /// The day.
        day: &'a Day,
        /// Alternatives, said as an or-list; empty if none.
        alternatives: &'a str,
    },
    /// The next free times.
    NextFree {
        /// Times, said as an or-list.
        slots: &'a str,
    },
    /// Nothing free in the period searched.
    NothingFree,
    /// Booked.
    Booked {
        /// What.
        service: &'a str,
        /// When, said.
        when: &'a str,
        /// With whom.
        staff: &'a str,
        /// Where the confirmation goes.
        confirmation: Confirmation<'a>,
    },
    /// The e-mail address the caller gave does not parse: ask for it again.
    EmailInvalid,
    /// Someone else just took the time.
    SlotTaken {
        /// When, said.
        when: &'a str,
        /// Alternatives, said as an or-list; empty if none.
        alternatives: &'a str,
    },
    /// The booking needs the caller's name.
    NameRequired,
    /// Free, and waiting for the caller's yes.
    AwaitingConfirmation {
        /// What.
        service: &'a str,
        /// When, said.
        when: &'a str,
    },
    /// This business does not book callers without a number.
    AnonymousMayNotBook,
    /// The caller's appointments.
    AppointmentsFound {
        /// The appointments, said as an and-list.
        list: &'a str,
        /// How many.
        count: usize,
    },
    /// No appointments.
    NoAppointments,
    /// No appointment on the day asked about; maybe one later.
    NoAppointmentsOn {
        /// The day.
        day: &'a Day,
        /// The next appointment after it, said.
        next: Option<&'a str>,
    },
    /// The note on an appointment booked for another person (not spoken).
    AppointmentFor {
        /// That person's name.
        name: &'a str,
    },
    /// The caller already has an appointment at that time.
    AlreadyBooked {
        /// That appointment, said.
        existing: &'a str,
        /// With whom.
        staff: &'a str,
    },
    /// A date phrase with two readings: which one?
    ConfirmDate {
        /// The nearer reading.
        first: &'a Day,
        /// The later reading.
        second: &'a Day,
    },
    /// A booking or a move needs the day.
    DateRequired {
        /// The time already given, said.
        time: Option<&'a str>,
    },
    /// A caller with a private number asked for appointments not booked in this call.
    AnonymousAppointments,
    /// Cancelled.
    Cancelled {
        /// The appointment, said.
        what: &'a str,
        /// The late fee charged, said.
        fee: Option<&'a str>,
        /// Where the notice of the cancellation goes.
        notice: Confirmation<'a>,
    },
    /// Too late to cancel; maybe with a fee.
    CancelTooLate {
        /// The notice required, said ("einen Tag").
        notice: &'a str,
        /// The fee that would allow it, said.
        fee: Option<&'a str>,
    },
    /// Too many cancellations recently.
    CancelQuotaExceeded,
    /// Too late to move the appointment.
    RescheduleTooLate {
        /// The notice required, said.
        notice: &'a str,
    },
    /// Moved too often already.
    RescheduleLimit,
    /// No such appointment.
    AppointmentNotFound,
    /// Several appointments match.
    MultipleFound {
        /// Them, said as an or-list.
        list: &'a str,
    },
    /// Callers with a private number cannot change appointments: a call back is offered, and a
    /// number asked for.
    AnonymousMayNotChange,
    /// Callers with a private number cannot change appointments; a call back to the number they
    /// gave is noted.
    AnonymousCallbackNoted,
    /// Moved.
    Rescheduled {
        /// What.
        service: &'a str,
        /// The new time, said.
        when: &'a str,
        /// Where the notice of the move goes.
        notice: Confirmation<'a>,
    },
    /// Moving needs the new date and time.
    NeedsNewTime,
    /// A callback request was noted.
    CallbackRequested,
    /// A callback needs a number to call.
    PhoneRequired,
    /// The function does not exist.
    UnknownFunction,
    /// An argument was far longer than anything a caller says.
    ArgumentTooLong,
    /// The number called is not set up.
    UnknownNumber,
    /// A passing failure; try again.
    TemporarilyUnavailable,
    /// A failure a retry will not mend: offer a call back instead.
    CouldNotComplete,
}

/// Which argument is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The service.
    Service,
    /// The date.
    Date,
    /// The time.
    Time,
}

/// The sentence in `lang`.
pub fn say(lang: Language, msg: &Msg<'_>) -> String {
    let text = match lang {
        Language::De => de::say(msg),
        Language::En => en::say(msg),
    };
    // A fragment that ends a sentence may end with its own full stop ("2 p.m."): one is enough.
    text.replace("..", ".")
}
