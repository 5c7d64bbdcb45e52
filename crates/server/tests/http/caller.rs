//! What the caller hears, end to end over HTTP, in both languages: never booked over their own
//! appointment, never a guessed day for a booking, never a call back promised that nobody can
//! return, the next appointment named instead of "none", and the tenant's language even when the
//! database is away. The business clock starts on Monday, 9 March 2026, 09:00 in Berlin.

use frontdesk_server::booking::{self, BookOutcome, BookRequest};
use frontdesk_server::test_support::{FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::model::NewCustomer;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await
}

/// One tenant, its language and a known caller.
struct Tenant {
    number: &'static str,
    caller: &'static str,
    company: &'static str,
    service: &'static str,
    /// The caller's name as the customer record has it.
    name: &'static str,
    /// The other person's name for a booking for somebody else.
    other: &'static str,
    /// A word only this language's question would contain.
    question_word: &'static str,
    /// A call-back number as a caller of this tenant would say it.
    spoken_phone: &'static str,
}

const SALON: Tenant = Tenant {
    number: FRISEUR,
    caller: HANS,
    company: "friseur1",
    service: "Herrenhaarschnitt",
    name: "Hans Müller",
    other: "Max Müller",
    question_word: "Tag",
    spoken_phone: "0151 23456789",
};

const PRACTICE: Tenant = Tenant {
    number: SMILE,
    caller: JOHN,
    company: "brightsmile",
    service: "Checkup and Cleaning",
    name: "John Carter",
    other: "Lucy Carter",
    question_word: "day",
    spoken_phone: "(212) 555-0188",
};

