//! The Cal.com mirror against a fake Cal.com: the outbox delivers every change exactly once (also
//! when an answer is lost after Cal.com acted), retries 429/5xx, parks permanent errors visibly,
//! never links somebody else's booking; inbound webhooks and the catch-up pull turn Cal.com's own
//! bookings into busy time; and Cal.com is never on a function call's path.

use std::time::Duration;

use frontdesk_calcom::fake::FakeCalcom;
use frontdesk_calcom::signature;
use frontdesk_domain::tenant_file::DEMO_TENANTS;
use frontdesk_server::test_support::{ADMIN_TOKEN, FRISEUR, HANS, TestServer, call_object};
use frontdesk_server::{RunningServer, Settings};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const KEY: &str = "cal_test_key";
const SECRET: &str = "whsec_test_secret";
const ANNA: i64 = 101;
const MEHMET: i64 = 102;

/// The demo tenants with Friseur 1 connected to the fake (Dauerwelle deliberately unmapped).
fn tenants(fake: &FakeCalcom) -> String {
    let link = format!(
        "[company.calcom]\nbase_url = \"{}\"\napi_key = \"{KEY}\"\nwebhook_secret = \"{SECRET}\"\n\
         event_types = {{ herrenhaarschnitt = 11, damenhaarschnitt = 12, kinderhaarschnitt = 13, faerben = 14 }}\n\
         users = {{ anna = {ANNA}, mehmet = {MEHMET}, lena = 103 }}\n\
         staff_event_types = {{ \"anna/kinderhaarschnitt\" = 2013, \"mehmet/kinderhaarschnitt\" = 3013 }}\n\n",
        fake.url
    );
    DEMO_TENANTS.replacen("[[company.service]]", &format!("{link}[[company.service]]"), 1)
}

fn settings() -> Settings {
    let mut s = TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()));
    s.worker_interval = Duration::from_millis(50);
    s.outbox_backoff = Duration::from_millis(50);
    s.calcom_timeout = Duration::from_millis(500);
    s.calcom_pull_interval = Duration::from_secs(3600);
    s
}

async fn fake() -> FakeCalcom {
    let fake = FakeCalcom::start("127.0.0.1:0", KEY).await.unwrap();
    fake.event_type(11, ANNA, 30);
    fake.event_type(12, ANNA, 45);
    fake.event_type(13, MEHMET, 20);
    fake.event_type(14, ANNA, 90);
    // Per-staff event types: Cal.com books their owner as the host.
    fake.event_type(2013, ANNA, 20);
    fake.event_type(3013, MEHMET, 20);
    fake
}

async fn start(db: TestDb, fake: &FakeCalcom) -> TestServer {
    TestServer::start_with_tenants(db, settings(), &tenants(fake)).await
}

async fn book(s: &TestServer, call: &str, args: Value) -> Value {
    let answer = s.function("book_appointment", args, &call_object(call, HANS, FRISEUR, "ongoing")).await;
    assert_eq!(answer["status"], "booked", "{answer}");
    answer
}

