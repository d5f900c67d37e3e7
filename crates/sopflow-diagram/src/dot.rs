//! Graphviz DOT (`digraph`).
//!
//! Every identifier and label is a double-quoted string, in which `"` and
//! `\` need escaping (`\"`, `\\`); a backslash escaped this way also stops
//! Graphviz from reading `\n`, `\l`, `\N` … of the title as its own label
//! escapes. Graphviz also decodes HTML entities in strings, so `&` is
//! written `&amp;`. Label lines are joined with `\n`.

use crate::model::{Diagram, EdgeStyle, Node, Shape, Walk};
use crate::{clean_lines, indent};
use std::fmt::Write as _;

/// Text as the inside of a double-quoted DOT string.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Label lines (each possibly holding line breaks of its own), escaped and
/// joined with DOT's `\n`.
pub(crate) fn label(lines: &[String]) -> String {
    crate::join_label(lines, escape, "\\n")
}

fn node_line(node: &Node, depth: usize, out: &mut String) {
    let attrs = match node.shape {
        Shape::Start => "shape=circle, ",
        Shape::Step => "",
        Shape::Call => "peripheries=2, ",
        Shape::End => "style=\"rounded,filled\", fillcolor=\"#e8e8e8\", ",
        Shape::Referral => "shape=cds, ",
        Shape::Join => "shape=circle, fontsize=10, ",
    };
    let _ = writeln!(
        out,
        "{}\"{}\" [{attrs}label=\"{}\"];",
        indent(depth),
        node.id,
        label(&node.lines)
    );
}

impl Diagram {
    /// The diagram as a Graphviz `digraph`, ending with a newline.
    pub fn dot(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph \"{}\" {{", escape(&self.name));
        let mut title = vec![self.title.clone().unwrap_or_else(|| self.name.clone())];
        if self.title.is_some() {
            title.push(format!("({})", self.name));
        }
        for line in [
            "rankdir=TB;".to_string(),
            "labelloc=t;".to_string(),
            format!("label=\"{}\";", label(&title)),
            "fontname=\"Helvetica\";".to_string(),
            "node [shape=box, style=rounded, fontname=\"Helvetica\"];".to_string(),
            "edge [fontname=\"Helvetica\", fontsize=10];".to_string(),
        ] {
            let _ = writeln!(out, "{}{line}", indent(1));
        }
        let file = clean_lines(&self.file).join(" ");
        let _ = writeln!(out, "{}// sop {} in {file}", indent(1), self.name);

        for visit in self.walk() {
            match visit {
                Walk::Node(node, depth) => node_line(node, depth, &mut out),
                Walk::Open(cluster, depth) => {
                    let inner = indent(depth + 1);
                    let _ = writeln!(
                        out,
                        "{}subgraph \"cluster_{}\" {{",
                        indent(depth),
                        cluster.id
                    );
                    let _ = writeln!(out, "{inner}label=\"parallel\";");
                    let _ = writeln!(out, "{inner}style=dashed;");
                }
                Walk::Close(depth) => {
                    let _ = writeln!(out, "{}}}", indent(depth));
                }
            }
        }
        for edge in &self.edges {
            let mut attrs = Vec::new();
            if let Some(l) = &edge.label {
                attrs.push(format!("label=\"{}\"", label(std::slice::from_ref(l))));
            }
            if edge.style == EdgeStyle::Overdue {
                attrs.push("style=dashed".to_string());
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(
                out,
                "{}\"{}\" -> \"{}\"{attrs};",
                indent(1),
                edge.from,
                edge.to
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(escape(r#"say "hi" \n \N"#), r#"say \"hi\" \\n \\N"#);
        assert_eq!(escape("{ } < > # é 👶"), "{ } < > # é 👶");
        assert_eq!(escape("A & B &amp;"), "A &amp; B &amp;amp;");
    }

    #[test]
    fn lines_are_joined_with_backslash_n() {
        let lines = vec!["a\nb".to_string(), "c\"".to_string()];
        assert_eq!(label(&lines), r#"a\nb\nc\""#);
    }
}
