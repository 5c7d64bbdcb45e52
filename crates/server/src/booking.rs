//! Booking, cancelling and rescheduling: the domain's decisions carried out in one store
//! transaction each. Used by the Retell functions and the admin API alike.
//!
//! Each operation reads busy time inside the caller's write transaction, asks the availability
//! engine, and writes; the store guards I1 underneath. A slot lost to a concurrent writer (only
//! possible on PostgreSQL, where several processes write at once) is an ordinary outcome: the
//! engine is asked again with fresh busy time, and if nothing fits, alternatives are returned.

use crate::notify::{self, Change};
use frontdesk_domain::availability::{Calendar, Engine, Refusal, Slot, TimeWindow};
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::{AppointmentId, BranchId, CallId, CustomerId, ServiceId, StaffId};
use frontdesk_domain::money::Cents;
use frontdesk_domain::policy::{self, CancelDecision, DenialReason};
use frontdesk_domain::records::{Appointment, AppointmentSource, AppointmentStatus, Customer, OutboxKind};
use frontdesk_domain::tenant::{Branch, Service, Staff};
use frontdesk_retell::status::Status;
use frontdesk_store::model::{Cancellation, NewAppointment, NewCustomer, NewOutboxJob};
use frontdesk_store::{SharedStore, StoreError, StoreTx};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

/// How many alternatives to offer by default.
pub const DEFAULT_ALTERNATIVES: usize = 3;
/// How many days ahead alternatives are searched.
pub const ALTERNATIVE_DAYS: i32 = 14;
/// How often a slot lost to a concurrent writer is retried with fresh busy time.
const RACE_RETRIES: usize = 3;

/// What to book.
#[derive(Clone, Debug)]
pub struct BookRequest {
    /// Where.
    pub branch: BranchId,
    /// What.
    pub service: ServiceId,
    /// With whom, if the caller has a preference.
    pub staff: Option<StaffId>,
    /// When.
    pub start: Timestamp,
    /// For whom.
    pub customer: NewCustomer,
    /// Who books.
    pub source: AppointmentSource,
    /// The call booking it.
    pub call_id: Option<CallId>,
    /// Notes.
    pub notes: Option<String>,
    /// The caller's preferred part of the day, for alternatives.
    pub window: Option<TimeWindow>,
    /// The appointment is for somebody else than the customer (a parent booking for a child):
    /// it may overlap the customer's own appointments.
    pub another_person: bool,
}

/// Who asks, which decides which policies bind. Callers are bound by every policy of the
/// company; operators only by opening hours, staff hours and I1 (never a double booking): the
/// caller policies they override (notice, quotas, fees) are reported, and the admin API writes
/// them to the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
    /// A caller on the phone (a Retell function).
    Caller,
    /// An operator through the admin API.
    Operator,
}

/// The names of caller policies an operator's change overrode.
pub type Overridden = Vec<&'static str>;

/// The engine for a request of `authority`: operators may book sooner than the minimum notice.
fn engine_of<'a>(
    company: &'a CompanyEntry,
    branch: BranchId,
    service: ServiceId,
    staff: Option<StaffId>,
    authority: Authority,
    now: Timestamp,
) -> Result<Engine<'a>, StoreError> {
    let engine = engine(company, branch, service, staff, now).ok_or(StoreError::NotFound("branch or service"))?;
    Ok(match authority {
        Authority::Caller => engine,
        Authority::Operator => engine.waive_minimum_notice(),
    })
}

/// What became of a booking request.
#[derive(Clone, Debug)]
pub enum BookOutcome {
    /// Booked.
    Booked {
        /// The appointment.
        appointment: Box<Appointment>,
        /// Its customer.
        customer: Customer,
    },
    /// Not possible at that time.
    Unavailable {
        /// Why.
        refusal: Refusal,
        /// The nearest bookable alternatives.
        alternatives: Vec<Slot>,
    },
    /// The customer already has an appointment at that time (and it is not for another person).
    AlreadyBooked {
        /// The appointment in the way.
        existing: Box<Appointment>,
    },
}

