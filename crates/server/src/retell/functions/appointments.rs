//! Booking, listing, cancelling and moving appointments, and callback requests. The functions
//! with side effects run inside the transaction that also holds their idempotency record (I4).

use frontdesk_domain::ids::{AppointmentId, CallId, CustomerId};
use frontdesk_domain::language::catalogue::{Confirmation, Missing, Msg};
use frontdesk_domain::language::spoken;
use frontdesk_domain::phone::E164;
use frontdesk_domain::policy::DenialReason;
use frontdesk_domain::records::{Appointment, AppointmentSource, AppointmentStatus, Customer};
use frontdesk_domain::tenant::Email;
use frontdesk_retell::status::Status;
use frontdesk_store::model::{NewCallback, NewCustomer};
use frontdesk_store::{StoreError, StoreTx};
use serde_json::{Value, json};

use super::answer::Answer;
use super::args::{Args, names};
use super::context::{Ctx, Moment};
use crate::booking::{
    self, Attempt, Authority, BookOutcome, BookRequest, BusyFrom, CancelOutcome, CancelRequest, Probe,
    RescheduleOutcome, RescheduleRequest,
};
use crate::notify;

/// A phone number the caller gave, read in the company's region; `None` if absent or unusable.
fn given_phone(ctx: &Ctx<'_>, args: &Args) -> Option<E164> {
    let raw = args.text(names::PHONE)?;
    E164::parse_lenient(&raw, Some(ctx.company.company.def.locale.phone_region())).ok()
}

/// What a side effect did: its answer and, for a booking, the customer the call now belongs to
/// (a first-time caller has just become one).
pub struct Effected {
    /// The answer.
    pub answer: Answer,
    /// The customer to link the call to.
    pub customer: Option<CustomerId>,
}

impl From<Answer> for Effected {
    fn from(answer: Answer) -> Self {
        Effected { answer, customer: None }
    }
}

/// Where the written notice of a booking, move or cancellation goes, as the caller is told (the
/// address spelled so that it can be corrected) and as the answer's `confirmation` says. The
/// same rule as the notification outbox's: e-mail if an address is known, else a text message
/// to a mobile number where the company sends those.
struct Notice {
    spelled: Option<String>,
    sms: bool,
    json: Value,
}

impl Notice {
    fn of(ctx: &Ctx<'_>, customer: Option<&Customer>) -> Notice {
        let email = customer.and_then(|c| c.email.as_ref());
        let mobile = customer.and_then(|c| c.phone.as_ref()).is_some_and(|p| p.is_mobile());
        match email {
            Some(email) => Notice {
                spelled: Some(spoken::spell_email(ctx.lang, email.as_str())),
                sms: false,
                json: json!({"channel": "email", "address": email.as_str()}),
            },
            None if mobile && ctx.company.company.def.notifications.sms => {
                Notice { spelled: None, sms: true, json: json!({"channel": "sms"}) }
            }
            None => Notice { spelled: None, sms: false, json: Value::Null },
        }
    }

    fn said(&self) -> Confirmation<'_> {
        match (&self.spelled, self.sms) {
            (Some(spelled), _) => Confirmation::Email(spelled),
            (None, true) => Confirmation::Sms,
            (None, false) => Confirmation::None,
        }
    }
}

