//! What one or more calls counted: sent requests, answers, chaos played, and the problems seen.

use std::collections::BTreeMap;

use crate::stats::Samples;

use super::EXAMPLES;

/// Counts and problems of one or more calls.
#[derive(Debug, Default)]
pub struct Tally {
    /// Calls played.
    pub calls: u64,
    /// Function requests sent (retries included).
    pub function_requests: u64,
    /// Webhook requests sent (duplicates included).
    pub webhook_requests: u64,
    /// Latency per kind (`fn:NAME`, `webhook:EVENT`).
    pub samples: Samples,
    /// Answer statuses per function.
    pub statuses: BTreeMap<String, BTreeMap<String, u64>>,
    /// Function requests sent per call id.
    pub sent: BTreeMap<String, u32>,
    /// What chaos did, by kind.
    pub chaos: BTreeMap<String, u64>,
    /// Requests that got no answer or an unexpected HTTP status.
    pub errors: Problems,
    /// Answers that contradict the invariants (retries answered differently, lost appointments).
    pub violations: Problems,
}

/// A count of problems and the first few examples.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Problems {
    /// How many.
    pub count: u64,
    /// The first few.
    pub examples: Vec<String>,
}

impl Problems {
    /// Records one.
    pub fn push(&mut self, what: String) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(what);
        }
    }

    /// Adds another set.
    pub fn merge(&mut self, other: Problems) {
        self.count += other.count;
        for e in other.examples {
            if self.examples.len() < EXAMPLES {
                self.examples.push(e);
            }
        }
    }
}

impl Tally {
    /// Adds another tally.
    pub fn merge(&mut self, other: Tally) {
        self.calls += other.calls;
        self.function_requests += other.function_requests;
        self.webhook_requests += other.webhook_requests;
        self.samples.merge(other.samples);
        for (function, statuses) in other.statuses {
            let mine = self.statuses.entry(function).or_default();
            for (status, n) in statuses {
                *mine.entry(status).or_default() += n;
            }
        }
        self.sent.extend(other.sent);
        for (kind, n) in other.chaos {
            *self.chaos.entry(kind).or_default() += n;
        }
        self.errors.merge(other.errors);
        self.violations.merge(other.violations);
    }
}
