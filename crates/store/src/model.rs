//! The store's input and output types that are not domain types.

use frontdesk_domain::access::{Actor, Role, Scope};
use frontdesk_domain::availability::Slot;
use frontdesk_domain::ids::{AuditId, BranchId, CallId, CompanyId, CustomerId, ServiceId, StaffId, TokenId, UserId};
use frontdesk_domain::locale::Language;
use frontdesk_domain::money::Cents;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{AppointmentSource, AppointmentStatus, CallbackStatus};
use frontdesk_domain::tenant::Email;
use jiff::Timestamp;

/// A customer to find or create. With a phone number it is an upsert on (company, phone) (I2):
/// an existing customer keeps their name and e-mail, missing ones are filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// Name as given.
    pub name: Option<String>,
    /// How to address them, if said; a salutation given later replaces an earlier one.
    pub salutation: Option<String>,
    /// Phone number; `None` for anonymous callers (always a new customer).
    pub phone: Option<E164>,
    /// E-mail address.
    pub email: Option<Email>,
}

/// An appointment to insert.
#[derive(Clone, Debug)]
pub struct NewAppointment<'a> {
    /// Tenant.
    pub company_id: CompanyId,
    /// Where.
    pub branch_id: BranchId,
    /// What.
    pub service_id: ServiceId,
    /// For whom.
    pub customer_id: CustomerId,
    /// When and by whom, segment by segment.
    pub slot: &'a Slot,
    /// Who booked.
    pub source: AppointmentSource,
    /// The call that booked it.
    pub call_id: Option<CallId>,
    /// Notes.
    pub notes: Option<String>,
    /// Now.
    pub at: Timestamp,
}

/// The no-overlap guarantee (I1) refused the booking: someone else holds part of that time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the slot is taken")]
pub struct SlotTaken;

/// A cancellation to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancellation {
    /// Now.
    pub at: Timestamp,
    /// Why, as the caller said.
    pub reason: Option<String>,
    /// Late fee charged.
    pub fee: Option<Cents>,
    /// The call that cancelled.
    pub call_id: Option<CallId>,
}

/// A callback request to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCallback {
    /// Tenant.
    pub company_id: CompanyId,
    /// Branch called.
    pub branch_id: Option<BranchId>,
    /// Call it came from.
    pub call_id: Option<CallId>,
    /// Known customer.
    pub customer_id: Option<CustomerId>,
    /// Name given.
    pub name: Option<String>,
    /// Number to call back.
    pub phone: Option<E164>,
    /// Why.
    pub reason: Option<String>,
    /// When the caller prefers.
    pub preferred_time: Option<String>,
    /// Now.
    pub at: Timestamp,
}

/// A row an operator names by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owned {
    /// An appointment.
    Appointment(frontdesk_domain::ids::AppointmentId),
    /// A customer.
    Customer(CustomerId),
    /// A callback request.
    Callback(frontdesk_domain::ids::CallbackId),
    /// A branch closure entered by an operator.
    Closure(frontdesk_domain::ids::ClosureId),
    /// A staff absence entered by an operator.
    Absence(frontdesk_domain::ids::AbsenceId),
}

/// An operator's edit of an appointment; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppointmentEdit {
    /// New notes (`Some(None)` clears them).
    pub notes: Option<Option<String>>,
    /// New status: `booked`, `completed` or `no_show` (cancelling is [`Cancellation`]).
    pub status: Option<AppointmentStatus>,
}

/// An operator's change to a callback request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackChange {
    /// Give it to a user of the company (`None`: to nobody).
    Assign(Option<UserId>),
    /// Mark it done, with a note.
    Done {
        /// What was agreed, for the next person.
        note: Option<String>,
    },
    /// Open it again.
    Reopen,
}

