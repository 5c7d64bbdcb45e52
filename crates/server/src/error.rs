//! The JSON error answer of every endpoint outside the function endpoint:
//! `{"error": {"code": "...", "message": "..."}}` with a fitting status; a 422 names each field
//! at fault in `error.fields: [{"field": "...", "message": "..."}]`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdesk_store::StoreError;
use serde_json::json;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: &'static str,
    /// A sentence for humans.
    pub message: String,
    /// The fields at fault (422).
    pub fields: Vec<FieldError>,
}

/// One field of a request body at fault.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's name in the request (`customer.email`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new() }
    }

    /// 422 naming the fields at fault.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
        Self { fields, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message) }
    }

    /// 422 for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    /// 403: authenticated, but the role does not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 429: too many attempts; retry later.
    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
    }

    /// 400: the request cannot be understood.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: missing or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 404: no such thing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 503: try again later.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: a bug; the details are logged, not sent.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }

    /// The generic answer for a status produced outside our handlers (a layer, the router).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body exceeds the limit"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed on this path"),
            StatusCode::NOT_FOUND => ("not_found", "no such endpoint"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send application/json"),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ("timeout", "request took too long"),
            s if s.is_client_error() => ("bad_request", "the request was refused"),
            _ => ("internal", "internal error; see the server log"),
        };
        Self::new(status, code, message)
    }
}

impl ApiError {
    /// The JSON body of this error: the one shape every error answer has.
    pub fn body(&self) -> serde_json::Value {
        if self.fields.is_empty() {
            json!({"error": {"code": self.code, "message": self.message}})
        } else {
            json!({"error": {"code": self.code, "message": self.message, "fields": self.fields}})
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::Unavailable(_) | StoreError::Group { transient: true, .. } => {
                tracing::warn!(%error, "database unavailable");
                Self::unavailable("database temporarily unavailable; retry")
            }
            StoreError::NotFound(what) => Self::not_found(format!("{what} not found")),
            StoreError::Conflict(_) => {
                Self::conflict("conflict", "a concurrent change or an existing record conflicts with this one")
            }
            StoreError::InvalidInput(message) => Self::bad_request(message.clone()),
            StoreError::Unstorable(e) => {
                tracing::warn!(error = %e, "data the database cannot store");
                Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unstorable",
                    "the request carries data that cannot be stored",
                )
            }
            StoreError::Rejected(e) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()),
            _ => {
                tracing::error!(%error, "store error");
                Self::internal()
            }
        }
    }
}
