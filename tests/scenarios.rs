//! Scenario tests over `scenarios/`: a small bundle of its own
//! (`scenarios/bundle/*.sop`) with passing scenarios covering every step
//! and branch (`scenarios/bundle/scenarios/`), and deliberately failing
//! scenarios (`scenarios/failing/`) whose diffs are snapshotted. Also the
//! starter bundle in `../sops` must be fully covered by its scenarios.
//!
//! Traces are rendered as `sopflow run` prints them, human and JSON.

use sopflow::render::scenario::{
    render_suite_human, render_suite_json, render_trace_human, render_trace_json,
};
use sopflow::scenario::{
    Coverage, Scenario, SopCoverage, SuiteReport, discover, parse_scenario, run_scenario,
    run_suite, trace_events,
};
use sopflow::{CompiledBundle, Lang};
use sopflow_tests::{display_name, tests_dir, workspace_dir};
use std::path::Path;

fn bundle(dir: &Path) -> CompiledBundle {
    match sopflow::compile_dir(dir) {
        Ok((bundle, _warnings)) => bundle,
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

fn fixture_bundle() -> CompiledBundle {
    bundle(&tests_dir().join("scenarios/bundle"))
}

/// Reads a scenario, named by its path relative to the tests directory.
fn scenario(path: &Path) -> Result<Scenario, sopflow::scenario::ScenarioError> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_scenario(&display_name(path), &text)
}

fn suite(bundle: &CompiledBundle, dir: &Path) -> SuiteReport {
    let files = discover(dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(!files.is_empty(), "no scenario under {}", dir.display());
    run_suite(bundle, files.iter().map(|p| scenario(p)))
}

fn trace_of(path: &Path) -> sopflow::scenario::Trace {
    let b = fixture_bundle();
    let s = scenario(path).unwrap_or_else(|e| panic!("{e}"));
    trace_events(&b, &s.sop, &s.case_id, s.start, &s.events)
}

fn coverage_of<'a>(report: &'a SuiteReport, sop: &str) -> &'a SopCoverage {
    report
        .coverage
        .iter()
        .find(|c| c.sop == sop)
        .unwrap_or_else(|| panic!("no coverage for {sop}"))
}

#[test]
fn fixture_scenarios_pass_and_cover_every_step_and_branch() {
    let b = fixture_bundle();
    let report = suite(&b, &tests_dir().join("scenarios/bundle/scenarios"));
    let failures = render_suite_human(&report, Lang::En, Some(100.0));
    assert_eq!(report.failed(), 0, "{failures}");
    assert_eq!(report.passed(), 4);
    let layanan = coverage_of(&report, "layanan");
    assert_eq!((layanan.steps, layanan.steps_covered), (8, 8));
    assert_eq!((layanan.branches, layanan.branches_covered), (5, 5));
    let pendampingan = coverage_of(&report, "pendampingan");
    assert_eq!((pendampingan.steps, pendampingan.steps_covered), (3, 3));
    assert_eq!(
        (pendampingan.branches, pendampingan.branches_covered),
        (2, 2)
    );
    assert!(report.below(100.0).is_empty());
}

#[test]
fn coverage_is_exact_for_a_single_scenario() {
    let b = fixture_bundle();
    let path = tests_dir().join("scenarios/bundle/scenarios/rendah-penolakan.case.yaml");
    let run = run_scenario(&b, &scenario(&path).unwrap_or_else(|e| panic!("{e}")));
    assert!(run.passed(), "{:?}", run.failures().collect::<Vec<_>>());
    let mut cov = Coverage::new();
    cov.record(run.state.as_ref().expect("the case started"));
    let report = cov.report(&b);
    // lapor, nilai, tutup_kasus, selesai of 8; nilai's else and tutup_kasus's second arm of 5.
    let layanan = &report[0];
    assert_eq!(layanan.sop, "layanan");
    assert_eq!((layanan.steps_covered, layanan.steps), (4, 8));
    assert_eq!((layanan.branches_covered, layanan.branches), (2, 5));
    assert_eq!(layanan.step_percent(), 50.0);
    assert_eq!(layanan.branch_percent(), 40.0);
    assert_eq!(
        layanan.uncovered_steps,
        vec!["tindak_cepat", "kunjungi", "dampingi", "pantau"]
    );
    let pendampingan = &report[1];
    assert_eq!(
        (pendampingan.steps_covered, pendampingan.branches_covered),
        (0, 0)
    );
}

#[test]
fn the_starter_bundle_is_fully_covered_by_its_scenarios() {
    let sops = workspace_dir().join("sops");
    let b = bundle(&sops);
    let report = suite(&b, &sops.join("scenarios"));
    let text = render_suite_human(&report, Lang::En, Some(100.0));
    assert_eq!(report.failed(), 0, "{text}");
    for c in &report.coverage {
        assert_eq!(c.steps_covered, c.steps, "{text}");
        assert_eq!(c.branches_covered, c.branches, "{text}");
    }
}

#[test]
fn traces_human() {
    insta::glob!("scenarios/bundle/scenarios/*.case.yaml", |path| {
        insta::assert_snapshot!(render_trace_human(&trace_of(path), Lang::En));
    });
}

#[test]
fn traces_json() {
    insta::glob!("scenarios/bundle/scenarios/*.case.yaml", |path| {
        insta::assert_snapshot!(render_trace_json(&trace_of(path), Lang::En));
    });
}

#[test]
fn trace_in_indonesian() {
    let path = tests_dir().join("scenarios/bundle/scenarios/tinggi-rujukan.case.yaml");
    insta::assert_snapshot!(render_trace_human(&trace_of(&path), Lang::Id));
    let path = tests_dir().join("scenarios/bundle/scenarios/rendah-penolakan.case.yaml");
    insta::assert_snapshot!(
        "trace_in_indonesian_rejections",
        render_trace_human(&trace_of(&path), Lang::Id)
    );
}

fn failing_report() -> SuiteReport {
    suite(&fixture_bundle(), &tests_dir().join("scenarios/failing"))
}

#[test]
fn failing_scenarios_show_readable_diffs() {
    let report = failing_report();
    assert_eq!(report.passed(), 0);
    assert_eq!(report.failed(), report.entries.len());
    insta::assert_snapshot!(render_suite_human(&report, Lang::En, Some(100.0)));
}

#[test]
fn failing_scenarios_in_indonesian() {
    insta::assert_snapshot!(render_suite_human(&failing_report(), Lang::Id, Some(100.0)));
}

#[test]
fn failing_scenarios_json() {
    insta::assert_snapshot!(render_suite_json(&failing_report(), Lang::En, Some(100.0)));
}
