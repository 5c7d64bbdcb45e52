//! Notifications end to end: a real server, a real database, a real SMTP server over TCP, and
//! what arrived parsed as MIME and iCalendar. The business clock is moved by hand, so a reminder
//! is seen to wait for its moment.

mod mail;
mod sink;
mod sms;

use std::sync::Arc;
use std::time::Duration;

use frontdesk_server::Settings;
use frontdesk_server::notify::smtp::SmtpTarget;
use frontdesk_server::test_support::{ManualClock, TestServer};
use jiff::Timestamp;
use serde_json::Value;

/// Monday, 9 March 2026, 10:00 in Berlin: the salon is closed on Mondays, so everything booked
/// is at least a day away.
pub const MONDAY: &str = "2026-03-09T09:00:00Z";

/// The public URL the links in messages start with.
pub const PUBLIC: &str = "https://desk.example";

/// Settings of a server whose workers run often, with a hand-moved clock and `smtp_port`'s
/// server (which may not be running yet).
pub fn settings(clock: &Arc<ManualClock>, smtp_port: Option<u16>) -> Settings {
    let mut settings = TestServer::settings(None);
    settings.clock = clock.clone();
    settings.worker_interval = Duration::from_millis(100);
    settings.notify.public_url = PUBLIC.to_owned();
    settings.notify.backoff = Duration::from_millis(200);
    settings.notify.smtp = smtp_port.map(|p| SmtpTarget::parse(&sink::url(p), None).expect("SMTP URL"));
    settings
}

/// Instants in tests.
pub fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// The notifications the admin API lists (newest first), filtered by a query string.
pub async fn notifications(s: &TestServer, query: &str) -> Vec<Value> {
    let r = s.admin_get(&format!("/api/v1/notifications?{query}")).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("JSON");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until the notification list matching `query` satisfies `done` (failing after a
/// generous deadline).
pub async fn until(s: &TestServer, query: &str, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let items = notifications(s, query).await;
        if done(&items) {
            return items;
        }
        assert!(tokio::time::Instant::now() < deadline, "waited in vain for {what}: {items:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Lets the workers run several rounds (to show that something does *not* happen).
pub async fn a_few_rounds() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}
