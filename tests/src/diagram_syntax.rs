//! Syntax checks for the diagrams `sopflow graph` writes, standing in for
//! Mermaid and Graphviz (neither runs in the test suite).
//!
//! Each reader accepts exactly the subset of its language the renderer is
//! meant to write, is strict about everything a real parser would read
//! differently (a raw `"`, `#`, `<`, `|`, `:` … in a Mermaid label; a stray
//! backslash in a DOT string; an edge to an undeclared node, which both
//! tools would silently create), and decodes labels back to plain text, so
//! tests can compare what a reader of the diagram would see with the titles
//! in the `.sop` file.

use std::collections::BTreeMap;

/// What a diagram says, with labels decoded to the text a reader sees
/// (line breaks as `\n`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Node id → label.
    pub nodes: BTreeMap<String, String>,
    /// Node id → shape (Mermaid: the opening bracket; DOT: the `shape`
    /// attribute, or `box`).
    pub shapes: BTreeMap<String, String>,
    /// Parallel block id → the nodes declared directly inside it, and the
    /// id of the enclosing block.
    pub clusters: BTreeMap<String, (Vec<String>, Option<String>)>,
    /// Edges in order.
    pub edges: Vec<GraphEdge>,
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// Decoded label.
    pub label: Option<String>,
    /// Drawn dashed.
    pub dashed: bool,
}

/// Words Mermaid's flowchart lexer reads as keywords, which must never be a
/// node id.
const MERMAID_KEYWORDS: &[&str] = &[
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "style",
    "class",
    "classDef",
    "click",
    "call",
    "href",
    "linkStyle",
    "default",
    "direction",
    "interpolate",
];

/// Node shapes: opening and closing brackets around the quoted label.
const MERMAID_SHAPES: &[(&str, &str)] = &[
    ("((", "))"),
    ("([", "])"),
    ("[[", "]]"),
    ("(", ")"),
    (">", "]"),
];

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits a leading identifier off `s`.
fn split_id(s: &str) -> Result<(&str, &str), String> {
    let end = s.find(|c: char| !is_id_char(c)).unwrap_or(s.len());
    if end == 0 {
        return Err(format!("expected an identifier at `{s}`"));
    }
    Ok(s.split_at(end))
}

fn check_mermaid_id(id: &str) -> Result<(), String> {
    if MERMAID_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(id)) {
        return Err(format!("`{id}` is a Mermaid keyword"));
    }
    // `a---oB` / `a---xB` are circle and cross edges.
    if id.starts_with(['o', 'x']) {
        return Err(format!("`{id}` starts with o or x"));
    }
    Ok(())
}

