//! Reading and validating tenant files (`fixtures/demo-tenant.toml` is the reference).
//!
//! Parsing is deliberately loose (numbers as `i64`, times as strings) so that validation, not the
//! TOML deserializer, produces the errors: every error names the company, the entity key and the
//! field, and all errors of a file are reported at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::phone::E164;
use crate::tenant::{BranchDef, CompanyDef, CustomerDef, Key, ServiceDef, StaffDef};

mod export;
mod raw;
#[cfg(test)]
mod tests;
mod validate;

pub use export::company_toml;
use raw::RawFile;
use validate::Validator;

/// A validated tenant file: everything needed to create or update its companies.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantSpec {
    /// The companies, in file order.
    pub companies: Vec<CompanySpec>,
}

impl TenantSpec {
    /// What the file allows but an operator should know: a company mirrored into Cal.com with
    /// only per-service event types lets Cal.com pick who hosts each booking. One line per
    /// company, naming the staff members and services without their own event type.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for company in &self.companies {
            let Some(calcom) = &company.calcom else { continue };
            let mut unmapped = Vec::new();
            for staff in company.branches.iter().flat_map(|b| &b.staff) {
                for service in &staff.services {
                    let own = calcom.staff_event_types.contains_key(&(staff.key.clone(), service.clone()));
                    if !own && calcom.event_types.contains_key(service) {
                        unmapped.push(format!("{}/{service}", staff.key));
                    }
                }
            }
            if !unmapped.is_empty() {
                out.push(format!(
                    "company `{}`: Cal.com will pick the host for {} (one event type per service); map each to the \
                     staff member's own event type in `[company.calcom] staff_event_types` to book the right person",
                    company.def.key,
                    unmapped.join(", ")
                ));
            }
        }
        out
    }
}

/// One company of a tenant file with everything it owns.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanySpec {
    /// The company itself.
    pub def: CompanyDef,
    /// Its services.
    pub services: Vec<ServiceDef>,
    /// Its branches, each with its staff.
    pub branches: Vec<BranchSpec>,
    /// Known customers.
    pub customers: Vec<CustomerDef>,
    /// Cal.com connection, if the company mirrors its calendar there.
    pub calcom: Option<CalcomDef>,
}

/// A branch with its staff.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchSpec {
    /// The branch.
    pub def: BranchDef,
    /// Staff working there.
    pub staff: Vec<StaffDef>,
}

/// A company's Cal.com connection.
#[derive(Clone, PartialEq, Eq)]
pub struct CalcomDef {
    /// API base, e.g. `https://api.cal.com/v2`.
    pub base_url: String,
    /// API key.
    pub api_key: Secret,
    /// Secret for `X-Cal-Signature-256`.
    pub webhook_secret: Secret,
    /// Service key → Cal.com event type id.
    pub event_types: BTreeMap<Key, i64>,
    /// Staff key → Cal.com user id.
    pub users: BTreeMap<Key, i64>,
    /// (staff key, service key) → the Cal.com event type that books this staff member for this
    /// service: how Cal.com is told the host.
    pub staff_event_types: BTreeMap<(Key, Key), i64>,
}

impl fmt::Debug for CalcomDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalcomDef")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("event_types", &self.event_types)
            .field("users", &self.users)
            .field("staff_event_types", &self.staff_event_types)
            .finish()
    }
}

/// A secret as the tenant file gives it: the value itself, or the name of an environment
/// variable holding it. The file is parsed without I/O; whoever imports it resolves the names
/// ([`TenantSpec::resolve_secrets`]).
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// The value.
    Given(String),
    /// The environment variable that holds the value.
    FromEnv(String),
}

impl Secret {
    /// The value, once resolved.
    pub fn given(&self) -> Option<&str> {
        match self {
            Secret::Given(value) => Some(value),
            Secret::FromEnv(_) => None,
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Given(_) => f.write_str("Given(<redacted>)"),
            Secret::FromEnv(var) => f.debug_tuple("FromEnv").field(var).finish(),
        }
    }
}

