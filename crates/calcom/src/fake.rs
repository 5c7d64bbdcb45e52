//! A fake Cal.com API v2 for tests, with Cal.com's behaviour where it matters: a taken time is a
//! 400, rate limits come with headers, answers can be slow or lost, and a repeated request for the
//! same attendee and start may be answered with the *existing* booking.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::wire::{BOOKINGS_API_VERSION, BOOKINGS_LIST_API_VERSION, NewBooking};

/// One booking held by the fake.
#[derive(Clone, Debug)]
pub struct FakeBooking {
    /// Its uid.
    pub uid: String,
    /// `accepted` or `cancelled`.
    pub status: String,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Event type.
    pub event_type_id: i64,
    /// Host user id.
    pub host_id: i64,
    /// Attendee e-mail.
    pub email: String,
    /// Attendee phone, if sent.
    pub phone: Option<String>,
    /// Metadata.
    pub metadata: BTreeMap<String, String>,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
    /// Rescheduled from.
    pub rescheduled_from: Option<String>,
    /// Rescheduled to.
    pub rescheduled_to: Option<String>,
}

impl FakeBooking {
    fn json(&self) -> Value {
        json!({
            "id": self.uid.trim_start_matches("fake_").parse::<i64>().unwrap_or(0),
            "uid": self.uid,
            "status": self.status,
            "start": self.start.to_string(),
            "end": self.end.to_string(),
            "eventTypeId": self.event_type_id,
            "hosts": [{"id": self.host_id}],
            "attendees": [{"email": self.email}],
            "metadata": self.metadata,
            "createdAt": self.created_at.to_string(),
            "updatedAt": self.updated_at.to_string(),
            "rescheduledFromUid": self.rescheduled_from,
            "rescheduledToUid": self.rescheduled_to,
        })
    }
}

#[derive(Default)]
struct FakeState {
    api_key: String,
    bookings: Mutex<Vec<FakeBooking>>,
    next_uid: AtomicU64,
    event_types: Mutex<HashMap<i64, (i64, u32)>>,
    failures: Mutex<VecDeque<u16>>,
    delay: Mutex<Duration>,
    lose_answers: AtomicUsize,
    existing_quirk: AtomicBool,
    requests: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
}

/// A running fake.
pub struct FakeCalcom {
    /// Base URL including `/v2`, e.g. `http://127.0.0.1:41234/v2`.
    pub url: String,
    state: Arc<FakeState>,
    task: JoinHandle<()>,
}

/// How long a lost answer is held back (longer than any client timeout in tests).
const LOST: Duration = Duration::from_secs(30);

impl FakeCalcom {
    /// Serves on `addr`, accepting `api_key`.
    pub async fn start(addr: &str, api_key: &str) -> std::io::Result<FakeCalcom> {
        let state =
            Arc::new(FakeState { api_key: api_key.to_owned(), next_uid: AtomicU64::new(1), ..FakeState::default() });
        let app = Router::new()
            .route("/v2/bookings", post(create).get(list))
            .route("/v2/bookings/{uid}", get(read))
            .route("/v2/bookings/{uid}/cancel", post(cancel))
            .route("/v2/bookings/{uid}/reschedule", post(reschedule))
            .with_state(Arc::clone(&state));
        let listener = TcpListener::bind(addr).await?;
        let url = format!("http://{}/v2", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeCalcom { url, state, task })
    }

    /// Declares an event type: which host it books and how many minutes it lasts.
    pub fn event_type(&self, id: i64, host: i64, minutes: u32) {
        lock(&self.state.event_types).insert(id, (host, minutes));
    }

    /// The next requests answer these statuses (429 with rate-limit headers, 5xx), in order.
    pub fn fail_next(&self, statuses: &[u16]) {
        lock(&self.state.failures).extend(statuses);
    }

