//! A `frontdesk serve` process for tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server process; killed when dropped.
pub struct ServerProcess {
    /// The process.
    pub child: Child,
    /// Its base URL.
    pub url: String,
    /// What it printed before listening.
    pub banner: String,
}

impl ServerProcess {
    /// Starts `frontdesk serve --listen 127.0.0.1:0 ARGS` on `database_url` and waits until it
    /// listens.
    pub fn spawn(database_url: &str, args: &[&str]) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("FRONTDESK_DATABASE_URL", database_url)
            .env_remove("FRONTDESK_RETELL_API_KEY")
            .env_remove("FRONTDESK_ADMIN_TOKEN")
            .env_remove("FRONTDESK_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn frontdesk serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut banner = Vec::new();
        let url = loop {
            let line = lines.next().expect("serve exited before listening").expect("read stdout");
            if let Some(url) = line.trim().strip_prefix("frontdesk listening on") {
                break url.trim().to_owned();
            }
            banner.push(line);
        };
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ServerProcess { child, url, banner: banner.join("\n") }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
        let mut waited = Duration::ZERO;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(waited < Duration::from_secs(15), "serve did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += Duration::from_millis(50);
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
