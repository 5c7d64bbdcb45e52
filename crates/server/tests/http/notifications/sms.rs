//! Text messages through a fake Twilio-compatible provider (a real HTTP server in the test):
//! a customer known only by a mobile number gets them where the company turned them on.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Form, Json, Router};
use frontdesk_server::notify::sms::SmsTarget;
use frontdesk_server::test_support::{FRISEUR, JOHN, ManualClock, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

use super::{MONDAY, a_few_rounds, at, notifications, settings, until};

backend_tests!(a_mobile_only_customer_is_reminded_by_text_message);

/// One message as the provider received it.
#[derive(Clone, Debug)]
struct Texted {
    account: String,
    authorization: String,
    to: String,
    from: String,
    body: String,
}

type Inbox = Arc<Mutex<Vec<Texted>>>;

async fn receive(
    State(inbox): State<Inbox>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    inbox.lock().unwrap().push(Texted {
        account,
        authorization,
        to: field("To"),
        from: field("From"),
        body: field("Body"),
    });
    (StatusCode::CREATED, Json(json!({"sid": "SM0001", "status": "queued"})))
}

/// The fake provider on a random port; returns its base URL and what it received.
async fn provider() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let app =
        Router::new().route("/2010-04-01/Accounts/{account}/Messages.json", post(receive)).with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://ACtest:secret-token@{addr}"), inbox)
}

async fn a_mobile_only_customer_is_reminded_by_text_message(db: TestDb) {
    let (url, inbox) = provider().await;
    let clock = ManualClock::new(at(MONDAY));
    let mut config = settings(&clock, None);
    config.notify.sms = Some(SmsTarget::parse(&url, "+4930555000111").unwrap());
    let s = TestServer::start(db, config).await;

    // A new caller with a German mobile number and no e-mail: Friseur 1 sends text messages.
    let call = call_object("call_sms_1", "+4915199887766", FRISEUR, "ongoing");
    let booked = s
        .function(
            "book_appointment",
            json!({"dienstleistung": "Herrenhaarschnitt", "datum": "Mittwoch", "uhrzeit": "14 Uhr", "name": "Jonas Neu"}),
            &call,
        )
        .await;
    assert_eq!(booked["status"], "booked", "{booked}");
    assert_eq!(booked["confirmation"], json!({"channel": "sms"}));
    assert!(booked["message"].as_str().unwrap().contains("per SMS"), "{booked}");
    let id = booked["appointment"]["id"].as_i64().unwrap();
    until(&s, &format!("appointment={id}&kind=confirmation"), "the confirmation sent", |n| {
        n.first().is_some_and(|n| n["status"] == "sent")
    })
    .await;
    clock.set(at("2026-03-10T13:00:30Z"));
    until(&s, &format!("appointment={id}&kind=reminder"), "the reminder sent", |n| {
        n.first().is_some_and(|n| n["status"] == "sent" && n["channel"] == "sms")
    })
    .await;
    a_few_rounds().await;
    let texts = inbox.lock().unwrap().clone();
    assert_eq!(texts.len(), 2, "{texts:#?}");
    for t in &texts {
        assert_eq!(t.account, "ACtest");
        assert_eq!(t.to, "+4915199887766");
        assert_eq!(t.from, "+4930555000111");
        assert!(t.authorization.starts_with("Basic "), "{t:?}");
    }
    assert!(texts[0].body.contains("ist eingetragen: Mittwoch, 11.03.2026, 14:00 Uhr"), "{}", texts[0].body);
    assert!(texts[1].body.contains("Erinnerung"), "{}", texts[1].body);

    // Off by default: Bright Smile has not turned text messages on, so a caller without an
    // address gets none (and nothing is queued for them).
    let john = call_object("call_sms_2", JOHN, SMILE, "ongoing");
    let booked = s
        .function("book_appointment", json!({"service": "Checkup", "date": "Wednesday", "time": "10 am"}), &john)
        .await;
    assert_eq!(booked["status"], "booked", "{booked}");
    assert_eq!(booked["confirmation"], Value::Null);
    let other = booked["appointment"]["id"].as_i64().unwrap();
    assert!(notifications(&s, &format!("appointment={other}")).await.is_empty());
    assert_eq!(inbox.lock().unwrap().len(), 2);
    s.stop().await;
}