/// `book_appointment`.
pub async fn book(ctx: &Ctx<'_>, tx: &mut dyn StoreTx, call: CallId, args: &Args) -> Result<Effected, StoreError> {
    let (service, staff) = match ctx.service_and_staff(args) {
        Ok(found) => found,
        Err(answer) => return Ok(answer.into()),
    };
    let (date, time, datetime) = (args.text(names::DATE), args.text(names::TIME), args.text(names::DATETIME));
    let start = match ctx.moment_to_book(date, time, datetime) {
        Ok(Moment::At(t)) => t,
        Ok(Moment::Day { .. }) => {
            return Ok(Answer::fail(Status::MissingArgument, ctx.lang, &Msg::Missing(Missing::Time)).into());
        }
        Err(answer) => return Ok(answer.into()),
    };
    // For another person (a parent booking for a child), that person's name must be given; the
    // customer stays the caller, and the name goes into the notes.
    let another_person = args.flag(names::ANOTHER_PERSON) == Some(true);
    let given = args.text(names::NAME);
    let name = if another_person { given.clone() } else { given.clone().or_else(|| ctx.customer_name()) };
    let Some(name) = name else {
        return Ok(Answer::fail(Status::CustomerNameRequired, ctx.lang, &Msg::NameRequired).into());
    };
    // An address that does not parse is asked for again, never dropped: the caller believes a
    // confirmation is coming.
    let email = match args.text(names::EMAIL) {
        Some(raw) => match Email::parse(&raw) {
            Some(email) => Some(email),
            None => return Ok(Answer::fail(Status::EmailInvalid, ctx.lang, &Msg::EmailInvalid).into()),
        },
        None => None,
    };
    let phone = given_phone(ctx, args).or_else(|| ctx.caller.number().cloned());
    let policies = ctx.company.policies(Some(ctx.branch), Some(service));
    if ctx.caller.is_anonymous() && !policies.anonymous.may_book && phone.is_none() {
        return Ok(Answer::fail(Status::AnonymousNotAllowed, ctx.lang, &Msg::AnonymousMayNotBook).into());
    }
    let window = ctx.window(args);

    if args.flag(names::CONFIRM) == Some(false) {
        let engine = booking::engine_for(ctx.company, ctx.branch, service, staff, ctx.now);
        let mut busy = BusyFrom::Tx(tx);
        if let (Some(customer), false) = (&ctx.customer, another_person) {
            let range = booking::requested_range(ctx.company, service.id, start)?;
            if let Some(existing) = busy.own_overlap(ctx.company, customer.id, range, None).await? {
                return Ok(ctx.already_booked(&existing, false).into());
            }
        }
        let check = booking::check(&mut busy, ctx.company, &engine, &Probe::at(start, window)).await?;
        return Ok(ctx.dry_run(check, start, service, staff).into());
    }

    let notes = args.text(names::NOTES);
    // A salutation the caller gave is theirs; for another person's appointment it is not kept.
    let salutation = args.text(names::SALUTATION).filter(|s| !another_person && s.chars().count() <= 20);
    let (customer_name, notes) = if another_person {
        let attendee = Msg::AppointmentFor { name: &name };
        let attendee = frontdesk_domain::language::catalogue::say(ctx.lang, &attendee);
        (None, Some(notes.map_or_else(|| attendee.clone(), |n| format!("{attendee}. {n}"))))
    } else {
        (Some(name), notes)
    };
    let request = BookRequest {
        branch: ctx.branch.id,
        service: service.id,
        staff: staff.map(|s| s.id),
        start,
        customer: NewCustomer { name: customer_name, salutation, phone, email },
        source: AppointmentSource::Phone,
        call_id: Some(call),
        notes,
        window,
        another_person,
    };
    match booking::book(tx, ctx.company, &request, ctx.now).await? {
        BookOutcome::Booked { appointment, customer } => {
            let when = ctx.when(appointment.range.start());
            let staff_name = ctx.staff_name(appointment.staff_id);
            let notice = Notice::of(ctx, Some(&customer));
            let confirmation = notice.said();
            let msg = Msg::Booked { service: &service.def.name, when: &when, staff: &staff_name, confirmation };
            let answer = Answer::ok(Status::Booked, ctx.lang, &msg)
                .with("appointment", ctx.appointment_json(&appointment))
                .with("confirmation", notice.json);
            Ok(Effected { answer, customer: Some(customer.id) })
        }
        BookOutcome::Unavailable { refusal, alternatives } => {
            Ok(ctx.refusal(refusal, Attempt::Book, start, (service, staff), &alternatives).into())
        }
        BookOutcome::AlreadyBooked { existing } => Ok(ctx.already_booked(&existing, false).into()),
    }
}

/// The appointments the caller may see and change: a known caller's own; an anonymous caller's
/// booked in this call.
async fn visible(
    ctx: &Ctx<'_>,
    tx: Option<&mut dyn StoreTx>,
    call: Option<CallId>,
) -> Result<Vec<Appointment>, StoreError> {
    let company = ctx.company.company.id;
    let mut list = match (&ctx.customer, ctx.caller.is_anonymous(), tx) {
        (_, true, Some(tx)) => match call {
            Some(c) => tx.appointments_of_call(company, c).await?,
            None => Vec::new(),
        },
        (_, true, None) => match ctx.state.store().call(ctx.external_id.as_str()).await? {
            Some(c) => ctx.state.store().appointments_of_call(company, c.id).await?,
            None => Vec::new(),
        },
        (Some(customer), false, Some(tx)) => tx.customer_appointments(company, customer.id, ctx.now).await?,
        (Some(customer), false, None) => ctx.state.store().customer_appointments(company, customer.id, ctx.now).await?,
        (None, false, _) => Vec::new(),
    };
    list.retain(|a| a.status == AppointmentStatus::Booked && a.range.end() > ctx.now);
    Ok(list)
}

