//! The outbox worker: delivers appointment changes to Cal.com.
//!
//! Jobs are claimed with a lease (several workers, in several processes, may run), and each job
//! reads the appointment's *current* state: a creation after a move books the new time, a move
//! to where Cal.com already is does nothing, a cancellation of something never mirrored does
//! nothing. The HTTP call happens outside any transaction; its result and the job's end commit
//! together.
//!
//! Exactly once, although a worker may die between Cal.com's answer and its own commit: every
//! booking carries our appointment id in its metadata and a per-appointment attendee address, so a
//! retried creation first looks for the booking an earlier attempt made. A booking Cal.com answers
//! with that is not ours (its "existing booking" quirk) is never linked: the job fails, visibly.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontdesk_calcom::client::{BookingQuery, CalError, Client, RateLimit};
use frontdesk_calcom::wire::{APPOINTMENT_KEY, Attendee, Booking, NewBooking};
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::CompanyId;
use frontdesk_domain::records::{Appointment, AppointmentStatus, OutboxJob, OutboxKind};
use frontdesk_store::StoreError;
use frontdesk_store::model::{CalcomConnection, JobClaim, JobOutcome};
use jiff::{SignedDuration, Timestamp};

use crate::state::AppState;

/// Jobs claimed per round.
const BATCH: u32 = 16;
/// The longest backoff: an outage only delays the mirror, retried at least this often.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_mins(15);
/// Companies whose jobs are delivered at once: one hanging Cal.com account holds up only its own
/// company's jobs.
const COMPANIES_AT_ONCE: usize = 8;
/// How long a claim holds.
const LEASE: SignedDuration = SignedDuration::from_secs(120);

/// What one attempt at a job came to.
enum Step {
    /// Delivered (or nothing to deliver); link the appointment to this booking if given.
    Done(Option<String>),
    /// Try again later.
    Retry { error: String, wait: Option<Duration> },
    /// Give up; an operator must look.
    Fail(String),
}

impl From<CalError> for Step {
    fn from(error: CalError) -> Step {
        match error {
            CalError::RateLimited { reset } => {
                Step::Retry { error: error.to_string(), wait: reset.or(Some(Duration::from_secs(60))) }
            }
            e if e.is_transient() => Step::Retry { error: e.to_string(), wait: None },
            e => Step::Fail(e.to_string()),
        }
    }
}

/// The worker of one process.
pub struct CalcomSync {
    state: AppState,
    owner: String,
    clients: Mutex<HashMap<CompanyId, (String, Client)>>,
    /// Per company (each has its own API key and rate limit): wait until then.
    paused_until: Mutex<HashMap<CompanyId, Timestamp>>,
    /// Companies whose deliveries are under way in this process: not claimed for again until
    /// they are done, so that a hanging account holds up nobody but its own company.
    busy: Mutex<HashSet<CompanyId>>,
}

impl CalcomSync {
    /// A worker for the server's store.
    pub fn new(state: AppState) -> CalcomSync {
        let owner = format!("outbox-{}-{}", std::process::id(), Timestamp::now().as_nanosecond() % 1_000_000_000);
        CalcomSync {
            state,
            owner,
            clients: Mutex::new(HashMap::new()),
            paused_until: Mutex::new(HashMap::new()),
            busy: Mutex::new(HashSet::new()),
        }
    }

    fn client(&self, connection: &CalcomConnection) -> Client {
        let fingerprint = format!("{}|{}", connection.base_url, connection.api_key);
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        match clients.get(&connection.company_id) {
            Some((seen, client)) if *seen == fingerprint => client.clone(),
            _ => {
                let client =
                    Client::new(&connection.base_url, &connection.api_key, self.state.settings().calcom_timeout);
                clients.insert(connection.company_id, (fingerprint, client.clone()));
                client
            }
        }
    }

    fn paused(&self, company: CompanyId) -> Option<Timestamp> {
        let until = self.paused_until.lock().unwrap_or_else(|p| p.into_inner()).get(&company).copied();
        until.filter(|t| *t > Timestamp::now())
    }

