//! The write API: moving, cancelling, editing and closing things, with the caller policies
//! overridden and reported, I1 still holding, field errors named, retries answered once, and
//! every change in the audit log with its principal.

use frontdesk_server::test_support::{FRISEUR, HANS, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Auth, book, call, get, patch, post, start, token, user};

async fn operators_move_edit_and_cancel(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let (status, a) = book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-10T14:00", HANS).await;
    assert_eq!(status, 201, "{a}");
    let (_, b) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-10T15:00", "+491701111111").await;
    let path = format!("/api/v1/appointments/{}", a["id"]);

    // Moved to a free time: same id, new start.
    let (status, moved) = patch(&server, &staff, &path, json!({"start": "2026-03-10T16:00"})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        (moved["id"].clone(), moved["local_start"].as_str()),
        (a["id"].clone(), Some("2026-03-10T16:00:00+01:00"))
    );
    assert_eq!(moved["overridden"], json!([]));
    // Onto the other appointment: 409 with alternatives; nothing changes.
    let (status, taken) = patch(&server, &staff, &path, json!({"start": "2026-03-10T15:00"})).await;
    assert_eq!((status, taken["error"]["code"].as_str()), (409, Some("slot_taken")), "{taken}");
    assert!(!taken["alternatives"].as_array().unwrap().is_empty());
    // Outside the hours (Monday is closed): 422.
    let (status, closed) = patch(&server, &staff, &path, json!({"start": "2026-03-16T10:00"})).await;
    assert_eq!((status, closed["error"]["code"].as_str()), (422, Some("closed")), "{closed}");
    // To another stylist at the same time; to one who does not do this service: a field error.
    let (status, to_anna) = patch(&server, &staff, &path, json!({"staff": "anna"})).await;
    assert_eq!((status, to_anna["staff"].as_str()), (200, Some("anna")), "{to_anna}");
    let (status, lena) = patch(&server, &staff, &path, json!({"staff": "lena"})).await;
    assert_eq!((status, lena["error"]["fields"][0]["field"].as_str()), (422, Some("staff")), "{lena}");
    // Field errors are named, all of them.
    let (status, bad) = patch(&server, &staff, &path, json!({"start": "next week", "status": "cancelled"})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        bad["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["start", "status"]);

    // Cancelled in good time: no policy overridden; twice: refused.
    let (status, cancelled) =
        post(&server, &staff, &format!("/api/v1/appointments/{}/cancel", b["id"]), json!({"reason": "Kundin krank"}))
            .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!((cancelled["status"].as_str(), cancelled["overridden"].clone()), (Some("cancelled"), json!([])));
    let (status, again) = post(&server, &staff, &format!("/api/v1/appointments/{}/cancel", b["id"]), json!({})).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("appointment_not_booked")));

    // Notes and outcome.
    let (status, done) = patch(&server, &staff, &path, json!({"notes": "Stammkunde", "status": "completed"})).await;
    assert_eq!(
        (status, done["status"].as_str(), done["notes"].as_str()),
        (200, Some("completed"), Some("Stammkunde")),
        "{done}"
    );
    let (status, cleared) = patch(&server, &staff, &path, json!({"notes": null, "status": "no_show"})).await;
    assert_eq!((status, cleared["status"].as_str()), (200, Some("no_show")));
    assert!(cleared["notes"].is_null());
    let (status, cant) = patch(&server, &staff, &path, json!({"start": "2026-03-11T10:00"})).await;
    assert_eq!((status, cant["error"]["code"].as_str()), (409, Some("appointment_not_booked")));

    // The audit log has each change with its principal, newest first.
    let (_, audit) = get(&server, &staff, &format!("/api/v1/audit?entity=appointment&entity_id={}", a["id"])).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["appointment.edit", "appointment.edit", "appointment.move", "appointment.move", "appointment.create"]
    );
    let first_move = &audit["items"][3];
    assert_eq!(first_move["actor"]["kind"], "token");
    assert!(first_move["actor"]["label"].as_str().unwrap().starts_with("staff test (fd_"));
    assert_eq!(first_move["before"]["local_start"], "2026-03-10T14:00:00+01:00");
    assert_eq!(first_move["after"]["local_start"], "2026-03-10T16:00:00+01:00");
    server.stop().await;
}