/// Which appointments to list.
#[derive(Clone, Debug, Default)]
pub struct AppointmentFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Branch.
    pub branch: Option<BranchId>,
    /// Staff member.
    pub staff: Option<StaffId>,
    /// Customer.
    pub customer: Option<CustomerId>,
    /// Starting at or after.
    pub from: Option<Timestamp>,
    /// Starting before.
    pub to: Option<Timestamp>,
    /// Status.
    pub status: Option<AppointmentStatus>,
}

/// Which customers to list.
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Exact phone number.
    pub phone: Option<E164>,
    /// Part of the name (any case), or at least three digits of the number.
    pub search: Option<String>,
}

/// Which callback requests to list.
#[derive(Clone, Debug, Default)]
pub struct CallbackFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Status.
    pub status: Option<CallbackStatus>,
    /// One customer's.
    pub customer: Option<CustomerId>,
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass this to get the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Most items (1..=500).
    pub limit: u32,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The default page size.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page size.
    pub const MAX_LIMIT: u32 = 500;

    /// A first page of `limit` items (clamped to 1..=500).
    pub fn first(limit: u32) -> Self {
        Self { limit: limit.clamp(1, Self::MAX_LIMIT), cursor: None }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(Self::DEFAULT_LIMIT)
    }
}

/// A webhook delivery to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhookEvent {
    /// Sender.
    pub provider: frontdesk_domain::records::Provider,
    /// Event type as sent.
    pub event_type: String,
    /// Duplicate-detection key (I3); `None` for events never deduplicated.
    pub dedupe_key: Option<String>,
    /// The platform's call id.
    pub external_call_id: Option<String>,
    /// Tenant, if known.
    pub company_id: Option<CompanyId>,
    /// The raw body.
    pub payload: String,
    /// Outcome.
    pub status: frontdesk_domain::records::WebhookStatus,
    /// Why it failed or was ignored.
    pub error: Option<String>,
    /// Now (real clock).
    pub at: Timestamp,
}

/// Whether a delivery was new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Stored under this id.
    New(frontdesk_domain::ids::WebhookEventId),
    /// Its dedupe key was seen before, at this id; nothing was stored.
    Duplicate(frontdesk_domain::ids::WebhookEventId),
}

/// What one event says about a call, to be joined into the stored call (I6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallUpdate {
    /// The platform's call id.
    pub external: frontdesk_domain::ids::ExternalCallId,
    /// What the event says.
    pub facts: frontdesk_domain::call::CallFacts,
    /// Tenant and customer, as far as known.
    pub links: frontdesk_domain::call::CallLinks,
    /// The caller's number: without a customer in `links`, the store links the call to the
    /// company's customer with this number, if there is one.
    pub caller: Option<E164>,
    /// When it arrived (real clock).
    pub at: Timestamp,
}

/// One thing to record: the one way calls, traces and deliveries are written, in a group commit
/// ([`crate::Calls::record`]) or inside a side effect's transaction ([`crate::CallsTx::record`]).
/// The I6 merge of a call with what the record says about it happens there and nowhere else.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// What an event says about a call, merged into the stored call (its id is the answer).
    Call(CallUpdate),
    /// A trace of a call already merged in this transaction (a side effect's, whose call was
    /// recorded first): nothing about the call changes, so it is not merged again.
    Trace {
        /// The call.
        call: CallId,
        /// The trace.
        trace: frontdesk_domain::records::Trace,
    },
    /// A webhook delivery and, unless it turns out to be a duplicate, what it says about its call.
    Delivery {
        /// The delivery.
        event: NewWebhookEvent,
        /// What it says about the call, if it is about one.
        call: Option<CallUpdate>,
    },
    /// A function call without side effects: what its call snapshot says, and its trace.
    Function {
        /// What the snapshot says about the call.
        call: CallUpdate,
        /// The trace.
        trace: frontdesk_domain::records::Trace,
    },
}

