//! Generated `.sop` bundles for benchmarking and stress-testing the parser
//! and checker.
//!
//! [`generate`] builds, from a seed, a realistic bundle of a chosen number
//! of steps: an organisation with units, roles and escalation chains, two
//! calendars, typed forms with a risk score and level, a consent-bound
//! referral network and a community network, a data-use policy, and SOPs of
//! about 1,000 steps each (sequences, guarded decisions, loops with exits,
//! deadlines, parallel referrals with joining branches, consent before
//! referral, calls of other SOPs, several ends), one SOP per file.
//!
//! A valid bundle checks with no diagnostic at all. With a defect rate,
//! real defects are injected ([`DefectKind`]) and listed in
//! [`Bundle::defects`] with the byte range they occupy, so tests can match
//! every diagnostic to the defect that caused it.
//!
//! ```
//! let bundle = sopflow_bench::generate(&sopflow_bench::GenConfig {
//!     steps: 200,
//!     ..Default::default()
//! });
//! let report = sopflow::check_sources(&bundle.source_map(), &sopflow::CheckConfig::default());
//! assert!(report.diagnostics.is_empty());
//! assert_eq!(report.steps, 200);
//! ```

mod model;
mod rng;
mod sop;

use sopflow_diagnostics::{Code, SourceMap};
use std::ops::Range;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Total number of steps and ends over all SOPs (each SOP has at least 3).
    pub steps: usize,
    /// Steps per SOP (the number of SOPs is `steps / steps_per_sop`, rounded, at least 1).
    pub steps_per_sop: usize,
    /// Expected defects per step, e.g. `0.01` for about one defect per 100 steps; 0 for a valid bundle.
    pub defect_rate: f64,
    /// Seed: the same configuration always gives the same bundle.
    pub seed: u64,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            steps: 1_000,
            steps_per_sop: 1_000,
            defect_rate: 0.0,
            seed: 42,
        }
    }
}

/// A kind of defect the generator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefectKind {
    /// A step nothing points to.
    UnreachableStep,
    /// Two steps pointing at each other that nothing reaches (a closed orphan cycle).
    OrphanCycle,
    /// A step with no `next` or decision.
    DeadEnd,
    /// A decision arm entering a two-step loop with no exit.
    EndlessLoop,
    /// A misspelled role, form, field or service.
    UnknownName,
    /// A guard comparing values of different types (or ordering an enum).
    TypeMismatch,
    /// A referral to a consent-bound service with no consent recorded before it.
    ShareWithoutConsent,
    /// A parallel branch whose last step forgets `next join`.
    BranchWithoutJoin,
}

impl DefectKind {
    /// Every kind.
    pub const ALL: &'static [DefectKind] = &[
        DefectKind::UnreachableStep,
        DefectKind::OrphanCycle,
        DefectKind::DeadEnd,
        DefectKind::EndlessLoop,
        DefectKind::UnknownName,
        DefectKind::TypeMismatch,
        DefectKind::ShareWithoutConsent,
        DefectKind::BranchWithoutJoin,
    ];

    /// The codes the checker must report for this defect; the first is the
    /// defining one, the others are legitimate consequences (a branch that
    /// forgets `next join` is also a dead end).
    pub fn codes(self) -> &'static [Code] {
        match self {
            DefectKind::UnreachableStep | DefectKind::OrphanCycle => &[Code::UnreachableStep],
            DefectKind::DeadEnd => &[Code::DeadEnd],
            DefectKind::EndlessLoop => &[Code::NoEndReachable],
            DefectKind::UnknownName => &[Code::UnknownName],
            DefectKind::TypeMismatch => &[Code::TypeMismatch],
            DefectKind::ShareWithoutConsent => &[Code::ShareWithoutConsent],
            DefectKind::BranchWithoutJoin => &[Code::ParallelBranchNoJoin, Code::DeadEnd],
        }
    }

    /// A short kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::UnreachableStep => "unreachable-step",
            DefectKind::OrphanCycle => "orphan-cycle",
            DefectKind::DeadEnd => "dead-end",
            DefectKind::EndlessLoop => "endless-loop",
            DefectKind::UnknownName => "unknown-name",
            DefectKind::TypeMismatch => "type-mismatch",
            DefectKind::ShareWithoutConsent => "share-without-consent",
            DefectKind::BranchWithoutJoin => "branch-without-join",
        }
    }
}

