//! E-mail: confirmations, moves and cancellations with their calendar entries, reminders by the
//! business clock, the one-click unsubscribe, callback alerts, retries, two processes.

use std::sync::Arc;

use frontdesk_server::RunningServer;
use frontdesk_server::test_support::{FRISEUR, HANS, ManualClock, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::json;

use super::sink::{self, SmtpSink};
use super::{MONDAY, PUBLIC, a_few_rounds, at, notifications, settings, until};

backend_tests!(
    voice_booking_move_and_cancellation_update_one_calendar_entry,
    reminders_wait_for_the_business_clock_and_follow_moves,
    the_unsubscribe_link_stops_reminders,
    a_mail_server_that_is_down_gets_the_message_later,
    callback_requests_reach_the_branch,
    an_address_that_does_not_parse_is_asked_for_again,
);

async fn start(db: TestDb) -> Option<(TestServer, SmtpSink, Arc<ManualClock>)> {
    if !sink::available() {
        return None;
    }
    let smtp = SmtpSink::start().await;
    let clock = ManualClock::new(at(MONDAY));
    let server = TestServer::start(db, settings(&clock, Some(smtp.port))).await;
    Some((server, smtp, clock))
}

/// Books Herrenhaarschnitt for Hans by voice, with his e-mail address; returns the id.
async fn book(s: &TestServer, call: &str, day: &str, time: &str) -> i64 {
    let call = call_object(call, HANS, FRISEUR, "ongoing");
    let args = json!({"dienstleistung": "Herrenhaarschnitt", "datum": day, "uhrzeit": time,
        "mitarbeiter": "Mehmet", "customer_email": "hans.mueller@example.de"});
    let booked = s.function("book_appointment", args, &call).await;
    assert_eq!(booked["status"], "booked", "{booked}");
    booked["appointment"]["id"].as_i64().expect("appointment id")
}

async fn voice_booking_move_and_cancellation_update_one_calendar_entry(db: TestDb) {
    let Some((s, smtp, _clock)) = start(db).await else { return };
    let call = call_object("call_mail_1", HANS, FRISEUR, "ongoing");
    let booked = s
        .function(
            "book_appointment",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Mittwoch", "uhrzeit": "14 Uhr",
                "mitarbeiter": "Mehmet", "customer_email": "hans.mueller@example.de"}),
            &call,
        )
        .await;
    assert_eq!(booked["status"], "booked", "{booked}");
    assert_eq!(booked["confirmation"], json!({"channel": "email", "address": "hans.mueller@example.de"}));
    let said = booked["message"].as_str().unwrap();
    assert!(said.contains("h, a, n, s, Punkt, m, u, e, l, l, e, r at example Punkt de"), "{said}");
    let id = booked["appointment"]["id"].as_i64().unwrap();
    let uid = format!("friseur1-{id}@desk.example");

    let mails = smtp.wait_for(1).await;
    let confirmation = &mails[0];
    assert_eq!(confirmation.to, "hans.mueller@example.de");
    assert_eq!(confirmation.from, "termine@friseur1.example");
    assert!(confirmation.subject.contains("Ihr Termin bei Friseur 1"), "{}", confirmation.subject);
    // 14:00 in Berlin (CET, UTC+1) on Wednesday, 11 March.
    assert!(confirmation.text.contains("Mittwoch, 11.03.2026, 14:00 Uhr"), "{}", confirmation.text);
    assert!(confirmation.text.contains("Friedrichstraße 100"), "{}", confirmation.text);
    assert_eq!(confirmation.calendar_property("METHOD").as_deref(), Some("REQUEST"));
    assert_eq!(confirmation.calendar_method_param.as_deref().map(str::to_ascii_uppercase).as_deref(), Some("REQUEST"));
    assert_eq!(confirmation.event("UID").as_deref(), Some(uid.as_str()));
    assert_eq!(confirmation.event("SEQUENCE").as_deref(), Some("0"));
    assert_eq!(confirmation.event("DTSTART").as_deref(), Some("20260311T130000Z"));
    assert_eq!(confirmation.event("DTEND").as_deref(), Some("20260311T133000Z"));
    assert!(confirmation.list_unsubscribe.is_none(), "only reminders carry the unsubscribe link");

    let moved =
        s.function("reschedule_appointment", json!({"neues_datum": "Freitag", "neue_uhrzeit": "11 Uhr"}), &call).await;
    assert_eq!(moved["status"], "rescheduled", "{moved}");
    assert_eq!(moved["confirmation"]["address"], "hans.mueller@example.de", "{moved}");
    assert!(moved["message"].as_str().unwrap().contains("at example Punkt de"), "{moved}");
    let mails = smtp.wait_for(2).await;
    let notice = &mails[1];
    assert!(notice.subject.contains("verlegt"), "{}", notice.subject);
    assert!(notice.text.contains("bisher Mittwoch, 11.03.2026, 14:00 Uhr"), "{}", notice.text);
    assert!(notice.text.contains("Freitag, 13.03.2026, 11:00 Uhr"), "{}", notice.text);
    assert_eq!(notice.event("UID").as_deref(), Some(uid.as_str()));
    assert_eq!(notice.event("SEQUENCE").as_deref(), Some("1"));
    assert_eq!(notice.event("DTSTART").as_deref(), Some("20260313T100000Z"));
    assert_eq!(notice.calendar_property("METHOD").as_deref(), Some("REQUEST"));

    let cancelled = s.function("cancel_appointment", json!({"grund": "krank"}), &call).await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(cancelled["confirmation"]["channel"], "email", "{cancelled}");
    let mails = smtp.wait_for(3).await;
    let cancel = &mails[2];
    assert_eq!(cancel.calendar_property("METHOD").as_deref(), Some("CANCEL"));
    assert_eq!(cancel.calendar_method_param.as_deref().map(str::to_ascii_uppercase).as_deref(), Some("CANCEL"));
    assert_eq!(cancel.event("UID").as_deref(), Some(uid.as_str()));
    assert_eq!(cancel.event("SEQUENCE").as_deref(), Some("2"));
    assert_eq!(cancel.event("STATUS").as_deref(), Some("CANCELLED"));

    // Each message once, each with its own Message-ID; the reminders went with the changes.
    let ids: std::collections::HashSet<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 3);
    let reminders = notifications(&s, &format!("appointment={id}&kind=reminder")).await;
    assert_eq!(reminders.len(), 2, "one per time the appointment had: {reminders:#?}");
    assert!(reminders.iter().all(|r| r["status"] == "withdrawn"), "{reminders:#?}");
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 3);
    s.stop().await;
}

