//! `frontdesk tokens create|list|revoke`: API tokens for scripts and integrations. A token is
//! printed once; only its SHA-256 is stored. Changes are audited as `cli`.

use anyhow::Context;
use frontdesk_domain::access::{Role, Scope};
use frontdesk_domain::ids::TokenId;
use frontdesk_server::access::secret;
use frontdesk_store::model::NewToken;
use jiff::{SignedDuration, Timestamp};

use super::users::{audit, company, role};
use crate::config::Resolved;

/// `tokens create`.
pub async fn create(
    config: &Resolved,
    name: &str,
    role_name: &str,
    company_key: Option<&str>,
    expires_in_days: Option<u32>,
) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let role = role(role_name)?;
    let company = match company_key {
        Some(k) => Some(company(&store, k).await?),
        None => None,
    };
    anyhow::ensure!(
        (role == Role::PlatformAdmin) == company.is_none(),
        "a platform_admin token has no --company; an owner or staff token needs one"
    );
    let made = secret::new_token();
    let new = NewToken {
        company_id: company,
        role,
        name: name.to_owned(),
        prefix: made.prefix.clone(),
        secret_hash: made.hash.clone(),
        created_by: None,
        expires_at: expires_in_days.map(|d| Timestamp::now() + SignedDuration::from_hours(24 * i64::from(d))),
    };
    let token = store.write(move |tx| Box::pin(async move { tx.create_token(&new, Timestamp::now()).await })).await?;
    let after = serde_json::json!({"name": token.name, "prefix": token.prefix, "role": token.role});
    audit(&store, token.company_id, "token.create", "token", token.id.to_string(), after).await?;
    println!("token {} created: {} ({})", token.id, token.name, token.role);
    println!("token (shown once): {}", made.token);
    store.close().await;
    Ok(())
}

/// `tokens list`.
pub async fn list(config: &Resolved, company_key: Option<&str>) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let scope = match company_key {
        Some(k) => Scope::Company(company(&store, k).await?),
        None => Scope::Platform,
    };
    println!("{:<6} {:<24} {:<16} {:<15} {:<21} STATUS", "ID", "NAME", "PREFIX", "ROLE", "LAST USED");
    let now = Timestamp::now();
    for t in store.tokens(scope).await? {
        let status = match (t.revoked_at, t.expires_at) {
            (Some(_), _) => "revoked",
            (None, Some(e)) if e <= now => "expired",
            _ => "active",
        };
        let used = t.last_used_at.map_or_else(|| "never".to_owned(), |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string());
        println!("{:<6} {:<24} {:<16} {:<15} {:<21} {status}", t.id, t.name, t.prefix, t.role.as_str(), used);
    }
    store.close().await;
    Ok(())
}

/// `tokens revoke`.
pub async fn revoke(config: &Resolved, id: i64) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let id = TokenId(id);
    let token = store
        .write(move |tx| Box::pin(async move { tx.revoke_token(Scope::Platform, id, Timestamp::now()).await }))
        .await?;
    let token = token.with_context(|| format!("no token {id}"))?;
    let after = serde_json::json!({"name": token.name, "prefix": token.prefix, "revoked_at": token.revoked_at});
    audit(&store, token.company_id, "token.revoke", "token", id.to_string(), after).await?;
    println!("token {id} ({}) revoked", token.name);
    store.close().await;
    Ok(())
}