    /// Every answer takes this long.
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.state.delay) = delay;
    }

    /// The next `n` changing requests (POSTs) take effect, but their answers never arrive in time
    /// (as when a worker dies between Cal.com's answer and its own commit).
    pub fn lose_answers(&self, n: usize) {
        self.state.lose_answers.store(n, Ordering::SeqCst);
    }

    /// Whether a repeated create for the same attendee and start returns the existing booking.
    pub fn set_existing_booking_quirk(&self, on: bool) {
        self.state.existing_quirk.store(on, Ordering::SeqCst);
    }

    /// Adds a booking made directly in Cal.com (not through frontdesk); returns its uid.
    pub fn add_external(&self, event_type_id: i64, host: i64, start: Timestamp, minutes: i64, email: &str) -> String {
        let uid = format!("fake_{}", self.state.next_uid.fetch_add(1, Ordering::SeqCst));
        let now = Timestamp::now();
        lock(&self.state.bookings).push(FakeBooking {
            uid: uid.clone(),
            status: "accepted".into(),
            start,
            end: start + SignedDuration::from_mins(minutes),
            event_type_id,
            host_id: host,
            email: email.to_owned(),
            phone: None,
            metadata: BTreeMap::new(),
            created_at: now,
            updated_at: now,
            rescheduled_from: None,
            rescheduled_to: None,
        });
        uid
    }

    /// Cancels a booking as someone in Cal.com would.
    pub fn cancel_external(&self, uid: &str) {
        if let Some(b) = lock(&self.state.bookings).iter_mut().find(|b| b.uid == uid) {
            b.status = "cancelled".into();
            b.updated_at = Timestamp::now();
        }
    }

    /// Every booking, in creation order.
    pub fn bookings(&self) -> Vec<FakeBooking> {
        lock(&self.state.bookings).clone()
    }

    /// "METHOD path" of every request received.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.requests).clone()
    }

    /// Requests currently being answered.
    pub fn in_flight(&self) -> usize {
        self.state.in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for FakeCalcom {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn rate_headers(remaining: u64) -> [(&'static str, String); 3] {
    [
        ("x-ratelimit-limit-default", "120".into()),
        ("x-ratelimit-remaining-default", remaining.to_string()),
        ("x-ratelimit-reset-default", "1".into()),
    ]
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        rate_headers(100),
        axum::Json(json!({"status": "error", "error": {"code": status.as_u16(), "message": message}})),
    )
        .into_response()
}

fn success(status: StatusCode, data: Value) -> Response {
    (status, rate_headers(100), axum::Json(json!({"status": "success", "data": data}))).into_response()
}

/// The common part of every request: record it, check key and version, inject failures and delay.
/// Returns `Err(response)` to answer at once, or `Ok(lost)` to carry on.
async fn admit(state: &FakeState, headers: &HeaderMap, what: String) -> Result<bool, Response> {
    // The list has its own, newer version; every other bookings endpoint the older one.
    let expected = if what == "GET /bookings" { BOOKINGS_LIST_API_VERSION } else { BOOKINGS_API_VERSION };
    lock(&state.requests).push(what.clone());
    let key_ok =
        headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {}", state.api_key));
    if !key_ok {
        return Err(error(StatusCode::UNAUTHORIZED, "invalid API key"));
    }
    let version = headers.get("cal-api-version").and_then(|v| v.to_str().ok());
    if version != Some(expected) {
        return Err(error(StatusCode::BAD_REQUEST, "wrong or missing cal-api-version for bookings"));
    }
    let delay = *lock(&state.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(status) = lock(&state.failures).pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let remaining = if status == StatusCode::TOO_MANY_REQUESTS { 0 } else { 100 };
        return Err((status, rate_headers(remaining), axum::Json(json!({"status": "error"}))).into_response());
    }
    let changes = what.starts_with("POST");
    let lost =
        changes && state.lose_answers.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    Ok(lost)
}

/// Answers, after holding the answer back if it is to be lost.
async fn answer(lost: bool, response: Response) -> Response {
    if lost {
        tokio::time::sleep(LOST).await;
    }
    response
}

struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn create(State(state): State<Arc<FakeState>>, headers: HeaderMap, body: String) -> Response {
    let _guard = InFlight::enter(&state.in_flight);
    let lost = match admit(&state, &headers, "POST /bookings".into()).await {
        Ok(lost) => lost,
        Err(response) => return response,
    };
    let Ok(new) = serde_json::from_str::<NewBooking>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid body");
    };
    let Ok(start) = new.start.parse::<Timestamp>() else {
        return error(StatusCode::BAD_REQUEST, "invalid start");
    };
    let (host, minutes) = lock(&state.event_types).get(&new.event_type_id).copied().unwrap_or((1, 30));
    let end = start + SignedDuration::from_mins(i64::from(minutes));
    let response = {
        let mut bookings = lock(&state.bookings);
        let same = bookings
            .iter()
            .find(|b| {
                // Cal.com's short-cut: the same attendee e-mail *or* phone at the same start.
                let phone = new.attendee.phone_number.is_some() && b.phone == new.attendee.phone_number;
                b.status == "accepted" && b.start == start && (b.email == new.attendee.email || phone)
            })
            .cloned();
        match same {
            Some(existing) if state.existing_quirk.load(Ordering::SeqCst) => {
                success(StatusCode::CREATED, existing.json())
            }
            _ if bookings
                .iter()
                .any(|b| b.status == "accepted" && b.host_id == host && b.start < end && start < b.end) =>
            {
                error(StatusCode::BAD_REQUEST, "User either already has booking at this time or is not available")
            }
            _ => {
                let now = Timestamp::now();
                let booking = FakeBooking {
                    uid: format!("fake_{}", state.next_uid.fetch_add(1, Ordering::SeqCst)),
                    status: "accepted".into(),
                    start,
                    end,
                    event_type_id: new.event_type_id,
                    host_id: host,
                    email: new.attendee.email.clone(),
                    phone: new.attendee.phone_number.clone(),
                    metadata: new.metadata.clone(),
                    created_at: now,
                    updated_at: now,
                    rescheduled_from: None,
                    rescheduled_to: None,
                };
                let json = booking.json();
                bookings.push(booking);
                success(StatusCode::CREATED, json)
            }
        }
    };
    answer(lost, response).await
}

async fn list(
    State(state): State<Arc<FakeState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let _guard = InFlight::enter(&state.in_flight);
    let lost = match admit(&state, &headers, "GET /bookings".into()).await {
        Ok(lost) => lost,
        Err(response) => return response,
    };
    let instant = |k: &str| q.get(k).and_then(|v| v.parse::<Timestamp>().ok());
    let mut found: Vec<FakeBooking> = lock(&state.bookings)
        .iter()
        .filter(|b| q.get("attendeeEmail").is_none_or(|e| *e == b.email))
        .filter(|b| instant("afterStart").is_none_or(|t| b.start >= t))
        .filter(|b| instant("beforeEnd").is_none_or(|t| b.end <= t))
        .filter(|b| instant("afterUpdatedAt").is_none_or(|t| b.updated_at > t))
        .cloned()
        .collect();
    if q.contains_key("sortUpdatedAt") {
        found.sort_by_key(|b| b.updated_at);
    }
    // Cursor paging: `limit` (≤ 100) and the opaque `cursor` of the previous page.
    if q.contains_key("take") || q.contains_key("skip") {
        return error(StatusCode::BAD_REQUEST, "take/skip are not parameters of this version; use limit and cursor");
    }
    let start: usize = q.get("cursor").and_then(|c| c.strip_prefix("c").and_then(|n| n.parse().ok())).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100).min(100);
    let page: Vec<Value> = found.iter().skip(start).take(limit).map(FakeBooking::json).collect();
    let next = (start + limit < found.len()).then(|| format!("c{}", start + limit));
    let body =
        json!({"status": "success", "data": page, "pagination": {"nextCursor": next, "hasNextPage": next.is_some()}});
    answer(lost, (StatusCode::OK, rate_headers(100), axum::Json(body)).into_response()).await
}

