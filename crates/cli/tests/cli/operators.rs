//! The operator commands against data a real server process recorded.

use frontdesk_store::test_support::TestDb;
use serde_json::{Value, json};

use super::process::ServerProcess;
use super::{frontdesk, text};

const KEY: &str = "operator-test-key";

async fn signed(client: &reqwest::Client, url: &str, body: &Value) -> u16 {
    let bytes = serde_json::to_vec(body).unwrap();
    let signature = frontdesk_retell::signature::sign(KEY, &bytes, jiff::Timestamp::now().as_millisecond());
    client.post(url).header("x-retell-signature", signature).body(bytes).send().await.unwrap().status().as_u16()
}

#[test]
fn retell_tools_prints_every_function() {
    let out = frontdesk("sqlite::memory:", &["retell", "tools", "--base-url", "https://frontdesk.example.com"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let tools: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tools = tools.as_array().unwrap();
    assert_eq!(tools.len(), 12);
    assert!(
        tools.iter().all(|t| t["url"].as_str().unwrap().starts_with("https://frontdesk.example.com/retell/functions/"))
    );
    let book = tools.iter().find(|t| t["name"] == "book_appointment").unwrap();
    assert_eq!(
        (book["speak_during_execution"].as_bool(), book["speak_after_execution"].as_bool()),
        (Some(true), Some(true))
    );
}

#[tokio::test]
async fn calls_and_webhooks_can_be_inspected_and_replayed() {
    let db = TestDb::sqlite();
    let server = ServerProcess::spawn(&db.url, &["--demo", "--retell-api-key", KEY]);
    let client = frontdesk_server::test_support::http_client();
    let call = json!({"call_id": "call_cli_1", "call_status": "ongoing", "from_number": "+491604366218", "to_number": "+493033081738"});
    let function = json!({"name": "list_services", "args": {}, "call": call});
    assert_eq!(signed(&client, &format!("{}/retell/functions", server.url), &function).await, 200);
    let webhook = json!({"event": "call_started", "call": call});
    assert_eq!(signed(&client, &format!("{}/webhooks/retell", server.url), &webhook).await, 204);
    let broken = json!({"event": "call_ended", "call": {"no_id": true}});
    assert_eq!(signed(&client, &format!("{}/webhooks/retell", server.url), &broken).await, 204);
    assert!(server.terminate().await.success());

    let list = frontdesk(&db.url, &["calls", "list"]);
    let (stdout, stderr) = text(&list);
    assert!(list.status.success(), "{stderr}");
    assert!(stdout.contains("call_cli_1") && stdout.contains("ongoing") && stdout.contains("friseur1"), "{stdout}");
    assert!(stdout.contains("+491******218"), "numbers are masked in lists: {stdout}");
    let stale = frontdesk(&db.url, &["calls", "list", "--stale", "--reconcile-after", "0s"]);
    assert!(text(&stale).0.contains("call_cli_1"));
    let fresh = frontdesk(&db.url, &["calls", "list", "--stale", "--reconcile-after", "1h"]);
    assert!(text(&fresh).0.contains("(no calls)"), "{}", text(&fresh).0);

    let show = frontdesk(&db.url, &["calls", "show", "call_cli_1"]);
    let (stdout, _) = text(&show);
    assert!(show.status.success());
    for expected in [
        "Friseur 1 (friseur1)",
        "webhook events (1)",
        "call_started",
        "function calls (1)",
        "list_services",
        "\"status\":\"ok\"",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in:\n{stdout}");
    }
    assert!(!frontdesk(&db.url, &["calls", "show", "call_nope"]).status.success());

    let failed = frontdesk(&db.url, &["webhooks", "list", "--status", "failed"]);
    let (stdout, _) = text(&failed);
    assert!(stdout.contains("call_ended") && stdout.contains("no `call` object"), "{stdout}");
    let id = stdout.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let replay = frontdesk(&db.url, &["webhooks", "replay", &id]);
    assert!(!replay.status.success(), "a broken event stays failed");
    assert!(text(&replay).0.contains("failed"));
    let all = frontdesk(&db.url, &["webhooks", "list", "--provider", "retell"]);
    let processed_id = text(&all)
        .0
        .lines()
        .find(|l| l.contains("call_started"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let replay = frontdesk(&db.url, &["webhooks", "replay", &processed_id]);
    assert!(replay.status.success(), "{:?}", text(&replay));
    assert!(text(&replay).0.contains("processed"));
}

#[tokio::test]
async fn outbox_jobs_can_be_listed_and_retried() {
    use frontdesk_domain::records::OutboxKind;
    use frontdesk_store::model::{JobClaim, JobOutcome, NewAppointment, NewCustomer, NewOutboxJob};

    let db = TestDb::sqlite();
    let store = db.open().await;
    let now = jiff::Timestamp::now();
    store
        .import_tenants(
            &frontdesk_domain::tenant_file::parse(frontdesk_domain::tenant_file::DEMO_TENANTS).unwrap(),
            now,
        )
        .await
        .unwrap();
    let dir = store.load_directory().await.unwrap();
    let f = dir.company_by_key("friseur1").unwrap();
    let start = now + jiff::SignedDuration::from_hours(48);
    let slot =
        frontdesk_domain::availability::Engine::new(f, &f.branches[0], &f.services[0], now).slot(start, f.staff[0].id);
    let mut tx = store.begin().await.unwrap();
    let customer = tx.upsert_customer(f.company.id, &NewCustomer::default(), now).await.unwrap();
    let appointment = tx
        .book(&NewAppointment {
            company_id: f.company.id,
            branch_id: f.branches[0].id,
            service_id: f.services[0].id,
            customer_id: customer.id,
            slot: &slot,
            source: frontdesk_domain::records::AppointmentSource::Admin,
            call_id: None,
            notes: None,
            at: now,
        })
        .await
        .unwrap()
        .unwrap();
    let job = NewOutboxJob {
        company_id: f.company.id,
        appointment_id: appointment.id,
        kind: OutboxKind::CalcomCreate,
        payload: json!({}),
        at: now,
    };
    let id = tx.enqueue_outbox(&job).await.unwrap();
    tx.commit().await.unwrap();
    let claim = JobClaim {
        owner: "test",
        now,
        lease_until: now + jiff::SignedDuration::from_mins(1),
        limit: 1,
        skip_companies: &[],
    };
    assert_eq!(store.claim_jobs(&claim).await.unwrap().len(), 1);
    store.finish_job(id, "test", &JobOutcome::Failed { error: "Cal.com refused the time".into() }, now).await.unwrap();
    store.close().await;

    let list = frontdesk(&db.url, &["outbox", "list", "--status", "failed"]);
    let (stdout, stderr) = text(&list);
    assert!(list.status.success(), "{stderr}");
    assert!(stdout.contains("calcom_create") && stdout.contains("Cal.com refused the time"), "{stdout}");
    assert!(stdout.contains("0 pending, 0 running, 0 done, 1 failed"), "{stdout}");
    let retry = frontdesk(&db.url, &["outbox", "retry", &id.to_string()]);
    assert!(retry.status.success(), "{:?}", text(&retry));
    assert!(text(&frontdesk(&db.url, &["outbox", "list"])).0.contains("1 pending"));
    assert!(!frontdesk(&db.url, &["outbox", "retry", &id.to_string()]).status.success(), "no longer failed");
}

/// Accounts from the command line: a user with a password from standard input logs in; a
/// generated one is printed once; a token works until revoked; each change is audited as `cli`.
#[tokio::test]
async fn users_and_tokens_are_managed_from_the_command_line() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let db = TestDb::sqlite();
    assert!(frontdesk(&db.url, &["migrate"]).status.success());
    let demo = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(demo.path(), frontdesk_domain::tenant_file::DEMO_TENANTS).unwrap();
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());

    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args([
            "--database-url",
            &db.url,
            "users",
            "add",
            "owner@friseur1.example",
            "--role",
            "owner",
            "--company",
            "friseur1",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"correct horse battery\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains("correct horse"), "a chosen password is never printed");

    let generated =
        frontdesk(&db.url, &["users", "add", "staff@friseur1.example", "--role", "staff", "--company", "friseur1"]);
    let (stdout, stderr) = text(&generated);
    assert!(generated.status.success(), "{stderr}");
    let password = stdout.lines().find_map(|l| l.strip_prefix("password (shown once): ")).unwrap().to_owned();
    let refused =
        frontdesk(&db.url, &["users", "add", "x@example.com", "--role", "platform_admin", "--company", "friseur1"]);
    assert!(!refused.status.success(), "a platform admin has no company");

    let made = frontdesk(&db.url, &["tokens", "create", "--name", "sync", "--role", "staff", "--company", "friseur1"]);
    let (stdout, stderr) = text(&made);
    assert!(made.status.success(), "{stderr}");
    let token = stdout.lines().find_map(|l| l.strip_prefix("token (shown once): ")).unwrap().to_owned();

    let server = ServerProcess::spawn(&db.url, &["--retell-api-key", KEY, "--admin-token", "t"]);
    let client = frontdesk_server::test_support::http_client();
    let login = |email: &'static str, password: String| {
        client
            .post(format!("{}/api/v1/auth/login", server.url))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    assert_eq!(login("owner@friseur1.example", "correct horse battery".into()).await.unwrap().status(), 200);
    assert_eq!(login("staff@friseur1.example", password.clone()).await.unwrap().status(), 200);
    let me = client.get(format!("{}/api/v1/me", server.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);

    let listed = frontdesk(&db.url, &["tokens", "list"]);
    let (stdout, _) = text(&listed);
    assert!(stdout.contains("sync") && !stdout.contains(&token[16..]), "listed without its secret: {stdout}");
    let id = stdout.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    assert!(frontdesk(&db.url, &["tokens", "revoke", &id]).status.success());
    let me = client.get(format!("{}/api/v1/me", server.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 401, "revoked");
    assert!(frontdesk(&db.url, &["users", "disable", "staff@friseur1.example"]).status.success());
    assert_eq!(login("staff@friseur1.example", password).await.unwrap().status(), 401);
    let users = frontdesk(&db.url, &["users", "list", "--company", "friseur1"]);
    let (stdout, _) = text(&users);
    assert!(stdout.contains("staff@friseur1.example") && stdout.contains("disabled"), "{stdout}");

    let audit = client.get(format!("{}/api/v1/audit?actor=cli", server.url)).bearer_auth("t").send().await.unwrap();
    let audit: Value = audit.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.disable", "token.revoke", "token.create", "user.create", "user.create"]);
    assert!(server.terminate().await.success());
}
