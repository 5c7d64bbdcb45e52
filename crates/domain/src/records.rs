//! What frontdesk records: customers, appointments, traces, webhook deliveries, callback requests,
//! outbox jobs, external busy blocks.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{
    AppointmentId, BranchId, BusyBlockId, CallId, CallbackId, CompanyId, CustomerId, OutboxJobId, ServiceId, StaffId,
    TraceId, WebhookEventId,
};
use crate::money::Cents;
use crate::phone::E164;
use crate::tenant::Email;
use crate::time::TimeRange;

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            /// Every value.
            pub const ALL: &[$name] = &[$($name::$variant),*];

            /// The storage and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Parses a storage or wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// A customer of one company. Callers who withheld their number have no phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// Store id.
    pub id: CustomerId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Name as given.
    pub name: Option<String>,
    /// How to address them ("Herr", "Ms."), if known.
    pub salutation: Option<String>,
    /// Phone number; unique within the company (I2).
    pub phone: Option<E164>,
    /// E-mail address.
    pub email: Option<Email>,
    /// When first recorded.
    pub created_at: Timestamp,
}

string_enum! {
    /// Where an appointment stands.
    AppointmentStatus {
        /// Upcoming (or running).
        Booked = "booked",
        /// Cancelled; frees its time.
        Cancelled = "cancelled",
        /// Took place.
        Completed = "completed",
        /// The customer did not come.
        NoShow = "no_show",
    }
}

impl AppointmentStatus {
    /// Whether the appointment still occupies its staff member's time.
    pub fn occupies_time(self) -> bool {
        !matches!(self, Self::Cancelled)
    }
}

string_enum! {
    /// Who made an appointment.
    AppointmentSource {
        /// A caller through the voice agent.
        Phone = "phone",
        /// An operator.
        Admin = "admin",
        /// Booked directly in Cal.com.
        Calcom = "calcom",
    }
}

/// One part of an appointment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// What happens.
    pub name: String,
    /// When it happens.
    pub range: TimeRange,
    /// Whether the staff member is occupied.
    pub staff_busy: bool,
    /// The staff member's occupied time including buffers (only for busy segments): the interval
    /// the no-overlap guarantee (I1) is enforced on.
    pub block: Option<TimeRange>,
}

/// A booking: who, what, when, with whom, in which segments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Appointment {
    /// Store id.
    pub id: AppointmentId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Where.
    pub branch_id: BranchId,
    /// What.
    pub service_id: ServiceId,
    /// Who performs the busy segments.
    pub staff_id: StaffId,
    /// For whom.
    pub customer_id: CustomerId,
    /// From the first segment's start to the last segment's end (buffers excluded).
    pub range: TimeRange,
    /// Status.
    pub status: AppointmentStatus,
    /// Who booked it.
    pub source: AppointmentSource,
    /// The call that booked it.
    pub call_id: Option<CallId>,
    /// Times moved.
    pub reschedule_count: u32,
    /// Notes taken at booking.
    pub notes: Option<String>,
    /// When cancelled.
    pub cancelled_at: Option<Timestamp>,
    /// Fee quoted for a late cancellation that was accepted.
    pub cancellation_fee: Option<Cents>,
    /// The mirrored booking in Cal.com.
    pub calcom_uid: Option<String>,
    /// When booked.
    pub created_at: Timestamp,
    /// The parts, in order.
    pub segments: Vec<Segment>,
}

/// Time blocked in an external calendar (a booking made directly in Cal.com).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusyBlock {
    /// Store id.
    pub id: BusyBlockId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Whose time.
    pub staff_id: StaffId,
    /// When.
    pub range: TimeRange,
    /// The external booking's id.
    pub external_uid: String,
}

/// What one function call was asked and answered: written once by the store's one write path
/// for calls and traces, read back inside [`FunctionTrace`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// Tenant, if the call was routed.
    pub company_id: Option<CompanyId>,
    /// The name as sent (`check_availability_v17`).
    pub name_sent: String,
    /// The function it resolved to; `None` for unknown names.
    pub function: Option<String>,
    /// Arguments as received (JSON).
    pub arguments: serde_json::Value,
    /// The answer given (JSON).
    pub response: serde_json::Value,
    /// The answer's `status`.
    pub status: String,
    /// The answer's `success`.
    pub success: bool,
    /// Whether the answer was replayed from an earlier identical request.
    pub replayed: bool,
    /// Time to answer, in microseconds.
    pub duration_us: i64,
    /// When answered (real clock).
    pub at: Timestamp,
}

