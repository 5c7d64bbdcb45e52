//! How Retell sends a call: call objects, signed webhooks and function calls, with chaos
//! (duplicates, retries, lost deliveries) and what came back counted in the tally.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{MAX_FUNCTIONS, Player, SIDE_EFFECTS, Sent, post};
use crate::pace::Schedule;

impl Player<'_> {
    pub(super) fn call_object(&self, status: &str) -> Value {
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

    pub(super) fn ended_object(&self) -> Value {
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

    pub(super) fn envelope(&self, event: &str, call: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"event": event, "call": call})).unwrap_or_default()
    }

    pub(super) fn webhook_bytes(&self, event: &str, status: &str) -> Vec<u8> {
        self.envelope(event, self.call_object(status))
    }

    pub(super) async fn inbound(&mut self) -> Option<Value> {
        let body = json!({"event": "call_inbound", "call_inbound": {
            "from_number": self.caller.from_number(),
            "to_number": self.tenant.number,
            "agent_id": format!("agent_sim_{}", self.tenant.key),
        }});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        self.deliver("call_inbound", bytes, 200).await.and_then(|text| serde_json::from_str(&text).ok())
    }

    pub(super) async fn webhook(&mut self, event: &str, status: &str) {
        let bytes = self.webhook_bytes(event, status);
        self.deliver(event, bytes, 204).await;
    }

    pub(super) async fn webhook_with(&mut self, event: &str, call: Value) {
        let bytes = self.envelope(event, call);
        self.deliver(event, bytes, 204).await;
    }

    /// Delivers a webhook; with chaos, sometimes twice (one after the other or at once), and
    /// sometimes after a pause.
    pub(super) async fn deliver(&mut self, event: &str, bytes: Vec<u8>, expect: u16) -> Option<String> {
        let kind = format!("webhook:{event}");
        self.pause().await;
        let duplicate = self.shared.chaos && self.rng.chance(0.12);
        let together = duplicate && self.rng.chance(0.5);
        let since = self.due().await;
        let sender = &self.shared.sender;
        if together {
            self.count_chaos("duplicate_webhook_concurrent");
            let (a, b) = tokio::join!(
                post(sender, self.server, "/webhooks/retell", bytes.clone(), &kind, since),
                post(sender, self.server, "/webhooks/retell", bytes, &kind, since),
            );
            self.tally.webhook_requests += 2;
            let first = self.received(a, &kind, expect);
            self.received(b, &kind, expect);
            return first;
        }
        let a = post(sender, self.server, "/webhooks/retell", bytes.clone(), &kind, since).await;
        self.tally.webhook_requests += 1;
        let first = self.received(a, &kind, expect);
        if duplicate {
            self.count_chaos("duplicate_webhook");
            let b = post(&self.shared.sender, self.server, "/webhooks/retell", bytes, &kind, Instant::now()).await;
            self.tally.webhook_requests += 1;
            self.received(b, &kind, expect);
        }
        first
    }

    pub(super) async fn initialize(&mut self) -> Value {
        self.function("initialize_call", json!({})).await
    }

    /// The name, path and body of a function call: sometimes under an alias or a versioned name,
    /// sometimes with the name in the path, as differently configured agents send them.
    pub(super) fn function_request(&mut self, function: &str, args: Value) -> (String, String, Vec<u8>) {
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
    pub(super) async fn function(&mut self, function: &str, args: Value) -> Value {
        if self.functions >= MAX_FUNCTIONS {
            return Value::Null;
        }
        // The caller talks before the agent asks again (a paced run).
        if self.functions > 0
            && let Some(schedule) = &mut self.schedule
        {
            schedule.talk_after(self.answered);
        }
        self.pause().await;
        let (_, path, bytes) = self.function_request(function, args);
        let kind = format!("fn:{function}");
        let retry = self.shared.chaos && self.rng.chance(0.1);
        let together = retry && self.rng.chance(0.5);
        let since = self.due().await;
        let sender = &self.shared.sender;
        let (first, second) = if together {
            self.count_chaos("function_retried_concurrently");
            let (a, b) = tokio::join!(
                post(sender, self.server, &path, bytes.clone(), &kind, since),
                post(sender, self.server, &path, bytes, &kind, since),
            );
            (a, Some(b))
        } else {
            let a = post(sender, self.server, &path, bytes.clone(), &kind, since).await;
            let b = if retry {
                self.count_chaos("function_retried");
                Some(post(&self.shared.sender, self.server, &path, bytes, &kind, Instant::now()).await)
            } else {
                None
            };
            (a, b)
        };
        self.function_sent(function, first, second)
    }

    /// Records a function's answer (and its retry's), and returns the answer.
    pub(super) fn function_sent(&mut self, function: &str, first: Sent, second: Option<Sent>) -> Value {
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
    pub(super) fn received(&mut self, sent: Sent, kind: &str, expect: u16) -> Option<String> {
        self.answered = Instant::now();
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
    pub(super) async fn pause(&mut self) {
        if self.shared.chaos && self.rng.chance(0.1) {
            let ms = 1 + self.rng.below(40);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    /// When the next request is meant to go out: at its scheduled time in a paced run (waiting
    /// for it), now otherwise.
    pub(super) async fn due(&mut self) -> Instant {
        match self.schedule.as_mut().and_then(Schedule::take_due) {
            Some(due) => {
                self.shared.timer.sleep_until(due).await;
                due
            }
            None => Instant::now(),
        }
    }

    /// Waits for the next request's scheduled time without taking it (the request measures from it).
    pub(super) async fn wait(&mut self) {
        if let Some(due) = self.schedule.as_ref().and_then(Schedule::peek_due) {
            self.shared.timer.sleep_until(due).await;
        }
    }

    pub(super) fn count_chaos(&mut self, kind: &str) {
        *self.tally.chaos.entry(kind.to_owned()).or_default() += 1;
    }
}
