//! Keeping the heap's resident set close to what the server really holds.
//!
//! mimalloc (the global allocator, see `main.rs`) is fast because it keeps freed memory for
//! reuse, and two of its habits made an idle `serve --demo` more than twice the size of what it
//! holds (measured in `/proc/PID/smaps_rollup`):
//!
//! - **Transparent huge pages.** mimalloc asks the kernel for 2 MiB pages for its arenas, and a
//!   huge page is resident whole as soon as one byte of it is touched: 54 of the 56 MiB of
//!   anonymous memory were huge pages. The crate feature `no_thp` (Cargo.toml) turns that off:
//!   17 MiB.
//! - **Returning free pages late.** mimalloc hands free pages back to the kernel ("purges") a
//!   second after they fall free, and only when it is next busy: a server that falls quiet after
//!   a burst (the demo's password hashes take 19 MiB each) keeps the burst's pages. [`configure`]
//!   makes it purge at once: 10 MiB.
//!
//! What this costs under load is measured by the benchmark's A/B (README, "Memory footprint").
//! `MIMALLOC_PURGE_DELAY` in the environment still wins, to tune or to compare.

// The only `unsafe` in the workspace: one call into mimalloc's C API, which has no safe wrapper.
#![allow(unsafe_code)]

use libmimalloc_sys::mi_option_t;

/// `mi_option_purge_delay` of mimalloc 3's `mi_option_e` (mimalloc.h): the option right before
/// `mi_option_use_numa_nodes`, which the bindings do name (the test below ties the two).
const PURGE_DELAY: mi_option_t = 15;

/// Purge free pages at once, unless the environment says otherwise. Called first thing in
/// `main`.
pub fn configure() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: `mi_option_set` takes no pointers and may be called at any time from any thread
    // (mimalloc reads the option on each purge); `PURGE_DELAY` is an option of this mimalloc
    // build (the test below) and 0 is a documented value ("0 for immediate purging").
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_the_option_before_numa_nodes() {
        assert_eq!(PURGE_DELAY + 1, libmimalloc_sys::mi_option_use_numa_nodes);
    }
}
