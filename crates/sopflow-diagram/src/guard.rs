//! Guard expressions printed as they would be written in a `.sop` file, with
//! only the parentheses the grammar needs (`or` < `and` < `not` < comparisons
//! < `in`, infix operators left-associative).

use sopflow_syntax::ast::{Date, Expr, ExprKind};

/// `e` as source text, e.g. `not pengaduan.dalam_wilayah` or
/// `asesmen_risiko.risiko == tinggi`. Parsing the result gives back the same
/// tree (spans aside).
pub fn guard_text(e: &Expr) -> String {
    let mut out = String::new();
    write(e, &mut out);
    out
}

/// Binding strength of the operator at the root of `e` (higher binds tighter).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Or(..) => 1,
        ExprKind::And(..) => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Cmp(..) => 4,
        ExprKind::In(..) => 5,
        ExprKind::Path(_)
        | ExprKind::Int(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Date(_) => 6,
    }
}

/// Writes `e`, in parentheses when it binds less tightly than `min`.
fn write_at(e: &Expr, min: u8, out: &mut String) {
    if precedence(e) < min {
        out.push('(');
        write(e, out);
        out.push(')');
    } else {
        write(e, out);
    }
}

fn write(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Or(l, r) => infix(l, " or ", r, 1, out),
        ExprKind::And(l, r) => infix(l, " and ", r, 2, out),
        ExprKind::Not(x) => {
            out.push_str("not ");
            write_at(x, 3, out);
        }
        ExprKind::Cmp(op, l, r) => {
            let op = format!(" {} ", op.as_str());
            infix(l, &op, r, 4, out);
        }
        ExprKind::In(x, items) => {
            write_at(x, 5, out);
            out.push_str(" in (");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_at(item, 0, out);
            }
            out.push(')');
        }
        ExprKind::Path(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&part.name);
            }
        }
        ExprKind::Int(n) => out.push_str(&n.to_string()),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Str(s) => string_literal(s, out),
        ExprKind::Date(d) => out.push_str(&date_text(*d)),
    }
}

/// A left-associative infix operator of precedence `level`.
fn infix(l: &Expr, op: &str, r: &Expr, level: u8, out: &mut String) {
    write_at(l, level, out);
    out.push_str(op);
    write_at(r, level + 1, out);
}

/// A string literal with the language's escapes (`\"`, `\\`, `\n`, `\t`).
fn string_literal(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sopflow_diagnostics::FileId;
    use sopflow_syntax::parse_expr;

    fn parse(text: &str) -> Expr {
        match parse_expr(FileId(0), text) {
            Ok(e) => e,
            Err(d) => panic!("`{text}` does not parse: {}", d[0].message.en),
        }
    }

    /// The tree with every operator parenthesised, spans left out.
    fn shape(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Or(l, r) => format!("({} or {})", shape(l), shape(r)),
            ExprKind::And(l, r) => format!("({} and {})", shape(l), shape(r)),
            ExprKind::Not(x) => format!("(not {})", shape(x)),
            ExprKind::Cmp(op, l, r) => format!("({} {} {})", shape(l), op.as_str(), shape(r)),
            ExprKind::In(x, items) => format!(
                "({} in [{}])",
                shape(x),
                items.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            _ => guard_text(e),
        }
    }

    /// Printing then parsing gives back the same tree.
    fn round_trip(text: &str) -> String {
        let e = parse(text);
        let printed = guard_text(&e);
        assert_eq!(
            shape(&parse(&printed)),
            shape(&e),
            "`{text}` printed as `{printed}`"
        );
        printed
    }

    #[test]
    fn simple_guards_print_as_written() {
        assert_eq!(round_trip("pengaduan.darurat"), "pengaduan.darurat");
        assert_eq!(
            round_trip("not pengaduan.dalam_wilayah"),
            "not pengaduan.dalam_wilayah"
        );
        assert_eq!(
            round_trip("asesmen_risiko.risiko   ==\n tinggi"),
            "asesmen_risiko.risiko == tinggi"
        );
        assert_eq!(
            round_trip("f.jenis in (fisik,seksual,)"),
            "f.jenis in (fisik, seksual)"
        );
        assert_eq!(round_trip("f.n >= -3"), "f.n >= -3");
        assert_eq!(round_trip("f.d < 2024-02-09"), "f.d < 2024-02-09");
        assert_eq!(round_trip("f.b == false"), "f.b == false");
    }

    #[test]
    fn only_needed_parentheses_are_kept() {
        assert_eq!(round_trip("((a or b)) and c"), "(a or b) and c");
        assert_eq!(round_trip("a or (b and c)"), "a or b and c");
        assert_eq!(round_trip("(a or b) or c"), "a or b or c");
        assert_eq!(round_trip("a or (b or c)"), "a or (b or c)");
        assert_eq!(round_trip("not (a and b)"), "not (a and b)");
        assert_eq!(round_trip("not (f.x == 1)"), "not f.x == 1");
        assert_eq!(round_trip("(not f.x) == true"), "(not f.x) == true");
        assert_eq!(round_trip("not not a"), "not not a");
        assert_eq!(round_trip("(f.a == 1) == true"), "f.a == 1 == true");
        assert_eq!(round_trip("true == (f.a == 1)"), "true == (f.a == 1)");
    }

    #[test]
    fn strings_keep_their_escapes() {
        assert_eq!(
            round_trip(r#"f.t == "a \"b\" \\ c\nd""#),
            r#"f.t == "a \"b\" \\ c\nd""#
        );
        assert_eq!(round_trip("f.t == \"é #1 <x>\""), "f.t == \"é #1 <x>\"");
    }
}
