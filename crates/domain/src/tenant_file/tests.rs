//! The tenant file's validation, problem by problem.

use super::*;
use crate::money::Currency;

#[test]
fn the_demo_file_is_valid() {
    let spec = parse(DEMO_TENANTS).unwrap();
    assert_eq!(spec.companies.len(), 2);
    let friseur = &spec.companies[0];
    assert_eq!(friseur.def.key.as_str(), "friseur1");
    assert_eq!(friseur.services.len(), 5);
    let faerben = friseur.services.iter().find(|s| s.key.as_str() == "faerben").unwrap();
    assert_eq!(faerben.duration(), 90);
    assert!(!faerben.segments[1].staff_busy);
    assert_eq!(friseur.branches[0].staff.len(), 3);
    assert_eq!(friseur.branches[0].def.phone_numbers.len(), 2);
    assert_eq!(spec.companies[1].def.currency, Currency::Usd);
}

fn problems_of(text: &str) -> Vec<String> {
    match parse(text) {
        Err(TenantFileError::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

const BASE: &str = r#"
[[company]]
key = "acme"
name = "Acme"
locale = "en-US"
timezone = "America/New_York"
[[company.service]]
key = "cut"
name = "Cut"
duration = 30
[[company.branch]]
key = "main"
name = "Main"
phone_numbers = ["+12125550100"]
[company.branch.hours]
mon = ["09:00-17:00"]
[[company.branch.staff]]
key = "sam"
name = "Sam"
services = ["cut"]
"#;

#[test]
fn base_is_valid() {
    assert!(parse(BASE).is_ok());
}

#[test]
fn each_problem_names_company_entity_and_field() {
    let cases = [
        (("America/New_York", "Mars/Olympus"), "company `acme`, field `timezone`: unknown time zone `Mars/Olympus`"),
        (
            ("+12125550100", "12125550100"),
            "company `acme`, branch `main`, field `phone_numbers`: `12125550100` is not an E.164 number",
        ),
        (
            ("services = [\"cut\"]", "services = [\"perm\"]"),
            "company `acme`, branch `main`, staff `sam`, field `services`: unknown service `perm`",
        ),
        (
            ("09:00-17:00", "09:00-25:00"),
            "company `acme`, branch `main`, field `hours.mon`: `09:00-25:00` is not an interval",
        ),
        (
            ("mon = [\"09:00-17:00\"]", "mon = [\"09:00-13:00\", \"12:00-17:00\"]"),
            "company `acme`, branch `main`, field `hours.mon`: intervals 09:00-13:00 and 12:00-17:00 overlap",
        ),
        (
            ("duration = 30", "duration = -5"),
            "company `acme`, service `cut`, field `duration`: must not be negative (got -5",
        ),
        (("locale = \"en-US\"", "locale = \"fr-FR\""), "company `acme`, field `locale`: unsupported locale `fr-FR`"),
    ];
    for ((from, to), expected) in cases {
        let problems = problems_of(&BASE.replace(from, to));
        assert!(problems.iter().any(|p| p.starts_with(expected)), "{expected}\n got {problems:?}");
    }
}

#[test]
fn a_number_routed_twice_is_rejected() {
    let twice = format!(
        "{BASE}\n[[company.branch]]\nkey = \"second\"\nname = \"Second\"\nphone_numbers = [\"+12125550100\"]\n"
    );
    let problems = problems_of(&twice);
    assert!(
        problems.iter().any(|p| p
            .contains("branch `second`, field `phone_numbers`: +12125550100 is already routed to acme branch `main`")),
        "{problems:?}"
    );
}

#[test]
fn unknown_fields_are_syntax_errors() {
    let err = parse(&BASE.replace("duration = 30", "durration = 30")).unwrap_err();
    assert!(matches!(err, TenantFileError::Syntax(ref m) if m.contains("durration")), "{err}");
}

#[test]
fn segments_must_agree_with_duration() {
    let text = BASE.replace(
        "duration = 30",
        "duration = 50\nsegments = [{ name = \"a\", duration = 30 }, { name = \"b\", duration = 30, staff_busy = false }]",
    );
    let problems = problems_of(&text);
    assert!(
        problems.iter().any(|p| p.contains("field `duration`: is 50 but the segments add up to 60")),
        "{problems:?}"
    );
}

#[test]
fn secrets_named_by_environment_variables_are_resolved_by_the_importer() {
    let file = format!("{BASE}[company.calcom]\napi_key_env = \"ACME_CAL_KEY\"\nwebhook_secret = \"whsec\"\n");
    let spec = parse(&file).unwrap();
    let calcom = spec.companies[0].calcom.as_ref().unwrap();
    // Parsing reads no environment: the reference stays a reference.
    assert_eq!(calcom.api_key, Secret::FromEnv("ACME_CAL_KEY".into()));
    assert_eq!(calcom.webhook_secret.given(), Some("whsec"));

    let resolved = spec.clone().resolve_secrets(|var| (var == "ACME_CAL_KEY").then(|| "cal_live_1".into())).unwrap();
    assert_eq!(resolved.companies[0].calcom.as_ref().unwrap().api_key.given(), Some("cal_live_1"));

    let missing = spec.resolve_secrets(|_| None).unwrap_err();
    let said: Vec<String> = missing.problems().iter().map(ToString::to_string).collect();
    assert_eq!(said, ["company `acme`, calcom, field `api_key_env`: environment variable `ACME_CAL_KEY` is not set"]);
}

#[test]
fn a_nul_character_is_refused_with_where_it_is() {
    let with_nul = BASE.replace("name = \"Sam\"", "name = \"Sa\\u0000m\"");
    match parse(&with_nul) {
        Err(TenantFileError::Syntax(message)) => {
            assert!(message.contains("company[0].branch[0].staff[0].name"), "{message}");
        }
        other => panic!("a NUL must be refused, got {other:?}"),
    }
}

#[test]
fn cal_com_without_per_staff_event_types_imports_with_a_warning_naming_staff_and_service() {
    let calcom = "[company.calcom]\napi_key = \"k\"\nwebhook_secret = \"s\"\nevent_types = { cut = 11 }\n\n";
    let today = BASE.replacen("[[company.service]]", &format!("{calcom}[[company.service]]"), 1);
    let spec = parse(&today).expect("today's form still imports");
    let warnings = spec.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("sam/cut") && warnings[0].contains("staff_event_types"), "{warnings:?}");

    let mapped = today.replace(
        "event_types = { cut = 11 }",
        "event_types = { cut = 11 }\nstaff_event_types = { \"sam/cut\" = 2011 }",
    );
    let spec = parse(&mapped).unwrap();
    assert!(spec.warnings().is_empty());
    let link = spec.companies[0].calcom.as_ref().unwrap();
    assert_eq!(link.staff_event_types.values().copied().collect::<Vec<_>>(), [2011]);
    let wrong = today.replace(
        "event_types = { cut = 11 }",
        "event_types = { cut = 11 }\nstaff_event_types = { \"nobody/cut\" = 1 }",
    );
    assert!(problems_of(&wrong).iter().any(|p| p.contains("staff_event_types")));
}
