//! How every operator change is carried out: in one write transaction, recorded in the audit
//! log in that same transaction, and (for `POST`) under the request's `Idempotency-Key`, so that
//! a retried request gets the first answer instead of doing the change twice.
//!
//! A handler's work returns an [`Answer`] — success or refusal — and both are remembered for the
//! key: a refused request retried is refused the same way. Only a failure of the store itself
//! rolls everything back (key included), so that a retry can succeed.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::Principal;
use frontdesk_domain::ids::CompanyId;
use frontdesk_store::model::{IdempotentReplay, NewAudit};
use frontdesk_store::{StoreError, StoreTx, WriteFuture};
use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The header naming a request's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The answer to an operator's change.
#[derive(Clone, Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
    /// A secret shown once (a generated password, a new token): part of this answer, never of
    /// the answer remembered for the idempotency key, which is stored in the database.
    pub secret: Option<(&'static str, String)>,
}

impl Answer {
    /// An answer.
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self { status, body, secret: None }
    }

    /// Adds a secret shown once under `field`.
    pub fn with_secret(mut self, field: &'static str, value: String) -> Self {
        self.secret = Some((field, value));
        self
    }

    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Self::new(StatusCode::OK, body)
    }
}

impl From<ApiError> for Answer {
    fn from(error: ApiError) -> Self {
        Self::new(error.status, error.body())
    }
}

impl IntoResponse for Answer {
    fn into_response(mut self) -> Response {
        if let Some((field, value)) = self.secret.take() {
            self.body[field] = Value::String(value);
        }
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// A request's idempotency key with the fingerprint of the request it was first used for.
#[derive(Clone, Debug)]
pub struct Idempotency {
    key: String,
    fingerprint: String,
}

impl Idempotency {
    /// The key of a request, if it has one; a malformed key is a 400.
    pub fn of(method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<Option<Self>, ApiError> {
        let Some(raw) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
        let key = raw
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 255)
            .ok_or_else(|| ApiError::bad_request("`Idempotency-Key` must be 1 to 255 visible characters"))?;
        let mut hash = Sha256::new();
        hash.update(method.as_str().as_bytes());
        hash.update([0]);
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(body);
        Ok(Some(Self { key: key.to_owned(), fingerprint: hex::encode(hash.finalize()) }))
    }
}

impl Idempotency {
    /// The key of a dashboard form: a nonce rendered into the form, so that submitting it twice
    /// (a double click, a reload after a lost answer) changes once. `what` is what the form
    /// asks for: the same nonce with other values is refused, not replayed.
    pub fn form(path: &str, nonce: &str, what: &str) -> Option<Self> {
        let nonce = nonce.trim();
        if nonce.is_empty() || nonce.len() > 255 {
            return None;
        }
        let mut hash = Sha256::new();
        hash.update(b"form\0");
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(what.as_bytes());
        Some(Self { key: format!("form:{nonce}"), fingerprint: hex::encode(hash.finalize()) })
    }
}

/// Runs `work` in one write transaction under `key` (if any) and answers.
pub async fn run<F>(
    state: &AppState,
    principal: &Principal,
    key: Option<Idempotency>,
    work: F,
) -> Result<Response, ApiError>
where
    F: for<'t> FnOnce(&'t mut dyn StoreTx) -> WriteFuture<'t, Answer> + Send + 'static,
{
    let who = principal.key();
    let (answer, replayed) = state
        .store()
        .write(move |tx| {
            Box::pin(async move {
                if let Some(k) = &key {
                    match tx.claim_operator_key(&who, &k.key, &k.fingerprint, Timestamp::now()).await? {
                        IdempotentReplay::First => {}
                        IdempotentReplay::Answered { status, body } => {
                            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                            let body = serde_json::from_str(&body).unwrap_or(Value::Null);
                            return Ok((Answer::new(status, body), true));
                        }
                        IdempotentReplay::Mismatch => {
                            let refused = ApiError::new(
                                StatusCode::UNPROCESSABLE_ENTITY,
                                "idempotency_key_reused",
                                "this `Idempotency-Key` was used for a different request",
                            );
                            return Ok((Answer::from(refused), false));
                        }
                    }
                }
                let answer = work(&mut *tx).await?;
                if let Some(k) = &key {
                    tx.store_operator_answer(&who, &k.key, answer.status.as_u16(), &answer.body.to_string()).await?;
                }
                Ok((answer, false))
            })
        })
        .await?;
    let mut response = answer.into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// One audit log entry for a change made in `tx`.
pub struct Audit<'a> {
    /// Who.
    pub principal: &'a Principal,
    /// The company changed (`None`: the platform).
    pub company: Option<CompanyId>,
    /// What was done.
    pub action: &'a str,
    /// What kind of thing.
    pub entity: &'a str,
    /// Which one.
    pub id: String,
}

impl Audit<'_> {
    /// Writes the entry with the thing before and after, and the caller policies overridden.
    pub async fn write(
        self,
        tx: &mut dyn StoreTx,
        before: Option<Value>,
        after: Option<Value>,
        overridden: &[&str],
    ) -> Result<(), StoreError> {
        let entry = NewAudit {
            company_id: self.company,
            actor: &self.principal.actor,
            action: self.action,
            entity: self.entity,
            entity_id: Some(self.id),
            before,
            after,
            overridden: overridden.iter().map(|s| (*s).to_owned()).collect(),
            at: Timestamp::now(),
        };
        tx.audit(&entry).await?;
        Ok(())
    }
}
