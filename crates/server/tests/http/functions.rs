//! Every function and every status of the CONTRACT table, over HTTP, for both demo tenants and
//! both languages. The business clock starts on Monday, 9 March 2026, 09:00 in Berlin.

use frontdesk_server::test_support::{FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await
}

fn status(answer: &Value) -> &str {
    answer["status"].as_str().unwrap_or_default()
}

#[track_caller]
fn expect(answer: &Value, expected_status: &str, success: bool) {
    assert_eq!(status(answer), expected_status, "{answer:#}");
    assert_eq!(answer["success"], success, "{answer:#}");
    assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer:#}");
}

async fn a_german_call_from_greeting_to_callback(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_de_1", HANS, FRISEUR, "ongoing");

    let ready = s.function("initialize_call", json!({}), &call).await;
    expect(&ready, "ready", true);
    assert_eq!(ready["customer"]["known"], true);
    assert_eq!(ready["customer"]["name"], "Hans Müller");
    assert_eq!(ready["now"]["date"], "2026-03-09");
    assert_eq!(ready["now"]["weekday"], "Montag");
    assert!(ready["message"].as_str().unwrap().contains("Friseur 1"));
    assert_eq!(s.function("get_current_context", json!({}), &call).await["status"], "ready");

    let customer = s.function("check_customer", json!({}), &call).await;
    expect(&customer, "known", true);

    let services = s.function("list_services", json!({}), &call).await;
    expect(&services, "ok", true);
    assert_eq!(services["services"].as_array().unwrap().len(), 5);
    let ladies = s.function("get_services", json!({"kategorie": "Damen"}), &call).await;
    assert_eq!(ladies["services"].as_array().unwrap().len(), 3);

    let colour = s.function("get_service_info", json!({"dienstleistung": "Haare färben"}), &call).await;
    expect(&colour, "ok", true);
    assert_eq!(colour["service"]["duration_minutes"], 90);
    assert!(colour["message"].as_str().unwrap().contains("65 Euro"), "{colour}");
    expect(&s.function("get_service_info", json!({"dienstleistung": "Pizza"}), &call).await, "unknown_service", false);

    let week = s.function("get_opening_hours", json!({}), &call).await;
    expect(&week, "ok", true);
    let said = week["message"].as_str().unwrap();
    assert!(said.contains("Dienstag, Mittwoch und Freitag 9 bis 18 Uhr"), "days with the same hours together: {week}");
    assert!(said.contains("Am Montag und Sonntag haben wir geschlossen"), "closed days named: {week}");
    let monday = s.function("get_opening_hours", json!({"datum": "nächste Woche Montag"}), &call).await;
    assert_eq!(monday["open"], false);

    // Availability: every outcome.
    let free = s
        .function(
            "check_availability_v17",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr"}),
            &call,
        )
        .await;
    expect(&free, "available", true);
    assert_eq!(free["slot"]["start"], "2026-03-10T14:00");
    assert!(
        free["message"]
            .as_str()
            .unwrap()
            .starts_with("Morgen, am Dienstag, den 10. März, um 14 Uhr hätte ich einen Termin frei"),
        "{free}"
    );
    let day =
        s.function("check_availability", json!({"dienstleistung": "Herrenschnitt", "datum": "morgen"}), &call).await;
    expect(&day, "slots_found", true);
    assert!(day["slots"].as_array().unwrap().len() > 3);
    let afternoon = s
        .function(
            "check_availability",
            json!({"service": "Herren", "date": "morgen", "time_window": "nachmittags"}),
            &call,
        )
        .await;
    assert!(afternoon["slots"].as_array().unwrap().iter().all(|x| x["start"].as_str().unwrap() >= "2026-03-10T12:00"));
    expect(
        &s.function("check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Montag"}), &call)
            .await,
        "closed",
        false,
    );
    expect(
        &s.function("check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "gestern"}), &call)
            .await,
        "past_time",
        false,
    );
    expect(
        &s.function(
            "check_availability",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "25 Uhr"}),
            &call,
        )
        .await,
        "invalid_time",
        false,
    );
    expect(
        &s.function(
            "check_availability",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "heute", "uhrzeit": "8 Uhr"}),
            &call,
        )
        .await,
        "past_time",
        false,
    );
    expect(
        &s.function("check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "15.12.2026"}), &call)
            .await,
        "outside_booking_window",
        false,
    );
    expect(
        &s.function(
            "check_availability",
            json!({"dienstleistung": "Färben", "datum": "morgen", "mitarbeiter": "Mehmet"}),
            &call,
        )
        .await,
        "staff_cannot_provide_service",
        false,
    );
    expect(
        &s.function(
            "check_availability",
            json!({"dienstleistung": "Färben", "datum": "morgen", "mitarbeiter": "Klaus"}),
            &call,
        )
        .await,
        "unknown_staff",
        false,
    );
    expect(
        &s.function("check_availability", json!({"dienstleistung": "Pizza", "datum": "morgen"}), &call).await,
        "unknown_service",
        false,
    );

    let next =
        s.function("find_next_available", json!({"dienstleistung": "Damenhaarschnitt", "anzahl": 2}), &call).await;
    expect(&next, "slots_found", true);
    assert_eq!(next["slots"].as_array().unwrap().len(), 2);
    assert_eq!(next["slots"][0]["start"], "2026-03-10T09:00");
    let alt = s.function("get_alternatives", json!({"service": "Damenhaarschnitt", "after": "Samstag"}), &call).await;
    assert_eq!(alt["slots"][0]["start"], "2026-03-14T09:00");

    // Booking.
    let check_only = s
        .function("book_appointment", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr", "bestaetigung": false}), &call)
        .await;
    expect(&check_only, "awaiting_confirmation", true);
    let booked = s
        .function("book_appointment", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr", "mitarbeiter": "Mehmet"}), &call)
        .await;
    expect(&booked, "booked", true);
    assert_eq!(booked["appointment"]["staff"], "Mehmet Yılmaz");
    assert!(booked["message"].as_str().unwrap().contains("eingetragen"), "{booked}");
    let id = booked["appointment"]["id"].as_i64().unwrap();

    // Asked by somebody else (Hans himself would hear that he is booked then).
    let other = call_object("call_de_other", "+4915199887700", FRISEUR, "ongoing");
    let taken = s
        .function("check_availability", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr", "mitarbeiter": "Mehmet"}), &other)
        .await;
    expect(&taken, "unavailable", true);
    assert_eq!(taken["alternatives"].as_array().unwrap().len(), 3);

    let newcomer = call_object("call_de_2", "+4915199887766", FRISEUR, "ongoing");
    expect(&s.function("check_customer", json!({}), &newcomer).await, "new_customer", true);
    expect(
        &s.function(
            "book_appointment",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr"}),
            &newcomer,
        )
        .await,
        "customer_name_required",
        false,
    );
    let lost = s
        .function("start_booking", json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "14 Uhr", "name": "Neu Kunde", "mitarbeiter": "Mehmet"}), &newcomer)
        .await;
    expect(&lost, "slot_taken", false);
    assert!(!lost["alternatives"].as_array().unwrap().is_empty());

    let mine = s.function("get_customer_appointments", json!({}), &call).await;
    expect(&mine, "found", true);
    assert_eq!(mine["appointments"][0]["id"], id);
    expect(&s.function("query_appointment", json!({}), &newcomer).await, "none", true);

    expect(&s.function("reschedule_appointment", json!({}), &call).await, "needs_new_time", false);
    let moved =
        s.function("reschedule_appointment", json!({"neues_datum": "morgen", "neue_uhrzeit": "15 Uhr"}), &call).await;
    expect(&moved, "rescheduled", true);
    assert_eq!(moved["appointment"]["start"], "2026-03-10T15:00");
    assert_eq!(moved["appointment"]["id"], id);
    let unavailable =
        s.function("reschedule_appointment", json!({"new_date": "Montag", "new_time": "10 Uhr"}), &call).await;
    expect(&unavailable, "closed", false);

    let cancelled = s.function("cancel_appointment", json!({"grund": "krank"}), &call).await;
    expect(&cancelled, "cancelled", true);
    expect(&s.function("get_customer_appointments", json!({}), &call).await, "none", true);
    expect(&s.function("cancel_appointment", json!({}), &call).await, "not_found", false);

    let callback =
        s.function("request_callback", json!({"grund": "Frage zur Farbe", "wunschzeit": "abends"}), &call).await;
    expect(&callback, "callback_requested", true);
    let open: Value = s.admin_get("/api/v1/callbacks?company=friseur1&status=open").await.json().await.unwrap();
    assert_eq!(open["items"][0]["phone"], HANS);

    let unknown = s.function("drop_all_tables", json!({}), &call).await;
    expect(&unknown, "unknown_function", false);
    s.stop().await;
}

async fn an_english_call_with_policies(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_en_1", JOHN, SMILE, "ongoing");
    let ready = s.function("initialize_call", json!({}), &call).await;
    assert!(ready["message"].as_str().unwrap().starts_with("Hello, this is Bright Smile Dental"), "{ready}");
    assert_eq!(ready["now"]["date"], "2026-03-09");
    assert_eq!(ready["now"]["time"], "04:00");

    let free = s
        .function("check_availability", json!({"service": "cleaning", "date": "tomorrow", "time": "2pm"}), &call)
        .await;
    expect(&free, "available", true);
    assert!(
        free["message"].as_str().unwrap().starts_with("I have an opening tomorrow, Tuesday, March 10, at 2 p.m."),
        "{free}"
    );
    let booked = s
        .function(
            "book_appointment",
            json!({"service": "cleaning", "date": "tomorrow", "time": "2pm", "customer_name": "John Carter"}),
            &call,
        )
        .await;
    expect(&booked, "booked", true);
    assert!(
        booked["message"].as_str().unwrap().starts_with("You're booked for Checkup and Cleaning tomorrow, Tuesday"),
        "{booked}"
    );

    // 48 hours' notice: tomorrow 2 PM is 34 hours away. The fee is quoted, then accepted.
    let late = s.function("cancel_appointment", json!({"date": "tomorrow"}), &call).await;
    expect(&late, "denied", false);
    assert_eq!(late["reason"], "deadline_missed");
    assert_eq!(late["fee"]["cents"], 5000);
    assert!(late["message"].as_str().unwrap().contains("$50"), "{late}");
    let paid = s.function("cancel_appointment", json!({"date": "tomorrow", "accept_fee": true}), &call).await;
    expect(&paid, "cancelled", true);
    assert_eq!(paid["fee"]["cents"], 5000);

    // Two appointments: cancelling without saying which asks back.
    for time in ["10am", "11am"] {
        let b = s
            .function(
                "book_appointment",
                json!({"service": "consult", "date": "Thursday", "time": time, "customer_name": "John Carter"}),
                &call,
            )
            .await;
        expect(&b, "booked", true);
    }
    let which = s.function("cancel_appointment", json!({}), &call).await;
    expect(&which, "multiple_found", false);
    assert_eq!(which["appointments"].as_array().unwrap().len(), 2);
    expect(&s.function("cancel_appointment", json!({"appointment_id": "999999"}), &call).await, "not_found", false);
    let moved = s
        .function(
            "reschedule_appointment",
            json!({"old_date": "Thursday", "old_time": "10am", "new_date": "Friday", "new_time": "9am"}),
            &call,
        )
        .await;
    expect(&moved, "rescheduled", true);
    let too_close = s
        .function(
            "book_appointment",
            json!({"service": "consult", "date": "today", "time": "3pm", "customer_name": "John Carter"}),
            &call,
        )
        .await;
    expect(&too_close, "booked", true);
    let denied = s
        .function(
            "reschedule_appointment",
            json!({"old_date": "today", "new_date": "Friday", "new_time": "11am"}),
            &call,
        )
        .await;
    expect(&denied, "denied", false);
    assert_eq!(denied["reason"], "deadline_missed");
    let whitening_soon =
        s.function("check_availability", json!({"service": "whitening", "date": "today", "time": "4pm"}), &call).await;
    expect(&whitening_soon, "unavailable", true);
    assert!(whitening_soon["message"].as_str().unwrap().contains("at least a day in advance"), "{whitening_soon}");
    s.stop().await;
}

async fn anonymous_callers(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_anon_1", "anonymous", FRISEUR, "ongoing");
    expect(&s.function("check_customer", json!({}), &call).await, "anonymous", true);
    let booked = s
        .function(
            "book_appointment",
            json!({"service": "Färben", "date": "2026-03-12", "time": "10:00", "customer_name": "Petra Schulz"}),
            &call,
        )
        .await;
    expect(&booked, "booked", true);
    let seen = s.function("get_customer_appointments", json!({}), &call).await;
    expect(&seen, "found", true);
    let other_call = call_object("call_anon_2", "anonymous", FRISEUR, "ongoing");
    expect(&s.function("get_customer_appointments", json!({}), &other_call).await, "anonymous", true);
    let refused = s.function("cancel_appointment", json!({"reason": "doch nicht"}), &call).await;
    expect(&refused, "anonymous_not_allowed", false);
    assert!(refused["callback_id"].is_null(), "no call back promised without a number to call");
    expect(
        &s.function("reschedule_appointment", json!({"new_date": "Freitag", "new_time": "10 Uhr"}), &call).await,
        "anonymous_not_allowed",
        false,
    );
    expect(&s.function("request_callback", json!({}), &call).await, "phone_required", false);

    // The dental practice wants a number to call back.
    let dental = call_object("call_anon_3", "", SMILE, "ongoing");
    let refused = s
        .function(
            "book_appointment",
            json!({"service": "consult", "date": "2026-03-12", "time": "10:00", "customer_name": "Jane Doe"}),
            &dental,
        )
        .await;
    expect(&refused, "anonymous_not_allowed", false);
    let with_number = s
        .function("book_appointment", json!({"service": "consult", "date": "2026-03-12", "time": "10:00", "customer_name": "Jane Doe", "customer_phone": "(212) 555-0144"}), &dental)
        .await;
    expect(&with_number, "booked", true);
    let customers: Value =
        s.admin_get("/api/v1/customers?company=brightsmile&phone=%2B12125550144").await.json().await.unwrap();
    assert_eq!(customers["items"][0]["name"], "Jane Doe");
    s.stop().await;
}

async fn a_caller_cannot_touch_another_customers_appointment(db: TestDb) {
    let s = start(db).await;
    let hans = call_object("call_hans", HANS, FRISEUR, "ongoing");
    let booked = s
        .function("book_appointment", json!({"service": "Herrenhaarschnitt", "date": "2026-03-12", "time": "10:00", "customer_name": "Hans Müller"}), &hans)
        .await;
    let id = booked["appointment"]["id"].as_i64().unwrap();
    let sabine = call_object("call_sabine", "+4915112345678", FRISEUR, "ongoing");
    expect(&s.function("cancel_appointment", json!({"appointment_id": id}), &sabine).await, "not_found", false);
    expect(
        &s.function(
            "reschedule_appointment",
            json!({"appointment_id": id, "new_date": "2026-03-13", "new_time": "10:00"}),
            &sabine,
        )
        .await,
        "not_found",
        false,
    );
    expect(&s.function("get_customer_appointments", json!({}), &sabine).await, "none", true);
    // Nor can another tenant's caller.
    let john = call_object("call_john", JOHN, SMILE, "ongoing");
    expect(&s.function("cancel_appointment", json!({"appointment_id": id}), &john).await, "not_found", false);
    let still: Value = s.admin_get("/api/v1/appointments?company=friseur1&status=booked").await.json().await.unwrap();
    assert_eq!(still["items"].as_array().unwrap().len(), 1);
    s.stop().await;
}

async fn unknown_numbers_reveal_nothing(db: TestDb) {
    let s = start(db).await;
    let a = s.function("initialize_call", json!({}), &call_object("call_x1", HANS, "+4930999999999", "ongoing")).await;
    let b =
        s.function("list_services", json!({}), &call_object("call_x2", "anonymous", "+12025550000", "ongoing")).await;
    expect(&a, "unknown_number", false);
    assert_eq!(a, b, "the same answer whatever was asked");
    let text = a.to_string();
    for secret in ["Friseur", "Bright", "friseur1", "Anna", "Herren"] {
        assert!(!text.contains(secret), "{text}");
    }
    let calls: Value = s.admin_get("/api/v1/calls").await.json().await.unwrap();
    assert_eq!(calls["items"].as_array().unwrap().len(), 2, "still recorded for operators");
    s.stop().await;
}

/// I4: Retell retries a slow booking; it books once and answers the same bytes three times.
async fn a_retried_booking_books_once(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_retry", HANS, FRISEUR, "ongoing");
    let body = json!({"name": "book_appointment", "call": call,
        "args": {"dienstleistung": "Kinderhaarschnitt", "datum": "2026-03-12", "uhrzeit": "11:00", "name": "Max Müller"}});
    let mut answers = Vec::new();
    for _ in 0..3 {
        let response = s.retell("/retell/functions", &body).await;
        assert_eq!(response.status(), 200);
        answers.push(response.text().await.unwrap());
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert!(answers[0].contains("\"status\":\"booked\""), "{}", answers[0]);
    let booked: Value = s.admin_get("/api/v1/appointments?company=friseur1").await.json().await.unwrap();
    assert_eq!(booked["items"].as_array().unwrap().len(), 1);
    let detail: Value = s.admin_get("/api/v1/calls/call_retry").await.json().await.unwrap();
    let traces = detail["function_calls"].as_array().unwrap();
    assert_eq!(traces.len(), 3);
    assert_eq!(traces.iter().filter(|t| t["replayed"] == true).count(), 2);
    assert_eq!(traces[0]["replayed"], false);
    assert!(traces.iter().all(|t| t["status"] == "booked" && t["duration_us"].as_i64().unwrap() > 0));
    s.stop().await;
}

/// A function call that arrives before any webhook works at once and creates the call.
async fn a_function_call_before_any_webhook(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_early", HANS, FRISEUR, "ongoing");
    let free = s
        .function(
            "check_availability",
            json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "halb drei"}),
            &call,
        )
        .await;
    expect(&free, "available", true);
    assert_eq!(free["slot"]["start"], "2026-03-10T14:30");
    let detail: Value = s.admin_get("/api/v1/calls/call_early").await.json().await.unwrap();
    assert_eq!(detail["status"], "ongoing");
    assert_eq!(detail["company"], "friseur1");
    // check_availability does not need the caller: the call is linked to Hans when recorded.
    assert!(detail["customer_id"].is_number(), "{detail:#}");
    assert_eq!(detail["function_calls"][0]["name_sent"], "check_availability");
    assert_eq!(detail["function_calls"][0]["arguments"]["time"], "halb drei");
    s.stop().await;
}

