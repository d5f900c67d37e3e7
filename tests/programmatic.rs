//! Inputs that cannot be fixture files: bytes that are not UTF-8 (SOP0003)
//! and generated nesting (SOP0005); and the real bundle in `../sops`.

use sopflow::load::load_paths;
use sopflow::render::{HumanOptions, render_human};
use sopflow::{CheckConfig, Code, Lang, SourceMap, check_loaded};
use sopflow_tests::{Checked, redact_tool_version, workspace_dir};
use std::path::PathBuf;

/// Renders a loaded report with the temporary directory's path replaced by `[TEMP]`.
fn human_in(dir: &std::path::Path, report: &sopflow::Report, sources: &SourceMap) -> String {
    let text = render_human(report, sources, HumanOptions { lang: Lang::En });
    let temp = dir.display().to_string();
    text.replace(&temp, "[TEMP]")
}

#[test]
fn non_utf8_file_is_unreadable_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // Latin-1 "Dinas Sosial – Pengaduan" with 0x96 (en dash in cp1252) and
    // 0xE9 ("é"), as a file saved by an old editor would be.
    let mut bytes = b"sop pengaduan \"Layanan pengaduan \x96 caf\xe9\" {\n".to_vec();
    bytes.extend_from_slice(b"  start a\n  step a { next z }\n  end z\n}\n");
    std::fs::write(dir.path().join("latin1.sop"), &bytes).expect("write latin1.sop");
    std::fs::write(
        dir.path().join("ok.sop"),
        "sop lain { start a  step a { next z }  end z }\n",
    )
    .expect("write ok.sop");

    let loaded = load_paths(&[dir.path().to_path_buf()]).expect("the directory loads");
    assert_eq!(loaded.sources.len(), 2);
    assert_eq!(loaded.unreadable.len(), 1, "only latin1.sop is unreadable");
    let report = check_loaded(&loaded, &CheckConfig::default());
    let codes: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::UnreadableFile], "{codes:?}");
    let d = &report.diagnostics[0];
    // The first invalid byte is 0x96, after `sop pengaduan "Layanan pengaduan `.
    let offset = b"sop pengaduan \"Layanan pengaduan ".len();
    assert_eq!(d.span.start as usize, offset);
    assert!(
        d.message.en.contains(&format!("offset {offset}")),
        "{}",
        d.message.en
    );
    // The unreadable file is not parsed, but the other file is checked.
    assert_eq!(report.sops, 1);
    assert_eq!(report.files, 2);
    insta::assert_snapshot!(human_in(dir.path(), &report, &loaded.sources));
}

#[test]
fn non_utf8_file_given_directly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("utf16.sop");
    // UTF-16LE with a byte-order mark: not UTF-8 from the first byte.
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "sop s { start a step a { next z } end z }".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(&path, &bytes).expect("write utf16.sop");
    let loaded = load_paths(&[path]).expect("the file loads");
    let report = check_loaded(&loaded, &CheckConfig::default());
    let codes: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::UnreadableFile]);
    assert_eq!(report.diagnostics[0].span.start, 0);
    assert_eq!(report.error_count(), 1);
}

/// A guard wrapped in `depth` parentheses inside sop { step { decide { ... } } }.
fn nested_guard_bundle(depth: usize) -> String {
    format!(
        "form f {{ field b: bool required }}\n\
         organization o {{ role r }}\n\
         sop s {{\n  start a\n  step a {{\n    by r\n    decide {{\n      when {}f.b{} -> z\n      else -> z\n    }}\n  }}\n  end z\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn nesting_beyond_the_limit_is_too_complex() {
    // sop, step and decide are 3 levels; 61 parentheses make 64 (allowed),
    // 62 make 65 (refused).
    let allowed = Checked::text("allowed.sop", &nested_guard_bundle(61));
    assert!(
        allowed.report.diagnostics.is_empty(),
        "64 levels are allowed:\n{}",
        allowed.summary()
    );
    let refused = Checked::text("refused.sop", &nested_guard_bundle(62));
    let codes: Vec<Code> = refused.report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::TooComplex], "{}", refused.summary());
    insta::assert_snapshot!(refused.human(Lang::En));
}

