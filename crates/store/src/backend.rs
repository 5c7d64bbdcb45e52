//! What differs between SQLite and PostgreSQL, in one place.
//!
//! All SQL in [`crate::sql`] is written once, with `$n` placeholders that both drivers accept.
//! Columns that are stored differently are bound and read through two types defined here:
//! [`Stamp`] (INTEGER microseconds on SQLite, `timestamptz` on PostgreSQL) and [`Jsonb`] (TEXT on
//! SQLite, `jsonb` on PostgreSQL). The few statements that must differ, the transaction start and
//! the reading of driver errors are the [`Backend`] trait.

use std::fmt;

use jiff::Timestamp;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::migrate::Migrator;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgTypeInfo, PgValueFormat};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// How a driver error should be treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// The no-overlap guarantee (I1) refused the write.
    SlotTaken,
    /// A unique constraint refused the write.
    Unique,
    /// Worth retrying: lock timeouts, serialization failures, lost connections.
    Transient,
    /// The data itself cannot be stored (text the database's encoding refuses, a value beyond
    /// an index's size limit): retrying cannot help, and the sender should hear so.
    Unstorable,
    /// Anything else.
    Other,
}

/// The database-specific parts of the store.
pub(crate) trait Backend: Database {
    /// Which backend this is.
    const KIND: BackendKind;

    /// Starts a write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`), so a
    /// transaction that reads before it writes can never fail to upgrade its lock.
    const BEGIN_WRITE: &'static str;

    /// Appended to a `SELECT` that must lock the rows it reads until commit (PostgreSQL); empty
    /// where the transaction already excludes every other writer (SQLite).
    const FOR_UPDATE: &'static str;

    /// Appended to a `SELECT` that serialises writers on a row without blocking foreign-key
    /// checks against it (PostgreSQL's `FOR NO KEY UPDATE`); empty on SQLite.
    const FOR_NO_KEY_UPDATE: &'static str;

    /// Appended to the `SELECT` that picks jobs to claim: on PostgreSQL concurrent workers skip
    /// each other's rows instead of queueing behind them; SQLite has one writer anyway.
    const SKIP_LOCKED: &'static str;

    /// The embedded migrations of this backend.
    fn migrator() -> &'static Migrator;

    /// Classifies a driver error.
    fn classify(error: &sqlx::Error) -> ErrorClass;

    /// Rows changed by a statement.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

fn classify_common(error: &sqlx::Error) -> Option<ErrorClass> {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => Some(ErrorClass::Transient),
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(ErrorClass::Unique),
        _ => None,
    }
}

impl Backend for Sqlite {
    const KIND: BackendKind = BackendKind::Sqlite;
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const FOR_UPDATE: &'static str = "";
    const FOR_NO_KEY_UPDATE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";

    fn migrator() -> &'static Migrator {
        &crate::migrate::SQLITE
    }

    fn classify(error: &sqlx::Error) -> ErrorClass {
        if let sqlx::Error::Database(db) = error {
            if db.message().contains(SQLITE_SLOT_TAKEN) {
                return ErrorClass::SlotTaken;
            }
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
            if let Some(code) = db.code().and_then(|c| c.parse::<i32>().ok())
                && matches!(code & 0xff, 5 | 6)
            {
                return ErrorClass::Transient;
            }
        }
        classify_common(error).unwrap_or(ErrorClass::Other)
    }

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

/// The message of the SQLite triggers that guard I1 (see the SQLite migration).
pub(crate) const SQLITE_SLOT_TAKEN: &str = "frontdesk: slot taken";

impl Backend for Postgres {
    const KIND: BackendKind = BackendKind::Postgres;
    const BEGIN_WRITE: &'static str = "BEGIN";
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const FOR_NO_KEY_UPDATE: &'static str = " FOR NO KEY UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    fn migrator() -> &'static Migrator {
        &crate::migrate::POSTGRES
    }

