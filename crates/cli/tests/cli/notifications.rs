//! Notifications across processes: two `frontdesk serve` processes on one PostgreSQL database,
//! both with notification workers, send each confirmation and each reminder once — counted by
//! `Message-ID` at an SMTP server in the test (the simulator's sink), not from frontdesk's records.

use std::time::Duration;

use frontdesk_simulator::mail_sink::MailSink;
use frontdesk_store::test_support::TestDb;
use serde_json::json;

use super::frontdesk;
use super::process::ServerProcess;

const DEMO: &str = include_str!("../../../../fixtures/demo-tenant.toml");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_send_each_reminder_once() {
    let Some(db) = TestDb::postgres().await else { return };
    let demo = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(demo.path(), DEMO).unwrap();
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());
    let sink = MailSink::start("127.0.0.1:0").await.unwrap();
    let smtp = sink.url();
    // Tuesday, 13:59:40 in Berlin: the reminders of Wednesday's 14:00 appointments fall due 20
    // seconds after the start, by the business clock both processes keep.
    let args = [
        "--retell-api-key",
        "k",
        "--admin-token",
        "t",
        "--clock-start",
        "2026-03-10T12:59:40Z",
        "--worker-interval",
        "100ms",
        "--smtp-url",
        &smtp,
    ];
    let servers = [ServerProcess::spawn(&db.url, &args), ServerProcess::spawn(&db.url, &args)];

    let client = frontdesk_server::test_support::http_client();
    let bookings = [("anna", "herrenhaarschnitt"), ("mehmet", "herrenhaarschnitt"), ("lena", "damenhaarschnitt")];
    for (i, (staff, service)) in bookings.iter().enumerate() {
        let body = json!({"company": "friseur1", "service": service, "staff": staff, "start": "2026-03-11T14:00",
            "customer": {"name": format!("Kundin {i}"), "phone": format!("+4917014{i:05}"),
                         "email": format!("kundin{i}@example.com")}});
        let url = format!("{}/api/v1/appointments", servers[i % 2].url);
        let response = client.post(url).bearer_auth("t").json(&body).send().await.unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    }

    let expected = 2 * bookings.len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while sink.arrived().len() < expected {
        assert!(tokio::time::Instant::now() < deadline, "only {} of {expected} messages arrived", sink.arrived().len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both workers keep polling: a second copy would arrive within a few rounds.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let arrived = sink.arrived();
    assert_eq!(arrived.len(), expected, "{arrived:#?}");
    assert_eq!(sink.counts().len(), expected, "every Message-ID once: {arrived:#?}");
    assert_eq!(arrived.iter().filter(|a| a.reminder).count(), bookings.len());
    for i in 0..bookings.len() {
        let to = format!("kundin{i}@example.com");
        assert_eq!(arrived.iter().filter(|a| a.to == to).count(), 2, "a confirmation and a reminder to {to}");
    }
    for server in servers {
        assert!(server.terminate().await.success());
    }
}
