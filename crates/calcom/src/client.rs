//! Cal.com API v2, as far as frontdesk uses it: create, read, cancel and reschedule bookings, and
//! list recently changed ones for the catch-up pull.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::wire::{BOOKINGS_API_VERSION, BOOKINGS_LIST_API_VERSION, Booking, NewBooking};

/// What the rate-limit headers of an answer said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// Until the window resets.
    pub reset: Option<Duration>,
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalError {
    /// 429: wait until `reset`.
    #[error("rate limited by Cal.com")]
    RateLimited {
        /// When the window resets, if Cal.com said.
        reset: Option<Duration>,
    },
    /// 5xx.
    #[error("Cal.com answered {0}")]
    Server(u16),
    /// No answer in time, or no connection.
    #[error("could not reach Cal.com: {0}")]
    Transport(String),
    /// The host is not free at that time.
    #[error("Cal.com refused the time: {0}")]
    SlotTaken(String),
    /// Any other refusal; retrying will not help.
    #[error("Cal.com refused the request ({status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Cal.com's message.
        message: String,
    },
    /// An answer frontdesk cannot read.
    #[error("unexpected answer from Cal.com: {0}")]
    Invalid(String),
}

impl CalError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Server(_) | Self::Transport(_))
    }
}

/// Filters for `GET /v2/bookings`.
#[derive(Clone, Debug, Default)]
pub struct BookingQuery {
    /// Bookings with this attendee.
    pub attendee_email: Option<String>,
    /// Starting after.
    pub after_start: Option<Timestamp>,
    /// Ending before.
    pub before_end: Option<Timestamp>,
    /// Changed after (the catch-up pull), oldest change first.
    pub after_updated_at: Option<Timestamp>,
    /// Page size (`limit`, at most 100).
    pub limit: u32,
    /// Where the page starts: the cursor the previous page handed back; `None` for the first.
    pub cursor: Option<String>,
}

/// One page of `GET /v2/bookings`.
#[derive(Clone, Debug, Default)]
pub struct BookingPage {
    /// The bookings.
    pub bookings: Vec<Booking>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// A Cal.com API client for one company's connection.
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
    /// A client for `base_url` (e.g. `https://api.cal.com/v2`) with a per-request timeout.
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Client {
        // reqwest needs a process-wide TLS crypto provider; frontdesk uses ring (see README).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
        Client { http, base_url: base_url.trim_end_matches('/').to_owned(), api_key: api_key.to_owned() }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.versioned(method, path, BOOKINGS_API_VERSION)
    }