#[track_caller]
fn expect(answer: &Value, status: &str, success: bool) {
    assert_eq!(answer["status"], status, "{answer:#}");
    assert_eq!(answer["success"], success, "{answer:#}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(!message.trim().is_empty(), "{answer:#}");
}

async fn count(s: &TestServer, sql: &str) -> i64 {
    s.db.scalar(sql).await
}

/// Content error 1: a caller with an appointment at 10:00 who asks for 10:00 again hears that
/// they already have one (with whom), and is not booked twice — unless the new appointment is
/// for another person. A move onto their own other appointment is refused the same way.
async fn a_caller_is_never_booked_over_their_own_appointment(db: TestDb) {
    let s = start(db).await;
    for t in [SALON, PRACTICE] {
        let call = call_object(&format!("call_own_{}", t.company), t.caller, t.number, "ongoing");
        let at = json!({"service": t.service, "date": "2026-03-10", "time": "14:00"});
        let first = s.function("book_appointment", at.clone(), &call).await;
        expect(&first, "booked", true);
        let id = first["appointment"]["id"].clone();

        let asked = s.function("check_availability", at.clone(), &call).await;
        expect(&asked, "customer_already_booked", true);
        assert_eq!(asked["appointment"]["id"], id, "{asked}");
        // Asked again in a later call (in the same call, the same request is answered as the first).
        let later_call = call_object(&format!("call_own_again_{}", t.company), t.caller, t.number, "ongoing");
        let again = s.function("book_appointment", at.clone(), &later_call).await;
        expect(&again, "customer_already_booked", false);
        assert_eq!(again["appointment"]["id"], id);
        assert!(again["message"].as_str().unwrap().ends_with('?'), "an offer: {again}");
        let mut dry = at.clone();
        dry["confirm"] = json!(false);
        expect(&s.function("book_appointment", dry, &call).await, "customer_already_booked", false);

        let mut for_other = at.clone();
        for_other["another_person"] = json!(true);
        expect(&s.function("book_appointment", for_other.clone(), &call).await, "customer_name_required", false);
        for_other["customer_name"] = json!(t.other);
        let other = s.function("book_appointment", for_other, &call).await;
        expect(&other, "booked", true);

        let later = json!({"service": t.service, "date": "2026-03-10", "time": "16:00"});
        let third = s.function("book_appointment", later, &call).await;
        expect(&third, "booked", true);
        let moved = s
            .function(
                "reschedule_appointment",
                json!({"appointment_id": third["appointment"]["id"], "new_date": "2026-03-10", "new_time": "14:00"}),
                &call,
            )
            .await;
        expect(&moved, "customer_already_booked", false);

        let appointments: Value =
            s.admin_get(&format!("/api/v1/appointments?company={}", t.company)).await.json().await.unwrap();
        let items = appointments["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{appointments}");
        let customers: Value = s
            .admin_get(&format!("/api/v1/customers?company={}&phone={}", t.company, t.caller.replace('+', "%2B")))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(customers["items"][0]["name"], t.name, "booking for another person keeps the caller's name");
        let noted = count(&s, &format!("SELECT COUNT(*) FROM appointments WHERE notes LIKE '%{}%'", t.other)).await;
        assert_eq!(noted, 1, "the other person's name is on their appointment");
    }
    s.stop().await;
}

/// Bookings of one customer at one time, at once: the check runs under the customer's lock in
/// the booking transaction, so exactly one is booked, whatever the backend.
async fn concurrent_bookings_of_one_customer_at_one_time_book_once(db: TestDb) {
    let (store, directory) = db.with_demo(jiff::Timestamp::now()).await;
    let company = directory.company_by_key("friseur1").unwrap();
    let service = company.services.iter().find(|s| s.def.key.as_str() == "herrenhaarschnitt").unwrap().id;
    let now: jiff::Timestamp = "2026-03-09T08:00:00Z".parse().unwrap();
    for round in 0..4 {
        let start: jiff::Timestamp = format!("2026-03-1{}T09:00:00Z", round + 1).parse().unwrap();
        let mut tasks = Vec::new();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(6));
        for _ in 0..6 {
            let (store, directory, barrier) = (store.clone(), directory.clone(), barrier.clone());
            let request = BookRequest {
                branch: company.branches[0].id,
                service,
                staff: None,
                start,
                customer: NewCustomer {
                    name: Some("Hans Müller".into()),
                    salutation: None,
                    phone: Some(frontdesk_domain::phone::E164::parse_strict(HANS).unwrap()),
                    email: None,
                },
                source: frontdesk_domain::records::AppointmentSource::Phone,
                call_id: None,
                notes: None,
                window: None,
                another_person: false,
            };
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store
                    .write(move |tx| {
                        Box::pin(async move {
                            let company = directory.company_by_key("friseur1").unwrap();
                            booking::book(tx, company, &request, now).await
                        })
                    })
                    .await
            }));
        }
        let mut booked = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                BookOutcome::Booked { .. } => booked += 1,
                BookOutcome::AlreadyBooked { .. } | BookOutcome::Unavailable { .. } => {}
            }
        }
        assert_eq!(booked, 1, "round {round}");
    }
    let hans =
        "SELECT COUNT(*) FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.phone = '+491604366218'";
    assert_eq!(db.scalar(hans).await, 4);
}

/// Content error 2: a booking or a move without a day is never taken as today; the caller is
/// asked which day. A question keeps "a time alone is the next such time", naming the day.
async fn a_booking_needs_a_day(db: TestDb) {
    let s = start(db).await;
    for t in [SALON, PRACTICE] {
        let call = call_object(&format!("call_day_{}", t.company), t.caller, t.number, "ongoing");
        for args in [json!({"service": t.service, "time": "15:00"}), json!({"service": t.service})] {
            let answer = s.function("book_appointment", args, &call).await;
            expect(&answer, "date_required", false);
            let message = answer["message"].as_str().unwrap();
            assert!(message.ends_with('?') && message.contains(t.question_word), "{message}");
        }
        let booked_now = count(&s, "SELECT COUNT(*) FROM appointments WHERE status = 'booked'").await;
        assert_eq!(booked_now, 0, "nothing booked for a guessed day");
        let asked = s.function("check_availability", json!({"service": t.service, "time": "15:00"}), &call).await;
        assert!(["available", "unavailable", "closed"].contains(&asked["status"].as_str().unwrap()), "{asked}");
        let booked = s
            .function("book_appointment", json!({"service": t.service, "date": "2026-03-12", "time": "15:00"}), &call)
            .await;
        expect(&booked, "booked", true);
        let moved = s
            .function(
                "reschedule_appointment",
                json!({"appointment_id": booked["appointment"]["id"], "new_time": "16:00"}),
                &call,
            )
            .await;
        expect(&moved, "date_required", false);
        s.function("cancel_appointment", json!({"appointment_id": booked["appointment"]["id"]}), &call).await;
    }
    s.stop().await;
}

