//! sopflow: declarative SOP workflows for child-protection services.
//!
//! This facade crate is what other programs embed. It loads a bundle (a
//! directory of `.sop` files), parses and checks it, and renders the
//! diagnostics for people (human), programs (JSON) and code scanning (SARIF).
//! It also compiles a clean bundle for the engine and re-exports the engine
//! ([`start`], [`apply`], [`tasks`], [`replay`], serialisable [`CaseState`])
//! and the scenario runner ([`scenario`]).
//!
//! ```
//! let mut sources = sopflow::SourceMap::new();
//! sources.add("hello.sop", "sop halo { start a  step a { next selesai }  end selesai }");
//! let report = sopflow::check_sources(&sources, &sopflow::CheckConfig::default());
//! assert_eq!(report.error_count(), 0);
//! ```
//!
//! Running a case:
//!
//! ```
//! let mut sources = sopflow::SourceMap::new();
//! sources.add("halo.sop", "organization o { role petugas }
//!     sop halo { start a  step a { by petugas  next selesai }  end selesai }");
//! let (report, bundle) = sopflow::compile_sources(&sources, &sopflow::CheckConfig::default());
//! let bundle = bundle.expect("no errors");
//! assert_eq!(report.error_count(), 0);
//! let at = |s: &str| s.parse::<sopflow::At>().expect("a timestamp");
//! let case = sopflow::start(&bundle, "halo", "kasus-1", at("2024-06-10T09:00:00+07:00"), None)
//!     .expect("started")
//!     .state;
//! assert_eq!(sopflow::tasks(&bundle, &case)[0].step, "a");
//! let event = sopflow::Event {
//!     at: at("2024-06-10T10:00:00+07:00"),
//!     by: Some("petugas".into()),
//!     kind: sopflow::EventKind::Complete { step: "a".into(), data: Default::default(), consent: None },
//! };
//! let case = sopflow::apply(&bundle, &case, event).expect("accepted").state;
//! assert!(matches!(case.status, sopflow::CaseStatus::Closed { .. }));
//! ```

pub mod explain;
pub mod load;
pub mod render;

pub use sopflow_check::{CheckConfig, CompiledBundle};
pub use sopflow_diagnostics::{Code, Diagnostic, FileId, Lang, Severity, SourceMap, Span, Text};
/// Flowcharts of sops (Mermaid, DOT, a Markdown page): `sopflow-diagram`.
pub use sopflow_diagram as diagram;
/// The engine: every type and function of `sopflow-engine`.
pub use sopflow_engine as engine;
pub use sopflow_engine::{
    At, CaseState, CaseStatus, Effect, EngineError, Event, EventKind, Outcome, ReferralResponse,
    Task, Value, apply, replay, start, tasks,
};
/// Scenario files, traces and coverage: `sopflow-scenario`.
pub use sopflow_scenario as scenario;
pub use sopflow_syntax::ast;

use sopflow_diagnostics::sort_diagnostics;

/// The outcome of checking a bundle: every diagnostic, sorted.
#[derive(Debug)]
pub struct Report {
    /// Parse and check diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files read.
    pub files: usize,
    /// Number of SOPs checked.
    pub sops: usize,
    /// Number of steps and ends checked.
    pub steps: usize,
}