async fn reminders_wait_for_the_business_clock_and_follow_moves(db: TestDb) {
    let Some((s, smtp, clock)) = start(db).await else { return };
    // Wednesday 14:00 Berlin = 13:00Z: the reminder is due on Tuesday at 13:00Z.
    let first = book(&s, "call_rem_1", "Mittwoch", "14 Uhr").await;
    smtp.wait_for(1).await;
    let pending = notifications(&s, &format!("appointment={first}&kind=reminder")).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "pending");
    assert_eq!(pending[0]["due_at"], "2026-03-10T13:00:00Z");

    clock.set(at("2026-03-10T12:59:00Z"));
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 1, "not before its time");
    clock.set(at("2026-03-10T13:00:30Z"));
    let mails = smtp.wait_for(2).await;
    let reminder = &mails[1];
    assert!(reminder.subject.starts_with("Erinnerung"), "{}", reminder.subject);
    assert!(reminder.text.contains("Mittwoch, 11.03.2026, 14:00 Uhr"), "{}", reminder.text);
    assert_eq!(reminder.event("SEQUENCE").as_deref(), Some("0"));
    let link = reminder.list_unsubscribe.clone().expect("List-Unsubscribe");
    assert!(link.starts_with(&format!("<{PUBLIC}/unsubscribe/")), "{link}");
    assert_eq!(reminder.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 2, "a reminder is sent once");

    // A second appointment, moved: its reminder moves with it.
    let second = book(&s, "call_rem_2", "Donnerstag", "15 Uhr").await;
    smtp.wait_for(3).await;
    let call = call_object("call_rem_2", HANS, FRISEUR, "ongoing");
    let moved = s
        .function(
            "reschedule_appointment",
            json!({"termin_id": second, "neues_datum": "Samstag", "neue_uhrzeit": "10 Uhr"}),
            &call,
        )
        .await;
    assert_eq!(moved["status"], "rescheduled", "{moved}");
    smtp.wait_for(4).await;
    // Past the old reminder's moment (Wednesday 14:00Z): nothing.
    clock.set(at("2026-03-11T14:01:00Z"));
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 4, "the old time's reminder is withdrawn");
    // Saturday 10:00 Berlin = 09:00Z; reminded on Friday at 09:00Z.
    clock.set(at("2026-03-13T09:00:10Z"));
    let mails = smtp.wait_for(5).await;
    assert!(mails[4].subject.starts_with("Erinnerung"), "{}", mails[4].subject);
    assert!(mails[4].text.contains("Samstag, 14.03.2026, 10:00 Uhr"), "{}", mails[4].text);
    assert_eq!(mails[4].event("SEQUENCE").as_deref(), Some("1"));

    // A cancelled appointment gets no reminder.
    let third = book(&s, "call_rem_3", "Dienstag nächste Woche", "13 Uhr").await;
    smtp.wait_for(6).await;
    let call = call_object("call_rem_3", HANS, FRISEUR, "ongoing");
    let cancelled = s.function("cancel_appointment", json!({"termin_id": third}), &call).await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    smtp.wait_for(7).await;
    clock.set(at("2026-03-16T09:30:00Z"));
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 7);
    s.stop().await;
}