/// The caller policies bind callers, not operators: what an operator overrides is answered and
/// audited. The clock stands at Tuesday 09:00 in Berlin.
async fn overridden_policies_are_reported_and_audited(db: TestDb) {
    let server = TestServer::start(db, TestServer::settings(Some("2026-03-10T08:00:00Z".parse().unwrap()))).await;
    let owner = token(&server, "owner", Some("friseur1")).await;
    // Sooner than the 60 minutes' minimum notice.
    let (status, b) = book(&server, &owner, "friseur1", "herrenhaarschnitt", "anna", "2026-03-10T09:30", HANS).await;
    assert_eq!((status, b["overridden"].clone()), (201, json!(["minimum_notice"])), "{b}");
    // In the past: never.
    let (status, past) =
        book(&server, &owner, "friseur1", "herrenhaarschnitt", "anna", "2026-03-10T08:30", "+491701111112").await;
    assert_eq!((status, past["error"]["code"].as_str()), (422, Some("past_time")), "{past}");
    // Moved with less than the 12 hours' reschedule notice, to a time within the minimum notice.
    let path = format!("/api/v1/appointments/{}", b["id"]);
    let (status, moved) = patch(&server, &owner, &path, json!({"start": "2026-03-10T09:45"})).await;
    assert_eq!((status, moved["overridden"].clone()), (200, json!(["deadline_missed", "minimum_notice"])), "{moved}");
    // Cancelled within the 24 hours' deadline: no fee charged.
    let (status, cancelled) = post(&server, &owner, &format!("{path}/cancel"), json!({"reason": "Kunde krank"})).await;
    assert_eq!((status, cancelled["overridden"].clone()), (200, json!(["deadline_missed"])), "{cancelled}");
    assert!(cancelled["cancellation_fee_cents"].is_null(), "operators never charge the fee: {cancelled}");
    let (_, audit) = get(&server, &owner, &format!("/api/v1/audit?entity=appointment&entity_id={}", b["id"])).await;
    let overridden: Vec<Value> = audit["items"].as_array().unwrap().iter().map(|e| e["overridden"].clone()).collect();
    assert_eq!(
        overridden,
        [json!(["deadline_missed"]), json!(["deadline_missed", "minimum_notice"]), json!(["minimum_notice"])]
    );
    server.stop().await;
}

async fn a_retried_post_gets_the_first_answer(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let body = json!({
        "company": "friseur1", "service": "herrenhaarschnitt", "staff": "mehmet", "start": "2026-03-10T14:00",
        "customer": {"name": "Hans Müller", "phone": HANS},
    });
    let send = |body: Value, key: &'static str| {
        let request = server.client.post(format!("{}/api/v1/appointments", server.url));
        let request = match &staff {
            Auth::Bearer(t) => request.bearer_auth(t),
            _ => unreachable!(),
        };
        request.header("idempotency-key", key).json(&body).send()
    };
    let first = send(body.clone(), "booking-1").await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone(), "booking-1").await.unwrap();
    assert_eq!(again.status(), 201, "the first answer, not a 409 for the customer's own booking");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let (_, listed) = get(&server, &staff, "/api/v1/appointments?company=friseur1").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "booked once");
    let mut other = body;
    other["start"] = json!("2026-03-10T16:00");
    let reused = send(other.clone(), "booking-1").await.unwrap();
    assert_eq!(reused.status(), 422);
    let reused: Value = reused.json().await.unwrap();
    assert_eq!(reused["error"]["code"], "idempotency_key_reused");
    // Keys belong to their principal: another one's same key with another request is a new
    // request, not a reuse.
    let owner = token(&server, "owner", Some("friseur1")).await;
    let Auth::Bearer(owner_token) = &owner else { unreachable!() };
    let mut elsewhere = other.clone();
    elsewhere["start"] = json!("2026-03-10T17:00");
    let response = server
        .client
        .post(format!("{}/api/v1/appointments", server.url))
        .bearer_auth(owner_token)
        .header("idempotency-key", "booking-1")
        .json(&elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the owner's key is the owner's own");
    server.stop().await;
}

