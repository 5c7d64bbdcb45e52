//! Cancellation and rescheduling decisions: pure functions of the policy, the appointment's start,
//! now, and what the customer did before.

use jiff::{SignedDuration, Timestamp};

use crate::money::Cents;
use crate::tenant::{CancellationPolicy, ReschedulePolicy};

/// How far back cancellations count against the monthly quota.
pub const QUOTA_PERIOD: SignedDuration = SignedDuration::from_hours(30 * 24);

/// Why a change is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenialReason {
    /// Less notice than the policy requires.
    DeadlineMissed,
    /// Too many cancellations in the last 30 days.
    QuotaExceeded,
    /// The appointment was moved too often already.
    MaxReschedulesReached,
}

impl DenialReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeadlineMissed => "deadline_missed",
            Self::QuotaExceeded => "quota_exceeded",
            Self::MaxReschedulesReached => "max_reschedules_reached",
        }
    }
}

/// The verdict on a cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelDecision {
    /// Cancel; charge `fee` if given (a late cancellation whose fee the caller accepted).
    Allowed {
        /// The late fee, if one applies.
        fee: Option<Cents>,
    },
    /// Refuse. `fee` quotes the late fee when paying it would allow the cancellation.
    Denied {
        /// Why.
        reason: DenialReason,
        /// The fee that would make it possible.
        fee: Option<Cents>,
    },
}

/// Decides a cancellation of an appointment starting at `start`, requested at `now`, by a customer
/// with `recent_cancellations` within [`QUOTA_PERIOD`]. A late cancellation is allowed only when
/// the policy has a fee and the caller accepted it.
pub fn decide_cancel(
    policy: &CancellationPolicy,
    start: Timestamp,
    now: Timestamp,
    recent_cancellations: u32,
    fee_accepted: bool,
) -> CancelDecision {
    if policy.max_per_month.is_some_and(|max| recent_cancellations >= max) {
        return CancelDecision::Denied { reason: DenialReason::QuotaExceeded, fee: None };
    }
    let late = start < now + SignedDuration::from_hours(i64::from(policy.min_notice_hours));
    match (late, policy.late_fee) {
        (false, _) => CancelDecision::Allowed { fee: None },
        (true, Some(fee)) if fee_accepted => CancelDecision::Allowed { fee: Some(fee) },
        (true, fee) => CancelDecision::Denied { reason: DenialReason::DeadlineMissed, fee },
    }
}

/// Decides moving an appointment starting at `start` that was moved `times_moved` times already.
pub fn decide_reschedule(
    policy: &ReschedulePolicy,
    start: Timestamp,
    now: Timestamp,
    times_moved: u32,
) -> Result<(), DenialReason> {
    if policy.max_per_appointment.is_some_and(|max| times_moved >= max) {
        return Err(DenialReason::MaxReschedulesReached);
    }
    if start < now + SignedDuration::from_hours(i64::from(policy.min_notice_hours)) {
        return Err(DenialReason::DeadlineMissed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const SALON: CancellationPolicy =
        CancellationPolicy { min_notice_hours: 24, max_per_month: Some(3), late_fee: Some(Cents(1500)) };

    #[test]
    fn cancellation() {
        let start = t("2026-03-12T10:00:00Z");
        let early = t("2026-03-11T09:00:00Z");
        let late = t("2026-03-11T11:00:00Z");
        assert_eq!(decide_cancel(&SALON, start, early, 0, false), CancelDecision::Allowed { fee: None });
        assert_eq!(
            decide_cancel(&SALON, start, late, 0, false),
            CancelDecision::Denied { reason: DenialReason::DeadlineMissed, fee: Some(Cents(1500)) }
        );
        assert_eq!(decide_cancel(&SALON, start, late, 0, true), CancelDecision::Allowed { fee: Some(Cents(1500)) });
        assert_eq!(
            decide_cancel(&SALON, start, early, 3, false),
            CancelDecision::Denied { reason: DenialReason::QuotaExceeded, fee: None }
        );
        let no_fee = CancellationPolicy { late_fee: None, ..SALON };
        assert_eq!(
            decide_cancel(&no_fee, start, late, 0, true),
            CancelDecision::Denied { reason: DenialReason::DeadlineMissed, fee: None }
        );
        // Exactly at the deadline is in time.
        assert_eq!(
            decide_cancel(&SALON, start, t("2026-03-11T10:00:00Z"), 0, false),
            CancelDecision::Allowed { fee: None }
        );
    }

    #[test]
    fn rescheduling() {
        let policy = ReschedulePolicy { min_notice_hours: 12, max_per_appointment: Some(2) };
        let start = t("2026-03-12T10:00:00Z");
        assert_eq!(decide_reschedule(&policy, start, t("2026-03-11T10:00:00Z"), 1), Ok(()));
        assert_eq!(decide_reschedule(&policy, start, t("2026-03-11T23:00:00Z"), 0), Err(DenialReason::DeadlineMissed));
        assert_eq!(
            decide_reschedule(&policy, start, t("2026-03-10T10:00:00Z"), 2),
            Err(DenialReason::MaxReschedulesReached)
        );
    }
}