async fn jobs(s: &TestServer, status: &str) -> Vec<Value> {
    let body: Value = s.admin_get(&format!("/api/v1/outbox?status={status}")).await.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// Waits until every job is done or failed (judged on one snapshot of all jobs).
async fn settled(s: &TestServer) {
    for _ in 0..400 {
        let all: Value = s.admin_get("/api/v1/outbox?limit=500").await.json().await.unwrap();
        let all = all["items"].as_array().unwrap();
        if all.iter().all(|j| j["status"] == "done" || j["status"] == "failed") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the outbox did not settle: {:?}", jobs(s, "pending").await);
}

async fn appointment(s: &TestServer, id: i64) -> Value {
    let all: Value = s.admin_get("/api/v1/appointments?company=friseur1&limit=500").await.json().await.unwrap();
    all["items"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap()
}

async fn create_move_and_cancel_reach_calcom_exactly_once(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    let booked = book(
        &s,
        "call_cal_1",
        json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00", "staff": "Anna"}),
    )
    .await;
    let id = booked["appointment"]["id"].as_i64().unwrap();
    settled(&s).await;
    let bookings = fake.bookings();
    assert_eq!(bookings.len(), 1);
    assert_eq!(bookings[0].metadata["frontdesk_appointment_id"], id.to_string());
    assert_eq!(bookings[0].start, "2026-03-10T09:00:00Z".parse::<Timestamp>().unwrap());
    assert!(bookings[0].email.starts_with(&format!("appointment-{id}@")), "a placeholder unique per appointment");
    let first_uid = appointment(&s, id).await["calcom_uid"].as_str().unwrap().to_owned();
    assert_eq!(first_uid, bookings[0].uid);

    let call = call_object("call_cal_1", HANS, FRISEUR, "ongoing");
    let moved = s.function("reschedule_appointment", json!({"new_date": "morgen", "new_time": "11:00"}), &call).await;
    assert_eq!(moved["status"], "rescheduled");
    settled(&s).await;
    let uid = appointment(&s, id).await["calcom_uid"].as_str().unwrap().to_owned();
    assert_ne!(uid, first_uid, "a reschedule is a new booking in Cal.com");
    let bookings = fake.bookings();
    assert_eq!(bookings.iter().filter(|b| b.status == "accepted").count(), 1);
    assert_eq!(
        bookings.iter().find(|b| b.uid == uid).unwrap().start,
        "2026-03-10T10:00:00Z".parse::<Timestamp>().unwrap()
    );

    let cancelled = s.function("cancel_appointment", json!({}), &call).await;
    assert_eq!(cancelled["status"], "cancelled");
    settled(&s).await;
    assert!(fake.bookings().iter().all(|b| b.status == "cancelled"));
    let requests = fake.requests();
    assert_eq!(requests.iter().filter(|r| *r == "POST /bookings").count(), 1);
    assert_eq!(requests.iter().filter(|r| r.ends_with("/reschedule")).count(), 1);
    assert_eq!(requests.iter().filter(|r| r.ends_with("/cancel")).count(), 1);
    assert_eq!(jobs(&s, "done").await.len(), 3);
    s.stop().await;
}

/// The worker "dies" between Cal.com's answer and its commit: the answer never arrives, the job
/// is retried, and the retry finds the booking instead of making a second one.
async fn a_lost_answer_never_makes_a_second_booking(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    fake.lose_answers(1);
    let booked =
        book(&s, "call_cal_2", json!({"service": "Damenhaarschnitt", "date": "morgen", "time": "14:00"})).await;
    let id = booked["appointment"]["id"].as_i64().unwrap();
    settled(&s).await;
    assert_eq!(fake.bookings().len(), 1, "one booking in Cal.com");
    assert_eq!(fake.requests().iter().filter(|r| *r == "POST /bookings").count(), 1, "created once, found on retry");
    assert_eq!(appointment(&s, id).await["calcom_uid"], fake.bookings()[0].uid.as_str());

    // The same for a move.
    fake.lose_answers(1);
    let call = call_object("call_cal_2", HANS, FRISEUR, "ongoing");
    assert_eq!(
        s.function("reschedule_appointment", json!({"new_date": "morgen", "new_time": "16:00"}), &call).await["status"],
        "rescheduled"
    );
    settled(&s).await;
    let accepted: Vec<_> = fake.bookings().into_iter().filter(|b| b.status == "accepted").collect();
    assert_eq!(accepted.len(), 1);
    assert_eq!(fake.requests().iter().filter(|r| r.ends_with("/reschedule")).count(), 1);
    assert_eq!(appointment(&s, id).await["calcom_uid"], accepted[0].uid.as_str());
    let done = jobs(&s, "done").await;
    assert!(done.iter().all(|j| j["attempts"].as_i64().unwrap() >= 2), "each needed a second attempt: {done:?}");
    s.stop().await;
}

async fn rate_limits_and_server_errors_are_retried(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    fake.fail_next(&[429, 500, 503]);
    book(&s, "call_cal_3", json!({"service": "Kinderhaarschnitt", "date": "morgen", "time": "12:00"})).await;
    settled(&s).await;
    assert_eq!(fake.bookings().len(), 1);
    let done = jobs(&s, "done").await;
    assert_eq!(done.len(), 1);
    assert!(done[0]["attempts"].as_i64().unwrap() >= 4, "{done:?}");
    let metrics = s.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("frontdesk_outbox_attempts_total{kind=\"calcom_create\",outcome=\"retry\"}"), "{metrics}");
    assert!(metrics.contains("frontdesk_outbox_jobs{status=\"done\"}"), "{metrics}");
    s.stop().await;
}

async fn permanent_errors_park_the_job_visibly(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    // Dauerwelle has no event type: nothing to send it to.
    book(&s, "call_cal_4", json!({"service": "Dauerwelle", "date": "Donnerstag", "time": "14:00"})).await;
    // Cal.com has its own booking for Anna then: it refuses ours.
    fake.add_external(11, ANNA, "2026-03-12T09:00:00Z".parse().unwrap(), 30, "walk-in@example.org");
    book(
        &s,
        "call_cal_5",
        json!({"service": "Herrenhaarschnitt", "date": "Donnerstag", "time": "10:00", "staff": "Anna"}),
    )
    .await;
    settled(&s).await;
    let failed = jobs(&s, "failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    let errors: Vec<&str> = failed.iter().map(|j| j["last_error"].as_str().unwrap()).collect();
    assert!(errors.iter().any(|e| e.contains("service `dauerwelle` has no Cal.com event type")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("refused the time")), "{errors:?}");
    // An operator clears the conflict in Cal.com and retries.
    for b in fake.bookings() {
        fake.cancel_external(&b.uid);
    }
    let refused = failed.iter().find(|j| j["last_error"].as_str().unwrap().contains("refused")).unwrap();
    let db_url = s.db.url.clone();
    let store = frontdesk_store::open(&db_url, &Default::default()).await.unwrap();
    assert!(
        store
            .retry_job(
                frontdesk_domain::access::Scope::Platform,
                refused["id"].as_i64().unwrap().into(),
                Timestamp::now()
            )
            .await
            .unwrap()
    );
    settled(&s).await;
    assert_eq!(jobs(&s, "failed").await.len(), 1, "only the unmapped service is left");
    s.stop().await;
}

/// Cal.com answers a repeated request with an existing booking: frontdesk notices and does not
/// link somebody else's booking to its appointment.
async fn an_existing_booking_is_never_linked(db: TestDb) {
    let fake = fake().await;
    fake.set_existing_booking_quirk(true);
    let s = start(db, &fake).await;
    // A booking made in Cal.com with the attendee address frontdesk will use for appointment 1
    // (nothing real does this; it stands for whatever Cal.com might hand back).
    fake.add_external(12, 999, "2026-03-12T13:00:00Z".parse().unwrap(), 45, "appointment-1@friseur1.frontdesk.invalid");
    let sabine = call_object("call_cal_6", "+4915112345678", FRISEUR, "ongoing");
    let booked = s
        .function(
            "book_appointment",
            json!({"service": "Damenhaarschnitt", "date": "Donnerstag", "time": "14:00"}),
            &sabine,
        )
        .await;
    assert_eq!(booked["status"], "booked");
    let id = booked["appointment"]["id"].as_i64().unwrap();
    settled(&s).await;
    let failed = jobs(&s, "failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["last_error"].as_str().unwrap().contains("existing booking"), "{failed:?}");
    assert_eq!(appointment(&s, id).await["calcom_uid"], Value::Null);
    s.stop().await;
}

/// A parent books two children at the same time from one phone: Cal.com's same-attendee
/// short-cut (e-mail *or* phone) must not swallow the second, so the attendee is the appointment,
/// never the customer's real address or number (which go into the metadata).
async fn siblings_at_one_time_are_both_mirrored(db: TestDb) {
    let fake = fake().await;
    fake.set_existing_booking_quirk(true);
    let s = start(db, &fake).await;
    for (child, staff) in [("Paul Müller", "Mehmet"), ("Lina Müller", "Anna")] {
        let call = call_object(&format!("call_cal_sib_{staff}"), HANS, FRISEUR, "ongoing");
        let booked = s
            .function(
                "book_appointment",
                json!({"service": "Kinderhaarschnitt", "date": "Donnerstag", "time": "15:00", "staff": staff,
                       "another_person": true, "customer_name": child}),
                &call,
            )
            .await;
        assert_eq!(booked["status"], "booked", "{booked}");
    }
    settled(&s).await;
    assert!(jobs(&s, "failed").await.is_empty(), "{:?}", jobs(&s, "failed").await);
    let bookings = fake.bookings();
    assert_eq!(bookings.len(), 2, "{bookings:?}");
    for b in &bookings {
        assert!(b.email.ends_with(".frontdesk.invalid") && b.phone.is_none(), "{b:?}");
        assert_eq!(b.metadata.get("frontdesk_customer_phone").map(String::as_str), Some(HANS));
        // The stylist booked is the host in Cal.com: each on their own event type.
        let expected = match b.metadata.get("frontdesk_staff").map(String::as_str) {
            Some("anna") => (2013, ANNA),
            Some("mehmet") => (3013, MEHMET),
            other => panic!("staff {other:?}"),
        };
        assert_eq!((b.event_type_id, b.host_id), expected, "{b:?}");
    }
    s.stop().await;
}

/// With the business clock set a month ahead (`FRONTDESK_CLOCK_START`), a booking is still
/// mirrored at once: the outbox keeps real time.
async fn a_business_clock_ahead_still_mirrors_at_once(db: TestDb) {
    let fake = fake().await;
    let mut ahead = settings();
    let monday = Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()).date()
        + jiff::Span::new().days(30);
    let monday = monday.nth_weekday(1, jiff::civil::Weekday::Monday).unwrap();
    let start: Timestamp = format!("{monday}T08:00:00Z").parse().unwrap();
    ahead.clock = std::sync::Arc::new(frontdesk_domain::time::ShiftedClock::starting_at(start));
    let s = TestServer::start_with_tenants(db, ahead, &tenants(&fake)).await;
    book(&s, "call_cal_ahead", json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "11:00"})).await;
    // `settled` gives up after a few seconds: a job due a month from now would never settle.
    settled(&s).await;
    assert_eq!(jobs(&s, "done").await.len(), 1, "{:?}", jobs(&s, "failed").await);
    assert_eq!(fake.bookings().len(), 1);
    s.stop().await;
}

/// A long outage only delays the mirror: failures beyond the attempt limit keep being retried
/// while the appointment lies ahead, and the job is delivered once Cal.com answers again.
async fn an_outage_delays_and_never_parks(db: TestDb) {
    let fake = fake().await;
    let mut patient = settings();
    patient.outbox_max_attempts = 2;
    let s = TestServer::start_with_tenants(db, patient, &tenants(&fake)).await;
    fake.fail_next(&[503, 503, 500, 502, 503]);
    book(&s, "call_cal_outage", json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "15:00"})).await;
    settled(&s).await;
    assert!(jobs(&s, "failed").await.is_empty(), "an outage never parks a job: {:?}", jobs(&s, "failed").await);
    let done = jobs(&s, "done").await;
    assert_eq!(done.len(), 1);
    assert!(done[0]["attempts"].as_i64().unwrap() >= 6, "{done:?}");
    assert_eq!(fake.bookings().len(), 1);
    s.stop().await;
}

