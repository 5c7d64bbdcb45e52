//! The answer of every function: HTTP 200 with `{"success", "status", "message", …}`.

use frontdesk_domain::language::catalogue::{self, Msg};
use frontdesk_domain::locale::Language;
use frontdesk_retell::status::Status;
use serde_json::{Map, Value};

/// One function's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Whether the function did what was asked.
    pub success: bool,
    /// The machine-readable outcome.
    pub status: Status,
    /// What the agent says.
    pub message: String,
    /// Further fields (slots, appointments, …).
    pub fields: Map<String, Value>,
}

impl Answer {
    /// An ordinary outcome (the agent carries on).
    pub fn ok(status: Status, lang: Language, msg: &Msg<'_>) -> Answer {
        Answer { success: true, status, message: catalogue::say(lang, msg), fields: Map::new() }
    }

    /// The function could not do what was asked.
    pub fn fail(status: Status, lang: Language, msg: &Msg<'_>) -> Answer {
        Answer { success: false, status, message: catalogue::say(lang, msg), fields: Map::new() }
    }

    /// Adds a field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Answer {
        self.fields.insert(key.to_owned(), value.into());
        self
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let mut body = Map::with_capacity(self.fields.len() + 3);
        body.insert("success".into(), Value::Bool(self.success));
        body.insert("status".into(), Value::String(self.status.as_str().to_owned()));
        body.insert("message".into(), Value::String(self.message.clone()));
        body.extend(self.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        Value::Object(body)
    }
}
