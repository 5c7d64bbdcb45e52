//! The store's one error type.
//!
//! Policy: callers see *what kind* of failure happened, never driver details they would have to
//! parse. [`StoreError::Unavailable`] is worth retrying (the HTTP layer answers 503 so that
//! senders retry); [`StoreError::Rejected`] is the client's fault and names what to fix; the rest
//! are bugs or corruption and are logged with their source.

use frontdesk_domain::tenant_file::TenantFileError;

use crate::backend::{Backend, ErrorClass};

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable, busy or shutting down; retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A unique constraint refused the write (a concurrent writer got there first).
    #[error("conflicting write: {0}")]
    Conflict(#[source] sqlx::Error),
    /// Input that cannot be stored, with every problem found.
    #[error(transparent)]
    Rejected(#[from] TenantFileError),
    /// A request the store cannot act on (a malformed cursor, …).
    #[error("{0}")]
    InvalidInput(String),
    /// The thing asked for does not exist (or belongs to another tenant).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Stored data that does not parse: a bug or manual tampering.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database cannot store this data (see `ErrorClass::Unstorable`): a permanent failure
    /// of this request only.
    #[error("the database cannot store this data: {0}")]
    Unstorable(#[source] sqlx::Error),
    /// The call id is already a call of another tenant (I7): the request is refused, and the
    /// call is left as it was. `call` is the stored call, when it is known.
    #[error("the call belongs to another company")]
    CallOfAnotherTenant {
        /// The stored call.
        call: Option<frontdesk_domain::ids::CallId>,
        /// Its company.
        company: Option<frontdesk_domain::ids::CompanyId>,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A group commit failed as a whole: every request in it gets this copy of the cause (which
    /// is logged once where it happened).
    #[error("{message}")]
    Group {
        /// The cause, as text.
        message: String,
        /// Whether the cause was transient.
        transient: bool,
    },
}

impl StoreError {
    /// Whether retrying the same operation later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Group { transient: true, .. })
    }

    /// The store is shutting down: nothing more is written (transient, like a closed pool).
    pub fn shutting_down() -> Self {
        Self::Unavailable(sqlx::Error::PoolClosed)
    }

    pub(crate) fn from_sqlx<DB: Backend>(error: sqlx::Error) -> Self {
        match DB::classify(&error) {
            ErrorClass::Transient => Self::Unavailable(error),
            ErrorClass::Unique | ErrorClass::SlotTaken => Self::Conflict(error),
            ErrorClass::Unstorable => Self::Unstorable(error),
            ErrorClass::Other => Self::Database(error),
        }
    }

    pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("{what}: {detail}"))
    }
}