/// One injected defect.
#[derive(Debug, Clone)]
pub struct Defect {
    /// What was injected.
    pub kind: DefectKind,
    /// The file (as in [`Bundle::files`]).
    pub file: String,
    /// The SOP.
    pub sop: String,
    /// Byte range of the block that holds it; its diagnostics point inside.
    pub range: Range<usize>,
    /// A human description, e.g. "step `visit_12` is performed by unknown role `supervisr`".
    pub detail: String,
}

/// A generated bundle.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// `(file name, text)`: shared declarations first, then one file per SOP.
    pub files: Vec<(String, String)>,
    /// Injected defects (empty for a valid bundle).
    pub defects: Vec<Defect>,
    /// Steps and ends declared over all SOPs.
    pub steps: usize,
    /// Number of SOPs.
    pub sops: usize,
}

impl Bundle {
    /// Total size of the text in bytes.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    /// The files as a [`SourceMap`], in order, ready for `sopflow::check_sources`.
    pub fn source_map(&self) -> SourceMap {
        let mut map = SourceMap::new();
        for (name, text) in &self.files {
            map.add(name.clone(), text.clone());
        }
        map
    }

    /// Writes the files into `dir` (created if needed) after removing the
    /// `.sop` files already there, so a smaller bundle does not inherit stale
    /// SOPs. With defects, also writes `defects.tsv` (kind, file, byte range, detail).
    pub fn write_to_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let stale = path.extension().is_some_and(|e| e == "sop")
                || path.file_name().is_some_and(|n| n == "defects.tsv");
            if stale && path.is_file() {
                std::fs::remove_file(&path)?;
            }
        }
        for (name, text) in &self.files {
            std::fs::write(dir.join(name), text)?;
        }
        if !self.defects.is_empty() {
            let mut tsv = String::from("kind\tfile\tsop\tstart\tend\tdetail\n");
            for d in &self.defects {
                tsv.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    d.kind.name(),
                    d.file,
                    d.sop,
                    d.range.start,
                    d.range.end,
                    d.detail
                ));
            }
            std::fs::write(dir.join("defects.tsv"), tsv)?;
        }
        Ok(())
    }
}