/// An engine for a branch and service the caller already resolved from the directory (so it
/// cannot miss).
pub fn engine_for<'a>(
    company: &'a CompanyEntry,
    branch: &'a Branch,
    service: &'a Service,
    staff: Option<&Staff>,
    now: Timestamp,
) -> Engine<'a> {
    let engine = Engine::new(company, branch, service, now);
    match staff {
        Some(s) => engine.only(s.id),
        None => engine,
    }
}

/// An engine for a request by ids, or `None` when branch or service are unknown to the company.
pub fn engine<'a>(
    company: &'a CompanyEntry,
    branch: BranchId,
    service: ServiceId,
    staff: Option<StaffId>,
    now: Timestamp,
) -> Option<Engine<'a>> {
    let branch = company.branch(branch)?;
    let service = company.service(service)?;
    let engine = Engine::new(company, branch, service, now);
    Some(match staff {
        Some(s) => engine.only(s),
        None => engine,
    })
}

/// Where busy time is read from: the store's readers for questions (reads never block writes),
/// or a write transaction for dry-runs and commits (they must see what they are about to change).
pub enum BusyFrom<'a> {
    /// Outside any transaction.
    Reader(&'a SharedStore),
    /// Inside this write transaction.
    Tx(&'a mut dyn StoreTx),
}

impl BusyFrom<'_> {
    /// The customer's own booked appointment overlapping `[start, end)`, other than `ignoring`:
    /// a customer is not booked twice at once unless the booking is for another person. Inside a
    /// write transaction the customer's row is locked first (by the booking's customer upsert,
    /// or by [`lock_owned`]), so two bookings of one customer cannot both miss each other.
    pub async fn own_overlap(
        &mut self,
        company: &CompanyEntry,
        customer: CustomerId,
        (start, end): (Timestamp, Timestamp),
        ignoring: Option<AppointmentId>,
    ) -> Result<Option<Appointment>, StoreError> {
        // The customer's booked appointments that end after `start`.
        let company_id = company.company.id;
        let appointments = match self {
            BusyFrom::Reader(store) => store.customer_appointments(company_id, customer, start).await?,
            BusyFrom::Tx(tx) => tx.customer_appointments(company_id, customer, start).await?,
        };
        Ok(appointments.into_iter().find(|a| {
            a.status == AppointmentStatus::Booked
                && Some(a.id) != ignoring
                && a.range.start() < end
                && start < a.range.end()
        }))
    }

    /// Busy time for `days` days from the local date `from`, as a calendar, without the blocks of
    /// `ignoring` (an appointment being moved does not stand in its own way).
    pub async fn calendar(
        &mut self,
        company: &CompanyEntry,
        engine: &Engine<'_>,
        from: Date,
        days: i32,
        ignoring: Option<AppointmentId>,
    ) -> Result<Calendar, StoreError> {
        let window = engine.busy_window(from, days);
        // The days the busy window touches, a day either side for time zones.
        let first = from.yesterday().unwrap_or(from);
        let last = from.checked_add(jiff::Span::new().days(i64::from(days) + 2)).unwrap_or(from);
        let id = company.company.id;
        let (mut busy, days_off) = match self {
            // Two readers at once: a question waits for one round trip instead of two, and the
            // booking re-reads both inside its transaction anyway.
            BusyFrom::Reader(store) => tokio::try_join!(store.busy_times(id, window), store.days_off(id, first, last))?,
            BusyFrom::Tx(tx) => (tx.busy_times(id, window).await?, tx.days_off(id, first, last).await?),
        };
        if let Some(id) = ignoring {
            busy.retain(|b| b.appointment_id != Some(id));
        }
        Ok(Calendar::new(busy).with_days_off(days_off))
    }
}

/// One start to decide on.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// The start asked for.
    pub start: Timestamp,
    /// The caller's preferred part of the day, for alternatives.
    pub window: Option<TimeWindow>,
    /// A staff member to try first (a move keeps its stylist when it can).
    pub prefer: Option<StaffId>,
    /// An appointment whose own blocks do not count (the one being moved).
    pub ignoring: Option<AppointmentId>,
}

