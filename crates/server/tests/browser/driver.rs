//! Starting chromedriver and a headless Chromium, and the few steps every journey takes.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A browser session; chromedriver is stopped when it is dropped.
pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    screenshots: Option<PathBuf>,
}

fn chromedriver() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("FRONTDESK_CHROMEDRIVER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("chromedriver")).find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Browser {
    /// A headless Chromium at `base`, or `None` (with a note) when there is no chromedriver.
    pub async fn start(base: &str) -> Option<Browser> {
        let Some(binary) = chromedriver() else {
            if std::env::var("FRONTDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!(
                    "FRONTDESK_REQUIRE_BROWSER=1 but there is no chromedriver on PATH (apt install chromium-driver)"
                );
            }
            eprintln!(
                "note: no chromedriver on PATH; skipping the browser tests (apt install chromium chromium-driver)"
            );
            return None;
        };
        let port = free_port();
        let driver = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let mut caps = serde_json::Map::new();
        let mut chrome = json!({"args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1400,1000", "--lang=de-DE", "--force-device-scale-factor=1",
        ]});
        if let Ok(bin) = std::env::var("FRONTDESK_CHROMIUM") {
            chrome["binary"] = json!(bin);
        }
        caps.insert("goog:chromeOptions".to_owned(), chrome);
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let screenshots = std::env::var_os("FRONTDESK_SCREENSHOTS").map(PathBuf::from);
                    return Some(Browser { client, base: base.to_owned(), driver, screenshots });
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start a session: {last:?}");
    }

    /// Opens a dashboard path.
    pub async fn open(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Waits for an element.
    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                let source = self.client.source().await.unwrap_or_default();
                panic!("waiting for `{css}`: {e}; the page is:\n{source}")
            }
        }
    }

    /// The text of an element.
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
    }

    /// Types into a field (replacing what is there).
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.wait(css).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    /// Clicks an element.
    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Waits until the page's main heading contains `text`.
    pub async fn heading(&self, text: &str) {
        for _ in 0..200 {
            if let Ok(h) = self.client.find(Locator::Css("h1")).await
                && h.text().await.is_ok_and(|t| t.contains(text))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let source = self.client.source().await.unwrap_or_default();
        panic!("no heading with `{text}`; the page is:\n{source}");
    }

    /// Waits until an element's text contains `text` (a page replaced by htmx may still show the
    /// previous one for a moment).
    pub async fn wait_text(&self, css: &str, text: &str) {
        for _ in 0..200 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && e.text().await.is_ok_and(|t| t.contains(text))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let source = self.client.source().await.unwrap_or_default();
        panic!("`{css}` never said `{text}`; the page is:\n{source}");
    }

    /// Waits until the URL's path is `path` (and the page is loaded).
    pub async fn at(&self, path: &str) {
        for _ in 0..200 {
            if self.client.current_url().await.is_ok_and(|u| u.path() == path) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {path}; at {:?}", self.client.current_url().await.ok());
    }

    /// Saves a screenshot named `name` when screenshots are asked for.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = &self.screenshots else { return };
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Ends the session.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
