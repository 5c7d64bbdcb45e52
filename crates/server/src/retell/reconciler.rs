//! The reconciler: calls still `registered` or `ongoing` long after their last event (their
//! `call_ended` never came) are fetched from Retell's API and completed like `call_ended` /
//! `call_analyzed` would have. A call Retell does not know is marked `abandoned` once it is older
//! than the maximum age.
//!
//! Several processes may run it at once: each claims calls with a lease first, so a call is
//! fetched by one process at a time. Rate limits and server errors back the call off
//! exponentially; a 429 also ends the round.

use std::time::Duration;

use frontdesk_domain::call::{CallFacts, CallStatus};
use frontdesk_domain::records::{Provider, WebhookStatus};
use frontdesk_retell::client::{Client, FetchError};
use frontdesk_retell::wire::CallObject;
use frontdesk_store::StoreError;
use frontdesk_store::model::{CallUpdate, ClaimedCall, NewWebhookEvent, Record, StaleClaim};
use jiff::{SignedDuration, Timestamp};

use crate::state::AppState;

/// Calls claimed per round.
const BATCH: u32 = 20;
/// The longest backoff.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_mins(30);

/// What became of one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Retell reported it over; the record is complete.
    Completed,
    /// Retell says it is still going on; looked at again later.
    StillOngoing,
    /// Retell does not know it and it is old: marked abandoned.
    Abandoned,
    /// Retell does not know it (yet); looked at again later.
    Unknown,
    /// Retell was rate limiting or failing; backed off.
    BackedOff,
    /// The API key was refused or the answer made no sense.
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::StillOngoing => "still_ongoing",
            Self::Abandoned => "abandoned",
            Self::Unknown => "unknown",
            Self::BackedOff => "backed_off",
            Self::Error => "error",
        }
    }
}

/// One reconciler (per process).
pub struct Reconciler {
    state: AppState,
    client: Client,
    owner: String,
}

impl Reconciler {
    /// A reconciler using the server's Retell key and base URL.
    pub fn new(state: AppState) -> Reconciler {
        let settings = state.settings();
        let key = settings.retell_api_keys.first().cloned().unwrap_or_default();
        let client = Client::new(&settings.retell_base_url, &key, Duration::from_secs(10));
        let owner = format!("{}-{}", std::process::id(), Timestamp::now().as_nanosecond() % 1_000_000_000);
        Reconciler { state, client, owner }
    }