/// What became of one [`Record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The delivery was stored (and applied).
    Stored,
    /// The delivery's dedupe key was seen before, at this id: it was stored as `ignored` and
    /// changed nothing else (I3).
    Duplicate(frontdesk_domain::ids::WebhookEventId),
    /// The call was merged; it has this id.
    Call(CallId),
    /// The function call's trace was stored; its call has this id.
    Traced(CallId),
}

/// Which calls to list.
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Status.
    pub status: Option<frontdesk_domain::call::CallStatus>,
    /// Only calls still registered or ongoing whose last event is older than this.
    pub stale_before: Option<Timestamp>,
    /// One customer's.
    pub customer: Option<CustomerId>,
}

/// Which webhook events to list.
#[derive(Clone, Debug, Default)]
pub struct WebhookFilter {
    /// Sender.
    pub provider: Option<frontdesk_domain::records::Provider>,
    /// Outcome.
    pub status: Option<frontdesk_domain::records::WebhookStatus>,
    /// One call's events.
    pub external_call_id: Option<String>,
}

/// A reconciler's claim on stale calls.
#[derive(Clone, Debug)]
pub struct StaleClaim<'a> {
    /// Who claims (for the lease).
    pub owner: &'a str,
    /// Calls whose last event is older than this.
    pub last_event_before: Timestamp,
    /// Now (real clock).
    pub now: Timestamp,
    /// Until when the claim holds.
    pub lease_until: Timestamp,
    /// Most calls to claim.
    pub limit: u32,
}

/// A claimed call with its reconciliation bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedCall {
    /// The call.
    pub call: frontdesk_domain::call::CallRecord,
    /// Attempts including this one.
    pub attempts: u32,
}

/// A change to push to Cal.com, written in the transaction of the change (I5).
#[derive(Clone, Debug, PartialEq)]
pub struct NewOutboxJob {
    /// Tenant.
    pub company_id: CompanyId,
    /// The appointment changed.
    pub appointment_id: frontdesk_domain::ids::AppointmentId,
    /// What to push.
    pub kind: frontdesk_domain::records::OutboxKind,
    /// What was known at the time, for operators.
    pub payload: serde_json::Value,
    /// Now.
    pub at: Timestamp,
}

/// A worker's claim on due jobs.
#[derive(Clone, Debug)]
pub struct JobClaim<'a> {
    /// Who claims.
    pub owner: &'a str,
    /// Now (real clock).
    pub now: Timestamp,
    /// Until when the claim holds; a worker that dies lets its jobs run again after this.
    pub lease_until: Timestamp,
    /// Most jobs to claim.
    pub limit: u32,
    /// Companies whose jobs are not claimed now (their deliveries are still under way).
    pub skip_companies: &'a [CompanyId],
}

/// How a claimed job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// Delivered.
    Done,
    /// Not yet: try again at `run_after`.
    Retry {
        /// Earliest next attempt.
        run_after: Timestamp,
        /// What went wrong.
        error: String,
    },
    /// Given up; an operator must look.
    Failed {
        /// Why.
        error: String,
    },
}

/// Which outbox jobs to list.
#[derive(Clone, Debug, Default)]
pub struct OutboxFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Status.
    pub status: Option<frontdesk_domain::records::OutboxStatus>,
    /// One appointment's jobs.
    pub appointment: Option<frontdesk_domain::ids::AppointmentId>,
}

/// The outbox at a glance, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Waiting.
    pub pending: u64,
    /// Claimed.
    pub running: u64,
    /// Delivered.
    pub done: u64,
    /// Given up.
    pub failed: u64,
    /// When the oldest waiting job was created.
    pub oldest_pending: Option<Timestamp>,
}

/// A company's Cal.com connection, secrets included: for the worker only.
#[derive(Clone, PartialEq, Eq)]
pub struct CalcomConnection {
    /// Tenant.
    pub company_id: CompanyId,
    /// API base, e.g. `https://api.cal.com/v2`.
    pub base_url: String,
    /// API key.
    pub api_key: String,
    /// Webhook secret.
    pub webhook_secret: String,
    /// When bookings were last pulled.
    pub last_pulled_at: Option<Timestamp>,
}

