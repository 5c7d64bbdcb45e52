//! Operators: accounts, sessions, tokens, roles, the company scope, the write API, the audit log.
//!
//! Every test runs the real server on SQLite and PostgreSQL and talks to it over HTTP as the
//! principals it creates through the API itself.

mod access;
mod config;
mod customers;
mod days_off;
mod scope;
mod writes;

use frontdesk_server::test_support::{ADMIN_TOKEN, TestServer};
use frontdesk_store::test_support::TestDb;
use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

pub(super) fn monday_morning() -> Timestamp {
    "2026-03-09T08:00:00Z".parse().unwrap()
}

pub(super) async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some(monday_morning()))).await
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub(super) enum Auth {
    Bearer(String),
    Cookie(String),
}

impl Auth {
    pub(super) fn admin() -> Self {
        Self::Bearer(ADMIN_TOKEN.to_owned())
    }
}

/// One request: status, body (Null when empty) and headers.
pub(super) async fn call(
    server: &TestServer,
    auth: &Auth,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = server.client.request(method, format!("{}{path}", server.url));
    request = match auth {
        Auth::Bearer(t) => request.bearer_auth(t),
        Auth::Cookie(c) => request.header("cookie", format!("frontdesk_session={c}")),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    (status, body, headers)
}

pub(super) async fn get(server: &TestServer, auth: &Auth, path: &str) -> (u16, Value) {
    let (s, b, _) = call(server, auth, Method::GET, path, None).await;
    (s, b)
}

pub(super) async fn post(server: &TestServer, auth: &Auth, path: &str, body: Value) -> (u16, Value) {
    let (s, b, _) = call(server, auth, Method::POST, path, Some(body)).await;
    (s, b)
}

pub(super) async fn patch(server: &TestServer, auth: &Auth, path: &str, body: Value) -> (u16, Value) {
    let (s, b, _) = call(server, auth, Method::PATCH, path, Some(body)).await;
    (s, b)
}

/// A new API token of `role` in `company` (made by the platform admin).
pub(super) async fn token(server: &TestServer, role: &str, company: Option<&str>) -> Auth {
    let (status, body) = post(
        server,
        &Auth::admin(),
        "/api/v1/tokens",
        json!({"name": format!("{role} test"), "role": role, "company": company}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    Auth::Bearer(body["token"].as_str().unwrap().to_owned())
}

/// A new user with a password (made by the platform admin); answers their id.
pub(super) async fn user(server: &TestServer, email: &str, role: &str, company: Option<&str>, password: &str) -> i64 {
    let body = json!({"email": email, "role": role, "company": company, "password": password});
    let (status, body) = post(server, &Auth::admin(), "/api/v1/users", body).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("password").is_none(), "a chosen password is never echoed");
    body["id"].as_i64().unwrap()
}

/// Logs in; answers the session cookie's value and the whole response's status.
pub(super) async fn login(
    server: &TestServer,
    email: &str,
    password: &str,
    with: Option<&str>,
) -> (u16, Option<String>) {
    let mut request = server.client.post(format!("{}/api/v1/auth/login", server.url));
    if let Some(old) = with {
        request = request.header("cookie", format!("frontdesk_session={old}"));
    }
    let response = request.json(&json!({"email": email, "password": password})).send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("frontdesk_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    (status, cookie)
}

/// Books through the admin API as `auth`.
pub(super) async fn book(
    server: &TestServer,
    auth: &Auth,
    company: &str,
    service: &str,
    staff: &str,
    start: &str,
    phone: &str,
) -> (u16, Value) {
    let body = json!({
        "company": company, "service": service, "staff": staff, "start": start,
        "customer": {"name": "Operator Test", "phone": phone},
    });
    post(server, auth, "/api/v1/appointments", body).await
}
