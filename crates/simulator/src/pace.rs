//! Open-loop pacing: calls arrive as a Poisson process at a set rate, whether or not the servers
//! keep up, and each call's requests are spaced like a conversation (the caller talks between
//! the agent's function calls, a call lasts minutes). Latency is measured from each request's
//! intended send time, so a client that falls behind (or a server that holds it up) shows in
//! the figures instead of hiding in fewer requests (no coordinated omission).

use std::time::{Duration, Instant};

use crate::rng::Rng;

/// How calls arrive and how their requests are spaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    /// Calls starting per second, on average.
    pub rate: f64,
    /// How long the caller talks between two requests of a call (uniformly drawn).
    pub talk: (Duration, Duration),
    /// How long a call lasts (uniformly drawn); the pause before its end fills it up.
    pub length: (Duration, Duration),
}

/// Distinguishes the pacing's random draws from the story's, so that a seed plays the same
/// calls paced or not.
const STREAM: u64 = 0x7061_6365;

impl Pace {
    /// Real conversations: 3–10 s of talking between function calls, calls of 1–4 minutes.
    /// At 8 calls a second that holds about 1,000 calls at once.
    pub fn conversation(rate: f64) -> Pace {
        Pace {
            rate,
            talk: (Duration::from_secs(3), Duration::from_secs(10)),
            length: (Duration::from_secs(60), Duration::from_secs(240)),
        }
    }

    /// When each of `n` calls starts, from the run's start: exponentially distributed gaps with
    /// mean `1 / rate`, the same for the same seed.
    pub fn arrivals(&self, seed: u64, n: u64) -> Vec<Duration> {
        let mut rng = Rng::fork(seed ^ STREAM, u64::MAX);
        let mut at = 0.0_f64;
        (0..n)
            .map(|_| {
                // Uniform in (0, 1]: never ln(0).
                let u = (rng.below(1 << 53) + 1) as f64 / (1u64 << 53) as f64;
                at += -u.ln() / self.rate.max(f64::MIN_POSITIVE);
                Duration::from_secs_f64(at)
            })
            .collect()
    }

    /// Call `index`'s schedule, for a call meant to start at `start`.
    pub fn schedule(&self, seed: u64, index: u64, start: Instant) -> Schedule {
        let mut rng = Rng::fork(seed ^ STREAM, index);
        let length = between(&mut rng, self.length);
        Schedule { talk: self.talk, rng, ends: start + length, due: Some(start) }
    }
}

fn between(rng: &mut Rng, (lo, hi): (Duration, Duration)) -> Duration {
    let span = hi.saturating_sub(lo).as_millis() as u64;
    lo + Duration::from_millis(rng.below(span + 1))
}

/// One call's clock in open loop: when its next request is meant to be sent.
#[derive(Clone, Debug)]
pub struct Schedule {
    talk: (Duration, Duration),
    rng: Rng,
    ends: Instant,
    due: Option<Instant>,
}

impl Schedule {
    /// The next request is meant to go out after the caller talked, counted from the answer to
    /// the previous one (the agent cannot ask before it heard it).
    pub fn talk_after(&mut self, answered: Instant) {
        self.due = Some(answered + between(&mut self.rng, self.talk));
    }

    /// The call ends after the caller's last words, and not before its length.
    pub fn hang_up_after(&mut self, answered: Instant) {
        let talked = answered + between(&mut self.rng, self.talk);
        self.due = Some(talked.max(self.ends));
    }

    /// When the next request is meant to be sent, if a pause set it (taken: the requests after
    /// it in the same breath are due at once).
    pub fn take_due(&mut self) -> Option<Instant> {
        self.due.take()
    }

    /// When the next request is meant to be sent, if a pause set it (not taken).
    pub fn peek_due(&self) -> Option<Instant> {
        self.due
    }
}

/// How long a request took for the one waiting: from when it was meant to be sent (not when a
/// busy client got round to sending it) to when its answer arrived.
pub fn latency(intended: Instant, answered: Instant) -> Duration {
    answered.saturating_duration_since(intended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_sent_late_counts_its_lateness() {
        let intended = Instant::now();
        let sent = intended + Duration::from_millis(40);
        let answered = sent + Duration::from_millis(2);
        assert_eq!(latency(intended, answered), Duration::from_millis(42), "from the intended time, not the sending");
        assert_eq!(latency(answered, intended), Duration::ZERO, "never negative");
    }

    #[test]
    fn arrivals_are_a_poisson_process_at_the_rate() {
        let pace = Pace::conversation(8.0);
        let at = pace.arrivals(1, 20_000);
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "in order");
        let mean_gap = at.last().unwrap().as_secs_f64() / at.len() as f64;
        assert!((mean_gap - 0.125).abs() < 0.005, "mean gap {mean_gap} s at 8 calls/s");
        // Exponential gaps: about 1/e of them are longer than the mean.
        let gaps: Vec<f64> = at.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()).collect();
        let longer = gaps.iter().filter(|g| **g > 0.125).count() as f64 / gaps.len() as f64;
        assert!((longer - (-1.0_f64).exp()).abs() < 0.02, "{longer}");
        assert_eq!(pace.arrivals(1, 100), pace.arrivals(1, 100), "the same seed, the same arrivals");
        assert_ne!(pace.arrivals(1, 100), pace.arrivals(2, 100));
    }

    #[test]
    fn a_call_talks_between_requests_and_lasts_its_length() {
        let pace = Pace::conversation(8.0);
        let start = Instant::now();
        let mut schedule = pace.schedule(1, 7, start);
        assert_eq!(schedule.take_due(), Some(start), "the first request is due at the arrival");
        assert_eq!(schedule.take_due(), None, "once");
        let answered = start + Duration::from_millis(5);
        schedule.talk_after(answered);
        let due = schedule.take_due().unwrap();
        assert!(due >= answered + Duration::from_secs(3) && due <= answered + Duration::from_secs(10));
        schedule.hang_up_after(due);
        let end = schedule.take_due().unwrap();
        assert!(end >= start + Duration::from_secs(60) && end <= start + Duration::from_secs(250), "1–4 minutes");
    }
}
