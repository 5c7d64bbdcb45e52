//! The OpenAPI document: OpenAPI 3.1, every documented operation is served (and every route is
//! documented by construction: routes are registered only with their description), and, where
//! the tools are installed (CI installs them), it validates and a property-based tester driven by
//! it finds no 5xx and no answer that contradicts it.

use std::path::PathBuf;
use std::process::Command;

use frontdesk_server::test_support::{ADMIN_TOKEN, TestServer};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use reqwest::Method;
use serde_json::Value;

async fn document(server: &TestServer) -> Value {
    let response = server.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200, "served without credentials");
    response.json().await.unwrap()
}

async fn every_documented_operation_is_served(db: TestDb) {
    let server = TestServer::start(db, TestServer::settings(None)).await;
    let doc = document(&server).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{}", paths.len());
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "1").replace("{call_id}", "call_x").replace("{key}", "friseur1");
            let method: Method = method.to_uppercase().parse().unwrap();
            let response =
                server.client.request(method.clone(), format!("{}{concrete}", server.url)).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert!(status != 405, "{method} {path} is documented but not routed");
            assert!(
                !(status == 404 && body["error"]["message"].as_str().is_some_and(|m| m.starts_with("no endpoint"))),
                "{method} {path} is documented but not routed"
            );
            if path != "/api/v1/auth/login" {
                assert_eq!(status, 401, "{method} {path} needs credentials");
            }
        }
    }
    // Examples are part of the document.
    assert!(doc.to_string().contains("\"example"), "the document carries examples");
    server.stop().await;
}

/// The tools' directory (a Python virtual environment's `bin`), when installed.
fn tools() -> Option<PathBuf> {
    match std::env::var_os("FRONTDESK_SCHEMATHESIS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var("FRONTDESK_REQUIRE_SCHEMATHESIS").as_deref() == Ok("1") => {
            panic!("FRONTDESK_REQUIRE_SCHEMATHESIS=1 but FRONTDESK_SCHEMATHESIS (the tools' bin directory) is not set")
        }
        None => {
            eprintln!("note: FRONTDESK_SCHEMATHESIS is not set; the OpenAPI document is not fuzzed");
            None
        }
    }
}

/// One run (on SQLite): the document does not depend on the backend, and two runs at once would
/// share the tester's state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_property_based_tester_finds_nothing() {
    let Some(bin) = tools() else { return };
    let server = TestServer::start(TestDb::sqlite(), TestServer::settings(None)).await;
    let doc = document(&server).await;
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&doc).unwrap()).unwrap();
    let valid = Command::new(bin.join("openapi-spec-validator")).arg(file.path()).output().unwrap();
    assert!(valid.status.success(), "the document is not valid OpenAPI: {}", String::from_utf8_lossy(&valid.stdout));

    let url = format!("{}/api/v1/openapi.json", server.url);
    let seconds = std::env::var("FRONTDESK_SCHEMATHESIS_SECONDS").unwrap_or_else(|_| "60".to_owned());
    let bin_dir = bin.clone();
    // The tester keeps state (its example database) in its working directory: a scratch one.
    let scratch = tempfile::tempdir().unwrap();
    let cwd = scratch.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(bin_dir.join("st"))
            .current_dir(cwd)
            .args(["run", &url, "--header", &format!("Authorization: Bearer {ADMIN_TOKEN}")])
            .args([
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
            ])
            // The tenant file (TOML) cannot be generated from a schema; its endpoint has its own tests.
            .args(["--exclude-method", "PUT"])
            // Not the coverage phase: its generator trips over a Hypothesis bug on this Python
            // (`AST constructor recursion depth mismatch`), a tool error, not a finding.
            .args(["--phases", "examples,fuzzing", "--max-examples", "25", "--workers", "2"])
            .args(["--max-time", &seconds, "--seed", "1"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    server.stop().await;
}

backend_tests!(every_documented_operation_is_served);
