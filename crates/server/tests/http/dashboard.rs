//! The dashboard over plain HTTP on both backends: the login form's own CSRF secret, where a
//! login may lead, roles and scope on pages and forms, the company switcher, the language,
//! caching and security headers. The browser journeys are in `tests/browser`.

use frontdesk_server::test_support::{ADMIN_TOKEN, TestServer};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

/// A client that does not follow redirects (their targets are what is checked).
fn client() -> reqwest::Client {
    frontdesk_server::test_support::http_client();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn start(db: TestDb) -> TestServer {
    let mut settings = TestServer::settings(Some("2026-03-10T06:00:00Z".parse().unwrap()));
    settings.secure_cookies = false;
    TestServer::start(db, settings).await
}

async fn admin_post(server: &TestServer, path: &str, body: Value) -> Value {
    let response =
        server.client.post(format!("{}{path}", server.url)).bearer_auth(ADMIN_TOKEN).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

async fn add_user(server: &TestServer, email: &str, role: &str, company: Option<&str>) {
    admin_post(
        server,
        "/api/v1/users",
        json!({"email": email, "role": role, "company": company, "password": PASSWORD}),
    )
    .await;
}

/// A form body, as a browser encodes it.
fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .next()
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form token") + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// A logged-in browser: the session cookie and the form token of its pages.
struct Session {
    cookie: String,
    csrf: String,
}

async fn log_in(server: &TestServer, email: &str, next: &str) -> (Session, String) {
    let c = client();
    let page = c.get(format!("{}/admin/login", server.url)).send().await.unwrap();
    let login_cookie = cookie_value(&page, "frontdesk_login").expect("the login page's secret");
    let token = csrf_of(&page.text().await.unwrap());
    let response = c
        .post(format!("{}/admin/login", server.url))
        .header("cookie", format!("frontdesk_login={login_cookie}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("_csrf", token.as_str()), ("email", email), ("password", PASSWORD), ("next", next)]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "logged in");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let cookie = cookie_value(&response, "frontdesk_session").expect("a session");
    let set = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let day = get(server, &cookie, "/admin/day").await;
    let csrf = csrf_of(&day.text().await.unwrap());
    (Session { cookie, csrf }, location)
}

async fn get(server: &TestServer, cookie: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.url))
        .header("cookie", format!("frontdesk_session={cookie}"))
        .send()
        .await
        .unwrap()
}

async fn post(server: &TestServer, session: &Session, path: &str, values: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = vec![("_csrf", session.csrf.as_str())];
    fields.extend_from_slice(values);
    client()
        .post(format!("{}{path}", server.url))
        .header("cookie", format!("frontdesk_session={}", session.cookie))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&fields))
        .send()
        .await
        .unwrap()
}

