//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database created next to the
//! one `FRONTDESK_TEST_POSTGRES_URL` names. Each is removed when dropped.
//!
//! Without `FRONTDESK_TEST_POSTGRES_URL`, PostgreSQL tests skip with a note on stderr, unless
//! `FRONTDESK_REQUIRE_POSTGRES=1` (set by CI), which turns the skip into a failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use frontdesk_domain::directory::Directory;
use frontdesk_domain::tenant_file;

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

use crate::{BackendKind, SharedStore, StoreOptions, open};

/// The variable naming a PostgreSQL database tests may create databases next to.
pub const POSTGRES_URL_VAR: &str = "FRONTDESK_TEST_POSTGRES_URL";
/// Set to `1` to make a missing PostgreSQL a test failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "FRONTDESK_REQUIRE_POSTGRES";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    /// URL to open it with.
    pub url: String,
    /// Its backend.
    pub kind: BackendKind,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(#[allow(dead_code)] tempfile::TempDir),
    Database { admin_url: String, name: String },
}

/// The self-join that finds double bookings.
pub const OVERLAPS: &str = "SELECT COUNT(*) FROM appointment_segments a JOIN appointment_segments b
    ON a.staff_id = b.staff_id AND a.id < b.id AND a.active AND b.active
   AND a.blocks_from < b.blocks_until AND b.blocks_from < a.blocks_until";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fault injected by [`TestDb::fail_writes_transiently`]; on SQLite it ends when dropped.
#[derive(Debug)]
pub struct TransientFault {
    _holder: Option<SqliteConnection>,
}

