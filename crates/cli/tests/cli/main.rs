//! Tests of the `frontdesk` binary itself.

mod import;
mod notifications;
mod operators;
mod process;
mod processes;
mod serve;
mod simulate;

use std::process::{Command, Output};

/// Runs the binary with `args` and `FRONTDESK_DATABASE_URL` set to `url`.
pub fn frontdesk(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .env("FRONTDESK_DATABASE_URL", url)
        .env_remove("FRONTDESK_RETELL_API_KEY")
        .env_remove("FRONTDESK_ADMIN_TOKEN")
        .env_remove("FRONTDESK_CONFIG")
        .output()
        .expect("run frontdesk")
}

/// Standard output and error as text.
pub fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}
