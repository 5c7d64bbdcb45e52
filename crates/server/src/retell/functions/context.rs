//! What every function knows about the call it serves, and the helpers they share: resolving
//! services, staff and moments from arguments, and saying slots and appointments.

use frontdesk_domain::availability::{Refusal, Slot, TimeWindow};
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::ExternalCallId;
use frontdesk_domain::language::catalogue::{Missing, Msg, Why};
use frontdesk_domain::language::spoken;
use frontdesk_domain::language::when::{self, Expect, TimeOfDay};
use frontdesk_domain::locale::Language;
use frontdesk_domain::matching::Match;
use frontdesk_domain::phone::Caller;
use frontdesk_domain::records::{Appointment, Customer};
use frontdesk_domain::tenant::{Branch, Service, Staff};
use frontdesk_retell::status::Status;
use frontdesk_store::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::answer::Answer;
use super::args::{Args, names};
use crate::booking::{self, Attempt, Check};
use crate::state::AppState;

/// A function call's context: tenant, branch, caller, the business clock.
pub struct Ctx<'a> {
    /// Shared server state.
    pub state: &'a AppState,
    /// The company called.
    pub company: &'a CompanyEntry,
    /// The branch whose number was dialled.
    pub branch: &'a Branch,
    /// The company's language.
    pub lang: Language,
    /// Now, by the business clock.
    pub now: Timestamp,
    /// Today at the branch.
    pub today: Date,
    /// Who is calling.
    pub caller: Caller,
    /// The customer the caller id belongs to, if any.
    pub customer: Option<Customer>,
    /// Retell's call id.
    pub external_id: ExternalCallId,
}

/// Why a time outside working hours cannot be booked (see [`Ctx::outside_hours`]).
enum Outside {
    BeforeOpening(String),
    AfterClosing(String),
    Break,
    StaffAway(String),
    Nobody,
}

impl Outside {
    fn why(&self) -> Why<'_> {
        match self {
            Outside::BeforeOpening(t) => Why::BeforeOpening(t),
            Outside::AfterClosing(t) => Why::AfterClosing(t),
            Outside::Break => Why::Break,
            Outside::StaffAway(name) => Why::StaffAway(name),
            Outside::Nobody => Why::NobodyAvailable,
        }
    }
}

/// A moment the caller asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// An exact start.
    At(Timestamp),
    /// A day, possibly a part of it.
    Day {
        /// The date.
        date: Date,
        /// The part of the day.
        window: Option<TimeWindow>,
    },
}

impl<'a> Ctx<'a> {
    /// The context of a call to `branch`, now by the business clock.
    pub fn new(
        state: &'a AppState,
        company: &'a CompanyEntry,
        branch: &'a Branch,
        now: Timestamp,
        caller: Caller,
        customer: Option<Customer>,
        external_id: ExternalCallId,
    ) -> Ctx<'a> {
        Ctx {
            state,
            company,
            branch,
            lang: company.company.def.locale.language(),
            now,
            today: now.to_zoned(branch.def.time_zone.clone()).date(),
            caller,
            customer,
            external_id,
        }
    }
}