/// The outcomes the two walkthroughs above do not reach.
async fn the_remaining_statuses(db: TestDb) {
    let s = start(db).await;
    let john = call_object("call_rest_1", JOHN, SMILE, "ongoing");
    // Whitening needs a day's notice: nothing today, alternatives instead.
    let today = s.function("check_availability", json!({"service": "whitening", "date": "today"}), &john).await;
    expect(&today, "unavailable", true);
    assert!(!today["alternatives"].as_array().unwrap().is_empty());
    // Nothing can be found beyond the booking window.
    let far = s.function("find_next_available", json!({"service": "cleaning", "after": "2026-07-01"}), &john).await;
    expect(&far, "unavailable", true);

    // The monthly quota: two cancellations, then no more.
    for (day, time) in [("Thursday", "10am"), ("Thursday", "11am"), ("Friday", "9am")] {
        let b = s
            .function(
                "book_appointment",
                json!({"service": "consult", "date": day, "time": time, "customer_name": "John Carter"}),
                &john,
            )
            .await;
        expect(&b, "booked", true);
    }
    expect(
        &s.function("cancel_appointment", json!({"date": "Thursday", "time": "10am"}), &john).await,
        "cancelled",
        true,
    );
    expect(
        &s.function("cancel_appointment", json!({"date": "Thursday", "time": "11am"}), &john).await,
        "cancelled",
        true,
    );
    let quota = s.function("cancel_appointment", json!({"date": "Friday"}), &john).await;
    expect(&quota, "denied", false);
    assert_eq!(quota["reason"], "quota_exceeded");

    // Rescheduling: onto a taken time, ambiguously, and too often.
    let hans = call_object("call_rest_2", HANS, FRISEUR, "ongoing");
    for time in ["10:00", "11:00"] {
        let b = s
            .function(
                "book_appointment",
                json!({"service": "Herrenhaarschnitt", "date": "Mittwoch", "time": time, "staff": "Mehmet"}),
                &hans,
            )
            .await;
        expect(&b, "booked", true);
    }
    let which = s.function("reschedule_appointment", json!({"new_date": "Freitag", "new_time": "10:00"}), &hans).await;
    expect(&which, "multiple_found", false);
    for (i, staff) in ["Anna", "Mehmet"].into_iter().enumerate() {
        let other = call_object(&format!("call_rest_3{i}"), &format!("+491511234567{i}"), FRISEUR, "ongoing");
        let b = s
            .function(
                "book_appointment",
                json!({"service": "Herrenhaarschnitt", "date": "Freitag", "time": "12:00", "staff": staff,
                       "customer_name": "Petra Schulz"}),
                &other,
            )
            .await;
        expect(&b, "booked", true);
    }
    let taken = s
        .function(
            "reschedule_appointment",
            json!({"old_date": "Mittwoch", "old_time": "10:00", "new_date": "Freitag", "new_time": "12:00"}),
            &hans,
        )
        .await;
    expect(&taken, "unavailable", true);
    assert!(!taken["alternatives"].as_array().unwrap().is_empty());
    for (from, to) in [("10:00", "13:00"), ("13:00", "14:00")] {
        let moved = s
            .function(
                "reschedule_appointment",
                json!({"old_date": "Mittwoch", "old_time": from, "new_date": "Mittwoch", "new_time": to}),
                &hans,
            )
            .await;
        expect(&moved, "rescheduled", true);
    }
    let limit = s
        .function(
            "reschedule_appointment",
            json!({"old_date": "Mittwoch", "old_time": "14:00", "new_date": "Mittwoch", "new_time": "15:00"}),
            &hans,
        )
        .await;
    expect(&limit, "denied", false);
    assert_eq!(limit["reason"], "max_reschedules_reached");
    s.stop().await;
}