    /// Honours the rate-limit headers: with nothing left in the window, wait for its reset.
    fn note(&self, company: CompanyId, rate: RateLimit) {
        if rate.remaining == Some(0) {
            let wait = rate.reset.unwrap_or(Duration::from_secs(60));
            let until = Timestamp::now() + SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_secs(60));
            self.paused_until.lock().unwrap_or_else(|p| p.into_inner()).insert(company, until);
        }
    }

    fn backoff(&self, attempts: i32) -> SignedDuration {
        let first =
            SignedDuration::try_from(self.state.settings().outbox_backoff).unwrap_or(SignedDuration::from_secs(5));
        (first * 2i32.pow(attempts.clamp(1, 16) as u32 - 1)).min(MAX_BACKOFF)
    }

    /// Claims due jobs and starts their delivery; returns how many were claimed. Each company's
    /// jobs go in order, in a task of their own, the companies side by side (up to
    /// [`COMPANIES_AT_ONCE`] in this process): a company whose Cal.com hangs is skipped by later
    /// rounds until its task ends, and nobody else waits for it.
    pub async fn round(self: &Arc<Self>) -> Result<usize, StoreError> {
        let busy: Vec<CompanyId> = self.busy_companies().into_iter().collect();
        if busy.len() >= COMPANIES_AT_ONCE {
            self.update_gauges().await?;
            return Ok(0);
        }
        let store = self.state.store();
        let now = Timestamp::now();
        let claim = JobClaim { owner: &self.owner, now, lease_until: now + LEASE, limit: BATCH, skip_companies: &busy };
        let jobs = store.claim_jobs(&claim).await?;
        let claimed = jobs.len();
        let mut by_company: Vec<(CompanyId, Vec<OutboxJob>)> = Vec::new();
        for job in jobs {
            match by_company.iter_mut().find(|(c, _)| *c == job.company_id) {
                Some((_, list)) => list.push(job),
                None => by_company.push((job.company_id, vec![job])),
            }
        }
        if by_company.is_empty() {
            self.update_gauges().await?;
            return Ok(0);
        }
        let connections: Arc<HashMap<CompanyId, CalcomConnection>> =
            Arc::new(store.calcom_connections().await?.into_iter().map(|c| (c.company_id, c)).collect());
        for (company, list) in by_company {
            self.busy.lock().unwrap_or_else(|p| p.into_inner()).insert(company);
            let (worker, connections) = (Arc::clone(self), Arc::clone(&connections));
            tokio::spawn(async move {
                if let Err(error) = worker.deliver_company(company, &list, &connections).await {
                    tracing::warn!(%error, company = %company, "outbox delivery failed");
                }
                worker.busy.lock().unwrap_or_else(|p| p.into_inner()).remove(&company);
                if let Err(error) = worker.update_gauges().await {
                    tracing::warn!(%error, "outbox gauges not updated");
                }
            });
        }
        Ok(claimed)
    }

    fn busy_companies(&self) -> HashSet<CompanyId> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// One company's jobs, in order.
    async fn deliver_company(
        &self,
        company: CompanyId,
        jobs: &[OutboxJob],
        connections: &HashMap<CompanyId, CalcomConnection>,
    ) -> Result<(), StoreError> {
        for job in jobs {
            let step = match self.paused(company) {
                Some(until) => Step::Retry {
                    error: "waiting for Cal.com's rate limit".into(),
                    wait: Some(until.duration_since(Timestamp::now()).unsigned_abs()),
                },
                None => self.deliver(job, connections).await,
            };
            self.finish(job, step).await?;
        }
        Ok(())
    }

    async fn finish(&self, job: &OutboxJob, step: Step) -> Result<(), StoreError> {
        let now = Timestamp::now();
        let max = self.state.settings().outbox_max_attempts;
        // An outage only delays the mirror: a passing failure is retried for as long as the
        // appointment lies ahead (by the business clock, which its times belong to); only then,
        // or when Cal.com refuses for good, is the job parked for an operator.
        let start = job.payload.get("start").and_then(|v| v.as_str()).and_then(|s| s.parse::<Timestamp>().ok());
        let ahead = start.is_some_and(|s| s > self.state.settings().clock.now());
        let (outcome, link, label) = match step {
            Step::Done(link) => (JobOutcome::Done, link, "done"),
            Step::Retry { error, .. } if job.attempts >= max && !ahead => (
                JobOutcome::Failed {
                    error: format!("gave up after {} attempts, the appointment has passed: {error}", job.attempts),
                },
                None,
                "failed",
            ),
            Step::Retry { error, wait } => {
                let wait =
                    wait.and_then(|w| SignedDuration::try_from(w).ok()).unwrap_or_else(|| self.backoff(job.attempts));
                (JobOutcome::Retry { run_after: now + wait, error }, None, "retry")
            }
            Step::Fail(error) => (JobOutcome::Failed { error }, None, "failed"),
        };
        let (id, company, appointment, owner, ended) =
            (job.id, job.company_id, job.appointment_id, self.owner.clone(), outcome.clone());
        self.state
            .store()
            .write(move |tx| {
                Box::pin(async move {
                    // The lease ran out and another worker took the job: its result counts, not
                    // ours, and nothing is written.
                    if tx.finish_job(id, &owner, &ended, now).await?
                        && let Some(uid) = &link
                    {
                        tx.set_calcom_uid(company, appointment, Some(uid)).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        metrics::counter!("frontdesk_outbox_attempts_total", "kind" => job.kind.as_str(), "outcome" => label)
            .increment(1);
        if matches!(outcome, JobOutcome::Done) {
            let age = now.duration_since(job.created_at).as_secs_f64().max(0.0);
            metrics::histogram!("frontdesk_outbox_delivery_seconds", "kind" => job.kind.as_str()).record(age);
        }
        if let JobOutcome::Failed { error } = &outcome {
            tracing::warn!(job = %job.id, appointment = %job.appointment_id, kind = %job.kind, %error, "outbox job failed");
        }
        Ok(())
    }

    async fn update_gauges(&self) -> Result<(), StoreError> {
        let stats = self.state.store().outbox_stats().await?;
        for (status, n) in
            [("pending", stats.pending), ("running", stats.running), ("done", stats.done), ("failed", stats.failed)]
        {
            metrics::gauge!("frontdesk_outbox_jobs", "status" => status).set(n as f64);
        }
        let age = stats.oldest_pending.map_or(0.0, |t| Timestamp::now().duration_since(t).as_secs_f64().max(0.0));
        metrics::gauge!("frontdesk_outbox_oldest_pending_seconds").set(age);
        Ok(())
    }

    async fn deliver(&self, job: &OutboxJob, connections: &HashMap<CompanyId, CalcomConnection>) -> Step {
        let Some(connection) = connections.get(&job.company_id) else {
            return Step::Fail("the company has no Cal.com connection".into());
        };
        let directory = self.state.directory();
        let Some(company) = directory.company(job.company_id) else { return Step::Fail("no such company".into()) };
        let appointment = match self.state.store().appointment(job.company_id, job.appointment_id).await {
            Ok(Some(a)) => a,
            Ok(None) => return Step::Fail("no such appointment".into()),
            Err(e) => return Step::Retry { error: e.to_string(), wait: None },
        };
        let client = self.client(connection);
        let result = match job.kind {
            OutboxKind::CalcomCreate => self.create(&client, company, job, &appointment).await,
            OutboxKind::CalcomReschedule => self.reschedule(&client, &appointment).await,
            OutboxKind::CalcomCancel => self.cancel(&client, &appointment).await,
        };
        result.unwrap_or_else(Step::from)
    }

    async fn create(
        &self,
        client: &Client,
        company: &CompanyEntry,
        job: &OutboxJob,
        a: &Appointment,
    ) -> Result<Step, CalError> {
        if a.calcom_uid.is_some() || a.status == AppointmentStatus::Cancelled {
            return Ok(Step::Done(None));
        }
        // The staff member's own event type books them as the host; the service's lets Cal.com pick.
        let Some(event_type) = company.calcom.as_ref().and_then(|l| l.event_type_for(a.staff_id, a.service_id)) else {
            let service =
                company.service(a.service_id).map_or_else(|| a.service_id.to_string(), |s| s.def.key.to_string());
            return Ok(Step::Fail(format!("service `{service}` has no Cal.com event type")));
        };
        let customer = self.state.store().customer(company.company.id, a.customer_id).await.ok().flatten();
        // The attendee is this appointment, never the customer's real address or phone: Cal.com
        // answers a request with the same attendee e-mail *or* phone and start with the existing
        // booking, which would swallow a parent's second child at the same time; and Cal.com would
        // mail the customer a confirmation beside frontdesk's own. The real contact goes into the
        // metadata, for the people reading the Cal.com calendar.
        let email = format!("appointment-{}@{}.frontdesk.invalid", a.id, company.company.def.key);
        if job.attempts > 1 {
            // An earlier attempt may have succeeded with its answer lost: find it before creating.
            let query = BookingQuery {
                attendee_email: Some(email.clone()),
                after_start: Some(a.range.start() - SignedDuration::from_mins(1)),
                before_end: Some(a.range.end() + SignedDuration::from_hours(24)),
                limit: 50,
                ..BookingQuery::default()
            };
            let (found, rate) = client.bookings(&query).await?;
            self.note(a.company_id, rate);
            if let Some(b) = found.bookings.iter().find(|b| b.appointment_id() == Some(a.id.0) && !b.is_cancelled()) {
                return Ok(Step::Done(Some(b.uid.clone())));
            }
        }
        let branch_tz = company.branch(a.branch_id).map_or("UTC", |b| b.def.time_zone.iana_name().unwrap_or("UTC"));
        let mut metadata = std::collections::BTreeMap::new();
        metadata.insert(APPOINTMENT_KEY.to_owned(), a.id.to_string());
        metadata.insert("frontdesk_company".to_owned(), company.company.def.key.to_string());
        if let Some(staff) = company.staff_member(a.staff_id) {
            metadata.insert("frontdesk_staff".to_owned(), staff.def.key.to_string());
        }
        if let Some(phone) = customer.as_ref().and_then(|c| c.phone.as_ref()) {
            metadata.insert("frontdesk_customer_phone".to_owned(), phone.as_str().to_owned());
        }
        if let Some(mail) = customer.as_ref().and_then(|c| c.email.as_ref()) {
            metadata.insert("frontdesk_customer_email".to_owned(), mail.as_str().chars().take(500).collect());
        }
        let new = NewBooking {
            start: a.range.start().to_string(),
            event_type_id: event_type,
            attendee: Attendee {
                name: customer.as_ref().and_then(|c| c.name.clone()).unwrap_or_else(|| "Caller".to_owned()),
                email,
                time_zone: branch_tz.to_owned(),
                phone_number: None,
                language: Some(company.company.def.locale.language().code().to_owned()),
            },
            metadata,
        };
        let (booking, rate) = client.create_booking(&new).await?;
        self.note(a.company_id, rate);
        Ok(accept_created(&booking, a, job))
    }

    async fn reschedule(&self, client: &Client, a: &Appointment) -> Result<Step, CalError> {
        let Some(uid) = a.calcom_uid.clone() else { return Ok(Step::Done(None)) };
        if a.status == AppointmentStatus::Cancelled {
            return Ok(Step::Done(None));
        }
        let (current, rate) = client.booking(&uid).await?;
        self.note(a.company_id, rate);
        let Some(mut current) = current else { return Ok(Step::Fail(format!("Cal.com does not know booking {uid}"))) };
        // A previous attempt's reschedule may have gone through with its answer lost: follow it.
        if current.is_cancelled()
            && let Some(next) = current.rescheduled_to.clone()
        {
            let (successor, rate) = client.booking(&next).await?;
            self.note(a.company_id, rate);
            match successor {
                Some(s) => current = s,
                None => return Ok(Step::Fail(format!("Cal.com does not know booking {next}"))),
            }
        }
        if current.start == Some(a.range.start()) && !current.is_cancelled() {
            let link = (current.uid != uid).then(|| current.uid.clone());
            return Ok(Step::Done(link));
        }
        if current.is_cancelled() {
            return Ok(Step::Fail(format!("booking {} was cancelled in Cal.com", current.uid)));
        }
        let (moved, rate) = client.reschedule_booking(&current.uid, a.range.start(), "moved by phone").await?;
        self.note(a.company_id, rate);
        Ok(Step::Done(Some(moved.uid)))
    }

    async fn cancel(&self, client: &Client, a: &Appointment) -> Result<Step, CalError> {
        let Some(uid) = a.calcom_uid.clone() else { return Ok(Step::Done(None)) };
        let (current, rate) = client.booking(&uid).await?;
        self.note(a.company_id, rate);
        match current {
            None => Ok(Step::Done(None)),
            Some(b) if b.is_cancelled() => Ok(Step::Done(None)),
            Some(_) => {
                let rate = client.cancel_booking(&uid, "cancelled by phone").await?;
                self.note(a.company_id, rate);
                Ok(Step::Done(None))
            }
        }
    }
}

/// Checks that a booking Cal.com created is ours: it names our appointment and was made after
/// the job was (both real time; the appointment's own stamps keep the business clock). Anything
/// else is Cal.com handing back an existing booking.
fn accept_created(booking: &Booking, a: &Appointment, job: &OutboxJob) -> Step {
    let ours = booking.appointment_id() == Some(a.id.0);
    let fresh = booking.created_at.is_none_or(|c| c >= job.created_at - SignedDuration::from_mins(5));
    if ours && fresh {
        Step::Done(Some(booking.uid.clone()))
    } else {
        Step::Fail(format!(
            "Cal.com answered with an existing booking {} that is not appointment {}; it was not linked",
            booking.uid, a.id
        ))
    }
}
