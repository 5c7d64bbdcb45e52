//! `frontdesk serve`.

use std::sync::Arc;

use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_domain::time::ShiftedClock;
use frontdesk_server::{RunningServer, Settings};

use crate::config::{self, FileConfig, Resolved, ServeArgs};
use frontdesk_server::demo;

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(global: &Resolved, args: &ServeArgs, file: &FileConfig) -> anyhow::Result<()> {
    let serve = config::resolve_serve(args, file)?;
    let store = super::open_store(global).await?;

    let mut fresh_demo = false;
    if args.demo {
        if store.has_tenants().await? {
            println!("frontdesk demo: the database already has tenants; not importing the demo tenants again");
        } else {
            let spec = tenant_file::parse(DEMO_TENANTS)?;
            store.import_tenants(&spec, jiff::Timestamp::now()).await?;
            let names: Vec<&str> = spec.companies.iter().map(|c| c.def.name.as_str()).collect();
            println!("frontdesk demo: imported the demo tenants ({})", names.join(", "));
            fresh_demo = true;
        }
        demo::logins(&store).await?;
        println!("  Dashboard logins (password `{}`):", demo::PASSWORD);
        for (email, company, role) in demo::LOGINS {
            println!("    {email:<28} {role} of {}", company.unwrap_or("the platform"));
        }
        println!("  Retell API key: {}", serve.retell_api_keys[0]);
        if let Some(token) = &serve.admin_token {
            println!("  Admin token:    {token}");
        }
    }

    let mut settings = Settings::new(serve.listen, serve.retell_api_keys, serve.admin_token);
    settings.metrics_listen = serve.metrics_listen;
    if let Some(url) = serve.retell_base_url {
        settings.retell_base_url = url;
    }
    if let Some(start) = serve.clock_start {
        settings.clock = Arc::new(ShiftedClock::starting_at(start));
    }
    if let Some(d) = serve.reconcile_after {
        settings.reconcile_after = d;
    }
    if let Some(d) = serve.request_timeout {
        settings.request_timeout = d;
    }
    if let Some(d) = serve.calcom_pull_interval {
        settings.calcom_pull_interval = d;
    }
    if let Some(d) = serve.worker_interval {
        settings.worker_interval = d;
    }
    if let Some(d) = serve.header_read_timeout {
        settings.header_read_timeout = d;
    }
    if let Some(n) = serve.max_connections {
        settings.max_connections = n;
    }
    if let Some(n) = serve.listen_backlog {
        settings.listen_backlog = n;
    }
    if let Some(d) = serve.session_ttl {
        settings.session_ttl = d;
    }
    settings.client_address = serve.client_address;
    settings.retention = serve.retention;
    if let Some(url) = serve.public_url {
        settings.notify.public_url = url;
    }
    settings.notify.smtp = serve.smtp;
    if let Some(from) = serve.mail_from {
        settings.notify.default_sender = from;
    }
    settings.notify.sms = serve.sms;
    match serve.secure_cookies {
        Some(secure) => settings.secure_cookies = secure,
        // The demo on this machine is opened over plain http://127.0.0.1, where a browser may
        // refuse `Secure` cookies; anywhere else they stay on.
        None if args.demo && settings.listen.ip().is_loopback() => settings.secure_cookies = false,
        None => {}
    }
    let clock = Arc::clone(&settings.clock);
    let retell_key = settings.retell_api_keys.first().cloned().unwrap_or_default();
    let admin_token = settings.admin_token.clone().unwrap_or_default();
    let server = RunningServer::start(store, settings).await?;
    tracing::info!(addr = %server.addr, database = %server.state.store().kind(), "frontdesk is serving");
    println!("frontdesk listening on http://{}", server.addr);
    if fresh_demo && args.demo_data.unwrap_or(true) {
        // In the background: the server answers (and stops on a signal) meanwhile.
        let url = format!("http://{}", server.addr);
        let state = server.state.clone();
        tokio::spawn(async move {
            match demo::week(state.store(), state.directory(), clock.now()).await {
                Ok(booked) => println!("frontdesk demo: the team booked {booked} appointments for the week ahead"),
                Err(error) => tracing::warn!(%error, "the demo's appointments failed"),
            }
            match demo_calls(url, &retell_key, &admin_token).await {
                Ok(n) => println!("frontdesk demo: {n} simulated phone calls are in the dashboard"),
                Err(error) => tracing::warn!(%error, "the demo's simulated calls failed"),
            }
            // The health charts at once, rather than after the worker's first minute.
            if let Err(error) = frontdesk_server::summaries::refresh(&state).await {
                tracing::warn!(%error, "the demo's daily summaries failed");
            }
        });
    }
    if args.demo {
        println!("Open the dashboard: http://{}/admin", server.addr);
    }
    if let Some(addr) = server.metrics_addr {
        println!("metrics on http://{addr}/metrics");
    }
    server.run_until(shutdown_signal()).await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Plays a few phone calls against the running server, as Retell would: the dashboard's call
/// pages then show real timelines. Returns how many were played.
async fn demo_calls(url: String, retell_key: &str, admin_token: &str) -> anyhow::Result<u64> {
    let mut options = frontdesk_simulator::Options::new(vec![url], retell_key, admin_token);
    options.calls = 24;
    options.concurrency = 2;
    options.seed = 2026;
    options.run_id = Some(format!("demo-{}", jiff::Timestamp::now().as_second()));
    frontdesk_simulator::play(&options, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(options.calls)
}