/// Content error 3: an anonymous caller who may not change appointments is offered a call back
/// and asked for a number; a call back is noted only once there is one.
async fn anonymous_callers_are_asked_for_a_number_before_a_call_back(db: TestDb) {
    let s = start(db).await;
    for t in [SALON, PRACTICE] {
        let call = call_object(&format!("call_anon_{}", t.company), "anonymous", t.number, "ongoing");
        for function in ["cancel_appointment", "reschedule_appointment"] {
            let args = json!({"new_date": "2026-03-13", "new_time": "10:00"});
            let answer = s.function(function, args, &call).await;
            expect(&answer, "anonymous_not_allowed", false);
            assert!(answer["callback_id"].is_null(), "no call back without a number: {answer}");
            assert!(answer["message"].as_str().unwrap().ends_with('?'), "asks for the number: {answer}");
        }
        let before = count(&s, "SELECT COUNT(*) FROM callback_requests").await;
        let given = s.function("cancel_appointment", json!({"phone": t.spoken_phone, "reason": "krank"}), &call).await;
        expect(&given, "anonymous_not_allowed", false);
        assert!(given["callback_id"].is_number(), "{given}");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM callback_requests").await, before + 1);
    }
    let callbacks: Value = s.admin_get("/api/v1/callbacks?company=friseur1").await.json().await.unwrap();
    assert_eq!(callbacks["items"][0]["phone"], "+4915123456789", "{callbacks}");
    s.stop().await;
}

/// Content error 4: asked about a day without an appointment, the caller hears so, and when the
/// next one is — not "no upcoming appointments".
async fn a_day_without_appointments_names_the_next_one(db: TestDb) {
    let s = start(db).await;
    for (t, weekday) in [(SALON, "Donnerstag"), (PRACTICE, "Thursday")] {
        let call = call_object(&format!("call_next_{}", t.company), t.caller, t.number, "ongoing");
        let booked = s
            .function("book_appointment", json!({"service": t.service, "date": "2026-03-12", "time": "11:00"}), &call)
            .await;
        expect(&booked, "booked", true);
        let answer = s.function("get_customer_appointments", json!({"date": "2026-03-11"}), &call).await;
        expect(&answer, "none", true);
        assert_eq!(answer["next_appointment"]["id"], booked["appointment"]["id"], "{answer}");
        assert!(answer["message"].as_str().unwrap().contains(weekday), "{answer}");
        let that_day = s.function("get_customer_appointments", json!({"date": "2026-03-12"}), &call).await;
        expect(&that_day, "found", true);
    }
    s.stop().await;
}

/// Content error 5: when the database is briefly away, the caller hears the tenant's language.
async fn a_passing_fault_is_told_in_the_tenants_language(db: TestDb) {
    let s = start(db).await;
    let fault = s.db.fail_writes_transiently().await;
    for (t, word) in [(SALON, "Moment"), (PRACTICE, "moment")] {
        let call = call_object(&format!("call_fault_{}", t.company), t.caller, t.number, "ongoing");
        let answer = s.function("list_services", json!({}), &call).await;
        expect(&answer, "temporarily_unavailable", false);
        assert!(answer["message"].as_str().unwrap().contains(word), "{answer}");
    }
    drop(fault);
    s.stop().await;
}

backend_tests!(
    a_caller_is_never_booked_over_their_own_appointment,
    concurrent_bookings_of_one_customer_at_one_time_book_once,
    a_booking_needs_a_day,
    anonymous_callers_are_asked_for_a_number_before_a_call_back,
    a_day_without_appointments_names_the_next_one,
    a_passing_fault_is_told_in_the_tenants_language,
);