/// Generates a bundle. Deterministic: the same configuration gives the same bundle.
pub fn generate(config: &GenConfig) -> Bundle {
    let per = config.steps_per_sop.max(3);
    let sops = ((config.steps + per / 2) / per).max(1);
    let followups = (sops / 20).max(1);
    let forms = model::forms(followups);
    let ctx = sop::Context {
        first_followup: forms.len() - followups,
        forms: &forms,
        followups,
        sops,
        seed: config.seed,
        defect_rate: config.defect_rate.max(0.0),
    };
    let mut files = vec![
        (
            "org.sop".to_string(),
            model::org_file((sops / 25).clamp(1, 40)),
        ),
        ("forms.sop".to_string(), model::forms_file(&forms)),
        (
            "network.sop".to_string(),
            model::network_file((sops / 10).clamp(2, 100)),
        ),
        ("policy.sop".to_string(), model::policy_file()),
    ];
    let width = (sops.saturating_sub(1)).to_string().len().max(4);
    let (base, extra) = (config.steps / sops, config.steps % sops);
    let mut defects = Vec::new();
    let mut steps = 0;
    for i in 0..sops {
        let target = base + usize::from(i < extra);
        let s = sop::generate(&ctx, i, target);
        let file = format!("sop-{i:0width$}.sop");
        steps += s.steps;
        defects.extend(s.defects.into_iter().map(|(kind, range, detail)| Defect {
            kind,
            file: file.clone(),
            sop: s.name.clone(),
            range,
            detail,
        }));
        files.push((file, s.text));
    }
    Bundle {
        files,
        defects,
        steps,
        sops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sopflow::{CheckConfig, Lang, check_sources};
    use std::collections::BTreeMap;

    fn render(report: &sopflow::Report, map: &SourceMap, limit: usize) -> String {
        report
            .diagnostics
            .iter()
            .take(limit)
            .map(|d| {
                let file = map.get(d.span.file).map(|f| f.name.as_str()).unwrap_or("?");
                format!(
                    "{} {}:{}: {}\n    {:?}",
                    d.code,
                    file,
                    d.span.start,
                    d.message.get(Lang::En),
                    map.snippet(d.span)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn valid_bundles_check_clean() {
        for (steps, per, seed) in [
            (3, 1000, 1),
            (7, 1000, 2),
            (50, 1000, 3),
            (1000, 1000, 4),
            (3000, 150, 5),
        ] {
            let bundle = generate(&GenConfig {
                steps,
                steps_per_sop: per,
                defect_rate: 0.0,
                seed,
            });
            assert!(bundle.defects.is_empty());
            let map = bundle.source_map();
            let report = check_sources(&map, &CheckConfig::default());
            assert!(
                report.diagnostics.is_empty(),
                "steps={steps} per={per} seed={seed}: {} diagnostics\n{}",
                report.diagnostics.len(),
                render(&report, &map, 20)
            );
            assert_eq!(bundle.steps, steps);
            assert_eq!(report.steps, steps);
            assert_eq!(report.sops, bundle.sops);
        }
    }

    #[test]
    fn many_seeds_check_clean() {
        for seed in 100..120 {
            let bundle = generate(&GenConfig {
                steps: 600,
                steps_per_sop: 150,
                defect_rate: 0.0,
                seed,
            });
            let map = bundle.source_map();
            let report = check_sources(&map, &CheckConfig::default());
            assert!(
                report.diagnostics.is_empty(),
                "seed={seed}\n{}",
                render(&report, &map, 20)
            );
        }
    }

    #[test]
    fn deterministic() {
        let c = GenConfig {
            steps: 2500,
            steps_per_sop: 500,
            defect_rate: 0.02,
            seed: 9,
        };
        let (a, b) = (generate(&c), generate(&c));
        assert_eq!(a.files, b.files);
        assert_eq!(a.defects.len(), b.defects.len());
        let other = generate(&GenConfig { seed: 10, ..c });
        assert_ne!(a.files, other.files);
    }

    #[test]
    fn sizes_follow_the_config() {
        let b = generate(&GenConfig {
            steps: 10_000,
            ..Default::default()
        });
        assert_eq!(b.sops, 10);
        assert_eq!(b.files.len(), 14);
        assert_eq!(b.steps, 10_000);
        let b = generate(&GenConfig {
            steps: 10_499,
            ..Default::default()
        });
        assert_eq!(b.sops, 10);
        assert_eq!(b.steps, 10_499);
    }

    /// Checks one defective bundle: every diagnostic lies in the block of a
    /// defect expecting its code, and every defect yields each code it implies.
    fn check_defects(config: &GenConfig, seen: &mut BTreeMap<DefectKind, usize>) {
        let bundle = generate(config);
        let map = bundle.source_map();
        let report = check_sources(&map, &CheckConfig::default());
        let name_of = |d: &sopflow::Diagnostic| {
            map.get(d.span.file)
                .map(|f| f.name.clone())
                .unwrap_or_default()
        };
        for d in &report.diagnostics {
            let file = name_of(d);
            let owner = bundle.defects.iter().find(|x| {
                x.file == file
                    && x.range.contains(&(d.span.start as usize))
                    && x.kind.codes().contains(&d.code)
            });
            assert!(
                owner.is_some(),
                "{config:?}: diagnostic not explained by any injected defect:\n{}",
                render(
                    &sopflow::Report {
                        diagnostics: vec![d.clone()],
                        files: 0,
                        sops: 0,
                        steps: 0
                    },
                    &map,
                    1
                )
            );
        }
        for x in &bundle.defects {
            for code in x.kind.codes() {
                let found = report.diagnostics.iter().any(|d| {
                    d.code == *code
                        && name_of(d) == x.file
                        && x.range.contains(&(d.span.start as usize))
                });
                assert!(
                    found,
                    "{config:?}: {:?} ({}) in {} not reported as {code}",
                    x.kind, x.detail, x.file
                );
            }
            *seen.entry(x.kind).or_default() += 1;
        }
    }

    /// Every injected defect is reported with its code, inside its block, and
    /// nothing else is reported.
    #[test]
    fn every_defect_is_reported_with_its_code() {
        let mut seen: BTreeMap<DefectKind, usize> = BTreeMap::new();
        for seed in 0..6 {
            let config = GenConfig {
                steps: 3000,
                steps_per_sop: 300,
                defect_rate: 0.03,
                seed,
            };
            check_defects(&config, &mut seen);
        }
        for kind in DefectKind::ALL {
            assert!(seen.contains_key(kind), "{kind:?} never injected: {seen:?}");
        }
    }

    /// The same over several seeds, SOP sizes and rates (`SOPFLOW_GEN_SEEDS` raises the count).
    #[test]
    fn defects_over_many_seeds() {
        let mut seen: BTreeMap<DefectKind, usize> = BTreeMap::new();
        for seed in 0..seeds() {
            let config = GenConfig {
                steps: 3000 + 37 * seed as usize,
                steps_per_sop: [40, 150, 1000][seed as usize % 3],
                defect_rate: [0.005, 0.02, 0.1][seed as usize % 3],
                seed: 1000 + seed,
            };
            check_defects(&config, &mut seen);
        }
        for kind in DefectKind::ALL {
            assert!(seen.contains_key(kind), "{kind:?} never injected: {seen:?}");
        }
    }

    /// Valid bundles over several seeds and SOP sizes (`SOPFLOW_GEN_SEEDS` raises the count).
    #[test]
    fn valid_over_many_seeds() {
        for seed in 0..seeds() {
            let bundle = generate(&GenConfig {
                steps: 2000 + 53 * seed as usize,
                steps_per_sop: [10, 60, 400, 1000][seed as usize % 4],
                defect_rate: 0.0,
                seed: 5000 + seed,
            });
            let map = bundle.source_map();
            let report = check_sources(&map, &CheckConfig::default());
            assert!(
                report.diagnostics.is_empty(),
                "seed={seed}\n{}",
                render(&report, &map, 20)
            );
        }
    }

    /// Seeds for the many-seed tests: 12 by default (fast in debug), more on request.
    fn seeds() -> u64 {
        std::env::var("SOPFLOW_GEN_SEEDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12)
    }

    #[test]
    fn writes_a_directory_the_cli_loader_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("stale.sop"), "sop stale {").expect("write");
        let bundle = generate(&GenConfig {
            steps: 2000,
            defect_rate: 0.01,
            ..Default::default()
        });
        bundle.write_to_dir(dir.path()).expect("write bundle");
        assert!(!dir.path().join("stale.sop").exists());
        let loaded = sopflow::load::load_paths(&[dir.path().to_path_buf()]).expect("load");
        assert_eq!(loaded.sources.len(), bundle.files.len());
        let report = sopflow::check_loaded(&loaded, &CheckConfig::default());
        assert_eq!(report.steps, 2000);
        assert_eq!(
            report.error_count() > 0,
            !bundle.defects.is_empty(),
            "errors iff defects"
        );
        assert_eq!(
            dir.path().join("defects.tsv").exists(),
            !bundle.defects.is_empty()
        );
    }
}
