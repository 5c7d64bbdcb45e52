//! Typed identifiers: a `StaffId` can never be passed where a `ServiceId` is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }
    )*};
}

id_type! {
    /// A company (tenant).
    CompanyId,
    /// A branch (location) of a company.
    BranchId,
    /// A staff member.
    StaffId,
    /// A bookable service.
    ServiceId,
    /// A customer of one company.
    CustomerId,
    /// An appointment.
    AppointmentId,
    /// frontdesk's own row id for a phone call (the platform's id is [`ExternalCallId`]).
    CallId,
    /// A stored webhook delivery.
    WebhookEventId,
    /// A function-call trace row.
    TraceId,
    /// A callback request.
    CallbackId,
    /// An outbox job.
    OutboxJobId,
    /// A notification (e-mail or text message) in the notification outbox.
    NotificationId,
    /// A busy block imported from an external calendar.
    BusyBlockId,
    /// An operator's user account.
    UserId,
    /// An API token.
    TokenId,
    /// A browser session.
    SessionId,
    /// An entry of the audit log.
    AuditId,
    /// A day a branch is closed, entered by an operator.
    ClosureId,
    /// A staff member's absence, entered by an operator.
    AbsenceId,
}

/// The voice platform's call id (Retell's `call_id`), opaque to us.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExternalCallId(String);

impl ExternalCallId {
    /// Longest id accepted; Retell's ids are about 40 characters.
    pub const MAX_LEN: usize = 128;

    /// Accepts a non-empty id of printable ASCII without spaces, at most [`Self::MAX_LEN`] long.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty() && raw.len() <= Self::MAX_LEN && raw.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(raw.to_owned()))
    }

    /// The id as sent by the platform.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalCallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_call_ids_are_printable_and_bounded() {
        assert!(ExternalCallId::parse("call_5b1d0c7e").is_some());
        assert!(ExternalCallId::parse("").is_none());
        assert!(ExternalCallId::parse("call 1").is_none());
        assert!(ExternalCallId::parse(&"x".repeat(129)).is_none());
    }
}
