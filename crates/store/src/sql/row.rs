//! Reading rows: columns with decoding failures reported as corrupt data, stored JSON.

use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::backend::Jsonb;
use crate::{Result, StoreError};

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

/// Parses a stored JSON column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, value: &Jsonb) -> Result<T> {
    value.parse().map_err(|e| StoreError::corrupt(what, e))
}
