//! Latency samples per request kind, and their percentiles.

use std::collections::BTreeMap;

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

/// Samples (microseconds) per kind.
#[derive(Clone, Debug, Default)]
pub struct Samples(BTreeMap<String, Vec<u32>>);

impl Samples {
    /// Records one request of `kind` that took `micros`.
    pub fn record(&mut self, kind: &str, micros: u64) {
        self.0.entry(kind.to_owned()).or_default().push(micros.min(u64::from(u32::MAX)) as u32);
    }

    /// Adds another set of samples.
    pub fn merge(&mut self, other: Samples) {
        for (kind, mut samples) in other.0 {
            self.0.entry(kind).or_default().append(&mut samples);
        }
    }

    /// Every sample of every kind together.
    pub fn all(&self) -> Vec<u32> {
        self.0.values().flatten().copied().collect()
    }

    /// Every sample of the kinds starting with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Vec<u32> {
        self.0.iter().filter(|(k, _)| k.starts_with(prefix)).flat_map(|(_, v)| v.iter().copied()).collect()
    }

    /// How many samples in all.
    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Percentiles per kind.
    pub fn summaries(&self) -> BTreeMap<String, Summary> {
        self.0.iter().map(|(k, v)| (k.clone(), summarize(v))).collect()
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
}
