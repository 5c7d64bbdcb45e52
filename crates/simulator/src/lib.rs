//! The call simulator: plays realistic phone calls against running frontdesk servers exactly as
//! Retell would — signed webhooks, function calls with what callers really say, Retell's retries
//! and out-of-order deliveries — then checks through the admin API that nothing was lost or
//! double-booked, and reports latency. It is the load test, the chaos test and the demo.
//!
//! A run is deterministic in what it plays: call `n` of seed `s` is always the same caller with
//! the same wishes and the same chaos. What the server answers under concurrency (who wins a
//! contended slot) may differ from run to run, and later steps follow the answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use frontdesk_retell::fake::FakeRetell;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;

pub mod call;
pub mod check;
pub mod client;
pub mod ledger;
pub mod mail_sink;
pub mod pace;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod timer;

use call::{Shared, Tally};
use client::{SendError, Sender};
use report::{Baseline, Report};
use stats::{Samples, summarize};

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Base URLs of the servers; calls are spread over them.
    pub urls: Vec<String>,
    /// The Retell API key the servers verify signatures with.
    pub retell_key: String,
    /// The servers' admin token (for the checks).
    pub admin_token: String,
    /// How many calls.
    pub calls: u64,
    /// How many calls at once.
    pub concurrency: usize,
    /// The seed: the same seed plays the same calls.
    pub seed: u64,
    /// Misbehave as Retell sometimes does.
    pub chaos: bool,
    /// Only call this demo tenant (its key).
    pub tenant: Option<String>,
    /// Also measure `/healthz` under the same load.
    pub baseline: bool,
    /// How long the checks wait for the reconciler.
    pub settle: Duration,
    /// Show a progress bar.
    pub progress: bool,
    /// Prefix of the call ids (default: derived from the seed and the time).
    pub run_id: Option<String>,
    /// Open loop: calls start at this pace whatever the servers answer, each talking between
    /// its requests (`concurrency` is then not a limit). `None`: closed loop, `concurrency`
    /// calls back to back.
    pub pace: Option<pace::Pace>,
    /// The simulator's own SMTP server, where the servers send their e-mail: the run then
    /// checks that every notification arrived once.
    pub mail_sink: Option<Arc<mail_sink::MailSink>>,
}

impl Options {
    /// Defaults for `urls`: 100 calls, 16 at once, seed 1, no chaos.
    pub fn new(urls: Vec<String>, retell_key: &str, admin_token: &str) -> Options {
        Options {
            urls,
            retell_key: retell_key.to_owned(),
            admin_token: admin_token.to_owned(),
            calls: 100,
            concurrency: 16,
            seed: 1,
            chaos: false,
            tenant: None,
            baseline: false,
            settle: Duration::from_secs(60),
            progress: false,
            run_id: None,
            pace: None,
            mail_sink: None,
        }
    }
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// No server to talk to.
    #[error("no server URL given")]
    NoServer,
    /// `--tenant` names no demo tenant.
    #[error("unknown tenant `{0}`; the demo tenants are {1}")]
    UnknownTenant(String, String),
    /// The server does not hold the demo tenants.
    #[error(
        "the server has no company `{0}`: start it with `frontdesk serve --demo` (the simulator calls the demo tenants)"
    )]
    MissingTenant(String),
    /// A request failed outright.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The open loop's timer thread could not be started.
    #[error("could not start the timer thread: {0}")]
    Timer(#[source] std::io::Error),
}

/// The stretch of an open-loop run each line of its latency timeline covers.
const WINDOW: Duration = Duration::from_secs(60);

/// Plays the calls and measures them. `fake` is Retell's REST API as the servers see it: every
/// call is made known to it, so the reconciler can finish calls whose `call_ended` chaos dropped
/// (without it, no `call_ended` is dropped).
pub async fn play(options: &Options, fake: Option<Arc<FakeRetell>>) -> Result<Played, SimError> {
    if options.urls.is_empty() {
        return Err(SimError::NoServer);
    }
    let mut tenants = scenario::demo_tenants();
    if let Some(key) = &options.tenant {
        let keys: Vec<String> = tenants.iter().map(|t| t.key.clone()).collect();
        tenants.retain(|t| &t.key == key);
        if tenants.is_empty() {
            return Err(SimError::UnknownTenant(key.clone(), keys.join(", ")));
        }
    }
    let sender = Sender::new(options.urls.clone(), &options.retell_key, &options.admin_token);
    let companies = sender.admin("/companies").await?;
    for tenant in &tenants {
        let known = companies["items"].as_array().into_iter().flatten().any(|c| c["key"] == tenant.key.as_str());
        if !known {
            return Err(SimError::MissingTenant(tenant.key.clone()));
        }
    }

    let mut notes = Vec::new();
    if options.chaos && fake.is_none() {
        notes.push("no fake Retell API: chaos did not drop any call_ended".to_owned());
    }
    let run_id = options
        .run_id
        .clone()
        .unwrap_or_else(|| format!("sim-{}-{:x}", options.seed, Timestamp::now().as_millisecond() % 0x100_0000));
    let timer = timer::Timer::start().map_err(SimError::Timer)?;
    let shared = Arc::new(Shared {
        sender,
        ledger: ledger::Ledger::default(),
        tenants,
        fake,
        chaos: options.chaos,
        seed: options.seed,
        run_id: run_id.clone(),
        pool: (options.calls / 4).max(10),
        pace: options.pace.clone(),
        timer: timer.clone(),
    });

    let bar = if options.progress { ProgressBar::new(options.calls) } else { ProgressBar::hidden() };
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} calls ({per_sec}, {eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let started_at = Timestamp::now();
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let live = Arc::new(Live::default());
    let mut workers = tokio::task::JoinSet::new();
    if let Some(pace) = &options.pace {
        // Open loop: every call starts at its arrival time, however many are still going.
        let run_start = Instant::now();
        for (index, offset) in (0..).zip(pace.arrivals(options.seed, options.calls)) {
            let start = run_start + offset;
            timer.sleep_until(start).await;
            let (shared, bar, live) = (Arc::clone(&shared), bar.clone(), Arc::clone(&live));
            workers.spawn(async move {
                live.started();
                let tally = call::play(&shared, index, Some(start)).await;
                live.ended();
                bar.inc(1);
                tally
            });
        }
    } else {
        for _ in 0..options.concurrency.max(1) {
            let (shared, next, bar, calls) = (Arc::clone(&shared), Arc::clone(&next), bar.clone(), options.calls);
            workers.spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= calls {
                        return tally;
                    }
                    tally.merge(call::play(&shared, index, None).await);
                    bar.inc(1);
                }
            });
        }
    }
    let mut tally = Tally::default();
    while let Some(done) = workers.join_next().await {
        if let Ok(t) = done {
            tally.merge(t);
        }
    }
    let elapsed = started.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
    bar.finish_and_clear();

    let requests = tally.function_requests + tally.webhook_requests;
    let baseline = if options.baseline { Some(baseline(&shared, requests, options.concurrency).await) } else { None };
    let peak_live = options.pace.is_some().then(|| live.peak.load(Ordering::Relaxed));
    Ok(Played {
        options: options.clone(),
        shared,
        tally,
        run_id,
        started_at,
        started,
        elapsed,
        baseline,
        notes,
        peak_live,
    })
}

