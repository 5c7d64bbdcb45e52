use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use frontdesk_store::test_support::TestDb;

use super::{frontdesk, text};

#[test]
fn serve_refuses_to_start_without_a_retell_key() {
    let db = TestDb::sqlite();
    let out = frontdesk(&db.url, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(stderr.contains("no Retell API key"), "{stderr}");
    assert!(stderr.contains("--demo"), "{stderr}");
}

#[tokio::test]
async fn serve_demo_imports_prints_the_credentials_and_stops_on_sigterm() {
    let db = TestDb::sqlite();
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("FRONTDESK_DATABASE_URL", &db.url)
        .env_remove("FRONTDESK_RETELL_API_KEY")
        .env_remove("FRONTDESK_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let url = loop {
        let line = lines.next().expect("serve exited early").unwrap();
        printed.push(line.clone());
        if let Some(url) = line.trim().strip_prefix("Listening on") {
            break url.trim().to_owned();
        }
    };
    let printed = printed.join("\n");
    assert!(printed.contains("imported the demo tenants (Friseur 1, Bright Smile Dental)"), "{printed}");
    assert!(printed.contains("Retell API key: demo-retell-key"), "{printed}");
    assert!(printed.contains("Admin token:    demo-admin-token"), "{printed}");

    let client = frontdesk_server::test_support::http_client();
    let ready: serde_json::Value = client.get(format!("{url}/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let metrics = client.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("frontdesk_http_requests_total"), "{metrics}");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(waited < Duration::from_secs(10), "serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}
