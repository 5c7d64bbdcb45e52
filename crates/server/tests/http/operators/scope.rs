//! The company scope: a principal of one company, given every id of another company, sees
//! nothing of it and changes nothing of it. Another company's ids answer 404, like ids that do
//! not exist.

use frontdesk_server::test_support::{FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Auth, book, call, get, patch, post, start, token, user};

/// What company B has: ids of each kind, made through the API and a call.
struct Theirs {
    appointment: i64,
    callback: i64,
    customer: i64,
    call: String,
    user: i64,
    token: i64,
    closure: i64,
    absence: i64,
    job_company: &'static str,
}

async fn company_b(server: &TestServer) -> Theirs {
    let (status, booked) =
        book(server, &Auth::admin(), "brightsmile", "checkup", "dr-patel", "2026-03-10T10:00", "+12125550144").await;
    assert_eq!(status, 201, "{booked}");
    let call_b = call_object("call_scope_smile", JOHN, SMILE, "ongoing");
    let asked = server.function("request_callback", json!({"reason": "billing question"}), &call_b).await;
    let callback = asked["callback_id"].as_i64().unwrap_or_else(|| panic!("{asked}"));
    let user = user(server, "owner@smile.example", "owner", Some("brightsmile"), "correct horse battery").await;
    let (_, made) = post(
        server,
        &Auth::admin(),
        "/api/v1/tokens",
        json!({"name": "smile sync", "role": "staff", "company": "brightsmile"}),
    )
    .await;
    let (status, closure) =
        post(server, &Auth::admin(), "/api/v1/closures", json!({"company": "brightsmile", "date": "2026-03-16"})).await;
    assert_eq!(status, 201, "{closure}");
    let (status, absence) = post(
        server,
        &Auth::admin(),
        "/api/v1/absences",
        json!({"company": "brightsmile", "staff": "hygienist-jones", "from": "2026-03-17"}),
    )
    .await;
    assert_eq!(status, 201, "{absence}");
    Theirs {
        closure: closure["id"].as_i64().unwrap(),
        absence: absence["id"].as_i64().unwrap(),
        appointment: booked["id"].as_i64().unwrap(),
        callback,
        customer: booked["customer_id"].as_i64().unwrap(),
        call: "call_scope_smile".into(),
        user,
        token: made["id"].as_i64().unwrap(),
        job_company: "brightsmile",
    }
}

fn ids_in(body: &Value) -> Vec<i64> {
    body["items"].as_array().unwrap().iter().filter_map(|i| i["company_id"].as_i64()).collect()
}

