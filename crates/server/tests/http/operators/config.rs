//! Configuration as code: export, edit, apply; secrets write-only; `*_env` refused; base URLs
//! the platform's to change.

use frontdesk_server::test_support::TestServer;
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::Method;
use serde_json::Value;

use super::{Auth, get, start, token};

async fn config(server: &TestServer, auth: &Auth, key: &str) -> (u16, String) {
    let mut request = server.client.get(format!("{}/api/v1/companies/{key}/config", server.url));
    if let Auth::Bearer(t) = auth {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn put(server: &TestServer, auth: &Auth, key: &str, text: &str) -> (u16, Value) {
    let mut request = server.client.request(Method::PUT, format!("{}/api/v1/companies/{key}/config", server.url));
    if let Auth::Bearer(t) = auth {
        request = request.bearer_auth(t);
    }
    let response = request.header("content-type", "application/toml").body(text.to_owned()).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn a_config_round_trip_changes_nothing(db: TestDb) {
    let server = start(db).await;
    let owner = token(&server, "owner", Some("friseur1")).await;
    let (status, text) = config(&server, &owner, "friseur1").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("key = \"friseur1\"") && text.contains("herrenhaarschnitt"), "{text}");
    let (status, applied) = put(&server, &owner, "friseur1", &text).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["changed_rows"], 0, "exporting and applying changes nothing: {applied}");
    let (_, again) = config(&server, &owner, "friseur1").await;
    assert_eq!(again, text);

    // An edit applies; the audit log keeps before and after.
    let edited = text.replace("name = \"Friseur 1\"", "name = \"Friseur Eins\"");
    assert_ne!(edited, text);
    let (status, applied) = put(&server, &owner, "friseur1", &edited).await;
    assert_eq!((status, applied["changed_rows"].as_u64().unwrap() > 0), (200, true), "{applied}");
    let (_, companies) = get(&server, &owner, "/api/v1/companies").await;
    assert_eq!(companies["items"][0]["name"], "Friseur Eins", "the directory shows it at once");
    let (_, audit) = get(&server, &owner, "/api/v1/audit?action=company.config").await;
    assert!(audit["items"][0]["before"]["config"].as_str().unwrap().contains("Friseur 1"));

    // Invalid content: every problem named, nothing applied.
    let broken = edited.replace("minimum_notice = 60", "minimum_notice = -5");
    let (status, refused) = put(&server, &owner, "friseur1", &broken).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"].as_str().unwrap().ends_with("minimum_notice"))
    );
    // Not this company's file, another company, staff: refused.
    let (status, _) = put(&server, &owner, "friseur1", &edited.replace("key = \"friseur1\"", "key = \"other\"")).await;
    assert_eq!(status, 422);
    assert_eq!(config(&server, &owner, "brightsmile").await.0, 404);
    assert_eq!(put(&server, &owner, "brightsmile", &text).await.0, 404);
    let staff = token(&server, "staff", Some("friseur1")).await;
    assert_eq!(config(&server, &staff, "friseur1").await.0, 403);
    server.stop().await;
}

async fn secrets_are_write_only_and_never_from_the_environment(db: TestDb) {
    let server = start(db).await;
    let (_, text) = config(&server, &Auth::admin(), "friseur1").await;
    let with_calcom = format!(
        "{text}\n[company.calcom]\nbase_url = \"https://cal.example.com/v2\"\napi_key = \"cal_live_secret\"\nwebhook_secret = \"whsec_secret\"\n\n[company.calcom.event_types]\nherrenhaarschnitt = 1001\n"
    );
    let (status, applied) = put(&server, &Auth::admin(), "friseur1", &with_calcom).await;
    assert_eq!(status, 200, "{applied}");
    let owner = token(&server, "owner", Some("friseur1")).await;
    let (_, audit) = get(&server, &Auth::admin(), "/api/v1/audit?action=company.config").await;
    let logged = audit.to_string();
    assert!(
        logged.contains("cal.example.com") && !logged.contains("cal_live_secret") && !logged.contains("whsec_secret"),
        "{logged}"
    );
    let (_, exported) = config(&server, &owner, "friseur1").await;
    assert!(!exported.contains("cal_live_secret") && !exported.contains("whsec_secret"), "{exported}");
    assert!(
        exported.contains("https://cal.example.com/v2") && exported.contains("herrenhaarschnitt = 1001"),
        "{exported}"
    );
    // Applied again without secrets: the stored ones are kept.
    let (status, applied) = put(&server, &owner, "friseur1", &exported).await;
    assert_eq!((status, applied["changed_rows"].as_u64()), (200, Some(0)), "{applied}");
    // `*_env` would read the server's environment: refused, also for the platform.
    let env = exported.replace("[company.calcom]\n", "[company.calcom]\napi_key_env = \"HOME\"\n");
    assert_ne!(env, exported);
    let (status, refused) = put(&server, &Auth::admin(), "friseur1", &env).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "company[0].calcom.api_key_env");
    // Only the platform points the integration elsewhere.
    let elsewhere = exported.replace("https://cal.example.com/v2", "https://attacker.example/v2");
    assert_eq!(put(&server, &owner, "friseur1", &elsewhere).await.0, 403);
    assert_eq!(put(&server, &Auth::admin(), "friseur1", &elsewhere).await.0, 200);
    server.stop().await;
}

backend_tests!(a_config_round_trip_changes_nothing, secrets_are_write_only_and_never_from_the_environment);
