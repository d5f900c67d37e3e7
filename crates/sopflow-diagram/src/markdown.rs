//! A Markdown library page: what the diagrams show, a table of the sops,
//! then one section per sop with its Mermaid diagram.

use crate::{Library, SopEntry, clean_lines};
use std::fmt::Write as _;

/// Text for Markdown prose and headings: on one line, with the characters
/// Markdown (and GitHub's math) would read as syntax backslash-escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean_lines(s).join(" ").chars() {
        if "\\`*_[]<>#~&$!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span holding `s` on one line, whatever backticks it holds.
fn code(s: &str) -> String {
    let s = clean_lines(s).join(" ");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A table cell: `|` would end the cell, even inside a code span.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The roles as code spans, or a dash.
fn roles(roles: &[String]) -> String {
    if roles.is_empty() {
        "—".to_string()
    } else {
        roles.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
    }
}

const INTRO: &str = "\
# SOP library

Every SOP of the bundle as a flowchart, drawn from the `.sop` files by
`sopflow graph --format markdown`. Edit the `.sop` files, not this page.

*Ringkasan:* halaman ini menampilkan setiap SOP dalam bundel sebagai diagram alur yang dibuat
otomatis dari berkas `.sop`; ubah berkas `.sop`-nya, bukan halaman ini.

How to read a diagram:

- the circle **start** points to the first step;
- a rounded box is a step: its title, its name in parentheses, the roles that perform it (`by`),
  its deadline (`within`), and the consent it records and referrals it makes, if any;
- a box with double sides is a step that runs another SOP (`call`) and waits for it to end;
- a pill is an end of the SOP;
- arrows out of a deciding step carry the guard of each arm, tried from the first arm written in
  the `.sop` file, and `else`;
- a dashed arrow is the move a late step makes when its deadline passes (`on overdue`);
- a dashed box **parallel** holds work done at the same time, started by the step above it:
  branches of steps and referrals (`refer`) to services of the network; the work meets again at
  **join**, and the step goes on from there.
";

/// The library page for `entries` of `library`: an introduction, a table
/// (name, title, file, steps, roles), then a section per sop with its
/// Mermaid diagram.
pub fn markdown(library: &Library<'_>, entries: &[SopEntry<'_>]) -> String {
    let mut out = String::from(INTRO);
    out.push('\n');
    if entries.is_empty() {
        out.push_str("The bundle has no SOP.\n");
        return out;
    }
    out.push_str("| SOP | title | file | steps | roles |\n|---|---|---|--:|---|\n");
    let summaries: Vec<_> = entries.iter().map(|e| library.summary(e)).collect();
    for s in &summaries {
        let _ = writeln!(
            out,
            "| [{}](#sop-{}) | {} | {} | {} | {} |",
            cell(&code(&s.name)),
            s.name,
            cell(&s.title.as_deref().map(text).unwrap_or_default()),
            cell(&code(&s.file)),
            s.steps,
            cell(&roles(&s.roles)),
        );
    }
    for (entry, s) in entries.iter().zip(&summaries) {
        out.push('\n');
        let _ = writeln!(out, "<a id=\"sop-{}\"></a>\n", s.name);
        let _ = writeln!(out, "## {}\n", text(s.title.as_deref().unwrap_or(&s.name)));
        let version = s
            .version
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        let performed_by = if s.roles.is_empty() {
            String::new()
        } else {
            format!("; roles {}", roles(&s.roles))
        };
        let _ = writeln!(
            out,
            "{}{version}, in {}: {}, {}{performed_by}.\n",
            code(&s.name),
            code(&s.file),
            count(s.steps, "step", "steps"),
            count(s.ends, "end", "ends"),
        );
        let _ = write!(out, "```mermaid\n{}```\n", library.diagram(entry).mermaid());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_escapes_markdown_syntax() {
        assert_eq!(
            text("a *b* _c_ [d](e) <f> #1 $x$"),
            r"a \*b\* \_c\_ \[d\](e) \<f\> \#1 \$x\$"
        );
        assert_eq!(text("baris\nbaru"), "baris baru");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("sops/a.sop"), "`sops/a.sop`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("`a|b`"), r"`a\|b`");
    }
}
