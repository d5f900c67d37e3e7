//! Step and branch coverage: which nodes of each SOP the scenarios visited
//! and which decision arms ([`SopIr::branches`]) they took.

use serde::Serialize;
use sopflow_check::ir::{CompiledBundle, SopIr, TargetIr, TransitionIr};
use sopflow_engine::CaseState;
use std::collections::BTreeSet;

/// Visits and decisions gathered from cases, for any number of SOPs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    visited: BTreeSet<(String, String)>,
    taken: BTreeSet<(String, String, Option<usize>)>,
}

/// A decision arm: arm `arm` (0-based; `None` for `else`) of the decision in `step`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Branch {
    /// The deciding step.
    pub step: String,
    /// The arm's index among the `when`s, `None` for `else`.
    pub arm: Option<usize>,
    /// Where the arm leads (a step, an end, or `join`).
    pub to: String,
}

/// The coverage of one SOP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SopCoverage {
    /// The SOP.
    pub sop: String,
    /// Steps and ends in the SOP.
    pub steps: usize,
    /// Steps and ends visited at least once.
    pub steps_covered: usize,
    /// Decision arms in the SOP (`else` included).
    pub branches: usize,
    /// Decision arms taken at least once.
    pub branches_covered: usize,
    /// Steps and ends never visited, in declaration order.
    pub uncovered_steps: Vec<String>,
    /// Decision arms never taken, in declaration order.
    pub uncovered_branches: Vec<Branch>,
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

impl SopCoverage {
    /// Step coverage in percent (100 when the SOP has no steps).
    pub fn step_percent(&self) -> f64 {
        percent(self.steps_covered, self.steps)
    }

    /// Branch coverage in percent (100 when the SOP has no decisions).
    pub fn branch_percent(&self) -> f64 {
        percent(self.branches_covered, self.branches)
    }

    /// Whether branch coverage is at least `min` percent (exact: no rounding).
    pub fn branches_at_least(&self, min: f64) -> bool {
        self.branches_covered as f64 * 100.0 >= min * self.branches as f64
    }
}

fn target_name(sop: &SopIr, target: &TargetIr) -> String {
    match target {
        TargetIr::Node(n) => sop
            .nodes
            .get(*n)
            .map(|n| n.name.to_string())
            .unwrap_or_default(),
        TargetIr::Join => "join".into(),
    }
}

impl Coverage {
    /// No visits yet.
    pub fn new() -> Coverage {
        Coverage::default()
    }

    /// Records that `step` of `sop` was visited.
    pub fn record_visit(&mut self, sop: &str, step: &str) {
        self.visited.insert((sop.to_string(), step.to_string()));
    }

    /// Records that the decision in `step` of `sop` took `arm` (`None`: else).
    pub fn record_decision(&mut self, sop: &str, step: &str, arm: Option<usize>) {
        self.taken.insert((sop.to_string(), step.to_string(), arm));
    }

    /// Records a case's path and decisions (its own SOP and every SOP it called).
    pub fn record(&mut self, state: &CaseState) {
        for v in &state.path {
            self.record_visit(&v.sop, &v.step);
        }
        for (sop, step, arm) in &state.decisions {
            self.record_decision(sop, step, *arm);
        }
    }

