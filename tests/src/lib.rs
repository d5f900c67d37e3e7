//! Shared helpers for sopflow's workspace-level tests.
//!
//! The tests live beside this crate: `fixtures.rs` runs every fixture under
//! `fixtures/`, `sarif.rs` validates SARIF output against the vendored OASIS
//! schema in `data/`, and `programmatic.rs` covers inputs that cannot be
//! fixture files (non-UTF-8 bytes, generated nesting) and the real bundle in
//! `../sops`.
//!
//! `diagrams.rs` draws bundles with `sopflow graph`'s renderers; the readers
//! in [`diagram_syntax`] check the Mermaid and DOT it writes.
//!
//! Fixture conventions:
//!
//! * `fixtures/invalid/<CODE>-<rule-name>/<case>.sop` is one complete bundle
//!   that must report `<CODE>`. Other codes it is expected to report as well
//!   are listed in a comment line `// also: SOP0204, SOP0205`; the set of
//!   codes reported must be exactly the directory's code plus those.
//! * `fixtures/valid/<CODE>-<case>.sop` is the "close but clean" variant of a
//!   rule's fixtures: it must report nothing at all, not even a warning.
//!
//! Fixture files are named by their path relative to this crate's directory,
//! with forward slashes, so that rendered output is the same on every machine.

pub mod diagram_syntax;

use sopflow::render::{HumanOptions, render_human, render_json, render_sarif};
use sopflow::{CheckConfig, Code, Lang, Report, SourceMap};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The directory of this crate (`<workspace>/tests`), fixed at compile time.
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root, the parent of [`tests_dir`].
pub fn workspace_dir() -> PathBuf {
    let dir = tests_dir();
    dir.parent().map(Path::to_path_buf).unwrap_or(dir)
}

