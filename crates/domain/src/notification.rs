//! Notifications: what is sent to customers (confirmations, notices of a move or cancellation,
//! reminders) and to a branch (callback requests), and the rules of when and in which version.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ids::{
    AppointmentId, BranchId, CallId, CallbackId, CompanyId, CustomerId, NotificationId, ServiceId, StaffId,
};
use crate::records::{Appointment, AppointmentStatus, string_enum};

string_enum! {
    /// What a notification is about.
    NotificationKind {
        /// An appointment was booked.
        Confirmation = "confirmation",
        /// It was moved (another time or staff member).
        Moved = "moved",
        /// It was cancelled.
        Cancelled = "cancelled",
        /// It is coming up.
        Reminder = "reminder",
        /// A caller asked to be called back (to the branch).
        CallbackAlert = "callback_alert",
    }
}

string_enum! {
    /// How a notification travels.
    Channel {
        /// E-mail over SMTP.
        Email = "email",
        /// A text message through the SMS provider.
        Sms = "sms",
    }
}

string_enum! {
    /// Where a notification stands.
    NotificationStatus {
        /// Waiting until due (or until its backoff ends).
        Pending = "pending",
        /// Claimed by a worker that is sending it.
        Running = "running",
        /// Accepted by the mail server or SMS provider.
        Sent = "sent",
        /// Refused permanently or too many attempts; an operator may retry it.
        Failed = "failed",
        /// Not sent because no mail server (or SMS provider) is configured.
        Skipped = "skipped",
        /// No longer wanted: the reminder of a moved or cancelled appointment, or of a customer
        /// who unsubscribed.
        Withdrawn = "withdrawn",
    }
}

impl NotificationKind {
    /// Whether it carries an iCalendar entry for the appointment.
    pub fn has_calendar(self) -> bool {
        !matches!(self, NotificationKind::CallbackAlert)
    }
}

/// What a notification says, fixed when it is written: a confirmation sent late still shows the
/// time that was booked, and its calendar entry is the version of that moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "about", rename_all = "snake_case")]
pub enum Facts {
    /// An appointment.
    Appointment(AppointmentFacts),
    /// A callback request.
    Callback(CallbackFacts),
    /// Removed with the customer's personal data (erasure).
    Erased,
}

/// An appointment as a notification shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentFacts {
    /// The appointment.
    pub appointment_id: AppointmentId,
    /// Where.
    pub branch_id: BranchId,
    /// What.
    pub service_id: ServiceId,
    /// With whom.
    pub staff_id: StaffId,
    /// From.
    pub start: Timestamp,
    /// Until.
    pub end: Timestamp,
    /// The time before a move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<Timestamp>,
    /// The customer's name, for the greeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
}

impl AppointmentFacts {
    /// The facts of `appointment` now.
    pub fn of(appointment: &Appointment, customer_name: Option<String>) -> Self {
        Self {
            appointment_id: appointment.id,
            branch_id: appointment.branch_id,
            service_id: appointment.service_id,
            staff_id: appointment.staff_id,
            start: appointment.range.start(),
            end: appointment.range.end(),
            previous_start: None,
            customer_name,
        }
    }
}

/// A callback request as the branch's alert shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackFacts {
    /// The request.
    pub callback_id: CallbackId,
    /// The branch called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_id: Option<BranchId>,
    /// The call it came from (linked in the alert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<CallId>,
    /// The number to call back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The caller's name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When they would like the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_time: Option<String>,
    /// When they asked.
    pub requested_at: Timestamp,
}

/// A notification in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Store id.
    pub id: NotificationId,
    /// Owning company.
    pub company_id: CompanyId,
    /// What about.
    pub kind: NotificationKind,
    /// How.
    pub channel: Channel,
    /// The address or number it goes to.
    pub recipient: String,
    /// The appointment, if about one.
    pub appointment_id: Option<AppointmentId>,
    /// The customer it goes to, if one.
    pub customer_id: Option<CustomerId>,
    /// The callback request, for an alert.
    pub callback_id: Option<CallbackId>,
    /// The iCalendar `SEQUENCE` of its calendar entry.
    pub sequence: u32,
    /// The `Message-ID`, the same on every attempt.
    pub message_id: String,
    /// The secret of its unsubscribe link (reminders); never shown.
    #[serde(skip)]
    pub token: Option<String>,
    /// What it says.
    pub facts: Facts,
    /// Where it stands.
    pub status: NotificationStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When it is due, by the business clock.
    pub due_at: Timestamp,
    /// Earliest next attempt (backoff), by the real clock.
    pub run_after: Timestamp,
    /// The last error.
    pub last_error: Option<String>,
    /// When the server or provider accepted it.
    pub sent_at: Option<Timestamp>,
    /// When written.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// The iCalendar `SEQUENCE` of an appointment's entry: 0 when booked, one more for every move,
/// and one more for the cancellation. A calendar application replaces an entry by a higher
/// `SEQUENCE` of the same `UID`, so the number only ever grows.
pub fn calendar_sequence(appointment: &Appointment) -> u32 {
    let cancelled = u32::from(appointment.status == AppointmentStatus::Cancelled);
    appointment.reschedule_count + cancelled
}

/// When the reminder of an appointment starting at `start` is due, `hours` before it; `None` when
/// reminders are off or that moment has already passed on the business clock `now` (an
/// appointment booked at short notice gets no reminder).
pub fn reminder_due(start: Timestamp, hours: u32, now: Timestamp) -> Option<Timestamp> {
    if hours == 0 {
        return None;
    }
    let due = start - SignedDuration::from_hours(i64::from(hours));
    (due > now).then_some(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_fall_the_configured_time_before_and_never_in_the_past() {
        let start = at("2026-03-10T14:00:00Z");
        assert_eq!(reminder_due(start, 24, at("2026-03-01T00:00:00Z")), Some(at("2026-03-09T14:00:00Z")));
        assert_eq!(reminder_due(start, 24, at("2026-03-09T15:00:00Z")), None);
        assert_eq!(reminder_due(start, 24, at("2026-03-09T14:00:00Z")), None);
        assert_eq!(reminder_due(start, 0, at("2026-03-01T00:00:00Z")), None);
    }

    #[test]
    fn facts_keep_their_shape_in_storage() {
        let facts = Facts::Callback(CallbackFacts {
            callback_id: CallbackId(4),
            branch_id: None,
            call_id: Some(CallId(9)),
            phone: Some("+493012345678".into()),
            name: None,
            reason: Some("colour".into()),
            preferred_time: None,
            requested_at: at("2026-03-01T10:00:00Z"),
        });
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(json["about"], "callback");
        assert_eq!(serde_json::from_value::<Facts>(json).unwrap(), facts);
    }
}
