//! frontdesk's storage: one store API with two backends, SQLite (embedded, the default) and
//! PostgreSQL (several server processes sharing one database).
//!
//! The API is a set of traits grouped by domain area ([`Tenants`], …), combined into [`Store`]
//! (operations that are one transaction each, and reads) and [`StoreTx`] (the steps of a write
//! transaction that the caller composes and commits). Both backends share one SQL implementation
//! ([`sql`]); what differs between them lives in [`backend`]. Every invariant of `DESIGN.md` is
//! enforced by the schema (`migrations/`), not by this code alone.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use frontdesk_domain::directory::Directory;
use frontdesk_domain::tenant_file::TenantSpec;
use jiff::Timestamp;

pub mod backend;
mod error;
mod migrate;
mod open;
mod sql;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use backend::BackendKind;
pub use error::{Result, StoreError};
pub use open::{StoreOptions, open};

/// Lifecycle of the store: migrations, readiness, transactions.
#[async_trait]
pub trait StoreCore: Send + Sync + fmt::Debug {
    /// Which database this is.
    fn kind(&self) -> BackendKind;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;

    /// Whether the database answers and every embedded migration is applied.
    async fn readiness(&self) -> Result<Readiness>;

    /// Starts a write transaction. On SQLite it holds the single writer until committed or
    /// dropped: keep it short and never wait for anything external while it is open.
    async fn begin(&self) -> Result<Box<dyn StoreTx>>;

    /// Closes all connections.
    async fn close(&self);
}

/// The database's state as far as serving traffic is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// Embedded migrations not yet applied.
    pub pending_migrations: usize,
}

impl Readiness {
    /// Ready to serve.
    pub fn is_ready(&self) -> bool {
        self.pending_migrations == 0
    }
}

/// Tenant configuration.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Creates or updates every company of `spec` in one transaction. Entities missing from the
    /// file are deactivated (their history stays), unchanged rows are not touched, and a number
    /// routed to another company's branch rejects the whole import.
    async fn import_tenants(&self, spec: &TenantSpec, now: Timestamp) -> Result<ImportReport>;

    /// A counter that changes whenever tenant configuration changes.
    async fn config_version(&self) -> Result<i64>;

    /// Every active company, branch, number, service and staff member.
    async fn load_directory(&self) -> Result<Directory>;

    /// Whether any company exists.
    async fn has_tenants(&self) -> Result<bool>;
}

/// What an import changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Companies in the file.
    pub companies: usize,
    /// Rows inserted, updated or deactivated; zero when the file matched the database.
    pub changed_rows: u64,
}

/// The steps of a write transaction. Dropping it without [`TxCore::commit`] rolls back.
#[async_trait]
pub trait TxCore: Send {
    /// Makes every step durable at once.
    async fn commit(self: Box<Self>) -> Result<()>;

    /// Discards every step.
    async fn rollback(self: Box<Self>) -> Result<()>;
}

/// Everything the store offers, for use as `Arc<dyn Store>`.
pub trait Store: StoreCore + Tenants {}
impl<T: StoreCore + Tenants> Store for T {}

/// Everything a write transaction offers, for use as `Box<dyn StoreTx>`.
pub trait StoreTx: TxCore {}
impl<T: TxCore> StoreTx for T {}

/// A shared store handle.
pub type SharedStore = Arc<dyn Store>;