impl Probe {
    /// A start, with nobody preferred and nothing ignored.
    pub fn at(start: Timestamp, window: Option<TimeWindow>) -> Probe {
        Probe { start, window, prefer: None, ignoring: None }
    }
}

/// What the engine says about one start.
#[derive(Clone, Debug)]
pub enum Check {
    /// Bookable: this slot (staff and segments).
    Free(Slot),
    /// Not bookable.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The nearest bookable alternatives (none for a past time or beyond the window).
        alternatives: Vec<Slot>,
    },
}

/// The one availability decision, used by questions, dry-runs and commits alike: is the probed
/// start bookable, and if not, why not and what else is.
pub async fn check(
    busy: &mut BusyFrom<'_>,
    company: &CompanyEntry,
    engine: &Engine<'_>,
    probe: &Probe,
) -> Result<Check, StoreError> {
    let calendar = busy.calendar(company, engine, engine.local_date(probe.start), 1, probe.ignoring).await?;
    let preferred = probe.prefer.map(|staff| engine.clone().only(staff));
    let decided = match preferred.as_ref().map(|e| e.at(probe.start, &calendar)) {
        Some(Ok(slot)) => Ok(slot),
        _ => engine.at(probe.start, &calendar),
    };
    Ok(match decided {
        Ok(slot) => Check::Free(slot),
        Err(refusal) => {
            Check::Refused { refusal, alternatives: alternatives(busy, company, engine, probe, refusal).await? }
        }
    })
}

/// The alternatives that make sense for a refusal: none for a past time or one beyond the
/// booking window, else the nearest bookable times.
async fn alternatives(
    busy: &mut BusyFrom<'_>,
    company: &CompanyEntry,
    engine: &Engine<'_>,
    probe: &Probe,
    refusal: Refusal,
) -> Result<Vec<Slot>, StoreError> {
    Ok(match refusal {
        Refusal::PastTime | Refusal::BeyondWindow => Vec::new(),
        _ => {
            let calendar = busy
                .calendar(company, engine, engine.local_date(probe.start), ALTERNATIVE_DAYS, probe.ignoring)
                .await?;
            engine.alternatives(probe.start, &calendar, probe.window, DEFAULT_ALTERNATIVES, ALTERNATIVE_DAYS)
        }
    })
}

/// What was being attempted when the engine refused: it decides how the refusal is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// A question (`check_availability`) or a dry-run.
    Ask,
    /// A booking.
    Book,
    /// A move.
    Move,
}

/// How a refusal is told outward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outward {
    /// The function status.
    pub status: Status,
    /// Whether the function still did what was asked (a question answered "not then, but …").
    pub success: bool,
    /// Someone else holds the time (HTTP 409 in the admin API), rather than a time that cannot
    /// be booked at all (422).
    pub conflict: bool,
}

/// The one table from a refusal to how it is told, for the functions and the admin API.
pub fn outward(refusal: Refusal, attempt: Attempt) -> Outward {
    let (status, success, conflict) = match (refusal, attempt) {
        (Refusal::PastTime, _) => (Status::PastTime, false, false),
        (Refusal::BeyondWindow, _) => (Status::OutsideBookingWindow, false, false),
        (Refusal::Closed, _) => (Status::Closed, false, false),
        (Refusal::Taken, Attempt::Book) => (Status::SlotTaken, false, true),
        (Refusal::Taken, _) => (Status::Unavailable, true, true),
        (Refusal::TooSoon | Refusal::OutsideHours, _) => (Status::Unavailable, true, false),
    };
    Outward { status, success, conflict }
}