/// A megabyte-sized argument is refused with a clear answer, and the trace keeps only its start,
/// size and hash: twenty such calls do not grow the database by twenty megabytes.
async fn oversized_arguments_are_refused_and_traces_stay_small(db: TestDb) {
    let s = start(db).await;
    let call = call_object("call_huge", HANS, FRISEUR, "ongoing");
    let notes = "x".repeat(900_000);
    for _ in 0..20 {
        let answer = s
            .function(
                "book_appointment",
                json!({"service": "Herrenhaarschnitt", "date": "2026-03-10", "time": "14:00", "notes": notes}),
                &call,
            )
            .await;
        expect(&answer, "argument_too_long", false);
        assert_eq!(answer["argument"], "notes");
    }
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM appointments").await, 0, "nothing was booked");
    let detail: Value = s.admin_get("/api/v1/calls/call_huge").await.json().await.unwrap();
    let traces = detail["function_calls"].as_array().unwrap();
    assert_eq!(traces.len(), 20);
    assert_eq!(traces[0]["arguments"]["truncated"], true);
    assert!(traces[0]["arguments"]["bytes"].as_u64().unwrap() > 900_000);
    assert!(detail.to_string().len() < 200_000, "the traces of twenty calls stay small");
    s.stop().await;
}

backend_tests!(
    oversized_arguments_are_refused_and_traces_stay_small,
    the_remaining_statuses,
    a_german_call_from_greeting_to_callback,
    an_english_call_with_policies,
    anonymous_callers,
    a_caller_cannot_touch_another_customers_appointment,
    unknown_numbers_reveal_nothing,
    a_retried_booking_books_once,
    a_function_call_before_any_webhook,
);