async fn the_unsubscribe_link_stops_reminders(db: TestDb) {
    let Some((s, smtp, clock)) = start(db).await else { return };
    book(&s, "call_unsub_1", "Mittwoch", "14 Uhr").await;
    let later = book(&s, "call_unsub_2", "Freitag", "11 Uhr").await;
    smtp.wait_for(2).await;
    clock.set(at("2026-03-10T13:00:30Z"));
    let mails = smtp.wait_for(3).await;
    let link = mails[2].list_unsubscribe.clone().expect("List-Unsubscribe");
    let url = link.trim_start_matches('<').trim_end_matches('>').replace(PUBLIC, &s.url);

    // Opening the link (as a mail scanner would) changes nothing.
    let page = s.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form method=\"post\">"));
    let waiting = notifications(&s, &format!("appointment={later}&kind=reminder")).await;
    assert_eq!(waiting[0]["status"], "pending");
    let unknown = s.client.post(format!("{}/unsubscribe/not-a-token", s.url)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    // The one-click POST (RFC 8058) stops them.
    let done = s.client.post(&url).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let waiting = notifications(&s, &format!("appointment={later}&kind=reminder")).await;
    assert_eq!(waiting[0]["status"], "withdrawn");
    // A new booking is still confirmed, but gets no reminder.
    let newest = book(&s, "call_unsub_3", "Samstag", "10 Uhr").await;
    smtp.wait_for(4).await;
    assert!(notifications(&s, &format!("appointment={newest}&kind=reminder")).await.is_empty());
    clock.set(at("2026-03-13T10:00:00Z"));
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 4);
    s.stop().await;
}

async fn a_mail_server_that_is_down_gets_the_message_later(db: TestDb) {
    if !sink::available() {
        return;
    }
    let port = sink::free_port();
    let clock = ManualClock::new(at(MONDAY));
    let s = TestServer::start(db, settings(&clock, Some(port))).await;
    let id = book(&s, "call_down_1", "Mittwoch", "14 Uhr").await;
    let query = format!("appointment={id}&kind=confirmation");
    until(&s, &query, "a failed attempt", |items| {
        items.first().is_some_and(|n| {
            n["status"] == "pending" && n["attempts"].as_i64() >= Some(1) && !n["last_error"].is_null()
        })
    })
    .await;
    let smtp = SmtpSink::start_on(port).await;
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].subject.contains("Ihr Termin"), "{}", mails[0].subject);
    let sent = until(&s, &query, "sent", |items| items.first().is_some_and(|n| n["status"] == "sent")).await;
    assert!(sent[0]["attempts"].as_i64().unwrap() >= 2, "{sent:#?}");
    a_few_rounds().await;
    assert_eq!(smtp.received().len(), 1);
    s.stop().await;
    smtp.stop().await;
}