/// Two companies, two Cal.com accounts: one hangs, the other's mirror goes on meanwhile.
async fn a_hanging_account_does_not_hold_up_another_company(db: TestDb) {
    let hanging = fake().await;
    hanging.set_delay(Duration::from_secs(30));
    let healthy = FakeCalcom::start("127.0.0.1:0", KEY).await.unwrap();
    healthy.event_type(31, 201, 30);
    let practice = format!(
        "[company.calcom]\nbase_url = \"{}\"\napi_key = \"{KEY}\"\nwebhook_secret = \"{SECRET}\"\n\
         event_types = {{ consultation = 31 }}\nusers = {{ dr-patel = 201 }}\n\n",
        healthy.url
    );
    let both = tenants(&hanging);
    let (salon, rest) = both.split_once("[[company]]\nkey = \"brightsmile\"").unwrap();
    let rest = rest.replacen("[[company.service]]", &format!("{practice}[[company.service]]"), 1);
    let mut slow = settings();
    slow.calcom_timeout = Duration::from_secs(20);
    let s = TestServer::start_with_tenants(db, slow, &format!("{salon}[[company]]\nkey = \"brightsmile\"{rest}")).await;
    book(&s, "call_cal_hang", json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "15:00"})).await;
    while hanging.in_flight() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let john = call_object(
        "call_cal_other",
        frontdesk_server::test_support::JOHN,
        frontdesk_server::test_support::SMILE,
        "ongoing",
    );
    let booked = s
        .function("book_appointment", json!({"service": "consult", "date": "2026-03-12", "time": "10am"}), &john)
        .await;
    assert_eq!(booked["status"], "booked", "{booked}");
    for _ in 0..400 {
        if !healthy.bookings().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(healthy.bookings().len(), 1, "the practice's booking is mirrored");
    assert!(hanging.in_flight() > 0, "while the salon's Cal.com still hangs");
    s.stop().await;
}

