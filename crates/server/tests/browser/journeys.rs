//! What the business's people do in the dashboard, step by step in one browser session.

use std::time::Duration;

use fantoccini::Locator;
use frontdesk_domain::records::{Provider, WebhookStatus};
use frontdesk_server::demo;
use frontdesk_server::test_support::{ADMIN_TOKEN, HANS, RETELL_KEY, TestServer, call_object};
use frontdesk_store::model::{NewWebhookEvent, Record};
use frontdesk_store::test_support::TestDb;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::driver::Browser;

/// A Tuesday morning in Berlin before the salon opens: the demo week starts that day.
fn tuesday_morning() -> Timestamp {
    "2026-03-10T06:00:00Z".parse().unwrap()
}

async fn database() -> Option<TestDb> {
    match std::env::var("FRONTDESK_BROWSER_BACKEND").as_deref() {
        Ok("postgres") => TestDb::postgres().await,
        _ => Some(TestDb::sqlite()),
    }
}

async fn api(server: &TestServer, path: &str) -> Value {
    let response = server.admin_get(path).await;
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.json().await.expect("JSON")
}

/// The server with the demo seed and four simulated calls to the salon.
async fn seeded() -> Option<TestServer> {
    let db = database().await?;
    let mut settings = TestServer::settings(Some(tuesday_morning()));
    settings.secure_cookies = false;
    let server = TestServer::start(db, settings).await;
    let state = &server.server.as_ref().expect("running").state;
    demo::logins(state.store()).await.expect("demo logins");
    let booked = demo::week(state.store(), state.directory(), state.settings().clock.now()).await.expect("demo week");
    assert!(booked > 20, "the demo week has appointments ({booked})");
    let mut options = frontdesk_simulator::Options::new(vec![server.url.clone()], RETELL_KEY, ADMIN_TOKEN);
    options.calls = 4;
    options.concurrency = 1;
    options.seed = 11;
    options.tenant = Some("friseur1".to_owned());
    options.run_id = Some("browser".to_owned());
    frontdesk_simulator::play(&options, None).await.expect("simulated calls");
    Some(server)
}

async fn log_in(browser: &Browser, email: &str) {
    browser.open("/admin/day").await;
    // Not logged in: the login page, which returns to the day afterwards.
    browser.wait("#email").await;
    browser.screenshot("login").await;
    browser.fill("#email", email).await;
    browser.fill("#password", demo::PASSWORD).await;
    browser.click("#log-in").await;
    browser.at("/admin/day").await;
    browser.wait(".day").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_a_browser() {
    let Some(server) = seeded().await else { return };
    let Some(browser) = Browser::start(&server.url).await else { return };

    log_in(&browser, "owner@friseur1.example").await;
    the_day_shows_the_demo_appointments_in_their_columns_and_times(&browser, &server).await;
    let id = booking_through_the_form_shows_in_the_api(&browser, &server).await;
    moving_and_cancelling_through_the_ui(&browser, &server, id).await;
    a_call_page_shows_the_timeline_of_a_simulated_call(&browser, &server).await;
    replaying_a_failed_webhook_from_the_health_page(&browser, &server).await;
    the_other_pages_render(&browser).await;
    another_companys_appointment_is_not_found(&browser, &server).await;
    a_form_without_its_csrf_token_is_refused(&browser, &server).await;
    logging_out_ends_the_session(&browser, &server).await;

    browser.close().await;
    server.stop().await;
}

async fn the_day_shows_the_demo_appointments_in_their_columns_and_times(browser: &Browser, server: &TestServer) {
    let list =
        api(server, "/api/v1/appointments?company=friseur1&from=2026-03-10&to=2026-03-11&status=booked&limit=500")
            .await;
    let items = list["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the demo has appointments today");
    browser.heading("10.03.2026").await;
    browser.screenshot("day").await;
    for a in items {
        let (id, staff) = (a["id"].as_i64().unwrap(), a["staff"].as_str().unwrap());
        let local = a["local_start"].as_str().unwrap();
        let css = format!("section[data-staff='{staff}'] a[data-appointment='{id}'] .block-time");
        let blocks = browser.client.find_all(Locator::Css(&css)).await.expect("find blocks");
        assert!(!blocks.is_empty(), "appointment {id} is in {staff}'s column");
        let time = blocks[0].text().await.expect("block time");
        assert!(time.starts_with(&local[11..16]), "appointment {id} starts at {} but shows {time}", &local[11..16]);
    }
    browser.open("/admin/week?date=2026-03-10").await;
    browser.wait(".week").await;
    browser.screenshot("week").await;
}

async fn booking_through_the_form_shows_in_the_api(browser: &Browser, server: &TestServer) -> i64 {
    browser.open("/admin/appointments/new?service=herrenhaarschnitt&date=2026-03-12").await;
    browser.click("#book-form input[name='slot']").await;
    browser.fill("#name", "Greta Browser").await;
    browser.fill("#phone", "0151 98765432").await;
    browser.screenshot("new-appointment").await;
    browser.click("#book-submit").await;
    let facts = browser.wait("[data-appointment-id]").await;
    let id: i64 = facts.attr("data-appointment-id").await.unwrap().unwrap().parse().unwrap();
    let booked = api(server, &format!("/api/v1/appointments/{id}")).await;
    assert_eq!(booked["service"], "herrenhaarschnitt");
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["source"], "admin");
    let customer = api(server, &format!("/api/v1/customers/{}", booked["customer_id"])).await;
    assert_eq!(customer["name"], "Greta Browser");
    assert_eq!(customer["phone"], "+4915198765432");
    browser.screenshot("appointment").await;
    id
}