impl std::fmt::Debug for CalcomConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalcomConnection")
            .field("company_id", &self.company_id)
            .field("base_url", &self.base_url)
            .field("last_pulled_at", &self.last_pulled_at)
            .finish_non_exhaustive()
    }
}

/// An operator's user account (never with its password hash: see [`LoginRecord`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Store id.
    pub id: UserId,
    /// The company; `None` for the platform.
    pub company_id: Option<CompanyId>,
    /// Login name, lower-cased.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// What they may do.
    pub role: Role,
    /// Since when the account refuses logins, if disabled.
    pub disabled_at: Option<Timestamp>,
    /// The dashboard's language; `None` follows the company's.
    pub language: Option<Language>,
    /// Created.
    pub created_at: Timestamp,
}

impl User {
    /// The rows this user may see.
    pub fn scope(&self) -> Scope {
        self.company_id.map_or(Scope::Platform, Scope::Company)
    }
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// The company; `None` for a platform admin.
    pub company_id: Option<CompanyId>,
    /// Login name (stored lower-cased).
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserChange {
    /// New display name.
    pub name: Option<String>,
    /// New role (within the same company).
    pub role: Option<Role>,
    /// Disable (`true`) or enable (`false`). Disabling ends every session.
    pub disabled: Option<bool>,
    /// New argon2id PHC string. Ends every session and clears the login lock.
    pub password_hash: Option<String>,
    /// New dashboard language.
    pub language: Option<Language>,
}

/// What a login checks: the user with their password hash and failed attempts.
#[derive(Clone)]
pub struct LoginRecord {
    /// The user.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Failed logins in a row.
    pub failed_logins: u32,
    /// Logins are refused until then.
    pub locked_until: Option<Timestamp>,
}

impl std::fmt::Debug for LoginRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRecord").field("user", &self.user.id).finish_non_exhaustive()
    }
}

/// What became of a login attempt on an existing account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Right password: the failure count starts again.
    Succeeded,
    /// Wrong password: one more failure, and the account is locked until `locked_until`.
    Failed {
        /// Refuse logins until then, if the failures reached the limit.
        locked_until: Option<Timestamp>,
    },
}

/// An API token as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    /// Store id.
    pub id: TokenId,
    /// The company; `None` for the platform.
    pub company_id: Option<CompanyId>,
    /// What it may do.
    pub role: Role,
    /// What it is for.
    pub name: String,
    /// The public start of the token, to recognise it.
    pub prefix: String,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// Last authenticated request (updated at most once a minute).
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

impl ApiToken {
    /// The rows this token may see.
    pub fn scope(&self) -> Scope {
        self.company_id.map_or(Scope::Platform, Scope::Company)
    }
}

/// A token to store: its secret only as a hash.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// The company; `None` for the platform.
    pub company_id: Option<CompanyId>,
    /// Role.
    pub role: Role,
    /// What it is for.
    pub name: String,
    /// Public prefix (unique).
    pub prefix: String,
    /// SHA-256 of the whole token, hex.
    pub secret_hash: String,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
}

/// A token with the hash its secret is compared against.
#[derive(Clone)]
pub struct TokenRecord {
    /// The token.
    pub token: ApiToken,
    /// SHA-256 of the whole token, hex.
    pub secret_hash: String,
}

/// A change made by an operator, for the audit log.
#[derive(Clone, Debug)]
pub struct NewAudit<'a> {
    /// The company changed; `None` for platform-wide changes.
    pub company_id: Option<CompanyId>,
    /// Who.
    pub actor: &'a Actor,
    /// What was done (`appointment.move`, `user.create`, …).
    pub action: &'a str,
    /// What kind of thing (`appointment`, `user`, …).
    pub entity: &'a str,
    /// Which one.
    pub entity_id: Option<String>,
    /// The thing before the change.
    pub before: Option<serde_json::Value>,
    /// The thing after the change.
    pub after: Option<serde_json::Value>,
    /// Caller policies the operator overrode (`cancellation_notice`, …).
    pub overridden: Vec<String>,
    /// When.
    pub at: Timestamp,
}