/// `get_customer_appointments`.
pub async fn list(ctx: &Ctx<'_>, args: &Args) -> Result<Answer, StoreError> {
    let mut appointments = visible(ctx, None, None).await?;
    if let Some(raw) = args.text(names::DATE) {
        let Ok(moment) = ctx.moment(Some(raw), None, None) else {
            return Ok(Answer::fail(Status::InvalidDate, ctx.lang, &Msg::InvalidDate));
        };
        if let Moment::Day { date, .. } = moment {
            let on_day = |a: &Appointment| a.range.start().to_zoned(ctx.tz().clone()).date() == date;
            if !ctx.caller.is_anonymous() && !appointments.iter().any(on_day) {
                // Nothing that day: say so, and name the next one after it rather than "none".
                let later = appointments.iter().find(|a| a.range.start().to_zoned(ctx.tz().clone()).date() > date);
                let said_day = ctx.day(date);
                let next = later.map(|a| ctx.speak_appointment(a));
                let msg = Msg::NoAppointmentsOn { day: &said_day, next: next.as_deref() };
                let json: Vec<Value> = later.iter().map(|a| ctx.appointment_json(a)).collect();
                return Ok(Answer::ok(Status::None, ctx.lang, &msg)
                    .with("appointments", Vec::<Value>::new())
                    .with("next_appointment", json.into_iter().next()));
            }
            appointments.retain(on_day);
        }
    }
    if appointments.is_empty() {
        let (status, msg) = if ctx.caller.is_anonymous() {
            (Status::Anonymous, Msg::AnonymousAppointments)
        } else {
            (Status::None, Msg::NoAppointments)
        };
        return Ok(Answer::ok(status, ctx.lang, &msg).with("appointments", Vec::<Value>::new()));
    }
    let list = ctx.speak_appointments(&appointments, spoken::and_list);
    let json: Vec<Value> = appointments.iter().map(|a| ctx.appointment_json(a)).collect();
    Ok(Answer::ok(Status::Found, ctx.lang, &Msg::AppointmentsFound { list: &list, count: appointments.len() })
        .with("appointments", json))
}

/// Which of the caller's appointments the arguments point at.
enum Pick {
    One(Appointment),
    Answer(Answer),
}

async fn pick(
    ctx: &Ctx<'_>,
    tx: &mut dyn StoreTx,
    call: CallId,
    args: &Args,
    date_names: &[&str],
    time_names: &[&str],
) -> Result<Pick, StoreError> {
    let candidates = visible(ctx, Some(tx), Some(call)).await?;
    let mut matching: Vec<Appointment> = if let Some(raw) = args.text(names::APPOINTMENT) {
        let id = raw.trim().trim_start_matches('#').parse::<i64>().ok().map(AppointmentId);
        candidates.into_iter().filter(|a| Some(a.id) == id).collect()
    } else if args.text(date_names).is_some() || args.text(time_names).is_some() {
        match ctx.moment(args.text(date_names), args.text(time_names), None) {
            Ok(Moment::At(t)) => candidates.into_iter().filter(|a| a.range.start() == t).collect(),
            Ok(Moment::Day { date, window }) => candidates
                .into_iter()
                .filter(|a| {
                    let local = a.range.start().to_zoned(ctx.tz().clone());
                    local.date() == date
                        && window.is_none_or(|w| w.contains(frontdesk_domain::time::ClockTime::from_time(local.time())))
                })
                .collect(),
            Err(answer) => return Ok(Pick::Answer(answer)),
        }
    } else {
        candidates
    };
    Ok(match matching.len() {
        0 => Pick::Answer(Answer::fail(Status::NotFound, ctx.lang, &Msg::AppointmentNotFound)),
        1 => Pick::One(matching.remove(0)),
        _ => {
            let list = ctx.speak_appointments(&matching, spoken::or_list);
            let json: Vec<Value> = matching.iter().map(|a| ctx.appointment_json(a)).collect();
            Pick::Answer(
                Answer::fail(Status::MultipleFound, ctx.lang, &Msg::MultipleFound { list: &list })
                    .with("appointments", json),
            )
        }
    })
}

