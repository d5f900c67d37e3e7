//! The stable JSON report (schema version 1, documented in docs/diagnostics.md).

use super::{Located, locate};
use crate::{Lang, Report};
use serde::Serialize;
use sopflow_diagnostics::{Diagnostic, SourceMap, Span};

/// JSON schema version; bumped on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    lang: Lang,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    sops: usize,
    steps: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    offset: u32,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    rule: &'static str,
    severity: sopflow_diagnostics::Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    notes: Vec<&'a str>,
}

fn location<'a>(sources: &'a SourceMap, span: Span) -> Location<'a> {
    let Located { file, start, end } = locate(sources, span);
    Location {
        file,
        start: Position {
            line: start.line,
            column: start.column,
            offset: span.start,
        },
        end: Position {
            line: end.line,
            column: end.column,
            offset: span.end,
        },
    }
}

fn diagnostic<'a>(d: &'a Diagnostic, sources: &'a SourceMap, lang: Lang) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.code.as_str(),
        rule: d.code.name(),
        severity: d.severity,
        message: d.message.get(lang),
        location: location(sources, d.span),
        label: d.primary_label.as_ref().map(|t| t.get(lang)),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel {
                location: location(sources, l.span),
                message: l.message.get(lang),
            })
            .collect(),
        help: d.help.as_ref().map(|t| t.get(lang)),
        notes: d.notes.iter().map(|n| n.get(lang)).collect(),
    }
}

/// Renders the report as pretty-printed JSON.
pub fn render_json(report: &Report, sources: &SourceMap, lang: Lang) -> String {
    let out = JsonReport {
        version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "sopflow",
            version: env!("CARGO_PKG_VERSION"),
        },
        lang,
        summary: Summary {
            files: report.files,
            sops: report.sops,
            steps: report.steps,
            errors: report.error_count(),
            warnings: report.warning_count(),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| diagnostic(d, sources, lang))
            .collect(),
    };
    serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