impl Report {
    /// How many diagnostics are errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many diagnostics are warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// Parses every file of `sources` and checks them together as one bundle.
pub fn check_sources(sources: &SourceMap, config: &CheckConfig) -> Report {
    check_sources_skipping(sources, &[], config, false).0
}

/// Parses and checks `sources` and, when no diagnostic is an error,
/// compiles them for the engine.
pub fn compile_sources(
    sources: &SourceMap,
    config: &CheckConfig,
) -> (Report, Option<CompiledBundle>) {
    check_sources_skipping(sources, &[], config, true)
}

fn check_sources_skipping(
    sources: &SourceMap,
    skip: &[FileId],
    config: &CheckConfig,
    lower: bool,
) -> (Report, Option<CompiledBundle>) {
    let mut diagnostics = Vec::new();
    let mut files = Vec::with_capacity(sources.len());
    for (id, file) in sources.iter() {
        if skip.contains(&id) {
            continue;
        }
        let (ast, diags) = sopflow_syntax::parse_file(id, &file.text);
        if ast.items.is_empty() && diags.is_empty() {
            diagnostics.push(Diagnostic::new(
                Code::EmptyFile,
                Span::new(id, 0, 0),
                Text::new(
                    "this file declares nothing",
                    "berkas ini tidak berisi deklarasi apa pun",
                ),
            ));
        }
        diagnostics.extend(diags);
        files.push(ast);
    }
    let (checked, bundle) = if lower {
        sopflow_check::compile(&files, config)
    } else {
        (sopflow_check::check(&files, config), None)
    };
    diagnostics.extend(checked.diagnostics);
    sort_diagnostics(&mut diagnostics);
    let report = Report {
        diagnostics,
        files: sources.len(),
        sops: checked.sops,
        steps: checked.steps,
    };
    // Syntax errors are not the checker's: a bundle is only as good as the whole report.
    let bundle = bundle.filter(|_| report.error_count() == 0);
    (report, bundle)
}

/// The syntax trees of the files of `sources`, except `skip` (for example
/// [`load::Loaded::unreadable`]), with their names: what [`diagram::Library`]
/// draws from. Diagnostics are left out: they are [`check_sources`]'s job.
pub fn parse_sources<'s>(sources: &'s SourceMap, skip: &[FileId]) -> Vec<(&'s str, ast::File)> {
    sources
        .iter()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, file)| {
            (
                file.name.as_str(),
                sopflow_syntax::parse_file(id, &file.text).0,
            )
        })
        .collect()
}

/// Checks a bundle read by [`load::load_paths`], including its unreadable-file diagnostics.
pub fn check_loaded(loaded: &load::Loaded, config: &CheckConfig) -> Report {
    loaded_report(loaded, config, false).0
}

/// [`check_loaded`], and the compiled bundle when no diagnostic is an error.
pub fn compile_loaded(
    loaded: &load::Loaded,
    config: &CheckConfig,
) -> (Report, Option<CompiledBundle>) {
    loaded_report(loaded, config, true)
}

fn loaded_report(
    loaded: &load::Loaded,
    config: &CheckConfig,
    lower: bool,
) -> (Report, Option<CompiledBundle>) {
    let (mut report, bundle) =
        check_sources_skipping(&loaded.sources, &loaded.unreadable, config, lower);
    if !loaded.diagnostics.is_empty() {
        report
            .diagnostics
            .extend(loaded.diagnostics.iter().cloned());
        sort_diagnostics(&mut report.diagnostics);
    }
    let bundle = bundle.filter(|_| report.error_count() == 0);
    (report, bundle)
}

/// Why [`compile_dir`] gave no bundle.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The files could not be read.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// The bundle has error diagnostics; render them with [`render`].
    #[error("the bundle has {} error(s); run `sopflow check` to see them", .report.error_count())]
    Invalid {
        /// Every diagnostic.
        report: Report,
        /// The files the diagnostics point into.
        sources: SourceMap,
    },
}

/// Reads every `.sop` file under `path` (a directory or one file), checks
/// them as one bundle and compiles it. The report holds the warnings.
pub fn compile_dir(
    path: impl AsRef<std::path::Path>,
) -> Result<(CompiledBundle, Report), CompileError> {
    let loaded = load::load_paths(&[path.as_ref().to_path_buf()])?;
    let (report, bundle) = compile_loaded(&loaded, &CheckConfig::default());
    match bundle {
        Some(bundle) => Ok((bundle, report)),
        None => Err(CompileError::Invalid {
            report,
            sources: loaded.sources,
        }),
    }
}
