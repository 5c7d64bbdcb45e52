//! Retell webhooks: signatures, the inbox, the inbound-call answer, and the order-independence
//! of the call record (I6) over real HTTP.

use std::collections::HashSet;

use frontdesk_server::test_support::{FRISEUR, HANS, RETELL_KEY, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await
}

async fn unsigned_or_badly_signed_requests_are_refused_and_nothing_is_stored(db: TestDb) {
    let s = start(db).await;
    let body =
        serde_json::to_vec(&json!({"event": "call_ended", "call": call_object("c1", HANS, FRISEUR, "ended")})).unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    let cases: Vec<(&str, Option<String>)> = vec![
        ("/webhooks/retell", None),
        ("/webhooks/retell", Some("v=123,d=abc".into())),
        ("/webhooks/retell", Some(frontdesk_retell::signature::sign("wrong-key", &body, now))),
        ("/webhooks/retell", Some(frontdesk_retell::signature::sign(RETELL_KEY, &body, now - 301_000))),
        ("/retell/functions", None),
        ("/retell/functions/check_availability", Some(frontdesk_retell::signature::sign(RETELL_KEY, b"{}", now))),
    ];
    for (path, signature) in cases {
        let mut request = s.client.post(format!("{}{path}", s.url)).body(body.clone());
        if let Some(sig) = signature {
            request = request.header("x-retell-signature", sig);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{path}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "unauthorized");
    }
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM webhook_events").await, 0);
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM calls").await, 0);
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM function_traces").await, 0);
    s.stop().await;
}