async fn callbacks_are_assigned_closed_and_reopened(db: TestDb) {
    let server = start(db).await;
    let asked = server
        .function(
            "request_callback",
            json!({"grund": "Frage zur Farbe"}),
            &call_object("call_cb_ops", HANS, FRISEUR, "ongoing"),
        )
        .await;
    let id = asked["callback_id"].as_i64().unwrap();
    let lena = user(&server, "lena@friseur1.example", "staff", Some("friseur1"), "correct horse battery").await;
    let outsider = user(&server, "dr@smile.example", "staff", Some("brightsmile"), "correct horse battery").await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let path = format!("/api/v1/callbacks/{id}");
    let (status, assigned) = patch(&server, &staff, &path, json!({"assigned_user_id": lena})).await;
    assert_eq!((status, assigned["assigned_user_id"].as_i64()), (200, Some(lena)), "{assigned}");
    let (status, refused) = patch(&server, &staff, &path, json!({"assigned_user_id": outsider})).await;
    assert_eq!((status, refused["error"]["fields"][0]["field"].as_str()), (422, Some("assigned_user_id")));
    let (status, done) =
        patch(&server, &staff, &path, json!({"status": "done", "note": "Termin für Freitag vereinbart"})).await;
    assert_eq!(
        (status, done["status"].as_str(), done["done_note"].as_str()),
        (200, Some("done"), Some("Termin für Freitag vereinbart"))
    );
    assert!(done["done_at"].is_string());
    let (_, open) = get(&server, &staff, "/api/v1/callbacks?status=open").await;
    assert!(open["items"].as_array().unwrap().is_empty());
    let (status, reopened) = patch(&server, &staff, &path, json!({"status": "open"})).await;
    assert_eq!((status, reopened["status"].as_str()), (200, Some("open")));
    assert!(reopened["done_at"].is_null() && reopened["done_note"].is_null());
    let (status, _) = patch(&server, &staff, &path, json!({"status": "maybe"})).await;
    assert_eq!(status, 422);
    let (_, audit) = get(&server, &staff, &format!("/api/v1/audit?entity=callback&entity_id={id}")).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["callback.reopen", "callback.done", "callback.assign"]);
    server.stop().await;
}

/// An operator moving an appointment onto a time and a caller booking that same time at once:
/// exactly one gets it, whichever it is, and the calendar never holds both (I1).
async fn an_operator_move_and_a_voice_booking_race_for_one_slot(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    // Apart enough that one round's appointments (with the service's buffer) never touch the next.
    let rounds = ["2026-03-11", "2026-03-13"].into_iter().flat_map(|day| [9, 11, 13, 15].map(move |hour| (day, hour)));
    for (round, (day, hour)) in rounds.enumerate() {
        let (status, a) = book(
            &server,
            &staff,
            "friseur1",
            "herrenhaarschnitt",
            "mehmet",
            &format!("{day}T{hour:02}:00"),
            &format!("+49170200000{round}"),
        )
        .await;
        assert_eq!(status, 201, "{a}");
        // An hour later: free until one of them takes it (the appointment's own time and buffer
        // end before).
        let target = format!("{day}T{:02}:00", hour + 1);
        let voice_call =
            call_object(&format!("call_race_{round}"), &format!("+49170300000{round}"), FRISEUR, "ongoing");
        let args = json!({"service": "Herrenhaarschnitt", "date": day, "time": format!("{}:00", hour + 1), "staff": "Mehmet", "name": "Peter Pan"});
        let path = format!("/api/v1/appointments/{}", a["id"]);
        let (moved, booked) = tokio::join!(
            call(&server, &staff, Method::PATCH, &path, Some(json!({"start": target, "staff": "mehmet"}))),
            server.function("book_appointment", args, &voice_call),
        );
        let operator_won = moved.0 == 200;
        let caller_won = booked["success"] == true;
        assert!(operator_won ^ caller_won, "exactly one wins: operator {} {}, caller {booked}", moved.0, moved.1);
        if !operator_won {
            assert_eq!(moved.0, 409, "{}", moved.1);
        }
    }
    // The calendar holds no overlap of Mehmet's.
    let (_, list) =
        get(&server, &staff, "/api/v1/appointments?company=friseur1&staff=mehmet&status=booked&limit=100").await;
    let mut ranges: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["start"].as_str().unwrap().to_owned(), a["end"].as_str().unwrap().to_owned()))
        .collect();
    ranges.sort();
    assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0), "{ranges:?}");
    server.stop().await;
}

async fn unknown_fields_and_bodies_are_refused(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let (status, _) = patch(&server, &staff, "/api/v1/appointments/1", json!({"begin": "x"})).await;
    assert_eq!(status, 404, "an appointment that does not exist, before the body is looked at");
    let (_, a) = book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-10T14:00", HANS).await;
    let (status, body) =
        patch(&server, &staff, &format!("/api/v1/appointments/{}", a["id"]), json!({"begin": "x"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_request")));
    let (status, body) = patch(&server, &staff, &format!("/api/v1/appointments/{}", a["id"]), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid")));
    server.stop().await;
}

backend_tests!(
    operators_move_edit_and_cancel,
    overridden_policies_are_reported_and_audited,
    a_retried_post_gets_the_first_answer,
    callbacks_are_assigned_closed_and_reopened,
    an_operator_move_and_a_voice_booking_race_for_one_slot,
    unknown_fields_and_bodies_are_refused,
);
