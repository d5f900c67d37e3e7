//! Shared by the fuzz targets: check a bundle, assert the span invariants,
//! and render the report in every format.

use sopflow::render::{HumanOptions, render_human, render_json, render_sarif};
use sopflow::{CheckConfig, Lang, Report, SourceMap, Span};

/// Panics unless `span` names a file of `sources` and covers a range of its
/// text that starts and ends on char boundaries.
fn assert_span_ok(sources: &SourceMap, span: Span, what: &str) {
    let file = sources
        .get(span.file)
        .unwrap_or_else(|| panic!("{what}: span {span:?} names a file that does not exist"));
    let text = &file.text;
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what}: span {span:?} is reversed");
    assert!(
        end <= text.len(),
        "{what}: span {span:?} ends past the end of `{}` ({} bytes)",
        file.name,
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {span:?} splits a UTF-8 character in `{}`",
        file.name
    );
}

/// Checks `sources`, asserts every span is well-formed, and renders the
/// report as human text (both languages), JSON and SARIF (both parsed back).
pub fn exercise(sources: &SourceMap) -> Report {
    let report = sopflow::check_sources(sources, &CheckConfig::default());
    for d in &report.diagnostics {
        assert_span_ok(sources, d.span, d.code.as_str());
        for l in &d.labels {
            assert_span_ok(sources, l.span, d.code.as_str());
        }
    }
    for lang in [Lang::En, Lang::Id] {
        let human = render_human(&report, sources, HumanOptions { lang });
        assert!(!human.is_empty());
        let json = render_json(&report, sources, lang);
        serde_json::from_str::<serde_json::Value>(&json).expect("JSON output parses");
        let sarif = render_sarif(&report, sources, lang);
        serde_json::from_str::<serde_json::Value>(&sarif).expect("SARIF output parses");
    }
    report
}