async fn deliveries_go_into_the_inbox(db: TestDb) {
    let s = start(db).await;
    let ended: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_ended.json")).unwrap();
    for _ in 0..2 {
        assert_eq!(s.retell("/webhooks/retell", &ended).await.status(), 204);
    }
    // Older senders put the call under `data`.
    let analyzed: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_analyzed.json")).unwrap();
    let old_style = json!({"event": "call_analyzed", "data": analyzed["call"]});
    assert_eq!(s.retell("/webhooks/retell", &old_style).await.status(), 204);
    assert_eq!(
        s.retell("/webhooks/retell", &json!({"event": "call_teleported", "call": {"call_id": "x"}})).await.status(),
        204
    );
    assert_eq!(s.retell("/webhooks/retell", &json!({"event": "call_ended"})).await.status(), 204);
    assert_eq!(s.retell("/webhooks/retell", &json!({"no_event": true})).await.status(), 400);
    assert_eq!(s.retell_raw("/webhooks/retell", b"{not json".to_vec()).await.status(), 400);

    let events: Value = s.admin_get("/api/v1/webhook-events").await.json().await.unwrap();
    let summary: Vec<(String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap().to_owned(), e["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        summary,
        [
            ("call_ended", "processed"),
            ("call_ended", "ignored"),
            ("call_analyzed", "processed"),
            ("call_teleported", "ignored"),
            ("call_ended", "failed")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec()
    );
    let call: Value = s.admin_get("/api/v1/calls/call_5b1d0c7e2a9f4c3d8e6a7b0c1d2e3f40").await.json().await.unwrap();
    assert_eq!(call["status"], "ended");
    assert_eq!(call["company"], "friseur1");
    assert_eq!(call["cost_cents"], 24);
    assert_eq!(call["analysis"]["call_successful"], true);
    assert!(call["transcript"].as_str().unwrap().contains("Auf Wiederhören"));
    assert!(call["customer_id"].is_number(), "Hans is a known customer");
    assert_eq!(call["webhook_events"].as_array().unwrap().len(), 3);
    let failed: Value = s.admin_get("/api/v1/webhook-events?status=failed").await.json().await.unwrap();
    assert_eq!(failed["items"].as_array().unwrap().len(), 1);
    s.stop().await;
}

async fn the_inbound_webhook_answers_dynamic_variables(db: TestDb) {
    let s = start(db).await;
    let inbound: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_inbound.json")).unwrap();
    let response = s.retell("/webhooks/retell", &inbound).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let vars = &body["call_inbound"]["dynamic_variables"];
    assert_eq!(vars["company_name"], "Friseur 1");
    assert_eq!(vars["branch_name"], "Friseur 1 Zentrale");
    assert_eq!(vars["customer_known"], "true");
    assert_eq!(vars["customer_name"], "Hans Müller");
    assert_eq!(vars["caller_anonymous"], "false");
    assert_eq!(vars["current_date"], "2026-03-09");
    assert_eq!(vars["current_time"], "09:00");
    assert_eq!(vars["current_weekday"], "Montag");
    assert_eq!(vars["timezone"], "Europe/Berlin");
    assert_eq!(vars["locale"], "de-DE");
    assert!(vars.as_object().unwrap().values().all(Value::is_string), "Retell wants strings: {vars}");
    assert!(body["call_inbound"]["metadata"]["company_id"].is_number());

    let anonymous =
        json!({"event": "call_inbound", "call_inbound": {"from_number": "anonymous", "to_number": "+12125550123"}});
    let body: Value = s.retell("/webhooks/retell", &anonymous).await.json().await.unwrap();
    assert_eq!(body["call_inbound"]["dynamic_variables"]["caller_anonymous"], "true");
    assert_eq!(body["call_inbound"]["dynamic_variables"]["customer_known"], "false");
    assert_eq!(body["call_inbound"]["dynamic_variables"]["locale"], "en-US");

    let nowhere =
        json!({"event": "call_inbound", "call_inbound": {"from_number": HANS, "to_number": "+4930999999999"}});
    let body: Value = s.retell("/webhooks/retell", &nowhere).await.json().await.unwrap();
    assert_eq!(body, json!({"call_inbound": {}}));
    s.stop().await;
}

async fn the_latest_transcript_is_kept(db: TestDb) {
    let s = start(db).await;
    let mut call = call_object("call_talk", HANS, FRISEUR, "ongoing");
    for transcript in ["Agent: Hallo", "Agent: Hallo\nUser: Ich möchte", "Agent: Hallo\nUser: Ich möchte einen Termin"]
    {
        call["transcript"] = json!(transcript);
        assert_eq!(s.webhook("transcript_updated", &call).await, 204);
    }
    // A late, shorter snapshot does not shrink it.
    call["transcript"] = json!("Agent: Hallo");
    assert_eq!(s.webhook("transcript_updated", &call).await, 204);
    let detail: Value = s.admin_get("/api/v1/calls/call_talk").await.json().await.unwrap();
    assert_eq!(detail["transcript"], "Agent: Hallo\nUser: Ich möchte einen Termin");
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM webhook_events WHERE status = 'processed'").await, 4);
    s.stop().await;
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 1 {
        return vec![vec![0]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..n {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// I6 over HTTP: for every ordering of call_inbound, call_started, the first function call,
/// call_ended and call_analyzed — each delivered twice — the final call record is identical.
async fn every_ordering_gives_the_same_call(db: TestDb) {
    let s = start(db).await;
    let ended: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_ended.json")).unwrap();
    let analyzed: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_analyzed.json")).unwrap();
    let started: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_started.json")).unwrap();
    let inbound: Value = serde_json::from_str(include_str!("../../../../fixtures/retell/call_inbound.json")).unwrap();
    let function: Value =
        serde_json::from_str(include_str!("../../../../fixtures/retell/function_check_availability.json")).unwrap();
    let mut finals = HashSet::new();
    for (n, order) in permutations(5).into_iter().enumerate() {
        let id = format!("call_order_{n}");
        let with_id = |mut v: Value| {
            if v.get("call").is_some() {
                v["call"]["call_id"] = json!(id);
            }
            v
        };
        let events = [
            inbound.clone(),
            with_id(started.clone()),
            with_id(function.clone()),
            with_id(ended.clone()),
            with_id(analyzed.clone()),
        ];
        for &i in order.iter().chain(order.iter()) {
            let path = if i == 2 { "/retell/functions" } else { "/webhooks/retell" };
            let status = s.retell(path, &events[i]).await.status().as_u16();
            assert!(matches!(status, 200 | 204), "{status}");
        }
        let mut record: Value = s.admin_get(&format!("/api/v1/calls/{id}")).await.json().await.unwrap();
        assert_eq!(record["status"], "ended", "{order:?}");
        let object = record.as_object_mut().unwrap();
        for bookkeeping in ["id", "call_id", "first_seen_at", "last_event_at", "function_calls", "webhook_events"] {
            object.remove(bookkeeping);
        }
        finals.insert(record.to_string());
    }
    assert_eq!(finals.len(), 1, "120 orderings, one final record: {finals:#?}");
    s.stop().await;
}

backend_tests!(
    unsigned_or_badly_signed_requests_are_refused_and_nothing_is_stored,
    deliveries_go_into_the_inbox,
    the_inbound_webhook_answers_dynamic_variables,
    the_latest_transcript_is_kept,
    every_ordering_gives_the_same_call,
);
