//! Flowcharts of SOPs, so that coordinators can see a procedure at a glance.
//!
//! A [`Library`] collects the sops of a parsed bundle; [`Library::diagram`]
//! draws one as a [`Diagram`] (steps, ends, the start, decisions labelled
//! with their guards, parallel blocks as fork/join clusters, calls and
//! `on overdue ->` moves), which renders as Mermaid ([`Diagram::mermaid`]) or
//! Graphviz DOT ([`Diagram::dot`]). [`markdown`] writes a library page: a
//! table of the sops and a Mermaid diagram for each.
//!
//! Diagrams are drawn from the AST as written, so guards read as in the
//! source. They are meant for bundles that pass `sopflow check`; other input
//! never panics but may be drawn incompletely (edges to unknown steps are
//! left out). Pure: no I/O.
//!
//! ```
//! use sopflow_diagram::Library;
//! let (file, _) = sopflow_syntax::parse_file(
//!     Default::default(),
//!     r#"sop halo "Halo" { start a  step a "Terima" { next selesai }  end selesai }"#,
//! );
//! let library = Library::new([("halo.sop", &file)]);
//! let sop = library.get("halo").expect("declared");
//! let mermaid = library.diagram(sop).mermaid();
//! assert!(mermaid.starts_with("flowchart TD\n"));
//! assert!(mermaid.contains(r#"s_a("Terima<br/>(a)")"#));
//! ```

mod dot;
mod guard;
mod markdown;
mod mermaid;
mod model;

pub use guard::guard_text;
pub use markdown::markdown;
pub use model::{Cluster, Diagram, Edge, EdgeStyle, Node, Shape};

use sopflow_syntax::ast;
use std::collections::{HashMap, HashSet};

/// Why a diagram could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiagramError {
    /// No sop of that name in the bundle.
    #[error("no sop `{name}` in the bundle; it has: {}", known.join(", "))]
    UnknownSop {
        /// The name asked for.
        name: String,
        /// The sops the bundle has, in order.
        known: Vec<String>,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mermaid flowcharts (`flowchart TD`), one per sop.
    Mermaid,
    /// Graphviz DOT, one `digraph` per sop.
    Dot,
    /// A Markdown page: a table of the sops, then a Mermaid diagram for each.
    Markdown,
}

/// One sop of a bundle and the file it is declared in.
#[derive(Debug, Clone, Copy)]
pub struct SopEntry<'a> {
    /// The file's name as shown to users.
    pub file: &'a str,
    /// The sop.
    pub sop: &'a ast::Sop,
}

impl SopEntry<'_> {
    /// The sop's name.
    pub fn name(&self) -> &str {
        &self.sop.name.name
    }

    /// The sop's title, unless it is missing or blank.
    pub fn title(&self) -> Option<&str> {
        model::title_of(self.sop.title.as_ref())
    }
}

/// What the library page says about one sop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SopSummary {
    /// Its name.
    pub name: String,
    /// Its title, if any.
    pub title: Option<String>,
    /// Its version, if declared.
    pub version: Option<i64>,
    /// The file it is declared in.
    pub file: String,
    /// Number of steps (ends not counted).
    pub steps: usize,
    /// Number of ends.
    pub ends: usize,
    /// The roles named in its steps' `by` clauses, in order of first use.
    pub roles: Vec<String>,
}

/// The sops of a bundle, in file order then declaration order.
#[derive(Debug, Clone, Default)]
pub struct Library<'a> {
    sops: Vec<SopEntry<'a>>,
    /// Name → index in `sops` of the first sop of that name.
    index: HashMap<&'a str, usize>,
}

