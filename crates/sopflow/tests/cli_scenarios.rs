//! End-to-end tests of `sopflow test` and `sopflow run`: exit codes (0 pass,
//! 1 failure or coverage below the minimum or bundle errors, 2 usage and
//! I/O errors), formats and languages. Each test runs the real binary in a
//! temporary directory with the locale and colour variables removed.

mod common;

use common::{Workspace, sops_dir};

/// One sop with a decision (one `when`, one `else`) and a deadline.
const BUNDLE: &str = "\
organization o { unit u { role petugas  role kepala } escalate petugas -> kepala }
form f { field darurat: bool required }
sop s {
  start a
  step a { by petugas  fill f  within 1 day  next b }
  step b {
    by petugas
    decide { when f.darurat -> cepat  else -> biasa }
  }
  step cepat { by petugas  next z }
  step biasa { by petugas  next z }
  end z
}
";

const PASSING: &str = "\
sop: s
events:
  - { at: 2025-01-06T09:00:00+07:00, by: petugas, complete: a, data: { f: { darurat: true } } }
  - { at: 2025-01-06T10:00:00+07:00, by: petugas, complete: b }
  - { at: 2025-01-06T11:00:00+07:00, by: kepala, complete: cepat, expect_error: role_not_allowed }
  - { at: 2025-01-06T12:00:00+07:00, by: petugas, complete: cepat }
expect: { path: [a, b, cepat, z], status: closed, end: z }
";

const OTHER_ARM: &str = "\
sop: s
events:
  - { at: 2025-01-06T09:00:00+07:00, by: petugas, complete: a, data: { f: { darurat: false } } }
  - { at: 2025-01-06T10:00:00+07:00, by: petugas, complete: b }
expect: { active: [biasa] }
";

const FAILING: &str = "\
sop: s
events:
  - { at: 2025-01-06T09:00:00+07:00, by: petugas, complete: a, data: { f: { darurat: true } } }
expect: { active: [biasa] }
";

/// A working directory with the test bundle in `bundle/`.
fn workspace() -> Workspace {
    Workspace::with("bundle/s.sop", BUNDLE)
}

