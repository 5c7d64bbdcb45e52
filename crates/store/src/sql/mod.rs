//! The one SQL implementation of the store, generic over the backend.
//!
//! Every `impl` here carries the same `where` clause: it lists the Rust types the SQL binds and
//! reads (`i64`, `bool`, strings, [`Stamp`], [`Jsonb`]), which both drivers support. Rust cannot
//! name such a bound set once (bounds on other types are not implied by a trait), so each impl
//! block repeats it; the compiler checks they agree.

use std::fmt;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Executor, IntoArguments, Pool, QueryBuilder, Row, Transaction, Type};

use crate::backend::{Backend, BackendKind, Jsonb, Stamp};
use crate::{Readiness, Result, StoreCore, StoreError, StoreTx, TxCore};

mod bookings;
mod calls;
mod outbox;
mod record;
mod tenants;

/// A store over one backend: a writer pool and a reader pool (the same pool on PostgreSQL).
pub(crate) struct SqlStore<DB: Backend> {
    writer: Pool<DB>,
    reader: Pool<DB>,
}

impl<DB: Backend> SqlStore<DB> {
    pub(crate) fn new(writer: Pool<DB>, reader: Pool<DB>) -> Self {
        Self { writer, reader }
    }
}

impl<DB: Backend> fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore").field("backend", &DB::KIND).finish_non_exhaustive()
    }
}

/// An open write transaction.
pub(crate) struct SqlTx<DB: Backend> {
    tx: Transaction<'static, DB>,
}

/// Maps a driver error into the store's error policy.
pub(crate) fn db<DB: Backend>(error: sqlx::Error) -> StoreError {
    StoreError::from_sqlx::<DB>(error)
}

/// Reading a column, with decoding failures reported as corrupt data.
pub(crate) trait RowExt: Row {
    /// The value of column `name`.
    fn col<'r, T>(&'r self, name: &str) -> Result<T>
    where
        T: Decode<'r, Self::Database> + Type<Self::Database>;
}

impl<R: Row> RowExt for R
where
    for<'a> &'a str: ColumnIndex<R>,
{
    fn col<'r, T>(&'r self, name: &str) -> Result<T>
    where
        T: Decode<'r, Self::Database> + Type<Self::Database>,
    {
        self.try_get::<T, _>(name).map_err(|e| StoreError::corrupt(name, e))
    }
}

/// A `SELECT … WHERE` with only the conditions that apply. The alternative,
/// `($1 IS NULL OR column = $1)`, hides every index from the planner; optional filters are left
/// out instead.
pub(crate) struct Filtered<DB: sqlx::Database> {
    query: QueryBuilder<DB>,
    conditions: usize,
}

impl<DB: sqlx::Database> Filtered<DB>
where
    DB::Arguments: Default,
{
    /// Starts from `select` (without `WHERE`).
    pub(crate) fn new(select: impl Into<String>) -> Self {
        Self { query: QueryBuilder::new(select), conditions: 0 }
    }

    /// Starts the next condition with `sql`; bind its values on the returned builder.
    pub(crate) fn and(&mut self, sql: &str) -> &mut QueryBuilder<DB> {
        self.query.push(if self.conditions == 0 { " WHERE " } else { " AND " });
        self.conditions += 1;
        self.query.push(sql)
    }

    /// `column = value`, if there is a value.
    pub(crate) fn eq<T>(&mut self, column: &str, value: Option<T>) -> &mut Self
    where
        T: for<'q> sqlx::Encode<'q, DB> + Type<DB>,
    {
        if let Some(value) = value {
            self.and(column).push(" = ").push_bind(value);
        }
        self
    }

    /// The query, to continue a condition started with [`Filtered::and`].
    pub(crate) fn query_mut(&mut self) -> &mut QueryBuilder<DB> {
        &mut self.query
    }

    /// The query so far, to append `ORDER BY` and `LIMIT` to.
    pub(crate) fn query(self) -> QueryBuilder<DB> {
        self.query
    }
}

/// Parses a stored JSON column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, value: &Jsonb) -> Result<T> {
    value.parse().map_err(|e| StoreError::corrupt(what, e))
}

#[async_trait]
impl<DB: Backend> StoreCore for SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Stamp: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Jsonb: sqlx::Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> Option<Stamp>: sqlx::Encode<'q, DB>,
    for<'q> Option<Jsonb>: sqlx::Encode<'q, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
    DB::Arguments: IntoArguments<DB>,
    <DB as sqlx::Database>::Connection: sqlx::migrate::Migrate,
{
    fn kind(&self) -> BackendKind {
        DB::KIND
    }

    async fn migrate(&self) -> Result<()> {
        DB::migrator().run(&self.writer).await?;
        Ok(())
    }

    async fn readiness(&self) -> Result<Readiness> {
        let applied: Vec<i64> =
            match sqlx::query("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(&self.reader).await {
                Ok(rows) => rows.iter().map(|r| r.col::<i64>("version")).collect::<Result<_>>()?,
                // No migrations table yet: nothing applied.
                Err(sqlx::Error::Database(_)) => Vec::new(),
                Err(e) => return Err(db::<DB>(e)),
            };
        let pending = DB::migrator().iter().filter(|m| !applied.contains(&m.version)).count();
        Ok(Readiness { pending_migrations: pending })
    }

    async fn begin(&self) -> Result<Box<dyn StoreTx>> {
        let tx = self.writer.begin_with(DB::BEGIN_WRITE).await.map_err(db::<DB>)?;
        Ok(Box::new(SqlTx { tx }))
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl<DB: Backend> TxCore for SqlTx<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(db::<DB>)
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        self.tx.rollback().await.map_err(db::<DB>)
    }
}