/// Refuses a change by an anonymous caller whose company does not allow it. A call back is
/// noted only to a number the caller gave (`phone`); without one, it is offered and the number
/// asked for — a call back nobody can return is never promised.
async fn refuse_anonymous(
    ctx: &Ctx<'_>,
    tx: &mut dyn StoreTx,
    call: CallId,
    args: &Args,
    what: &str,
) -> Result<Answer, StoreError> {
    let Some(phone) = given_phone(ctx, args) else {
        return Ok(Answer::fail(Status::AnonymousNotAllowed, ctx.lang, &Msg::AnonymousMayNotChange));
    };
    let callback = tx
        .insert_callback(&NewCallback {
            company_id: ctx.company.company.id,
            branch_id: Some(ctx.branch.id),
            call_id: Some(call),
            customer_id: None,
            name: args.text(names::NAME),
            phone: Some(phone),
            reason: Some(args.text(names::REASON).map_or_else(|| what.to_owned(), |r| format!("{what}: {r}"))),
            preferred_time: args.text(names::PREFERRED_TIME),
            at: ctx.now,
        })
        .await?;
    notify::callback_requested(tx, ctx.company, &callback, ctx.now).await?;
    Ok(Answer::fail(Status::AnonymousNotAllowed, ctx.lang, &Msg::AnonymousCallbackNoted)
        .with("callback_id", callback.id.0))
}

/// `cancel_appointment`.
pub async fn cancel(ctx: &Ctx<'_>, tx: &mut dyn StoreTx, call: CallId, args: &Args) -> Result<Answer, StoreError> {
    let policies = ctx.company.policies(Some(ctx.branch), None);
    if ctx.caller.is_anonymous() && !policies.anonymous.may_cancel {
        return refuse_anonymous(ctx, tx, call, args, "cancel an appointment").await;
    }
    let appointment = match pick(ctx, tx, call, args, names::DATE, names::TIME).await? {
        Pick::One(a) => a,
        Pick::Answer(answer) => return Ok(answer),
    };
    let allowed = appointment.id;
    let request = CancelRequest {
        id: appointment.id,
        reason: args.text(names::REASON),
        fee_accepted: args.flag(names::ACCEPT_FEE).unwrap_or(false),
        call_id: Some(call),
        authority: Authority::Caller,
    };
    let currency = ctx.company.company.def.currency;
    Ok(match booking::cancel(tx, ctx.company, request, |a| a.id == allowed, ctx.now).await? {
        CancelOutcome::Cancelled { appointment, fee, .. } => {
            let what = ctx.speak_appointment(&appointment);
            let fee_said = fee.map(|f| spoken::money(ctx.lang, f, currency));
            let customer = tx.customer(ctx.company.company.id, appointment.customer_id).await?;
            let notice = Notice::of(ctx, customer.as_ref());
            let msg = Msg::Cancelled { what: &what, fee: fee_said.as_deref(), notice: notice.said() };
            Answer::ok(Status::Cancelled, ctx.lang, &msg)
                .with("appointment", ctx.appointment_json(&appointment))
                .with("fee", fee.map(|f| json!({"cents": f.0, "spoken": fee_said})))
                .with("confirmation", notice.json)
        }
        CancelOutcome::Denied { reason, fee, appointment } => {
            let notice: String;
            let fee_said = fee.map(|f| spoken::money(ctx.lang, f, currency));
            let msg = match reason {
                DenialReason::QuotaExceeded => Msg::CancelQuotaExceeded,
                _ => {
                    let hours = ctx
                        .company
                        .policies(
                            ctx.company.branch(appointment.branch_id),
                            ctx.company.service(appointment.service_id),
                        )
                        .cancellation
                        .min_notice_hours;
                    notice = spoken::duration(ctx.lang, hours * 60);
                    Msg::CancelTooLate { notice: &notice, fee: fee_said.as_deref() }
                }
            };
            Answer::fail(Status::Denied, ctx.lang, &msg)
                .with("reason", reason.as_str())
                .with("fee", fee.map(|f| json!({"cents": f.0, "spoken": fee_said})))
                .with("appointment", ctx.appointment_json(&appointment))
        }
        CancelOutcome::NotFound => Answer::fail(Status::NotFound, ctx.lang, &Msg::AppointmentNotFound),
    })
}

