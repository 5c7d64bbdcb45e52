//! Phone calls and the order-independent merge that keeps them from regressing (invariant I6).
//!
//! Every event about a call — a lifecycle webhook, a function call's embedded snapshot, a
//! reconciliation fetch — is a [`CallFacts`]. The stored record is the *join* of all facts seen:
//! each field only grows (status by rank, transcripts by length, other values by maximum), so the
//! result is the same whatever order the events arrive in and however often each one arrives.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{BranchId, CallId, CompanyId, CustomerId, ExternalCallId};
use crate::money::Cents;

/// Where a call is in its life. The declaration order is the merge order: a call only moves to a
/// later variant, never back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Known to the platform, not yet connected.
    Registered,
    /// In progress.
    Ongoing,
    /// Our verdict for a call the platform no longer knows; real news overrides it.
    Abandoned,
    /// The platform reported an error.
    Error,
    /// Never connected.
    NotConnected,
    /// Finished normally.
    Ended,
}

impl CallStatus {
    /// All statuses, in merge order.
    pub const ALL: [CallStatus; 6] =
        [Self::Registered, Self::Ongoing, Self::Abandoned, Self::Error, Self::NotConnected, Self::Ended];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Ongoing => "ongoing",
            Self::Abandoned => "abandoned",
            Self::Error => "error",
            Self::NotConnected => "not_connected",
            Self::Ended => "ended",
        }
    }

    /// Parses a stored or wire name; unknown platform values are `None`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the call is over (nothing more to reconcile).
    pub fn is_final(self) -> bool {
        self >= Self::Abandoned
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one event tells about a call. Absent fields are unknown, not empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFacts {
    /// Lifecycle status, if the event states one.
    pub status: Option<CallStatus>,
    /// The platform's agent.
    pub agent_id: Option<String>,
    /// `inbound` / `outbound`.
    pub direction: Option<String>,
    /// Caller id exactly as received (may be `anonymous`).
    pub from_number: Option<String>,
    /// Dialled number as received.
    pub to_number: Option<String>,
    /// When the call connected.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Length in milliseconds.
    pub duration_ms: Option<i64>,
    /// Why it ended (`user_hangup`, …; unknown values kept as they are).
    pub disconnection_reason: Option<String>,
    /// The transcript so far.
    pub transcript: Option<String>,
    /// Recording.
    pub recording_url: Option<String>,
    /// Platform log.
    pub public_log_url: Option<String>,
    /// Post-call analysis, as JSON text.
    pub analysis: Option<String>,
    /// Total cost.
    pub cost: Option<Cents>,
}

impl CallFacts {
    /// The join of two sets of facts: commutative, associative and idempotent.
    pub fn join(&self, other: &CallFacts) -> CallFacts {
        CallFacts {
            status: self.status.max(other.status),
            agent_id: max_of(&self.agent_id, &other.agent_id),
            direction: max_of(&self.direction, &other.direction),
            from_number: max_of(&self.from_number, &other.from_number),
            to_number: max_of(&self.to_number, &other.to_number),
            started_at: self.started_at.max(other.started_at),
            ended_at: self.ended_at.max(other.ended_at),
            duration_ms: self.duration_ms.max(other.duration_ms),
            disconnection_reason: max_of(&self.disconnection_reason, &other.disconnection_reason),
            transcript: longest(&self.transcript, &other.transcript),
            recording_url: max_of(&self.recording_url, &other.recording_url),
            public_log_url: max_of(&self.public_log_url, &other.public_log_url),
            analysis: max_of(&self.analysis, &other.analysis),
            cost: self.cost.max(other.cost),
        }
    }
}

fn max_of(a: &Option<String>, b: &Option<String>) -> Option<String> {
    a.as_ref().max(b.as_ref()).cloned()
}

/// The transcript only grows: the longer one wins, ties broken by content so the join commutes.
fn longest(a: &Option<String>, b: &Option<String>) -> Option<String> {
    let key = |s: &&String| (s.len(), (*s).clone());
    match (a, b) {
        (Some(x), Some(y)) => Some(if key(&x) >= key(&y) { x.clone() } else { y.clone() }),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

/// Which tenant and customer a call belongs to; resolved from its numbers on first touch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLinks {
    /// Company owning the dialled number.
    pub company_id: Option<CompanyId>,
    /// Branch owning the dialled number.
    pub branch_id: Option<BranchId>,
    /// Customer known by the caller id (or created during the call).
    pub customer_id: Option<CustomerId>,
}

impl CallLinks {
    /// Whether `other` places the call at another tenant than `self` does. A call belongs to the
    /// tenant of its first sighting: a later event or function call for the same call id through
    /// another tenant's number must be refused, never joined (I7).
    pub fn conflicts_with(&self, other: &CallLinks) -> bool {
        matches!((self.company_id, other.company_id), (Some(a), Some(b)) if a != b)
    }

    /// Keeps what is known; never unlinks. Callers refuse [`Self::conflicts_with`] first.
    pub fn join(&self, other: &CallLinks) -> CallLinks {
        CallLinks {
            company_id: self.company_id.or(other.company_id),
            branch_id: self.branch_id.or(other.branch_id),
            customer_id: self.customer_id.or(other.customer_id),
        }
    }
}

/// What a call came to, for people reading a list of calls: derived from the statuses its
/// function calls answered (the strongest effect wins) and whether it did anything at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallOutcome {
    /// An appointment was booked.
    Booked,
    /// An appointment was moved.
    Moved,
    /// An appointment was cancelled.
    Cancelled,
    /// A callback was requested.
    Callback,
    /// The caller asked questions; nothing changed.
    Information,
    /// The call ended before anything was asked.
    Abandoned,
}

impl CallOutcome {
    /// The outcome of a call whose function calls answered `statuses` (Retell's status words:
    /// `booked`, `rescheduled`, …). Setting up the call and recognising the caller is not yet
    /// asking anything.
    pub fn of<'a>(statuses: impl IntoIterator<Item = &'a str>) -> CallOutcome {
        let mut outcome = CallOutcome::Abandoned;
        for status in statuses {
            let this = match status {
                "booked" => CallOutcome::Booked,
                "rescheduled" => CallOutcome::Moved,
                "cancelled" => CallOutcome::Cancelled,
                "callback_requested" => CallOutcome::Callback,
                "ready" | "known" | "new_customer" | "anonymous" => CallOutcome::Abandoned,
                _ => CallOutcome::Information,
            };
            outcome = outcome.min(this);
        }
        outcome
    }

    /// Its name: `booked`, `moved`, `cancelled`, `callback`, `information`, `abandoned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Moved => "moved",
            Self::Cancelled => "cancelled",
            Self::Callback => "callback",
            Self::Information => "information",
            Self::Abandoned => "abandoned",
        }
    }
}

