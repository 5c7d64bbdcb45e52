use frontdesk_store::test_support::TestDb;

use super::process::ServerProcess;
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
    let server = ServerProcess::spawn(&db.url, &["--demo"]);
    let printed = &server.banner;
    assert!(printed.contains("imported the demo tenants (Friseur 1, Bright Smile Dental)"), "{printed}");
    assert!(printed.contains("Retell API key: demo-retell-key"), "{printed}");
    assert!(printed.contains("Admin token:    demo-admin-token"), "{printed}");

    let client = frontdesk_server::test_support::http_client();
    let url = &server.url;
    let ready: serde_json::Value = client.get(format!("{url}/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let metrics = client.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("frontdesk_http_requests_total"), "{metrics}");
    let companies = client.get(format!("{url}/api/v1/companies")).bearer_auth("demo-admin-token").send().await.unwrap();
    assert_eq!(companies.status(), 200);

    let status = server.terminate().await;
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}
