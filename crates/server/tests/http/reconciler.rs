//! The reconciler against a fake Retell API started by the test.

use std::time::Duration;

use frontdesk_retell::fake::FakeRetell;
use frontdesk_server::test_support::{FRISEUR, HANS, RETELL_KEY, TestServer, call_object};
use frontdesk_server::{RunningServer, Settings};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

fn settings(fake: &FakeRetell) -> Settings {
    let mut settings = TestServer::settings(None);
    settings.retell_base_url = fake.url.clone();
    settings.reconcile_after = Duration::ZERO;
    settings.worker_interval = Duration::from_millis(50);
    settings.reconcile_backoff = Duration::from_millis(100);
    settings.abandon_after = Duration::from_secs(2);
    settings
}

fn ended(id: &str) -> Value {
    let mut call = call_object(id, HANS, FRISEUR, "ended");
    call["end_timestamp"] = json!(1_773_129_761_000_i64);
    call["disconnection_reason"] = json!("user_hangup");
    call["call_analysis"] = json!({"call_successful": true, "call_summary": "Termin gebucht."});
    call
}

async fn status_of(s: &TestServer, id: &str) -> String {
    let call: Value = s.admin_get(&format!("/api/v1/calls/{id}")).await.json().await.unwrap();
    call["status"].as_str().unwrap_or_default().to_owned()
}

async fn wait_for(s: &TestServer, id: &str, status: &str) {
    for _ in 0..200 {
        if status_of(s, id).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} never became {status} (is {})", status_of(s, id).await);
}

async fn calls_without_their_final_webhooks_are_completed(db: TestDb) {
    let fake = FakeRetell::start("127.0.0.1:0", RETELL_KEY).await.unwrap();
    let s = TestServer::start(db, settings(&fake)).await;
    // Known to Retell as ended; its call_ended was lost.
    fake.put_call(ended("call_lost_end"));
    assert_eq!(s.webhook("call_started", &call_object("call_lost_end", HANS, FRISEUR, "ongoing")).await, 204);
    // Retell is rate limiting and failing at first.
    fake.fail_next(&[429, 503]);
    fake.put_call(ended("call_flaky"));
    assert_eq!(s.webhook("call_started", &call_object("call_flaky", HANS, FRISEUR, "ongoing")).await, 204);
    // Unknown to Retell: abandoned once older than the maximum age.
    assert_eq!(s.webhook("call_started", &call_object("call_ghost", HANS, FRISEUR, "ongoing")).await, 204);

    wait_for(&s, "call_lost_end", "ended").await;
    wait_for(&s, "call_flaky", "ended").await;
    wait_for(&s, "call_ghost", "abandoned").await;
    let detail: Value = s.admin_get("/api/v1/calls/call_lost_end").await.json().await.unwrap();
    assert_eq!(detail["analysis"]["call_successful"], true);
    assert_eq!(detail["disconnection_reason"], "user_hangup");
    let events: Vec<&str> =
        detail["webhook_events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["call_started", "reconciled"]);

    // A late call_ended after the verdict still wins: abandoned is only our guess.
    assert_eq!(s.webhook("call_ended", &ended("call_ghost")).await, 204);
    assert_eq!(status_of(&s, "call_ghost").await, "ended");

    let metrics = s.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("frontdesk_reconciler_calls_total{outcome=\"completed\"}"), "{metrics}");
    assert!(metrics.contains("frontdesk_reconciler_calls_total{outcome=\"backed_off\"}"), "{metrics}");
    s.stop().await;
}

/// Two servers reconcile one database: every call is fetched exactly once.
async fn several_reconcilers_fetch_each_call_once(db: TestDb) {
    let fake = FakeRetell::start("127.0.0.1:0", RETELL_KEY).await.unwrap();
    let mut quiet = settings(&fake);
    quiet.worker_interval = Duration::from_secs(3600); // first server: serve only, reconcile later
    let s = TestServer::start(db, quiet).await;
    for i in 0..20 {
        let id = format!("call_batch_{i}");
        fake.put_call(ended(&id));
        assert_eq!(s.webhook("call_started", &call_object(&id, HANS, FRISEUR, "ongoing")).await, 204);
    }
    let store_a = frontdesk_store::open(&s.db.url, &Default::default()).await.unwrap();
    let store_b = frontdesk_store::open(&s.db.url, &Default::default()).await.unwrap();
    let a = RunningServer::start(store_a, settings(&fake)).await.unwrap();
    let b = RunningServer::start(store_b, settings(&fake)).await.unwrap();
    for i in 0..20 {
        wait_for(&s, &format!("call_batch_{i}"), "ended").await;
    }
    assert_eq!(fake.requests(), 20, "one fetch per call across both reconcilers");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    s.stop().await;
}

backend_tests!(calls_without_their_final_webhooks_are_completed, several_reconcilers_fetch_each_call_once);