async fn callback_requests_reach_the_branch(db: TestDb) {
    let Some((s, smtp, _clock)) = start(db).await else { return };
    let call = call_object("call_cb_1", HANS, FRISEUR, "ongoing");
    let asked = s
        .function("request_callback", json!({"grund": "Frage zur Dauerwelle", "wunschzeit": "nachmittags"}), &call)
        .await;
    assert_eq!(asked["status"], "callback_requested", "{asked}");
    let mails = smtp.wait_for(1).await;
    let alert = &mails[0];
    assert_eq!(alert.to, "zentrale@friseur1.example");
    assert!(alert.subject.contains("Rückrufwunsch von Hans Müller"), "{}", alert.subject);
    assert!(alert.text.contains("0160 4366218"), "{}", alert.text);
    assert!(alert.text.contains("Frage zur Dauerwelle"), "{}", alert.text);
    assert!(alert.text.contains("nachmittags"), "{}", alert.text);
    assert!(alert.text.contains(&format!("{PUBLIC}/admin/calls/")), "{}", alert.text);
    assert!(alert.calendar.is_none());
    s.stop().await;
}

async fn an_address_that_does_not_parse_is_asked_for_again(db: TestDb) {
    let Some((s, smtp, _clock)) = start(db).await else { return };
    let call = call_object("call_bad_mail", HANS, FRISEUR, "ongoing");
    let answer = s
        .function(
            "book_appointment",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Mittwoch", "uhrzeit": "14 Uhr",
                "customer_email": "hans punkt mueller at example"}),
            &call,
        )
        .await;
    assert_eq!(answer["status"], "email_invalid", "{answer}");
    assert_eq!(answer["success"], false);
    assert!(answer["message"].as_str().unwrap().contains("buchstabieren"), "{answer}");
    let mine = s.function("get_customer_appointments", json!({}), &call).await;
    assert_eq!(mine["appointments"].as_array().map(Vec::len), Some(0), "nothing was booked: {mine}");
    a_few_rounds().await;
    assert!(smtp.received().is_empty());
    s.stop().await;
}

/// Two server processes' workers on one PostgreSQL database: every reminder is sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_send_each_reminder_once() {
    let Some(db) = TestDb::postgres().await else { return };
    if !sink::available() {
        return;
    }
    let smtp = SmtpSink::start().await;
    let clock = ManualClock::new(at(MONDAY));
    let s = TestServer::start(db, settings(&clock, Some(smtp.port))).await;
    let other =
        RunningServer::start(s.db.open().await, settings(&clock, Some(smtp.port))).await.expect("second server");
    let days = [("Freitag", "10 Uhr"), ("Freitag", "12 Uhr"), ("Freitag", "15 Uhr"), ("Freitag", "16 Uhr")];
    for (i, (day, time)) in days.iter().enumerate() {
        book(&s, &format!("call_two_{i}"), day, time).await;
    }
    smtp.wait_for(days.len()).await;
    // Every reminder due, no appointment begun.
    clock.set(at("2026-03-12T15:30:00Z"));
    let mails = smtp.wait_for(2 * days.len()).await;
    a_few_rounds().await;
    let mails_after = smtp.received();
    assert_eq!(mails_after.len(), 2 * days.len(), "{:?}", mails_after.iter().map(|m| &m.subject).collect::<Vec<_>>());
    let ids: std::collections::HashSet<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 2 * days.len());
    other.shutdown().await.expect("shutdown");
    s.stop().await;
}