    fn classify(error: &sqlx::Error) -> ErrorClass {
        if let sqlx::Error::Database(db) = error {
            match db.code().as_deref() {
                // exclusion_violation: the constraint that guards I1.
                Some("23P01") => return ErrorClass::SlotTaken,
                // serialization_failure, deadlock_detected, lock_not_available, admin_shutdown,
                // cannot_connect_now
                Some("40001" | "40P01" | "55P03" | "57P01" | "57P03") => return ErrorClass::Transient,
                // character_not_in_repertoire (a NUL in text), untranslatable_character (a NUL
                // in jsonb), string_data_right_truncation, program_limit_exceeded (an index row
                // too large): what frontdesk's text rule keeps out, should anything slip through.
                Some("22021" | "22P05" | "22001" | "54000") => return ErrorClass::Unstorable,
                _ => {}
            }
        }
        classify_common(error).unwrap_or(ErrorClass::Other)
    }

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

/// An instant as stored: microsecond precision, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(pub Timestamp);

impl Stamp {
    fn micros(self) -> i64 {
        self.0.as_microsecond()
    }

    fn from_micros(us: i64) -> Result<Self, BoxDynError> {
        Ok(Self(Timestamp::from_microsecond(us)?))
    }
}

impl Type<Sqlite> for Stamp {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for Stamp {
    fn encode_by_ref(&self, buf: &mut <Sqlite as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<Sqlite>>::encode(self.micros(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Stamp {
    fn decode(value: <Sqlite as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Self::from_micros(<i64 as Decode<Sqlite>>::decode(value)?)
    }
}

/// PostgreSQL counts timestamps in microseconds from 2000-01-01T00:00:00Z.
const PG_EPOCH_OFFSET_US: i64 = 946_684_800_000_000;

/// Well-known type OIDs (fixed in PostgreSQL's catalog), so no lookup is needed per connection.
const TIMESTAMPTZ_OID: Oid = Oid(1184);
const JSONB_OID: Oid = Oid(3802);

impl Type<Postgres> for Stamp {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(TIMESTAMPTZ_OID)
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut <Postgres as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.extend_from_slice(&(self.micros() - PG_EPOCH_OFFSET_US).to_be_bytes());
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Stamp {
    fn decode(value: <Postgres as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 8] = value.as_bytes()?.try_into()?;
                Self::from_micros(i64::from_be_bytes(bytes) + PG_EPOCH_OFFSET_US)
            }
            PgValueFormat::Text => Err("timestamptz in text format is not expected".into()),
        }
    }
}

/// JSON text as stored: TEXT on SQLite, `jsonb` on PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Jsonb(pub String);

impl Jsonb {
    /// Serialises a value.
    pub fn of<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        // Serialising our own types to JSON cannot fail (no non-string map keys, no I/O).
        Self(serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()))
    }

    /// Deserialises into `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

impl Type<Sqlite> for Jsonb {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for Jsonb {
    fn encode_by_ref(&self, buf: &mut <Sqlite as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.0.clone(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Jsonb {
    fn decode(value: <Sqlite as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<String as Decode<Sqlite>>::decode(value)?))
    }
}

impl Type<Postgres> for Jsonb {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(JSONB_OID)
    }
}

/// The only binary `jsonb` format version PostgreSQL has.
const JSONB_VERSION: u8 = 1;

impl Encode<'_, Postgres> for Jsonb {
    fn encode_by_ref(&self, buf: &mut <Postgres as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push(JSONB_VERSION);
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Jsonb {
    fn decode(value: <Postgres as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let bytes = value.as_bytes()?;
        let text = match (value.format(), bytes.split_first()) {
            (PgValueFormat::Binary, Some((&JSONB_VERSION, rest))) => rest,
            (PgValueFormat::Binary, _) => return Err("unsupported jsonb format version".into()),
            (PgValueFormat::Text, _) => bytes,
        };
        Ok(Self(std::str::from_utf8(text)?.to_owned()))
    }
}