async fn moving_and_cancelling_through_the_ui(browser: &Browser, server: &TestServer, id: i64) {
    let before = api(server, &format!("/api/v1/appointments/{id}")).await;
    browser.open(&format!("/admin/appointments/{id}")).await;
    // The last free time of the day: certainly not the current one.
    let slots = browser.client.find_all(Locator::Css("form[action$='/move'] input[name='slot']")).await.unwrap();
    assert!(slots.len() > 1, "free times to move to");
    slots.last().unwrap().click().await.unwrap();
    browser.click("#move-submit").await;
    browser.wait_text(".notice", "verschoben").await;
    let moved = api(server, &format!("/api/v1/appointments/{id}")).await;
    assert_ne!(moved["start"], before["start"], "moved");
    assert_eq!(moved["reschedule_count"], 1);

    browser.fill("#reason", "Kunde krank").await;
    browser.click("#cancel-submit").await;
    browser.wait_text(".notice", "storniert").await;
    let cancelled = api(server, &format!("/api/v1/appointments/{id}")).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(browser.text("#appointment-status").await, "Storniert");
}

async fn a_call_page_shows_the_timeline_of_a_simulated_call(browser: &Browser, server: &TestServer) {
    let calls = api(server, "/api/v1/calls?company=friseur1").await;
    let call = &calls["items"][0];
    let id = call["call_id"].as_str().or_else(|| call["external_id"].as_str()).expect("a call id");
    let detail = api(server, &format!("/api/v1/calls/{id}")).await;
    let functions = detail["function_calls"].as_array().unwrap().len();
    let webhooks = detail["webhook_events"].as_array().unwrap().len();
    browser.open("/admin/calls").await;
    browser.wait(&format!("a[href='/admin/calls/{id}']")).await;
    browser.screenshot("calls").await;
    browser.click(&format!("a[href='/admin/calls/{id}']")).await;
    browser.wait("#timeline").await;
    let entries = browser.client.find_all(Locator::Css("#timeline > li")).await.unwrap();
    assert_eq!(entries.len(), functions + webhooks, "every webhook and function call is on the timeline");
    assert!(browser.text("#timeline").await.contains("initialize_call"));
    browser.screenshot("call").await;
}