/// The name a file is shown under: its path relative to [`tests_dir`] with
/// forward slashes, or the path as given when it lies elsewhere.
pub fn display_name(path: &Path) -> String {
    match path.strip_prefix(tests_dir()) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// A bundle that has been parsed and checked, with the sources its spans point into.
#[derive(Debug)]
pub struct Checked {
    /// The files of the bundle.
    pub sources: SourceMap,
    /// The diagnostics and counts.
    pub report: Report,
}

impl Checked {
    /// Checks one in-memory file named `name`.
    pub fn text(name: &str, text: &str) -> Checked {
        let mut sources = SourceMap::new();
        sources.add(name, text);
        Checked::sources(sources)
    }

    /// Checks an in-memory bundle.
    pub fn sources(sources: SourceMap) -> Checked {
        let report = sopflow::check_sources(&sources, &CheckConfig::default());
        Checked { sources, report }
    }

    /// Reads and checks one fixture file as a whole bundle, named by [`display_name`].
    pub fn file(path: &Path) -> std::io::Result<Checked> {
        let text = std::fs::read_to_string(path)?;
        Ok(Checked::text(&display_name(path), &text))
    }

    /// The distinct codes reported, in order.
    pub fn codes(&self) -> BTreeSet<Code> {
        self.report.diagnostics.iter().map(|d| d.code).collect()
    }

    /// Plain human output (no colour), as `sopflow check` prints it.
    pub fn human(&self, lang: Lang) -> String {
        render_human(&self.report, &self.sources, HumanOptions { lang })
    }

    /// The JSON report, pretty-printed, with the tool version replaced by `[version]`.
    pub fn json(&self, lang: Lang) -> String {
        redact_tool_version(&render_json(&self.report, &self.sources, lang))
    }

    /// The SARIF log exactly as rendered.
    pub fn sarif(&self, lang: Lang) -> String {
        render_sarif(&self.report, &self.sources, lang)
    }

    /// One line per diagnostic, `CODE severity file:line:col message`, for assertion messages.
    pub fn summary(&self) -> String {
        self.report
            .diagnostics
            .iter()
            .map(|d| {
                let (file, line, column) = match self.sources.get(d.span.file) {
                    Some(f) => {
                        let lc = f.line_col(d.span.start as usize);
                        (f.name.as_str(), lc.line, lc.column)
                    }
                    None => ("<unknown>", 1, 1),
                };
                format!(
                    "{} {:?} {file}:{line}:{column} {}",
                    d.code,
                    d.severity,
                    d.message.get(Lang::En)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Replaces the tool's version in a pretty-printed JSON or SARIF report
/// (`"version": "x.y.z"` right after `"name": "sopflow",`) by `[version]`, so
/// that snapshots survive version bumps. Everything else, key order
/// included, is left as rendered.
pub fn redact_tool_version(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut previous = "";
    for line in json.split_inclusive('\n') {
        let trimmed = line.trim();
        if previous == "\"name\": \"sopflow\"," && trimmed.starts_with("\"version\": \"") {
            let indent = &line[..line.len() - line.trim_start().len()];
            let comma = if trimmed.ends_with(',') { "," } else { "" };
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            out.push_str(&format!(
                "{indent}\"version\": \"[version]\"{comma}{newline}"
            ));
        } else {
            out.push_str(line);
        }
        previous = trimmed;
    }
    out
}

/// The code a fixture directory stands for: `SOP0203-unreachable-step` gives
/// `SOP0203`, if the rule name after the code matches it too.
pub fn code_of_dir(dir_name: &str) -> Result<Code, String> {
    let (code, rule) = dir_name
        .split_once('-')
        .ok_or_else(|| format!("`{dir_name}` is not `<CODE>-<rule-name>`"))?;
    let parsed = Code::parse(code).ok_or_else(|| format!("`{code}` is not a diagnostic code"))?;
    if parsed.name() != rule {
        return Err(format!(
            "directory `{dir_name}`: {code} is `{}`, not `{rule}`",
            parsed.name()
        ));
    }
    Ok(parsed)
}

/// The code a valid fixture is a clean variant for: `SOP0203-orphan-fixed.sop` gives `SOP0203`.
pub fn code_of_valid_file(file_name: &str) -> Result<Code, String> {
    let code = file_name
        .split_once('-')
        .map(|(code, _)| code)
        .ok_or_else(|| format!("`{file_name}` is not `<CODE>-<case>.sop`"))?;
    Code::parse(code).ok_or_else(|| format!("`{file_name}`: `{code}` is not a diagnostic code"))
}

/// Codes listed in `// also: SOP0204, SOP0205 (why)` comment lines of a
/// fixture; text in parentheses after the codes is an explanation.
pub fn also_expected(text: &str) -> Result<BTreeSet<Code>, String> {
    let mut codes = BTreeSet::new();
    for line in text.lines() {
        let Some(list) = line.trim().strip_prefix("// also:") else {
            continue;
        };
        let list = list.split_once('(').map_or(list, |(codes, _why)| codes);
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            codes.insert(Code::parse(item).ok_or_else(|| format!("unknown code `{item}`"))?);
        }
    }
    Ok(codes)
}

/// Every `.sop` file directly inside `dir`, or one level below it, sorted.
pub fn sop_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path)? {
                let inner = inner?.path();
                if inner.extension().is_some_and(|e| e == "sop") {
                    out.push(inner);
                }
            }
        } else if path.extension().is_some_and(|e| e == "sop") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_directories_must_name_the_right_rule() {
        assert_eq!(
            code_of_dir("SOP0203-unreachable-step"),
            Ok(Code::UnreachableStep)
        );
        assert!(code_of_dir("SOP0203-dead-end").is_err());
        assert!(code_of_dir("SOP9999-nothing").is_err());
        assert!(code_of_dir("unreachable-step").is_err());
        assert_eq!(
            code_of_valid_file("SOP0204-every-step-moves-on.sop"),
            Ok(Code::DeadEnd)
        );
        assert!(code_of_valid_file("clean.sop").is_err());
    }

    #[test]
    fn also_lines_list_codes_with_an_optional_reason() {
        let text = "// a fixture\n// also: SOP0203, SOP0204 (because, reasons)\n// also: SOP0205\nsop s {}";
        let codes = also_expected(text).expect("valid also lines");
        assert_eq!(
            codes.into_iter().collect::<Vec<_>>(),
            vec![Code::UnreachableStep, Code::DeadEnd, Code::NoEndReachable]
        );
        assert!(also_expected("// also: SOP9999").is_err());
        assert!(also_expected("sop s {}").expect("no also line").is_empty());
    }

    #[test]
    fn only_the_tool_version_is_redacted() {
        let json = "{\n  \"version\": 1,\n  \"tool\": {\n    \"name\": \"sopflow\",\n    \"version\": \"0.1.0\"\n  },\n  \"x\": {\n    \"version\": \"0.1.0\"\n  }\n}";
        let redacted = redact_tool_version(json);
        assert_eq!(
            redacted,
            json.replacen("\"0.1.0\"", "\"[version]\"", 1),
            "{redacted}"
        );
        let sarif = "\"driver\": {\n  \"name\": \"sopflow\",\n  \"version\": \"0.1.0\",\n  \"rules\": []\n}";
        assert!(redact_tool_version(sarif).contains("\"version\": \"[version]\",\n"));
    }

    #[test]
    fn display_names_are_relative_to_the_tests_directory() {
        let path = tests_dir().join("fixtures").join("valid").join("x.sop");
        assert_eq!(display_name(&path), "fixtures/valid/x.sop");
        assert_eq!(
            display_name(Path::new("/elsewhere/y.sop")),
            "/elsewhere/y.sop"
        );
    }
}
