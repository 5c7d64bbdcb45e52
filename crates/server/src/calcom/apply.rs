//! Applying what Cal.com says about a booking — from a webhook or the catch-up pull — to
//! frontdesk's calendar.
//!
//! - A booking frontdesk made (its metadata names our appointment, or its uid is linked) is an
//!   echo: it is linked, never duplicated. Moved or cancelled in Cal.com, our appointment follows.
//! - A booking made directly in Cal.com becomes a busy block for the mapped staff member, so
//!   availability respects it; cancelled, the block is released; rescheduled, it moves.
//!
//! Applying the same state twice changes nothing.

use crate::notify::{self, Change};
use frontdesk_calcom::wire::Booking;
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::ids::AppointmentId;
use frontdesk_domain::records::{Appointment, AppointmentStatus};
use frontdesk_domain::time::TimeRange;
use frontdesk_store::model::Cancellation;
use frontdesk_store::{StoreError, StoreTx};
use jiff::Timestamp;

use crate::booking;

/// What applying a booking did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Something changed, or was confirmed.
    Done(&'static str),
    /// Nothing to do, and why.
    Ignored(String),
    /// It could not be applied, and why.
    Failed(String),
}

/// Applies the current state of `booking`.
pub async fn booking_state(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    booking: &Booking,
    now: Timestamp,
) -> Result<Applied, StoreError> {
    if let Some(appointment) = ours(tx, company, booking).await? {
        return our_booking(tx, company, booking, appointment, now).await;
    }
    let id = company.company.id;
    if booking.is_cancelled() {
        let released = tx.release_busy_block(id, &booking.uid, now).await?;
        return Ok(if released {
            Applied::Done("busy time released")
        } else {
            Applied::Ignored("no busy time held for this booking".into())
        });
    }
    let Some(link) = &company.calcom else { return Ok(Applied::Ignored("the company has no Cal.com link".into())) };
    // The host's user, or else the staff member whose own event type was booked.
    let by_event_type = booking.event_type_id.and_then(|e| link.staff_service_of_event_type(e)).map(|(s, _)| s);
    let Some(staff) = booking.host_id.and_then(|host| link.staff_of_user(host)).or(by_event_type) else {
        return Ok(Applied::Ignored(format!("no staff member is linked to Cal.com user {:?}", booking.host_id)));
    };
    let range = match (booking.start, booking.end) {
        (Some(s), Some(e)) => match TimeRange::new(s, e) {
            Ok(range) => range,
            Err(error) => return Ok(Applied::Failed(format!("the booking's times are unusable: {error}"))),
        },
        _ => return Ok(Applied::Failed("the booking has no start and end".into())),
    };
    if let Some(previous) = &booking.rescheduled_from {
        tx.release_busy_block(id, previous, now).await?;
    }
    tx.upsert_busy_block(id, staff, range, &booking.uid, now).await?;
    Ok(Applied::Done("busy time blocked"))
}

/// The appointment a booking mirrors: by our metadata, by its uid, or by the uid it was moved from.
async fn ours(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    booking: &Booking,
) -> Result<Option<Appointment>, StoreError> {
    let id = company.company.id;
    if let Some(appointment) = booking.appointment_id() {
        return tx.appointment(id, AppointmentId(appointment)).await;
    }
    if let Some(a) = tx.appointment_by_calcom_uid(id, &booking.uid).await? {
        return Ok(Some(a));
    }
    match &booking.rescheduled_from {
        Some(previous) => tx.appointment_by_calcom_uid(id, previous).await,
        None => Ok(None),
    }
}

async fn our_booking(
    tx: &mut dyn StoreTx,
    company: &CompanyEntry,
    booking: &Booking,
    appointment: Appointment,
    now: Timestamp,
) -> Result<Applied, StoreError> {
    let id = company.company.id;
    let linked_here = appointment.calcom_uid.as_deref() == Some(booking.uid.as_str());
    if booking.is_cancelled() {
        // A booking replaced by a reschedule, or one no longer linked, says nothing about ours.
        if booking.rescheduled_to.is_some() || !linked_here || appointment.status != AppointmentStatus::Booked {
            return Ok(Applied::Done("our own booking; nothing to change"));
        }
        let change = Cancellation { at: now, reason: Some("cancelled in Cal.com".into()), fee: None, call_id: None };
        let cancelled = tx.cancel(id, appointment.id, &change).await?;
        notify::appointment_changed(tx, company, &cancelled, None, Change::Cancelled, now).await?;
        return Ok(Applied::Done("appointment cancelled in Cal.com"));
    }
    let successor = appointment.calcom_uid.is_none()
        || booking.rescheduled_from.as_deref().is_some_and(|from| appointment.calcom_uid.as_deref() == Some(from));
    if !linked_here && !successor {
        return Ok(Applied::Ignored(format!("appointment {} is linked to another Cal.com booking", appointment.id)));
    }
    if !linked_here {
        tx.set_calcom_uid(id, appointment.id, Some(&booking.uid)).await?;
    }
    let Some(start) = booking.start else { return Ok(Applied::Done("our own booking linked")) };
    if start == appointment.range.start() || appointment.status != AppointmentStatus::Booked {
        return Ok(Applied::Done("our own booking linked"));
    }
    // Moved in Cal.com: move it here too, by the same staff member, if the time is free here.
    let Some(engine) = booking::engine(company, appointment.branch_id, appointment.service_id, None, now) else {
        return Ok(Applied::Failed("the appointment's service or branch no longer exists".into()));
    };
    let slot = engine.slot(start, appointment.staff_id);
    match tx.reschedule(id, appointment.id, &slot, now, None).await? {
        Ok(moved) => {
            let change = Change::Moved { previous_start: appointment.range.start() };
            notify::appointment_changed(tx, company, &moved, None, change, now).await?;
            Ok(Applied::Done("appointment moved in Cal.com"))
        }
        Err(_) => Ok(Applied::Failed(format!(
            "Cal.com moved appointment {} to {start}, but that time is taken here",
            appointment.id
        ))),
    }
}