/// Books `request` in `tx`. A slot lost to a concurrent writer (PostgreSQL) is decided again
/// with fresh busy time.
pub async fn book(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    request: &BookRequest,
    now: Timestamp,
) -> Result<BookOutcome, StoreError> {
    let authority = if request.source == AppointmentSource::Admin { Authority::Operator } else { Authority::Caller };
    let engine = engine_of(company, request.branch, request.service, request.staff, authority, now)?;
    let probe = Probe::at(request.start, request.window);
    // A known customer is locked and checked first, so that "you already have an appointment
    // then" wins over "not free" (their own appointment may be what is in the way). A customer
    // created by this booking is checked after its upsert, below.
    let range = requested_range(company, request.service, request.start)?;
    // Whether the customer's own appointments are checked (once, under their lock).
    let mut own_checked = request.another_person;
    if !own_checked
        && let Some(phone) = &request.customer.phone
        && let Some(known) = tx.customer_by_phone(company.company.id, phone).await?
    {
        tx.lock_customer(company.company.id, known.id).await?;
        if let Some(existing) = BusyFrom::Tx(&mut *tx).own_overlap(company, known.id, range, None).await? {
            return Ok(BookOutcome::AlreadyBooked { existing: Box::new(existing) });
        }
        own_checked = true;
    }
    let mut customer: Option<Customer> = None;
    for _ in 0..RACE_RETRIES {
        let slot = match check(&mut BusyFrom::Tx(&mut *tx), company, &engine, &probe).await? {
            Check::Free(slot) => slot,
            Check::Refused { refusal, alternatives } => return Ok(BookOutcome::Unavailable { refusal, alternatives }),
        };
        // The customer is created only once a slot is in reach, and before the segments are
        // written: every writer locks customer, then segments, so none can deadlock another.
        let who = match &customer {
            Some(c) => c.clone(),
            None => {
                let c = tx.upsert_customer(company.company.id, &request.customer, now).await?;
                customer = Some(c.clone());
                c
            }
        };
        if !own_checked {
            // A customer this booking created (or one that appeared meanwhile), now locked by the
            // upsert: a concurrent first booking of theirs has committed and is seen here.
            if let Some(existing) = BusyFrom::Tx(&mut *tx).own_overlap(company, who.id, range, None).await? {
                return Ok(BookOutcome::AlreadyBooked { existing: Box::new(existing) });
            }
            own_checked = true;
        }
        let new = NewAppointment {
            company_id: company.company.id,
            branch_id: request.branch,
            service_id: request.service,
            customer_id: who.id,
            slot: &slot,
            source: request.source,
            call_id: request.call_id,
            notes: request.notes.clone(),
            at: now,
        };
        if let Ok(appointment) = tx.book(&new).await? {
            mirror(tx, company, &appointment, OutboxKind::CalcomCreate).await?;
            notify::appointment_changed(tx, company, &appointment, Some(&who), Change::Booked, now).await?;
            return Ok(BookOutcome::Booked { appointment: Box::new(appointment), customer: who });
        }
        tracing::debug!(staff = %slot.staff_id, "slot taken by a concurrent booking; retrying");
    }
    let alternatives = alternatives(&mut BusyFrom::Tx(tx), company, &engine, &probe, Refusal::Taken).await?;
    Ok(BookOutcome::Unavailable { refusal: Refusal::Taken, alternatives })
}

/// The time an appointment of `service` starting at `start` takes: what the customer's own
/// appointments must not overlap.
pub fn requested_range(
    company: &CompanyEntry,
    service: ServiceId,
    start: Timestamp,
) -> Result<(Timestamp, Timestamp), StoreError> {
    let minutes = company.service(service).ok_or(StoreError::NotFound("service"))?.def.duration();
    Ok((start, start + jiff::SignedDuration::from_mins(i64::from(minutes))))
}

/// What became of a cancellation request.
#[derive(Clone, Debug)]
pub enum CancelOutcome {
    /// Cancelled; `fee` if a late fee was accepted.
    Cancelled {
        /// The cancelled appointment.
        appointment: Appointment,
        /// The fee charged.
        fee: Option<Cents>,
        /// Caller policies an operator overrode.
        overridden: Overridden,
    },
    /// Refused by policy.
    Denied {
        /// Why.
        reason: DenialReason,
        /// The late fee that would allow it, if any.
        fee: Option<Cents>,
        /// The appointment concerned.
        appointment: Appointment,
    },
    /// No such booked appointment (for this customer).
    NotFound,
}

