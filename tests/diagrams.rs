//! Diagrams (`sopflow graph`): Mermaid, DOT and Markdown snapshots of a few
//! bundles; every sop of every clean fixture, of `scenarios/bundle` and of
//! `../sops` drawn as Mermaid and DOT that pass the syntax readers of
//! `sopflow_tests::diagram_syntax` and say the same thing; and hostile titles
//! (quotes, brackets, `#`, entity codes, HTML, Markdown, keywords as names,
//! unicode, line breaks) shown exactly as written.

use sopflow::diagram::{Format, Library};
use sopflow::{CheckConfig, SourceMap};
use sopflow_tests::diagram_syntax::{Graph, parse_dot, parse_mermaid};
use sopflow_tests::{display_name, sop_files, tests_dir, workspace_dir};
use std::path::{Path, PathBuf};

/// A bundle read from disk and checked: no error allowed (warnings are).
struct Bundle {
    sources: SourceMap,
}

impl Bundle {
    /// Reads `path` (one file, or the `.sop` files of a directory), naming
    /// files relative to the tests directory, or to the workspace when outside it.
    fn read(path: &Path) -> Bundle {
        let files: Vec<PathBuf> = if path.is_dir() {
            sop_files(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        } else {
            vec![path.to_path_buf()]
        };
        let mut sources = SourceMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let name = match file.strip_prefix(workspace_dir().join("sops")) {
                Ok(rel) => format!("sops/{}", rel.display()),
                Err(_) => display_name(&file),
            };
            sources.add(name, text);
        }
        let report = sopflow::check_sources(&sources, &CheckConfig::default());
        assert_eq!(
            report.error_count(),
            0,
            "{}: {:#?}",
            path.display(),
            report.diagnostics
        );
        Bundle { sources }
    }

