//! `frontdesk users add|list|disable|reset-password`: operators' accounts from the server's own
//! command line, which acts for the platform (it has the database's credentials anyway). Every
//! change is written to the audit log as `cli`.
//!
//! A password is read from standard input (`--password-stdin`) or generated and printed once; it
//! never appears in the command line, where other users of the machine could read it.

use std::io::BufRead;

use anyhow::Context;
use frontdesk_domain::access::{Principal, Role, Scope};
use frontdesk_domain::ids::CompanyId;
use frontdesk_server::access::{password, secret};
use frontdesk_store::SharedStore;
use frontdesk_store::model::{NewAudit, NewUser, User, UserChange};
use jiff::Timestamp;

use crate::config::Resolved;

/// The company with this key, as a scope.
pub(super) async fn company(store: &SharedStore, key: &str) -> anyhow::Result<CompanyId> {
    let dir = store.load_directory().await?;
    dir.company_by_key(key).map(|c| c.company.id).with_context(|| format!("no company `{key}`"))
}

pub(super) fn role(raw: &str) -> anyhow::Result<Role> {
    Role::parse(raw).with_context(|| format!("unknown role `{raw}`: platform_admin, owner or staff"))
}

/// The password: the first line of standard input, or a generated one (printed by the caller).
fn password_from(stdin: bool) -> anyhow::Result<(String, bool)> {
    if !stdin {
        return Ok((secret::generated_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    password::acceptable(&line)?;
    Ok((line, false))
}

pub(super) async fn audit(
    store: &SharedStore,
    company: Option<CompanyId>,
    action: &'static str,
    entity: &'static str,
    id: String,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    store
        .write(move |tx| {
            Box::pin(async move {
                let actor = Principal::cli().actor;
                let entry = NewAudit {
                    company_id: company,
                    actor: &actor,
                    action,
                    entity,
                    entity_id: Some(id),
                    before: None,
                    after: Some(after),
                    overridden: Vec::new(),
                    at: Timestamp::now(),
                };
                tx.audit(&entry).await?;
                Ok(())
            })
        })
        .await?;
    Ok(())
}

/// `users add`.
pub async fn add(
    config: &Resolved,
    email: &str,
    role_name: &str,
    company_key: Option<&str>,
    name: Option<String>,
    stdin: bool,
) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let role = role(role_name)?;
    let company = match company_key {
        Some(k) => Some(company(&store, k).await?),
        None => None,
    };
    anyhow::ensure!(
        (role == Role::PlatformAdmin) == company.is_none(),
        "a platform_admin has no --company; an owner or staff member needs one"
    );
    anyhow::ensure!(frontdesk_domain::tenant::Email::parse(email).is_some(), "`{email}` is not an e-mail address");
    let (password, generated) = password_from(stdin)?;
    let new = NewUser {
        company_id: company,
        email: email.to_owned(),
        name,
        role,
        password_hash: password::hash(password.clone()).await?,
    };
    let user = store
        .write(move |tx| {
            Box::pin(async move {
                let user = tx.create_user(&new, Timestamp::now()).await?;
                let actor = Principal::cli().actor;
                let entry = NewAudit {
                    company_id: user.company_id,
                    actor: &actor,
                    action: "user.create",
                    entity: "user",
                    entity_id: Some(user.id.to_string()),
                    before: None,
                    after: Some(serde_json::json!({"email": user.email, "role": user.role})),
                    overridden: Vec::new(),
                    at: Timestamp::now(),
                };
                tx.audit(&entry).await?;
                Ok(user)
            })
        })
        .await
        .map_err(|e| match e {
            frontdesk_store::StoreError::Conflict(_) => anyhow::anyhow!("a user with this e-mail address exists"),
            other => other.into(),
        })?;
    println!("user {} created: {} ({})", user.id, user.email, user.role);
    if generated {
        println!("password (shown once): {password}");
    }
    store.close().await;
    Ok(())
}

/// `users list`.
pub async fn list(config: &Resolved, company_key: Option<&str>) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let scope = match company_key {
        Some(k) => Scope::Company(company(&store, k).await?),
        None => Scope::Platform,
    };
    let dir = store.load_directory().await?;
    println!("{:<6} {:<36} {:<15} {:<14} STATUS", "ID", "E-MAIL", "ROLE", "COMPANY");
    for u in store.users(scope).await? {
        let company = u.company_id.and_then(|c| dir.company(c)).map_or("-", |c| c.company.def.key.as_str());
        let status = if u.disabled_at.is_some() { "disabled" } else { "active" };
        println!("{:<6} {:<36} {:<15} {:<14} {status}", u.id, u.email, u.role.as_str(), company);
    }
    store.close().await;
    Ok(())
}

async fn user_by_email(store: &SharedStore, email: &str) -> anyhow::Result<User> {
    Ok(store.login_record(email).await?.with_context(|| format!("no user `{email}`"))?.user)
}

/// Applies `change` to the user with this e-mail address and audits it.
async fn change(store: &SharedStore, email: &str, change: UserChange, action: &'static str) -> anyhow::Result<User> {
    let user = user_by_email(store, email).await?;
    let (_, after) = store
        .write(move |tx| {
            Box::pin(async move {
                let changed = tx.update_user(Scope::Platform, user.id, &change, Timestamp::now()).await?;
                let Some((before, after)) = changed else { return Err(frontdesk_store::StoreError::NotFound("user")) };
                let actor = Principal::cli().actor;
                let entry = NewAudit {
                    company_id: after.company_id,
                    actor: &actor,
                    action,
                    entity: "user",
                    entity_id: Some(after.id.to_string()),
                    before: Some(serde_json::json!({"disabled": before.disabled_at.is_some()})),
                    after: Some(serde_json::json!({"disabled": after.disabled_at.is_some(), "password_changed": change.password_hash.is_some()})),
                    overridden: Vec::new(),
                    at: Timestamp::now(),
                };
                tx.audit(&entry).await?;
                Ok((before, after))
            })
        })
        .await?;
    Ok(after)
}

/// `users disable`: refuses logins and ends every session.
pub async fn disable(config: &Resolved, email: &str) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let user =
        change(&store, email, UserChange { disabled: Some(true), ..UserChange::default() }, "user.disable").await?;
    println!("user {} disabled; every session ended", user.email);
    store.close().await;
    Ok(())
}

/// `users reset-password`: a new password; every session ends and the login lock is lifted.
pub async fn reset_password(config: &Resolved, email: &str, stdin: bool) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let (password, generated) = password_from(stdin)?;
    let hash = password::hash(password.clone()).await?;
    let user =
        change(&store, email, UserChange { password_hash: Some(hash), ..UserChange::default() }, "user.reset_password")
            .await?;
    println!("password of {} replaced; every session ended", user.email);
    if generated {
        println!("password (shown once): {password}");
    }
    store.close().await;
    Ok(())
}
