//! Hostile input over real HTTP, on both backends: NUL and other hostile text in every text field
//! is stored by one rule (NUL becomes U+FFFD, everything else as sent) while the inbox keeps the
//! raw payload; a delivery or function call that fails for good is recorded as `failed`, never
//! acknowledged silently; and a call id stays with the company of its first sighting.

use frontdesk_domain::text::scrub;
use frontdesk_server::test_support::{FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::test_support::TestDb;
use frontdesk_store::{BackendKind, backend_tests};
use serde_json::{Value, json};

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await
}

/// Text an attacker or an unlucky platform sends.
fn hostile() -> Vec<String> {
    vec![
        "nul\0inside".into(),
        "\0".into(),
        "\0\0 leading and trailing \0".into(),
        "controls \u{1}\u{8}\u{1b}[31m\u{7f}".into(),
        "right-to-left \u{202e}gnp.exe".into(),
        "emoji 😀 𝄞 ﷽ e\u{301}".into(),
        "quote ' \" \\ ; DROP TABLE calls; --".into(),
        "%_[] wildcards \\%".into(),
        "zero\u{200b}width\u{feff}".into(),
        format!("long {}", "ä\0".repeat(700)),
    ]
}

async fn get_json(s: &TestServer, path: &str) -> Value {
    let response = s.admin_get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Every text field of webhooks, function calls and the admin API takes hostile text on both
/// backends: answered as usual, stored with NUL replaced, and the inbox payload byte for byte.
async fn hostile_text_is_stored_by_one_rule_on_both_backends(db: TestDb) {
    let s = start(db).await;
    for (i, text) in hostile().iter().enumerate() {
        let clean = scrub(text).into_owned();
        let call_id = format!("call_hostile_{i}");
        let caller = format!("+4915112345{i:03}");
        let mut call = call_object(&call_id, &caller, FRISEUR, "ended");
        for field in ["agent_id", "transcript", "disconnection_reason", "recording_url", "public_log_url"] {
            call[field] = json!(text);
        }
        call["call_analysis"] = json!({"call_summary": text, text.as_str(): text});
        let ended = json!({"event": "call_ended", "call": call});
        assert_eq!(s.retell("/webhooks/retell", &ended).await.status(), 204, "call_ended with {text:?}");

        // The same snapshot during the call (the agent id is the hostile one here too).
        let mut live = ended["call"].clone();
        live["call_status"] = json!("ongoing");
        let date = if i < 5 { "2026-03-12" } else { "2026-03-13" };
        let time = ["09:00", "10:00", "11:00", "15:00", "16:00"][i % 5];
        let booked = s
            .function(
                "book_appointment",
                json!({"service": "Herrenhaarschnitt", "date": date, "time": time,
                       "customer_name": text, "notes": text}),
                &live,
            )
            .await;
        assert_eq!(booked["status"], "booked", "{booked}");
        let callback = s
            .function(
                "request_callback",
                json!({"customer_name": text, "reason": text, "preferred_time": text, "phone": caller}),
                &live,
            )
            .await;
        assert_eq!(callback["status"], "callback_requested", "{callback}");
        let odd_keys = s.function("check_customer", json!({text.as_str(): text, "service\0": text}), &live).await;
        assert_eq!(odd_keys["status"], "known", "{odd_keys}");

        let stored = get_json(&s, &format!("/api/v1/calls/{call_id}")).await;
        for field in ["agent_id", "transcript", "disconnection_reason", "recording_url", "public_log_url"] {
            assert_eq!(stored[field], json!(clean), "{field} of {text:?}");
        }
        assert_eq!(stored["analysis"]["call_summary"], json!(clean));
        assert_eq!(stored["webhook_events"][0]["status"], "processed");
        assert_eq!(stored["webhook_events"][0]["payload"], ended, "the raw payload is kept losslessly");
        let traced = &stored["function_calls"][0]["arguments"];
        assert_eq!(traced["customer_name"], json!(clean), "{traced}");
        let customer =
            get_json(&s, &format!("/api/v1/customers?company=friseur1&phone={}", caller.replace('+', "%2B"))).await;
        // Names are trimmed and capped in length; within that, as sent.
        let name = customer["items"][0]["name"].as_str().unwrap();
        assert!(!name.is_empty() && clean.trim().starts_with(name), "{name:?} from {text:?}");
    }
    let callbacks = get_json(&s, "/api/v1/callbacks?company=friseur1&limit=100").await;
    let reasons: Vec<&str> =
        callbacks["items"].as_array().unwrap().iter().filter_map(|c| c["reason"].as_str()).collect();
    for text in hostile() {
        // Capped in length like names; within that, as sent.
        let clean = scrub(&text);
        assert!(reasons.iter().any(|r| !r.is_empty() && clean.starts_with(r)), "no reason from {text:?}");
    }

    // A NUL in a path or a filter is the same replacement character: nothing matches, nothing fails.
    for path in [
        "/api/v1/calls/call%00x",
        "/api/v1/appointments?company=%00",
        "/api/v1/customers?company=friseur1&phone=%00",
        "/api/v1/customers?company=friseur1&phone=%2B49%00",
        "/api/v1/webhook-events?call=%00",
        "/api/v1/calls?status=%00",
    ] {
        let status = s.admin_get(path).await.status().as_u16();
        assert!(matches!(status, 200 | 400 | 404), "{path}: {status}");
    }
    let by_path = json!({"args": {}, "call": call_object("call_hostile_path", HANS, FRISEUR, "ongoing")});
    let answer: Value = s
        .retell_raw("/retell/functions/check%00customer", serde_json::to_vec(&by_path).unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["status"], "unknown_function", "{answer}");
    let stored = get_json(&s, "/api/v1/calls/call_hostile_path").await;
    assert_eq!(stored["function_calls"][0]["name_sent"], "check\u{FFFD}customer");
    s.stop().await;
}

/// Makes every write of a call whose transcript is `poison` fail for good, as a bug or a
/// constraint would: the database refuses it.
async fn poison_calls(db: &TestDb) {
    match db.kind {
        BackendKind::Sqlite => {
            for event in ["INSERT", "UPDATE"] {
                db.execute(&format!(
                    "CREATE TRIGGER poison_{event} BEFORE {event} ON calls WHEN NEW.transcript = 'poison' \
                     BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
                ))
                .await
                .unwrap();
            }
        }
        BackendKind::Postgres => {
            db.execute(
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.transcript = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$",
            )
            .await
            .unwrap();
            db.execute("CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON calls FOR EACH ROW EXECUTE FUNCTION poison()")
                .await
                .unwrap();
        }
    }
}

/// A lifecycle event that can never be applied is acknowledged only once it is stored as
/// `failed`, with the reason and the payload: listed, on its call, and replayable.
async fn webhooks_that_fail_for_good_are_stored_as_failed(db: TestDb) {
    let s = start(db).await;
    poison_calls(&s.db).await;
    assert_eq!(s.webhook("call_started", &call_object("call_poison", HANS, FRISEUR, "ongoing")).await, 204);
    let mut ended = call_object("call_poison", HANS, FRISEUR, "ended");
    ended["transcript"] = json!("poison");
    let body = json!({"event": "call_ended", "call": ended});
    assert_eq!(s.retell("/webhooks/retell", &body).await.status(), 204);

    let failed = get_json(&s, "/api/v1/webhook-events?status=failed").await;
    let items = failed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{failed}");
    assert_eq!(items[0]["event"], "call_ended");
    assert_eq!(items[0]["call_id"], "call_poison");
    assert_eq!(items[0]["payload"], body);
    assert!(items[0]["error"].as_str().unwrap().contains("could not be applied"), "{}", items[0]);
    let call = get_json(&s, "/api/v1/calls/call_poison").await;
    assert_eq!(call["status"], "ongoing", "nothing of the failed event was applied");
    assert_eq!(call["webhook_events"].as_array().unwrap().len(), 2, "both deliveries are on the call");
    s.stop().await;
}

/// A function call that fails for good answers `failed` (the agent must not retry it as if the
/// database were away) and is traced on its call with the reason.
async fn function_calls_that_fail_for_good_answer_failed_and_are_traced(db: TestDb) {
    let s = start(db).await;
    poison_calls(&s.db).await;
    let mut call = call_object("call_poison_fn", HANS, FRISEUR, "ongoing");
    assert_eq!(s.function("check_customer", json!({}), &call).await["status"], "known");
    call["transcript"] = json!("poison");
    for function in ["check_customer", "book_appointment"] {
        let answer = s
            .function(function, json!({"service": "Herrenhaarschnitt", "date": "2026-03-12", "time": "10:00"}), &call)
            .await;
        assert_eq!(answer["status"], "failed", "{answer}");
        assert_eq!(answer["success"], false);
        assert!(answer["message"].as_str().unwrap().contains("Rückruf"), "{answer}");
    }
    let stored = get_json(&s, "/api/v1/calls/call_poison_fn").await;
    let traces = stored["function_calls"].as_array().unwrap();
    assert_eq!(traces.len(), 3, "{stored}");
    for trace in &traces[1..] {
        assert_eq!(trace["status"], "failed");
        assert!(trace["response"]["error"].as_str().unwrap().contains("poisoned"), "{trace}");
    }
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM appointments").await, 0);
    s.stop().await;
}

/// The outside finding: a call first seen at the dental practice, then used with the salon's
/// number. Every later request through the salon is refused like an unknown number, traced on the
/// practice's call; the salon's customer and appointments are neither shown nor changed.
async fn a_call_id_of_another_company_is_refused(db: TestDb) {
    let s = start(db).await;
    let hans = call_object("call_hans", HANS, FRISEUR, "ongoing");
    let booked = s
        .function(
            "book_appointment",
            json!({"service": "Herrenhaarschnitt", "date": "2026-03-12", "time": "10:00"}),
            &hans,
        )
        .await;
    assert_eq!(booked["status"], "booked", "{booked}");

    assert_eq!(s.webhook("call_started", &call_object("call_shared", JOHN, SMILE, "ongoing")).await, 204);
    let hijacked = call_object("call_shared", HANS, FRISEUR, "ongoing");
    let unknown = s
        .function("get_customer_appointments", json!({}), &call_object("call_x", HANS, "+4930999999", "ongoing"))
        .await;
    for (function, args) in [
        ("get_customer_appointments", json!({})),
        ("check_customer", json!({})),
        ("cancel_appointment", json!({"date": "2026-03-12", "time": "10:00"})),
        ("book_appointment", json!({"service": "Herrenhaarschnitt", "date": "2026-03-12", "time": "11:00"})),
    ] {
        let answer = s.function(function, args, &hijacked).await;
        assert_eq!(answer, unknown, "{function}: refused exactly like an unknown number");
        let text = answer.to_string();
        assert!(!text.contains("Müller") && !text.contains("Friseur") && !text.contains("Smile"), "{text}");
    }
    assert_eq!(s.retell("/webhooks/retell", &json!({"event": "call_ended", "call": hijacked})).await.status(), 204);

    let call = get_json(&s, "/api/v1/calls/call_shared").await;
    assert_eq!(call["company"], "brightsmile", "{call}");
    assert_eq!(call["status"], "ongoing", "the refused event changed nothing");
    let traces = call["function_calls"].as_array().unwrap();
    assert_eq!(traces.len(), 4);
    for trace in traces {
        assert!(trace["response"]["error"].as_str().unwrap().contains(FRISEUR), "{trace}");
    }
    let events = call["webhook_events"].as_array().unwrap();
    let refused = events.iter().find(|e| e["status"] == "failed").expect("the refused delivery is kept");
    assert!(refused["error"].as_str().unwrap().contains(FRISEUR), "{refused}");
    let appointments = get_json(&s, "/api/v1/appointments?company=friseur1").await;
    let items = appointments["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "booked", "the salon's appointment was not cancelled");
    assert_eq!(
        s.db.scalar(
            "SELECT COUNT(*) FROM function_traces t JOIN calls c ON c.id = t.call_id \
             WHERE t.company_id IS NOT NULL AND t.company_id <> c.company_id"
        )
        .await,
        0
    );
    s.stop().await;
}

backend_tests!(
    hostile_text_is_stored_by_one_rule_on_both_backends,
    webhooks_that_fail_for_good_are_stored_as_failed,
    function_calls_that_fail_for_good_answer_failed_and_are_traced,
    a_call_id_of_another_company_is_refused,
);