    /// Calls `f` with the bundle's library of sops.
    fn with_library<T>(&self, f: impl FnOnce(&Library<'_>) -> T) -> T {
        let files = sopflow::parse_sources(&self.sources, &[]);
        let library = Library::new(files.iter().map(|(name, ast)| (*name, ast)));
        f(&library)
    }
}

/// Reads both renderings of every sop, checks that they say the same thing,
/// and returns them by sop name.
fn drawn(library: &Library<'_>) -> Vec<(String, Graph)> {
    let mut out = Vec::new();
    for entry in library.sops() {
        let diagram = library.diagram(entry);
        let mermaid = diagram.mermaid();
        let dot = diagram.dot();
        let m = parse_mermaid(&mermaid)
            .unwrap_or_else(|e| panic!("sop {}: Mermaid: {e}\n{mermaid}", entry.name()));
        let d = parse_dot(&dot).unwrap_or_else(|e| panic!("sop {}: DOT: {e}\n{dot}", entry.name()));
        assert_eq!(m.nodes, d.nodes, "sop {}: node labels differ", entry.name());
        assert_eq!(m.edges, d.edges, "sop {}: edges differ", entry.name());
        assert_eq!(
            m.clusters,
            d.clusters,
            "sop {}: blocks differ",
            entry.name()
        );
        // Every step and end is drawn, as is the start.
        for node in entry
            .sop
            .steps
            .iter()
            .map(|s| &s.name)
            .chain(entry.sop.ends.iter().map(|e| &e.name))
        {
            let id = format!("s_{}", node.name);
            assert!(
                m.nodes.contains_key(&id),
                "sop {}: no node {id}",
                entry.name()
            );
        }
        assert!(
            m.edges.iter().any(|e| e.from == "start"),
            "sop {}: no start edge",
            entry.name()
        );
        out.push((entry.name().to_string(), m));
    }
    out
}

/// The Mermaid blocks of a Markdown page.
fn mermaid_blocks(markdown: &str) -> Vec<&str> {
    markdown
        .split("```mermaid\n")
        .skip(1)
        .filter_map(|block| block.split_once("```").map(|(inside, _)| inside))
        .collect()
}

/// Bundles whose diagrams are snapshotted, with a short name, and whether
/// their Markdown page is too.
const SNAPSHOTTED: &[(&str, &str, bool)] = &[
    ("scenarios-bundle", "scenarios/bundle", true),
    (
        "nested-parallels",
        "fixtures/valid/SOP0208-nested-parallels.sop",
        false,
    ),
    (
        "call-chain",
        "fixtures/valid/SOP0207-call-chain-without-cycle.sop",
        false,
    ),
    (
        "branch-loops",
        "fixtures/valid/SOP0208-branch-loops-then-joins.sop",
        false,
    ),
    (
        "hostile-titles",
        "fixtures/diagram/hostile-titles.sop",
        true,
    ),
];

#[test]
fn snapshots() {
    for &(name, path, with_markdown) in SNAPSHOTTED {
        let bundle = Bundle::read(&tests_dir().join(path));
        bundle.with_library(|library| {
            drawn(library);
            let all = library.sops();
            insta::assert_snapshot!(
                format!("mermaid_{name}"),
                library.render(all, Format::Mermaid)
            );
            insta::assert_snapshot!(format!("dot_{name}"), library.render(all, Format::Dot));
            if with_markdown {
                let page = library.render(all, Format::Markdown);
                assert_eq!(mermaid_blocks(&page).len(), all.len());
                for block in mermaid_blocks(&page) {
                    parse_mermaid(block).unwrap_or_else(|e| panic!("{name}: {e}\n{block}"));
                }
                insta::assert_snapshot!(format!("markdown_{name}"), page);
            }
        });
    }
}

#[test]
fn every_clean_bundle_draws_readable_mermaid_and_dot() {
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in ["fixtures/valid", "fixtures/diagram"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(tests_dir().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sop"))
            .collect();
        files.sort();
        paths.extend(files);
    }
    paths.push(tests_dir().join("scenarios/bundle"));
    paths.push(workspace_dir().join("sops"));
    let mut sops = 0;
    for path in &paths {
        let bundle = Bundle::read(path);
        sops += bundle.with_library(|library| drawn(library).len());
    }
    assert!(sops > 40, "only {sops} sops drawn");
}

#[test]
fn the_sop_library_page_has_a_row_and_a_diagram_per_sop() {
    let bundle = Bundle::read(&workspace_dir().join("sops"));
    bundle.with_library(|library| {
        let page = library.render(library.sops(), Format::Markdown);
        assert!(page.starts_with("# SOP library\n"), "{page}");
        for entry in library.sops() {
            let s = library.summary(entry);
            assert!(
                page.contains(&format!("| [`{0}`](#sop-{0}) |", s.name)),
                "no table row for {}",
                s.name
            );
            assert!(page.contains(&format!("<a id=\"sop-{}\"></a>", s.name)));
        }
        assert_eq!(mermaid_blocks(&page).len(), library.sops().len());
    });
}

#[test]
fn hostile_titles_come_out_as_written() {
    let bundle = Bundle::read(&tests_dir().join("fixtures/diagram/hostile-titles.sop"));
    bundle.with_library(|library| {
        let graphs = drawn(library);
        let (_, g) = graphs
            .iter()
            .find(|(name, _)| name == "hostile")
            .expect("sop hostile is drawn");
        let label = |id: &str| g.nodes.get(id).map(String::as_str).unwrap_or_default();
        assert_eq!(
            label("s_end"),
            "style x fill:#f00;\n(end)\nby petugas\nwithin 2 days"
        );
        assert_eq!(
            label("s_click"),
            "Baris satu\nbaris dua tab & &amp; &lt; &#35;\n(click)\nby petugas"
        );
        assert_eq!(
            label("s_graph"),
            "*tebal* _miring_ $x$ <!-- -->\n(graph)\nby petugas"
        );
        assert_eq!(
            label("s_call"),
            "-->|\"x\"| o --> x\n(call)\nby petugas\ncall Lain: \"sub\" (lain)"
        );
        assert_eq!(
            label("s_subgraph"),
            "classDef a fill:#f00; style end color:#0f0;\n(subgraph)"
        );
        assert_eq!(g.shapes["s_call"], "[[", "a calling step is a subroutine");
        assert_eq!(g.shapes["s_subgraph"], "([", "an end is a stadium");
        let guards: Vec<Option<&str>> = g
            .edges
            .iter()
            .filter(|e| e.from == "s_end")
            .map(|e| e.label.as_deref())
            .collect();
        assert_eq!(
            guards,
            [
                Some(r#"f.catatan == "a \"b\" | <c> #1; `d`""#),
                Some(r#"not (f.darurat and f.catatan != "x")"#),
                Some("else"),
                Some("overdue after 2 days"),
            ]
        );
        let overdue = g.edges.iter().find(|e| e.dashed).expect("a dashed edge");
        assert_eq!((overdue.from.as_str(), overdue.to.as_str()), ("s_end", "s_subgraph"));
        let (_, lain) = graphs.iter().find(|(n, _)| n == "lain").expect("sop lain");
        assert_eq!(
            lain.nodes["s_x"],
            "%%{init: {\"theme\": \"forest\"}}%% %%{wrap}%%\n(x)"
        );
        assert_eq!(
            lain.nodes["s_digraph"],
            "node [shape=box]; edge -> \"x\"\n(digraph)"
        );

        let page = library.render(library.sops(), Format::Markdown);
        assert!(!page.contains("<script>"), "raw HTML in the page:\n{page}");
        assert!(page.contains(
            r#"## Judul "kutip" \[kurung\] (bulat) {kurawal} \#35; \&amp; \<script\>alert(1)\</script\> | \`kode\` : ; %% --\> end ﬂ°°1¶ß 👶 中文 é \\N"#
        ), "{page}");
        assert!(page.contains(r#"| Lain: "sub" | `fixtures/diagram/hostile-titles.sop` |"#), "{page}");
    });
}
