//! frontdesk's storage: one store API with two backends, SQLite (embedded, the default) and
//! PostgreSQL (several server processes sharing one database).
//!
//! The API is a set of traits grouped by domain area ([`Tenants`], …), combined into [`Store`]
//! (operations that are one transaction each, and reads) and [`StoreTx`] (the steps of a write
//! transaction that the caller composes and commits). Both backends share one SQL implementation
//! ([`sql`]); what differs between them lives in [`backend`]. Every invariant of `DESIGN.md` is
//! enforced by the schema (`migrations/`), not by this code alone.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use frontdesk_domain::access::Scope;
use frontdesk_domain::availability::{Busy, DaysOff, Slot};
use frontdesk_domain::call::CallRecord;
use frontdesk_domain::directory::Directory;
use frontdesk_domain::ids::{
    AbsenceId, AppointmentId, AuditId, BranchId, CallId, CallbackId, ClosureId, CompanyId, CustomerId, NotificationId,
    OutboxJobId, SessionId, StaffId, TokenId, UserId, WebhookEventId,
};
use frontdesk_domain::notification::Notification;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{
    Appointment, CallbackRequest, Customer, FunctionTrace, OutboxJob, WebhookEvent, WebhookStatus,
};
use frontdesk_domain::tenant_file::TenantSpec;
use frontdesk_domain::time::{DateSpan, TimeRange};
use jiff::Timestamp;
use jiff::civil::Date;

pub mod backend;
mod checkpoint;
mod error;
mod group_commit;
mod lane;
mod migrate;
pub mod model;
mod open;
mod sql;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use backend::BackendKind;
pub use error::{Result, StoreError};
pub use group_commit::MAX_BATCH;
pub use open::{StoreOptions, open};

/// Lifecycle of the store: migrations, readiness, transactions.
#[async_trait]
pub trait StoreCore: Send + Sync + fmt::Debug {
    /// Which database this is.
    fn kind(&self) -> BackendKind;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;

    /// Whether the database answers and every embedded migration is applied.
    async fn readiness(&self) -> Result<Readiness>;

    /// Starts a write transaction in place. On SQLite it holds the single writer until committed
    /// or dropped: keep it short and never wait for anything external while it is open. Server
    /// code writes through [`Store::write`] instead, which also decides where the transaction runs.
    async fn begin(&self) -> Result<Box<dyn StoreTx>>;

    /// Runs `work` in a write transaction where the store runs writes (on SQLite, its writer
    /// thread; on PostgreSQL, in place) and commits it if `work` succeeds. The typed form is
    /// [`Store::write`].
    async fn write_boxed(&self, work: BoxedWork) -> Result<()>;

    /// Closes all connections.
    async fn close(&self);
}

/// The database's state as far as serving traffic is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// Embedded migrations not yet applied.
    pub pending_migrations: usize,
}

impl Readiness {
    /// Ready to serve.
    pub fn is_ready(&self) -> bool {
        self.pending_migrations == 0
    }
}

/// Tenant configuration.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Creates or updates every company of `spec` in one transaction. Entities missing from the
    /// file are deactivated (their history stays), unchanged rows are not touched, and a number
    /// routed to another company's branch rejects the whole import.
    async fn import_tenants(&self, spec: &TenantSpec, now: Timestamp) -> Result<ImportReport>;

    /// A counter that changes whenever tenant configuration changes.
    async fn config_version(&self) -> Result<i64>;

    /// Every active company, branch, number, service and staff member.
    async fn load_directory(&self) -> Result<Directory>;

    /// Whether any company exists.
    async fn has_tenants(&self) -> Result<bool>;
}

/// Tenant configuration: a step of a write transaction.
#[async_trait]
pub trait TenantsTx: Send {
    /// As [`Tenants::import_tenants`], inside this transaction (an operator's configuration
    /// change commits with its audit entry). A rejected file is an error: roll back.
    async fn import_tenants(&mut self, spec: &TenantSpec, now: Timestamp) -> Result<ImportReport>;
}

