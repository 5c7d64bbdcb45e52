//! HTTP as Retell speaks it: signed webhooks and function calls, timed per kind.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use frontdesk_retell::signature::sign;
use jiff::Timestamp;
use serde_json::Value;

use crate::stats::Samples;

/// The latency kind of how late the generator sent each request (open loop).
pub const GENERATOR_LATENESS: &str = "generator: send lateness";

/// Sends requests to one or more servers (calls are spread over them) and times them.
pub struct Sender {
    http: reqwest::Client,
    urls: Vec<String>,
    key: String,
    admin_token: String,
    next: AtomicUsize,
}

/// A failed request (no answer, or a 5xx).
#[derive(Debug, thiserror::Error)]
#[error("{what}: {detail}")]
pub struct SendError {
    /// What was sent.
    pub what: String,
    /// What happened.
    pub detail: String,
}

impl Sender {
    /// A sender for `urls`, signing with `key`.
    pub fn new(urls: Vec<String>, key: &str, admin_token: &str) -> Sender {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Sender { http, urls, key: key.to_owned(), admin_token: admin_token.to_owned(), next: AtomicUsize::new(0) }
    }

    /// The server the next call talks to (round robin).
    pub fn pick_server(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.urls.len().max(1)
    }

    /// The first server (for the admin API).
    pub fn admin_url(&self) -> &str {
        &self.urls[0]
    }

    /// POSTs a signed body; returns the status and body text.
    pub async fn signed(
        &self,
        server: usize,
        path: &str,
        body: &Value,
        kind: &str,
        samples: &mut Samples,
    ) -> Result<(u16, String), SendError> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.signed_bytes(server, path, bytes, kind, samples).await
    }

    /// POSTs signed bytes (a re-sent request is byte-identical).
    pub async fn signed_bytes(
        &self,
        server: usize,
        path: &str,
        bytes: Vec<u8>,
        kind: &str,
        samples: &mut Samples,
    ) -> Result<(u16, String), SendError> {
        self.signed_bytes_since(server, path, bytes, kind, samples, Instant::now()).await
    }

    /// POSTs signed bytes and records the latency from `intended`, when the request was meant
    /// to be sent (open loop: `crate::pace`).
    pub async fn signed_bytes_since(
        &self,
        server: usize,
        path: &str,
        bytes: Vec<u8>,
        kind: &str,
        samples: &mut Samples,
        intended: Instant,
    ) -> Result<(u16, String), SendError> {
        // The generator's own lateness (timer granularity, a busy machine): reported on its own
        // line, and counted in the request's latency all the same.
        samples.record(GENERATOR_LATENESS, crate::pace::latency(intended, Instant::now()).as_micros() as u64);
        let signature = sign(&self.key, &bytes, Timestamp::now().as_millisecond());
        let url = format!("{}{path}", self.urls[server]);
        let response = self
            .http
            .post(&url)
            .header("x-retell-signature", signature)
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .map_err(|e| SendError { what: kind.to_owned(), detail: e.to_string() })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| SendError { what: kind.to_owned(), detail: e.to_string() })?;
        samples.record_at(kind, intended, crate::pace::latency(intended, Instant::now()).as_micros() as u64);
        if status >= 500 {
            return Err(SendError { what: kind.to_owned(), detail: format!("HTTP {status}: {text}") });
        }
        Ok((status, text))
    }

    /// GETs `/healthz` (the baseline).
    pub async fn health(&self, server: usize, samples: &mut Samples) -> Result<(), SendError> {
        let started = Instant::now();
        let response = self
            .http
            .get(format!("{}/healthz", self.urls[server]))
            .send()
            .await
            .map_err(|e| SendError { what: "healthz".into(), detail: e.to_string() })?;
        let _ = response.bytes().await;
        samples.record("healthz", started.elapsed().as_micros() as u64);
        Ok(())
    }

    /// GETs an admin API path as JSON.
    pub async fn admin(&self, path: &str) -> Result<Value, SendError> {
        let response = self
            .http
            .get(format!("{}/api/v1{path}", self.admin_url()))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .map_err(|e| SendError { what: path.to_owned(), detail: e.to_string() })?;
        let status = response.status().as_u16();
        let body: Value =
            response.json().await.map_err(|e| SendError { what: path.to_owned(), detail: e.to_string() })?;
        if status != 200 {
            return Err(SendError { what: path.to_owned(), detail: format!("HTTP {status}: {body}") });
        }
        Ok(body)
    }

    /// Every item of a paginated admin list.
    pub async fn admin_all(&self, path: &str) -> Result<Vec<Value>, SendError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let sep = if path.contains('?') { '&' } else { '?' };
        loop {
            let page_path = match &cursor {
                Some(c) => format!("{path}{sep}limit=500&cursor={c}"),
                None => format!("{path}{sep}limit=500"),
            };
            let page = self.admin(&page_path).await?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return Ok(items),
            }
        }
    }
}
