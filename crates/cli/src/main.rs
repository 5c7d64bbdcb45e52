//! `frontdesk`: the one binary. See `CONTRACT.md` for the commands.

#![allow(clippy::print_stdout)] // a command line prints its results

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod allocator;
mod commands;
mod config;
mod logging;

use config::{FileConfig, GlobalArgs, ServeArgs};

/// mimalloc instead of glibc's allocator: database rows are allocated on SQLite's connection
/// threads and freed on the request threads, and glibc spent ~12% of the server's CPU on that
/// under load (measured with perf under `frontdesk simulate`). Kept small: [`allocator`].
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Create or update companies, branches, numbers, staff, services and customers from a tenant file.
    Import {
        /// The tenant file (TOML, the format of fixtures/demo-tenant.toml).
        file: std::path::PathBuf,
    },
    /// Inspect calls.
    #[command(subcommand)]
    Calls(CallsCommand),
    /// Inspect and re-apply stored webhook deliveries.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Retell set-up.
    #[command(subcommand)]
    Retell(RetellCommand),
    /// Inspect and retry changes waiting for Cal.com.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Inspect and retry confirmations, reminders and callback alerts.
    #[command(subcommand)]
    Notifications(NotificationsCommand),
    /// Operators' user accounts (the command line acts for the platform).
    #[command(subcommand)]
    Users(UsersCommand),
    /// API tokens for scripts and integrations.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Play realistic concurrent calls against running servers, check the invariants, report latency.
    Simulate(commands::simulate::SimulateArgs),
    /// Fill the database with the demo tenants and a benchmark's volume of appointments and calls.
    Seed {
        /// Appointments to book (over the past days, and the week ahead).
        #[arg(long, default_value_t = 10_000)]
        appointments: u32,
        /// Finished calls to record, each with its function traces and end webhook.
        #[arg(long, default_value_t = 100_000)]
        calls: u32,
    },
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
    /// Create a user; the password is read from standard input or generated and printed once.
    Add {
        /// Login e-mail address.
        email: String,
        /// platform_admin, owner or staff.
        #[arg(long)]
        role: String,
        /// The company's key (not for platform_admin).
        #[arg(long)]
        company: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Users, by id.
    List {
        /// Only this company's.
        #[arg(long)]
        company: Option<String>,
    },
    /// Refuse the user's logins and end their sessions.
    Disable {
        /// Login e-mail address.
        email: String,
    },
    /// Replace the password (read from standard input or generated); ends every session.
    ResetPassword {
        /// Login e-mail address.
        email: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
enum TokensCommand {
    /// Create an API token; it is printed once, only its hash is kept.
    Create {
        /// What it is for.
        #[arg(long)]
        name: String,
        /// platform_admin, owner or staff.
        #[arg(long)]
        role: String,
        /// The company's key (not for platform_admin).
        #[arg(long)]
        company: Option<String>,
        /// Stop working after this many days.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Tokens, by id (never their secrets).
    List {
        /// Only this company's.
        #[arg(long)]
        company: Option<String>,
    },
    /// Revoke a token at once.
    Revoke {
        /// Token id.
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
enum NotificationsCommand {
    /// Notifications, newest first, and what is due or failed.
    List {
        /// pending, running, sent, failed, skipped or withdrawn.
        #[arg(long)]
        status: Option<String>,
        /// confirmation, moved, cancelled, reminder or callback_alert.
        #[arg(long)]
        kind: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Queue failed or skipped notifications again.
    Retry {
        /// Notification ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum OutboxCommand {
    /// Outbox jobs, oldest first, and counts by status.
    List {
        /// pending, running, done or failed.
        #[arg(long)]
        status: Option<String>,
        /// How many jobs.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Queue failed jobs again.
    Retry {
        /// Job ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum CallsCommand {
    /// Recent calls, newest first.
    List {
        /// Only calls still ongoing longer than the reconcile threshold.
        #[arg(long)]
        stale: bool,
        /// Only calls with this status (registered, ongoing, ended, not_connected, error, abandoned).
        #[arg(long)]
        status: Option<String>,
        /// The reconcile threshold for --stale [default: 10m]
        #[arg(long, env = "FRONTDESK_RECONCILE_AFTER", value_parser = config::parse_duration)]
        reconcile_after: Option<std::time::Duration>,
        /// How many calls.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One call: numbers, tenant, timeline, webhook events, every function trace.
    Show {
        /// Retell's call id.
        call_id: String,
    },
}

#[derive(Subcommand, Debug)]
enum WebhooksCommand {
    /// Stored deliveries, oldest first.
    List {
        /// pending, processed, failed or ignored.
        #[arg(long)]
        status: Option<String>,
        /// retell or calcom.
        #[arg(long)]
        provider: Option<String>,
        /// How many events.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Re-apply stored deliveries by id.
    Replay {
        /// Event ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum RetellCommand {
    /// Print the custom-function definitions for a Retell agent.
    Tools {
        /// Where frontdesk is reachable from Retell, e.g. https://frontdesk.example.com
        #[arg(long)]
        base_url: String,
    },
}

fn main() -> ExitCode {
    allocator::configure();
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.global.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let resolved = config::resolve(&cli.global, &file);
    logging::init(resolved.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().global_queue_interval(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&e.into()),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(&resolved, &args, &file).await,
            Command::Migrate => commands::migrate::run(&resolved).await,
            Command::Import { file: path } => commands::import::run(&resolved, &path).await,
            Command::Seed { appointments, calls } => commands::seed::run(&resolved, appointments, calls).await,
            Command::Calls(CallsCommand::List { stale, status, reconcile_after, limit }) => {
                let after = reconcile_after.unwrap_or(std::time::Duration::from_secs(600));
                commands::calls::list(&resolved, status, stale, after, limit).await
            }
            Command::Calls(CallsCommand::Show { call_id }) => commands::calls::show(&resolved, &call_id).await,
            Command::Webhooks(WebhooksCommand::List { status, provider, limit }) => {
                commands::webhooks::list(&resolved, status, provider, limit).await
            }
            Command::Webhooks(WebhooksCommand::Replay { ids }) => commands::webhooks::replay(&resolved, &ids).await,
            Command::Retell(RetellCommand::Tools { base_url }) => commands::retell::tools(&base_url),
            Command::Outbox(OutboxCommand::List { status, limit }) => {
                commands::outbox::list(&resolved, status, limit).await
            }
            Command::Outbox(OutboxCommand::Retry { ids }) => commands::outbox::retry(&resolved, &ids).await,
            Command::Notifications(NotificationsCommand::List { status, kind, limit }) => {
                commands::notifications::list(&resolved, status, kind, limit).await
            }
            Command::Notifications(NotificationsCommand::Retry { ids }) => {
                commands::notifications::retry(&resolved, &ids).await
            }
            Command::Users(UsersCommand::Add { email, role, company, name, password_stdin }) => {
                commands::users::add(&resolved, &email, &role, company.as_deref(), name, password_stdin).await
            }
            Command::Users(UsersCommand::List { company }) => {
                commands::users::list(&resolved, company.as_deref()).await
            }
            Command::Users(UsersCommand::Disable { email }) => commands::users::disable(&resolved, &email).await,
            Command::Users(UsersCommand::ResetPassword { email, password_stdin }) => {
                commands::users::reset_password(&resolved, &email, password_stdin).await
            }
            Command::Tokens(TokensCommand::Create { name, role, company, expires_in_days }) => {
                commands::tokens::create(&resolved, &name, &role, company.as_deref(), expires_in_days).await
            }
            Command::Tokens(TokensCommand::List { company }) => {
                commands::tokens::list(&resolved, company.as_deref()).await
            }
            Command::Tokens(TokensCommand::Revoke { id }) => commands::tokens::revoke(&resolved, id).await,
            Command::Simulate(args) => commands::simulate::run(args).await,
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
