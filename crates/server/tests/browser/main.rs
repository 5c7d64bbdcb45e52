//! The dashboard in a real browser: Debian's Chromium driven over WebDriver (chromedriver)
//! through fantoccini, against the real server on a random port with the demo seed (the same
//! logins and week of appointments as `serve --demo`) and a few simulated phone calls.
//!
//! It runs on SQLite; `FRONTDESK_BROWSER_BACKEND=postgres` points the same test at PostgreSQL.
//! Without `chromedriver` (or `FRONTDESK_CHROMEDRIVER`) it prints a note and passes, unless
//! `FRONTDESK_REQUIRE_BROWSER=1` (CI sets it). `FRONTDESK_SCREENSHOTS=DIR` saves screenshots of
//! the main pages there (the README's are made so: `docs/screenshots`).

mod driver;
mod journeys;
