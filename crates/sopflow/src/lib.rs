//! sopflow: declarative SOP workflows for child-protection services.
//!
//! This facade crate is what other programs embed. It loads a bundle (a
//! directory of `.sop` files), parses and checks it, and renders the
//! diagnostics for people (human), programs (JSON) and code scanning (SARIF).
//!
//! ```
//! let mut sources = sopflow::SourceMap::new();
//! sources.add("hello.sop", "sop halo { start a  step a { next selesai }  end selesai }");
//! let report = sopflow::check_sources(&sources, &sopflow::CheckConfig::default());
//! assert_eq!(report.error_count(), 0);
//! ```

pub mod explain;
pub mod load;
pub mod render;

pub use sopflow_check::CheckConfig;
pub use sopflow_diagnostics::{Code, Diagnostic, FileId, Lang, Severity, SourceMap, Span, Text};
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
    check_sources_skipping(sources, &[], config)
}

fn check_sources_skipping(sources: &SourceMap, skip: &[FileId], config: &CheckConfig) -> Report {
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
    let checked = sopflow_check::check(&files, config);
    diagnostics.extend(checked.diagnostics);
    sort_diagnostics(&mut diagnostics);
    Report {
        diagnostics,
        files: sources.len(),
        sops: checked.sops,
        steps: checked.steps,
    }
}

/// Checks a bundle read by [`load::load_paths`], including its unreadable-file diagnostics.
pub fn check_loaded(loaded: &load::Loaded, config: &CheckConfig) -> Report {
    let mut report = check_sources_skipping(&loaded.sources, &loaded.unreadable, config);
    if !loaded.diagnostics.is_empty() {
        report
            .diagnostics
            .extend(loaded.diagnostics.iter().cloned());
        sort_diagnostics(&mut report.diagnostics);
    }
    report
}
