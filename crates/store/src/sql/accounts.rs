//! Operators: users, sessions, API tokens, the audit log and operators' idempotency keys.
//!
//! Every read an operator can reach takes a [`Scope`]: `($n IS NULL OR company_id = $n)` with the
//! scope's company, so a company's principal never reads another company's rows. Secrets are
//! stored only as hashes (argon2id for passwords, SHA-256 for random session and token secrets).

use async_trait::async_trait;
use frontdesk_domain::access::{Role, Scope};
use frontdesk_domain::ids::{AuditId, CompanyId, SessionId, TokenId, UserId};
use frontdesk_domain::locale::Language;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Decode, Type};

use super::{Filtered, RowExt, SqlStore, SqlTx, db, id_cursor, paginate};
use crate::backend::{Jsonb, Stamp};
use crate::model::{
    ApiToken, AuditEntry, AuditFilter, IdempotentReplay, LoginOutcome, LoginRecord, NewAudit, NewToken, NewUser, Page,
    PageRequest, TokenRecord, User, UserChange,
};
use crate::{Accounts, AccountsTx, Result, StoreError};

const USER_COLUMNS: &str = "id, company_id, email, name, role, disabled_at, language, created_at";
const TOKEN_COLUMNS: &str = "id, company_id, role, name, prefix, secret_hash, created_by_user_id, expires_at, last_used_at, revoked_at, created_at";
const AUDIT_COLUMNS: &str =
    "id, company_id, actor_kind, actor_id, actor_label, action, entity, entity_id, before, after, overridden, at";

fn role<R: RowExt>(r: &R) -> Result<Role>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
{
    let raw: String = r.col("role")?;
    Role::parse(&raw).ok_or_else(|| StoreError::corrupt("role", raw))
}

fn user_from_row<R: RowExt>(r: &R) -> Result<User>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
{
    Ok(User {
        id: UserId(r.col("id")?),
        company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
        email: r.col("email")?,
        name: r.col("name")?,
        role: role(r)?,
        disabled_at: r.col::<Option<Stamp>>("disabled_at")?.map(|s| s.0),
        language: r.col::<Option<String>>("language")?.as_deref().and_then(Language::parse),
        created_at: r.col::<Stamp>("created_at")?.0,
    })
}

fn token_from_row<R: RowExt>(r: &R) -> Result<TokenRecord>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
{
    Ok(TokenRecord {
        token: ApiToken {
            id: TokenId(r.col("id")?),
            company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
            role: role(r)?,
            name: r.col("name")?,
            prefix: r.col("prefix")?,
            created_by: r.col::<Option<i64>>("created_by_user_id")?.map(UserId),
            expires_at: r.col::<Option<Stamp>>("expires_at")?.map(|s| s.0),
            last_used_at: r.col::<Option<Stamp>>("last_used_at")?.map(|s| s.0),
            revoked_at: r.col::<Option<Stamp>>("revoked_at")?.map(|s| s.0),
            created_at: r.col::<Stamp>("created_at")?.0,
        },
        secret_hash: r.col("secret_hash")?,
    })
}

fn audit_from_row<R: RowExt>(r: &R) -> Result<AuditEntry>
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'q> i64: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> String: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Stamp: Decode<'q, R::Database> + Type<R::Database>,
    for<'q> Jsonb: Decode<'q, R::Database> + Type<R::Database>,
{
    let json = |name: &str| -> Result<Option<serde_json::Value>> {
        r.col::<Option<Jsonb>>(name)?.map(|j| super::parse_json(name, &j)).transpose()
    };
    let overridden = json("overridden")?.map(serde_json::from_value).transpose();
    Ok(AuditEntry {
        id: AuditId(r.col("id")?),
        company_id: r.col::<Option<i64>>("company_id")?.map(CompanyId),
        actor_kind: r.col("actor_kind")?,
        actor_id: r.col("actor_id")?,
        actor_label: r.col("actor_label")?,
        action: r.col("action")?,
        entity: r.col("entity")?,
        entity_id: r.col("entity_id")?,
        before: json("before")?,
        after: json("after")?,
        overridden: overridden.map_err(|e| StoreError::corrupt("overridden", e))?.unwrap_or_default(),
        at: r.col::<Stamp>("at")?.0,
    })
}