impl TestDb {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("frontdesk.db").display());
        TestDb { url, kind: BackendKind::Sqlite, cleanup: Cleanup::File(dir) }
    }

    /// A fresh PostgreSQL database, or `None` (with a note) when none is configured.
    ///
    /// # Panics
    /// When PostgreSQL is required but not configured or not reachable.
    pub async fn postgres() -> Option<TestDb> {
        let Some(admin_url) = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.trim().is_empty()) else {
            if std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1") {
                panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set");
            }
            eprintln!("note: {POSTGRES_URL_VAR} is not set; skipping the PostgreSQL variant");
            return None;
        };
        let name = format!(
            "frontdesk_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            jiff::Timestamp::now().as_millisecond() % 1_000_000
        );
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_VAR}: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = replace_database(&admin_url, &name);
        Some(TestDb { url, kind: BackendKind::Postgres, cleanup: Cleanup::Database { admin_url, name } })
    }

    /// Both backends: SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![Self::sqlite()];
        dbs.extend(Self::postgres().await);
        dbs
    }

    /// Opens the database and applies the migrations.
    pub async fn open(&self) -> SharedStore {
        let store = open(&self.url, &StoreOptions::default()).await.expect("open test database");
        store.migrate().await.expect("migrate test database");
        store
    }

    /// Opens the database with the migrations up to `version` applied (no further), to test
    /// what a later migration does to data written before it. [`Self::open`] applies the rest.
    pub async fn open_at_version(&self, version: i64) -> SharedStore {
        use std::str::FromStr;
        match self.kind {
            BackendKind::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(&self.url)
                    .expect("SQLite URL")
                    .create_if_missing(true)
                    .foreign_keys(true);
                let mut conn = SqliteConnection::connect_with(&options).await.expect("connect");
                crate::migrate::SQLITE.run_to(version, &mut conn).await.expect("migrate");
            }
            BackendKind::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.expect("connect");
                crate::migrate::POSTGRES.run_to(version, &mut conn).await.expect("migrate");
            }
        }
        open(&self.url, &StoreOptions::default()).await.expect("open test database")
    }

    /// The store, migrated, with the demo tenants imported (as of `at`), and their directory: the
    /// one fixture for tests that need a business to work with.
    pub async fn with_demo(&self, at: jiff::Timestamp) -> (SharedStore, Arc<Directory>) {
        let store = self.open().await;
        let spec = tenant_file::parse(tenant_file::DEMO_TENANTS).expect("the embedded demo file is valid");
        store.import_tenants(&spec, at).await.expect("import the demo tenants");
        let directory = Arc::new(store.load_directory().await.expect("load the directory"));
        (store, directory)
    }

    /// The single integer a query returns (a count), for invariant checks in tests.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.kind {
            BackendKind::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.expect("connect");
                sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut conn).await.expect("scalar query")
            }
            BackendKind::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.expect("connect");
                sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut conn).await.expect("scalar query")
            }
        }
    }

    /// Runs a statement directly, bypassing the store; the error text if the database refuses.
    pub async fn execute(&self, sql: &str) -> Result<u64, String> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.kind {
            BackendKind::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.expect("connect");
                sqlx::query(sql).execute(&mut conn).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
            BackendKind::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.expect("connect");
                sqlx::query(sql).execute(&mut conn).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
        }
    }

    /// Makes writes of calls fail as a passing fault would, for as long as the returned guard
    /// lives: on SQLite another connection holds the write lock (writers give up busy after the
    /// busy timeout); on PostgreSQL a trigger raises a serialization failure (SQLSTATE 40001).
    pub async fn fail_writes_transiently(&self) -> TransientFault {
        match self.kind {
            BackendKind::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.expect("connect");
                sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.expect("take the write lock");
                TransientFault { _holder: Some(conn) }
            }
            BackendKind::Postgres => {
                self.execute(
                    "CREATE FUNCTION frontdesk_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                     RAISE EXCEPTION 'injected fault' USING ERRCODE = '40001'; END $$",
                )
                .await
                .expect("create the fault");
                self.execute(
                    "CREATE TRIGGER frontdesk_test_fault BEFORE INSERT OR UPDATE ON calls \
                     FOR EACH ROW EXECUTE FUNCTION frontdesk_test_fault()",
                )
                .await
                .expect("install the fault");
                TransientFault { _holder: None }
            }
        }
    }

    /// Pairs of active segments of one staff member whose blocks overlap: I1 says zero.
    pub async fn overlapping_segments(&self) -> i64 {
        self.scalar(OVERLAPS).await
    }

    /// Every row of every table as text, sorted: equal dumps mean equal contents.
    pub async fn dump(&self) -> String {
        let mut out = String::new();
        match self.kind {
            BackendKind::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.expect("connect");
                let tables = sqlx::query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&mut conn)
                .await
                .expect("list tables");
                for t in tables {
                    let table: String = t.get("name");
                    let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&table)
                        .fetch_all(&mut conn)
                        .await
                        .expect("list columns")
                        .iter()
                        .map(|r| format!("quote(\"{}\")", r.get::<String, _>("name")))
                        .collect();
                    let sql = format!("SELECT {} AS line FROM \"{table}\" ORDER BY 1", columns.join(" || '|' || "));
                    dump_rows(&mut out, &table, sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await);
                }
            }
            BackendKind::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.expect("connect");
                let tables = sqlx::query(
                    "SELECT table_name::text AS name FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .fetch_all(&mut conn)
                .await
                .expect("list tables");
                for t in tables {
                    let table: String = t.get("name");
                    let sql = format!("SELECT t::text AS line FROM \"{table}\" t ORDER BY 1");
                    dump_rows(&mut out, &table, sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await);
                }
            }
        }
        out
    }
}

fn dump_rows<R: Row>(out: &mut String, table: &str, rows: Result<Vec<R>, sqlx::Error>)
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    out.push_str(&format!("== {table}\n"));
    for row in rows.expect("dump table") {
        out.push_str(&row.get::<String, _>("line"));
        out.push('\n');
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Database { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                    }
                });
            })
            .join();
        }
    }
}

/// Defines one test per backend: `name::sqlite` and `name::postgres`, each getting a fresh
/// [`TestDb`]. The PostgreSQL variant skips (or fails, under `FRONTDESK_REQUIRE_POSTGRES=1`)
/// when no server is configured.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::test_support::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::test_support::TestDb::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/ci", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(replace_database("postgres://h/ci?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