/// What an import changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Companies in the file.
    pub companies: usize,
    /// Rows inserted, updated or deactivated; zero when the file matched the database.
    pub changed_rows: u64,
}

/// The steps of a write transaction. Dropping it without [`TxCore::commit`] rolls back.
#[async_trait]
pub trait TxCore: Send {
    /// Makes every step durable at once.
    async fn commit(self: Box<Self>) -> Result<()>;

    /// Discards every step.
    async fn rollback(self: Box<Self>) -> Result<()>;
}

/// Customers, appointments and callback requests: reads outside a transaction.
#[async_trait]
pub trait Bookings: Send + Sync {
    /// Busy time (appointment blocks and external busy blocks) of a company's staff overlapping
    /// `window`.
    async fn busy_times(&self, company: CompanyId, window: TimeRange) -> Result<Vec<Busy>>;

    /// The customer with this number.
    async fn customer_by_phone(&self, company: CompanyId, phone: &E164) -> Result<Option<Customer>>;

    /// One customer of the company.
    async fn customer(&self, company: CompanyId, id: CustomerId) -> Result<Option<Customer>>;

    /// One appointment of the company, with segments.
    async fn appointment(&self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>>;

    /// A customer's booked appointments that have not ended by `from`.
    async fn customer_appointments(
        &self,
        company: CompanyId,
        customer: CustomerId,
        from: Timestamp,
    ) -> Result<Vec<Appointment>>;

    /// Appointments booked during a call.
    async fn appointments_of_call(&self, company: CompanyId, call: CallId) -> Result<Vec<Appointment>>;

    /// Appointments by filter, ordered by start.
    async fn list_appointments(
        &self,
        scope: Scope,
        filter: &model::AppointmentFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<Appointment>>;

    /// Operators' days off (branch closures, staff absences) touching `[from, to]`.
    async fn days_off(&self, company: CompanyId, from: Date, to: Date) -> Result<DaysOff>;

    /// Branch closures entered by operators, by day.
    async fn closures(&self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<model::Closure>>;

    /// Staff absences entered by operators, by first day.
    async fn absences(&self, scope: Scope, company: Option<CompanyId>) -> Result<Vec<model::Absence>>;

    /// The company of a row, if `scope` covers it: how an operator's request for an id finds its
    /// company, and why another company's id is simply not found.
    async fn owner_of(&self, scope: Scope, row: model::Owned) -> Result<Option<CompanyId>>;

    /// Customers by filter, ordered by id.
    async fn list_customers(
        &self,
        scope: Scope,
        filter: &model::CustomerFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<Customer>>;

    /// Callback requests by filter, ordered by id.
    async fn list_callbacks(
        &self,
        scope: Scope,
        filter: &model::CallbackFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<CallbackRequest>>;
}

/// Customers, appointments and callback requests: steps of a write transaction.
#[async_trait]
pub trait BookingsTx: Send {
    /// As [`Bookings::busy_times`], inside the transaction.
    async fn busy_times(&mut self, company: CompanyId, window: TimeRange) -> Result<Vec<Busy>>;

    /// Finds or creates a customer (I2: one per company and phone number).
    async fn upsert_customer(
        &mut self,
        company: CompanyId,
        new: &model::NewCustomer,
        at: Timestamp,
    ) -> Result<Customer>;

    /// As [`Bookings::customer_by_phone`], inside the transaction.
    async fn customer_by_phone(&mut self, company: CompanyId, phone: &E164) -> Result<Option<Customer>>;

    /// Books a slot, or reports it taken (I1). Either way the transaction stays usable.
    async fn book(&mut self, new: &model::NewAppointment<'_>) -> Result<Result<Appointment, model::SlotTaken>>;

    /// Reads an appointment and locks it until commit.
    async fn lock_appointment(&mut self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>>;

    /// As [`Bookings::days_off`], inside the transaction.
    async fn days_off(&mut self, company: CompanyId, from: Date, to: Date) -> Result<DaysOff>;

    /// Closes a branch on a day; a day already closed is a [`StoreError::Conflict`].
    async fn add_closure(
        &mut self,
        company: CompanyId,
        branch: BranchId,
        day: Date,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<model::Closure>;

    /// Removes a closure of the company; `None` if there is none with this id.
    async fn remove_closure(&mut self, company: CompanyId, id: ClosureId) -> Result<Option<model::Closure>>;

    /// Enters an absence.
    async fn add_absence(
        &mut self,
        company: CompanyId,
        staff: StaffId,
        span: DateSpan,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<model::Absence>;

    /// Removes an absence of the company; `None` if there is none with this id.
    async fn remove_absence(&mut self, company: CompanyId, id: AbsenceId) -> Result<Option<model::Absence>>;

    /// Creates a customer; a number another customer of the company has is a
    /// [`StoreError::Conflict`] (I2).
    async fn create_customer(
        &mut self,
        company: CompanyId,
        new: &model::NewCustomer,
        at: Timestamp,
    ) -> Result<Customer>;

    /// Edits a customer: before and after, or `None` if the company has no such customer.
    async fn update_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        edit: &model::CustomerEdit,
        at: Timestamp,
    ) -> Result<Option<(Customer, Customer)>>;

    /// Moves every appointment, call and callback of `from` to `into` and removes `from`; `None`
    /// if either is not a customer of the company.
    async fn merge_customers(
        &mut self,
        company: CompanyId,
        into: CustomerId,
        from: CustomerId,
        at: Timestamp,
    ) -> Result<Option<model::MergeReport>>;

    /// Replaces a customer's personal data everywhere it is stored; `None` if the company has no
    /// such customer.
    async fn erase_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        at: Timestamp,
    ) -> Result<Option<model::ErasureReport>>;

    /// An operator's edit of notes or outcome (`completed`, `no_show`); the caller has checked
    /// that the change is allowed. The appointment after the edit.
    async fn edit_appointment(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        edit: &model::AppointmentEdit,
        at: Timestamp,
    ) -> Result<Appointment>;

    /// Locks a customer until commit, serialising their cancellations and moves.
    async fn lock_customer(&mut self, company: CompanyId, customer: CustomerId) -> Result<()>;

    /// As [`Bookings::customer_appointments`], inside the transaction.
    async fn customer_appointments(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        from: Timestamp,
    ) -> Result<Vec<Appointment>>;

    /// Appointments booked during a call.
    async fn appointments_of_call(&mut self, company: CompanyId, call: CallId) -> Result<Vec<Appointment>>;

    /// The customer's cancellations since `since`.
    async fn count_cancellations(&mut self, company: CompanyId, customer: CustomerId, since: Timestamp) -> Result<u32>;

    /// Cancels a booked appointment and frees its time.
    async fn cancel(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        change: &model::Cancellation,
    ) -> Result<Appointment>;

    /// Moves a booked appointment to `slot` (same id): the old time is freed and the new one taken
    /// atomically, or nothing changes and the outcome is [`model::SlotTaken`].
    async fn reschedule(
        &mut self,
        company: CompanyId,
        id: AppointmentId,
        slot: &Slot,
        at: Timestamp,
        call: Option<CallId>,
    ) -> Result<Result<Appointment, model::SlotTaken>>;

    /// Records a callback request.
    async fn insert_callback(&mut self, new: &model::NewCallback) -> Result<CallbackRequest>;

    /// Assigns, closes or reopens a callback request: before and after, or `None` if the company
    /// has no such callback.
    async fn update_callback(
        &mut self,
        company: CompanyId,
        id: CallbackId,
        change: &model::CallbackChange,
        at: Timestamp,
    ) -> Result<Option<(CallbackRequest, CallbackRequest)>>;
}

/// Calls, traces, webhook deliveries and reconciliation: reads and single-statement writes.
#[async_trait]
pub trait Calls: Send + Sync {
    /// A call by the platform's id, if `scope` covers it (a call not yet tied to a company is
    /// the platform's).
    async fn call_in_scope(&self, scope: Scope, external_id: &str) -> Result<Option<CallRecord>>;

    /// A call by the store's id, if `scope` covers it.
    async fn call_by_id(&self, scope: Scope, id: CallId) -> Result<Option<CallRecord>>;

    /// The distinct answer statuses of each call's function calls (for the calls' outcomes), in
    /// one query for a page of calls.
    async fn trace_statuses(&self, calls: &[CallId]) -> Result<Vec<(CallId, String)>>;

    /// A call by the platform's id.
    async fn call(&self, external_id: &str) -> Result<Option<CallRecord>>;

    /// Calls by filter, newest first.
    async fn list_calls(
        &self,
        scope: Scope,
        filter: &model::CallFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<CallRecord>>;

    /// A call's function traces, in order.
    async fn traces_of_call(&self, call: CallId) -> Result<Vec<FunctionTrace>>;

    /// Webhook deliveries by filter, oldest first.
    async fn webhook_events(
        &self,
        scope: Scope,
        filter: &model::WebhookFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<WebhookEvent>>;

    /// One webhook delivery.
    async fn webhook_event(&self, id: WebhookEventId) -> Result<Option<WebhookEvent>>;

    /// Leases calls still registered or ongoing whose last event is old, for the reconciler.
    /// Safe with several processes: a call is leased to one claimer at a time.
    async fn claim_stale_calls(&self, claim: &model::StaleClaim<'_>) -> Result<Vec<model::ClaimedCall>>;

    /// Ends a lease; the call is not looked at again before `not_before`.
    async fn release_call(&self, id: CallId, owner: &str, not_before: Option<Timestamp>) -> Result<()>;

    /// Retention: of calls finished and last heard of before `before`, deletes at most `batch`
    /// function traces, replaces at most `batch` webhook payloads with a marker and removes at
    /// most `batch` transcripts, in one short transaction. A call still registered or ongoing is
    /// never touched; appointments, customers, callbacks and the audit log are kept.
    async fn prune(&self, before: Timestamp, batch: u32) -> Result<model::Pruned>;

    /// Records one delivery, call update or function call through the group commit: it is
    /// queued, committed with whatever else is queued, and this returns once it is durable.
    async fn record(&self, record: model::Record) -> Result<model::Recorded>;

    /// Records webhook deliveries and function calls together in one transaction (what the group
    /// commit runs): each delivery is stored (a duplicate as `ignored`, I3), each call is joined
    /// with what the new deliveries and function calls say about it (I6), and the traces are
    /// stored. The answer has one entry per record, in order. All or nothing.
    async fn record_batch(&self, batch: &[model::Record]) -> Result<Vec<model::Recorded>>;
}

/// Calls, traces, webhook deliveries and idempotency: steps of a write transaction.
#[async_trait]
pub trait CallsTx: Send {
    /// As [`Calls::record_batch`], inside this transaction: a side effect records its call and
    /// trace with the same rules, committed with the side effect.
    async fn record(&mut self, batch: &[model::Record]) -> Result<Vec<model::Recorded>>;

    /// Stores a delivery, or reports the earlier one with the same dedupe key (I3).
    async fn insert_webhook_event(&mut self, new: &model::NewWebhookEvent) -> Result<model::Delivery>;

    /// Records what became of a delivery.
    async fn set_webhook_status(
        &mut self,
        id: WebhookEventId,
        status: WebhookStatus,
        error: Option<&str>,
        at: Timestamp,
    ) -> Result<()>;

    /// Claims an idempotency key (I4): `None` if this request is the first (store its answer with
    /// [`CallsTx::store_idempotent_response`] before committing), else the first request's answer.
    async fn claim_idempotency(
        &mut self,
        key: &str,
        call: CallId,
        function: &str,
        at: Timestamp,
    ) -> Result<Option<String>>;

    /// Stores the answer for a claimed key.
    async fn store_idempotent_response(&mut self, key: &str, response: &str) -> Result<()>;
}

/// The outbox and Cal.com connections: reads and single-statement writes.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Leases due jobs, oldest first, one appointment's jobs in order. Safe with several workers.
    async fn claim_jobs(&self, claim: &model::JobClaim<'_>) -> Result<Vec<OutboxJob>>;

    /// Ends a claimed job; `false` if the lease was lost (another worker took the job over).
    async fn finish_job(
        &self,
        id: OutboxJobId,
        owner: &str,
        outcome: &model::JobOutcome,
        at: Timestamp,
    ) -> Result<bool>;

    /// Jobs by filter, oldest first.
    async fn list_jobs(
        &self,
        scope: Scope,
        filter: &model::OutboxFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<OutboxJob>>;

    /// Puts a failed job back in the queue (an operator's retry); `false` if it was not failed.
    async fn retry_job(&self, scope: Scope, id: OutboxJobId, now: Timestamp) -> Result<bool>;

    /// Counts by status and the oldest waiting job.
    async fn outbox_stats(&self) -> Result<model::OutboxStats>;

    /// Every company's Cal.com connection, secrets included (for the workers only).
    async fn calcom_connections(&self) -> Result<Vec<model::CalcomConnection>>;

    /// Records the catch-up pull's progress.
    async fn set_last_pulled(&self, company: CompanyId, at: Timestamp) -> Result<()>;
}

/// The outbox, Cal.com links and external busy time: steps of a write transaction.
#[async_trait]
pub trait OutboxTx: Send {
    /// Writes a job in the transaction of the change it mirrors (I5).
    async fn enqueue_outbox(&mut self, job: &model::NewOutboxJob) -> Result<OutboxJobId>;

    /// As [`Outbox::finish_job`], in this transaction (to commit it with what the job learnt).
    async fn finish_job(
        &mut self,
        id: OutboxJobId,
        owner: &str,
        outcome: &model::JobOutcome,
        at: Timestamp,
    ) -> Result<bool>;

    /// Links (or unlinks) an appointment to its Cal.com booking.
    async fn set_calcom_uid(&mut self, company: CompanyId, appointment: AppointmentId, uid: Option<&str>)
    -> Result<()>;

    /// The appointment a Cal.com booking mirrors.
    async fn appointment_by_calcom_uid(&mut self, company: CompanyId, uid: &str) -> Result<Option<Appointment>>;

    /// One appointment, read in this transaction.
    async fn appointment(&mut self, company: CompanyId, id: AppointmentId) -> Result<Option<Appointment>>;

    /// Blocks a staff member's time for a booking made directly in Cal.com.
    async fn upsert_busy_block(
        &mut self,
        company: CompanyId,
        staff: StaffId,
        range: TimeRange,
        uid: &str,
        at: Timestamp,
    ) -> Result<()>;

    /// Frees the time of a Cal.com booking; `false` if it was not blocking.
    async fn release_busy_block(&mut self, company: CompanyId, uid: &str, at: Timestamp) -> Result<bool>;
}

/// The notification outbox: reads and single-statement writes.
#[async_trait]
pub trait Notifications: Send + Sync {
    /// Leases notifications that are due by the business clock and past their backoff by the
    /// real clock, oldest due first. Safe with several workers in several processes.
    async fn claim_notifications(&self, claim: &model::NotificationClaim<'_>) -> Result<Vec<Notification>>;

    /// Ends a claimed notification; `false` if the lease was lost or it was withdrawn meanwhile.
    async fn finish_notification(
        &self,
        id: NotificationId,
        owner: &str,
        outcome: &model::NotificationOutcome,
        at: Timestamp,
    ) -> Result<bool>;

    /// Notifications by filter, newest first.
    async fn list_notifications(
        &self,
        scope: Scope,
        filter: &model::NotificationFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<Notification>>;

    /// Puts a failed or skipped notification back in the queue; `false` if it was neither.
    async fn retry_notification(&self, scope: Scope, id: NotificationId, now: Timestamp) -> Result<bool>;

    /// What is due by `business_now`, and what failed.
    async fn notification_stats(&self, business_now: Timestamp) -> Result<model::NotificationStats>;

    /// The notification whose unsubscribe link carries `token`.
    async fn notification_by_token(&self, token: &str) -> Result<Option<Notification>>;
}

/// The notification outbox: steps of a write transaction.
#[async_trait]
pub trait NotificationsTx: Send {
    /// Writes a notification in the transaction of the change that causes it (I5). `None`: a
    /// reminder for a customer who unsubscribed from reminders, not written.
    async fn enqueue_notification(&mut self, new: &model::NewNotification) -> Result<Option<NotificationId>>;

    /// Withdraws the appointment's reminder that has not been sent (a move or a cancellation);
    /// returns how many were withdrawn.
    async fn withdraw_reminders(
        &mut self,
        company: CompanyId,
        appointment: AppointmentId,
        at: Timestamp,
    ) -> Result<u64>;

    /// A customer, read in this transaction: whom an appointment's notification goes to.
    async fn customer(&mut self, company: CompanyId, id: CustomerId) -> Result<Option<Customer>>;

    /// The one-click unsubscribe: the customer of the notification with `token` gets no more
    /// reminders, and those waiting are withdrawn. `None` if the token is unknown.
    async fn unsubscribe(&mut self, token: &str, at: Timestamp) -> Result<Option<CustomerId>>;
}

/// Operators: users, sessions, API tokens and the audit log. Reads and single-statement writes.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// The user with this login name (any case), with what a login checks.
    async fn login_record(&self, email: &str) -> Result<Option<model::LoginRecord>>;

    /// Counts a failed login (and locks the account when told to), or clears the count.
    async fn record_login(&self, user: UserId, outcome: model::LoginOutcome, at: Timestamp) -> Result<()>;

    /// Starts a session; `secret_hash` is the SHA-256 of the cookie's secret.
    async fn create_session(
        &self,
        user: UserId,
        secret_hash: &str,
        expires_at: Timestamp,
        at: Timestamp,
    ) -> Result<SessionId>;

    /// The user of a live session: not expired, not revoked, the user not disabled.
    async fn session_user(&self, secret_hash: &str, now: Timestamp) -> Result<Option<(SessionId, model::User)>>;

    /// Ends a session; `false` if it was not live.
    async fn revoke_session(&self, id: SessionId, at: Timestamp) -> Result<bool>;

    /// The token with this public prefix, revoked or not (the caller checks).
    async fn token_by_prefix(&self, prefix: &str) -> Result<Option<model::TokenRecord>>;

    /// Notes that a token was used.
    async fn touch_token(&self, id: TokenId, at: Timestamp) -> Result<()>;

    /// Users in `scope`, by id. A company scope sees its own users only.
    async fn users(&self, scope: Scope) -> Result<Vec<model::User>>;

    /// One user in `scope`.
    async fn user(&self, scope: Scope, id: UserId) -> Result<Option<model::User>>;

    /// API tokens in `scope`, by id.
    async fn tokens(&self, scope: Scope) -> Result<Vec<model::ApiToken>>;

    /// The audit log in `scope`, newest first.
    async fn audit_log(
        &self,
        scope: Scope,
        filter: &model::AuditFilter,
        page: &model::PageRequest,
    ) -> Result<model::Page<model::AuditEntry>>;
}

/// Operators' changes: steps of a write transaction, each recorded in the audit log by the
/// caller in the same transaction ([`AccountsTx::audit`]).
#[async_trait]
pub trait AccountsTx: Send {
    /// Creates a user; a taken e-mail address is a [`StoreError::Conflict`].
    async fn create_user(&mut self, new: &model::NewUser, at: Timestamp) -> Result<model::User>;

    /// Changes a user in `scope`: the user before and after, or `None` if not in scope. A new
    /// password or disabling ends every session of the user.
    async fn update_user(
        &mut self,
        scope: Scope,
        id: UserId,
        change: &model::UserChange,
        at: Timestamp,
    ) -> Result<Option<(model::User, model::User)>>;

    /// Stores a token.
    async fn create_token(&mut self, new: &model::NewToken, at: Timestamp) -> Result<model::ApiToken>;

    /// Revokes a token in `scope`; `None` if there is no such token in scope.
    async fn revoke_token(&mut self, scope: Scope, id: TokenId, at: Timestamp) -> Result<Option<model::ApiToken>>;

    /// Records an operator's change.
    async fn audit(&mut self, entry: &model::NewAudit<'_>) -> Result<AuditId>;

    /// Claims an operator's `Idempotency-Key` for a request (identified by `request_hash`), or
    /// answers what the first request with the key was answered.
    async fn claim_operator_key(
        &mut self,
        principal: &str,
        key: &str,
        request_hash: &str,
        at: Timestamp,
    ) -> Result<model::IdempotentReplay>;

    /// Stores the answer of a claimed key.
    async fn store_operator_answer(&mut self, principal: &str, key: &str, status: u16, body: &str) -> Result<()>;
}

/// Everything the store offers, for use as `Arc<dyn Store>`.
pub trait Store: StoreCore + Tenants + Bookings + Calls + Outbox + Notifications + Accounts + Summaries {}
impl<T: StoreCore + Tenants + Bookings + Calls + Outbox + Notifications + Accounts + Summaries> Store for T {}

/// The daily figures behind the health charts.
#[async_trait]
pub trait Summaries: Send + Sync {
    /// Recomputes `company`'s row for its local `day`, which runs from `from` to `to`.
    async fn refresh_daily_summary(&self, company: CompanyId, day: Date, from: Timestamp, to: Timestamp) -> Result<()>;

    /// The days of `[from, to]` that have a row.
    async fn summarized_days(&self, company: CompanyId, from: Date, to: Date) -> Result<Vec<Date>>;

    /// The rows of `[from, to]`, by day, if `scope` covers the company.
    async fn daily_summaries(
        &self,
        scope: Scope,
        company: CompanyId,
        from: Date,
        to: Date,
    ) -> Result<Vec<model::DailySummary>>;
}

/// A write transaction's work: borrows the transaction, owns everything else.
pub type WriteFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// [`StoreCore::write_boxed`]'s work, with its result erased.
pub type BoxedWork = Box<dyn for<'t> FnOnce(&'t mut dyn StoreTx) -> WriteFuture<'t, ()> + Send>;

impl dyn Store {
    /// Runs `work` in one write transaction and commits it when `work` returns `Ok`; an `Err`
    /// rolls everything back. Every write path of the server goes through here, so the store
    /// alone decides how writes are scheduled (SQLite: one writer thread; PostgreSQL: in place).
    /// `work` owns what it needs (it may run on another thread):
    /// `store.write(move |tx| Box::pin(async move { … tx.book(…).await … }))`.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn StoreTx) -> WriteFuture<'t, T> + Send + 'static,
    {
        let (send, receive) = tokio::sync::oneshot::channel();
        self.write_boxed(Box::new(move |tx| {
            Box::pin(async move {
                let value = work(tx).await?;
                let _ = send.send(value);
                Ok(())
            })
        }))
        .await?;
        // Committed: the value was sent before the commit, and only a commit gets here.
        receive.await.map_err(|_| StoreError::shutting_down())
    }
}

/// Everything a write transaction offers, for use as `Box<dyn StoreTx>`.
pub trait StoreTx: TxCore + TenantsTx + BookingsTx + CallsTx + OutboxTx + NotificationsTx + AccountsTx {}
impl<T: TxCore + TenantsTx + BookingsTx + CallsTx + OutboxTx + NotificationsTx + AccountsTx> StoreTx for T {}

/// A shared store handle.
pub type SharedStore = Arc<dyn Store>;