/// What to cancel.
#[derive(Clone, Debug)]
pub struct CancelRequest {
    /// The appointment.
    pub id: AppointmentId,
    /// Why, as the caller said.
    pub reason: Option<String>,
    /// Whether the caller accepted the late fee.
    pub fee_accepted: bool,
    /// The call asking.
    pub call_id: Option<CallId>,
    /// Who asks.
    pub authority: Authority,
}

/// Cancels a booked appointment after checking ownership (`owner` decides, given the locked
/// appointment) and policy.
pub async fn cancel(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    request: CancelRequest,
    owner: impl Fn(&Appointment) -> bool + Send,
    now: Timestamp,
) -> Result<CancelOutcome, StoreError> {
    let CancelRequest { id, reason, fee_accepted, call_id, authority } = request;
    let Some(appointment) = lock_owned(tx, company, id, &owner).await? else { return Ok(CancelOutcome::NotFound) };
    let policies = company.policies(company.branch(appointment.branch_id), company.service(appointment.service_id));
    let since = now - policy::QUOTA_PERIOD;
    let recent = tx.count_cancellations(company.company.id, appointment.customer_id, since).await?;
    let decision = policy::decide_cancel(&policies.cancellation, appointment.range.start(), now, recent, fee_accepted);
    let (fee, overridden) = match (decision, authority) {
        (CancelDecision::Denied { reason, fee }, Authority::Caller) => {
            return Ok(CancelOutcome::Denied { reason, fee, appointment });
        }
        (CancelDecision::Allowed { fee }, Authority::Caller) => (fee, Vec::new()),
        // An operator cancels without a fee, whatever the policy says; what it would have said
        // is reported.
        (CancelDecision::Denied { reason, .. }, Authority::Operator) => (None, vec![reason.as_str()]),
        (CancelDecision::Allowed { fee: Some(_) }, Authority::Operator) => (None, vec!["cancellation_fee"]),
        (CancelDecision::Allowed { fee: None }, Authority::Operator) => (None, Vec::new()),
    };
    let change = Cancellation { at: now, reason, fee, call_id };
    let appointment = tx.cancel(company.company.id, id, &change).await?;
    mirror(tx, company, &appointment, OutboxKind::CalcomCancel).await?;
    notify::appointment_changed(tx, company, &appointment, None, Change::Cancelled, now).await?;
    Ok(CancelOutcome::Cancelled { appointment, fee, overridden })
}

/// What became of a reschedule request.
#[derive(Clone, Debug)]
pub enum RescheduleOutcome {
    /// Moved.
    Rescheduled {
        /// The appointment at its new time.
        appointment: Appointment,
        /// Where it was.
        previous_start: Timestamp,
        /// Caller policies an operator overrode.
        overridden: Overridden,
    },
    /// The new time is not possible.
    Unavailable {
        /// Why.
        refusal: Refusal,
        /// Nearest alternatives.
        alternatives: Vec<Slot>,
    },
    /// Refused by policy.
    Denied {
        /// Why.
        reason: DenialReason,
        /// The appointment concerned.
        appointment: Appointment,
    },
    /// The customer has another appointment at the new time.
    AlreadyBooked {
        /// The appointment in the way.
        existing: Box<Appointment>,
    },
    /// No such booked appointment (for this customer).
    NotFound,
}

/// Where to move an appointment.
#[derive(Clone, Debug)]
pub struct RescheduleRequest {
    /// The appointment.
    pub id: AppointmentId,
    /// Its new start.
    pub new_start: Timestamp,
    /// The caller's preferred part of the day, for alternatives.
    pub window: Option<TimeWindow>,
    /// The call asking.
    pub call_id: Option<CallId>,
    /// Who asks.
    pub authority: Authority,
    /// Move to this staff member (operators); `None` prefers the current one.
    pub staff: Option<StaffId>,
}

