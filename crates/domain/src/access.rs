//! Who may do what: operators' roles, and the company scope every operator-facing read and
//! change is confined to.
//!
//! A principal (a user or an API token) belongs to the platform or to one company. What it may do
//! is its [`Role`]; what it may see is its [`Scope`]. The store's operator-facing queries take a
//! `Scope`, so a handler cannot forget it; the rules of which role may do what are
//! [`Role::may`], in one place.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{CompanyId, TokenId, UserId};
use crate::records::string_enum;

string_enum! {
    /// An operator's role.
    Role {
        /// Sees and changes every company, the platform's users and tokens.
        PlatformAdmin = "platform_admin",
        /// Everything in their company, including its users, tokens and settings.
        Owner = "owner",
        /// The company's calendar, customers, calls and callbacks; no users, tokens or settings.
        Staff = "staff",
    }
}

/// What an operator may want to do, as far as roles are concerned. Which *rows* it touches is the
/// [`Scope`]'s business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read the company's calendar, customers, calls, callbacks, outbox and audit log.
    Read,
    /// Book, move and cancel appointments; edit customers; work on callbacks; enter absences.
    Operate,
    /// Manage the company's users and API tokens.
    ManageAccess,
    /// Change the company's configuration (tenant file, integrations).
    Configure,
    /// What only the platform may do: create companies, change integration endpoints, see
    /// deliveries not yet tied to a company.
    Platform,
}

impl Role {
    /// Whether this role may do `action` (within its scope).
    pub fn may(self, action: Action) -> bool {
        match (self, action) {
            (Self::PlatformAdmin, _) => true,
            (Self::Owner, Action::Platform) => false,
            (Self::Owner, _) => true,
            (Self::Staff, Action::Read | Action::Operate) => true,
            (Self::Staff, _) => false,
        }
    }

    /// Whether a principal of this role may create one of `other` (nobody hands out more than
    /// they have: an owner creates owners and staff, staff create nothing).
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Self::PlatformAdmin => true,
            Self::Owner => other != Self::PlatformAdmin,
            Self::Staff => false,
        }
    }
}

/// The rows a principal may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Scope {
    /// Every company.
    Platform,
    /// One company.
    Company(CompanyId),
}

impl Scope {
    /// The one company of this scope; `None` for the platform.
    pub fn company(self) -> Option<CompanyId> {
        match self {
            Self::Platform => None,
            Self::Company(c) => Some(c),
        }
    }

    /// Whether `company`'s rows are visible in this scope.
    pub fn covers(self, company: CompanyId) -> bool {
        match self {
            Self::Platform => true,
            Self::Company(c) => c == company,
        }
    }

    /// The company filter of a list: the scope's company, narrowed by the one asked for. `None`
    /// means every company (platform scope, nothing asked); `Err` means the asked one is outside.
    pub fn narrow(self, asked: Option<CompanyId>) -> Result<Option<CompanyId>, OutOfScope> {
        match (self, asked) {
            (Self::Platform, asked) => Ok(asked),
            (Self::Company(c), None) => Ok(Some(c)),
            (Self::Company(c), Some(a)) if a == c => Ok(Some(c)),
            (Self::Company(_), Some(_)) => Err(OutOfScope),
        }
    }
}

/// Something outside the principal's scope: answered like something that does not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfScope;

/// Who is acting: recorded in the audit log with every change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A user, logged in or through the CLI on their behalf.
    User {
        /// The user.
        id: UserId,
        /// Their e-mail address (the audit log's label).
        email: String,
    },
    /// An API token.
    Token {
        /// The token.
        id: TokenId,
        /// Its name and public prefix.
        label: String,
    },
    /// The platform bootstrap token (`FRONTDESK_ADMIN_TOKEN`).
    AdminToken,
    /// The command line on the server itself.
    Cli,
}

impl Actor {
    /// The audit log's `actor_kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User { .. } => "user",
            Self::Token { .. } => "token",
            Self::AdminToken => "admin_token",
            Self::Cli => "cli",
        }
    }

    /// The id of the user or token.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::User { id, .. } => Some(id.0),
            Self::Token { id, .. } => Some(id.0),
            Self::AdminToken | Self::Cli => None,
        }
    }

    /// A short human label.
    pub fn label(&self) -> String {
        match self {
            Self::User { email, .. } => email.clone(),
            Self::Token { label, .. } => label.clone(),
            Self::AdminToken => "admin token".to_owned(),
            Self::Cli => "command line".to_owned(),
        }
    }

    /// The user, if a user acts.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Self::User { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// An authenticated operator: who, with which role, over which rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Who.
    pub actor: Actor,
    /// What they may do.
    pub role: Role,
    /// What they may see.
    pub scope: Scope,
}

impl Principal {
    /// The platform bootstrap principal of `FRONTDESK_ADMIN_TOKEN`.
    pub fn admin_token() -> Self {
        Self { actor: Actor::AdminToken, role: Role::PlatformAdmin, scope: Scope::Platform }
    }

    /// The command line, acting for the platform.
    pub fn cli() -> Self {
        Self { actor: Actor::Cli, role: Role::PlatformAdmin, scope: Scope::Platform }
    }

    /// Whether the role allows `action`.
    pub fn may(&self, action: Action) -> bool {
        self.role.may(action)
    }

    /// A stable key for per-principal state (idempotency keys).
    pub fn key(&self) -> String {
        match &self.actor {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Token { id, .. } => format!("token:{id}"),
            Actor::AdminToken => "admin_token".to_owned(),
            Actor::Cli => "cli".to_owned(),
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.actor.label(), self.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_operate_but_do_not_manage() {
        assert!(Role::Staff.may(Action::Operate));
        assert!(!Role::Staff.may(Action::ManageAccess));
        assert!(!Role::Staff.may(Action::Configure));
        assert!(Role::Owner.may(Action::ManageAccess));
        assert!(!Role::Owner.may(Action::Platform));
        assert!(!Role::Owner.may_grant(Role::PlatformAdmin));
        assert!(!Role::Staff.may_grant(Role::Staff));
    }

    #[test]
    fn a_company_scope_never_widens() {
        let (a, b) = (CompanyId(1), CompanyId(2));
        assert_eq!(Scope::Company(a).narrow(None), Ok(Some(a)));
        assert_eq!(Scope::Company(a).narrow(Some(b)), Err(OutOfScope));
        assert_eq!(Scope::Platform.narrow(Some(b)), Ok(Some(b)));
        assert!(!Scope::Company(a).covers(b));
    }
}
