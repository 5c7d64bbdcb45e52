//! Lists in pages: one row more than asked is fetched to learn whether another page follows;
//! the cursor is the last id seen.

use crate::model::PageRequest;
use crate::{Result, StoreError};

/// Trims the one extra row fetched to learn whether another page follows.
pub(crate) fn paginate<T>(items: &mut Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> Option<String> {
    if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(cursor)
    } else {
        None
    }
}

/// The id a page continues after (0 for the first page).
pub(crate) fn id_cursor(page: &PageRequest) -> Result<i64> {
    match &page.cursor {
        Some(c) => c.parse::<i64>().map_err(|_| bad_cursor(c)),
        None => Ok(0),
    }
}

pub(crate) fn bad_cursor(cursor: &str) -> StoreError {
    StoreError::InvalidInput(format!("`{cursor}` is not a cursor from a previous page"))
}