    /// The coverage of one SOP of the bundle.
    pub fn of_sop(&self, sop: &SopIr) -> SopCoverage {
        let visited = |step: &str| {
            self.visited
                .contains(&(sop.name.to_string(), step.to_string()))
        };
        let uncovered_steps: Vec<String> = sop
            .nodes
            .iter()
            .filter(|n| !visited(&n.name))
            .map(|n| n.name.to_string())
            .collect();
        let mut uncovered_branches = Vec::new();
        for &(node, arm) in &sop.branches {
            let Some(n) = sop.nodes.get(node) else {
                continue;
            };
            if self
                .taken
                .contains(&(sop.name.to_string(), n.name.to_string(), arm))
            {
                continue;
            }
            let to = match (&n.transition, arm) {
                (TransitionIr::Decide { arms, .. }, Some(i)) => arms
                    .get(i)
                    .map(|(_, t)| target_name(sop, t))
                    .unwrap_or_default(),
                (TransitionIr::Decide { default, .. }, None) => default
                    .as_ref()
                    .map(|t| target_name(sop, t))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            uncovered_branches.push(Branch {
                step: n.name.to_string(),
                arm,
                to,
            });
        }
        SopCoverage {
            sop: sop.name.to_string(),
            steps: sop.nodes.len(),
            steps_covered: sop.nodes.len() - uncovered_steps.len(),
            branches: sop.branches.len(),
            branches_covered: sop.branches.len() - uncovered_branches.len(),
            uncovered_steps,
            uncovered_branches,
        }
    }

    /// The coverage of every SOP of the bundle, by SOP name.
    pub fn report(&self, bundle: &CompiledBundle) -> Vec<SopCoverage> {
        bundle.sops.values().map(|s| self.of_sop(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sopflow_check::ir::{Guard, NodeIr};
    use std::collections::BTreeMap;

    fn node(name: &str, transition: TransitionIr) -> NodeIr {
        NodeIr {
            name: name.into(),
            title: None,
            is_end: matches!(transition, TransitionIr::None),
            performers: std::sync::Arc::new([]),
            fills: Vec::new(),
            consents: Vec::new(),
            deadline: None,
            refers: Vec::new(),
            branches: Vec::new(),
            call: None,
            transition,
            joins: None,
            needs_completion: false,
        }
    }

    /// a: decide { when … -> b  when … -> c  else -> d };  b, c -> d;  d: end.
    fn hand_built() -> SopIr {
        let t = || Guard::Bool(true);
        SopIr {
            name: "s".into(),
            title: None,
            version: 1,
            start: 0,
            calendar: None,
            nodes: vec![
                node(
                    "a",
                    TransitionIr::Decide {
                        arms: vec![(t(), TargetIr::Node(1)), (t(), TargetIr::Node(2))],
                        default: Some(TargetIr::Node(3)),
                    },
                ),
                node("b", TransitionIr::Next(TargetIr::Node(3))),
                node(
                    "c",
                    TransitionIr::Decide {
                        arms: vec![(t(), TargetIr::Node(3))],
                        default: None,
                    },
                ),
                node("d", TransitionIr::None),
            ],
            branches: vec![(0, Some(0)), (0, Some(1)), (0, None), (2, Some(0))],
        }
    }

    #[test]
    fn nothing_recorded_covers_nothing() {
        let c = Coverage::new().of_sop(&hand_built());
        assert_eq!((c.steps, c.steps_covered), (4, 0));
        assert_eq!((c.branches, c.branches_covered), (4, 0));
        assert_eq!(c.step_percent(), 0.0);
        assert_eq!(c.uncovered_steps, vec!["a", "b", "c", "d"]);
        assert_eq!(
            c.uncovered_branches,
            vec![
                Branch {
                    step: "a".into(),
                    arm: Some(0),
                    to: "b".into()
                },
                Branch {
                    step: "a".into(),
                    arm: Some(1),
                    to: "c".into()
                },
                Branch {
                    step: "a".into(),
                    arm: None,
                    to: "d".into()
                },
                Branch {
                    step: "c".into(),
                    arm: Some(0),
                    to: "d".into()
                },
            ]
        );
        assert!(!c.branches_at_least(0.1));
        assert!(c.branches_at_least(0.0));
    }

    #[test]
    fn exact_counts_and_percentages() {
        let sop = hand_built();
        let mut cov = Coverage::new();
        // One case a -> c -> d, another a -> d (else); the same visit twice counts once.
        for step in ["a", "c", "d", "a", "d"] {
            cov.record_visit("s", step);
        }
        cov.record_decision("s", "a", Some(1));
        cov.record_decision("s", "c", Some(0));
        cov.record_decision("s", "a", None);
        // Visits of another SOP, or of names this SOP lacks, do not count.
        cov.record_visit("other", "b");
        cov.record_visit("s", "zzz");
        cov.record_decision("other", "a", Some(0));
        let c = cov.of_sop(&sop);
        assert_eq!((c.steps, c.steps_covered), (4, 3));
        assert_eq!((c.branches, c.branches_covered), (4, 3));
        assert_eq!(c.step_percent(), 75.0);
        assert_eq!(c.branch_percent(), 75.0);
        assert_eq!(c.uncovered_steps, vec!["b"]);
        assert_eq!(
            c.uncovered_branches,
            vec![Branch {
                step: "a".into(),
                arm: Some(0),
                to: "b".into()
            }]
        );
        assert!(c.branches_at_least(75.0));
        assert!(!c.branches_at_least(75.01));
        assert!(!c.branches_at_least(100.0));
        cov.record_visit("s", "b");
        cov.record_decision("s", "a", Some(0));
        let c = cov.of_sop(&sop);
        assert_eq!((c.steps_covered, c.branches_covered), (4, 4));
        assert_eq!((c.step_percent(), c.branch_percent()), (100.0, 100.0));
        assert!(c.branches_at_least(100.0));
    }

    #[test]
    fn thirds_are_not_rounded_up() {
        let sop = SopIr {
            branches: vec![(0, Some(0)), (0, Some(1)), (0, None)],
            ..hand_built()
        };
        let mut cov = Coverage::new();
        cov.record_decision("s", "a", None);
        let c = cov.of_sop(&sop);
        assert_eq!((c.branches, c.branches_covered), (3, 1));
        assert!((c.branch_percent() - 100.0 / 3.0).abs() < 1e-9);
        assert!(!c.branches_at_least(33.34));
        assert!(c.branches_at_least(33.0));
    }

    #[test]
    fn an_sop_without_decisions_is_fully_branch_covered() {
        let sop = SopIr {
            name: "lurus".into(),
            title: None,
            version: 0,
            start: 0,
            calendar: None,
            nodes: vec![
                node("a", TransitionIr::Next(TargetIr::Node(1))),
                node("z", TransitionIr::None),
            ],
            branches: Vec::new(),
        };
        let bundle = CompiledBundle {
            hash: String::new(),
            roles: BTreeMap::new(),
            calendars: BTreeMap::new(),
            forms: BTreeMap::new(),
            services: BTreeMap::new(),
            consent_for_service: BTreeMap::new(),
            classes: BTreeMap::new(),
            sops: [("lurus".to_string(), sop), ("s".to_string(), hand_built())]
                .into_iter()
                .collect(),
        };
        let mut cov = Coverage::new();
        cov.record_visit("lurus", "a");
        let report = cov.report(&bundle);
        assert_eq!(
            report.iter().map(|c| c.sop.as_str()).collect::<Vec<_>>(),
            vec!["lurus", "s"]
        );
        assert_eq!((report[0].steps, report[0].steps_covered), (2, 1));
        assert_eq!((report[0].branches, report[0].branch_percent()), (0, 100.0));
        assert!(report[0].branches_at_least(100.0));
        assert_eq!(report[1].steps_covered, 0);
    }
}