/// An entry of the audit log.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    /// Store id.
    pub id: AuditId,
    /// The company changed.
    pub company_id: Option<CompanyId>,
    /// `user`, `token`, `admin_token` or `cli`.
    pub actor_kind: String,
    /// The user's or token's id.
    pub actor_id: Option<i64>,
    /// Who, for humans.
    pub actor_label: String,
    /// What was done.
    pub action: String,
    /// What kind of thing.
    pub entity: String,
    /// Which one.
    pub entity_id: Option<String>,
    /// Before.
    pub before: Option<serde_json::Value>,
    /// After.
    pub after: Option<serde_json::Value>,
    /// Policies overridden.
    pub overridden: Vec<String>,
    /// When.
    pub at: Timestamp,
}

/// Which audit entries to list (newest first).
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Kind of thing.
    pub entity: Option<String>,
    /// One thing.
    pub entity_id: Option<String>,
    /// One action.
    pub action: Option<String>,
    /// One user or token: `user:ID` / `token:ID` as in [`Actor`]'s kind and id.
    pub actor: Option<(String, Option<i64>)>,
    /// At or after.
    pub from: Option<Timestamp>,
    /// Before.
    pub to: Option<Timestamp>,
}

/// An operator's earlier answer to a request with the same `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotentReplay {
    /// The key is new: it is claimed in this transaction; store the answer before committing.
    First,
    /// The same request was answered before: send this again.
    Answered {
        /// HTTP status.
        status: u16,
        /// Body.
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
}

/// A day a branch is closed, entered by an operator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Closure {
    /// Store id.
    pub id: frontdesk_domain::ids::ClosureId,
    /// Tenant.
    pub company_id: CompanyId,
    /// The branch.
    pub branch_id: BranchId,
    /// The day.
    pub day: jiff::civil::Date,
    /// Why, for the team.
    pub note: Option<String>,
    /// Entered.
    pub created_at: Timestamp,
}

/// A staff member's absence, entered by an operator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Absence {
    /// Store id.
    pub id: frontdesk_domain::ids::AbsenceId,
    /// Tenant.
    pub company_id: CompanyId,
    /// Who is away.
    pub staff_id: StaffId,
    /// First and last day away.
    pub span: frontdesk_domain::time::DateSpan,
    /// Why, for the team.
    pub note: Option<String>,
    /// Entered.
    pub created_at: Timestamp,
}

/// An operator's edit of a customer; `None` leaves a field, `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerEdit {
    /// Name.
    pub name: Option<Option<String>>,
    /// Salutation.
    pub salutation: Option<Option<String>>,
    /// Phone number (unique within the company, I2).
    pub phone: Option<Option<E164>>,
    /// E-mail address.
    pub email: Option<Option<Email>>,
}

/// What a merge moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Appointments moved to the kept customer.
    pub appointments: u64,
    /// Calls moved.
    pub calls: u64,
    /// Callback requests moved.
    pub callbacks: u64,
    /// The kept customer, after the merge.
    pub kept: Option<frontdesk_domain::records::Customer>,
}

/// What an erasure replaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErasureReport {
    /// Calls whose numbers, transcripts and analyses were removed.
    pub calls: u64,
    /// Function-call traces replaced.
    pub traces: u64,
    /// Webhook deliveries replaced.
    pub deliveries: u64,
    /// Callback requests emptied.
    pub callbacks: u64,
    /// Appointments kept as anonymous history (their notes removed).
    pub appointments: u64,
}

