//! A real server for tests: a fresh database, the demo tenants, a random port, real HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_domain::time::ShiftedClock;
use frontdesk_store::test_support::TestDb;
use jiff::Timestamp;

use crate::{RunningServer, Settings};

/// The Retell key test servers accept.
pub const RETELL_KEY: &str = "test-retell-key";
/// The admin token test servers accept.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// An HTTP client for tests (installs the process's TLS crypto provider first).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A server on a random port over a fresh database holding the demo tenants.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The running server.
    pub server: Option<RunningServer>,
    /// The database (dropped last).
    pub db: TestDb,
}

impl TestServer {
    /// Settings for a test server: random port, test keys, and a business clock starting at
    /// `clock_start` if given.
    pub fn settings(clock_start: Option<Timestamp>) -> Settings {
        let mut settings = Settings::new(
            "127.0.0.1:0".parse().expect("literal address"),
            vec![RETELL_KEY.to_owned()],
            Some(ADMIN_TOKEN.to_owned()),
        );
        if let Some(start) = clock_start {
            settings.clock = Arc::new(ShiftedClock::starting_at(start));
        }
        settings
    }

    /// Starts a server on `db` with the demo tenants imported.
    pub async fn start(db: TestDb, settings: Settings) -> TestServer {
        let store = db.open().await;
        let spec = tenant_file::parse(DEMO_TENANTS).expect("demo tenants parse");
        store.import_tenants(&spec, Timestamp::now()).await.expect("import demo tenants");
        let server = RunningServer::start(store, settings).await.expect("start server");
        let addr = server.addr;
        TestServer { url: format!("http://{addr}"), addr, client: http_client(), server: Some(server), db }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).send().await.expect("request")
    }

    /// GET a path with the admin token.
    pub async fn admin_get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).bearer_auth(ADMIN_TOKEN).send().await.expect("request")
    }

    /// Shuts the server down gracefully.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown");
        }
    }
}