async fn read(State(state): State<Arc<FakeState>>, headers: HeaderMap, Path(uid): Path<String>) -> Response {
    let _guard = InFlight::enter(&state.in_flight);
    let lost = match admit(&state, &headers, format!("GET /bookings/{uid}")).await {
        Ok(lost) => lost,
        Err(response) => return response,
    };
    let found = lock(&state.bookings).iter().find(|b| b.uid == uid).map(FakeBooking::json);
    let response = match found {
        Some(b) => success(StatusCode::OK, b),
        None => error(StatusCode::NOT_FOUND, "booking not found"),
    };
    answer(lost, response).await
}

async fn cancel(State(state): State<Arc<FakeState>>, headers: HeaderMap, Path(uid): Path<String>) -> Response {
    let _guard = InFlight::enter(&state.in_flight);
    let lost = match admit(&state, &headers, format!("POST /bookings/{uid}/cancel")).await {
        Ok(lost) => lost,
        Err(response) => return response,
    };
    let response = {
        let mut bookings = lock(&state.bookings);
        match bookings.iter_mut().find(|b| b.uid == uid) {
            None => error(StatusCode::NOT_FOUND, "booking not found"),
            Some(b) if b.status == "cancelled" => error(StatusCode::BAD_REQUEST, "booking is already cancelled"),
            Some(b) => {
                b.status = "cancelled".into();
                b.updated_at = Timestamp::now();
                success(StatusCode::OK, b.json())
            }
        }
    };
    answer(lost, response).await
}

async fn reschedule(
    State(state): State<Arc<FakeState>>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    body: String,
) -> Response {
    let _guard = InFlight::enter(&state.in_flight);
    let lost = match admit(&state, &headers, format!("POST /bookings/{uid}/reschedule")).await {
        Ok(lost) => lost,
        Err(response) => return response,
    };
    let start = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("start").and_then(Value::as_str).and_then(|s| s.parse::<Timestamp>().ok()));
    let Some(start) = start else { return error(StatusCode::BAD_REQUEST, "invalid start") };
    let response = {
        let mut bookings = lock(&state.bookings);
        let Some(old) = bookings.iter().find(|b| b.uid == uid).cloned() else {
            return error(StatusCode::NOT_FOUND, "booking not found");
        };
        if old.status == "cancelled" {
            return error(StatusCode::BAD_REQUEST, "booking is cancelled");
        }
        let end = start + old.end.duration_since(old.start);
        let clash = bookings.iter().any(|b| {
            b.uid != uid && b.status == "accepted" && b.host_id == old.host_id && b.start < end && start < b.end
        });
        if clash {
            error(StatusCode::BAD_REQUEST, "User either already has booking at this time or is not available")
        } else {
            let now = Timestamp::now();
            let new_uid = format!("fake_{}", state.next_uid.fetch_add(1, Ordering::SeqCst));
            let new = FakeBooking {
                uid: new_uid.clone(),
                start,
                end,
                created_at: now,
                updated_at: now,
                rescheduled_from: Some(uid.clone()),
                rescheduled_to: None,
                ..old.clone()
            };
            if let Some(b) = bookings.iter_mut().find(|b| b.uid == uid) {
                b.status = "cancelled".into();
                b.rescheduled_to = Some(new_uid);
                b.updated_at = now;
            }
            let json = new.json();
            bookings.push(new);
            success(StatusCode::CREATED, json)
        }
    };
    answer(lost, response).await
}