impl<'a> Library<'a> {
    /// Collects the sops of `files`, given as (file name, parsed file).
    pub fn new(files: impl IntoIterator<Item = (&'a str, &'a ast::File)>) -> Library<'a> {
        let mut sops = Vec::new();
        let mut index = HashMap::new();
        for (file, ast) in files {
            for item in &ast.items {
                if let ast::Item::Sop(sop) = item {
                    index.entry(sop.name.name.as_str()).or_insert(sops.len());
                    sops.push(SopEntry { file, sop });
                }
            }
        }
        Library { sops, index }
    }

    /// Every sop, in order.
    pub fn sops(&self) -> &[SopEntry<'a>] {
        &self.sops
    }

    /// The sop called `name` (the first, should two share it).
    pub fn get(&self, name: &str) -> Result<&SopEntry<'a>, DiagramError> {
        self.index
            .get(name)
            .and_then(|&i| self.sops.get(i))
            .ok_or_else(|| DiagramError::UnknownSop {
                name: name.to_string(),
                known: self.sops.iter().map(|e| e.name().to_string()).collect(),
            })
    }

    /// The title of the sop called `name`, if it exists and has one.
    pub fn title(&self, name: &str) -> Option<&str> {
        self.get(name).ok().and_then(SopEntry::title)
    }

    /// The drawing of `entry`.
    pub fn diagram(&self, entry: &SopEntry<'_>) -> Diagram {
        model::build(self, entry.file, entry.sop)
    }

    /// Counts and roles of `entry`, for tables.
    pub fn summary(&self, entry: &SopEntry<'_>) -> SopSummary {
        let mut seen = HashSet::new();
        let roles: Vec<String> = entry
            .sop
            .steps
            .iter()
            .flat_map(|s| s.performers.iter())
            .filter(|role| seen.insert(role.name.as_str()))
            .map(|role| role.name.to_string())
            .collect();
        SopSummary {
            name: entry.name().to_string(),
            title: entry.title().map(str::to_string),
            version: entry.sop.version,
            file: entry.file.to_string(),
            steps: entry.sop.steps.len(),
            ends: entry.sop.ends.len(),
            roles,
        }
    }

    /// Renders `entries` (for example [`Library::sops`]) in `format`: one
    /// Mermaid or DOT diagram per sop, separated by a blank line, or one
    /// Markdown page for them all.
    pub fn render(&self, entries: &[SopEntry<'_>], format: Format) -> String {
        match format {
            Format::Markdown => markdown(self, entries),
            Format::Mermaid | Format::Dot => entries
                .iter()
                .map(|e| {
                    let d = self.diagram(e);
                    if format == Format::Mermaid {
                        d.mermaid()
                    } else {
                        d.dot()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Indentation for nesting `depth`, four spaces a level; capped, since
/// parallel blocks may nest arbitrarily deep.
pub(crate) fn indent(depth: usize) -> String {
    "    ".repeat(depth.min(16))
}

/// Label text with control characters (line breaks aside) made spaces, and
/// line breaks (`\r\n`, `\r`, `\n`, U+2028, U+2029, U+0085) split into
/// separate lines.
pub(crate) fn clean_lines(text: &str) -> Vec<String> {
    let normalised = text.replace("\r\n", "\n");
    normalised
        .split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
        .map(|line| {
            line.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect()
        })
        .collect()
}

/// Label lines (each possibly holding line breaks of its own), every line
/// cleaned and escaped for the output format, joined with its line separator.
pub(crate) fn join_label(lines: &[String], escape: fn(&str) -> String, separator: &str) -> String {
    lines
        .iter()
        .flat_map(|l| clean_lines(l))
        .map(|l| escape(&l))
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_lines_splits_breaks_and_blanks_controls() {
        assert_eq!(clean_lines("a\r\nb\rc\u{2028}d"), ["a", "b", "c", "d"]);
        assert_eq!(clean_lines("a\tb\u{7}c"), ["a b c"]);
        assert_eq!(clean_lines(""), [""]);
    }

    #[test]
    fn unknown_sop_lists_the_known_ones() {
        let (file, _) = sopflow_syntax::parse_file(
            Default::default(),
            "sop a { start x step x { next z } end z }\nsop b { start x step x { next z } end z }",
        );
        let library = Library::new([("f.sop", &file)]);
        let err = library.get("c").expect_err("no sop c");
        assert_eq!(err.to_string(), "no sop `c` in the bundle; it has: a, b");
        assert_eq!(library.get("b").map(|e| e.name()), Ok("b"));
    }
}