for_backends! {
#[async_trait]
impl [Accounts for SqlStore<DB>] {
    async fn login_record(&self, email: &str) -> Result<Option<LoginRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash, failed_logins, locked_until FROM users WHERE email = $1"
        )))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| {
            Ok(LoginRecord {
                user: user_from_row(&r)?,
                password_hash: r.col("password_hash")?,
                failed_logins: u32::try_from(r.col::<i64>("failed_logins")?).unwrap_or(0),
                locked_until: r.col::<Option<Stamp>>("locked_until")?.map(|s| s.0),
            })
        })
        .transpose()
    }

    async fn record_login(&self, user: UserId, outcome: LoginOutcome, at: Timestamp) -> Result<()> {
        self.on_lane(move |writer| async move {
            let query = match outcome {
                LoginOutcome::Succeeded => sqlx::query(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $1",
                )
                .bind(user.0)
                .bind(Stamp(at)),
                LoginOutcome::Failed { locked_until } => sqlx::query(
                    "UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until)
                      WHERE id = $1",
                )
                .bind(user.0)
                .bind(locked_until.map(Stamp)),
            };
            query.execute(&writer).await.map_err(db::<DB>)?;
            Ok(())
        })
        .await
    }

    async fn create_session(&self, user: UserId, secret_hash: &str, expires_at: Timestamp, at: Timestamp) -> Result<SessionId> {
        let secret_hash = secret_hash.to_owned();
        self.on_lane(move |writer| async move {
            let id: i64 = sqlx::query(
                "INSERT INTO sessions (secret_hash, user_id, created_at, expires_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $3) RETURNING id",
            )
            .bind(secret_hash)
            .bind(user.0)
            .bind(Stamp(at))
            .bind(Stamp(expires_at))
            .fetch_one(&writer)
            .await
            .map_err(db::<DB>)?
            .col("id")?;
            Ok(SessionId(id))
        })
        .await
    }

    async fn session_user(&self, secret_hash: &str, now: Timestamp) -> Result<Option<(SessionId, User)>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.id AS session_id, {} FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.secret_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        )))
        .bind(secret_hash)
        .bind(Stamp(now))
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| Ok((SessionId(r.col("session_id")?), user_from_row(&r)?))).transpose()
    }

    async fn revoke_session(&self, id: SessionId, at: Timestamp) -> Result<bool> {
        self.on_lane(move |writer| async move {
            let done = sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id.0)
                .bind(Stamp(at))
                .execute(&writer)
                .await
                .map_err(db::<DB>)?;
            Ok(DB::rows_affected(&done) > 0)
        })
        .await
    }

    async fn token_by_prefix(&self, prefix: &str) -> Result<Option<TokenRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE prefix = $1")))
            .bind(prefix)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>)?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn touch_token(&self, id: TokenId, at: Timestamp) -> Result<()> {
        self.on_lane(move |writer| async move {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id.0)
                .bind(Stamp(at))
                .execute(&writer)
                .await
                .map_err(db::<DB>)?;
            Ok(())
        })
        .await
    }

    async fn users(&self, scope: Scope) -> Result<Vec<User>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {USER_COLUMNS} FROM users"));
        f.scoped(scope, None)?;
        let mut q = f.query();
        q.push(" ORDER BY id");
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn user(&self, scope: Scope, id: UserId) -> Result<Option<User>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {USER_COLUMNS} FROM users"));
        f.scoped(scope, None)?.eq("id", Some(id.0));
        let row = f.query().build().fetch_optional(&self.reader).await.map_err(db::<DB>)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn tokens(&self, scope: Scope) -> Result<Vec<ApiToken>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens"));
        f.scoped(scope, None)?;
        let mut q = f.query();
        q.push(" ORDER BY id");
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        rows.iter().map(|r| token_from_row(r).map(|t| t.token)).collect()
    }

    async fn audit_log(&self, scope: Scope, filter: &AuditFilter, page: &PageRequest) -> Result<Page<AuditEntry>> {
        let before = match id_cursor(page)? {
            0 => i64::MAX,
            id => id,
        };
        let mut f = Filtered::<DB>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log"));
        f.scoped(scope, filter.company)?
            .eq("entity", filter.entity.clone())
            .eq("entity_id", filter.entity_id.clone())
            .eq("action", filter.action.clone());
        if let Some((kind, id)) = &filter.actor {
            f.eq("actor_kind", Some(kind.clone())).eq("actor_id", *id);
        }
        if let Some(from) = filter.from {
            f.and("at >= ").push_bind(Stamp(from));
        }
        if let Some(to) = filter.to {
            f.and("at < ").push_bind(Stamp(to));
        }
        f.and("id < ").push_bind(before);
        let mut q = f.query();
        q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page.limit) + 1);
        let rows = q.build().fetch_all(&self.reader).await.map_err(db::<DB>)?;
        let mut items = rows.iter().map(audit_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = paginate(&mut items, page.limit, |e| e.id.0.to_string());
        Ok(Page { items, next_cursor })
    }
}
}