/// Decodes the inside of a double-quoted Mermaid label: `<br/>` is a line
/// break, `#quot;` and `#NNN;` are characters; every character Mermaid
/// would read as syntax is refused.
pub fn decode_mermaid_label(label: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = label;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("<br/>") {
            out.push('\n');
            rest = after;
            continue;
        }
        if c == '#' {
            let end = rest
                .find(';')
                .ok_or_else(|| format!("`#` without `;` in `{label}`"))?;
            let code = &rest[1..end];
            let decoded = if code == "quot" {
                '"'
            } else {
                code.parse::<u32>()
                    .ok()
                    .filter(|_| code.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("`#{code};` is not an entity code in `{label}`"))?
            };
            out.push(decoded);
            rest = &rest[end + 1..];
            continue;
        }
        if "\"<>|`:;&%\\\u{FB02}\u{B6}".contains(c) || c.is_control() {
            return Err(format!("raw {c:?} in Mermaid label `{label}`"));
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// The quoted label at the start of `s`: (decoded label, what follows).
fn mermaid_quoted(s: &str) -> Result<(String, &str), String> {
    let inner = s
        .strip_prefix('"')
        .ok_or_else(|| format!("expected `\"` at `{s}`"))?;
    let end = inner
        .find('"')
        .ok_or_else(|| format!("unclosed label at `{s}`"))?;
    Ok((decode_mermaid_label(&inner[..end])?, &inner[end + 1..]))
}

/// Reads one Mermaid flowchart as `sopflow graph` writes it.
pub fn parse_mermaid(text: &str) -> Result<Graph, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "flowchart TD")) => {}
        other => return Err(format!("expected `flowchart TD` first, found {other:?}")),
    }
    let mut g = Graph::default();
    let mut open: Vec<String> = Vec::new();
    for (n, raw) in lines {
        let at = |e: String| format!("line {}: {e}: `{raw}`", n + 1);
        let line = raw.trim();
        if line.is_empty() {
            return Err(at("blank line inside a diagram".into()));
        }
        if let Some(comment) = line.strip_prefix("%%") {
            // Mermaid reads `%%{` as a directive anywhere, even in a comment.
            if comment.contains("%%") || comment.starts_with('{') {
                return Err(at("a directive, not a comment".into()));
            }
            continue;
        }
        if line == "end" {
            open.pop()
                .ok_or_else(|| at("`end` without `subgraph`".into()))?;
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let (id, rest) = split_id(rest).map_err(at)?;
            check_mermaid_id(id).map_err(at)?;
            let rest = rest
                .strip_prefix('[')
                .ok_or_else(|| at("expected `[`".into()))?;
            let (_title, rest) = mermaid_quoted(rest).map_err(at)?;
            if rest != "]" {
                return Err(at("expected `]` at the end".into()));
            }
            if g.clusters.contains_key(id) || g.nodes.contains_key(id) {
                return Err(at(format!("`{id}` declared twice")));
            }
            g.clusters
                .insert(id.to_string(), (Vec::new(), open.last().cloned()));
            open.push(id.to_string());
            continue;
        }
        let (id, rest) = split_id(line).map_err(at)?;
        check_mermaid_id(id).map_err(at)?;
        if let Some(after) = rest.strip_prefix(' ') {
            // An edge: `a --> b`, `a -.-> b`, with `|"label"|` after the arrow.
            let (dashed, after) = if let Some(a) = after.strip_prefix("-.->") {
                (true, a)
            } else if let Some(a) = after.strip_prefix("-->") {
                (false, a)
            } else {
                return Err(at("expected `-->` or `-.->`".into()));
            };
            let (label, after) = match after.strip_prefix('|') {
                Some(a) => {
                    let (label, a) = mermaid_quoted(a).map_err(at)?;
                    let a = a
                        .strip_prefix('|')
                        .ok_or_else(|| at("expected `|` after the edge label".into()))?;
                    (Some(label), a)
                }
                None => (None, after),
            };
            let to = after
                .strip_prefix(' ')
                .ok_or_else(|| at("expected a space before the target".into()))?;
            let (to, tail) = split_id(to).map_err(at)?;
            if !tail.is_empty() {
                return Err(at(format!("unexpected `{tail}` after the edge")));
            }
            for end in [id, to] {
                if !g.nodes.contains_key(end) {
                    return Err(at(format!("edge to undeclared node `{end}`")));
                }
            }
            g.edges.push(GraphEdge {
                from: id.to_string(),
                to: to.to_string(),
                label,
                dashed,
            });
            continue;
        }
        // A node: `id(\"label\")` in one of the shapes.
        let (open_br, close_br) = MERMAID_SHAPES
            .iter()
            .find(|(o, _)| rest.starts_with(o))
            .ok_or_else(|| at("expected a node shape".into()))?;
        let (label, tail) = mermaid_quoted(&rest[open_br.len()..]).map_err(at)?;
        if tail != *close_br {
            return Err(at(format!("expected `{close_br}` to close the node")));
        }
        if g.nodes.contains_key(id) || g.clusters.contains_key(id) {
            return Err(at(format!("`{id}` declared twice")));
        }
        if let Some(cluster) = open.last() {
            if let Some((members, _)) = g.clusters.get_mut(cluster) {
                members.push(id.to_string());
            }
        }
        g.nodes.insert(id.to_string(), label);
        g.shapes.insert(id.to_string(), open_br.to_string());
    }
    if let Some(id) = open.last() {
        return Err(format!("subgraph `{id}` is not closed"));
    }
    Ok(g)
}

/// A token of DOT.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A double-quoted string, decoded.
    Quoted(String),
    /// An unquoted word or number.
    Word(String),
    /// `{ } [ ] ; , =` or `->`.
    Punct(&'static str),
}

