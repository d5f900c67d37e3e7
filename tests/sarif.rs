//! SARIF output validated against the OASIS SARIF 2.1.0 JSON schema,
//! vendored in `data/` with its licence note (the schema is draft-04).

use sopflow::Lang;
use sopflow_tests::{Checked, redact_tool_version, sop_files, tests_dir};
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let path = tests_dir().join("data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("the vendored SARIF schema is readable");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Validates the SARIF log of `checked`; returns the parsed log.
fn validate(validator: &jsonschema::Validator, name: &str, checked: &Checked) -> serde_json::Value {
    let text = checked.sarif(Lang::En);
    let log: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{name}: SARIF output is not JSON: {e}\n{text}"));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: SARIF output does not match the schema:\n{}\n{text}",
        errors.join("\n")
    );
    log
}

fn fixture(path: &str) -> Checked {
    Checked::file(&tests_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn sarif_of_every_invalid_fixture_matches_the_schema() {
    let validator = validator();
    let files = sop_files(&tests_dir().join("fixtures/invalid")).expect("fixtures/invalid");
    assert!(files.len() > 30);
    for path in files {
        let checked = Checked::file(&path).expect("readable fixture");
        let name = path.display().to_string();
        let log = validate(&validator, &name, &checked);
        let results = log["runs"][0]["results"].as_array().expect("results array");
        assert_eq!(results.len(), checked.report.diagnostics.len(), "{name}");
        // Every result points at a rule of the run by id and index.
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules array");
        for r in results {
            let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], r["ruleId"], "{name}");
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().expect("startLine") >= 1);
            assert!(region["startColumn"].as_u64().expect("startColumn") >= 1);
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(uri.starts_with("fixtures/invalid/"), "{name}: {uri}");
        }
        // Rules are de-duplicated and sorted.
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "{name}");
    }
}

#[test]
fn sarif_of_clean_bundles_matches_the_schema() {
    let validator = validator();
    for path in sop_files(&tests_dir().join("fixtures/valid")).expect("fixtures/valid") {
        let checked = Checked::file(&path).expect("readable fixture");
        let log = validate(&validator, &path.display().to_string(), &checked);
        assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"],
            serde_json::json!([])
        );
    }
    // The real bundle, read from disk.
    let loaded = sopflow::load::load_paths(&[tests_dir().join("../sops")]).expect("sops/ loads");
    let report = sopflow::check_loaded(&loaded, &sopflow::CheckConfig::default());
    let checked = Checked {
        sources: loaded.sources,
        report,
    };
    let log = validate(&validator, "sops/", &checked);
    assert_eq!(log["version"], "2.1.0");
}

#[test]
fn sarif_in_indonesian_matches_the_schema() {
    let validator = validator();
    let checked =
        fixture("fixtures/invalid/SOP0504-share-without-consent/consent-on-one-branch-only.sop");
    let text = checked.sarif(Lang::Id);
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert!(validator.is_valid(&log));
    let message = log["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .expect("message text");
    assert!(message.contains("persetujuan"), "{message}");
}

/// The schema really rejects broken logs, so the tests above can fail.
#[test]
fn the_schema_rejects_a_broken_log() {
    let validator = validator();
    let checked = fixture("fixtures/invalid/SOP0203-unreachable-step/orphan-step.sop");
    let mut log: serde_json::Value =
        serde_json::from_str(&checked.sarif(Lang::En)).expect("SARIF is JSON");
    log["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(
        !validator.is_valid(&log),
        "level `fatal` is not a SARIF level"
    );
    let mut log: serde_json::Value =
        serde_json::from_str(&checked.sarif(Lang::En)).expect("SARIF is JSON");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&log), "lines are 1-based");
    let mut log: serde_json::Value =
        serde_json::from_str(&checked.sarif(Lang::En)).expect("SARIF is JSON");
    log["version"] = serde_json::json!("2.0.0");
    assert!(!validator.is_valid(&log), "only version 2.1.0");
}

#[test]
fn sarif_snapshot() {
    let path = Path::new("fixtures/invalid/SOP0207-call-cycle/three-sops.sop");
    let checked = fixture(&path.display().to_string());
    insta::assert_snapshot!(redact_tool_version(&checked.sarif(Lang::En)));
}
