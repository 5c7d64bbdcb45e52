//! Retell's REST API, as far as frontdesk uses it: fetching a call for reconciliation.

use std::time::Duration;

use crate::wire::CallObject;

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// 429: back off (for `retry_after`, if Retell said).
    #[error("rate limited by Retell")]
    RateLimited {
        /// The `Retry-After` header, if any.
        retry_after: Option<Duration>,
    },
    /// 5xx: Retell has a problem; back off.
    #[error("Retell answered {0}")]
    Server(u16),
    /// 401/403: the API key is wrong.
    #[error("Retell refused the API key ({0})")]
    Unauthorized(u16),
    /// No answer (connection, timeout).
    #[error("could not reach Retell: {0}")]
    Transport(String),
    /// An answer that is not a call object.
    #[error("unexpected answer from Retell: {0}")]
    Invalid(String),
}

impl FetchError {
    /// Whether waiting and trying again may help.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Server(_) | Self::Transport(_))
    }
}

/// A client for `https://api.retellai.com` (or a fake in tests).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Client {
    /// A client with a per-request timeout.
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Client {
        // reqwest needs a process-wide TLS crypto provider; frontdesk uses ring (see README).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
        Client { http, base_url: base_url.trim_end_matches('/').to_owned(), api_key: api_key.to_owned() }
    }

    /// `GET /v2/get-call/{call_id}`; `Ok(None)` if Retell does not know the call.
    pub async fn get_call(&self, call_id: &str) -> Result<Option<CallObject>, FetchError> {
        let url = format!("{}/v2/get-call/{}", self.base_url, urlencode(call_id));
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        match status {
            200 => {
                let body = response.bytes().await.map_err(|e| FetchError::Transport(e.to_string()))?;
                let value =
                    frontdesk_domain::text::parse_json(&body).map_err(|e| FetchError::Invalid(e.to_string()))?;
                CallObject::from_value(&value).map(Some).ok_or_else(|| FetchError::Invalid("not an object".into()))
            }
            404 => Ok(None),
            401 | 403 => Err(FetchError::Unauthorized(status)),
            429 => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                Err(FetchError::RateLimited { retry_after })
            }
            s if s >= 500 => Err(FetchError::Server(s)),
            s => Err(FetchError::Invalid(format!("status {s}"))),
        }
    }
}

/// Percent-encodes everything but unreserved characters (call ids are plain, but never trust).
fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