fn dot_tokens(text: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if text[i..].starts_with("//") => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unclosed string".into()),
                        Some((_, '"')) => break,
                        Some((_, '\n')) => return Err(format!("raw line break in string `{s}`")),
                        Some((_, '\\')) => match chars.next() {
                            Some((_, '"')) => s.push('"'),
                            Some((_, '\\')) => s.push('\\'),
                            Some((_, 'n')) => s.push('\n'),
                            other => {
                                return Err(format!("escape `\\{other:?}` in string `{s}`"));
                            }
                        },
                        Some((_, c)) if c.is_control() => {
                            return Err(format!("control character {c:?} in string `{s}`"));
                        }
                        // Graphviz decodes HTML entities: only `&amp;` is written.
                        Some((i, '&')) => {
                            if !text[i..].starts_with("&amp;") {
                                return Err(format!("raw `&` in string `{s}`"));
                            }
                            for _ in 0..4 {
                                chars.next();
                            }
                            s.push('&');
                        }
                        Some((_, c)) => s.push(c),
                    }
                }
                toks.push(Tok::Quoted(s));
            }
            '-' if text[i..].starts_with("->") => {
                chars.next();
                toks.push(Tok::Punct("->"));
            }
            '{' => toks.push(Tok::Punct("{")),
            '}' => toks.push(Tok::Punct("}")),
            '[' => toks.push(Tok::Punct("[")),
            ']' => toks.push(Tok::Punct("]")),
            ';' => toks.push(Tok::Punct(";")),
            ',' => toks.push(Tok::Punct(",")),
            '=' => toks.push(Tok::Punct("=")),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut w = String::from(c);
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                        w.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                toks.push(Tok::Word(w));
            }
            c => return Err(format!("unexpected {c:?} at byte {i}")),
        }
    }
    Ok(toks)
}

struct DotReader {
    toks: Vec<Tok>,
    at: usize,
    graph: Graph,
}

impl DotReader {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Result<Tok, String> {
        let t = self
            .toks
            .get(self.at)
            .cloned()
            .ok_or_else(|| "unexpected end of input".to_string())?;
        self.at += 1;
        Ok(t)
    }

    fn expect(&mut self, p: &str) -> Result<(), String> {
        match self.next()? {
            Tok::Punct(q) if q == p => Ok(()),
            other => Err(format!("expected `{p}`, found {other:?}")),
        }
    }

    fn value(&mut self) -> Result<String, String> {
        match self.next()? {
            Tok::Quoted(s) | Tok::Word(s) => Ok(s),
            other => Err(format!("expected a value, found {other:?}")),
        }
    }

    /// `[k=v, k=v]`, when present.
    fn attrs(&mut self) -> Result<BTreeMap<String, String>, String> {
        let mut map = BTreeMap::new();
        if self.peek() != Some(&Tok::Punct("[")) {
            return Ok(map);
        }
        self.next()?;
        loop {
            if self.peek() == Some(&Tok::Punct("]")) {
                self.next()?;
                return Ok(map);
            }
            let key = match self.next()? {
                Tok::Word(k) => k,
                other => return Err(format!("expected an attribute name, found {other:?}")),
            };
            self.expect("=")?;
            let value = self.value()?;
            if map.insert(key.clone(), value).is_some() {
                return Err(format!("attribute `{key}` given twice"));
            }
            if self.peek() == Some(&Tok::Punct(",")) {
                self.next()?;
            }
        }
    }