    /// Claims stale calls and reconciles them; returns what became of each.
    pub async fn round(&self) -> Result<Vec<Outcome>, StoreError> {
        let settings = self.state.settings();
        let now = Timestamp::now();
        let after = SignedDuration::try_from(settings.reconcile_after).unwrap_or(SignedDuration::from_mins(10));
        let lease = SignedDuration::try_from(settings.reconcile_lease).unwrap_or(SignedDuration::from_mins(1));
        let claim = StaleClaim {
            owner: &self.owner,
            last_event_before: now - after,
            now,
            lease_until: now + lease,
            limit: BATCH,
        };
        let claimed = self.state.store().claim_stale_calls(&claim).await?;
        metrics::counter!("frontdesk_reconciler_runs_total").increment(1);
        let mut outcomes = Vec::with_capacity(claimed.len());
        let mut rate_limited: Option<SignedDuration> = None;
        for call in claimed {
            let outcome = match rate_limited {
                // Retell asked us to slow down: leave the rest of this batch for later.
                Some(wait) => {
                    self.release(&call, Some(Timestamp::now() + wait.max(self.backoff(call.attempts)))).await?;
                    Outcome::BackedOff
                }
                None => match self.reconcile(&call).await {
                    Ok(outcome) => outcome,
                    Err(Throttled(wait)) => {
                        rate_limited = Some(wait);
                        self.release(&call, Some(Timestamp::now() + wait.max(self.backoff(call.attempts)))).await?;
                        Outcome::BackedOff
                    }
                },
            };
            metrics::counter!("frontdesk_reconciler_calls_total", "outcome" => outcome.as_str()).increment(1);
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn release(&self, call: &ClaimedCall, not_before: Option<Timestamp>) -> Result<(), StoreError> {
        self.state.store().release_call(call.call.id, &self.owner, not_before).await
    }

    async fn reconcile(&self, claimed: &ClaimedCall) -> Result<Outcome, Throttled> {
        let settings = self.state.settings();
        let now = Timestamp::now();
        let later = now + SignedDuration::try_from(settings.reconcile_after).unwrap_or(SignedDuration::from_mins(10));
        let result = self.client.get_call(claimed.call.external_id.as_str()).await;
        let outcome = match result {
            Ok(Some(call)) => {
                let facts = call.facts();
                let done = facts.status.is_some_and(CallStatus::is_final);
                match self.apply(&call, facts, None).await {
                    Ok(()) if done => Outcome::Completed,
                    Ok(()) => {
                        let _ = self.release(claimed, Some(later)).await;
                        return Ok(Outcome::StillOngoing);
                    }
                    Err(error) => {
                        tracing::warn!(%error, "could not apply a reconciled call");
                        Outcome::Error
                    }
                }
            }
            Ok(None) => {
                let max_age = SignedDuration::try_from(settings.abandon_after).unwrap_or(SignedDuration::from_hours(2));
                if claimed.call.first_seen_at < now - max_age {
                    let object =
                        CallObject { call_id: Some(claimed.call.external_id.to_string()), ..CallObject::default() };
                    let facts = CallFacts { status: Some(CallStatus::Abandoned), ..CallFacts::default() };
                    match self.apply(&object, facts, Some("Retell does not know this call")).await {
                        Ok(()) => Outcome::Abandoned,
                        Err(_) => Outcome::Error,
                    }
                } else {
                    let _ = self.release(claimed, Some(now + self.backoff(claimed.attempts))).await;
                    return Ok(Outcome::Unknown);
                }
            }
            Err(FetchError::RateLimited { retry_after }) => {
                // Retell's Retry-After, when it sends one, is the authority on when to come back.
                let wait =
                    retry_after.and_then(|d| SignedDuration::try_from(d).ok()).unwrap_or_else(|| self.backoff(1));
                return Err(Throttled(wait));
            }
            Err(error) if error.is_transient() => {
                tracing::debug!(%error, "Retell unavailable; backing off");
                let _ = self.release(claimed, Some(now + self.backoff(claimed.attempts))).await;
                return Ok(Outcome::BackedOff);
            }
            Err(error) => {
                tracing::error!(%error, "Retell refused the reconciliation request");
                let _ = self.release(claimed, Some(later)).await;
                return Ok(Outcome::Error);
            }
        };
        let _ = self.release(claimed, None).await;
        Ok(outcome)
    }

    /// Merges what Retell said into the call, and records it in the inbox like a webhook.
    async fn apply(&self, call: &CallObject, facts: CallFacts, note: Option<&str>) -> Result<(), StoreError> {
        let Some(external) = call.call_id.as_deref().and_then(frontdesk_domain::ids::ExternalCallId::parse) else {
            return Ok(());
        };
        let directory = self.state.directory();
        let links = super::webhooks::links(self.state.store().as_ref(), &directory, call).await?;
        let event = NewWebhookEvent {
            provider: Provider::Retell,
            event_type: "reconciled".into(),
            dedupe_key: None,
            external_call_id: Some(external.to_string()),
            company_id: links.company_id,
            payload: serde_json::to_string(call).unwrap_or_default(),
            status: WebhookStatus::Processed,
            error: note.map(str::to_owned),
            at: Timestamp::now(),
        };
        let update = CallUpdate { external, facts, links, caller: None, at: event.at };
        self.state.store().record(Record::Delivery { event, call: Some(update) }).await?;
        Ok(())
    }
}

impl Reconciler {
    fn backoff(&self, attempts: u32) -> SignedDuration {
        let first =
            SignedDuration::try_from(self.state.settings().reconcile_backoff).unwrap_or(SignedDuration::from_secs(30));
        backoff(first, attempts)
    }
}

/// Retell answered 429; wait this long.
struct Throttled(SignedDuration);

/// `first`, doubled per further attempt, at most [`MAX_BACKOFF`].
fn backoff(first: SignedDuration, attempts: u32) -> SignedDuration {
    let exponent = attempts.saturating_sub(1).min(16);
    (first * 2i32.pow(exponent)).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        let first = SignedDuration::from_secs(30);
        assert_eq!(backoff(first, 1), SignedDuration::from_secs(30));
        assert_eq!(backoff(first, 2), SignedDuration::from_secs(60));
        assert_eq!(backoff(first, 4), SignedDuration::from_secs(240));
        assert_eq!(backoff(first, 50), MAX_BACKOFF);
    }
}
