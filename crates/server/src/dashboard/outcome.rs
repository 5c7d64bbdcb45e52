//! The dashboard's changes are the admin API's operations (`crate::admin`), called in process:
//! the same checks, transaction, audit entry and idempotency. This reads their answer back.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::page::PageError;

/// A change that was refused, with what the operation said.
#[derive(Debug)]
pub struct Refused {
    /// The answer's status.
    pub status: StatusCode,
    /// Its machine-readable code (`slot_taken`, `customer_already_booked`, …).
    pub code: String,
    /// Its message (English: shown when the page has no words of its own for the code).
    pub message: String,
    /// The whole answer (alternatives, the appointment in the way).
    pub body: Value,
}

/// The operation's answer: its JSON on success, the refusal otherwise. A failure of the answer
/// itself is a page error.
pub async fn read(response: Response) -> Result<Result<Value, Refused>, PageError> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(|_| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read"))?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(Ok(body));
    }
    if status.is_server_error() {
        let message = body["error"]["message"].as_str().unwrap_or("internal error").to_owned();
        return Err(PageError::new(status, message));
    }
    let code = body["error"]["code"].as_str().unwrap_or_default().to_owned();
    let message = body["error"]["message"].as_str().unwrap_or_default().to_owned();
    Ok(Err(Refused { status, code, message, body }))
}
