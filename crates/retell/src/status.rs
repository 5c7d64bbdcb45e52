//! Every outcome a function can answer, as the `status` field of its answer. The strings are the
//! contract (CONTRACT.md, "Functions"): an agent's prompt branches on them, so they are only ever
//! added to, never renamed.

use std::fmt;

macro_rules! statuses {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// A function answer's `status`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Status {
            $($(#[$doc])* $variant,)*
        }

        impl Status {
            /// Every status, in declaration order.
            pub const ALL: &'static [Status] = &[$(Status::$variant,)*];

            /// The contract string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Status::$variant => $text,)*
                }
            }

            /// The status with this contract string.
            pub fn parse(text: &str) -> Option<Status> {
                match text {
                    $($text => Some(Status::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

statuses! {
    /// `initialize_call`: the call is set up.
    Ready => "ready",
    /// `check_customer`: the caller is a known customer.
    Known => "known",
    /// `check_customer`: the caller's number is not a customer yet.
    NewCustomer => "new_customer",
    /// The caller withheld their number.
    Anonymous => "anonymous",
    /// An ordinary informational answer (services, opening hours).
    Ok => "ok",
    /// The asked time is free.
    Available => "available",
    /// Not free; alternatives are offered.
    Unavailable => "unavailable",
    /// Free times were found.
    SlotsFound => "slots_found",
    /// Booked.
    Booked => "booked",
    /// The slot was taken (by someone else, or concurrently); alternatives are offered.
    SlotTaken => "slot_taken",
    /// A check only (`confirm: false`): the time is free and waits for confirmation.
    AwaitingConfirmation => "awaiting_confirmation",
    /// The caller's appointments were found.
    Found => "found",
    /// The caller has no upcoming appointments.
    None => "none",
    /// Cancelled.
    Cancelled => "cancelled",
    /// Moved.
    Rescheduled => "rescheduled",
    /// A callback request was noted.
    CallbackRequested => "callback_requested",
    /// A policy refuses the change.
    Denied => "denied",
    /// No such appointment of the caller.
    NotFound => "not_found",
    /// Several appointments match; the caller must choose.
    MultipleFound => "multiple_found",
    /// A reschedule needs the new time.
    NeedsNewTime => "needs_new_time",
    /// A booking needs the customer's name.
    CustomerNameRequired => "customer_name_required",
    /// `book_appointment`: the e-mail address given does not parse; ask for it again (nothing
    /// was booked).
    EmailInvalid => "email_invalid",
    /// A callback needs a number to call back.
    PhoneRequired => "phone_required",
    /// An anonymous caller may not do this.
    AnonymousNotAllowed => "anonymous_not_allowed",
    /// A required argument is missing.
    MissingArgument => "missing_argument",
    /// The caller already has an appointment overlapping the asked time (`appointment` names
    /// it). Offer to move that one, or to book for another person (`another_person: true`).
    CustomerAlreadyBooked => "customer_already_booked",
    /// A booking or a move names no day: ask which day.
    DateRequired => "date_required",
    /// The date phrase has two readings (`candidates`): ask which one is meant.
    ConfirmDate => "confirm_date",
    /// The date was not understood.
    InvalidDate => "invalid_date",
    /// The time was not understood, or does not exist that day.
    InvalidTime => "invalid_time",
    /// The asked time is in the past.
    PastTime => "past_time",
    /// The asked time is beyond the booking window.
    OutsideBookingWindow => "outside_booking_window",
    /// The branch is closed that day.
    Closed => "closed",
    /// The service is not offered.
    UnknownService => "unknown_service",
    /// The staff member is not known at this branch.
    UnknownStaff => "unknown_staff",
    /// The staff member does not perform the service.
    StaffCannotProvideService => "staff_cannot_provide_service",
    /// The dialled number belongs to no branch.
    UnknownNumber => "unknown_number",
    /// The function name is not known.
    UnknownFunction => "unknown_function",
    /// An argument is longer than the function accepts (nothing was done).
    ArgumentTooLong => "argument_too_long",
    /// The database is unavailable; the agent may try again.
    TemporarilyUnavailable => "temporarily_unavailable",
    /// The request could not be completed and retrying it will not help (nothing was done; the
    /// request is traced with the reason for the operators).
    Failed => "failed",
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::Status;

    #[test]
    fn every_status_has_its_own_snake_case_string() {
        let texts: HashSet<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts.len(), Status::ALL.len());
        assert!(texts.iter().all(|t| t.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        assert!(Status::ALL.iter().all(|s| Status::parse(s.as_str()) == Some(*s)));
    }
}