impl PartialOrd for CallOutcome {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Stronger effects order first: a call that booked and asked questions booked.
impl Ord for CallOutcome {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// A stored call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallRecord {
    /// Our row id.
    pub id: CallId,
    /// The platform's id.
    pub external_id: ExternalCallId,
    /// Tenant and customer.
    pub links: CallLinks,
    /// Everything known about the call.
    pub facts: CallFacts,
    /// Status, defaulting to registered when no event stated one.
    pub status: CallStatus,
    /// When we first heard of it (real clock).
    pub first_seen_at: Timestamp,
    /// When the last event about it arrived (real clock).
    pub last_event_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_strongest_effect_is_the_outcome() {
        assert_eq!(CallOutcome::of([]), CallOutcome::Abandoned);
        assert_eq!(CallOutcome::of(["ready", "known"]), CallOutcome::Abandoned);
        assert_eq!(CallOutcome::of(["ready", "slots_found", "available"]), CallOutcome::Information);
        assert_eq!(CallOutcome::of(["ready", "slots_found", "booked", "callback_requested"]), CallOutcome::Booked);
        assert_eq!(CallOutcome::of(["found", "cancelled"]), CallOutcome::Cancelled);
        assert_eq!(CallOutcome::of(["rescheduled", "cancelled"]), CallOutcome::Moved);
        assert_eq!(CallOutcome::of(["denied", "callback_requested"]), CallOutcome::Callback);
    }

    fn text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[a-c]{0,3}")
    }

    fn instant() -> impl Strategy<Value = Option<Timestamp>> {
        proptest::option::of((0i64..4).prop_map(|s| Timestamp::from_second(1_773_000_000 + s).unwrap()))
    }

