//! One simulated phone call, played exactly as Retell would play it: `call_inbound`, `call_started`,
//! the agent's function calls with what the caller says, `call_ended` and `call_analyzed` — and,
//! with chaos, Retell's duplicate deliveries, reorderings, lost webhooks and retried function calls.

use std::sync::Arc;
use std::time::Instant;

use frontdesk_domain::locale::Language;
use frontdesk_retell::fake::FakeRetell;
use jiff::civil::Date;
use serde_json::json;

use crate::client::{SendError, Sender};
use crate::ledger::Ledger;
use crate::pace::{Pace, Schedule};
use crate::rng::Rng;
use crate::scenario::{self, Caller, Intent, Tenant};
use crate::stats::Samples;
use crate::timer::Timer;

/// The most function calls one simulated call makes (the 3–8).
const MAX_FUNCTIONS: u32 = 8;
/// Functions whose retried request must be answered byte for byte like the first.
const SIDE_EFFECTS: &[&str] = &["book_appointment", "cancel_appointment", "reschedule_appointment", "request_callback"];
mod intents;
mod tally;
mod wire;

pub use tally::{Problems, Tally};

/// How many examples of each kind of problem a tally keeps.
const EXAMPLES: usize = 10;

/// What the calls of a run share.
pub struct Shared {
    /// Talks to the servers.
    pub sender: Sender,
    /// Who holds which appointment, and what must be true at the end.
    pub ledger: Ledger,
    /// The tenants callers call.
    pub tenants: Vec<Tenant>,
    /// Retell's REST API, told about every call (so the reconciler can finish dropped ones).
    pub fake: Option<Arc<FakeRetell>>,
    /// Whether Retell misbehaves.
    pub chaos: bool,
    /// The run's seed.
    pub seed: u64,
    /// Prefix of every call id of the run.
    pub run_id: String,
    /// How many different new-caller numbers there are (smaller than the run, so they return).
    pub pool: u64,
    /// Open loop: calls arrive at a rate and talk between requests.
    pub pace: Option<Pace>,
    /// Wakes paced requests at their send time, to the sub-millisecond.
    pub timer: Timer,
}

/// Plays call number `index` of the run; a paced run (`Shared::pace`) says when the call was
/// meant to start.
pub async fn play(shared: &Shared, index: u64, start: Option<Instant>) -> Tally {
    let mut rng = Rng::fork(shared.seed, index);
    let tenant = rng.pick(&shared.tenants);
    let caller = scenario::caller(tenant, &mut rng, shared.pool);
    let mut intent = scenario::intent(&mut rng);
    if caller.phone().is_none() {
        // Without a number there is nothing of theirs to change; some practices want one to book.
        intent = match intent {
            Intent::Book | Intent::Reschedule | Intent::Cancel if tenant.anonymous_may_book => Intent::Book,
            Intent::Book | Intent::Reschedule | Intent::Cancel => Intent::Callback,
            other => other,
        };
    }
    let german_args = tenant.language == Language::De && rng.chance(0.5);
    let mut player = Player {
        shared,
        tenant,
        call_id: format!("{}-{index:06}", shared.run_id),
        server: shared.sender.pick_server(),
        started_ms: jiff::Timestamp::now().as_millisecond(),
        today: None,
        functions: 0,
        caller,
        german_args,
        rng,
        tally: Tally { calls: 1, ..Tally::default() },
        schedule: shared.pace.as_ref().zip(start).map(|(pace, start)| pace.schedule(shared.seed, index, start)),
        answered: Instant::now(),
    };
    player.play(intent).await;
    let Player { mut tally, call_id, .. } = player;
    let sent = u32::try_from(tally.function_requests).unwrap_or(u32::MAX);
    tally.sent.insert(call_id, sent);
    tally
}

/// How `call_started` arrives.
#[derive(Clone, Copy)]
enum Start {
    Normal,
    /// At the same moment as the first function call.
    Racing,
    /// After the first function call.
    Late,
    /// Never.
    Lost,
}

/// How the end of the call arrives.
#[derive(Clone, Copy)]
enum End {
    Normal,
    /// `call_analyzed` before `call_ended`.
    Swapped,
    /// Both at once.
    Racing,
    /// Neither: left to the reconciler.
    Lost,
}

/// Where a booking should go.
#[derive(Clone, Debug)]
enum Target {
    /// As the caller said it.
    Said { date: String, time: String },
    /// A slot the server offered (local ISO start and staff name).
    Slot { start: String, staff: Option<String> },
}

/// What came back from one request.
struct Sent {
    result: Result<(u16, String), SendError>,
    samples: Samples,
}