async fn the_login_form_needs_its_own_secret_and_leads_only_into_the_dashboard(db: TestDb) {
    let server = start(db).await;
    add_user(&server, "owner@salon.example", "owner", Some("friseur1")).await;
    // Another site's form: no login-page secret, so no token either.
    let forged = client()
        .post(format!("{}/admin/login", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", "owner@salon.example"), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(cookie_value(&forged, "frontdesk_session").is_none(), "no session from a forged login");
    // Where a login leads: a dashboard path, never another site.
    let (_, location) = log_in(&server, "owner@salon.example", "/admin/calls").await;
    assert_eq!(location, "/admin/calls");
    for evil in ["https://evil.example/", "//evil.example/admin", "/api/v1/me", "/admin\\@evil.example"] {
        let (_, location) = log_in(&server, "owner@salon.example", evil).await;
        assert_eq!(location, "/admin", "next={evil}");
    }
    // Not logged in: to the login page, and back afterwards.
    let response = client().get(format!("{}/admin/customers?q=M%C3%BCller", server.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/admin/login?next=%2Fadmin%2Fcustomers%3Fq%3DM%25C3%25BCller");
    server.stop().await;
}

async fn roles_and_scope_hold_on_pages_and_forms(db: TestDb) {
    let server = start(db).await;
    add_user(&server, "staff@salon.example", "staff", Some("friseur1")).await;
    let dental = admin_post(
        &server,
        "/api/v1/appointments",
        json!({"company": "brightsmile", "service": "checkup", "start": "2026-03-11T10:00",
               "customer": {"name": "Dana Dental", "phone": "+12125550123"}}),
    )
    .await;
    let (id, customer) = (dental["id"].as_i64().unwrap(), dental["customer_id"].as_i64().unwrap());
    let (staff, _) = log_in(&server, "staff@salon.example", "/admin").await;
    // Staff work the calendar but do not manage accounts.
    assert_eq!(get(&server, &staff.cookie, "/admin/settings").await.status(), StatusCode::FORBIDDEN);
    let refused = post(&server, &staff, "/admin/settings/tokens", &[("name", "mine")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // Another company's things are not found, to read or to change.
    for path in [format!("/admin/appointments/{id}"), format!("/admin/customers/{customer}")] {
        assert_eq!(get(&server, &staff.cookie, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let cancel = post(&server, &staff, &format!("/admin/appointments/{id}/cancel"), &[("reason", "x")]).await;
    assert_eq!(cancel.status(), StatusCode::NOT_FOUND);
    let edit = post(&server, &staff, &format!("/admin/customers/{customer}"), &[("name", "Hijacked")]).await;
    assert_eq!(edit.status(), StatusCode::NOT_FOUND);
    let after = server.admin_get(&format!("/api/v1/appointments/{id}")).await.json::<Value>().await.unwrap();
    assert_eq!(after["status"], "booked");
    let after = server.admin_get(&format!("/api/v1/customers/{customer}")).await.json::<Value>().await.unwrap();
    assert_eq!(after["name"], "Dana Dental");
    // A company user cannot switch to another company.
    let switched = post(&server, &staff, "/admin/company", &[("company", "brightsmile")]).await;
    assert_eq!(switched.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

async fn an_appointment_page_lists_its_messages(db: TestDb) {
    let server = start(db).await;
    add_user(&server, "desk@salon.example", "staff", Some("friseur1")).await;
    let booked = admin_post(
        &server,
        "/api/v1/appointments",
        json!({"company": "friseur1", "service": "herrenhaarschnitt", "start": "2026-03-12T10:00",
               "customer": {"name": "Mia Mail", "phone": "+4930111222", "email": "mia@example.com"}}),
    )
    .await;
    let id = booked["id"].as_i64().unwrap();
    let (desk, _) = log_in(&server, "desk@salon.example", "/admin").await;
    let page = get(&server, &desk.cookie, &format!("/admin/appointments/{id}")).await.text().await.unwrap();
    let messages = page.split("id=\"appointment-messages\"").nth(1).expect("a list of messages");
    assert!(messages.contains("Bestätigung") && messages.contains("mia@example.com"), "{messages}");
    assert!(messages.contains("Erinnerung"), "the reminder waits for its day: {messages}");
    server.stop().await;
}

async fn a_platform_admin_switches_company_and_users_choose_their_language(db: TestDb) {
    let server = start(db).await;
    add_user(&server, "admin@platform.example", "platform_admin", None).await;
    let (admin, _) = log_in(&server, "admin@platform.example", "/admin").await;
    let day = get(&server, &admin.cookie, "/admin/day").await.text().await.unwrap();
    assert!(day.contains("<option value=\"brightsmile\""), "a switcher");
    assert!(day.contains("Anna Schmidt"), "the first company's staff");
    let switched = post(&server, &admin, "/admin/company", &[("company", "brightsmile")]).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let chosen = cookie_value(&switched, "frontdesk_company").expect("the choice is kept");
    let day = client()
        .get(format!("{}/admin/day", server.url))
        .header("cookie", format!("frontdesk_session={}; frontdesk_company={chosen}", admin.cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(day.contains("<html lang=\"en\">"), "Bright Smile's language");
    assert!(!day.contains("Anna Schmidt"), "not the salon's staff");
    // The salon speaks German; the admin prefers English there.
    assert!(get(&server, &admin.cookie, "/admin/day").await.text().await.unwrap().contains("<html lang=\"de\">"));
    let chose = post(&server, &admin, "/admin/language", &[("language", "en"), ("back", "/admin/calls")]).await;
    assert_eq!(chose.headers()["location"], "/admin/calls");
    let calls = get(&server, &admin.cookie, "/admin/calls").await.text().await.unwrap();
    assert!(calls.contains("<html lang=\"en\">") && calls.contains(">Calls<"), "English from now on");
    server.stop().await;
}

async fn assets_are_cached_for_good_and_pages_not_at_all(db: TestDb) {
    let server = start(db).await;
    add_user(&server, "owner@salon.example", "owner", Some("friseur1")).await;
    let (owner, _) = log_in(&server, "owner@salon.example", "/admin").await;
    let page = get(&server, &owner.cookie, "/admin/day").await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    for prefix in ["/admin/assets/app.", "/admin/assets/htmx."] {
        let at = html.find(prefix).expect("an asset link");
        let url = html[at..].split('"').next().unwrap();
        let asset = client().get(format!("{}{url}", server.url)).send().await.unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{url}");
        assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
    }
    let stale = client().get(format!("{}/admin/assets/app.0000000000.css", server.url)).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND, "only the current version exists");
    server.stop().await;
}

backend_tests!(
    an_appointment_page_lists_its_messages,
    the_login_form_needs_its_own_secret_and_leads_only_into_the_dashboard,
    roles_and_scope_hold_on_pages_and_forms,
    a_platform_admin_switches_company_and_users_choose_their_language,
    assets_are_cached_for_good_and_pages_not_at_all,
);
