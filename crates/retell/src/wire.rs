//! Retell's payloads. Parsing is lenient on purpose: unknown fields are ignored, unknown enum
//! values stay strings, and a field of the wrong type reads as absent instead of failing the whole
//! payload — Retell adds fields over time, and a webhook must not be lost over one of them.

use frontdesk_domain::call::{CallFacts, CallStatus};
use frontdesk_domain::money::Cents;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A string, or a number read as a string; anything else is absent.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An integer, a float or a numeric string; anything else is absent.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 9e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => Some(m),
        _ => None,
    })
}

/// A call as Retell describes it (`GET /v2/get-call/{id}` and every webhook and function call).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct CallObject {
    /// Retell's call id.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    /// The agent.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// `phone_call` / `web_call`.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub call_type: Option<String>,
    /// `registered`, `ongoing`, `ended`, `not_connected`, `error`, or something newer.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub call_status: Option<String>,
    /// `inbound` / `outbound`.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Caller id; may be `anonymous` or empty.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub from_number: Option<String>,
    /// Dialled number.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub to_number: Option<String>,
    /// Unix milliseconds.
    #[serde(default, deserialize_with = "lenient_i64", skip_serializing_if = "Option::is_none")]
    pub start_timestamp: Option<i64>,
    /// Unix milliseconds.
    #[serde(default, deserialize_with = "lenient_i64", skip_serializing_if = "Option::is_none")]
    pub end_timestamp: Option<i64>,
    /// Length.
    #[serde(default, deserialize_with = "lenient_i64", skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// Why it ended.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub disconnection_reason: Option<String>,
    /// "Agent: …\nUser: …".
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Recording.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    /// Log.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub public_log_url: Option<String>,
    /// Post-call analysis.
    #[serde(default, deserialize_with = "lenient_object", skip_serializing_if = "Option::is_none")]
    pub call_analysis: Option<Map<String, Value>>,
    /// Costs, in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_cost: Option<CallCost>,
    /// Dynamic variables the agent was given.
    #[serde(default, deserialize_with = "lenient_object", skip_serializing_if = "Option::is_none")]
    pub retell_llm_dynamic_variables: Option<Map<String, Value>>,
}

/// `call_cost`; all money in cents, possibly fractional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct CallCost {
    /// Total.
    #[serde(default, deserialize_with = "lenient_f64", skip_serializing_if = "Option::is_none")]
    pub combined_cost: Option<f64>,
}

fn millis(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

impl CallObject {
    /// Reads a call object out of any JSON value; `None` unless it is an object.
    pub fn from_value(value: &Value) -> Option<CallObject> {
        value.is_object().then(|| CallObject::deserialize(value).ok()).flatten()
    }

    /// What this snapshot says about the call.
    pub fn facts(&self) -> CallFacts {
        let non_empty = |s: &Option<String>| s.as_ref().map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
        CallFacts {
            status: self.call_status.as_deref().and_then(CallStatus::parse),
            agent_id: non_empty(&self.agent_id),
            direction: non_empty(&self.direction),
            from_number: self.from_number.clone(),
            to_number: non_empty(&self.to_number),
            started_at: millis(self.start_timestamp),
            ended_at: millis(self.end_timestamp),
            duration_ms: self.duration_ms,
            disconnection_reason: non_empty(&self.disconnection_reason),
            transcript: non_empty(&self.transcript),
            recording_url: non_empty(&self.recording_url),
            public_log_url: non_empty(&self.public_log_url),
            // serde_json's maps are ordered by key, so equal analyses serialise equally.
            analysis: self.call_analysis.as_ref().map(|a| Value::Object(a.clone()).to_string()),
            cost: self.call_cost.as_ref().and_then(|c| c.combined_cost).and_then(Cents::from_decimal_cents),
        }
    }
}

/// Webhook events frontdesk applies to calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifecycleEvent {
    /// The call connected.
    Started,
    /// The call ended.
    Ended,
    /// Post-call analysis is ready.
    Analyzed,
    /// The transcript grew.
    TranscriptUpdated,
    /// A transfer started, bridged, was cancelled or ended.
    Transfer,
}

impl LifecycleEvent {
    /// Classifies an event name; `None` for `call_inbound` and names frontdesk does not know.
    pub fn parse(event: &str) -> Option<Self> {
        Some(match event {
            "call_started" => Self::Started,
            "call_ended" => Self::Ended,
            "call_analyzed" => Self::Analyzed,
            "transcript_updated" => Self::TranscriptUpdated,
            "transfer_started" | "transfer_bridged" | "transfer_cancelled" | "transfer_ended" => Self::Transfer,
            _ => return None,
        })
    }
}

/// The key under which duplicate deliveries of an event are recognised (I3): event and call id
/// for lifecycle events, plus a start timestamp for transfers; `transcript_updated` is never
/// deduplicated (only the latest transcript matters, and the merge keeps the longest).
pub fn dedupe_key(event: &str, kind: LifecycleEvent, call_id: &str, body: &Value) -> Option<String> {
    match kind {
        LifecycleEvent::TranscriptUpdated => None,
        LifecycleEvent::Transfer => {
            let start = ["transfer_start_timestamp", "start_timestamp", "event_timestamp"]
                .iter()
                .find_map(|k| body.get(*k))
                .map(|v| v.to_string())
                .unwrap_or_default();
            // Bounded, so that it fits the unique index it is checked against whatever was sent.
            let start =
                if start.len() <= 64 { start } else { format!("sha256:{}", hex::encode(Sha256::digest(&start))) };
            Some(format!("{event}:{call_id}:{start}"))
        }
        _ => Some(format!("{event}:{call_id}")),
    }
}

