//! Customers for operators: create and edit under I2, merge keeping every appointment, export
//! everything about one, erase their personal data everywhere it was stored.

use frontdesk_server::test_support::{FRISEUR, HANS, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::json;

use super::{Auth, book, get, patch, post, start, token};

async fn customers_are_created_and_edited_under_i2(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let (status, created) = post(
        &server,
        &staff,
        "/api/v1/customers",
        json!({"company": "friseur1", "name": "Petra Schulz", "phone": "0151 23456789"}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["phone"], "+4915123456789", "numbers are normalised in the company's region");
    // Hans (a demo customer) has his number: nobody else may.
    let (status, taken) =
        post(&server, &staff, "/api/v1/customers", json!({"company": "friseur1", "name": "X", "phone": HANS})).await;
    assert_eq!((status, taken["error"]["code"].as_str()), (409, Some("phone_taken")));
    let path = format!("/api/v1/customers/{}", created["id"]);
    let (status, taken) = patch(&server, &staff, &path, json!({"phone": HANS})).await;
    assert_eq!((status, taken["error"]["code"].as_str()), (409, Some("phone_taken")));
    let (status, bad) = patch(&server, &staff, &path, json!({"phone": "no number", "email": "nope"})).await;
    assert_eq!(status, 422);
    assert_eq!(bad["error"]["fields"].as_array().unwrap().len(), 2, "{bad}");
    let (status, edited) =
        patch(&server, &staff, &path, json!({"email": "petra@example.com", "salutation": "Frau", "phone": null})).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!((edited["email"].as_str(), edited["salutation"].as_str()), (Some("petra@example.com"), Some("Frau")));
    assert!(edited["phone"].is_null());
    // The same number in another company is another customer.
    let (status, _) = post(
        &server,
        &Auth::admin(),
        "/api/v1/customers",
        json!({"company": "brightsmile", "name": "Hans", "phone": HANS}),
    )
    .await;
    assert_eq!(status, 201);
    server.stop().await;
}

async fn a_merge_keeps_every_appointment(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let (_, a1) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-10T14:00", "+491702000001").await;
    let (_, a2) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-11T10:00", "+491702000002").await;
    let (_, a3) =
        book(&server, &staff, "friseur1", "damenhaarschnitt", "anna", "2026-03-12T10:00", "+491702000002").await;
    let (keep, gone) = (a1["customer_id"].as_i64().unwrap(), a2["customer_id"].as_i64().unwrap());
    assert_ne!(keep, gone);
    let voice = call_object("call_merge", "+491702000002", FRISEUR, "ongoing");
    server.function("request_callback", json!({"grund": "Rückruf"}), &voice).await;

    let (status, merged) =
        post(&server, &staff, &format!("/api/v1/customers/{keep}/merge"), json!({"from": gone})).await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["moved"]["appointments"], 2);
    assert_eq!(merged["moved"]["callbacks"], 1);
    let (_, listed) = get(&server, &staff, &format!("/api/v1/appointments?customer={keep}")).await;
    let mut ids: Vec<i64> = listed["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, [a1["id"].as_i64().unwrap(), a2["id"].as_i64().unwrap(), a3["id"].as_i64().unwrap()]);
    assert_eq!(get(&server, &staff, &format!("/api/v1/customers/{gone}")).await.0, 404, "the other is removed");
    let (_, callbacks) = get(&server, &staff, &format!("/api/v1/callbacks?customer={keep}")).await;
    assert_eq!(callbacks["items"].as_array().unwrap().len(), 1);
    // Into itself, or with another company's customer: refused, nothing moves.
    let (status, _) = post(&server, &staff, &format!("/api/v1/customers/{keep}/merge"), json!({"from": keep})).await;
    assert_eq!(status, 422);
    let (_, smile) =
        book(&server, &Auth::admin(), "brightsmile", "checkup", "dr-patel", "2026-03-10T10:00", "+12125550177").await;
    let theirs = smile["customer_id"].as_i64().unwrap();
    let (status, _) = post(&server, &staff, &format!("/api/v1/customers/{keep}/merge"), json!({"from": theirs})).await;
    assert_eq!(status, 422);
    let (status, _) =
        post(&server, &Auth::admin(), &format!("/api/v1/customers/{keep}/merge"), json!({"from": theirs})).await;
    assert_eq!(status, 422, "not even the platform merges across companies");
    let (_, audit) = get(&server, &staff, "/api/v1/audit?action=customer.merge").await;
    assert_eq!(audit["items"][0]["after"]["moved"]["appointments"], 2);
    server.stop().await;
}

async fn a_customer_is_exported_and_erased(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let number = "+491703000001";
    let mut voice = call_object("call_privacy", number, FRISEUR, "ongoing");
    voice["transcript"] = json!("Guten Tag, hier ist Erika Mustermann");
    let booked = server
        .function(
            "book_appointment",
            json!({"service": "Herrenhaarschnitt", "date": "2026-03-10", "time": "14:00", "name": "Erika Mustermann",
                "customer_email": "erika.mustermann@example.com"}),
            &voice,
        )
        .await;
    assert_eq!(booked["success"], true, "{booked}");
    let mut ended = voice.clone();
    ended["call_status"] = json!("ended");
    assert_eq!(server.webhook("call_ended", &ended).await, 204);
    server.function("request_callback", json!({"grund": "Rückfrage Farbe"}), &voice).await;
    let (_, customers) = get(&server, &staff, &format!("/api/v1/customers?phone={}", number.replace('+', "%2B"))).await;
    let id = customers["items"][0]["id"].as_i64().unwrap();

    let (status, export) = get(&server, &staff, &format!("/api/v1/customers/{id}/export")).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["customer"]["name"], "Erika Mustermann");
    assert_eq!(export["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(export["calls"][0]["transcript"], "Guten Tag, hier ist Erika Mustermann");
    assert!(!export["calls"][0]["function_calls"].as_array().unwrap().is_empty());
    assert_eq!(export["callbacks"].as_array().unwrap().len(), 1);

    let (status, erased) = post(&server, &staff, &format!("/api/v1/customers/{id}/erase"), json!({})).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["erased"]["appointments"], 1);
    // Nothing personal is left anywhere the API reaches…
    let (_, after) = get(&server, &staff, &format!("/api/v1/customers/{id}/export")).await;
    let text = after.to_string();
    for personal in ["Erika", "Mustermann", "+491703000001", "Rückfrage"] {
        assert!(!text.contains(personal), "{personal} survived the erasure: {text}");
    }
    assert_eq!(after["appointments"].as_array().unwrap().len(), 1, "the history stays, anonymous");
    let (_, call) = get(&server, &staff, "/api/v1/calls/call_privacy").await;
    assert!(!call.to_string().contains("Mustermann") && !call.to_string().contains(number), "{call}");
    // … nor in the notifications: the unsent ones withdrawn, all without address or name.
    let (_, notes) = get(&server, &staff, "/api/v1/notifications").await;
    let items = notes["items"].as_array().unwrap();
    assert!(items.len() >= 3, "a confirmation, a reminder and the callback alert: {notes}");
    for personal in ["Erika", "Mustermann", "erika.mustermann", "1703000001", "Rückfrage"] {
        assert!(!notes.to_string().contains(personal), "{personal} survived in a notification: {notes}");
    }
    assert!(items.iter().all(|n| n["status"] != "pending"), "{notes}");
    let (_, events) = get(&server, &Auth::admin(), "/api/v1/webhook-events?call=call_privacy").await;
    assert!(!events.to_string().contains("Mustermann"), "{events}");
    // …and the audit log says that it happened, not what.
    let (_, audit) = get(&server, &staff, "/api/v1/audit?action=customer.erase").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert!(!audit.to_string().contains("Mustermann"));
    server.stop().await;
}

/// I2 under concurrency: operators creating the same number at once get one customer.
async fn one_number_is_one_customer_under_concurrency(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let attempts = (0..8).map(|i| {
        let body = json!({"company": "friseur1", "name": format!("Kunde {i}"), "phone": "+491705550000"});
        post(&server, &staff, "/api/v1/customers", body)
    });
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 409), "{answers:?}");
    let (_, listed) = get(&server, &staff, "/api/v1/customers?company=friseur1&phone=%2B491705550000").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    server.stop().await;
}

backend_tests!(
    one_number_is_one_customer_under_concurrency,
    customers_are_created_and_edited_under_i2,
    a_merge_keeps_every_appointment,
    a_customer_is_exported_and_erased
);
