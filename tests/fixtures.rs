//! Data-driven checker tests over `fixtures/`.
//!
//! * `fixtures/invalid/<CODE>-<rule>/*.sop`: each file is one bundle that must
//!   report `<CODE>` (plus any codes its `// also:` line lists, and nothing
//!   else); its English human output and its JSON report are snapshotted.
//! * `fixtures/valid/<CODE>-*.sop`: the clean variants, which must report
//!   nothing at all.
//!
//! Every code has at least one clean variant, and every code except
//! SOP0003 and SOP0005 (covered in `programmatic.rs`) has trigger fixtures.

use sopflow::{Code, Lang};
use sopflow_tests::{
    Checked, also_expected, code_of_dir, code_of_valid_file, sop_files, tests_dir,
};
use std::collections::BTreeSet;
use std::path::Path;

/// Codes whose triggers cannot be `.sop` fixture files.
const PROGRAMMATIC: &[Code] = &[Code::UnreadableFile, Code::TooComplex];

fn load(path: &Path) -> Checked {
    Checked::file(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The code of a fixture's rule directory, `<CODE>-<rule-name>`.
fn dir_code(path: &Path) -> Code {
    let dir = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{} is not in a rule directory", path.display()));
    code_of_dir(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts that an invalid fixture reports its directory's code, and exactly
/// that code plus the ones its `// also:` lines list.
fn check_invalid(path: &Path, checked: &Checked) {
    let code = dir_code(path);
    assert!(
        checked.codes().contains(&code),
        "{}: expected {code} among the diagnostics, got:\n{}",
        path.display(),
        checked.summary()
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut expected: BTreeSet<Code> =
        also_expected(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    expected.insert(code);
    assert_eq!(
        checked.codes(),
        expected,
        "{}: the codes reported differ from the directory's code plus `// also:`; got:\n{}",
        path.display(),
        checked.summary()
    );
}

#[test]
fn invalid_human() {
    insta::glob!("fixtures/invalid/*/*.sop", |path| {
        let checked = load(path);
        check_invalid(path, &checked);
        insta::assert_snapshot!(checked.human(Lang::En));
    });
}

#[test]
fn invalid_json() {
    insta::glob!("fixtures/invalid/*/*.sop", |path| {
        let checked = load(path);
        insta::assert_snapshot!(checked.json(Lang::En));
    });
}

#[test]
fn valid_report_nothing() {
    insta::glob!("fixtures/valid/*.sop", |path| {
        let checked = load(path);
        assert!(
            checked.report.diagnostics.is_empty(),
            "{}: a clean variant must report nothing, got:\n{}",
            path.display(),
            checked.summary()
        );
        assert_eq!(checked.report.files, 1);
    });
}

/// A few fixtures rendered in Bahasa Indonesia, human and JSON.
#[test]
fn indonesian_rendering() {
    let fixtures = [
        "fixtures/invalid/SOP0102-unknown-name/role-by.sop",
        "fixtures/invalid/SOP0205-no-end-reachable/two-step-loop.sop",
        "fixtures/invalid/SOP0401-decision-without-else/no-else.sop",
        "fixtures/invalid/SOP0504-share-without-consent/consent-on-one-branch-only.sop",
    ];
    for fixture in fixtures {
        let checked = load(&tests_dir().join(fixture));
        let name = fixture
            .trim_start_matches("fixtures/invalid/")
            .trim_end_matches(".sop")
            .replace('/', "__");
        insta::assert_snapshot!(format!("id_human_{name}"), checked.human(Lang::Id));
        insta::assert_snapshot!(format!("id_json_{name}"), checked.json(Lang::Id));
    }
}

/// Every code has clean variants and (except the programmatic ones) trigger
/// fixtures; every rule directory is named `<CODE>-<rule-name>` correctly.
#[test]
fn every_code_is_covered() {
    let invalid_dir = tests_dir().join("fixtures/invalid");
    let valid_dir = tests_dir().join("fixtures/valid");
    let mut triggered = BTreeSet::new();
    let entries = std::fs::read_dir(&invalid_dir).expect("fixtures/invalid exists");
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 directory name")
            .to_string();
        assert!(
            path.is_dir(),
            "fixtures/invalid/{name} must be a rule directory"
        );
        let code = code_of_dir(&name).unwrap_or_else(|e| panic!("{e}"));
        let files = sop_files(&path).expect("readable rule directory");
        assert!(
            !files.is_empty(),
            "fixtures/invalid/{name} has no .sop file"
        );
        triggered.insert(code);
    }
    let mut clean = BTreeSet::new();
    for path in sop_files(&valid_dir).expect("fixtures/valid exists") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name");
        clean.insert(code_of_valid_file(name).unwrap_or_else(|e| panic!("{e}")));
    }
    let missing_triggers: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !PROGRAMMATIC.contains(c) && !triggered.contains(*c))
        .map(|c| c.as_str())
        .collect();
    let missing_clean: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !clean.contains(*c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing_triggers.is_empty(),
        "codes without a fixtures/invalid/<CODE>-<rule>/ directory: {missing_triggers:?}"
    );
    assert!(
        missing_clean.is_empty(),
        "codes without a fixtures/valid/<CODE>-*.sop clean variant: {missing_clean:?}"
    );
    for code in PROGRAMMATIC {
        assert!(
            !triggered.contains(code),
            "{code} is tested in programmatic.rs, not by fixture"
        );
    }
}

/// The sub-cases the big rules must keep: one fixture per kind of name, etc.
#[test]
fn big_rules_keep_their_sub_cases() {
    let required: &[(&str, &[&str])] = &[
        (
            "SOP0102-unknown-name",
            &[
                "step-next",
                "role-by",
                "form-fill",
                "field-guard",
                "enum-value",
                "service",
                "sop-call",
                "policy-consent",
                "class-field",
                "calendar",
                "network",
                "score",
            ],
        ),
        (
            "SOP0101-duplicate-name",
            &[
                "organization",
                "unit",
                "role-in-two-units",
                "calendar",
                "form",
                "field",
                "enum-value",
                "network",
                "provider",
                "policy",
                "class",
                "sop",
                "step",
            ],
        ),
        ("SOP0203-unreachable-step", &["orphan-cycle"]),
        ("SOP0205-no-end-reachable", &["two-step-loop"]),
        (
            "SOP0504-share-without-consent",
            &["consent-on-one-branch-only"],
        ),
        ("SOP0207-call-cycle", &["three-sops"]),
    ];
    for (dir, cases) in required {
        for case in *cases {
            let path = tests_dir()
                .join("fixtures/invalid")
                .join(dir)
                .join(format!("{case}.sop"));
            assert!(path.is_file(), "missing fixture {}", path.display());
        }
    }
}
