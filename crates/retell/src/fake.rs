//! A fake of Retell's REST API for tests and the simulator: `GET /v2/get-call/{id}` over calls
//! the test puts in, with bearer-key checking and injectable failures (429, 5xx).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Default)]
struct FakeState {
    key: String,
    calls: Mutex<HashMap<String, Value>>,
    failures: Mutex<VecDeque<u16>>,
    requests: AtomicU64,
}

/// A running fake Retell API.
pub struct FakeRetell {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    state: Arc<FakeState>,
    task: JoinHandle<()>,
}

impl FakeRetell {
    /// Serves on `addr` (use `127.0.0.1:0` for a random port), accepting `api_key`.
    pub async fn start(addr: &str, api_key: &str) -> std::io::Result<FakeRetell> {
        let state = Arc::new(FakeState { key: api_key.to_owned(), ..FakeState::default() });
        let app = Router::new().route("/v2/get-call/{id}", get(get_call)).with_state(Arc::clone(&state));
        let listener = TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeRetell { url, state, task })
    }

    /// Makes a call known (a call object with `call_id`), replacing an earlier version.
    pub fn put_call(&self, call: Value) {
        if let Some(id) = call.get("call_id").and_then(Value::as_str) {
            self.lock_calls().insert(id.to_owned(), call);
        }
    }

    /// The next requests answer these statuses, in order, before answering normally again.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.state.failures.lock().unwrap_or_else(|p| p.into_inner()).extend(statuses);
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    fn lock_calls(&self) -> std::sync::MutexGuard<'_, HashMap<String, Value>> {
        self.state.calls.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FakeRetell {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn get_call(State(state): State<Arc<FakeState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {}", state.key));
    if !authorized {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"status": "error", "message": "Unauthorized"})))
            .into_response();
    }
    let failure = state.failures.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
    if let Some(status) = failure {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [("retry-after", "1")], axum::Json(json!({"status": "error", "message": "injected"})))
            .into_response();
    }
    let call = state.calls.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
    match call {
        Some(call) => axum::Json(call).into_response(),
        None => {
            (StatusCode::NOT_FOUND, axum::Json(json!({"status": "error", "message": "Call not found"}))).into_response()
        }
    }
}