for_backends! {
#[async_trait]
impl [AccountsTx for SqlTx<DB>] {
    async fn create_user(&mut self, new: &NewUser, at: Timestamp) -> Result<User> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (company_id, email, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {USER_COLUMNS}"
        )))
        .bind(new.company_id.map(|c| c.0))
        .bind(new.email.trim().to_lowercase())
        .bind(new.name.clone())
        .bind(new.role.as_str())
        .bind(new.password_hash.as_str())
        .bind(Stamp(at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        user_from_row(&row)
    }

    async fn update_user(&mut self, scope: Scope, id: UserId, change: &UserChange, at: Timestamp) -> Result<Option<(User, User)>> {
        let mut f = Filtered::<DB>::new(format!("SELECT {USER_COLUMNS} FROM users"));
        f.scoped(scope, None)?.eq("id", Some(id.0));
        let mut q = f.query();
        q.push(DB::FOR_UPDATE);
        let Some(row) = q.build().fetch_optional(&mut *self.tx).await.map_err(db::<DB>)? else {
            return Ok(None);
        };
        let before = user_from_row(&row)?;
        let disabled_at = match change.disabled {
            Some(true) => Some(before.disabled_at.unwrap_or(at)),
            Some(false) => None,
            None => before.disabled_at,
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET name = $2, role = $3, disabled_at = $4, updated_at = $5,
                    password_hash = COALESCE($6, password_hash),
                    failed_logins = CASE WHEN $6 IS NULL THEN failed_logins ELSE 0 END,
                    locked_until = CASE WHEN $6 IS NULL THEN locked_until ELSE NULL END,
                    language = $7
              WHERE id = $1 RETURNING {USER_COLUMNS}"
        )))
        .bind(id.0)
        .bind(change.name.clone().or_else(|| before.name.clone()))
        .bind(change.role.unwrap_or(before.role).as_str())
        .bind(disabled_at.map(Stamp))
        .bind(Stamp(at))
        .bind(change.password_hash.clone())
        .bind(change.language.or(before.language).map(|l| l.code().to_owned()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        let after = user_from_row(&row)?;
        if change.password_hash.is_some() || (after.disabled_at.is_some() && before.disabled_at.is_none()) {
            sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(id.0)
                .bind(Stamp(at))
                .execute(&mut *self.tx)
                .await
                .map_err(db::<DB>)?;
        }
        Ok(Some((before, after)))
    }

    async fn create_token(&mut self, new: &NewToken, at: Timestamp) -> Result<ApiToken> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO api_tokens (company_id, role, name, prefix, secret_hash, created_by_user_id, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {TOKEN_COLUMNS}"
        )))
        .bind(new.company_id.map(|c| c.0))
        .bind(new.role.as_str())
        .bind(new.name.as_str())
        .bind(new.prefix.as_str())
        .bind(new.secret_hash.as_str())
        .bind(new.created_by.map(|u| u.0))
        .bind(new.expires_at.map(Stamp))
        .bind(Stamp(at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        Ok(token_from_row(&row)?.token)
    }

    async fn revoke_token(&mut self, scope: Scope, id: TokenId, at: Timestamp) -> Result<Option<ApiToken>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2)
              WHERE id = $1 AND ($3 IS NULL OR company_id = $3) RETURNING {TOKEN_COLUMNS}"
        )))
        .bind(id.0)
        .bind(Stamp(at))
        .bind(scope.company().map(|c| c.0))
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        row.map(|r| token_from_row(&r).map(|t| t.token)).transpose()
    }

    async fn audit(&mut self, entry: &NewAudit<'_>) -> Result<AuditId> {
        let overridden = (!entry.overridden.is_empty()).then(|| Jsonb::of(&entry.overridden));
        let id: i64 = sqlx::query(
            "INSERT INTO audit_log (company_id, actor_kind, actor_id, actor_label, action, entity, entity_id,
                before, after, overridden, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(entry.company_id.map(|c| c.0))
        .bind(entry.actor.kind())
        .bind(entry.actor.id())
        .bind(entry.actor.label())
        .bind(entry.action)
        .bind(entry.entity)
        .bind(entry.entity_id.clone())
        .bind(entry.before.as_ref().map(Jsonb::of))
        .bind(entry.after.as_ref().map(Jsonb::of))
        .bind(overridden)
        .bind(Stamp(entry.at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db::<DB>)?
        .col("id")?;
        Ok(AuditId(id))
    }

    async fn claim_operator_key(&mut self, principal: &str, key: &str, request_hash: &str, at: Timestamp) -> Result<IdempotentReplay> {
        // Inserted first: a concurrent request with the same key waits on this row's lock and
        // then finds the answer, instead of running the request a second time.
        let inserted = sqlx::query(
            "INSERT INTO operator_idempotency (principal, key, request_hash, status, response, created_at)
             VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (principal, key) DO NOTHING",
        )
        .bind(principal)
        .bind(key)
        .bind(request_hash)
        .bind(Stamp(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db::<DB>)?;
        if DB::rows_affected(&inserted) > 0 {
            return Ok(IdempotentReplay::First);
        }
        let row = sqlx::query("SELECT request_hash, status, response FROM operator_idempotency WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        if row.col::<String>("request_hash")? != request_hash {
            return Ok(IdempotentReplay::Mismatch);
        }
        Ok(IdempotentReplay::Answered {
            status: u16::try_from(row.col::<i64>("status")?).unwrap_or(500),
            body: row.col("response")?,
        })
    }

    async fn store_operator_answer(&mut self, principal: &str, key: &str, status: u16, body: &str) -> Result<()> {
        sqlx::query("UPDATE operator_idempotency SET status = $3, response = $4 WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .bind(i64::from(status))
            .bind(body)
            .execute(&mut *self.tx)
            .await
            .map_err(db::<DB>)?;
        Ok(())
    }
}
}