async fn signed_webhook(s: &TestServer, body: &Value, secret: &str) -> u16 {
    let bytes = serde_json::to_vec(body).unwrap();
    s.client
        .post(format!("{}/webhooks/calcom", s.url))
        .header("x-cal-signature-256", signature::sign(secret, &bytes))
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn delivery(trigger: &str, uid: &str, start: &str, end: &str, host: i64, created: &str) -> Value {
    json!({"triggerEvent": trigger, "createdAt": created, "payload": {
        "uid": uid, "startTime": start, "endTime": end, "organizer": {"id": host}, "eventTypeId": 13,
        "attendees": [{"email": "walk-in@example.org"}], "metadata": {}}})
}

async fn mehmet_at(s: &TestServer, time: &str) -> String {
    let answer = s
        .function(
            "check_availability",
            json!({"service": "Kinderhaarschnitt", "date": "morgen", "time": time, "staff": "Mehmet"}),
            &call_object("call_cal_look", HANS, FRISEUR, "ongoing"),
        )
        .await;
    answer["status"].as_str().unwrap().to_owned()
}

async fn calcom_bookings_block_time_and_free_it_again(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    let created = delivery(
        "BOOKING_CREATED",
        "ext_1",
        "2026-03-10T14:00:00Z",
        "2026-03-10T14:30:00Z",
        MEHMET,
        "2026-03-09T08:01:00Z",
    );
    assert_eq!(signed_webhook(&s, &created, "wrong-secret").await, 401);
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM webhook_events").await, 0, "nothing stored");
    assert_eq!(mehmet_at(&s, "15:00").await, "available");
    assert_eq!(signed_webhook(&s, &created, SECRET).await, 204);
    assert_eq!(mehmet_at(&s, "15:00").await, "unavailable", "the Cal.com booking blocks Mehmet");
    assert_eq!(signed_webhook(&s, &created, SECRET).await, 204);
    let events: Value = s.admin_get("/api/v1/webhook-events?provider=calcom").await.json().await.unwrap();
    let statuses: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["processed", "ignored"], "the duplicate is ignored");

    let moved = json!({"triggerEvent": "BOOKING_RESCHEDULED", "createdAt": "2026-03-09T08:02:00Z", "payload": {
        "uid": "ext_2", "rescheduleUid": "ext_1", "startTime": "2026-03-10T16:00:00Z", "endTime": "2026-03-10T16:30:00Z",
        "organizer": {"id": MEHMET}, "metadata": {}}});
    assert_eq!(signed_webhook(&s, &moved, SECRET).await, 204);
    assert_eq!(mehmet_at(&s, "15:00").await, "available");
    assert_eq!(mehmet_at(&s, "17:00").await, "unavailable");
    let cancelled = delivery(
        "BOOKING_CANCELLED",
        "ext_2",
        "2026-03-10T16:00:00Z",
        "2026-03-10T16:30:00Z",
        MEHMET,
        "2026-03-09T08:03:00Z",
    );
    assert_eq!(signed_webhook(&s, &cancelled, SECRET).await, 204);
    assert_eq!(mehmet_at(&s, "17:00").await, "available");

    // Our own booking echoed back is recognised, not turned into busy time.
    let booked = book(
        &s,
        "call_cal_7",
        json!({"service": "Kinderhaarschnitt", "date": "morgen", "time": "13:00", "staff": "Mehmet"}),
    )
    .await;
    settled(&s).await;
    let ours = &fake.bookings()[0];
    let echo = json!({"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-03-09T08:04:00Z", "payload": {
        "uid": ours.uid, "startTime": ours.start.to_string(), "endTime": ours.end.to_string(), "organizer": {"id": MEHMET},
        "metadata": {"frontdesk_appointment_id": booked["appointment"]["id"].to_string()}}});
    assert_eq!(signed_webhook(&s, &echo, SECRET).await, 204);
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM busy_blocks WHERE active").await, 0);
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM appointments").await, 1);
    s.stop().await;
}

