//! Days off entered by operators: the very next booking respects them, removing them frees the
//! time again, and the entry names the appointments it concerns.

use frontdesk_server::test_support::{FRISEUR, HANS, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::Method;
use serde_json::json;

use super::{Auth, book, call, get, post, start, token};

async fn absences_and_closures_bind_the_next_booking(db: TestDb) {
    let server = start(db).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    let (_, existing) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-11T15:00", HANS).await;

    // Mehmet is off sick on Wednesday: the answer names his appointment that day.
    let (status, absence) = post(
        &server,
        &staff,
        "/api/v1/absences",
        json!({"company": "friseur1", "staff": "mehmet", "from": "2026-03-11", "note": "krank"}),
    )
    .await;
    assert_eq!(status, 201, "{absence}");
    assert_eq!(absence["appointments_affected"][0]["id"], existing["id"]);
    let (status, refused) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-11T10:00", "+491701234001").await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("outside_hours")), "{refused}");
    let voice = call_object("call_days_off", "+491701234002", FRISEUR, "ongoing");
    let asked = server
        .function(
            "check_availability",
            json!({"service": "Herrenhaarschnitt", "date": "2026-03-11", "time": "10:00", "staff": "Mehmet"}),
            &voice,
        )
        .await;
    assert_ne!(asked["status"], "available", "the caller hears it too: {asked}");

    // The branch closes on Thursday: nobody can book, and the caller hears that it is closed.
    let (status, closure) = post(
        &server,
        &staff,
        "/api/v1/closures",
        json!({"company": "friseur1", "date": "2026-03-12", "note": "Wasserschaden"}),
    )
    .await;
    assert_eq!(status, 201, "{closure}");
    let (status, closed) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "anna", "2026-03-12T10:00", "+491701234003").await;
    assert_eq!((status, closed["error"]["code"].as_str()), (422, Some("closed")), "{closed}");
    let day = server
        .function("check_availability", json!({"service": "Herrenhaarschnitt", "date": "2026-03-12"}), &voice)
        .await;
    assert_eq!(day["status"], "closed", "{day}");
    let (status, twice) =
        post(&server, &staff, "/api/v1/closures", json!({"company": "friseur1", "date": "2026-03-12"})).await;
    assert_eq!((status, twice["error"]["code"].as_str()), (409, Some("already_closed")));
    let (status, bad) = post(
        &server,
        &staff,
        "/api/v1/absences",
        json!({"company": "friseur1", "staff": "nobody", "from": "2026-03-12", "to": "2026-03-10"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["error"]["fields"].as_array().unwrap().len(), 2, "{bad}");

    let (_, listed) = get(&server, &staff, "/api/v1/closures").await;
    assert_eq!(listed["items"][0]["date"], "2026-03-12");
    let (_, listed) = get(&server, &staff, "/api/v1/absences?company=friseur1").await;
    assert_eq!(
        (listed["items"][0]["staff"].as_str(), listed["items"][0]["to"].as_str()),
        (Some("mehmet"), Some("2026-03-11"))
    );

    // Removed: bookable again at once.
    for path in [format!("/api/v1/absences/{}", absence["id"]), format!("/api/v1/closures/{}", closure["id"])] {
        let (status, _, _) = call(&server, &staff, Method::DELETE, &path, None).await;
        assert_eq!(status, 200, "{path}");
        let (status, _, _) = call(&server, &staff, Method::DELETE, &path, None).await;
        assert_eq!(status, 404, "{path} twice");
    }
    let (status, _) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "mehmet", "2026-03-11T10:00", "+491701234001").await;
    assert_eq!(status, 201);
    let (status, _) =
        book(&server, &staff, "friseur1", "herrenhaarschnitt", "anna", "2026-03-12T10:00", "+491701234003").await;
    assert_eq!(status, 201);
    // Another company cannot see or remove them.
    let smile = token(&server, "owner", Some("brightsmile")).await;
    let (_, theirs) = get(&server, &smile, "/api/v1/absences").await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    let (_, audit) = get(&server, &Auth::admin(), "/api/v1/audit?entity=absence").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2, "added and removed");
    server.stop().await;
}

backend_tests!(absences_and_closures_bind_the_next_booking);