#[test]
fn very_deep_nesting_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("(", ")"), ("{", "}")] {
        let text = format!(
            "sop s {{ start a step a {{ decide {{ when {}x{} -> z }} }} end z }}",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let checked = Checked::text("deep.sop", &text);
        let codes: Vec<Code> = checked.report.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![Code::TooComplex],
            "{open}: {}",
            checked.summary()
        );
    }
}

#[test]
fn nesting_of_braces_counts_too() {
    // Units nest with braces: 66 nested units exceed the limit.
    let mut text = String::from("organization o {\n");
    for i in 0..66 {
        text.push_str(&format!("unit u{i} {{\n"));
    }
    text.push_str(&"}\n".repeat(66));
    text.push_str("}\n");
    let checked = Checked::text("units.sop", &text);
    let codes: Vec<Code> = checked.report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::TooComplex], "{}", checked.summary());
}

#[test]
fn guard_with_too_many_operators_is_too_complex() {
    let guard = |n: usize| vec!["f.b"; n + 1].join(" and ");
    let bundle = |n: usize| {
        format!(
            "form f {{ field b: bool required }}\norganization o {{ role r }}\n\
             sop s {{ start a step a {{ by r decide {{ when {} -> z else -> z }} }} end z }}\n",
            guard(n)
        )
    };
    let allowed = Checked::text("allowed.sop", &bundle(256));
    assert!(
        allowed.report.diagnostics.is_empty(),
        "256 operators are allowed:\n{}",
        allowed.summary()
    );
    let refused = Checked::text("refused.sop", &bundle(257));
    assert!(
        refused.codes().contains(&Code::TooComplex),
        "{}",
        refused.summary()
    );
}

/// The real, realistic bundle in `sops/` (read where it is, not a copy) is clean.
#[test]
fn the_sops_bundle_is_clean() {
    let sops = workspace_dir().join("sops");
    let loaded = load_paths(&[sops]).expect("sops/ loads");
    assert!(loaded.unreadable.is_empty());
    let report = check_loaded(&loaded, &CheckConfig::default());
    let names: Vec<&str> = loaded
        .sources
        .iter()
        .map(|(_, f)| f.name.as_str())
        .collect();
    assert!(
        report.diagnostics.is_empty(),
        "sops/ must be clean, got:\n{}",
        render_human(&report, &loaded.sources, HumanOptions { lang: Lang::En })
    );
    assert!(report.files >= 2, "files: {names:?}");
    assert!(report.sops >= 1 && report.steps >= 2);
    // The same files checked in memory give the same result.
    let mut sources = SourceMap::new();
    for (_, f) in loaded.sources.iter() {
        sources.add(f.name.clone(), f.text.clone());
    }
    let again = Checked::sources(sources);
    assert!(again.report.diagnostics.is_empty());
    assert_eq!(again.report.sops, report.sops);
    assert_eq!(again.report.steps, report.steps);
}

/// Each file of `sops/` alone is incomplete (the bundle is split by kind),
/// but the bundle as a whole is what counts: loading the directory and
/// loading its files by name give the same report.
#[test]
fn the_sops_bundle_loads_the_same_by_directory_and_by_files() {
    let sops = workspace_dir().join("sops");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&sops)
        .expect("sops/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    files.reverse(); // the loader sorts
    let by_files = load_paths(&files).expect("files load");
    let by_dir = load_paths(&[sops]).expect("sops/ loads");
    let a = check_loaded(&by_files, &CheckConfig::default());
    let b = check_loaded(&by_dir, &CheckConfig::default());
    assert_eq!(a.diagnostics, b.diagnostics);
    assert_eq!((a.files, a.sops, a.steps), (b.files, b.sops, b.steps));
    let json = sopflow::render::render_json(&b, &by_dir.sources, Lang::En);
    let value: serde_json::Value =
        serde_json::from_str(&redact_tool_version(&json)).expect("JSON report");
    assert_eq!(value["summary"]["errors"], 0);
    assert_eq!(value["tool"]["version"], "[version]");
}
