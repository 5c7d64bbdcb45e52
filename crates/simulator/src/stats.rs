//! Latency samples per request kind, and their percentiles.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Percentiles of one kind of request, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Requests.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// Function-call latency in one stretch of a run (a soak shows drift as windows that grow).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Window {
    /// Seconds from the run's start to the window's start.
    pub from_s: u64,
    /// Seconds the window lasts.
    pub length_s: u64,
    /// Percentiles of the function calls meant to be sent in it.
    #[serde(flatten)]
    pub latency: Summary,
}

/// Samples (microseconds) per kind, and each function call's intended send time.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    by_kind: BTreeMap<String, Vec<u32>>,
    functions_at: Vec<(Instant, u32)>,
}

/// Samples beyond `u32::MAX` microseconds (71 minutes) are kept as that.
fn clamp(micros: u64) -> u32 {
    micros.min(u64::from(u32::MAX)) as u32
}

impl Samples {
    /// Records one request of `kind` that took `micros`.
    pub fn record(&mut self, kind: &str, micros: u64) {
        self.by_kind.entry(kind.to_owned()).or_default().push(clamp(micros));
    }

    /// Records one request of `kind` meant to be sent at `intended` that took `micros`;
    /// function calls (`fn:…`) also go into the timeline [`Samples::windows`] cuts up.
    pub fn record_at(&mut self, kind: &str, intended: Instant, micros: u64) {
        self.record(kind, micros);
        if kind.starts_with("fn:") {
            self.functions_at.push((intended, clamp(micros)));
        }
    }

    /// Adds another set of samples.
    pub fn merge(&mut self, mut other: Samples) {
        for (kind, mut samples) in other.by_kind {
            self.by_kind.entry(kind).or_default().append(&mut samples);
        }
        self.functions_at.append(&mut other.functions_at);
    }

    /// Function-call latency per `width` from `start` (by intended send time), in order; a
    /// window without a request is left out.
    pub fn windows(&self, start: Instant, width: Duration) -> Vec<Window> {
        let width_s = width.as_secs().max(1);
        let mut by_window: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (at, micros) in &self.functions_at {
            let index = at.saturating_duration_since(start).as_secs() / width_s;
            by_window.entry(index).or_default().push(*micros);
        }
        by_window
            .into_iter()
            .map(|(index, samples)| Window { from_s: index * width_s, length_s: width_s, latency: summarize(&samples) })
            .collect()
    }

    /// Every sample of every kind together.
    pub fn all(&self) -> Vec<u32> {
        self.by_kind.values().flatten().copied().collect()
    }

    /// Every sample of the kinds starting with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Vec<u32> {
        self.by_kind.iter().filter(|(k, _)| k.starts_with(prefix)).flat_map(|(_, v)| v.iter().copied()).collect()
    }

    /// How many samples in all.
    pub fn len(&self) -> usize {
        self.by_kind.values().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Percentiles per kind.
    pub fn summaries(&self) -> BTreeMap<String, Summary> {
        self.by_kind.iter().map(|(k, v)| (k.clone(), summarize(v))).collect()
    }
}

/// Percentiles of a set of samples (microseconds in, milliseconds out).
pub fn summarize(samples: &[u32]) -> Summary {
    if samples.is_empty() {
        return Summary::default();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| {
        let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
        f64::from(sorted[i]) / 1000.0
    };
    Summary {
        count: sorted.len(),
        p50_ms: at(0.50),
        p90_ms: at(0.90),
        p99_ms: at(0.99),
        p999_ms: at(0.999),
        max_ms: at(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let samples: Vec<u32> = (1..=1000).map(|i| i * 1000).collect();
        let s = summarize(&samples);
        assert_eq!((s.count, s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms), (1000, 500.0, 900.0, 990.0, 1000.0));
        assert_eq!(s.p999_ms, 999.0);
        assert_eq!(summarize(&[]).count, 0);
    }

    #[test]
    fn windows_cut_function_calls_by_their_intended_send_time() {
        let start = Instant::now();
        let mut samples = Samples::default();
        samples.record_at("fn:check_availability", start + Duration::from_secs(5), 2_000);
        samples.record_at("fn:book_appointment", start + Duration::from_secs(59), 4_000);
        // Answered in the next minute, but meant to go out in the first: counted there.
        samples.record_at("fn:book_appointment", start + Duration::from_millis(59_999), 9_000);
        samples.record_at("webhook:call_ended", start + Duration::from_secs(61), 50_000);
        samples.record_at("fn:end_call", start + Duration::from_secs(185), 1_000);
        let windows = samples.windows(start, Duration::from_secs(60));
        let counts: Vec<(u64, usize, f64)> =
            windows.iter().map(|w| (w.from_s, w.latency.count, w.latency.max_ms)).collect();
        assert_eq!(counts, vec![(0, 3, 9.0), (180, 1, 1.0)], "webhooks are not function calls; empty minutes left out");
        assert_eq!(samples.len(), 5, "every sample still counts per kind");
    }
}