/// A delivery that can never be applied (a booking that ends before it starts) is acknowledged,
/// and stored as `failed` with the reason: listed, and replayable.
async fn deliveries_that_cannot_be_applied_are_stored_as_failed(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    let backwards = delivery(
        "BOOKING_CREATED",
        "ext_backwards",
        "2026-03-10T15:00:00Z",
        "2026-03-10T14:00:00Z",
        MEHMET,
        "2026-03-09T08:01:00Z",
    );
    assert_eq!(signed_webhook(&s, &backwards, SECRET).await, 204);
    let events: Value = s.admin_get("/api/v1/webhook-events?provider=calcom&status=failed").await.json().await.unwrap();
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{events}");
    assert!(items[0]["error"].as_str().unwrap().contains("unusable"), "{}", items[0]);
    assert_eq!(items[0]["payload"]["payload"]["uid"], "ext_backwards");
    assert_eq!(mehmet_at(&s, "15:00").await, "available", "nothing was blocked");
    s.stop().await;
}

async fn the_catch_up_pull_finds_what_webhooks_missed(db: TestDb) {
    let fake = fake().await;
    let mut settings = settings();
    settings.calcom_pull_interval = Duration::from_millis(100);
    let s = TestServer::start_with_tenants(db, settings, &tenants(&fake)).await;
    fake.add_external(13, MEHMET, "2026-03-10T14:00:00Z".parse().unwrap(), 30, "walk-in@example.org");
    for _ in 0..100 {
        if s.db.scalar("SELECT COUNT(*) FROM busy_blocks WHERE active").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mehmet_at(&s, "15:00").await, "unavailable");
    let uid = fake.bookings()[0].uid.clone();
    fake.cancel_external(&uid);
    for _ in 0..100 {
        if s.db.scalar("SELECT COUNT(*) FROM busy_blocks WHERE active").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mehmet_at(&s, "15:00").await, "available");
    s.stop().await;
}