/// Sends a request meant to go out at `intended` (now, unless the call is paced).
async fn post(sender: &Sender, server: usize, path: &str, bytes: Vec<u8>, kind: &str, intended: Instant) -> Sent {
    let mut samples = Samples::default();
    let result = sender.signed_bytes_since(server, path, bytes, kind, &mut samples, intended).await;
    Sent { result, samples }
}

struct Player<'a> {
    shared: &'a Shared,
    tenant: &'a Tenant,
    caller: Caller,
    call_id: String,
    server: usize,
    started_ms: i64,
    today: Option<Date>,
    functions: u32,
    german_args: bool,
    rng: Rng,
    tally: Tally,
    /// When the next request is meant to go out, in a paced run.
    schedule: Option<Schedule>,
    /// When the last answer arrived.
    answered: Instant,
}

impl Player<'_> {
    async fn play(&mut self, intent: Intent) {
        let chaos = self.shared.chaos;
        // The whole story is drawn up front, so one seed always plays the same calls.
        let start = match (chaos, self.rng.below(12)) {
            (false, _) | (true, 4..) => Start::Normal,
            (true, 0) => Start::Lost,
            (true, 1 | 2) => Start::Racing,
            (true, 3) => Start::Late,
        };
        let end = match (chaos, self.rng.below(12)) {
            (true, 0) if self.shared.fake.is_some() => End::Lost,
            (true, 1) => End::Swapped,
            (true, 2) => End::Racing,
            _ => End::Normal,
        };
        if let Some(fake) = &self.shared.fake {
            fake.put_call(self.call_object("ongoing"));
        }

        let inbound = self.inbound().await;
        self.today = inbound
            .as_ref()
            .and_then(|v| v["call_inbound"]["dynamic_variables"]["current_date"].as_str())
            .and_then(|d| d.parse().ok());
        let first = match start {
            Start::Normal => {
                self.webhook("call_started", "ongoing").await;
                self.initialize().await
            }
            Start::Racing => {
                self.count_chaos("call_started_racing_first_function");
                let started = self.webhook_bytes("call_started", "ongoing");
                let init = self.function_request("initialize_call", json!({}));
                let since = self.due().await;
                let sender = &self.shared.sender;
                let (a, b) = tokio::join!(
                    post(sender, self.server, "/webhooks/retell", started, "webhook:call_started", since),
                    post(sender, self.server, &init.1, init.2, "fn:initialize_call", since),
                );
                self.tally.webhook_requests += 1;
                self.received(a, "webhook:call_started", 204);
                self.function_sent("initialize_call", b, None)
            }
            Start::Late => {
                self.count_chaos("call_started_late");
                let init = self.initialize().await;
                self.webhook("call_started", "ongoing").await;
                init
            }
            Start::Lost => {
                self.count_chaos("call_started_lost");
                self.initialize().await
            }
        };
        if self.today.is_none() {
            self.today = first["now"]["date"].as_str().and_then(|d| d.parse().ok());
        }

        match intent {
            Intent::Book => self.book().await,
            Intent::Reschedule => self.reschedule().await,
            Intent::Cancel => self.cancel().await,
            Intent::Question => self.question().await,
            Intent::Callback => self.callback().await,
        }
        while self.functions < 3 {
            if self.caller.phone().is_some() {
                self.function("get_customer_appointments", json!({})).await;
            } else {
                self.function("get_opening_hours", json!({})).await;
            }
        }

        // The caller's last words, and the call's full length, before it ends.
        if let Some(schedule) = &mut self.schedule {
            schedule.hang_up_after(self.answered);
        }
        self.wait().await;
        let ended = self.ended_object();
        if let Some(fake) = &self.shared.fake {
            fake.put_call(ended.clone());
        }
        match end {
            End::Normal => {
                self.webhook_with("call_ended", ended.clone()).await;
                self.webhook_with("call_analyzed", ended).await;
            }
            End::Swapped => {
                self.count_chaos("call_analyzed_before_call_ended");
                self.webhook_with("call_analyzed", ended.clone()).await;
                self.webhook_with("call_ended", ended).await;
            }
            End::Racing => {
                self.count_chaos("call_ended_racing_call_analyzed");
                let a = self.envelope("call_ended", ended.clone());
                let b = self.envelope("call_analyzed", ended);
                let since = self.due().await;
                let sender = &self.shared.sender;
                let (ra, rb) = tokio::join!(
                    post(sender, self.server, "/webhooks/retell", a, "webhook:call_ended", since),
                    post(sender, self.server, "/webhooks/retell", b, "webhook:call_analyzed", since),
                );
                self.tally.webhook_requests += 2;
                self.received(ra, "webhook:call_ended", 204);
                self.received(rb, "webhook:call_analyzed", 204);
            }
            End::Lost => self.count_chaos("call_ended_lost"),
        }
    }
}
