//! Writing notifications in the transaction of the change that causes them (I5): a booking,
//! move or cancellation writes its customer's message (and schedules, moves or withdraws the
//! reminder) in the same commit; a callback request writes its branch's alert. What cannot be
//! sent — no address, no mobile number — is not written.

use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::notification::{
    AppointmentFacts, CallbackFacts, Channel, Facts, NotificationKind, calendar_sequence, reminder_due,
};
use frontdesk_domain::records::{Appointment, CallbackRequest, Customer};
use frontdesk_store::model::NewNotification;
use frontdesk_store::{StoreError, StoreTx};
use jiff::Timestamp;

/// What happened to an appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Booked.
    Booked,
    /// Moved from `previous_start`.
    Moved {
        /// The time before.
        previous_start: Timestamp,
    },
    /// Cancelled.
    Cancelled,
}

/// A random identifier: the left part of a `Message-ID`, or an unsubscribe link's secret.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex::encode(bytes)
}

/// How a customer can be reached: by e-mail, else by text message to a mobile number when the
/// company sends those.
fn reach(company: &CompanyEntry, customer: &Customer) -> Option<(Channel, String)> {
    if let Some(email) = &customer.email {
        return Some((Channel::Email, email.as_str().to_owned()));
    }
    let phone = customer.phone.as_ref().filter(|p| company.company.def.notifications.sms && p.is_mobile())?;
    Some((Channel::Sms, phone.as_str().to_owned()))
}

/// Writes what `change` to `appointment` sends its customer. `business_now` is the business
/// clock: the message is due at once, a reminder `reminder_hours` before the start. `known` is
/// the customer when the caller has just read or written them (a booking), so that the hot path
/// does not read them again.
pub async fn appointment_changed(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    appointment: &Appointment,
    known: Option<&Customer>,
    change: Change,
    business_now: Timestamp,
) -> Result<(), StoreError> {
    let company_id = company.company.id;
    if change != Change::Booked {
        tx.withdraw_reminders(company_id, appointment.id, Timestamp::now()).await?;
    }
    let read;
    let customer = match known.filter(|c| c.id == appointment.customer_id) {
        Some(customer) => customer,
        None => match tx.customer(company_id, appointment.customer_id).await? {
            Some(customer) => {
                read = customer;
                &read
            }
            None => return Ok(()),
        },
    };
    let Some((channel, recipient)) = reach(company, customer) else { return Ok(()) };
    let (kind, previous_start) = match change {
        Change::Booked => (NotificationKind::Confirmation, None),
        Change::Moved { previous_start } => (NotificationKind::Moved, Some(previous_start)),
        Change::Cancelled => (NotificationKind::Cancelled, None),
    };
    // The notice says what the time was before a move; the reminder only the time it reminds of.
    let facts = AppointmentFacts::of(appointment, customer.name.clone());
    let notice = Facts::Appointment(AppointmentFacts { previous_start, ..facts.clone() });
    let new = |kind, facts, due_at, token| NewNotification {
        company_id,
        kind,
        channel,
        recipient: recipient.clone(),
        appointment_id: Some(appointment.id),
        customer_id: Some(customer.id),
        callback_id: None,
        sequence: calendar_sequence(appointment),
        message_id: random_id(),
        token,
        facts,
        due_at,
        at: Timestamp::now(),
    };
    tx.enqueue_notification(&new(kind, notice, business_now, None)).await?;
    let hours = company.company.def.notifications.reminder_hours;
    if change != Change::Cancelled
        && let Some(due) = reminder_due(appointment.range.start(), hours, business_now)
    {
        let reminder = Facts::Appointment(facts);
        tx.enqueue_notification(&new(NotificationKind::Reminder, reminder, due, Some(random_id()))).await?;
    }
    Ok(())
}

/// Writes the alert of a new callback request to its branch's contact address (the first
/// branch that has one when the request names none).
pub async fn callback_requested(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    callback: &CallbackRequest,
    business_now: Timestamp,
) -> Result<(), StoreError> {
    let branch = callback.branch_id.and_then(|b| company.branch(b)).filter(|b| b.def.email.is_some());
    let Some(email) =
        branch.or_else(|| company.branches.iter().find(|b| b.def.email.is_some())).and_then(|b| b.def.email.clone())
    else {
        return Ok(());
    };
    let facts = CallbackFacts {
        callback_id: callback.id,
        branch_id: callback.branch_id,
        call_id: callback.call_id,
        phone: callback.phone.as_ref().map(|p| p.as_str().to_owned()),
        name: callback.name.clone(),
        reason: callback.reason.clone(),
        preferred_time: callback.preferred_time.clone(),
        requested_at: callback.created_at,
    };
    let new = NewNotification {
        company_id: company.company.id,
        kind: NotificationKind::CallbackAlert,
        channel: Channel::Email,
        recipient: email.as_str().to_owned(),
        appointment_id: None,
        customer_id: None,
        callback_id: Some(callback.id),
        sequence: 0,
        message_id: random_id(),
        token: None,
        facts: Facts::Callback(facts),
        due_at: business_now,
        at: Timestamp::now(),
    };
    tx.enqueue_notification(&new).await?;
    Ok(())
}