/// More changes than fit one page: the pull follows the list's cursor (the current list version,
/// `limit` and `cursor`; the fake refuses the old `take`/`skip`) until it has them all.
async fn the_pull_pages_with_the_cursor(db: TestDb) {
    let fake = fake().await;
    let mut settings = settings();
    settings.calcom_pull_interval = Duration::from_millis(100);
    let s = TestServer::start_with_tenants(db, settings, &tenants(&fake)).await;
    let first: Timestamp = "2026-03-10T13:00:00Z".parse().unwrap();
    for i in 0..230 {
        let start = first + SignedDuration::from_hours(i * 2);
        fake.add_external(13, MEHMET, start, 30, &format!("walk-in-{i}@example.org"));
    }
    for _ in 0..200 {
        if s.db.scalar("SELECT COUNT(*) FROM busy_blocks WHERE active").await == 230 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(s.db.scalar("SELECT COUNT(*) FROM busy_blocks WHERE active").await, 230);
    assert!(fake.requests().iter().filter(|r| *r == "GET /bookings").count() >= 3, "three pages at least");
    s.stop().await;
}

/// With Cal.com hanging, function calls are answered as usual: Cal.com is never on their path.
async fn a_hanging_calcom_never_blocks_function_calls(db: TestDb) {
    let fake = fake().await;
    fake.set_delay(Duration::from_secs(30));
    let mut settings = settings();
    settings.calcom_timeout = Duration::from_secs(60);
    let s = TestServer::start_with_tenants(db, settings, &tenants(&fake)).await;
    book(&s, "call_cal_8", json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "09:00"})).await;
    for _ in 0..200 {
        if fake.in_flight() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(fake.in_flight() > 0, "the worker is waiting for Cal.com");
    for (i, time) in ["10:00", "11:00", "12:00", "13:00"].into_iter().enumerate() {
        book(&s, &format!("call_cal_9_{i}"), json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": time}))
            .await;
    }
    let free = s
        .function(
            "check_availability",
            json!({"service": "Damenhaarschnitt", "date": "morgen"}),
            &call_object("call_cal_10", HANS, FRISEUR, "ongoing"),
        )
        .await;
    assert_eq!(free["status"], "slots_found");
    assert!(fake.in_flight() > 0, "all of that was answered while Cal.com still hung");
    assert_eq!(jobs(&s, "pending").await.len() + jobs(&s, "running").await.len(), 5);
    s.stop().await;
}

/// Two workers in two server instances: each change is delivered once.
async fn several_workers_deliver_each_job_once(db: TestDb) {
    let fake = fake().await;
    let mut quiet = settings();
    quiet.worker_interval = Duration::from_secs(3600);
    let s = TestServer::start_with_tenants(db, quiet, &tenants(&fake)).await;
    for (i, (service, time)) in [
        ("Herrenhaarschnitt", "12:00"),
        ("Kinderhaarschnitt", "12:00"),
        ("Herrenhaarschnitt", "13:00"),
        ("Kinderhaarschnitt", "13:00"),
        ("Herrenhaarschnitt", "14:00"),
        ("Kinderhaarschnitt", "14:00"),
    ]
    .into_iter()
    .enumerate()
    {
        // A children's cut at the same time as Hans's own is for his son.
        let mut args = json!({"service": service, "date": "morgen", "time": time});
        if service == "Kinderhaarschnitt" {
            args["another_person"] = json!(true);
            args["customer_name"] = json!("Paul Müller");
        }
        book(&s, &format!("call_cal_w{i}"), args).await;
    }
    let a = RunningServer::start(frontdesk_store::open(&s.db.url, &Default::default()).await.unwrap(), settings())
        .await
        .unwrap();
    let b = RunningServer::start(frontdesk_store::open(&s.db.url, &Default::default()).await.unwrap(), settings())
        .await
        .unwrap();
    settled(&s).await;
    assert_eq!(fake.requests().iter().filter(|r| *r == "POST /bookings").count(), 6);
    assert_eq!(fake.bookings().len(), 6);
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    s.stop().await;
}

async fn secrets_never_leave_the_server(db: TestDb) {
    let fake = fake().await;
    let s = start(db, &fake).await;
    let companies = s
        .client
        .get(format!("{}/api/v1/companies", s.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(companies.contains("\"connected\":true"), "{companies}");
    assert!(companies.contains("\"herrenhaarschnitt\":11"), "{companies}");
    assert!(!companies.contains(KEY) && !companies.contains(SECRET), "{companies}");
    s.stop().await;
}

backend_tests!(
    the_pull_pages_with_the_cursor,
    an_outage_delays_and_never_parks,
    a_hanging_account_does_not_hold_up_another_company,
    a_business_clock_ahead_still_mirrors_at_once,
    siblings_at_one_time_are_both_mirrored,
    deliveries_that_cannot_be_applied_are_stored_as_failed,
    create_move_and_cancel_reach_calcom_exactly_once,
    a_lost_answer_never_makes_a_second_booking,
    rate_limits_and_server_errors_are_retried,
    permanent_errors_park_the_job_visibly,
    an_existing_booking_is_never_linked,
    calcom_bookings_block_time_and_free_it_again,
    the_catch_up_pull_finds_what_webhooks_missed,
    a_hanging_calcom_never_blocks_function_calls,
    several_workers_deliver_each_job_once,
    secrets_never_leave_the_server,
);
