use std::io::Write;

use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;

use super::{frontdesk, text};

const DEMO: &str = include_str!("../../../../fixtures/demo-tenant.toml");

fn file_with(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

async fn importing_the_demo_twice_changes_nothing(db: TestDb) {
    let demo = file_with(DEMO);
    let path = demo.path().to_str().unwrap();
    let first = frontdesk(&db.url, &["import", path]);
    assert!(first.status.success(), "{:?}", text(&first));
    assert!(text(&first).0.contains("rows changed"));
    let before = db.dump().await;
    let second = frontdesk(&db.url, &["import", path]);
    assert!(second.status.success());
    assert!(text(&second).0.contains("already up to date"), "{:?}", text(&second));
    assert_eq!(db.dump().await, before);
}

/// A Cal.com connection in the earlier form (one event type per service) still imports, with a
/// warning naming each staff member and service for whom Cal.com will pick the host.
async fn a_per_service_calcom_mapping_imports_with_a_warning(db: TestDb) {
    let link = "[company.calcom]\napi_key = \"k\"\nwebhook_secret = \"s\"\n\
                event_types = { herrenhaarschnitt = 11 }\nusers = { anna = 101 }\n\n";
    let file = file_with(&DEMO.replacen("[[company.service]]", &format!("{link}[[company.service]]"), 1));
    let out = frontdesk(&db.url, &["import", file.path().to_str().unwrap()]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("Cal.com will pick the host"), "{stderr}");
    assert!(stderr.contains("anna/herrenhaarschnitt") && stderr.contains("mehmet/herrenhaarschnitt"), "{stderr}");
}

/// Each bad input: the message names company, entity and field, and nothing is written.
async fn bad_tenant_files_are_rejected_without_writing(db: TestDb) {
    let demo = file_with(DEMO);
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());
    let before = db.dump().await;
    let cases = [
        (
            "timezone = \"Europe/Berlin\"",
            "timezone = \"Europe/Berlinn\"",
            "company `friseur1`, field `timezone`: unknown time zone `Europe/Berlinn`",
        ),
        (
            "\"+4971162760940\"",
            "\"071162760940\"",
            "company `friseur1`, branch `zentrale`, field `phone_numbers`: `071162760940` is not an E.164 number",
        ),
        (
            "services = [\"herrenhaarschnitt\", \"kinderhaarschnitt\"]",
            "services = [\"herrenhaarschnitt\", \"bartpflege\"]",
            "company `friseur1`, branch `zentrale`, staff `mehmet`, field `services`: unknown service `bartpflege`",
        ),
        (
            "sat = [\"09:00-14:00\"]\nsun = []",
            "sat = [\"09:00-25:00\"]\nsun = []",
            "company `friseur1`, branch `zentrale`, field `hours.sat`: `09:00-25:00` is not an interval",
        ),
        (
            "thu = [\"09:00-13:00\", \"14:00-20:00\"]",
            "thu = [\"09:00-15:00\", \"14:00-20:00\"]",
            "company `friseur1`, branch `zentrale`, field `hours.thu`: intervals 09:00-15:00 and 14:00-20:00 overlap",
        ),
        (
            "duration = 20",
            "duration = -20",
            "company `friseur1`, service `kinderhaarschnitt`, field `duration`: must not be negative (got -20",
        ),
        (
            "phone_numbers = [\"+12125550123\"]",
            "phone_numbers = [\"+12125550123\", \"+493033081738\"]",
            "company `brightsmile`, branch `midtown`, field `phone_numbers`: +493033081738 is already routed to friseur1 branch `zentrale`",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(DEMO.contains(from), "fixture changed: {from}");
        let bad = file_with(&DEMO.replacen(from, to, 1));
        let out = frontdesk(&db.url, &["import", bad.path().to_str().unwrap()]);
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "accepted: {to}");
        assert!(stderr.contains(expected), "expected `{expected}` in:\n{stderr}");
        assert_eq!(db.dump().await, before, "a rejected import wrote something ({to})");
    }
}

/// A number routed to another company already in the database (not in the same file).
async fn a_number_owned_by_another_stored_company_is_rejected(db: TestDb) {
    let demo = file_with(DEMO);
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());
    let before = db.dump().await;
    let thief = file_with(
        "[[company]]\nkey = \"thief\"\nname = \"Thief\"\nlocale = \"de-DE\"\ntimezone = \"Europe/Berlin\"\n\
         [[company.branch]]\nkey = \"main\"\nname = \"Main\"\nphone_numbers = [\"+4971162760940\"]\n",
    );
    let out = frontdesk(&db.url, &["import", thief.path().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("company `thief`, branch `main`, field `phone_numbers`: +4971162760940 is already routed to company `friseur1`, branch `zentrale`"),
        "{:?}",
        text(&out)
    );
    assert_eq!(db.dump().await, before);
}

backend_tests!(
    a_per_service_calcom_mapping_imports_with_a_warning,
    importing_the_demo_twice_changes_nothing,
    bad_tenant_files_are_rejected_without_writing,
    a_number_owned_by_another_stored_company_is_rejected,
);
