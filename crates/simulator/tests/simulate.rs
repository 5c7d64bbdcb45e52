//! The simulator against a real server (a fresh database, a random port, real HTTP) with chaos:
//! every invariant holds — and the checks notice when one does not.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_retell::fake::FakeRetell;
use frontdesk_server::notify::smtp::SmtpTarget;
use frontdesk_server::test_support::{ADMIN_TOKEN, RETELL_KEY, TestServer};
use frontdesk_simulator::mail_sink::MailSink;
use frontdesk_simulator::pace::Pace;
use frontdesk_simulator::{Options, play};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;

async fn chaos_keeps_every_invariant(db: TestDb) {
    let fake = Arc::new(FakeRetell::start("127.0.0.1:0", RETELL_KEY).await.expect("fake Retell"));
    // A Monday morning in Berlin, so that the first open days are near and callers crowd them.
    let mut settings = TestServer::settings(Some("2026-03-09T08:00:00Z".parse().expect("instant")));
    settings.retell_base_url = fake.url.clone();
    settings.reconcile_after = Duration::from_secs(1);
    settings.reconcile_backoff = Duration::from_millis(200);
    settings.worker_interval = Duration::from_millis(100);
    // The server's e-mail goes to the simulator's own SMTP server, which counts what arrives.
    let sink = Arc::new(MailSink::start("127.0.0.1:0").await.expect("SMTP sink"));
    settings.notify.smtp = Some(SmtpTarget::parse(&sink.url(), None).expect("SMTP URL"));
    let server = TestServer::start(db, settings).await;

    let mut options = Options::new(vec![server.url.clone()], RETELL_KEY, ADMIN_TOKEN);
    options.mail_sink = Some(Arc::clone(&sink));
    options.calls = 80;
    options.concurrency = 8;
    options.seed = 7;
    options.chaos = true;
    options.settle = Duration::from_secs(30);
    let played = play(&options, Some(Arc::clone(&fake))).await.expect("the run starts");
    let report = played.report().await.expect("the checks run");
    assert!(report.passed(), "{report}");

    // The run was what it claims to be: calls, bookings, contention, chaos of every kind.
    assert_eq!(report.calls, 80);
    assert!(report.function_calls >= 3 * 80, "{}", report.function_calls);
    let booked = report.statuses.get("book_appointment").and_then(|s| s.get("booked")).copied().unwrap_or(0);
    assert!(booked >= 10, "{:?}", report.statuses.get("book_appointment"));
    for kind in ["call_ended_lost", "duplicate_webhook", "function_retried", "call_started_lost"] {
        assert!(report.chaos_events.contains_key(kind), "no {kind}: {:?}", report.chaos_events);
    }
    assert!(fake.requests() > 0, "the reconciler fetched the calls whose end was lost");
    assert!(sink.arrived().len() >= 5, "confirmations were sent: {:?}", sink.arrived().len());
    assert!(report.checks.iter().any(|c| c.name == "every notification sent once" && c.ok), "{report}");

    // The checks read what the server holds: a lost trace and a silently dropped booking fail them.
    let db = &server.db;
    db.execute("DELETE FROM function_traces WHERE id = (SELECT MAX(id) FROM function_traces)").await.expect("delete");
    db.execute(
        "UPDATE appointments SET status = 'cancelled' WHERE id = (SELECT MIN(id) FROM appointments WHERE status = 'booked' AND call_id IS NOT NULL)",
    )
    .await
    .expect("update");
    let after = played.report().await.expect("the checks run again");
    let failed: Vec<&str> = after.checks.iter().filter(|c| !c.ok).map(|c| c.name.as_str()).collect();
    assert_eq!(failed, ["one trace per function call sent", "every announced booking exists exactly once"], "{after}");
    server.stop().await;
}

/// Open loop, sped up: calls arrive at a rate and talk between requests, so that many are live
/// at once; every invariant holds and every request is measured.
async fn paced_calls_overlap_and_keep_every_invariant(db: TestDb) {
    let mut settings = TestServer::settings(Some("2026-03-09T08:00:00Z".parse().expect("instant")));
    settings.reconcile_after = Duration::from_secs(60);
    let server = TestServer::start(db, settings).await;
    let mut options = Options::new(vec![server.url.clone()], RETELL_KEY, ADMIN_TOKEN);
    options.calls = 40;
    options.seed = 3;
    options.pace = Some(Pace {
        rate: 40.0,
        talk: (Duration::from_millis(20), Duration::from_millis(60)),
        length: (Duration::from_millis(300), Duration::from_millis(600)),
    });
    let started = std::time::Instant::now();
    let played = play(&options, None).await.expect("the run starts");
    let elapsed = started.elapsed();
    let report = played.report().await.expect("the checks run");
    assert!(report.passed(), "{report}");
    assert_eq!(report.calls, 40);
    // Every call lasted its length: the pacing held them open (a lower bound, not a speed), and
    // calls arriving every 25 ms on average for 0.3 s and more were live together.
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(report.peak_live_calls.is_some_and(|peak| peak >= 2), "{:?}", report.peak_live_calls);
    assert!(report.function_calls >= 3 * 40, "{}", report.function_calls);
    server.stop().await;
}

backend_tests!(chaos_keeps_every_invariant, paced_calls_overlap_and_keep_every_invariant);