#[test]
fn the_sop_library_passes_with_full_coverage() {
    let ws = workspace();
    let sops = sops_dir().display().to_string();
    let run = ws.run(&["test", &sops, "--min-coverage", "100", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let coverage = report["coverage"].as_array().expect("a coverage list");
    // The ten areas of the library: at least one sop each, every one fully covered.
    assert!(coverage.len() >= 10, "{run:?}");
    for sop in coverage {
        assert_eq!(sop["steps_covered"], sop["steps"], "{sop}");
        assert_eq!(sop["branches_covered"], sop["branches"], "{sop}");
        assert_eq!(sop["branch_percent"], 100.0, "{sop}");
    }
}

#[test]
fn passing_scenarios_exit_0_and_coverage_gates_exit_1() {
    let ws = workspace();
    ws.write("bundle/scenarios/cepat.case.yaml", PASSING);
    let run = ws.run(&["test", "bundle"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout
            .contains("PASS  bundle/scenarios/cepat.case.yaml"),
        "{run:?}"
    );
    // The `else` arm is not taken: 1/2 of the branches.
    assert!(run.stdout.contains("4/5 80.0%  1/2 50.0%"), "{run:?}");
    assert!(run.stdout.contains("b: else -> biasa"), "{run:?}");
    let run = ws.run(&["test", "bundle", "--min-coverage", "50"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = ws.run(&["test", "bundle", "--min-coverage", "100"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout
            .contains("branch coverage of s is 50.0%, below --min-coverage 100"),
        "{run:?}"
    );
    ws.write("bundle/scenarios/biasa.case.yaml", OTHER_ARM);
    let run = ws.run(&["test", "bundle", "--min-coverage", "100"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn a_failing_scenario_exits_1_with_a_diff() {
    let ws = workspace();
    ws.write("kasus/gagal.case.yaml", FAILING);
    let run = ws.run(&["test", "bundle", "--scenarios", "kasus"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains("FAIL  kasus/gagal.case.yaml"),
        "{run:?}"
    );
    assert!(run.stdout.contains("expected: [biasa]"), "{run:?}");
    assert!(run.stdout.contains("actual:   [b]"), "{run:?}");
    let run = ws.run(&["--lang", "id", "test", "bundle", "--scenarios", "kasus"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains("GAGAL kasus/gagal.case.yaml"),
        "{run:?}"
    );
    assert!(run.stdout.contains("diharapkan: [biasa]"), "{run:?}");
}

#[test]
fn an_invalid_scenario_file_is_a_failure_not_a_crash() {
    let ws = workspace();
    ws.write(
        "bundle/scenarios/rusak.case.yaml",
        "sop: s\nevents: [{ at: kemarin }]\n",
    );
    ws.write("bundle/scenarios/cepat.case.yaml", PASSING);
    let run = ws.run(&["test", "bundle"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout
            .contains("PASS  bundle/scenarios/cepat.case.yaml"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("FAIL  bundle/scenarios/rusak.case.yaml"),
        "{run:?}"
    );
    assert!(run.stdout.contains("event 1: at: `kemarin`"), "{run:?}");
}

#[test]
fn json_report() {
    let ws = workspace();
    ws.write("bundle/scenarios/cepat.case.yaml", PASSING);
    ws.write("bundle/scenarios/gagal.case.yaml", FAILING);
    let run = ws.run(&["test", "bundle", "--format", "json", "--min-coverage", "50"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["scenarios"], 2);
    assert_eq!(v["summary"]["passed"], 1);
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(v["summary"]["coverage_ok"], true);
    assert_eq!(v["coverage"][0]["sop"], "s");
    assert_eq!(v["coverage"][0]["branches"], 2);
    assert_eq!(v["coverage"][0]["branches_covered"], 1);
    let failing = &v["scenarios"][1];
    assert_eq!(failing["passed"], false);
    assert_eq!(failing["checks"][0]["subject_text"], "active");
    assert_eq!(failing["checks"][0]["actual_text"], "[b]");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let ws = workspace();
    let run = ws.run(&["test", "tidak-ada"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("cannot read `tidak-ada`"), "{run:?}");
    let run = ws.run(&["test", "bundle"]);
    assert_eq!(run.code, Some(2), "no scenarios directory: {run:?}");
    assert!(run.stderr.contains("scenarios"), "{run:?}");
    let run = ws.run(&["test", "bundle", "--min-coverage", "101"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    let run = ws.run(&["run", "bundle", "--sop", "s"]);
    assert_eq!(run.code, Some(2), "missing --events: {run:?}");
    let run = ws.run(&["run", "bundle", "--sop", "s", "--events", "tidak-ada.yaml"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("cannot read `tidak-ada.yaml`"),
        "{run:?}"
    );
}

#[test]
fn bundle_errors_are_printed_like_check_and_exit_1() {
    let ws = workspace();
    ws.write(
        "rusak/s.sop",
        "sop s { start a  step a { next z }  step yatim { next z }  end z }\n",
    );
    ws.write("rusak/scenarios/a.case.yaml", PASSING);
    let run = ws.run(&["test", "rusak"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("error[SOP0203]"), "{run:?}");
    let run = ws.run(&[
        "run",
        "rusak",
        "--sop",
        "s",
        "--events",
        "rusak/scenarios/a.case.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON diagnostics");
    assert_eq!(v["diagnostics"][0]["code"], "SOP0203");
}

#[test]
fn run_prints_the_trace() {
    let ws = workspace();
    ws.write("cepat.case.yaml", PASSING);
    let run = ws.run(&["run", "bundle", "--sop", "s", "--events", "cepat.case.yaml"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let expected = "\
case cepat · sop s
[0] 2025-01-06T09:00:00+07:00  start s
    task a for petugas, due 2025-01-07T09:00:00+07:00
[1] 2025-01-06T09:00:00+07:00  petugas: complete a
    completed a by petugas
    recorded f: darurat
    task b for petugas
[2] 2025-01-06T10:00:00+07:00  petugas: complete b
    completed b by petugas
    decision in b: when #1 -> cepat
    task cepat for petugas
[3] 2025-01-06T11:00:00+07:00  kepala: complete cepat
    rejected: role_not_allowed: role `kepala` may not complete step `cepat` (allowed: petugas) (as expected)
[4] 2025-01-06T12:00:00+07:00  petugas: complete cepat
    completed cepat by petugas
    case closed at end z
status: closed at end z
active: none
";
    assert_eq!(run.stdout, expected);
    let run = ws.run(&[
        "run",
        "bundle",
        "--sop",
        "s",
        "--events",
        "cepat.case.yaml",
        "--format",
        "json",
        "--lang",
        "id",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON trace");
    assert_eq!(v["version"], 1);
    assert_eq!(v["lang"], "id");
    assert_eq!(v["entries"][3]["result"], "rejected");
    assert_eq!(v["entries"][3]["error"]["code"], "role_not_allowed");
    assert!(
        v["entries"][3]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("peran `kepala`")),
        "{v}"
    );
    assert_eq!(v["final"]["status"], "closed");
    assert_eq!(v["final"]["end"], "z");
}

#[test]
fn run_exits_1_when_an_event_is_rejected_unexpectedly() {
    let ws = workspace();
    // A bare list of events; the second is refused and the third still applies.
    ws.write(
        "peristiwa.yaml",
        "- { at: 2025-01-06T09:00:00+07:00, by: petugas, complete: a, data: { f: { darurat: false } } }
- { at: 2025-01-06T10:00:00+07:00, by: kepala, complete: b }
- { at: 2025-01-06T11:00:00+07:00, by: petugas, complete: b }
",
    );
    let run = ws.run(&["run", "bundle", "--sop", "s", "--events", "peristiwa.yaml"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("rejected: role_not_allowed"), "{run:?}");
    assert!(run.stdout.contains("biasa: waiting for petugas"), "{run:?}");
    let run = ws.run(&[
        "--lang",
        "id",
        "run",
        "bundle",
        "--sop",
        "s",
        "--events",
        "peristiwa.yaml",
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("ditolak: role_not_allowed"), "{run:?}");
}

#[test]
fn run_refuses_bad_input_with_exit_2() {
    let ws = workspace();
    ws.write("cepat.case.yaml", PASSING);
    ws.write("rusak.yaml", "- { at: 2025-01-06T09:00:00+07:00 }\n");
    let run = ws.run(&[
        "run",
        "bundle",
        "--sop",
        "lain",
        "--events",
        "cepat.case.yaml",
    ]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("no sop `lain` in the bundle; it has: s"),
        "{run:?}"
    );
    let run = ws.run(&["run", "bundle", "--sop", "s", "--events", "rusak.yaml"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("event 1: an event needs one of"),
        "{run:?}"
    );
    ws.write(
        "bundle/t.sop",
        "sop t { start a  step a { next z }  end z }\n",
    );
    let run = ws.run(&["run", "bundle", "--sop", "t", "--events", "cepat.case.yaml"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("`cepat.case.yaml` is a scenario for sop `s`, not `t`"),
        "{run:?}"
    );
}
