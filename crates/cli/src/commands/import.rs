//! `frontdesk import FILE`.

use std::path::Path;

use anyhow::Context;
use frontdesk_domain::tenant_file;

use crate::config::Resolved;

/// Validates the file, then imports it in one transaction.
pub async fn run(config: &Resolved, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    // Secrets named as environment variables are read here, from this process's environment.
    let spec = tenant_file::parse(&text)?.resolve_secrets(|var| std::env::var(var).ok())?;
    for warning in spec.warnings() {
        eprintln!("warning: {warning}");
    }
    let store = super::open_store(config).await?;
    let report = store.import_tenants(&spec, jiff::Timestamp::now()).await;
    store.close().await;
    let report = report?;
    let names: Vec<&str> = spec.companies.iter().map(|c| c.def.key.as_str()).collect();
    if report.changed_rows == 0 {
        println!("imported {} ({}): already up to date", names.join(", "), path.display());
    } else {
        println!("imported {} ({}): {} rows changed", names.join(", "), path.display(), report.changed_rows);
    }
    Ok(())
}