impl Ctx<'_> {
    /// The branch's time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.branch.def.time_zone
    }

    /// An instant as said in a sentence here: "morgen, am Mittwoch, den 11. März, um 14 Uhr".
    pub fn when(&self, t: Timestamp) -> String {
        spoken::at(self.lang, t, self.tz(), self.today)
    }

    /// A day as said in a sentence here.
    pub fn day(&self, d: Date) -> spoken::Day {
        spoken::day(self.lang, d, self.today)
    }

    fn local_date(&self, t: Timestamp) -> Date {
        t.to_zoned(self.tz().clone()).date()
    }

    fn local(&self, t: Timestamp) -> String {
        t.to_zoned(self.tz().clone()).strftime("%Y-%m-%dT%H:%M").to_string()
    }

    /// A staff member's display name.
    pub fn staff_name(&self, id: frontdesk_domain::ids::StaffId) -> String {
        self.company.staff_member(id).map(|s| s.def.name.clone()).unwrap_or_default()
    }

    /// A service's display name.
    pub fn service_name(&self, id: frontdesk_domain::ids::ServiceId) -> String {
        self.company.service(id).map(|s| s.def.name.clone()).unwrap_or_default()
    }

    /// A slot for the agent: local times, who, and how to say it.
    pub fn slot_json(&self, slot: &Slot) -> Value {
        json!({
            "start": self.local(slot.start),
            "end": self.local(slot.end),
            "staff": self.staff_name(slot.staff_id),
            "spoken": self.when(slot.start),
        })
    }

    /// Slots said as alternatives, in time order, grouped by day, the day said once: "am selben
    /// Tag um 15 oder 16 Uhr oder am Donnerstag um 9 Uhr" / "3 or 4 p.m. that day, or on Thursday
    /// at 9 a.m.". `said_day` is the day the sentence has already named.
    pub fn speak_slots(&self, slots: &[Slot], said_day: Option<Date>) -> String {
        let mut slots: Vec<&Slot> = slots.iter().collect();
        slots.sort_by_key(|s| s.start);
        let mut groups: Vec<(Date, Vec<frontdesk_domain::time::ClockTime>)> = Vec::new();
        for slot in slots {
            let local = slot.start.to_zoned(self.tz().clone());
            let time = frontdesk_domain::time::ClockTime::from_time(local.time());
            match groups.last_mut() {
                Some((d, times)) if *d == local.date() => times.push(time),
                _ => groups.push((local.date(), vec![time])),
            }
        }
        let said: Vec<String> = groups
            .iter()
            .map(|(date, times)| {
                let at = spoken::times(self.lang, times);
                match (self.lang, Some(*date) == said_day) {
                    (Language::De, true) => format!("am selben Tag um {at}"),
                    (Language::En, true) => format!("{at} that day"),
                    (Language::De, false) => format!("{} um {at}", self.day(*date).mid()),
                    // "I could offer you Monday, March 16, at 10 a.m.": no "on" after the verb.
                    (Language::En, false) => {
                        let day = self.day(*date).mid();
                        format!("{} at {at}", day.strip_prefix("on ").unwrap_or(&day))
                    }
                }
            })
            .collect();
        spoken::or_list(self.lang, &said)
    }

    /// An appointment for the agent.
    pub fn appointment_json(&self, a: &Appointment) -> Value {
        json!({
            "id": a.id,
            "start": self.local(a.range.start()),
            "end": self.local(a.range.end()),
            "service": self.service_name(a.service_id),
            "staff": self.staff_name(a.staff_id),
            "status": a.status,
            "spoken": self.speak_appointment(a),
        })
    }

    /// "Herrenhaarschnitt morgen, am Mittwoch, den 11. März, um 14 Uhr" / "Checkup and Cleaning
    /// on Thursday at 9 a.m.".
    pub fn speak_appointment(&self, a: &Appointment) -> String {
        format!("{} {}", self.service_name(a.service_id), self.when(a.range.start()))
    }

    /// Appointments as one list, in time order, each day said once: "Herrenhaarschnitt morgen, …,
    /// um 14 Uhr und Färben am selben Tag um 16 Uhr".
    pub fn speak_appointments(&self, list: &[Appointment], joiner: fn(Language, &[String]) -> String) -> String {
        let mut previous: Option<Date> = None;
        let said: Vec<String> = list
            .iter()
            .map(|a| {
                let service = self.service_name(a.service_id);
                let date = self.local_date(a.range.start());
                let clock = spoken::clock_of(self.lang, a.range.start(), self.tz());
                let same_day = previous == Some(date);
                previous = Some(date);
                match (self.lang, same_day) {
                    (Language::De, true) => format!("{service} am selben Tag um {clock}"),
                    (Language::En, true) => format!("{service} at {clock} that day"),
                    _ => self.speak_appointment(a),
                }
            })
            .collect();
        joiner(self.lang, &said)
    }

    /// The caller's customer record, looked up now if the handler did not (functions that
    /// rarely need it do not pay for it on every call).
    pub async fn caller_customer(&self) -> Result<Option<frontdesk_domain::ids::CustomerId>, StoreError> {
        if let Some(customer) = &self.customer {
            return Ok(Some(customer.id));
        }
        let Some(number) = self.caller.number() else { return Ok(None) };
        Ok(self.state.store().customer_by_phone(self.company.company.id, number).await?.map(|c| c.id))
    }

    /// How to address the known caller: title and surname ("Herr Müller") when the customer
    /// record has a salutation, else nobody by name (never the full name as a form of address).
    pub fn address(&self) -> Option<String> {
        let customer = self.customer.as_ref()?;
        let salutation = customer.salutation.as_deref()?;
        let surname = customer.name.as_deref()?.split_whitespace().last()?;
        Some(format!("{salutation} {surname}"))
    }

    /// The known caller's name, as the customer record has it.
    pub fn customer_name(&self) -> Option<String> {
        self.customer.as_ref().and_then(|c| c.name.clone())
    }

    /// The answer when the caller already has `existing` at the asked time: named, with the offer
    /// to move it or to book for another person. `success` for a question, not for a change.
    pub fn already_booked(&self, existing: &Appointment, success: bool) -> Answer {
        let said = self.speak_appointment(existing);
        let staff = self.staff_name(existing.staff_id);
        let msg = Msg::AlreadyBooked { existing: &said, staff: &staff };
        let answer = if success {
            Answer::ok(Status::CustomerAlreadyBooked, self.lang, &msg)
        } else {
            Answer::fail(Status::CustomerAlreadyBooked, self.lang, &msg)
        };
        answer.with("appointment", self.appointment_json(existing))
    }

    /// The service named in the arguments.
    pub fn service(&self, args: &Args) -> Result<&Service, Answer> {
        let Some(query) = args.text(names::SERVICE) else {
            return Err(Answer::fail(Status::MissingArgument, self.lang, &Msg::Missing(Missing::Service)));
        };
        match self.company.find_service(&query) {
            Match::One(s) => Ok(s),
            Match::Ambiguous(options) => {
                let names: Vec<String> = options.iter().map(|s| s.def.name.clone()).collect();
                let said = spoken::or_list(self.lang, &names);
                Err(Answer::fail(Status::UnknownService, self.lang, &Msg::AmbiguousService { options: &said })
                    .with("options", names))
            }
            Match::None => Err(self.services_offered()),
        }
    }

    /// The answer for a service that is not (or no longer) offered: what is.
    pub fn services_offered(&self) -> Answer {
        let names: Vec<String> = self.company.services.iter().map(|s| s.def.name.clone()).collect();
        let said = spoken::and_list(self.lang, &names);
        Answer::fail(Status::UnknownService, self.lang, &Msg::UnknownService { offered: &said }).with("services", names)
    }

    /// The service asked for and, if one was named, the staff member who is to perform it.
    pub fn service_and_staff(&self, args: &Args) -> Result<(&Service, Option<&Staff>), Answer> {
        let service = self.service(args)?;
        Ok((service, self.staff(args, service)?))
    }

    /// The staff member named in the arguments, if any, who must perform `service`.
    pub fn staff(&self, args: &Args, service: &Service) -> Result<Option<&Staff>, Answer> {
        let Some(query) = args.text(names::STAFF) else { return Ok(None) };
        let wanted = match self.company.find_staff(self.branch.id, &query) {
            Match::One(s) => s,
            _ => return Err(Answer::fail(Status::UnknownStaff, self.lang, &Msg::UnknownStaff { staff: &query })),
        };
        if !wanted.performs(service.id) {
            let msg = Msg::StaffCannotProvide { staff: &wanted.def.name, service: &service.def.name };
            return Err(Answer::fail(Status::StaffCannotProvideService, self.lang, &msg));
        }
        Ok(Some(wanted))
    }

    /// The part of the day named in the arguments.
    pub fn window(&self, args: &Args) -> Option<TimeWindow> {
        args.text(names::WINDOW).and_then(|w| TimeWindow::parse(&w))
    }

    /// The moment a question names by a date, a time and/or a date-time argument. A time without
    /// a date is the next such time (the answer names the day); a date-time with an offset is
    /// that instant.
    pub fn moment(
        &self,
        date: Option<String>,
        time: Option<String>,
        datetime: Option<String>,
    ) -> Result<Moment, Answer> {
        self.resolve(date, time, datetime, false)
    }

    /// The moment a booking or a move names: like [`Self::moment`], but a time without any day
    /// is never taken as the next such time — the answer is `date_required`, a question.
    pub fn moment_to_book(
        &self,
        date: Option<String>,
        time: Option<String>,
        datetime: Option<String>,
    ) -> Result<Moment, Answer> {
        if date.is_none() && time.is_none() && datetime.is_none() {
            return Err(Answer::fail(Status::DateRequired, self.lang, &Msg::DateRequired { time: None }));
        }
        self.resolve(date, time, datetime, true)
    }

    fn resolve(
        &self,
        date: Option<String>,
        time: Option<String>,
        datetime: Option<String>,
        day_required: bool,
    ) -> Result<Moment, Answer> {
        let invalid_date = || Answer::fail(Status::InvalidDate, self.lang, &Msg::InvalidDate);
        let invalid_time = || Answer::fail(Status::InvalidTime, self.lang, &Msg::InvalidTime);
        if let Some(dt) = datetime.as_deref() {
            if let Some(t) = when::parse_instant(dt) {
                return Ok(Moment::At(t));
            }
            let u = when::understand(dt, self.today, Expect::Date).map_err(|_| invalid_date())?;
            self.unambiguous(&u)?;
            return self.combine(u.date, u.time, day_required, invalid_date);
        }
        let from_date = match date.as_deref() {
            Some(d) => Some(when::understand(d, self.today, Expect::Date).map_err(|_| invalid_date())?),
            None => None,
        };
        let from_time = match time.as_deref() {
            Some(t) => Some(when::understand(t, self.today, Expect::Time).map_err(|_| invalid_time())?),
            None => None,
        };
        for u in from_date.iter().chain(from_time.iter()) {
            self.unambiguous(u)?;
        }
        let day = from_date.and_then(|u| u.date).or(from_time.and_then(|u| u.date));
        let time_of_day = from_time.and_then(|u| u.time).or(from_date.and_then(|u| u.time));
        if date.is_some() && day.is_none() {
            return Err(invalid_date());
        }
        if time.is_some() && time_of_day.is_none() {
            return Err(invalid_time());
        }
        self.combine(day, time_of_day, day_required, invalid_date)
    }

    /// A date phrase with two readings ("nächsten Mittwoch" said on a Tuesday) is never resolved
    /// silently: the caller is asked which one (`confirm_date`, both in `candidates`).
    fn unambiguous(&self, u: &when::Understood) -> Result<(), Answer> {
        let (Some(first), Some(second)) = (u.date, u.other) else { return Ok(()) };
        let (a, b) =
            (spoken::dated_day(self.lang, first, self.today), spoken::dated_day(self.lang, second, self.today));
        let msg = Msg::ConfirmDate { first: &a, second: &b };
        let candidates: Vec<Value> =
            [first, second].iter().map(|d| json!({"date": d.to_string(), "spoken": self.day(*d).end()})).collect();
        Err(Answer::fail(Status::ConfirmDate, self.lang, &msg).with("candidates", candidates))
    }

    fn combine(
        &self,
        day: Option<Date>,
        time: Option<TimeOfDay>,
        day_required: bool,
        invalid: impl Fn() -> Answer,
    ) -> Result<Moment, Answer> {
        let nonexistent = || Answer::fail(Status::InvalidTime, self.lang, &Msg::NonexistentTime);
        match (day, time) {
            (Some(date), Some(TimeOfDay::At(t))) => {
                when::local_instant(date, t, self.tz()).map(Moment::At).ok_or_else(nonexistent)
            }
            (Some(date), Some(TimeOfDay::Window(w))) => Ok(Moment::Day { date, window: Some(w) }),
            (Some(date), None) => Ok(Moment::Day { date, window: None }),
            (None, Some(TimeOfDay::At(t))) if day_required => {
                let time = spoken::time(self.lang, t);
                Err(Answer::fail(Status::DateRequired, self.lang, &Msg::DateRequired { time: Some(&time) }))
            }
            (None, Some(TimeOfDay::At(t))) => {
                when::next_occurrence(t, self.now, self.tz()).map(Moment::At).ok_or_else(nonexistent)
            }
            (None, Some(TimeOfDay::Window(_))) if day_required => {
                Err(Answer::fail(Status::DateRequired, self.lang, &Msg::DateRequired { time: None }))
            }
            (None, Some(TimeOfDay::Window(_))) => {
                Err(Answer::fail(Status::MissingArgument, self.lang, &Msg::Missing(Missing::Date)))
            }
            (None, None) => Err(invalid()),
        }
    }

    /// Why a start outside working hours cannot be booked: before opening, past closing, in the
    /// break, or nobody (or not the staff member asked for) works then.
    fn outside_hours(&self, requested: Timestamp, service: &Service, staff: Option<&Staff>) -> Outside {
        let local = requested.to_zoned(self.tz().clone());
        let start = u32::from(frontdesk_domain::time::ClockTime::from_time(local.time()).minutes());
        let end = start + service.def.duration();
        let hours = self.branch.def.hours.day(local.date().weekday());
        let minutes = |t: frontdesk_domain::time::ClockTime| u32::from(t.minutes());
        let said = |t| spoken::time(self.lang, t);
        match (hours.intervals().first(), hours.intervals().last()) {
            (Some(first), _) if start < minutes(first.open()) => Outside::BeforeOpening(said(first.open())),
            (_, Some(last)) if end > minutes(last.close()) => Outside::AfterClosing(said(last.close())),
            _ if !hours.intervals().iter().any(|iv| minutes(iv.open()) <= start && end <= minutes(iv.close())) => {
                Outside::Break
            }
            _ => staff.map_or(Outside::Nobody, |s| Outside::StaffAway(s.def.name.clone())),
        }
    }

    /// The answer of a dry-run (`confirm: false`): the slot waits for confirmation, or the refusal.
    pub fn dry_run(&self, check: Check, start: Timestamp, service: &Service, staff: Option<&Staff>) -> Answer {
        match check {
            Check::Free(slot) => {
                let when = self.when(slot.start);
                let msg = Msg::AwaitingConfirmation { service: &service.def.name, when: &when };
                Answer::ok(Status::AwaitingConfirmation, self.lang, &msg).with("slot", self.slot_json(&slot))
            }
            Check::Refused { refusal, alternatives } => {
                self.refusal(refusal, Attempt::Ask, start, (service, staff), &alternatives)
            }
        }
    }

    /// The answer for a refusal of the engine, with alternatives where they make sense. The
    /// status comes from the one table, [`booking::outward`]; the sentence says why.
    pub fn refusal(
        &self,
        refusal: Refusal,
        attempt: Attempt,
        requested: Timestamp,
        (service, staff): (&Service, Option<&Staff>),
        alternatives: &[Slot],
    ) -> Answer {
        let booking::Outward { status, success, .. } = booking::outward(refusal, attempt);
        let asked_day = self.local_date(requested);
        let said = self.speak_slots(alternatives, Some(asked_day));
        let elsewhere = self.speak_slots(alternatives, None);
        let when = self.when(requested);
        let day = self.day(asked_day);
        let notice = spoken::duration(self.lang, service.def.minimum_notice);
        let outside = self.outside_hours(requested, service, staff);
        let msg = match refusal {
            Refusal::PastTime => Msg::PastTime,
            Refusal::BeyondWindow => Msg::OutsideBookingWindow { days: service.def.booking_window_days },
            Refusal::Closed => Msg::ClosedOn { day: &day, alternatives: &elsewhere },
            Refusal::TooSoon => Msg::TooSoon { when: &when, notice: &notice, alternatives: &said },
            Refusal::Taken if attempt == Attempt::Book => Msg::SlotTaken { when: &when, alternatives: &said },
            Refusal::Taken => Msg::Unavailable { when: &when, why: Why::Taken, alternatives: &said },
            Refusal::OutsideHours => Msg::Unavailable { when: &when, why: outside.why(), alternatives: &said },
        };
        let answer = if success { Answer::ok(status, self.lang, &msg) } else { Answer::fail(status, self.lang, &msg) };
        match refusal {
            // Nothing to offer instead of a past time or one beyond the window.
            Refusal::PastTime | Refusal::BeyondWindow => answer,
            _ => answer.with("alternatives", alternatives.iter().map(|s| self.slot_json(s)).collect::<Vec<_>>()),
        }
    }
}
