//! Rendering diagnostics: human (terminal), JSON and SARIF 2.1.0; and
//! scenario traces, suite reports and coverage ([`scenario`]).

mod human;
mod json;
mod sarif;
pub mod scenario;

pub use human::{HumanOptions, render_human, write_human};
pub use json::render_json;
pub use sarif::render_sarif;

use crate::{Lang, Report};
use sopflow_diagnostics::{SourceMap, Span};

/// Output formats of `sopflow check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: file:line:col, source lines with carets.
    Human,
    /// Stable JSON for programs (see docs/diagnostics.md).
    Json,
    /// SARIF 2.1.0 for code-scanning in CI.
    Sarif,
}

/// The one-line summary after a human report.
pub fn summary(report: &Report, lang: Lang) -> String {
    let (e, w) = (report.error_count(), report.warning_count());
    match lang {
        Lang::En => format!(
            "checked {} file{}, {} sop{}, {} step{}: {e} error{}, {w} warning{}",
            report.files,
            plural(report.files),
            report.sops,
            plural(report.sops),
            report.steps,
            plural(report.steps),
            plural(e),
            plural(w)
        ),
        Lang::Id => format!(
            "diperiksa {} berkas, {} sop, {} langkah: {e} galat, {w} peringatan",
            report.files, report.sops, report.steps
        ),
    }
}

/// The word before a help line: `help` / `bantuan`.
pub(crate) fn help_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "help",
        Lang::Id => "bantuan",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// 1-based line/column of both ends of a span, plus the file name.
pub(crate) struct Located<'a> {
    pub file: &'a str,
    pub start: sopflow_diagnostics::LineCol,
    pub end: sopflow_diagnostics::LineCol,
}

pub(crate) fn locate<'a>(sources: &'a SourceMap, span: Span) -> Located<'a> {
    match sources.get(span.file) {
        Some(f) => Located {
            file: &f.name,
            start: f.line_col(span.start as usize),
            end: f.line_col(span.end as usize),
        },
        None => {
            let one = sopflow_diagnostics::LineCol { line: 1, column: 1 };
            Located {
                file: "<unknown>",
                start: one,
                end: one,
            }
        }
    }
}
