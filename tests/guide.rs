//! The coordinator guide (`docs/panduan-koordinator.md`) builds an SOP step by
//! step and shows its complete file and a scenario. Those listings must be the
//! practice bundle in `examples/latihan/` exactly, and that bundle must check
//! clean and pass its scenarios at 100% coverage (`scripts/test` runs
//! `sopflow check` and `sopflow test` on it), so the guide cannot drift from
//! what the tool accepts.

use sopflow::{CheckConfig, load::load_paths};
use sopflow_tests::workspace_dir;
use std::fs;

fn guide() -> String {
    fs::read_to_string(workspace_dir().join("docs/panduan-koordinator.md")).expect("the guide")
}

/// The first fenced block with `lang` after the heading line `heading`.
fn block_after(text: &str, heading: &str, lang: &str) -> String {
    let at = text
        .find(heading)
        .unwrap_or_else(|| panic!("heading `{heading}` in the guide"));
    let fence = format!("```{lang}\n");
    let start = text[at..]
        .find(&fence)
        .map(|i| at + i + fence.len())
        .unwrap_or_else(|| panic!("a {lang} block after `{heading}`"));
    let end = text[start..]
        .find("```")
        .map(|i| start + i)
        .expect("the block is closed");
    text[start..end].to_string()
}

#[test]
fn the_complete_file_in_the_guide_is_the_practice_bundle() {
    let shown = block_after(&guide(), "### 4.9 Berkas lengkap", "sop");
    let file = fs::read_to_string(workspace_dir().join("examples/latihan/perundungan.sop"))
        .expect("examples/latihan/perundungan.sop");
    assert_eq!(
        shown, file,
        "the guide's section 4.9 and examples/latihan/perundungan.sop differ"
    );
}

#[test]
fn the_scenario_in_the_guide_is_the_practice_scenario() {
    let shown = block_after(&guide(), "### 6.1 Menulis skenario", "yaml");
    let file = fs::read_to_string(
        workspace_dir().join("examples/latihan/scenarios/cedera-rujukan-medis.case.yaml"),
    )
    .expect("the practice scenario");
    assert_eq!(
        shown, file,
        "the guide's section 6.1 and the practice scenario differ"
    );
}

#[test]
fn the_practice_bundle_is_clean() {
    let loaded = load_paths(&[workspace_dir().join("examples/latihan")]).expect("it loads");
    let report = sopflow::check_sources(&loaded.sources, &CheckConfig::default());
    assert!(
        report.diagnostics.is_empty(),
        "examples/latihan must be clean: {:?}",
        report.diagnostics
    );
    assert_eq!(report.sops, 2);
}
