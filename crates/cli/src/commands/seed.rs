//! `frontdesk seed`: fills a database with the demo tenants, their logins and a benchmark's
//! volume of appointments and finished calls, for measuring the dashboard at scale
//! (`bench/dashboard.sh`). Not for a database with real data.

use std::sync::Arc;

use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_server::demo;

use crate::config::Resolved;

/// Seeds `appointments` appointments (over the past days) and `calls` calls.
pub async fn run(config: &Resolved, appointments: u32, calls: u32) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let now = jiff::Timestamp::now();
    if !store.has_tenants().await? {
        store.import_tenants(&tenant_file::parse(DEMO_TENANTS)?, now).await?;
    }
    demo::logins(&store).await?;
    let dir = Arc::new(store.load_directory().await?);
    let started = std::time::Instant::now();
    let mut booked = demo::week(&store, Arc::clone(&dir), now).await?;
    // About 30 a day across the demo branches: back as many days as it takes.
    let mut first = -1;
    while booked < appointments && first > -3650 {
        booked += demo::book_days(&store, Arc::clone(&dir), now, first - 29, 30, appointments - booked).await?;
        first -= 30;
    }
    println!("booked {booked} appointments ({:.0} s)", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let recorded = demo::calls(&store, &dir, now, calls).await?;
    println!("recorded {recorded} calls with their traces ({:.0} s)", started.elapsed().as_secs_f64());
    store.close().await;
    Ok(())
}
