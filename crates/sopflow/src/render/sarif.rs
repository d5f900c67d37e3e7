//! SARIF 2.1.0 output: a small hand-written DTO, rules de-duplicated and
//! sorted, 1-based regions, file URIs relative with forward slashes.

use super::{Located, locate};
use crate::{Lang, Report};
use serde::Serialize;
use sopflow_diagnostics::{Code, Severity, SourceMap, Span};
use std::collections::BTreeSet;

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<ResultItem<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    category: sopflow_diagnostics::Category,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultItem<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn physical<'a>(sources: &'a SourceMap, span: Span) -> PhysicalLocation<'a> {
    let Located { file, start, end } = locate(sources, span);
    // An empty span still covers one column so viewers can show it.
    let end_column = if end.line == start.line && end.column <= start.column {
        start.column + 1
    } else {
        end.column
    };
    let uri = if file.contains('\\') {
        std::borrow::Cow::Owned(file.replace('\\', "/"))
    } else {
        std::borrow::Cow::Borrowed(file)
    };
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri },
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column,
        },
    }
}

/// Renders the report as a SARIF 2.1.0 log.
pub fn render_sarif(report: &Report, sources: &SourceMap, lang: Lang) -> String {
    let codes: BTreeSet<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    let codes: Vec<Code> = codes.into_iter().collect();
    let rules = codes
        .iter()
        .map(|c| Rule {
            id: c.as_str(),
            name: c.name(),
            short_description: Message {
                text: c.title().get(lang).to_string(),
            },
            full_description: Message {
                text: format!("{} (sopflow explain {})", c.title().get(lang), c.as_str()),
            },
            default_configuration: Configuration {
                level: level(c.default_severity()),
            },
            properties: RuleProperties {
                category: c.category(),
            },
        })
        .collect();
    let results = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.get(lang).to_string();
            for note in &d.notes {
                text.push('\n');
                text.push_str(note.get(lang));
            }
            if let Some(help) = &d.help {
                text.push('\n');
                text.push_str(super::help_word(lang));
                text.push_str(": ");
                text.push_str(help.get(lang));
            }
            ResultItem {
                rule_id: d.code.as_str(),
                rule_index: codes.binary_search(&d.code).unwrap_or(0),
                level: level(d.severity),
                message: Message { text },
                locations: vec![SarifLocation {
                    id: None,
                    physical_location: physical(sources, d.span),
                    message: None,
                }],
                related_locations: d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| SarifLocation {
                        id: Some(i),
                        physical_location: physical(sources, l.span),
                        message: Some(Message {
                            text: l.message.get(lang).to_string(),
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let log = Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "sopflow",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