/// What one retention round removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Function-call traces deleted.
    pub traces: u64,
    /// Webhook payloads replaced by a marker (the delivery's row and dedupe key stay: I3).
    pub payloads: u64,
    /// Transcripts removed from finished calls.
    pub transcripts: u64,
}

impl Pruned {
    /// Rows touched.
    pub fn total(&self) -> u64 {
        self.traces + self.payloads + self.transcripts
    }
}

/// One company's figures for one local day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailySummary {
    /// The company.
    pub company_id: CompanyId,
    /// Its local date.
    pub day: jiff::civil::Date,
    /// Calls that started that day.
    pub calls: i64,
    /// Of those, the calls that booked an appointment.
    pub calls_booked: i64,
    /// Function calls answered that day.
    pub function_calls: i64,
    /// Their median answer time, in microseconds.
    pub function_p50_us: Option<i64>,
    /// Their 99th percentile answer time, in microseconds.
    pub function_p99_us: Option<i64>,
    /// Webhook deliveries that failed that day.
    pub webhook_failures: i64,
}

/// A notification to write in the transaction of the change that causes it (I5).
#[derive(Clone, Debug)]
pub struct NewNotification {
    /// Tenant.
    pub company_id: CompanyId,
    /// What about.
    pub kind: frontdesk_domain::notification::NotificationKind,
    /// How.
    pub channel: frontdesk_domain::notification::Channel,
    /// Address or number.
    pub recipient: String,
    /// The appointment, if about one.
    pub appointment_id: Option<frontdesk_domain::ids::AppointmentId>,
    /// The customer it goes to.
    pub customer_id: Option<CustomerId>,
    /// The callback request, for an alert.
    pub callback_id: Option<frontdesk_domain::ids::CallbackId>,
    /// The calendar entry's `SEQUENCE`.
    pub sequence: u32,
    /// The `Message-ID` every attempt uses.
    pub message_id: String,
    /// The unsubscribe link's secret (reminders).
    pub token: Option<String>,
    /// What it says.
    pub facts: frontdesk_domain::notification::Facts,
    /// Due (business clock).
    pub due_at: Timestamp,
    /// Now (real clock).
    pub at: Timestamp,
}

/// A worker's claim on due notifications.
#[derive(Clone, Copy, Debug)]
pub struct NotificationClaim<'a> {
    /// Who claims.
    pub owner: &'a str,
    /// Now by the real clock (backoff and leases).
    pub now: Timestamp,
    /// Now by the business clock (what is due).
    pub business_now: Timestamp,
    /// Until when the claim holds.
    pub lease_until: Timestamp,
    /// Most to claim.
    pub limit: u32,
}

/// How an attempt to send a notification ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// The server or provider accepted it.
    Sent,
    /// Not yet: try again at `run_after`.
    Retry {
        /// Earliest next attempt.
        run_after: Timestamp,
        /// What went wrong.
        error: String,
    },
    /// Refused for good, or too many attempts.
    Failed {
        /// Why.
        error: String,
    },
    /// Not sent: no way to send is configured.
    Skipped {
        /// Why.
        reason: String,
    },
    /// No longer wanted (the appointment changed or was cancelled meanwhile).
    Withdrawn,
}

/// Filters of the notification list.
#[derive(Clone, Copy, Debug, Default)]
pub struct NotificationFilter {
    /// Tenant.
    pub company: Option<CompanyId>,
    /// Status.
    pub status: Option<frontdesk_domain::notification::NotificationStatus>,
    /// Kind.
    pub kind: Option<frontdesk_domain::notification::NotificationKind>,
    /// One appointment's.
    pub appointment: Option<frontdesk_domain::ids::AppointmentId>,
}

/// The notification outbox at a glance, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotificationStats {
    /// Due or waiting for a retry (not counting reminders that are not due yet).
    pub due: u64,
    /// The earliest due moment among them (business clock).
    pub oldest_due: Option<Timestamp>,
    /// Parked as failed.
    pub failed: u64,
}
