use frontdesk_domain::matching::Match;
use frontdesk_domain::phone::E164;
use frontdesk_domain::tenant_file::{self, DEMO_TENANTS, TenantFileError};
use frontdesk_store::test_support::TestDb;
use frontdesk_store::{StoreError, backend_tests};
use jiff::Timestamp;

fn now() -> Timestamp {
    "2026-03-10T08:00:00Z".parse().unwrap()
}

async fn migrations_are_applied_once(db: TestDb) {
    let store = frontdesk_store::open(&db.url, &Default::default()).await.unwrap();
    assert!(!store.readiness().await.unwrap().is_ready());
    store.migrate().await.unwrap();
    assert!(store.readiness().await.unwrap().is_ready());
    store.migrate().await.unwrap();
    assert!(store.readiness().await.unwrap().is_ready());
}

async fn demo_import_builds_the_directory(db: TestDb) {
    let store = db.open().await;
    assert!(!store.has_tenants().await.unwrap());
    let spec = tenant_file::parse(DEMO_TENANTS).unwrap();
    let report = store.import_tenants(&spec, now()).await.unwrap();
    assert_eq!(report.companies, 2);
    assert!(report.changed_rows > 0);
    assert!(store.has_tenants().await.unwrap());

    let dir = store.load_directory().await.unwrap();
    assert_eq!(dir.version(), store.config_version().await.unwrap());
    let (friseur, branch) = dir.route(&E164::parse_strict("+4971162760940").unwrap()).unwrap();
    assert_eq!(friseur.company.def.key.as_str(), "friseur1");
    assert_eq!(branch.def.key.as_str(), "zentrale");
    assert_eq!(branch.def.closures.len(), 5);
    let Match::One(faerben) = friseur.find_service("Haare färben") else { panic!("no unique match") };
    assert_eq!(faerben.def.segments.len(), 3);
    assert!(!faerben.def.segments[1].staff_busy);
    let Match::One(mehmet) = friseur.find_staff(branch.id, "Herr Yilmaz") else { panic!("no unique match") };
    assert_eq!(mehmet.service_ids.len(), 2);
    assert!(mehmet.def.hours.is_some());
    let lena = friseur.staff.iter().find(|s| s.def.key.as_str() == "lena").unwrap();
    assert_eq!(lena.def.absences.len(), 1);
    assert!(!lena.performs(friseur.services[0].id), "Lena does not cut men's hair");

    let smile = dir.company_by_key("brightsmile").unwrap();
    assert_eq!(smile.company.def.time_zone.iana_name(), Some("America/New_York"));
    assert_eq!(smile.services.len(), 3);
    assert!(!smile.policies(None, None).anonymous.may_book);
}

async fn importing_twice_changes_nothing(db: TestDb) {
    let store = db.open().await;
    let spec = tenant_file::parse(DEMO_TENANTS).unwrap();
    store.import_tenants(&spec, now()).await.unwrap();
    let version = store.config_version().await.unwrap();
    let before = db.dump().await;
    let later: Timestamp = "2026-03-11T08:00:00Z".parse().unwrap();
    let report = store.import_tenants(&spec, later).await.unwrap();
    assert_eq!(report.changed_rows, 0);
    assert_eq!(store.config_version().await.unwrap(), version);
    assert_eq!(db.dump().await, before);
}

async fn a_changed_value_is_updated(db: TestDb) {
    let store = db.open().await;
    store.import_tenants(&tenant_file::parse(DEMO_TENANTS).unwrap(), now()).await.unwrap();
    let version = store.config_version().await.unwrap();
    let changed = DEMO_TENANTS.replace("price_cents = 2800", "price_cents = 3000");
    let report = store.import_tenants(&tenant_file::parse(&changed).unwrap(), now()).await.unwrap();
    assert_eq!(report.changed_rows, 1);
    assert!(store.config_version().await.unwrap() > version);
    let dir = store.load_directory().await.unwrap();
    let friseur = dir.company_by_key("friseur1").unwrap();
    let cut = friseur.services.iter().find(|s| s.def.key.as_str() == "herrenhaarschnitt").unwrap();
    assert_eq!(cut.def.price.unwrap().0, 3000);
}

async fn removed_staff_are_deactivated(db: TestDb) {
    let store = db.open().await;
    store.import_tenants(&tenant_file::parse(DEMO_TENANTS).unwrap(), now()).await.unwrap();
    let start = DEMO_TENANTS.find("[[company.branch.staff]]\nkey = \"lena\"").unwrap();
    let end = start + DEMO_TENANTS[start..].find("\n\n").unwrap();
    let without_lena = format!("{}{}", &DEMO_TENANTS[..start], &DEMO_TENANTS[end..]);
    store.import_tenants(&tenant_file::parse(&without_lena).unwrap(), now()).await.unwrap();
    let dir = store.load_directory().await.unwrap();
    let friseur = dir.company_by_key("friseur1").unwrap();
    assert_eq!(friseur.staff.len(), 2);
    assert!(friseur.staff.iter().all(|s| s.def.key.as_str() != "lena"));
}

async fn a_number_of_another_company_is_refused_and_nothing_written(db: TestDb) {
    let store = db.open().await;
    store.import_tenants(&tenant_file::parse(DEMO_TENANTS).unwrap(), now()).await.unwrap();
    let before = db.dump().await;
    let thief = r#"
[[company]]
key = "thief"
name = "Thief"
locale = "de-DE"
timezone = "Europe/Berlin"
[[company.service]]
key = "cut"
name = "Cut"
duration = 30
[[company.branch]]
key = "main"
name = "Main"
phone_numbers = ["+493033081738"]
"#;
    let err = store.import_tenants(&tenant_file::parse(thief).unwrap(), now()).await.unwrap_err();
    let StoreError::Rejected(TenantFileError::Invalid(problems)) = err else { panic!("unexpected {err}") };
    assert_eq!(
        problems[0].to_string(),
        "company `thief`, branch `main`, field `phone_numbers`: +493033081738 is already routed to company `friseur1`, branch `zentrale`"
    );
    assert_eq!(db.dump().await, before, "a rejected import must write nothing");
}

async fn a_number_can_move_between_companies_in_one_file(db: TestDb) {
    let store = db.open().await;
    store.import_tenants(&tenant_file::parse(DEMO_TENANTS).unwrap(), now()).await.unwrap();
    let moved = DEMO_TENANTS
        .replace("phone_numbers = [\"+493033081738\", \"+4971162760940\"]", "phone_numbers = [\"+493033081738\"]")
        .replace("phone_numbers = [\"+12125550123\"]", "phone_numbers = [\"+12125550123\", \"+4971162760940\"]");
    store.import_tenants(&tenant_file::parse(&moved).unwrap(), now()).await.unwrap();
    let dir = store.load_directory().await.unwrap();
    let (company, _) = dir.route(&E164::parse_strict("+4971162760940").unwrap()).unwrap();
    assert_eq!(company.company.def.key.as_str(), "brightsmile");
}

backend_tests!(
    migrations_are_applied_once,
    demo_import_builds_the_directory,
    importing_twice_changes_nothing,
    a_changed_value_is_updated,
    removed_staff_are_deactivated,
    a_number_of_another_company_is_refused_and_nothing_written,
    a_number_can_move_between_companies_in_one_file,
);