impl TenantSpec {
    /// Replaces every secret named by an environment variable with its value, looked up with
    /// `lookup` (the caller's environment). A variable that is unset or empty is a problem naming
    /// company and field.
    pub fn resolve_secrets(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<TenantSpec, TenantFileError> {
        let mut problems = Vec::new();
        for company in &mut self.companies {
            let Some(calcom) = company.calcom.as_mut() else { continue };
            for (field, secret) in
                [("api_key_env", &mut calcom.api_key), ("webhook_secret_env", &mut calcom.webhook_secret)]
            {
                if let Secret::FromEnv(var) = secret {
                    match lookup(var).filter(|v| !v.is_empty()) {
                        Some(value) => *secret = Secret::Given(value),
                        None => problems.push(Problem {
                            company: company.def.key.to_string(),
                            entity: "calcom".into(),
                            field: field.into(),
                            message: format!("environment variable `{var}` is not set"),
                        }),
                    }
                }
            }
        }
        if problems.is_empty() { Ok(self) } else { Err(TenantFileError::Invalid(problems)) }
    }
}

/// One problem in a tenant file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The company's key (or its position if the key itself is bad).
    pub company: String,
    /// The entity within the company, e.g. ``service `faerben` ``; empty for the company itself.
    pub entity: String,
    /// The field, e.g. `duration`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "company `{}`", self.company)?;
        if !self.entity.is_empty() {
            write!(f, ", {}", self.entity)?;
        }
        write!(f, ", field `{}`: {}", self.field, self.message)
    }
}

/// Why a tenant file was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TenantFileError {
    /// Not valid TOML, or not the tenant file's shape (unknown keys, wrong types).
    #[error("tenant file is not valid: {0}")]
    Syntax(String),
    /// Valid shape, invalid content.
    #[error("tenant file is invalid:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl TenantFileError {
    /// The individual problems (empty for syntax errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Syntax(_) => &[],
            Self::Invalid(p) => p,
        }
    }
}

/// Parses and validates a tenant file.
pub fn parse(text: &str) -> Result<TenantSpec, TenantFileError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| TenantFileError::Syntax(e.to_string()))?;
    if let Some(at) = nul_in(&toml::Value::Table(table), String::new()) {
        // The rule of `crate::text`, but a file an operator can fix is refused rather than changed.
        return Err(TenantFileError::Syntax(format!("`{at}` contains a NUL character (\\u0000)")));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| TenantFileError::Syntax(e.to_string()))?;
    let mut problems = Vec::new();
    let mut numbers_seen: HashMap<E164, String> = HashMap::new();
    let mut keys_seen = HashSet::new();
    let mut companies = Vec::new();
    for (index, company) in raw.company.into_iter().enumerate() {
        let mut v = Validator { company: company_label(&company.key, index), problems: &mut problems };
        if !keys_seen.insert(company.key.clone()) {
            v.problem("", "key", format!("company `{}` appears twice", company.key));
        }
        if let Some(spec) = v.company(company, &mut numbers_seen) {
            companies.push(spec);
        }
    }
    if problems.is_empty() { Ok(TenantSpec { companies }) } else { Err(TenantFileError::Invalid(problems)) }
}

/// The path of the first key or string holding a NUL character.
fn nul_in(value: &toml::Value, path: String) -> Option<String> {
    match value {
        toml::Value::String(s) if s.contains('\0') => Some(path),
        toml::Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_in(v, format!("{path}[{i}]"))),
        toml::Value::Table(table) => table.iter().find_map(|(k, v)| {
            let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            if k.contains('\0') { Some(here) } else { nul_in(v, here) }
        }),
        _ => None,
    }
}

fn company_label(key: &str, index: usize) -> String {
    if key.is_empty() { format!("#{}", index + 1) } else { key.to_owned() }
}

/// The demo tenants (`fixtures/demo-tenant.toml`), embedded so that `serve --demo` needs no files.
pub const DEMO_TENANTS: &str = include_str!("../../../../fixtures/demo-tenant.toml");