/// Calls live at once, and the most there were.
#[derive(Default)]
struct Live {
    now: AtomicU64,
    peak: AtomicU64,
}

impl Live {
    fn started(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn ended(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A finished run, before and after its checks.
pub struct Played {
    options: Options,
    shared: Arc<Shared>,
    tally: Tally,
    run_id: String,
    started_at: Timestamp,
    started: Instant,
    elapsed: f64,
    baseline: Option<Baseline>,
    notes: Vec<String>,
    peak_live: Option<u64>,
}

impl Played {
    /// Checks the invariants through the admin API (waiting for the reconciler first) and
    /// reports. Can be asked again: each time it checks what the servers hold now.
    pub async fn report(&self) -> Result<Report, SimError> {
        let (tally, elapsed) = (&self.tally, self.elapsed);
        let expected = self.shared.ledger.expected();
        let facts = check::RunFacts {
            run_id: &self.run_id,
            started: self.started_at,
            sent: &tally.sent,
            expected: &expected,
            companies: self.shared.tenants.iter().map(|t| t.key.clone()).collect(),
            settle: self.options.settle,
        };
        let mut checks = vec![check::Check {
            name: "retried side effects answered byte for byte alike, and no caller's appointment lost".to_owned(),
            ok: tally.violations.count == 0,
            detail: format!("{} function requests; {} violation(s)", tally.function_requests, tally.violations.count),
            examples: tally.violations.examples.clone(),
        }];
        checks.extend(check::verify(&self.shared.sender, &facts).await?);
        if let Some(sink) = &self.options.mail_sink {
            checks.push(check::mail(sink, &expected, self.shared.ledger.callbacks(), self.options.settle).await);
        }
        let requests = tally.function_requests + tally.webhook_requests;
        Ok(Report {
            run_id: self.run_id.clone(),
            seed: self.options.seed,
            servers: self.options.urls.clone(),
            calls: tally.calls,
            concurrency: self.options.concurrency,
            rate: self.options.pace.as_ref().map(|p| p.rate),
            peak_live_calls: self.peak_live,
            chaos: self.options.chaos,
            elapsed_s: elapsed,
            function_calls: tally.function_requests,
            function_calls_per_s: tally.function_requests as f64 / elapsed,
            webhooks: tally.webhook_requests,
            requests_per_s: requests as f64 / elapsed,
            functions: summarize(&tally.samples.with_prefix("fn:")),
            windows: match self.options.pace {
                Some(_) => tally.samples.windows(self.started, WINDOW),
                None => Vec::new(),
            },
            latency: {
                let mut latency = tally.samples.summaries();
                // Sent as soon as planned in the closed loop: no lateness to speak of.
                if self.options.pace.is_none() {
                    latency.remove(client::GENERATOR_LATENESS);
                }
                latency
            },
            statuses: tally.statuses.clone(),
            chaos_events: tally.chaos.clone(),
            baseline: self.baseline.clone(),
            errors: tally.errors.clone(),
            checks,
            notes: self.notes.clone(),
        })
    }
}

/// Plays the calls, measures, and checks the invariants: [`play`], then [`Played::report`].
pub async fn run(options: &Options, fake: Option<Arc<FakeRetell>>) -> Result<Report, SimError> {
    play(options, fake).await?.report().await
}

/// `requests` GETs of `/healthz` at `concurrency`, spread over the servers like the calls.
async fn baseline(shared: &Arc<Shared>, requests: u64, concurrency: usize) -> Baseline {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (shared, next) = (Arc::clone(shared), Arc::clone(&next));
        workers.spawn(async move {
            let mut samples = Samples::default();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let _ = shared.sender.health(shared.sender.pick_server(), &mut samples).await;
            }
            samples
        });
    }
    let mut samples = Samples::default();
    while let Some(done) = workers.join_next().await {
        if let Ok(s) = done {
            samples.merge(s);
        }
    }
    let elapsed = started.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
    Baseline { requests, requests_per_s: requests as f64 / elapsed, latency: summarize(&samples.all()) }
}
