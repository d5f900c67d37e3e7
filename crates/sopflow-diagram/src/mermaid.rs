//! Mermaid flowcharts (`flowchart TD`).
//!
//! Every label is a double-quoted string. Inside it Mermaid reads `"` as the
//! end of the string, `#…;` as an entity code, `<…>` as HTML (labels are
//! HTML by default), a leading backtick as Markdown, `|` as the end of an
//! edge label, and its own preprocessing, which runs over the whole text,
//! reads `%%{…}%%` anywhere as a directive and turns `style…:…#…;` lines
//! and the characters `ﬂ°`/`¶ß` into something else. All of those are
//! written as entity codes (`#quot;`, `#35;` …), which Mermaid shows as the
//! character.

use crate::model::{Diagram, EdgeStyle, Node, Shape, Walk};
use crate::{clean_lines, indent};
use std::fmt::Write as _;

/// One line of label text, escaped for a double-quoted Mermaid string.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' | '&' | '<' | '>' | '|' | '`' | ':' | ';' | '%' | '\\' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            // Mermaid uses these as markers while it decodes entity codes.
            '\u{FB02}' | '\u{B6}' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Label lines (each possibly holding line breaks of its own) as the inside
/// of a double-quoted Mermaid string, lines separated by `<br/>`.
pub(crate) fn label(lines: &[String]) -> String {
    crate::join_label(lines, escape, "<br/>")
}

fn node_line(node: &Node, depth: usize, out: &mut String) {
    let (open, close) = match node.shape {
        Shape::Start | Shape::Join => ("((", "))"),
        Shape::Step => ("(", ")"),
        Shape::Call => ("[[", "]]"),
        Shape::End => ("([", "])"),
        Shape::Referral => (">", "]"),
    };
    let _ = writeln!(
        out,
        "{}{}{open}\"{}\"{close}",
        indent(depth),
        node.id,
        label(&node.lines)
    );
}

impl Diagram {
    /// The diagram as a Mermaid flowchart, ending with a newline.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        // Escaped like a label: `%%{` would be a directive even in a comment.
        let file = escape(&clean_lines(&self.file).join(" "));
        let _ = writeln!(out, "{}%% sop {} in {file}", indent(1), self.name);

        // Nodes must be declared inside their subgraph before any edge
        // mentions them, or Mermaid places them outside.
        for visit in self.walk() {
            match visit {
                Walk::Node(node, depth) => node_line(node, depth, &mut out),
                Walk::Open(cluster, depth) => {
                    let _ = writeln!(
                        out,
                        "{}subgraph {}[\"parallel\"]",
                        indent(depth),
                        cluster.id
                    );
                }
                Walk::Close(depth) => {
                    let _ = writeln!(out, "{}end", indent(depth));
                }
            }
        }
        for edge in &self.edges {
            let arrow = match edge.style {
                EdgeStyle::Flow => "-->",
                EdgeStyle::Overdue => "-.->",
            };
            let text = match &edge.label {
                Some(l) => format!("|\"{}\"|", label(std::slice::from_ref(l))),
                None => String::new(),
            };
            let _ = writeln!(out, "{}{} {arrow}{text} {}", indent(1), edge.from, edge.to);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_characters_become_entity_codes() {
        assert_eq!(escape(r#"say "hi""#), "say #quot;hi#quot;");
        assert_eq!(
            escape("No#1; <b>&|`:"),
            "No#35;1#59; #60;b#62;#38;#124;#96;#58;"
        );
        assert_eq!(escape(r"a\b"), "a#92;b");
        assert_eq!(escape("%%{init}%%"), "#37;#37;{init}#37;#37;");
        assert_eq!(escape("ﬂ°°1¶ß"), "#64258;°°1#182;ß");
    }

    #[test]
    fn brackets_and_unicode_stay_as_they_are() {
        assert_eq!(
            escape("Rujuk (ke) [RSUD] {darurat}"),
            "Rujuk (ke) [RSUD] {darurat}"
        );
        assert_eq!(escape("Pemeriksaan é 👶 中文"), "Pemeriksaan é 👶 中文");
    }

    #[test]
    fn line_breaks_in_titles_become_br() {
        let lines = vec!["Baris satu\nbaris dua".to_string(), "(x)".to_string()];
        assert_eq!(label(&lines), "Baris satu<br/>baris dua<br/>(x)");
    }
}