    /// Statements up to the closing `}` of the current (sub)graph.
    fn stmts(&mut self, cluster: Option<&str>) -> Result<(), String> {
        loop {
            match self.next()? {
                Tok::Punct("}") => return Ok(()),
                Tok::Word(w) if w == "subgraph" => {
                    let id = match self.next()? {
                        Tok::Quoted(id) => id,
                        other => {
                            return Err(format!("expected a quoted subgraph id, found {other:?}"));
                        }
                    };
                    let id = id
                        .strip_prefix("cluster_")
                        .ok_or_else(|| format!("subgraph `{id}` is not a cluster"))?
                        .to_string();
                    self.expect("{")?;
                    if self.graph.clusters.contains_key(&id) {
                        return Err(format!("cluster `{id}` declared twice"));
                    }
                    self.graph
                        .clusters
                        .insert(id.clone(), (Vec::new(), cluster.map(str::to_string)));
                    self.stmts(Some(&id))?;
                }
                Tok::Word(w) if w == "node" || w == "edge" => {
                    self.attrs()?;
                    self.expect(";")?;
                }
                Tok::Word(_) => {
                    // A graph attribute: `rankdir=TB;`.
                    self.expect("=")?;
                    self.value()?;
                    self.expect(";")?;
                }
                Tok::Quoted(id) => {
                    if self.peek() == Some(&Tok::Punct("->")) {
                        self.next()?;
                        let to = match self.next()? {
                            Tok::Quoted(to) => to,
                            other => {
                                return Err(format!("expected a quoted node id, found {other:?}"));
                            }
                        };
                        let attrs = self.attrs()?;
                        self.expect(";")?;
                        for end in [&id, &to] {
                            if !self.graph.nodes.contains_key(end) {
                                return Err(format!("edge to undeclared node `{end}`"));
                            }
                        }
                        self.graph.edges.push(GraphEdge {
                            from: id,
                            to,
                            label: attrs.get("label").cloned(),
                            dashed: attrs.get("style").is_some_and(|s| s == "dashed"),
                        });
                    } else {
                        let attrs = self.attrs()?;
                        self.expect(";")?;
                        if self.graph.nodes.contains_key(&id) {
                            return Err(format!("node `{id}` declared twice"));
                        }
                        let label = attrs
                            .get("label")
                            .cloned()
                            .ok_or_else(|| format!("node `{id}` has no label"))?;
                        if let Some(c) = cluster {
                            if let Some((members, _)) = self.graph.clusters.get_mut(c) {
                                members.push(id.clone());
                            }
                        }
                        let shape = attrs.get("shape").cloned().unwrap_or_else(|| "box".into());
                        self.graph.shapes.insert(id.clone(), shape);
                        self.graph.nodes.insert(id, label);
                    }
                }
                other => return Err(format!("unexpected {other:?}")),
            }
        }
    }
}

/// Reads one Graphviz `digraph` as `sopflow graph --format dot` writes it.
pub fn parse_dot(text: &str) -> Result<Graph, String> {
    let mut r = DotReader {
        toks: dot_tokens(text)?,
        at: 0,
        graph: Graph::default(),
    };
    match r.next()? {
        Tok::Word(w) if w == "digraph" => {}
        other => return Err(format!("expected `digraph`, found {other:?}")),
    }
    match r.next()? {
        Tok::Quoted(_) => {}
        other => return Err(format!("expected a quoted graph name, found {other:?}")),
    }
    r.expect("{")?;
    r.stmts(None)?;
    if let Some(t) = r.peek() {
        return Err(format!("unexpected {t:?} after the graph"));
    }
    Ok(r.graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_reader_refuses_raw_syntax_in_labels() {
        assert_eq!(
            decode_mermaid_label("a#quot;b#35;c<br/>d"),
            Ok("a\"b#c\nd".into())
        );
        for bad in ["a#b", "a:b", "a|b", "<b>", "a#x;", "a;", "%%{init}%%"] {
            assert!(decode_mermaid_label(bad).is_err(), "{bad}");
        }
        assert!(parse_mermaid("flowchart TD\n    a(\"x\")\n    a --> b\n").is_err());
        assert!(parse_mermaid("flowchart TD\n    end(\"x\")\n").is_err());
        assert!(parse_mermaid("flowchart TD\n    subgraph p[\"x\"]\n").is_err());
        let g = parse_mermaid(
            "flowchart TD\n    a(\"A\")\n    subgraph p[\"parallel\"]\n        b([\"B\"])\n    end\n    a -.->|\"x\"| b\n",
        )
        .expect("valid");
        assert_eq!(g.clusters["p"], (vec!["b".to_string()], None));
        assert!(g.edges[0].dashed);
    }

    #[test]
    fn dot_reader_refuses_stray_escapes_and_undeclared_nodes() {
        assert!(parse_dot("digraph \"g\" { \"a\" [label=\"x\\N\"]; }").is_err());
        assert!(parse_dot("digraph \"g\" { \"a\" [label=\"x\"]; \"a\" -> \"b\"; }").is_err());
        assert!(parse_dot("digraph \"g\" { \"a\" [label=\"x\"]; ").is_err());
        assert!(parse_dot("digraph \"g\" { \"a\" [label=\"&lt;\"]; }").is_err());
        let g = parse_dot(
            "digraph \"g\" { rankdir=TB; // c\n \"a\" [label=\"x \\\"y\\\"\\nz\"]; \"a\" -> \"a\" [style=dashed]; }",
        )
        .expect("valid");
        assert_eq!(g.nodes["a"], "x \"y\"\nz");
        assert!(g.edges[0].dashed);
    }
}