/// A stored function trace: its id, its call, and what was asked and answered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionTrace {
    /// Store id.
    pub id: TraceId,
    /// The call it belongs to.
    pub call_id: CallId,
    /// What was asked and answered.
    pub trace: Trace,
}

string_enum! {
    /// Who sent a webhook.
    Provider {
        /// Retell AI.
        Retell = "retell",
        /// Cal.com.
        Calcom = "calcom",
    }
}

string_enum! {
    /// What became of a webhook delivery.
    WebhookStatus {
        /// Stored, not yet applied.
        Pending = "pending",
        /// Applied.
        Processed = "processed",
        /// Could not be applied; see the error.
        Failed = "failed",
        /// Deliberately not applied: a duplicate or an event type we do not use.
        Ignored = "ignored",
    }
}

/// A stored webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    /// Store id.
    pub id: WebhookEventId,
    /// Sender.
    pub provider: Provider,
    /// Event type as sent.
    pub event_type: String,
    /// Key under which duplicates are recognised (I3); `None` for events never deduplicated.
    pub dedupe_key: Option<String>,
    /// The platform's call id, for Retell events.
    pub external_call_id: Option<String>,
    /// Tenant, if known.
    pub company_id: Option<CompanyId>,
    /// The raw body.
    pub payload: String,
    /// Outcome.
    pub status: WebhookStatus,
    /// Why it failed or was ignored.
    pub error: Option<String>,
    /// Times applied.
    pub attempts: i32,
    /// When received.
    pub received_at: Timestamp,
    /// When applied.
    pub processed_at: Option<Timestamp>,
}

string_enum! {
    /// Whether someone has called back.
    CallbackStatus {
        /// Waiting for staff.
        Open = "open",
        /// Done.
        Done = "done",
    }
}

/// A request for staff to call a caller back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallbackRequest {
    /// Store id.
    pub id: CallbackId,
    /// Owning company.
    pub company_id: CompanyId,
    /// Branch called.
    pub branch_id: Option<BranchId>,
    /// The call it came from.
    pub call_id: Option<CallId>,
    /// The customer, if known.
    pub customer_id: Option<CustomerId>,
    /// Name given.
    pub name: Option<String>,
    /// Number to call.
    pub phone: Option<E164>,
    /// Why.
    pub reason: Option<String>,
    /// When the caller prefers to be called.
    pub preferred_time: Option<String>,
    /// Open or done.
    pub status: CallbackStatus,
    /// When requested.
    pub created_at: Timestamp,
    /// The operator who takes care of it.
    pub assigned_user_id: Option<crate::ids::UserId>,
    /// When it was marked done.
    pub done_at: Option<Timestamp>,
    /// What the operator noted when closing it.
    pub done_note: Option<String>,
}

string_enum! {
    /// What an outbox job pushes.
    OutboxKind {
        /// Create the booking in Cal.com.
        CalcomCreate = "calcom_create",
        /// Cancel it.
        CalcomCancel = "calcom_cancel",
        /// Move it.
        CalcomReschedule = "calcom_reschedule",
    }
}

string_enum! {
    /// Where an outbox job stands.
    OutboxStatus {
        /// Waiting to run (possibly after a backoff).
        Pending = "pending",
        /// Claimed by a worker.
        Running = "running",
        /// Delivered.
        Done = "done",
        /// Given up after too many attempts, or refused permanently; needs an operator.
        Failed = "failed",
    }
}

/// A change to push to an external system, committed with the change itself (I5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxJob {
    /// Store id.
    pub id: OutboxJobId,
    /// Owning company.
    pub company_id: CompanyId,
    /// The appointment concerned.
    pub appointment_id: AppointmentId,
    /// What to do.
    pub kind: OutboxKind,
    /// What was known when the change was made (for operators; the worker reads the current
    /// state of the appointment).
    pub payload: serde_json::Value,
    /// Status.
    pub status: OutboxStatus,
    /// Attempts made.
    pub attempts: i32,
    /// Earliest next attempt.
    pub run_after: Timestamp,
    /// The last error.
    pub last_error: Option<String>,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// The stored answer of a side-effecting function call (I4): a retry with the same key gets this
/// answer back instead of a second side effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdempotencyRecord {
    /// Hash of call, function and canonical arguments.
    pub key: String,
    /// The call that made the request.
    pub call_id: CallId,
    /// The resolved function name.
    pub function: String,
    /// The answer exactly as first sent.
    pub response: String,
    /// When first answered.
    pub created_at: Timestamp,
}