    /// A request with its endpoint's `cal-api-version` (required per endpoint).
    fn versioned(&self, method: reqwest::Method, path: &str, version: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.api_key)
            .header("cal-api-version", version)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value, RateLimit), CalError> {
        let response = request.send().await.map_err(|e| CalError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        };
        let rate = RateLimit {
            remaining: header("x-ratelimit-remaining-default"),
            reset: header("x-ratelimit-reset-default").map(reset_in),
        };
        let body = response.bytes().await.map_err(|e| CalError::Transport(e.to_string()))?;
        let body = frontdesk_domain::text::parse_json(&body).unwrap_or(Value::Null);
        if status == 429 {
            return Err(CalError::RateLimited { reset: rate.reset });
        }
        if status >= 500 {
            return Err(CalError::Server(status));
        }
        if status >= 400 && status != 404 {
            let message = body
                .pointer("/error/message")
                .or_else(|| body.get("message"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let lower = message.to_ascii_lowercase();
            let taken = status == 409
                || ["already has booking", "not available", "no available users", "slot"]
                    .iter()
                    .any(|w| lower.contains(w));
            return Err(if taken { CalError::SlotTaken(message) } else { CalError::Rejected { status, message } });
        }
        Ok((status, body, rate))
    }

    fn booking_of(body: &Value) -> Result<Booking, CalError> {
        body.get("data")
            .and_then(Booking::from_value)
            .ok_or_else(|| CalError::Invalid("no booking in the answer".into()))
    }

    /// `POST /v2/bookings`. Beware: Cal.com may answer with an existing booking instead of a
    /// new one; callers check [`Booking::appointment_id`] and `created_at`.
    pub async fn create_booking(&self, new: &NewBooking) -> Result<(Booking, RateLimit), CalError> {
        let (status, body, rate) = self.send(self.request(reqwest::Method::POST, "/bookings").json(new)).await?;
        if status == 404 {
            return Err(CalError::Rejected { status, message: "not found".into() });
        }
        Ok((Self::booking_of(&body)?, rate))
    }

    /// `GET /v2/bookings/{uid}`; `None` if Cal.com does not know it.
    pub async fn booking(&self, uid: &str) -> Result<(Option<Booking>, RateLimit), CalError> {
        let (status, body, rate) =
            self.send(self.request(reqwest::Method::GET, &format!("/bookings/{}", encode(uid)))).await?;
        if status == 404 {
            return Ok((None, rate));
        }
        Ok((Some(Self::booking_of(&body)?), rate))
    }

    /// `POST /v2/bookings/{uid}/cancel`.
    pub async fn cancel_booking(&self, uid: &str, reason: &str) -> Result<RateLimit, CalError> {
        let request = self
            .request(reqwest::Method::POST, &format!("/bookings/{}/cancel", encode(uid)))
            .json(&json!({"cancellationReason": reason}));
        let (status, _, rate) = self.send(request).await?;
        if status == 404 {
            return Err(CalError::Rejected { status, message: format!("booking {uid} not found") });
        }
        Ok(rate)
    }

    /// `POST /v2/bookings/{uid}/reschedule`: a new booking with a new uid.
    pub async fn reschedule_booking(
        &self,
        uid: &str,
        start: Timestamp,
        reason: &str,
    ) -> Result<(Booking, RateLimit), CalError> {
        let request = self
            .request(reqwest::Method::POST, &format!("/bookings/{}/reschedule", encode(uid)))
            .json(&json!({"start": start.to_string(), "reschedulingReason": reason}));
        let (status, body, rate) = self.send(request).await?;
        if status == 404 {
            return Err(CalError::Rejected { status, message: format!("booking {uid} not found") });
        }
        Ok((Self::booking_of(&body)?, rate))
    }

    /// `GET /v2/bookings` with filters, one page (the list's own API version, cursor paging).
    pub async fn bookings(&self, query: &BookingQuery) -> Result<(BookingPage, RateLimit), CalError> {
        let mut params: Vec<(&str, String)> = vec![("limit", query.limit.clamp(1, 100).to_string())];
        if let Some(cursor) = &query.cursor {
            params.push(("cursor", cursor.clone()));
        }
        if let Some(e) = &query.attendee_email {
            params.push(("attendeeEmail", e.clone()));
        }
        if let Some(t) = query.after_start {
            params.push(("afterStart", t.to_string()));
        }
        if let Some(t) = query.before_end {
            params.push(("beforeEnd", t.to_string()));
        }
        if let Some(t) = query.after_updated_at {
            params.push(("afterUpdatedAt", t.to_string()));
            params.push(("sortUpdatedAt", "asc".into()));
        }
        let request = self.versioned(reqwest::Method::GET, "/bookings", BOOKINGS_LIST_API_VERSION).query(&params);
        let (_, body, rate) = self.send(request).await?;
        let bookings: Vec<Booking> = body
            .get("data")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Booking::from_value).collect())
            .unwrap_or_default();
        // The next page's cursor, as a string or a number; none when this page was the last.
        let next_cursor = body.get("pagination").and_then(|p| p.get("nextCursor")).and_then(|c| match c {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        Ok((BookingPage { bookings, next_cursor }, rate))
    }
}

/// `X-RateLimit-Reset-Default` is seconds until the reset, or (larger than a day) a Unix time.
fn reset_in(value: u64) -> Duration {
    if value > 86_400 {
        let now = Timestamp::now().as_second().max(0) as u64;
        Duration::from_secs(value.saturating_sub(now))
    } else {
        Duration::from_secs(value)
    }
}

/// A path segment, percent-encoded (booking uids are plain, but never trust).
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
