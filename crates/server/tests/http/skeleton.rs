use frontdesk_server::test_support::TestServer;
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::Value;

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(None)).await
}

async fn health_readiness_and_metrics(db: TestDb) {
    let kind = db.kind.to_string();
    let server = start(db).await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], kind);

    let metrics = server.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains(r#"frontdesk_http_requests_total{method="GET",route="/readyz",status="200"}"#), "{text}");
    assert!(text.contains("frontdesk_http_request_duration_seconds_bucket"), "{text}");
    server.stop().await;
}

async fn errors_are_json(db: TestDb) {
    let server = start(db).await;
    let cases = [
        (server.get("/no/such/path").await, 404, "not_found"),
        (server.client.post(format!("{}/healthz", server.url)).send().await.unwrap(), 405, "method_not_allowed"),
        (
            server
                .client
                .post(format!("{}/healthz", server.url))
                .body(vec![b'x'; 1024 * 1024 + 1])
                .send()
                .await
                .unwrap(),
            413,
            "payload_too_large",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    server.stop().await;
}

async fn the_directory_follows_imports_while_serving(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.directory_refresh = std::time::Duration::from_millis(50);
    let server = TestServer::start(db, settings).await;
    let running = server.server.as_ref().unwrap();
    let before = running.state.directory().version();
    let changed = frontdesk_domain::tenant_file::DEMO_TENANTS.replace("Friseur 1 Zentrale", "Friseur 1 Mitte");
    let spec = frontdesk_domain::tenant_file::parse(&changed).unwrap();
    running.state.store().import_tenants(&spec, jiff::Timestamp::now()).await.unwrap();
    let mut waited = 0;
    while running.state.directory().version() == before {
        assert!(waited < 100, "the directory was not refreshed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        waited += 1;
    }
    let dir = running.state.directory();
    assert_eq!(dir.company_by_key("friseur1").unwrap().branches[0].def.name, "Friseur 1 Mitte");
    server.stop().await;
}

backend_tests!(health_readiness_and_metrics, errors_are_json, the_directory_follows_imports_while_serving);
