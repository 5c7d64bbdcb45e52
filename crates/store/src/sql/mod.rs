//! The one SQL implementation of the store, generic over the backend.
//!
//! Module map: [`row`] reads columns, [`filter`] builds optional `WHERE` clauses, [`page`] cuts
//! lists into pages, [`conn`] holds queries shared by reads and write transactions; then one
//! module per area: [`tenants`] (directory and import), [`bookings`], [`call_rows`] (how calls,
//! traces and deliveries are read), [`calls`], [`record`] (the one write path of calls, traces
//! and deliveries), [`outbox`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::{Pool, Transaction};

use crate::backend::{Backend, BackendKind};
use crate::group_commit::{CommitBatch, GroupCommit, MAX_BATCH};
use crate::lane::Lane;
use crate::model::{Record, Recorded};
use crate::{BoxedWork, Readiness, Result, StoreCore, StoreError, StoreTx, TxCore};

/// Implements a store trait (or an inherent block) for every backend under the one set of bounds
/// the SQL needs: the Rust types it binds and reads (`i64`, `bool`, strings, [`Stamp`],
/// [`Jsonb`]), which both drivers support. Rust cannot name such a bound set once (bounds on
/// other types are not implied by a trait), so this macro is the one place it is written.
/// Usage: `for_backends! { #[async_trait] impl [Calls for SqlStore<DB>] { … } }`.
///
/// [`Stamp`]: crate::backend::Stamp
/// [`Jsonb`]: crate::backend::Jsonb
macro_rules! for_backends {
    ($(#[$attr:meta])* impl [$($head:tt)*] $body:tt) => {
        $(#[$attr])*
        impl<DB: $crate::backend::Backend> $($head)*
        where
            for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
            for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
            for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
            for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
            for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> $crate::backend::Stamp: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
            for<'q> $crate::backend::Jsonb: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<i64>: sqlx::Encode<'q, DB>,
            for<'q> Option<String>: sqlx::Encode<'q, DB>,
            for<'q> Option<$crate::backend::Stamp>: sqlx::Encode<'q, DB>,
            for<'q> Option<$crate::backend::Jsonb>: sqlx::Encode<'q, DB>,
            for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
            DB::Arguments: sqlx::IntoArguments<DB> + Default,
            DB::Connection: sqlx::migrate::Migrate,
        $body
    };
}

mod accounts;
mod bookings;
mod call_rows;
mod calls;
mod conn;
mod customers;
mod days_off;
mod filter;
mod notifications;
mod outbox;
mod page;
mod record;
mod row;
mod summaries;
mod tenants;

pub(crate) use conn::Conn;
pub(crate) use filter::Filtered;
pub(crate) use page::{bad_cursor, id_cursor, paginate};
pub(crate) use row::{RowExt, parse_json};

/// A store over one backend: a writer pool and a reader pool (the same pool on PostgreSQL),
/// the lane its write transactions run on and the group commit in front of it.
pub(crate) struct SqlStore<DB: Backend> {
    writer: Pool<DB>,
    reader: Pool<DB>,
    lane: Lane,
    group: GroupCommit,
    /// SQLite's checkpoints (a file database only); stops with the store.
    _checkpointer: Option<crate::checkpoint::Checkpointer>,
}

for_backends! {
impl [SqlStore<DB>] {
    /// Assembles the store and starts its writers; call inside a Tokio runtime.
    pub(crate) fn new(
        lane: Lane,
        writer: Pool<DB>,
        reader: Pool<DB>,
        checkpointer: Option<crate::checkpoint::Checkpointer>,
    ) -> Self {
        let pool = writer.clone();
        let commit: CommitBatch = Arc::new(move |batch| {
            let pool = pool.clone();
            Box::pin(async move {
                let result = Self::commit_batch(&pool, &batch).await;
                (batch, result)
            })
        });
        let group = GroupCommit::start(DB::KIND, &lane, commit);
        Self { writer, reader, lane, group, _checkpointer: checkpointer }
    }

    /// Runs `work` on the writer pool where the store runs writes (its lane): single statements
    /// that write go there too, so on SQLite nothing competes with a transaction for the writer
    /// from another thread.
    async fn on_lane<T, F>(&self, work: impl FnOnce(Pool<DB>) -> F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.lane.run(work(self.writer.clone())).await
    }

    /// Records `batch` in transactions of at most [`MAX_BATCH`] records.
    async fn commit_batch(pool: &Pool<DB>, batch: &[Record]) -> Result<Vec<Recorded>> {
        let mut results = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(MAX_BATCH) {
            let mut tx = pool.begin_with(DB::BEGIN_WRITE).await.map_err(db::<DB>)?;
            results.extend(Conn::<DB>(&mut tx).record(chunk).await?);
            tx.commit().await.map_err(db::<DB>)?;
        }
        Ok(results)
    }
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

for_backends! {
#[async_trait]
impl [StoreCore for SqlStore<DB>] {
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

    async fn write_boxed(&self, work: BoxedWork) -> Result<()> {
        let writer = self.writer.clone();
        self.lane
            .run(async move {
                let tx = writer.begin_with(DB::BEGIN_WRITE).await.map_err(db::<DB>)?;
                let mut tx = SqlTx { tx };
                work(&mut tx).await?;
                tx.tx.commit().await.map_err(db::<DB>)
            })
            .await
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
}

for_backends! {
#[async_trait]
impl [TxCore for SqlTx<DB>] {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(db::<DB>)
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        self.tx.rollback().await.map_err(db::<DB>)
    }
}
}