/// Moves a booked appointment to a new start, preferring the same staff member.
pub async fn reschedule(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    request: RescheduleRequest,
    owner: impl Fn(&Appointment) -> bool + Send,
    now: Timestamp,
) -> Result<RescheduleOutcome, StoreError> {
    let RescheduleRequest { id, new_start, window, call_id, authority, staff } = request;
    let Some(appointment) = lock_owned(tx, company, id, &owner).await? else {
        return Ok(RescheduleOutcome::NotFound);
    };
    let policies = company.policies(company.branch(appointment.branch_id), company.service(appointment.service_id));
    let mut overridden = Vec::new();
    if let Err(reason) =
        policy::decide_reschedule(&policies.reschedule, appointment.range.start(), now, appointment.reschedule_count)
    {
        match authority {
            Authority::Caller => return Ok(RescheduleOutcome::Denied { reason, appointment }),
            Authority::Operator => overridden.push(reason.as_str()),
        }
    }
    let engine = engine_of(company, appointment.branch_id, appointment.service_id, staff, authority, now)?;
    if authority == Authority::Operator && engine.within_minimum_notice(new_start) {
        overridden.push("minimum_notice");
    }
    // The customer is locked (`lock_owned`): no booking of theirs can slip in meanwhile.
    let range = requested_range(company, appointment.service_id, new_start)?;
    let own = BusyFrom::Tx(&mut *tx).own_overlap(company, appointment.customer_id, range, Some(id)).await?;
    if let Some(existing) = own {
        return Ok(RescheduleOutcome::AlreadyBooked { existing: Box::new(existing) });
    }
    let probe =
        Probe { start: new_start, window, prefer: Some(staff.unwrap_or(appointment.staff_id)), ignoring: Some(id) };
    for _ in 0..RACE_RETRIES {
        let slot = match check(&mut BusyFrom::Tx(&mut *tx), company, &engine, &probe).await? {
            Check::Free(slot) => slot,
            Check::Refused { refusal, alternatives } => {
                return Ok(RescheduleOutcome::Unavailable { refusal, alternatives });
            }
        };

        if let Ok(moved) = tx.reschedule(company.company.id, id, &slot, now, call_id).await? {
            mirror(tx, company, &moved, OutboxKind::CalcomReschedule).await?;
            let change = Change::Moved { previous_start: appointment.range.start() };
            notify::appointment_changed(tx, company, &moved, None, change, now).await?;
            return Ok(RescheduleOutcome::Rescheduled {
                appointment: moved,
                previous_start: appointment.range.start(),
                overridden,
            });
        }
    }
    let alternatives = alternatives(&mut BusyFrom::Tx(tx), company, &engine, &probe, Refusal::Taken).await?;
    Ok(RescheduleOutcome::Unavailable { refusal: Refusal::Taken, alternatives })
}

/// Writes the outbox job that mirrors a change into Cal.com, in the change's own transaction (I5),
/// when the company has a Cal.com connection.
async fn mirror(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    appointment: &Appointment,
    kind: OutboxKind,
) -> Result<(), StoreError> {
    if company.calcom.is_none() {
        return Ok(());
    }
    let payload = json!({
        "appointment_id": appointment.id,
        "start": appointment.range.start(),
        "end": appointment.range.end(),
        "service_id": appointment.service_id,
        "staff_id": appointment.staff_id,
        "status": appointment.status,
    });
    // The outbox is the workers' business, and they keep real time (DESIGN, "Two clocks"): a job
    // caused by a change is due at once, whatever the business clock says.
    let job = NewOutboxJob {
        company_id: company.company.id,
        appointment_id: appointment.id,
        kind,
        payload,
        at: Timestamp::now(),
    };
    tx.enqueue_outbox(&job).await?;
    Ok(())
}

/// Locks the appointment, then its customer (so that one customer's cancellations and moves, and
/// their quota checks, run one at a time), then re-reads the appointment, which may have changed
/// while waiting. Checks that it is booked and belongs to the requester.
async fn lock_owned(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    id: AppointmentId,
    owner: &(impl Fn(&Appointment) -> bool + Send),
) -> Result<Option<Appointment>, StoreError> {
    let company_id = company.company.id;
    let Some(peek) = tx.lock_appointment(company_id, id).await? else { return Ok(None) };
    if !owner(&peek) || peek.status != AppointmentStatus::Booked {
        return Ok(None);
    }
    tx.lock_customer(company_id, peek.customer_id).await?;
    Ok(tx.lock_appointment(company_id, id).await?.filter(|a| a.status == AppointmentStatus::Booked))
}
