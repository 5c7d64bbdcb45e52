//! `frontdesk simulate`: realistic concurrent calls against running servers, the invariant check
//! and the latency report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use frontdesk_retell::fake::FakeRetell;
use frontdesk_simulator::Options;

use frontdesk_simulator::mail_sink::MailSink;

use crate::config::{DEMO_ADMIN_TOKEN, DEMO_RETELL_KEY, parse_duration};

/// Options of `frontdesk simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Server base URL; repeat (or separate with commas) to spread calls over several servers.
    #[arg(long = "url", value_delimiter = ',', default_value = "http://127.0.0.1:8080")]
    pub urls: Vec<String>,
    /// The Retell key the servers verify signatures with [default: the demo key]
    #[arg(long, env = "FRONTDESK_RETELL_API_KEY", value_delimiter = ',', hide_env_values = true)]
    pub retell_key: Vec<String>,
    /// The servers' admin token, for the invariant checks [default: the demo token]
    #[arg(long, env = "FRONTDESK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// How many calls.
    #[arg(long, default_value_t = 200)]
    pub calls: u64,
    /// How many calls at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// The same seed plays the same calls.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Misbehave as Retell sometimes does: duplicates, reordering, lost webhooks, retries, delays.
    #[arg(long)]
    pub chaos: bool,
    /// Only call this demo tenant (friseur1 or brightsmile).
    #[arg(long)]
    pub tenant: Option<String>,
    /// Write the report as JSON to FILE (`-` or no value: standard output, the text report then
    /// goes to standard error).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<PathBuf>,
    /// Also send the same number of requests to /healthz: the HTTP floor of this machine.
    #[arg(long)]
    pub baseline: bool,
    /// Serve a fake Retell REST API here for the reconciler (start the servers with
    /// FRONTDESK_RETELL_BASE_URL=http://ADDR); with --chaos, some calls then lose their end.
    #[arg(long, value_name = "ADDR")]
    pub fake_retell_listen: Option<String>,
    /// How long the checks wait for the reconciler to finish calls whose end was lost.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    pub settle: Duration,
    /// Prefix of the call ids [default: derived from the seed and the time]
    #[arg(long)]
    pub run_id: Option<String>,
    /// Open loop: calls start at this many per second on average (a Poisson process), each
    /// talking 3–10 s between function calls and lasting 1–4 minutes, so that about
    /// 125 × RATE calls are live at once; latency counts from each request's intended send
    /// time. `--concurrency` is then no limit. Run the servers with a `--reconcile-after`
    /// longer than a call.
    #[arg(long, value_name = "CALLS_PER_S")]
    pub rate: Option<f64>,
    /// Run an SMTP server here (`127.0.0.1:2525`) and check that every notification arrives
    /// once; start the servers with `FRONTDESK_SMTP_URL=smtp://127.0.0.1:2525?tls=none`
    #[arg(long, value_name = "ADDR")]
    pub smtp_sink: Option<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the simulation; fails when an invariant does not hold.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let key = args.retell_key.iter().map(|k| k.trim()).find(|k| !k.is_empty()).unwrap_or(DEMO_RETELL_KEY);
    let token = args.admin_token.as_deref().filter(|t| !t.is_empty()).unwrap_or(DEMO_ADMIN_TOKEN);
    let urls: Vec<String> = args.urls.iter().map(|u| u.trim().trim_end_matches('/').to_owned()).collect();
    let fake = match &args.fake_retell_listen {
        Some(addr) => {
            let fake =
                FakeRetell::start(addr, key).await.with_context(|| format!("serving the fake Retell API on {addr}"))?;
            eprintln!("fake Retell API on {}", fake.url);
            Some(Arc::new(fake))
        }
        None => None,
    };
    let mail_sink = match &args.smtp_sink {
        Some(addr) => {
            let sink = MailSink::start(addr).await.with_context(|| format!("serving SMTP on {addr}"))?;
            eprintln!("SMTP sink on {}", sink.addr);
            Some(Arc::new(sink))
        }
        None => None,
    };
    let options = Options {
        urls,
        retell_key: key.to_owned(),
        admin_token: token.to_owned(),
        calls: args.calls,
        concurrency: args.concurrency.max(1),
        seed: args.seed,
        chaos: args.chaos,
        tenant: args.tenant,
        baseline: args.baseline,
        settle: args.settle,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        run_id: args.run_id,
        pace: args.rate.filter(|r| *r > 0.0).map(frontdesk_simulator::pace::Pace::conversation),
        mail_sink,
    };
    let report = frontdesk_simulator::run(&options, fake).await?;
    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            eprint!("{report}");
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Some(path) => {
            print!("{report}");
            std::fs::write(path, serde_json::to_string_pretty(&report)?)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => print!("{report}"),
    }
    if !report.passed() {
        bail!("the simulation found violations (see the report above)");
    }
    Ok(())
}