/// A delivery that failed (say, before a fix was deployed) is applied again from the health page.
async fn replaying_a_failed_webhook_from_the_health_page(browser: &Browser, server: &TestServer) {
    let state = &server.server.as_ref().expect("running").state;
    let directory = state.directory();
    let salon = directory.company_by_key("friseur1").expect("the salon");
    let number = salon.branches[0].def.phone_numbers[0].as_str().to_owned();
    let call = call_object("browser-replay-1", HANS, &number, "ended");
    let payload = json!({"event": "call_ended", "call": call}).to_string();
    let event = NewWebhookEvent {
        provider: Provider::Retell,
        event_type: "call_ended".to_owned(),
        dedupe_key: None,
        external_call_id: Some("browser-replay-1".to_owned()),
        company_id: Some(salon.company.id),
        payload,
        status: WebhookStatus::Failed,
        error: Some("could not be applied: (a bug since fixed)".to_owned()),
        at: Timestamp::now(),
    };
    state.store().record(Record::Delivery { event, call: None }).await.expect("a failed delivery");
    frontdesk_server::summaries::refresh(state).await.expect("daily summaries");
    let failed = api(server, "/api/v1/webhook-events?status=failed").await;
    let id = failed["items"][0]["id"].as_i64().expect("the failed delivery");

    browser.open("/admin/health").await;
    browser.wait(&format!("#webhook-{id} button")).await;
    browser.screenshot("health").await;
    browser.click(&format!("#webhook-{id} button")).await;
    browser.wait_text(".notice", "erneut angewendet").await;
    assert!(browser.client.find(Locator::Css(&format!("#webhook-{id}"))).await.is_err(), "no longer listed as failed");
    let events = api(server, "/api/v1/webhook-events?call=browser-replay-1").await;
    assert_eq!(events["items"][0]["status"], "processed");
    let call = api(server, "/api/v1/calls/browser-replay-1").await;
    assert_eq!(call["status"], "ended", "the replay applied the delivery to the call");
}

/// Callbacks, customers and settings render with the demo data.
async fn the_other_pages_render(browser: &Browser) {
    browser.open("/admin/callbacks").await;
    browser.heading("Rückrufe").await;
    browser.screenshot("callbacks").await;
    browser.open("/admin/customers?q=a").await;
    browser.heading("Kunden").await;
    browser.screenshot("customers").await;
    browser.click("table a[href^='/admin/customers/']").await;
    browser.wait("#c-name").await;
    browser.screenshot("customer").await;
    browser.open("/admin/settings").await;
    browser.wait("#tenant-file").await;
    browser.screenshot("settings").await;
}

async fn another_companys_appointment_is_not_found(browser: &Browser, server: &TestServer) {
    let theirs = api(server, "/api/v1/appointments?company=brightsmile&limit=1").await;
    let id = theirs["items"][0]["id"].as_i64().expect("a brightsmile appointment");
    browser.open(&format!("/admin/appointments/{id}")).await;
    browser.heading("Not found").await;
    // The same over plain HTTP with the browser's cookie: 404, not 403.
    let cookie = browser.client.get_named_cookie("frontdesk_session").await.expect("session cookie");
    let response = server
        .client
        .get(format!("{}/admin/appointments/{id}", server.url))
        .header("cookie", format!("frontdesk_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

async fn a_form_without_its_csrf_token_is_refused(browser: &Browser, server: &TestServer) {
    let list = api(server, "/api/v1/appointments?company=friseur1&status=booked&limit=1").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    browser.open(&format!("/admin/appointments/{id}")).await;
    browser.wait("#cancel-submit").await;
    // The form as another site would post it: without the token field, as a plain form post
    // (`submit()` bypasses htmx, which would add the token header).
    browser
        .client
        .execute(
            "const form = document.querySelector('form[action$=\"/cancel\"]');
             form.querySelector('input[name=_csrf]').remove();
             form.submit();",
            vec![],
        )
        .await
        .unwrap();
    browser.heading("Not allowed").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = api(server, &format!("/api/v1/appointments/{id}")).await;
    assert_eq!(still["status"], "booked", "the refused form changed nothing");
}

async fn logging_out_ends_the_session(browser: &Browser, server: &TestServer) {
    browser.open("/admin/day").await;
    let cookie = browser.client.get_named_cookie("frontdesk_session").await.expect("session cookie");
    let cookie = cookie.value().to_owned();
    browser.click("#logout").await;
    browser.wait("#email").await;
    browser.open("/admin/day").await;
    browser.at("/admin/login").await;
    // The old cookie is worthless: the session ended on the server.
    let response = server
        .client
        .get(format!("{}/admin/day", server.url))
        .header("cookie", format!("frontdesk_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert!(response.url().path().starts_with("/admin/login"), "redirected to the login page");
}