/// `reschedule_appointment`.
pub async fn reschedule(ctx: &Ctx<'_>, tx: &mut dyn StoreTx, call: CallId, args: &Args) -> Result<Answer, StoreError> {
    let policies = ctx.company.policies(Some(ctx.branch), None);
    if ctx.caller.is_anonymous() && !policies.anonymous.may_reschedule {
        return refuse_anonymous(ctx, tx, call, args, "move an appointment").await;
    }
    let (new_date, new_time) = (args.text(names::NEW_DATE), args.text(names::NEW_TIME));
    if new_date.is_none() && new_time.is_none() {
        return Ok(Answer::fail(Status::NeedsNewTime, ctx.lang, &Msg::NeedsNewTime));
    }
    let new_start = match ctx.moment_to_book(new_date, new_time, None) {
        Ok(Moment::At(t)) => t,
        Ok(Moment::Day { .. }) => return Ok(Answer::fail(Status::NeedsNewTime, ctx.lang, &Msg::NeedsNewTime)),
        Err(answer) => return Ok(answer),
    };
    let appointment = match pick(ctx, tx, call, args, names::OLD_DATE, names::OLD_TIME).await? {
        Pick::One(a) => a,
        Pick::Answer(answer) => return Ok(answer),
    };
    // The service (or branch) was withdrawn since the booking: it is no longer offered.
    let Some(service) = ctx.company.service(appointment.service_id) else { return Ok(ctx.services_offered()) };
    if args.flag(names::CONFIRM) == Some(false) {
        let Some(engine) = booking::engine(ctx.company, appointment.branch_id, service.id, None, ctx.now) else {
            return Ok(ctx.services_offered());
        };
        let probe = Probe {
            start: new_start,
            window: ctx.window(args),
            prefer: Some(appointment.staff_id),
            ignoring: Some(appointment.id),
        };
        let mut busy = BusyFrom::Tx(tx);
        let range = booking::requested_range(ctx.company, service.id, new_start)?;
        let own = busy.own_overlap(ctx.company, appointment.customer_id, range, Some(appointment.id)).await?;
        if let Some(existing) = own {
            return Ok(ctx.already_booked(&existing, false));
        }
        let check = booking::check(&mut busy, ctx.company, &engine, &probe).await?;
        return Ok(ctx.dry_run(check, new_start, service, None));
    }
    let allowed = appointment.id;
    let request = RescheduleRequest {
        id: appointment.id,
        new_start,
        window: ctx.window(args),
        call_id: Some(call),
        authority: Authority::Caller,
        staff: None,
    };
    Ok(match booking::reschedule(tx, ctx.company, request, |a| a.id == allowed, ctx.now).await? {
        RescheduleOutcome::Rescheduled { appointment, .. } => {
            let when = ctx.when(appointment.range.start());
            let customer = tx.customer(ctx.company.company.id, appointment.customer_id).await?;
            let notice = Notice::of(ctx, customer.as_ref());
            let msg = Msg::Rescheduled { service: &service.def.name, when: &when, notice: notice.said() };
            Answer::ok(Status::Rescheduled, ctx.lang, &msg)
                .with("appointment", ctx.appointment_json(&appointment))
                .with("confirmation", notice.json)
        }
        RescheduleOutcome::Unavailable { refusal, alternatives } => {
            ctx.refusal(refusal, Attempt::Move, new_start, (service, None), &alternatives)
        }
        RescheduleOutcome::Denied { reason, appointment } => {
            let hours = ctx
                .company
                .policies(ctx.company.branch(appointment.branch_id), Some(service))
                .reschedule
                .min_notice_hours;
            let notice = spoken::duration(ctx.lang, hours * 60);
            let msg = match reason {
                DenialReason::MaxReschedulesReached => Msg::RescheduleLimit,
                _ => Msg::RescheduleTooLate { notice: &notice },
            };
            Answer::fail(Status::Denied, ctx.lang, &msg)
                .with("reason", reason.as_str())
                .with("appointment", ctx.appointment_json(&appointment))
        }
        RescheduleOutcome::AlreadyBooked { existing } => ctx.already_booked(&existing, false),
        RescheduleOutcome::NotFound => Answer::fail(Status::NotFound, ctx.lang, &Msg::AppointmentNotFound),
    })
}

/// `request_callback`.
pub async fn request_callback(
    ctx: &Ctx<'_>,
    tx: &mut dyn StoreTx,
    call: CallId,
    args: &Args,
) -> Result<Answer, StoreError> {
    let phone = given_phone(ctx, args).or_else(|| ctx.caller.number().cloned());
    if phone.is_none() {
        return Ok(Answer::fail(Status::PhoneRequired, ctx.lang, &Msg::PhoneRequired));
    }
    let callback = tx
        .insert_callback(&NewCallback {
            company_id: ctx.company.company.id,
            branch_id: Some(ctx.branch.id),
            call_id: Some(call),
            customer_id: ctx.customer.as_ref().map(|c| c.id),
            name: args.text(names::NAME).or_else(|| ctx.customer.as_ref().and_then(|c| c.name.clone())),
            phone,
            reason: args.text(names::REASON),
            preferred_time: args.text(names::PREFERRED_TIME),
            at: ctx.now,
        })
        .await?;
    notify::callback_requested(tx, ctx.company, &callback, ctx.now).await?;
    Ok(Answer::ok(Status::CallbackRequested, ctx.lang, &Msg::CallbackRequested).with("callback_id", callback.id.0))
}
