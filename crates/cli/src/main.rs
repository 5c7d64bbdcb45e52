//! `frontdesk`: the one binary. See `CONTRACT.md` for the commands.

#![allow(clippy::print_stdout)] // a command line prints its results

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod config;
mod logging;

use config::{FileConfig, GlobalArgs, ServeArgs};

/// frontdesk: the backend behind an AI phone receptionist.
#[derive(Parser, Debug)]
#[command(name = "frontdesk", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (migrations run at start).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Create or update companies, branches, numbers, staff, services and customers from a tenant file.
    Import {
        /// The tenant file (TOML, the format of fixtures/demo-tenant.toml).
        file: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.global.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let resolved = config::resolve(&cli.global, &file);
    logging::init(resolved.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&e.into()),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(&resolved, &args, &file).await,
            Command::Migrate => commands::migrate::run(&resolved).await,
            Command::Import { file: path } => commands::import::run(&resolved, &path).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}
