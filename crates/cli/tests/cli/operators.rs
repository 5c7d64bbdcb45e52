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
