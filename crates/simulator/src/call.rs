//! One simulated phone call, played exactly as Retell would play it: `call_inbound`, `call_started`,
//! the agent's function calls with what the caller says, `call_ended` and `call_analyzed` — and,
//! with chaos, Retell's duplicate deliveries, reorderings, lost webhooks and retried function calls.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_domain::locale::Language;
use frontdesk_retell::fake::FakeRetell;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::client::{SendError, Sender};
use crate::ledger::{Held, Ledger};
use crate::rng::Rng;
use crate::scenario::{self, Caller, Intent, Tenant};
use crate::stats::Samples;

/// The most function calls one simulated call makes (the 3–8).
const MAX_FUNCTIONS: u32 = 8;
/// Functions whose retried request must be answered byte for byte like the first.
const SIDE_EFFECTS: &[&str] = &["book_appointment", "cancel_appointment", "reschedule_appointment", "request_callback"];
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
}

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

/// Plays call number `index` of the run.
pub async fn play(shared: &Shared, index: u64) -> Tally {
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

async fn post(sender: &Sender, server: usize, path: &str, bytes: Vec<u8>, kind: &str) -> Sent {
    let mut samples = Samples::default();
    let result = sender.signed_bytes(server, path, bytes, kind, &mut samples).await;
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
                let sender = &self.shared.sender;
                let (a, b) = tokio::join!(
                    post(sender, self.server, "/webhooks/retell", started, "webhook:call_started"),
                    post(sender, self.server, &init.1, init.2, "fn:initialize_call"),
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
                let sender = &self.shared.sender;
                let (ra, rb) = tokio::join!(
                    post(sender, self.server, "/webhooks/retell", a, "webhook:call_ended"),
                    post(sender, self.server, "/webhooks/retell", b, "webhook:call_analyzed"),
                );
                self.tally.webhook_requests += 2;
                self.received(ra, "webhook:call_ended", 204);
                self.received(rb, "webhook:call_analyzed", 204);
            }
            End::Lost => self.count_chaos("call_ended_lost"),
        }
    }

    // ---- what callers want ----

    async fn book(&mut self) {
        if self.caller.phone().is_some() && self.rng.chance(0.4) {
            self.function("check_customer", json!({})).await;
        }
        let service = self.rng.pick(&self.tenant.services).clone();
        match self.rng.below(10) {
            0..3 => {
                self.function("list_services", json!({})).await;
            }
            3..5 => {
                let args = self.args(&[("service", json!(service))]);
                self.function("get_service_info", args).await;
            }
            _ => {}
        }
        let (date, hour, minute) = self.wish(true);
        let said = Target::Said { date: self.say_date(date), time: self.say_time(hour, minute) };
        let target = if self.rng.chance(0.75) {
            let Target::Said { date, time } = &said else { unreachable!("just built") };
            let args = self.args(&[("service", json!(service)), ("date", json!(date)), ("time", json!(time))]);
            let answer = self.function("check_availability", args).await;
            match answer["status"].as_str() {
                Some("available") => Some(said),
                Some("unavailable") => self.pick_slot(&answer["alternatives"]),
                _ => {
                    let args = self.args(&[("service", json!(service))]);
                    let next = self.function("find_next_available", args).await;
                    self.pick_slot(&next["slots"])
                }
            }
        } else {
            Some(said)
        };
        if let Some(target) = target {
            self.book_at(&service, target).await;
        }
        if self.rng.chance(0.15) && self.caller.phone().is_some() {
            self.function("get_customer_appointments", json!({})).await;
        }
    }

    async fn book_at(&mut self, service: &str, mut target: Target) {
        for _ in 0..3 {
            let mut pairs = vec![("service", json!(service)), ("customer_name", json!(self.caller.name()))];
            match &target {
                Target::Said { date, time } => {
                    pairs.push(("date", json!(date)));
                    pairs.push(("time", json!(time)));
                }
                Target::Slot { start, staff } => {
                    pairs.push(("datetime", json!(start)));
                    if let Some(staff) = staff {
                        pairs.push(("staff", json!(staff)));
                    }
                }
            }
            let args = self.args(&pairs);
            let answer = self.function("book_appointment", args).await;
            match answer["status"].as_str() {
                Some("booked") => {
                    let appointment = &answer["appointment"];
                    if let (Some(id), Some(start)) = (appointment["id"].as_i64(), appointment["start"].as_str()) {
                        let held = Held { id, start: start.to_owned() };
                        self.shared.ledger.booked(self.caller.phone(), held, &self.call_id);
                    } else {
                        self.tally
                            .violations
                            .push(format!("{}: `booked` without an appointment: {answer}", self.call_id));
                    }
                    return;
                }
                Some("slot_taken" | "unavailable") => match self.pick_slot(&answer["alternatives"]) {
                    Some(next) => target = next,
                    None => return,
                },
                _ => return,
            }
        }
    }

    async fn reschedule(&mut self) {
        let Some(phone) = self.caller.phone().map(str::to_owned) else { return };
        self.function("get_customer_appointments", json!({})).await;
        let Some(mut held) = self.shared.ledger.take(&phone, &mut self.rng) else {
            return self.book().await;
        };
        let (date, hour, minute) = self.wish(false);
        let (mut new_date, mut new_time) = (self.say_date(date), self.say_time(hour, minute));
        let mut by_id = self.rng.chance(0.7);
        for _ in 0..3 {
            let mut pairs = vec![("new_date", json!(new_date)), ("new_time", json!(new_time))];
            if by_id {
                pairs.push(("appointment_id", json!(held.id)));
            } else {
                pairs.push(("old_date", json!(&held.start[..10])));
                pairs.push(("old_time", json!(&held.start[11..16])));
            }
            let answer = self
                .function(
                    "reschedule_appointment",
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
                )
                .await;
            match answer["status"].as_str() {
                Some("rescheduled") => {
                    if let Some(start) = answer["appointment"]["start"].as_str() {
                        self.shared.ledger.rescheduled(held.id, start);
                        start.clone_into(&mut held.start);
                    }
                    break;
                }
                Some("unavailable") => match self.pick_slot(&answer["alternatives"]) {
                    Some(Target::Slot { start, .. }) if start.len() >= 16 => {
                        new_date = start[..10].to_owned();
                        new_time = start[11..16].to_owned();
                    }
                    _ => break,
                },
                Some("multiple_found") => by_id = true,
                Some("not_found") => {
                    self.tally
                        .violations
                        .push(format!("{}: appointment {} of its caller not found", self.call_id, held.id));
                    break;
                }
                _ => break,
            }
        }
        self.shared.ledger.give_back(&phone, held);
    }

    async fn cancel(&mut self) {
        let Some(phone) = self.caller.phone().map(str::to_owned) else { return };
        self.function("get_customer_appointments", json!({})).await;
        let Some(held) = self.shared.ledger.take(&phone, &mut self.rng) else {
            return self.book().await;
        };
        let mut by_id = self.rng.chance(0.6);
        let reason = self.rng.chance(0.5);
        for _ in 0..2 {
            let mut args = serde_json::Map::new();
            if by_id {
                args.insert("appointment_id".into(), json!(held.id));
            } else {
                args.insert("date".into(), json!(&held.start[..10]));
                args.insert("time".into(), json!(&held.start[11..16]));
            }
            if reason {
                let why = match self.tenant.language {
                    Language::De => "Ich bin krank",
                    Language::En => "Something came up at work",
                };
                args.insert("reason".into(), json!(why));
            }
            let answer = self.function("cancel_appointment", Value::Object(args)).await;
            match answer["status"].as_str() {
                Some("cancelled") => {
                    self.shared.ledger.cancelled(held.id);
                    return;
                }
                Some("multiple_found") => by_id = true,
                Some("not_found") => {
                    self.tally
                        .violations
                        .push(format!("{}: appointment {} of its caller not found", self.call_id, held.id));
                    break;
                }
                _ => break,
            }
        }
        self.shared.ledger.give_back(&phone, held);
    }

    async fn question(&mut self) {
        let service = self.rng.pick(&self.tenant.services).clone();
        if self.rng.chance(0.6) {
            let args = if self.rng.chance(0.5) {
                let (date, _, _) = self.wish(false);
                let date = self.say_date(date);
                self.args(&[("date", json!(date))])
            } else {
                json!({})
            };
            self.function("get_opening_hours", args).await;
        }
        if self.rng.chance(0.6) {
            self.function("list_services", json!({})).await;
        }
        let args = self.args(&[("service", json!(service))]);
        self.function("get_service_info", args).await;
        let mut pairs = vec![("service", json!(service))];
        if self.rng.chance(0.4) {
            let window = match (self.tenant.language, self.rng.below(3)) {
                (Language::De, 0) => "vormittags",
                (Language::De, 1) => "nachmittags",
                (Language::De, _) => "abends",
                (Language::En, 0) => "morning",
                (Language::En, 1) => "afternoon",
                (Language::En, _) => "evening",
            };
            pairs.push(("time_window", json!(window)));
        }
        let args = self.args(&pairs);
        self.function("find_next_available", args).await;
        if self.rng.chance(0.4) {
            let (date, _, _) = self.wish(false);
            let date = self.say_date(date);
            let args = self.args(&[("service", json!(service)), ("date", json!(date))]);
            self.function("check_availability", args).await;
        }
    }

    async fn callback(&mut self) {
        self.function("check_customer", json!({})).await;
        let reason = match self.tenant.language {
            Language::De => "Frage zu einer Rechnung",
            Language::En => "Question about insurance coverage",
        };
        let mut args = serde_json::Map::new();
        args.insert("customer_name".into(), json!(self.caller.name()));
        args.insert("reason".into(), json!(reason));
        if self.rng.chance(0.5) {
            let time = match self.tenant.language {
                Language::De => "morgen Vormittag",
                Language::En => "tomorrow afternoon",
            };
            args.insert("preferred_time".into(), json!(time));
        }
        if self.caller.phone().is_none() {
            let number = match self.tenant.language {
                Language::De => "0170 5550123",
                Language::En => "(212) 555-0177",
            };
            args.insert("phone".into(), json!(number));
        }
        self.function("request_callback", Value::Object(args)).await;
    }

    // ---- what they say ----

    /// A date, hour and minute the caller asks for; `popular` callers crowd the first open day's
    /// best hours.
    fn wish(&mut self, popular: bool) -> (Date, i8, i8) {
        let today = self.today.unwrap_or_else(|| jiff::Zoned::now().date());
        if popular && self.rng.chance(0.3) {
            let date = scenario::first_open_date(self.tenant, today);
            let hour = *self.rng.pick(&[self.tenant.hours.0, self.tenant.hours.0 + 1, 14]);
            return (date, hour, 0);
        }
        let horizon = if self.rng.chance(0.5) { 7 } else { 40 };
        let date = scenario::open_date(self.tenant, today, &mut self.rng, horizon);
        let (from, to) = self.tenant.hours;
        let hour = from + self.rng.below((to - from + 1) as u64) as i8;
        let minute = *self.rng.pick(&[0, 0, 0, 30, 30, 15, 45]);
        (date, hour, minute)
    }

    fn say_date(&mut self, date: Date) -> String {
        let today = self.today.unwrap_or(date);
        scenario::say_date(self.tenant.language, date, today, &mut self.rng)
    }

    fn say_time(&mut self, hour: i8, minute: i8) -> String {
        scenario::say_time(self.tenant.language, hour, minute, &mut self.rng)
    }

    /// Arguments, under the German names half the time at a German tenant.
    fn args(&self, pairs: &[(&str, Value)]) -> Value {
        let name = |n: &str| -> String {
            if !self.german_args {
                return n.to_owned();
            }
            match n {
                "service" => "dienstleistung",
                "date" => "datum",
                "time" => "uhrzeit",
                "customer_name" => "name",
                "staff" => "mitarbeiter",
                other => other,
            }
            .to_owned()
        };
        Value::Object(pairs.iter().map(|(k, v)| (name(k), v.clone())).collect())
    }

    /// One of the offered slots (the first more often: that is the one the agent reads first).
    fn pick_slot(&mut self, slots: &Value) -> Option<Target> {
        let slots = slots.as_array().filter(|s| !s.is_empty())?;
        let slot = if self.rng.chance(0.6) { &slots[0] } else { self.rng.pick(slots) };
        let start = slot["start"].as_str()?.to_owned();
        let staff = slot["staff"].as_str().map(str::to_owned).filter(|_| self.rng.chance(0.7));
        Some(Target::Slot { start, staff })
    }

    // ---- how Retell sends it ----

    fn call_object(&self, status: &str) -> Value {
        json!({
            "call_id": self.call_id,
            "agent_id": format!("agent_sim_{}", self.tenant.key),
            "agent_version": 1,
            "call_type": "phone_call",
            "call_status": status,
            "direction": "inbound",
            "from_number": self.caller.from_number(),
            "to_number": self.tenant.number,
            "start_timestamp": self.started_ms,
            "metadata": {"simulated": true},
        })
    }

    fn ended_object(&self) -> Value {
        let mut call = self.call_object("ended");
        let now = jiff::Timestamp::now().as_millisecond();
        call["end_timestamp"] = json!(now);
        call["duration_ms"] = json!(now - self.started_ms);
        call["disconnection_reason"] = json!("user_hangup");
        call["transcript"] = json!("Agent: Hello.\nUser: (simulated)\n");
        call["call_analysis"] =
            json!({"call_successful": true, "call_summary": "Simulated call.", "user_sentiment": "Neutral"});
        call
    }

    fn envelope(&self, event: &str, call: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"event": event, "call": call})).unwrap_or_default()
    }

    fn webhook_bytes(&self, event: &str, status: &str) -> Vec<u8> {
        self.envelope(event, self.call_object(status))
    }

    async fn inbound(&mut self) -> Option<Value> {
        let body = json!({"event": "call_inbound", "call_inbound": {
            "from_number": self.caller.from_number(),
            "to_number": self.tenant.number,
            "agent_id": format!("agent_sim_{}", self.tenant.key),
        }});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        self.deliver("call_inbound", bytes, 200).await.and_then(|text| serde_json::from_str(&text).ok())
    }

    async fn webhook(&mut self, event: &str, status: &str) {
        let bytes = self.webhook_bytes(event, status);
        self.deliver(event, bytes, 204).await;
    }

    async fn webhook_with(&mut self, event: &str, call: Value) {
        let bytes = self.envelope(event, call);
        self.deliver(event, bytes, 204).await;
    }

    /// Delivers a webhook; with chaos, sometimes twice (one after the other or at once), and
    /// sometimes after a pause.
    async fn deliver(&mut self, event: &str, bytes: Vec<u8>, expect: u16) -> Option<String> {
        let kind = format!("webhook:{event}");
        self.pause().await;
        let duplicate = self.shared.chaos && self.rng.chance(0.12);
        let together = duplicate && self.rng.chance(0.5);
        let sender = &self.shared.sender;
        if together {
            self.count_chaos("duplicate_webhook_concurrent");
            let (a, b) = tokio::join!(
                post(sender, self.server, "/webhooks/retell", bytes.clone(), &kind),
                post(sender, self.server, "/webhooks/retell", bytes, &kind),
            );
            self.tally.webhook_requests += 2;
            let first = self.received(a, &kind, expect);
            self.received(b, &kind, expect);
            return first;
        }
        let a = post(sender, self.server, "/webhooks/retell", bytes.clone(), &kind).await;
        self.tally.webhook_requests += 1;
        let first = self.received(a, &kind, expect);
        if duplicate {
            self.count_chaos("duplicate_webhook");
            let b = post(&self.shared.sender, self.server, "/webhooks/retell", bytes, &kind).await;
            self.tally.webhook_requests += 1;
            self.received(b, &kind, expect);
        }
        first
    }

    async fn initialize(&mut self) -> Value {
        self.function("initialize_call", json!({})).await
    }

    /// The name, path and body of a function call: sometimes under an alias or a versioned name,
    /// sometimes with the name in the path, as differently configured agents send them.
    fn function_request(&mut self, function: &str, args: Value) -> (String, String, Vec<u8>) {
        let alias = self.rng.chance(0.2);
        let name = match function {
            "initialize_call" if alias => "get_current_context".to_owned(),
            "book_appointment" if alias => "book_appointment_v17".to_owned(),
            "get_customer_appointments" if alias => "query_appointment".to_owned(),
            "check_availability" if alias => "check_availability_v3".to_owned(),
            other => other.to_owned(),
        };
        let path =
            if self.rng.chance(0.3) { format!("/retell/functions/{name}") } else { "/retell/functions".to_owned() };
        let body = json!({"name": name, "args": args, "call": self.call_object("ongoing")});
        (name, path, serde_json::to_vec(&body).unwrap_or_default())
    }

    /// Calls a function and returns its answer (`null` if there was none). With chaos, the
    /// request is sometimes sent twice, as Retell does when an answer is slow: a function with
    /// side effects must answer the retry byte for byte like the first.
    async fn function(&mut self, function: &str, args: Value) -> Value {
        if self.functions >= MAX_FUNCTIONS {
            return Value::Null;
        }
        self.pause().await;
        let (_, path, bytes) = self.function_request(function, args);
        let kind = format!("fn:{function}");
        let retry = self.shared.chaos && self.rng.chance(0.1);
        let together = retry && self.rng.chance(0.5);
        let sender = &self.shared.sender;
        let (first, second) = if together {
            self.count_chaos("function_retried_concurrently");
            let (a, b) = tokio::join!(
                post(sender, self.server, &path, bytes.clone(), &kind),
                post(sender, self.server, &path, bytes, &kind),
            );
            (a, Some(b))
        } else {
            let a = post(sender, self.server, &path, bytes.clone(), &kind).await;
            let b = if retry {
                self.count_chaos("function_retried");
                Some(post(&self.shared.sender, self.server, &path, bytes, &kind).await)
            } else {
                None
            };
            (a, b)
        };
        self.function_sent(function, first, second)
    }

    /// Records a function's answer (and its retry's), and returns the answer.
    fn function_sent(&mut self, function: &str, first: Sent, second: Option<Sent>) -> Value {
        self.functions += 1;
        let kind = format!("fn:{function}");
        self.tally.function_requests += 1;
        let text = self.received(first, &kind, 200);
        if let Some(second) = second {
            self.tally.function_requests += 1;
            let again = self.received(second, &kind, 200);
            if SIDE_EFFECTS.contains(&function)
                && let (Some(a), Some(b)) = (&text, &again)
                && a != b
            {
                self.tally
                    .violations
                    .push(format!("{}: {function} answered its retry differently:\n  {a}\n  {b}", self.call_id));
            }
        }
        let answer: Value = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
        let status = answer["status"].as_str().unwrap_or("(no answer)").to_owned();
        *self.tally.statuses.entry(function.to_owned()).or_default().entry(status).or_default() += 1;
        answer
    }

    /// Records the latency and checks the HTTP status; returns the body if it was `expect`.
    fn received(&mut self, sent: Sent, kind: &str, expect: u16) -> Option<String> {
        self.tally.samples.merge(sent.samples);
        match sent.result {
            Ok((status, text)) if status == expect => Some(text),
            Ok((status, text)) => {
                self.tally.errors.push(format!("{}: {kind} answered HTTP {status}: {text}", self.call_id));
                None
            }
            Err(e) => {
                self.tally.errors.push(format!("{}: {e}", self.call_id));
                None
            }
        }
    }

    /// With chaos, now and then a short pause, as real networks and callers make.
    async fn pause(&mut self) {
        if self.shared.chaos && self.rng.chance(0.1) {
            let ms = 1 + self.rng.below(40);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    fn count_chaos(&mut self, kind: &str) {
        *self.tally.chaos.entry(kind.to_owned()).or_default() += 1;
    }
}
