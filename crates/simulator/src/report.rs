//! The report at the end of a run: throughput, latency per function and webhook, answer statuses,
//! what chaos did, the `/healthz` baseline and the invariant checks — as text or JSON.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::call::Problems;
use crate::check::Check;
use crate::stats::{Summary, Window};

/// Everything a run measured and checked.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Prefix of the run's call ids.
    pub run_id: String,
    /// The seed (the same seed plays the same calls).
    pub seed: u64,
    /// Servers the calls were spread over.
    pub servers: Vec<String>,
    /// Calls played.
    pub calls: u64,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Open loop: calls started per second on average (`None`: closed loop at `concurrency`).
    pub rate: Option<f64>,
    /// Open loop: the most calls live at once.
    pub peak_live_calls: Option<u64>,
    /// Whether Retell misbehaved on purpose.
    pub chaos: bool,
    /// Wall-clock seconds of the load (checks not included).
    pub elapsed_s: f64,
    /// Function requests sent (retries included).
    pub function_calls: u64,
    /// Function requests per second.
    pub function_calls_per_s: f64,
    /// Webhook requests sent (duplicates included).
    pub webhooks: u64,
    /// All requests per second.
    pub requests_per_s: f64,
    /// Latency of every function request together.
    pub functions: Summary,
    /// Open loop: function-call latency minute by minute (by intended send time), to see drift.
    pub windows: Vec<Window>,
    /// Latency per kind (`fn:NAME`, `webhook:EVENT`).
    pub latency: BTreeMap<String, Summary>,
    /// Answer statuses per function.
    pub statuses: BTreeMap<String, BTreeMap<String, u64>>,
    /// What chaos did, by kind.
    pub chaos_events: BTreeMap<String, u64>,
    /// The same number of requests at the same concurrency against `/healthz`.
    pub baseline: Option<Baseline>,
    /// Requests without an answer or with an unexpected HTTP status.
    pub errors: Problems,
    /// Every invariant and whether it held.
    pub checks: Vec<Check>,
    /// Anything worth knowing about how the run was set up.
    pub notes: Vec<String>,
}

/// The HTTP floor of the machine: `/healthz` under the same load.
#[derive(Clone, Debug, Serialize)]
pub struct Baseline {
    /// Requests sent.
    pub requests: u64,
    /// Requests per second.
    pub requests_per_s: f64,
    /// Latency.
    pub latency: Summary,
}

impl Report {
    /// Whether every invariant held and every request was answered.
    pub fn passed(&self) -> bool {
        self.errors.count == 0 && self.checks.iter().all(|c| c.ok)
    }
}

fn row(out: &mut String, name: &str, s: &Summary) {
    let _ = writeln!(
        out,
        "  {name:<34} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
        s.count, s.p50_ms, s.p90_ms, s.p99_ms, s.p999_ms, s.max_ms
    );
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "frontdesk simulation {} (seed {}): {} calls {} against {} server(s){}",
            self.run_id,
            self.seed,
            self.calls,
            match (self.rate, self.peak_live_calls) {
                (Some(rate), Some(peak)) => format!("arriving at {rate}/s (open loop, at most {peak} live at once)"),
                _ => format!("at concurrency {}", self.concurrency),
            },
            self.servers.len(),
            if self.chaos { ", with chaos" } else { "" }
        );
        let _ = writeln!(
            out,
            "  {:.2}s: {} function calls ({:.0}/s), {} webhooks; {:.0} requests/s in all",
            self.elapsed_s, self.function_calls, self.function_calls_per_s, self.webhooks, self.requests_per_s
        );
        let _ = writeln!(
            out,
            "\nlatency (ms)                            count      p50      p90      p99    p99.9      max"
        );
        row(&mut out, "all functions", &self.functions);
        for (kind, s) in &self.latency {
            row(&mut out, kind, s);
        }
        if !self.windows.is_empty() {
            let _ = writeln!(
                out,
                "\nfunction calls by minute (ms)           count      p50      p90      p99    p99.9      max"
            );
            for w in &self.windows {
                row(&mut out, &format!("{}–{} s", w.from_s, w.from_s + w.length_s), &w.latency);
            }
        }
        if let Some(b) = &self.baseline {
            row(&mut out, "baseline: GET /healthz", &b.latency);
            let _ = writeln!(
                out,
                "  baseline: {:.0} requests/s; the run reached {:.0}% of it (p99 {:.1}x the baseline's)",
                b.requests_per_s,
                100.0 * self.requests_per_s / b.requests_per_s.max(f64::MIN_POSITIVE),
                self.functions.p99_ms / b.latency.p99_ms.max(0.001)
            );
        }
        let _ = writeln!(out, "\nanswers");
        for (function, statuses) in &self.statuses {
            let list: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
            let _ = writeln!(out, "  {function:<26} {}", list.join(", "));
        }
        if !self.chaos_events.is_empty() {
            let list: Vec<String> = self.chaos_events.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let _ = writeln!(out, "\nchaos: {}", list.join(", "));
        }
        let _ = writeln!(out, "\ninvariants");
        let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
        let _ =
            writeln!(out, "  {} every request answered ({} errors)", mark(self.errors.count == 0), self.errors.count);
        for e in &self.errors.examples {
            let _ = writeln!(out, "         {e}");
        }
        for c in &self.checks {
            let _ = writeln!(out, "  {} {} — {}", mark(c.ok), c.name, c.detail);
            for e in &c.examples {
                let _ = writeln!(out, "         {e}");
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        let _ = writeln!(out, "\n{}", if self.passed() { "PASSED" } else { "FAILED" });
        f.write_str(&out)
    }
}