/// The body of `call_inbound`: who calls which number.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct InboundCall {
    /// Caller id.
    #[serde(default, deserialize_with = "lenient_string")]
    pub from_number: Option<String>,
    /// Dialled number.
    #[serde(default, deserialize_with = "lenient_string")]
    pub to_number: Option<String>,
    /// The agent that will answer.
    #[serde(default, deserialize_with = "lenient_string")]
    pub agent_id: Option<String>,
}

/// A custom function call: `{"name", "args", "call"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionCall {
    /// The name as sent.
    pub name: String,
    /// The arguments (an object; anything else reads as empty).
    pub args: Map<String, Value>,
    /// The call snapshot.
    pub call: CallObject,
}

/// Why a function-call body cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FunctionCallError {
    /// Not JSON.
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    /// JSON, but no `call` object with a `call_id` (frontdesk needs Retell's default payload).
    #[error("the body has no `call` object with a `call_id`; enable the full payload in Retell")]
    NoCall,
}

impl FunctionCall {
    /// Parses a function-call body; `name_in_path` wins over the body's `name`.
    pub fn parse(body: &[u8], name_in_path: Option<&str>) -> Result<FunctionCall, FunctionCallError> {
        let value = frontdesk_domain::text::parse_json(body).map_err(|e| FunctionCallError::NotJson(e.to_string()))?;
        let call = value.get("call").and_then(CallObject::from_value).ok_or(FunctionCallError::NoCall)?;
        if call.call_id.as_deref().is_none_or(|id| id.trim().is_empty()) {
            return Err(FunctionCallError::NoCall);
        }
        let name = name_in_path
            .map(|n| frontdesk_domain::text::scrub(n).into_owned())
            .or_else(|| value.get("name").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let args = match value.get("args") {
            Some(Value::Object(m)) => m.clone(),
            Some(Value::String(s)) => match frontdesk_domain::text::parse_json(s.as_bytes()) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        Ok(FunctionCall { name, args, call })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_payloads_read_as_facts() {
        let ended: Value = serde_json::from_str(include_str!("../../../fixtures/retell/call_ended.json")).unwrap();
        let call = CallObject::from_value(&ended["call"]).unwrap();
        let facts = call.facts();
        assert_eq!(facts.status, Some(CallStatus::Ended));
        assert_eq!(facts.cost, Some(Cents(24)));
        assert_eq!(facts.duration_ms, Some(161_000));
        assert_eq!(facts.started_at, Some(Timestamp::from_millisecond(1_773_129_600_000).unwrap()));
        assert!(facts.transcript.unwrap().contains("Herrenhaarschnitt"));
        let analyzed: Value =
            serde_json::from_str(include_str!("../../../fixtures/retell/call_analyzed.json")).unwrap();
        let analysis = CallObject::from_value(&analyzed["call"]).unwrap().facts().analysis.unwrap();
        assert!(analysis.contains("\"call_successful\":true"));
    }

    #[test]
    fn wrong_types_read_as_absent() {
        let v = serde_json::json!({"call_id": 42, "start_timestamp": "1773129600000", "end_timestamp": {"x": 1},
            "call_cost": {"combined_cost": "oops"}, "call_status": "teleported", "call_analysis": [1, 2]});
        let call = CallObject::from_value(&v).unwrap();
        assert_eq!(call.call_id.as_deref(), Some("42"));
        let facts = call.facts();
        assert!(facts.started_at.is_some());
        assert_eq!((facts.ended_at, facts.cost, facts.status, facts.analysis), (None, None, None, None));
    }

    #[test]
    fn function_calls_need_the_call_object() {
        let body = include_bytes!("../../../fixtures/retell/function_check_availability.json");
        let f = FunctionCall::parse(body, None).unwrap();
        assert_eq!(f.name, "check_availability_v17");
        assert_eq!(f.args["uhrzeit"], "14 Uhr");
        assert_eq!(FunctionCall::parse(br#"{"name":"x","args":{}}"#, None), Err(FunctionCallError::NoCall));
        assert_eq!(FunctionCall::parse(br#"{"call":{"call_id":""}}"#, None), Err(FunctionCallError::NoCall));
        assert!(matches!(FunctionCall::parse(b"{", None), Err(FunctionCallError::NotJson(_))));
        let stringly =
            FunctionCall::parse(br#"{"name":"a","args":"{\"x\":1}","call":{"call_id":"c"}}"#, Some("b")).unwrap();
        assert_eq!((stringly.name.as_str(), stringly.args["x"].as_i64()), ("b", Some(1)));
    }

    #[test]
    fn dedupe_keys() {
        let body = serde_json::json!({});
        assert_eq!(dedupe_key("call_ended", LifecycleEvent::Ended, "c1", &body).as_deref(), Some("call_ended:c1"));
        assert_eq!(dedupe_key("transcript_updated", LifecycleEvent::TranscriptUpdated, "c1", &body), None);
        let transfer = serde_json::json!({"transfer_start_timestamp": 5});
        assert_eq!(
            dedupe_key("transfer_started", LifecycleEvent::Transfer, "c1", &transfer).as_deref(),
            Some("transfer_started:c1:5")
        );
    }
}
