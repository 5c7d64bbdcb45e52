use frontdesk_server::test_support::{ADMIN_TOKEN, HANS, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use jiff::Timestamp;
use serde_json::{Value, json};

fn monday_morning() -> Timestamp {
    "2026-03-09T08:00:00Z".parse().unwrap()
}

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some(monday_morning()))).await
}

async fn post_appointment(server: &TestServer, body: Value) -> (u16, Value) {
    let response = server
        .client
        .post(format!("{}/api/v1/appointments", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn the_admin_api_needs_the_token(db: TestDb) {
    let server = start(db).await;
    for path in ["/api/v1/companies", "/api/v1/appointments", "/api/v1/customers", "/api/v1/callbacks"] {
        let anonymous = server.get(path).await;
        assert_eq!(anonymous.status(), 401, "{path}");
        let body: Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let wrong = server.client.get(format!("{}{path}", server.url)).bearer_auth("guess").send().await.unwrap();
        assert_eq!(wrong.status(), 401, "{path}");
        assert_eq!(server.admin_get(path).await.status(), 200, "{path}");
    }
    server.stop().await;
}

async fn companies_list_everything_but_secrets(db: TestDb) {
    let server = start(db).await;
    let body: Value = server.admin_get("/api/v1/companies").await.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let friseur = items.iter().find(|c| c["key"] == "friseur1").unwrap();
    assert_eq!(friseur["branches"][0]["phone_numbers"], json!(["+493033081738", "+4971162760940"]));
    assert_eq!(friseur["services"].as_array().unwrap().len(), 5);
    assert_eq!(friseur["staff"].as_array().unwrap().len(), 3);
    let faerben = friseur["services"].as_array().unwrap().iter().find(|s| s["key"] == "faerben").unwrap();
    assert_eq!(faerben["duration_minutes"], 90);
    assert_eq!(body["next_cursor"], Value::Null);
    server.stop().await;
}

async fn operators_book_and_are_told_about_conflicts(db: TestDb) {
    let server = start(db).await;
    let request = json!({
        "company": "friseur1",
        "service": "Herrenschnitt",
        "staff": "mehmet",
        "start": "2026-03-10T14:00",
        "customer": {"name": "Hans Müller", "phone": "0160 4366218"},
    });
    let (status, booked) = post_appointment(&server, request.clone()).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(booked["service"], "herrenhaarschnitt");
    assert_eq!(booked["staff"], "mehmet");
    assert_eq!(booked["start"], "2026-03-10T13:00:00Z");
    assert_eq!(booked["local_start"], "2026-03-10T14:00:00+01:00");
    assert_eq!(booked["source"], "admin");
    assert_eq!(booked["segments"][0]["blocks_until"], "2026-03-10T13:35:00Z");

    let (status, twice) = post_appointment(&server, request.clone()).await;
    assert_eq!(status, 409);
    assert_eq!(twice["error"]["code"], "customer_already_booked", "the same customer at the same time");
    assert_eq!(twice["appointment"]["id"], booked["id"]);

    let mut someone_else = request;
    someone_else["customer"] = json!({"name": "Petra Schulz", "phone": "0151 23456780"});
    let (status, taken) = post_appointment(&server, someone_else).await;
    assert_eq!(status, 409);
    assert_eq!(taken["error"]["code"], "slot_taken");
    let alternatives = taken["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 3);
    assert!(alternatives.iter().all(|a| a["staff"] == "mehmet"));
    let starts: Vec<&str> = alternatives.iter().map(|a| a["local_start"].as_str().unwrap()).collect();
    // The nearest free starts (13:45 would overlap), spread out, in time order.
    assert_eq!(starts, ["2026-03-10T12:45:00+01:00", "2026-03-10T13:15:00+01:00", "2026-03-10T14:45:00+01:00"]);

    let (status, past) = post_appointment(
        &server,
        json!({"company": "friseur1", "service": "herrenhaarschnitt", "start": "2026-03-06T10:00",
               "customer": {"name": "Zu Spät"}}),
    )
    .await;
    assert_eq!((status, past["error"]["code"].as_str()), (422, Some("past_time")));

    let (status, closed) = post_appointment(
        &server,
        json!({"company": "friseur1", "service": "herrenhaarschnitt", "start": "2026-03-16T10:00",
               "customer": {"name": "Montag"}}),
    )
    .await;
    assert_eq!((status, closed["error"]["code"].as_str()), (422, Some("closed")));

    let (status, wrong_staff) = post_appointment(
        &server,
        json!({"company": "friseur1", "service": "faerben", "staff": "mehmet", "start": "2026-03-10T14:00",
               "customer": {"name": "X"}}),
    )
    .await;
    assert_eq!((status, wrong_staff["error"]["code"].as_str()), (422, Some("staff_cannot_provide_service")));

    let (status, bad) = post_appointment(&server, json!({"company": "friseur1"})).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("bad_request")));
    server.stop().await;
}

async fn appointments_are_filtered_and_paged(db: TestDb) {
    let server = start(db).await;
    for (hour, staff) in [("10:00", "anna"), ("12:00", "mehmet"), ("15:00", "anna"), ("16:00", "mehmet")] {
        let (status, body) = post_appointment(
            &server,
            json!({"company": "friseur1", "service": "herrenhaarschnitt", "staff": staff,
                   "start": format!("2026-03-11T{hour}"), "customer": {"name": "Kunde", "phone": "+491709999999"}}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, _) = post_appointment(
        &server,
        json!({"company": "brightsmile", "service": "cleaning", "start": "2026-03-11T10:00",
               "customer": {"name": "Jane Roe", "phone": "(212) 555-0177"}}),
    )
    .await;
    assert_eq!(status, 201);

    let all: Value = server.admin_get("/api/v1/appointments?limit=2").await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let cursor = all["next_cursor"].as_str().unwrap().to_owned();
    let rest: Value =
        server.admin_get(&format!("/api/v1/appointments?limit=10&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 3);
    assert_eq!(rest["next_cursor"], Value::Null);

    let annas: Value = server.admin_get("/api/v1/appointments?company=friseur1&staff=anna").await.json().await.unwrap();
    assert_eq!(annas["items"].as_array().unwrap().len(), 2);
    let afternoon: Value = server
        .admin_get("/api/v1/appointments?company=friseur1&from=2026-03-11T13:00:00Z&to=2026-03-12")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(afternoon["items"].as_array().unwrap().len(), 2);
    let dental: Value = server.admin_get("/api/v1/appointments?company=brightsmile").await.json().await.unwrap();
    assert_eq!(dental["items"].as_array().unwrap().len(), 1);
    assert_eq!(dental["items"][0]["service"], "checkup");

    let customers: Value =
        server.admin_get("/api/v1/customers?company=brightsmile&phone=%2B12125550177").await.json().await.unwrap();
    assert_eq!(customers["items"][0]["name"], "Jane Roe");
    let cross: Value =
        server.admin_get("/api/v1/customers?company=friseur1&phone=%2B12125550177").await.json().await.unwrap();
    assert!(cross["items"].as_array().unwrap().is_empty(), "tenant filter");

    assert_eq!(server.admin_get("/api/v1/appointments?company=nope").await.status(), 404);
    assert_eq!(server.admin_get("/api/v1/appointments?staff=anna").await.status(), 400);
    assert_eq!(server.admin_get("/api/v1/appointments?status=maybe").await.status(), 400);
    assert_eq!(server.admin_get("/api/v1/appointments?limit=x").await.status(), 400);
    assert_eq!(server.admin_get("/api/v1/appointments?cursor=garbage").await.status(), 400);
    server.stop().await;
}

/// A German caller who books at the New York practice is stored under their full number; the
/// customer search of that company finds them by it (a US region used to misread `+49 160…`).
async fn customer_search_finds_foreign_numbers_in_any_company(db: TestDb) {
    let server = start(db).await;
    let call = call_object("call_foreign", HANS, SMILE, "ongoing");
    let args = json!({"service": "checkup", "date": "2026-03-10", "time": "10:00", "customer_name": "Hans Müller"});
    let booked = server.function("book_appointment", args, &call).await;
    assert_eq!(booked["status"], "booked", "{booked}");
    for phone in ["%2B491604366218", "%2B49%20160%204366218"] {
        let body: Value = server
            .admin_get(&format!("/api/v1/customers?company=brightsmile&phone={phone}"))
            .await
            .json()
            .await
            .unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{phone}: {body}");
        assert_eq!(items[0]["phone"], HANS);
    }
    server.stop().await;
}

backend_tests!(
    customer_search_finds_foreign_numbers_in_any_company,
    the_admin_api_needs_the_token,
    companies_list_everything_but_secrets,
    operators_book_and_are_told_about_conflicts,
    appointments_are_filtered_and_paged,
);
