//! Optional filters of list queries.

use sqlx::{QueryBuilder, Type};

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
