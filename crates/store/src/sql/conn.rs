//! A connection that queries shared by reads and write transactions run on: a reader
//! connection outside a transaction, the transaction's own connection inside one. Each area
//! module adds its queries in an `impl Conn` block of its own.

use crate::backend::Backend;

/// Queries shared by reads (on a reader connection) and write transactions.
pub(crate) struct Conn<'c, DB: Backend>(pub &'c mut DB::Connection);
