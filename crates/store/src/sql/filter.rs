//! Optional filters of list queries.

use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::CompanyId;
use sqlx::{QueryBuilder, Type};

use crate::{Result, StoreError};

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

    /// `company_id` confined to `scope`, narrowed to the `asked` company: the one place an
    /// operator's list is cut to what they may see. A company outside the scope is not found.
    pub(crate) fn scoped(&mut self, scope: Scope, asked: Option<CompanyId>) -> Result<&mut Self>
    where
        for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    {
        let company = scope.narrow(asked).map_err(|_| StoreError::NotFound("company"))?;
        Ok(self.eq("company_id", company.map(|c| c.0)))
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