    /// Facts with every field generated, so a field the join forgets (or joins in an
    /// order-dependent way) shows up.
    fn facts() -> impl Strategy<Value = CallFacts> {
        (
            (proptest::option::of(proptest::sample::select(CallStatus::ALL.to_vec())), text(), text(), text(), text()),
            (instant(), instant(), proptest::option::of(0i64..5), text(), text()),
            (text(), text(), text(), proptest::option::of(0i64..3)),
        )
            .prop_map(
                |(
                    (status, agent_id, direction, from_number, to_number),
                    (started_at, ended_at, duration_ms, disconnection_reason, transcript),
                    (recording_url, public_log_url, analysis, cost),
                )| CallFacts {
                    status,
                    agent_id,
                    direction,
                    from_number,
                    to_number,
                    started_at,
                    ended_at,
                    duration_ms,
                    disconnection_reason,
                    transcript,
                    recording_url,
                    public_log_url,
                    analysis,
                    cost: cost.map(Cents),
                },
            )
    }

    fn links() -> impl Strategy<Value = CallLinks> {
        let id = || proptest::option::of(1i64..3);
        (id(), id(), id()).prop_map(|(company, branch, customer)| CallLinks {
            company_id: company.map(CompanyId),
            branch_id: branch.map(BranchId),
            customer_id: customer.map(CustomerId),
        })
    }

    proptest! {
        #[test]
        fn join_is_commutative_associative_idempotent(a in facts(), b in facts(), c in facts()) {
            prop_assert_eq!(a.join(&b), b.join(&a));
            prop_assert_eq!(a.join(&b).join(&c), a.join(&b.join(&c)));
            prop_assert_eq!(a.join(&a), a.clone());
            prop_assert_eq!(a.join(&b).join(&b), a.join(&b));
        }

        #[test]
        fn join_keeps_every_fact_it_was_given(a in facts(), b in facts()) {
            let j = a.join(&b);
            let kept = |x: &CallFacts| {
                (x.status.is_none() || j.status >= x.status)
                    && (x.agent_id.is_none() || j.agent_id.is_some())
                    && (x.direction.is_none() || j.direction.is_some())
                    && (x.from_number.is_none() || j.from_number.is_some())
                    && (x.to_number.is_none() || j.to_number.is_some())
                    && (x.started_at.is_none() || j.started_at >= x.started_at)
                    && (x.ended_at.is_none() || j.ended_at >= x.ended_at)
                    && (x.duration_ms.is_none() || j.duration_ms >= x.duration_ms)
                    && (x.disconnection_reason.is_none() || j.disconnection_reason.is_some())
                    && x.transcript.as_ref().is_none_or(|t| j.transcript.as_ref().is_some_and(|k| k.len() >= t.len()))
                    && (x.recording_url.is_none() || j.recording_url.is_some())
                    && (x.public_log_url.is_none() || j.public_log_url.is_some())
                    && (x.analysis.is_none() || j.analysis.is_some())
                    && (x.cost.is_none() || j.cost >= x.cost)
            };
            prop_assert!(kept(&a) && kept(&b), "{:?}", j);
        }

        /// Links are first-come: what is stored stays (a call never moves to another tenant or
        /// customer), a missing link is filled in, nothing is ever unlinked.
        #[test]
        fn links_join_keeps_the_first_and_fills_gaps(a in links(), b in links(), c in links()) {
            let j = a.join(&b);
            prop_assert_eq!(j.company_id, a.company_id.or(b.company_id));
            prop_assert_eq!(j.branch_id, a.branch_id.or(b.branch_id));
            prop_assert_eq!(j.customer_id, a.customer_id.or(b.customer_id));
            prop_assert_eq!(a.join(&b).join(&c), a.join(&b.join(&c)));
            prop_assert_eq!(a.join(&a), a);
        }
    }

    #[test]
    fn a_late_start_never_moves_an_ended_call_back() {
        let ended = CallFacts { status: Some(CallStatus::Ended), ..Default::default() };
        let started = CallFacts { status: Some(CallStatus::Ongoing), ..Default::default() };
        assert_eq!(ended.join(&started).status, Some(CallStatus::Ended));
        let abandoned = CallFacts { status: Some(CallStatus::Abandoned), ..Default::default() };
        assert_eq!(abandoned.join(&ended).status, Some(CallStatus::Ended));
    }
}
