//! Human-readable diagnostics through codespan-reporting.

use super::{help_word, summary};
use crate::{Lang, Report};
use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config};
use sopflow_diagnostics::{Diagnostic, FileId, Severity, SourceMap};
use std::ops::Range;

/// Options for human output.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// Language of the messages.
    pub lang: Lang,
}

/// Adapts a [`SourceMap`] to codespan's `Files` (line starts computed lazily per file).
struct SourceFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self
            .0
            .get(id)
            .ok_or(FilesError::FileMissing)?
            .line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.0.get(id).ok_or(FilesError::FileMissing)?;
        let starts = f.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(f.text.len());
        Ok(start..end)
    }
}

/// Source lines longer than this are not reprinted under each diagnostic:
/// many errors on one very long line would make the output quadratic.
pub const MAX_SNIPPET_LINE: usize = 400;

/// Whether the line(s) a span starts on are short enough to show.
fn showable(sources: &SourceMap, span: sopflow_diagnostics::Span) -> bool {
    let Some(f) = sources.get(span.file) else {
        return false;
    };
    let line = f.line_index(span.start as usize);
    let starts = f.line_starts();
    let start = starts.get(line).copied().unwrap_or(0);
    let end = starts.get(line + 1).copied().unwrap_or(f.text.len());
    end.saturating_sub(start) <= MAX_SNIPPET_LINE
}

fn to_codespan(d: &Diagnostic, lang: Lang, sources: &SourceMap) -> CsDiagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
    };
    let mut primary = Label::new(LabelStyle::Primary, d.span.file, d.span.range());
    if let Some(text) = &d.primary_label {
        primary = primary.with_message(text.get(lang));
    }
    let mut notes: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    if showable(sources, d.span) {
        labels.push(primary);
    } else {
        let at = super::locate(sources, d.span);
        notes.push(format!(
            "--> {}:{}:{} (line too long to show)",
            at.file, at.start.line, at.start.column
        ));
    }
    labels.extend(
        d.labels
            .iter()
            .filter(|l| showable(sources, l.span))
            .map(|l| {
                Label::new(LabelStyle::Secondary, l.span.file, l.span.range())
                    .with_message(l.message.get(lang))
            }),
    );
    notes.extend(d.notes.iter().map(|n| n.get(lang).to_string()));
    if let Some(help) = &d.help {
        notes.push(format!("{}: {}", help_word(lang), help.get(lang)));
    }
    CsDiagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(d.message.get(lang))
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders the report as plain text (no colour), ending with the summary line.
pub fn render_human(report: &Report, sources: &SourceMap, opts: HumanOptions) -> String {
    let files = SourceFiles(sources);
    let config = Config::default();
    let mut out = String::new();
    for d in &report.diagnostics {
        match term::emit_into_string(&config, &files, &to_codespan(d, opts.lang, sources)) {
            Ok(s) => out.push_str(&s),
            Err(_) => out.push_str(&format!("{}: {}\n", d.code, d.message.get(opts.lang))),
        }
    }
    out.push_str(&summary(report, opts.lang));
    out.push('\n');
    out
}

/// Writes the report to a terminal stream, in colour when `color` is set.
pub fn write_human(
    report: &Report,
    sources: &SourceMap,
    opts: HumanOptions,
    color: bool,
) -> std::io::Result<()> {
    use term::termcolor::{ColorChoice, StandardStream, WriteColor};
    let mut stream = StandardStream::stdout(if color {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    });
    let files = SourceFiles(sources);
    let config = Config::default();
    for d in &report.diagnostics {
        if term::emit_to_write_style(
            &mut stream,
            &config,
            &files,
            &to_codespan(d, opts.lang, sources),
        )
        .is_err()
        {
            use std::io::Write;
            writeln!(stream, "{}: {}", d.code, d.message.get(opts.lang))?;
        }
    }
    stream.reset()?;
    use std::io::Write;
    writeln!(stream, "{}", summary(report, opts.lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_errors_on_one_long_line_do_not_reprint_the_line() {
        let mut sources = SourceMap::new();
        let text = format!("organization o {{ {}}}", "role r ".repeat(2000));
        sources.add("long.sop", text.clone());
        let report = crate::check_sources(&sources, &crate::CheckConfig::default());
        assert_eq!(report.error_count(), 1999);
        let out = render_human(&report, &sources, HumanOptions { lang: Lang::En });
        // Without the cap every diagnostic would reprint the 14 KB line (~28 MB in all).
        assert!(out.len() < 40 * text.len(), "{} bytes", out.len());
        assert!(out.contains("--> long.sop:1:"), "{}", &out[..200]);
    }
}