async fn a_company_sees_and_changes_nothing_of_another(db: TestDb) {
    let server = start(db).await;
    let theirs = company_b(&server).await;
    // Something of our own too, so that empty answers are not empty for another reason.
    let (status, ours) =
        book(&server, &Auth::admin(), "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-10T14:00", HANS).await;
    assert_eq!(status, 201, "{ours}");
    server
        .function(
            "request_callback",
            json!({"grund": "Rückruf"}),
            &call_object("call_scope_ours", HANS, FRISEUR, "ongoing"),
        )
        .await;

    // A delivery of theirs to replay, and a failed Cal.com job of theirs to retry.
    assert_eq!(server.webhook("call_started", &call_object("call_scope_smile", JOHN, SMILE, "ongoing")).await, 204);
    let (_, events) = get(&server, &Auth::admin(), "/api/v1/webhook-events?call=call_scope_smile").await;
    let their_event = events["items"][0]["id"].as_i64().expect("their delivery");
    // (The demo practice has no Cal.com account: the failed job is written as the worker leaves one.)
    server
        .db
        .execute(&format!(
            "INSERT INTO outbox_jobs (company_id, appointment_id, kind, payload, status, attempts, run_after, created_at, updated_at)
             SELECT company_id, id, 'calcom_create', '{{}}', 'failed', 5, created_at, created_at, created_at
               FROM appointments WHERE id = {}",
            theirs.appointment
        ))
        .await
        .unwrap();
    let (_, jobs) = get(&server, &Auth::admin(), "/api/v1/outbox?company=brightsmile&status=failed").await;
    let their_job = jobs["items"][0]["id"].as_i64().expect("their failed Cal.com job");
    // And a notification of theirs that was skipped (no mail server), to retry.
    server
        .db
        .execute(&format!(
            "INSERT INTO notifications (company_id, kind, channel, recipient, appointment_id, sequence, message_id,
                payload, status, attempts, due_at, run_after, created_at, updated_at)
             SELECT company_id, 'confirmation', 'email', 'theirs@example.com', id, 0, 'scope-test',
                '{{\"about\": \"erased\"}}', 'skipped', 1, created_at, created_at, created_at, created_at
               FROM appointments WHERE id = {}",
            theirs.appointment
        ))
        .await
        .unwrap();
    let (_, skipped) = get(&server, &Auth::admin(), "/api/v1/notifications?company=brightsmile&status=skipped").await;
    let their_notification = skipped["items"][0]["id"].as_i64().expect("their skipped notification");

    for role in ["owner", "staff"] {
        let auth = token(&server, role, Some("friseur1")).await;
        // Lists: only our company, and naming theirs is not found.
        for list in ["appointments", "customers", "callbacks", "calls", "outbox", "notifications", "audit"] {
            let (status, body) = get(&server, &auth, &format!("/api/v1/{list}")).await;
            assert_eq!(status, 200, "{role} {list}: {body}");
            assert!(ids_in(&body).iter().all(|c| *c == 1), "{role} {list} shows only friseur1: {body}");
            let (status, _) = get(&server, &auth, &format!("/api/v1/{list}?company={}", theirs.job_company)).await;
            assert_eq!(status, 404, "{role} {list}?company=brightsmile");
            let (status, _) = get(&server, &auth, &format!("/api/v1/{list}?company=2")).await;
            assert_eq!(status, 404, "{role} {list}?company=2");
        }
        let (_, appointments) = get(&server, &auth, "/api/v1/appointments").await;
        assert!(!appointments["items"].as_array().unwrap().is_empty(), "our own appointment is listed");
        let (_, companies) = get(&server, &auth, "/api/v1/companies").await;
        let keys: Vec<&str> =
            companies["items"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["friseur1"], "{role}");
        let (_, events) = get(&server, &auth, "/api/v1/webhook-events").await;
        assert!(events["items"].as_array().unwrap().iter().all(|e| e["company_id"] != 2), "{role}");

        // One thing by id: not found, whatever the method.
        let a = theirs.appointment;
        let attempts: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/api/v1/appointments/{a}"), None),
            (Method::PATCH, format!("/api/v1/appointments/{a}"), Some(json!({"notes": "mine now"}))),
            (Method::PATCH, format!("/api/v1/appointments/{a}"), Some(json!({"start": "2026-03-10T11:00"}))),
            (Method::POST, format!("/api/v1/appointments/{a}/cancel"), Some(json!({}))),
            (Method::PATCH, format!("/api/v1/callbacks/{}", theirs.callback), Some(json!({"status": "done"}))),
            (Method::GET, format!("/api/v1/calls/{}", theirs.call), None),
            (Method::GET, format!("/api/v1/appointments?customer={}&company=brightsmile", theirs.customer), None),
            (Method::GET, format!("/api/v1/customers/{}", theirs.customer), None),
            (Method::PATCH, format!("/api/v1/customers/{}", theirs.customer), Some(json!({"name": "mine"}))),
            (Method::GET, format!("/api/v1/customers/{}/export", theirs.customer), None),
            (Method::POST, format!("/api/v1/customers/{}/erase", theirs.customer), Some(json!({}))),
            (Method::POST, format!("/api/v1/customers/{}/merge", theirs.customer), Some(json!({"from": 1}))),
            (Method::DELETE, format!("/api/v1/closures/{}", theirs.closure), None),
            (Method::DELETE, format!("/api/v1/absences/{}", theirs.absence), None),
            (Method::GET, "/api/v1/closures?company=brightsmile".to_owned(), None),
            (Method::GET, "/api/v1/absences?company=brightsmile".to_owned(), None),
            (
                Method::POST,
                "/api/v1/closures".to_owned(),
                Some(json!({"company": "brightsmile", "date": "2026-03-20"})),
            ),
            (
                Method::POST,
                "/api/v1/absences".to_owned(),
                Some(json!({"company": "brightsmile", "staff": "dr-patel", "from": "2026-03-20"})),
            ),
            (Method::POST, "/api/v1/customers".to_owned(), Some(json!({"company": "brightsmile", "name": "X"}))),
            (Method::POST, format!("/api/v1/webhook-events/{their_event}/replay"), None),
            (Method::POST, format!("/api/v1/outbox/{their_job}/retry"), None),
            (Method::POST, format!("/api/v1/notifications/{their_notification}/retry"), None),
            (Method::GET, format!("/api/v1/notifications?appointment={a}&company=brightsmile"), None),
        ];
        for (method, path, body) in attempts {
            let (status, answer, _) = call(&server, &auth, method.clone(), &path, body).await;
            assert_eq!(status, 404, "{role} {method} {path}: {answer}");
        }
        let (_, by_customer) = get(&server, &auth, &format!("/api/v1/appointments?customer={}", theirs.customer)).await;
        assert!(by_customer["items"].as_array().unwrap().is_empty(), "{role}: their customer's appointments");
        if role == "owner" {
            let (status, _) =
                patch(&server, &auth, &format!("/api/v1/users/{}", theirs.user), json!({"disabled": true})).await;
            assert_eq!(status, 404);
            let (status, _, _) =
                call(&server, &auth, Method::DELETE, &format!("/api/v1/tokens/{}", theirs.token), None).await;
            assert_eq!(status, 404);
            let (_, users) = get(&server, &auth, "/api/v1/users").await;
            assert!(users["items"].as_array().unwrap().iter().all(|u| u["company_id"] == 1), "{users}");
            let (_, tokens) = get(&server, &auth, "/api/v1/tokens").await;
            assert!(tokens["items"].as_array().unwrap().iter().all(|t| t["company_id"] == 1), "{tokens}");
            let (status, _) = post(
                &server,
                &auth,
                "/api/v1/tokens",
                json!({"name": "theirs", "role": "staff", "company": "brightsmile"}),
            )
            .await;
            assert_eq!(status, 404);
        }
        let (status, _) =
            book(&server, &auth, "brightsmile", "checkup", "dr-patel", "2026-03-10T15:00", "+12125550145").await;
        assert_eq!(status, 404, "{role} books in another company");
    }

    // And nothing of theirs changed.
    let (_, appointment) = get(&server, &Auth::admin(), &format!("/api/v1/appointments/{}", theirs.appointment)).await;
    assert_eq!((appointment["status"].as_str(), appointment["notes"].as_str()), (Some("booked"), None));
    assert_eq!(appointment["local_start"], "2026-03-10T10:00:00-04:00");
    let (_, callbacks) = get(&server, &Auth::admin(), "/api/v1/callbacks?company=brightsmile").await;
    assert_eq!(callbacks["items"][0]["status"], "open");
    let (_, users) = get(&server, &Auth::admin(), "/api/v1/users").await;
    let user = users["items"].as_array().unwrap().iter().find(|u| u["id"] == theirs.user).unwrap().clone();
    assert_eq!(user["disabled"], false);
    let (_, tokens) = get(&server, &Auth::admin(), "/api/v1/tokens").await;
    let token = tokens["items"].as_array().unwrap().iter().find(|t| t["id"] == theirs.token).unwrap().clone();
    assert!(token["revoked_at"].is_null());
    let (_, customer) = get(&server, &Auth::admin(), &format!("/api/v1/customers/{}", theirs.customer)).await;
    assert_eq!(customer["name"], "Operator Test", "not renamed, not erased, not merged: {customer}");
    let (_, closures) = get(&server, &Auth::admin(), "/api/v1/closures?company=brightsmile").await;
    assert_eq!(closures["items"].as_array().unwrap().len(), 1);
    let (_, absences) = get(&server, &Auth::admin(), "/api/v1/absences?company=brightsmile").await;
    assert_eq!(absences["items"].as_array().unwrap().len(), 1);
    let (_, jobs) = get(&server, &Auth::admin(), "/api/v1/outbox?company=brightsmile&status=failed").await;
    assert_eq!(jobs["items"][0]["id"], their_job, "their failed job was not queued again");
    let (_, skipped) = get(&server, &Auth::admin(), "/api/v1/notifications?company=brightsmile&status=skipped").await;
    assert!(
        skipped["items"].as_array().unwrap().iter().any(|n| n["id"] == their_notification),
        "their notification was not queued again: {skipped}"
    );
    let (_, audit) = get(&server, &Auth::admin(), "/api/v1/audit?company=brightsmile").await;
    assert!(
        audit["items"].as_array().unwrap().iter().all(|e| e["actor"]["kind"] == "admin_token"),
        "only the platform admin changed anything of theirs: {audit}"
    );
    server.stop().await;
}

backend_tests!(a_company_sees_and_changes_nothing_of_another);
