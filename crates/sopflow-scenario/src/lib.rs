//! Scenario files for sopflow: tests for SOPs.
//!
//! A scenario (`*.case.yaml`) names an SOP, lists the events of one case and
//! says what must follow: the path taken, the active steps, the status,
//! tasks, escalations, referrals, computed levels, consents, and which
//! events must be rejected (`expect_error`). This crate reads them
//! ([`parse_scenario`], [`parse_events`], [`discover`]), runs them through
//! the engine ([`run_scenario`], [`trace_events`], [`run_suite`]) and
//! measures step and branch coverage per SOP ([`Coverage`]).
//!
//! The YAML reader is confined to one private module, so it can be swapped
//! without touching anything else. See `docs/semantics.md` for the format.
//!
//! ```
//! let scenario = sopflow_scenario::parse_scenario(
//!     "halo.case.yaml",
//!     "sop: halo\nevents:\n  - { at: 2024-06-10T09:00:00+07:00, complete: a }\nexpect: { status: closed, end: z }\n",
//! ).expect("a valid scenario");
//! assert_eq!(scenario.events.len(), 1);
//! ```

mod coverage;
mod error;
mod model;
mod run;
mod yaml;

pub use coverage::{Branch, Coverage, SopCoverage};
pub use error::ScenarioError;
pub use model::{
    ERROR_CODES, EscalationExpect, EventsFile, Expect, ReferralExpect, Scenario, ScenarioEvent,
    StatusName, error_code, parse_events, parse_scenario,
};
pub use run::{
    ActiveStep, Check, FinalState, ScenarioRun, Shown, Subject, Trace, TraceEntry, TraceEvent,
    TraceResult, active_steps, check_expect, response_name, run_scenario, trace_events,
};

use sopflow_check::ir::CompiledBundle;
use std::path::{Path, PathBuf};

/// The file name ending that marks scenario files.
pub const SCENARIO_SUFFIX: &str = ".case.yaml";

/// Every `*.case.yaml` file under `dir`, recursively, in sorted path order.
/// Entries whose name starts with `.` are skipped; symbolic links to
/// directories are not followed (no loops).
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
    let read_error = |source| ScenarioError::Read {
        file: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let ty = entry.file_type().map_err(read_error)?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if name.ends_with(SCENARIO_SUFFIX) && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads and parses one scenario file; it is named in errors and reports as `path` displays.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: file.clone(),
        source,
    })?;
    parse_scenario(&file, &text)
}

/// One scenario file in a suite: run, or unreadable as a scenario.
#[derive(Debug)]
pub enum SuiteEntry {
    /// The scenario ran (and passed or failed).
    Ran(Box<ScenarioRun>),
    /// The file is not a valid scenario; it counts as failed.
    Invalid(ScenarioError),
}

impl SuiteEntry {
    /// Whether the scenario ran and passed.
    pub fn passed(&self) -> bool {
        matches!(self, SuiteEntry::Ran(run) if run.passed())
    }

    /// The file.
    pub fn file(&self) -> &str {
        match self {
            SuiteEntry::Ran(run) => &run.file,
            SuiteEntry::Invalid(e) => e.file(),
        }
    }
}

/// The result of running many scenarios against one bundle.
#[derive(Debug)]
pub struct SuiteReport {
    /// Each scenario, in the order given.
    pub entries: Vec<SuiteEntry>,
    /// Coverage of every SOP of the bundle, by SOP name.
    pub coverage: Vec<SopCoverage>,
}

impl SuiteReport {
    /// How many scenarios passed.
    pub fn passed(&self) -> usize {
        self.entries.iter().filter(|e| e.passed()).count()
    }

    /// How many scenarios failed (invalid files included).
    pub fn failed(&self) -> usize {
        self.entries.len() - self.passed()
    }

    /// The SOPs whose branch coverage is below `min` percent.
    pub fn below(&self, min: f64) -> Vec<&SopCoverage> {
        self.coverage
            .iter()
            .filter(|c| !c.branches_at_least(min))
            .collect()
    }
}

/// Runs every scenario against `bundle` and gathers coverage over all of them
/// (a scenario that stopped early still counts for what it visited).
pub fn run_suite<I>(bundle: &CompiledBundle, scenarios: I) -> SuiteReport
where
    I: IntoIterator<Item = Result<Scenario, ScenarioError>>,
{
    let mut coverage = Coverage::new();
    let mut entries = Vec::new();
    for scenario in scenarios {
        match scenario {
            Ok(s) => {
                let run = run_scenario(bundle, &s);
                if let Some(state) = &run.state {
                    coverage.record(state);
                }
                entries.push(SuiteEntry::Ran(Box::new(run)));
            }
            Err(e) => entries.push(SuiteEntry::Invalid(e)),
        }
    }
    SuiteReport {
        entries,
        coverage: coverage.report(bundle),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_case_files_recursively_in_order() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path();
        for file in [
            "b.case.yaml",
            "a/z.case.yaml",
            "a/notes.yaml",
            ".hidden/x.case.yaml",
            "a/.y.case.yaml",
            "c.case.yml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "sop: s\n").expect("write");
        }
        let found: Vec<String> = discover(root)
            .expect("readable")
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .expect("below root")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(found, vec!["a/z.case.yaml", "b.case.yaml"]);
        assert!(matches!(
            discover(&root.join("missing")),
            Err(ScenarioError::Read { .. })
        ));
        assert!(matches!(
            load_scenario(&root.join("b.case.yaml")),
            Err(ScenarioError::Invalid { .. })
        ));
    }
}
