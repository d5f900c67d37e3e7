//! From text to [`ast::File`]: pest parse with per-item recovery, then
//! hand-written lowering (one function per rule) into the owned AST.

use crate::ast::*;
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use sopflow_diagnostics::{Code, Diagnostic, FileId, Span, Text};
use std::cell::RefCell;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct SopParser;

/// Deepest `{`/`(` nesting accepted; deeper input is refused before parsing
/// so that no recursion (pest's, the lowering's, or `Drop`'s) can overflow the stack.
pub const MAX_NESTING: usize = 64;
/// Most operators accepted in one guard expression.
pub const MAX_EXPR_OPERATORS: usize = 256;

/// Parses one file. Never fails as a whole: items that do not parse are
/// reported (one diagnostic per broken item) and left out of the tree.
pub fn parse_file(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let lower = Lower {
        file,
        diags: RefCell::new(Vec::new()),
        pratt: pratt(),
    };
    if let Some(offset) = too_deep(text) {
        lower.diags.borrow_mut().push(
            Diagnostic::new(
                Code::TooComplex,
                Span::new(file, offset, offset + 1),
                Text::new(
                    format!("nesting deeper than {MAX_NESTING} levels"),
                    format!("susunan bertingkat lebih dari {MAX_NESTING} tingkat"),
                ),
            )
            .with_help(Text::new(
                "split the declaration or the expression into smaller parts",
                "pecah deklarasi atau ekspresi menjadi bagian yang lebih kecil",
            )),
        );
        return (File::default(), lower.diags.into_inner());
    }
    let mut items = Vec::new();
    match SopParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            if let Some(file_pair) = pairs.next() {
                for pair in file_pair.into_inner() {
                    match pair.as_rule() {
                        Rule::junk => lower.report_junk(text, &pair),
                        Rule::EOI => {}
                        _ => {
                            if let Some(item) = lower.item(pair) {
                                items.push(item);
                            }
                        }
                    }
                }
            }
        }
        Err(err) => {
            let diag = lower.pest_error(text, 0, err);
            lower.diags.borrow_mut().push(diag);
        }
    }
    (File { items }, lower.diags.into_inner())
}

/// Parses a single guard expression (used by tools and tests).
pub fn parse_expr(file: FileId, text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let lower = Lower {
        file,
        diags: RefCell::new(Vec::new()),
        pratt: pratt(),
    };
    if too_deep(text).is_some() {
        return Err(vec![Diagnostic::new(
            Code::TooComplex,
            Span::new(file, 0, text.len()),
            Text::new("expression too deep", "ekspresi terlalu dalam"),
        )]);
    }
    let wrapped = SopParser::parse(Rule::expr, text);
    match wrapped {
        Ok(mut pairs) => {
            let pair = pairs.next();
            let end = pair.as_ref().map(|p| p.as_span().end()).unwrap_or(0);
            if end != text.trim_end().len() {
                return Err(vec![syntax_error(
                    file,
                    end,
                    text,
                    end,
                    Text::new(
                        "unexpected text after the expression",
                        "ada teks tak terduga setelah ekspresi",
                    ),
                )]);
            }
            let expr = pair.and_then(|p| lower.expr(p));
            let diags = lower.diags.into_inner();
            match expr {
                Some(e) if diags.is_empty() => Ok(e),
                _ => Err(diags),
            }
        }
        Err(err) => Err(vec![lower.pest_error(text, 0, err)]),
    }
}

fn pratt() -> PrattParser<Rule> {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::postfix(Rule::op_in))
}

/// Byte offset where `{`/`(` nesting first exceeds [`MAX_NESTING`], skipping strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A syntax error at byte `offset` of `file`, covering the whole character
/// found there in `text` (`text_offset` is the same place within `text`).
fn syntax_error(
    file: FileId,
    offset: usize,
    text: &str,
    text_offset: usize,
    message: Text,
) -> Diagnostic {
    let width = text
        .get(text_offset..)
        .and_then(|r| r.chars().next())
        .map_or(0, char::len_utf8);
    Diagnostic::new(
        Code::SyntaxError,
        Span::new(file, offset, offset + width),
        message,
    )
}

/// Plain-words name of a rule, for "expected …" messages.
fn describe(rule: Rule) -> Option<(&'static str, &'static str)> {
    Some(match rule {
        Rule::ident | Rule::ident_list | Rule::path | Rule::target => ("a name", "sebuah nama"),
        Rule::string => ("a quoted string", "teks dalam tanda kutip"),
        Rule::int_lit => ("a whole number", "bilangan bulat"),
        Rule::date_lit => ("a date (YYYY-MM-DD)", "tanggal (TTTT-BB-HH)"),
        Rule::bool_lit => ("`true` or `false`", "`true` atau `false`"),
        Rule::time_unit => (
            "a time unit (hours, days, workdays, ...)",
            "satuan waktu (hours, days, workdays, ...)",
        ),
        Rule::weekday => ("a weekday (mon ... sun)", "nama hari (mon ... sun)"),
        Rule::access => ("`read`/`write`", "`read`/`write`"),
        Rule::sensitivity => (
            "a sensitivity (sensitive, internal, public)",
            "tingkat kepekaan (sensitive, internal, public)",
        ),
        Rule::expr => ("a condition", "sebuah kondisi"),
        Rule::infix | Rule::op_or | Rule::op_and => ("an operator", "operator"),
        Rule::op_eq | Rule::op_ne | Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge => {
            ("a comparison", "perbandingan")
        }
        Rule::EOI => ("end of file", "akhir berkas"),
        Rule::lbrace => ("`{`", "`{`"),
        Rule::rbrace => ("`}`", "`}`"),
        Rule::arrow => ("`->`", "`->`"),
        Rule::fat_arrow => ("`=>`", "`=>`"),
        Rule::range_op => ("`..=`", "`..=`"),
        Rule::colon => ("`:`", "`:`"),
        Rule::comma => ("`,`", "`,`"),
        Rule::organization | Rule::kw_organization => ("`organization`", "`organization`"),
        Rule::form | Rule::kw_form => ("`form`", "`form`"),
        Rule::network | Rule::kw_network => ("`network`", "`network`"),
        Rule::policy | Rule::kw_policy => ("`policy`", "`policy`"),
        Rule::calendar | Rule::kw_calendar | Rule::sop_calendar => ("`calendar`", "`calendar`"),
        Rule::sop | Rule::kw_sop => ("`sop`", "`sop`"),
        Rule::unit | Rule::kw_unit => ("`unit`", "`unit`"),
        Rule::role | Rule::kw_role => ("`role`", "`role`"),
        Rule::escalate | Rule::kw_escalate => ("`escalate`", "`escalate`"),
        Rule::workdays | Rule::kw_workdays => ("`workdays`", "`workdays`"),
        Rule::holiday | Rule::kw_holiday => ("`holiday`", "`holiday`"),
        Rule::field | Rule::kw_field => ("`field`", "`field`"),
        Rule::score | Rule::kw_score => ("`score`", "`score`"),
        Rule::level | Rule::kw_level => ("`level`", "`level`"),
        Rule::required | Rule::kw_required => ("`required`", "`required`"),
        Rule::optional | Rule::kw_optional => ("`optional`", "`optional`"),
        Rule::field_class | Rule::kw_class | Rule::class_decl => ("`class`", "`class`"),
        Rule::type_bool => ("`bool`", "`bool`"),
        Rule::type_text => ("`text`", "`text`"),
        Rule::type_date => ("`date`", "`date`"),
        Rule::type_int | Rule::kw_int => ("`int`", "`int`"),
        Rule::type_enum | Rule::kw_enum => ("`enum`", "`enum`"),
        Rule::int_range => ("a range `lo..=hi`", "rentang `awal..=akhir`"),
        Rule::score_rule => (
            "a score rule `condition => points`",
            "aturan skor `kondisi => poin`",
        ),
        Rule::band => ("a level band", "pita tingkat"),
        Rule::kw_by | Rule::by => ("`by`", "`by`"),
        Rule::kw_below => ("`below`", "`below`"),
        Rule::provider | Rule::kw_provider => ("`provider`", "`provider`"),
        Rule::kw_offers => ("`offers`", "`offers`"),
        Rule::kw_region => ("`region`", "`region`"),
        Rule::allow | Rule::kw_allow => ("`allow`", "`allow`"),
        Rule::share | Rule::kw_share => ("`share`", "`share`"),
        Rule::kw_with => ("`with`", "`with`"),
        Rule::consent_required | Rule::kw_requires => ("`requires consent`", "`requires consent`"),
        Rule::retain | Rule::kw_retain => ("`retain`", "`retain`"),
        Rule::after_close | Rule::kw_after => ("`after close`", "`after close`"),
        Rule::kw_close => ("`close`", "`close`"),
        Rule::kw_version => ("`version`", "`version`"),
        Rule::start | Rule::kw_start => ("`start`", "`start`"),
        Rule::step | Rule::kw_step => ("`step`", "`step`"),
        Rule::end_decl | Rule::kw_end => ("`end`", "`end`"),
        Rule::fill | Rule::kw_fill => ("`fill`", "`fill`"),
        Rule::within | Rule::kw_within => ("`within`", "`within`"),
        Rule::duration => (
            "a duration such as `3 days`",
            "jangka waktu seperti `3 days`",
        ),
        Rule::kw_on => ("`on overdue`", "`on overdue`"),
        Rule::kw_overdue => ("`overdue`", "`overdue`"),
        Rule::overdue_action => ("`escalate` or `-> step`", "`escalate` atau `-> langkah`"),
        Rule::consent | Rule::kw_consent => ("`consent`", "`consent`"),
        Rule::refer | Rule::kw_refer => ("`refer`", "`refer`"),
        Rule::call | Rule::kw_call => ("`call`", "`call`"),
        Rule::parallel | Rule::kw_parallel => ("`parallel`", "`parallel`"),
        Rule::branch | Rule::kw_branch => ("`branch`", "`branch`"),
        Rule::next | Rule::kw_next => ("`next`", "`next`"),
        Rule::kw_join => ("`join`", "`join`"),
        Rule::decide | Rule::kw_decide => ("`decide`", "`decide`"),
        Rule::when_arm | Rule::kw_when => ("`when`", "`when`"),
        Rule::else_arm | Rule::kw_else => ("`else`", "`else`"),
        Rule::op_not => ("`not`", "`not`"),
        Rule::op_in | Rule::kw_in => ("`in`", "`in`"),
        _ => return None,
    })
}

fn join_alternatives(items: &[&str], or: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} {or} {last}", init.join(", ")),
    }
}

/// What is at `offset`, for "found …".
fn found_at(text: &str, offset: usize) -> (String, String) {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".into(), "akhir berkas".into());
    };
    if first.is_ascii_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        return (format!("`{word}`"), format!("`{word}`"));
    }
    if first == '\n' || first == '\r' {
        return ("end of line".into(), "akhir baris".into());
    }
    (format!("`{first}`"), format!("`{first}`"))
}

struct Lower {
    file: FileId,
    /// Interior mutability lets the Pratt parser's closures report problems.
    diags: RefCell<Vec<Diagnostic>>,
    pratt: PrattParser<Rule>,
}

impl Lower {
    /// The pair's span without the trailing whitespace pest may include.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let trimmed = s
            .as_str()
            .trim_end_matches([' ', '\t', '\r', '\n', '\u{FEFF}'])
            .len();
        Span::new(self.file, s.start(), s.start() + trimmed)
    }

    fn pest_error(&self, text: &str, base: usize, err: pest::error::Error<Rule>) -> Diagnostic {
        let pos = match err.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let (expected_en, expected_id) = match &err.variant {
            ErrorVariant::ParsingError { positives, .. } => {
                let mut en: Vec<&str> = Vec::new();
                let mut id: Vec<&str> = Vec::new();
                for rule in positives {
                    if let Some((e, i)) = describe(*rule) {
                        if !en.contains(&e) {
                            en.push(e);
                            id.push(i);
                        }
                    }
                }
                (join_alternatives(&en, "or"), join_alternatives(&id, "atau"))
            }
            ErrorVariant::CustomError { message } => (message.clone(), message.clone()),
        };
        let (found_en, found_id) = found_at(text, pos);
        if text
            .get(pos..)
            .is_some_and(|rest| rest.starts_with('"') && !rest[1..].contains('"'))
        {
            return syntax_error(
                self.file,
                base + pos,
                text,
                pos,
                Text::new(
                    "this string is never closed: a `\"` is missing",
                    "teks ini tidak pernah ditutup: tanda `\"` kurang",
                ),
            )
            .with_primary_label(Text::new("string starts here", "teks dimulai di sini"));
        }
        let message = if expected_en.is_empty() {
            Text::new(
                format!("unexpected {found_en}"),
                format!("tidak terduga: {found_id}"),
            )
        } else {
            Text::new(
                format!("expected {expected_en}, found {found_en}"),
                format!("seharusnya {expected_id}, tetapi ditemukan {found_id}"),
            )
        };
        syntax_error(self.file, base + pos, text, pos, message).with_primary_label(Text::new(
            if expected_en.is_empty() {
                "not understood here".to_string()
            } else {
                format!("expected {expected_en}")
            },
            if expected_id.is_empty() {
                "tidak dipahami di sini".to_string()
            } else {
                format!("seharusnya {expected_id}")
            },
        ))
    }

    /// Re-parses a junk region as one item to find and report its first error.
    fn report_junk(&self, text: &str, pair: &Pair<'_, Rule>) {
        let start = pair.as_span().start();
        let junk = pair.as_str();
        let diag = match SopParser::parse(Rule::single_item, junk) {
            Err(err) => {
                let mut d = self.pest_error(junk, start, err);
                // `found` must look at the whole text, not the truncated junk.
                let pos = d.span.start as usize;
                let (fe, fi) = found_at(text, pos);
                let (fe_junk, fi_junk) = found_at(junk, pos - start);
                d.message.en = d
                    .message
                    .en
                    .replace(&format!("found {fe_junk}"), &format!("found {fe}"));
                d.message.id = d
                    .message
                    .id
                    .replace(&format!("ditemukan {fi_junk}"), &format!("ditemukan {fi}"));
                d
            }
            Ok(_) => syntax_error(
                self.file,
                start,
                text,
                start,
                Text::new("this text is not a declaration", "teks ini bukan deklarasi"),
            ),
        };
        self.diags.borrow_mut().push(diag);
    }

    fn internal(&self, span: Span) {
        self.diags.borrow_mut().push(Diagnostic::new(
            Code::SyntaxError,
            span,
            Text::new(
                "this declaration could not be read",
                "deklarasi ini tidak dapat dibaca",
            ),
        ));
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Option<Item> {
        let span = self.span(&pair);
        let reported = self.diags.borrow().len();
        let item = match pair.as_rule() {
            Rule::organization => self.organization(pair).map(Item::Organization),
            Rule::calendar => self.calendar(pair).map(Item::Calendar),
            Rule::form => self.form(pair).map(Item::Form),
            Rule::network => self.network(pair).map(Item::Network),
            Rule::policy => self.policy(pair).map(Item::Policy),
            Rule::sop => self.sop(pair).map(Item::Sop),
            _ => None,
        };
        if item.is_none() && self.diags.borrow().len() == reported {
            self.internal(span);
        }
        item
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: Name::from(pair.as_str()),
            span: self.span(pair),
        }
    }

    fn ident_list(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(&p))
            .collect()
    }

    fn string(&self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('"') => value.push('"'),
                Some('\\') => value.push('\\'),
                other => {
                    let shown = other.map(|c| c.to_string()).unwrap_or_default();
                    self.diags.borrow_mut().push(Diagnostic::new(
                        Code::InvalidLiteral,
                        span,
                        Text::new(
                            format!("unknown escape `\\{shown}` in string (use \\\", \\\\, \\n or \\t)"),
                            format!("escape `\\{shown}` tidak dikenal dalam teks (gunakan \\\", \\\\, \\n atau \\t)"),
                        ),
                    ));
                }
            }
        }
        StrLit {
            value: Name::from(value),
            span,
        }
    }

    /// An integer; one too large is reported and read as the nearest
    /// representable value, so no follow-on error (e.g. "not positive") appears.
    fn int(&self, pair: &Pair<'_, Rule>) -> i64 {
        match pair.as_str().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                self.diags.borrow_mut().push(Diagnostic::new(
                    Code::InvalidLiteral,
                    self.span(pair),
                    Text::new(
                        format!("number `{}` is too large", pair.as_str()),
                        format!("angka `{}` terlalu besar", pair.as_str()),
                    ),
                ));
                if pair.as_str().starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                }
            }
        }
    }

    fn date(&self, pair: &Pair<'_, Rule>) -> Date {
        let s = pair.as_str();
        let parsed = (|| {
            let year: i32 = s.get(0..4)?.parse().ok()?;
            let month: u8 = s.get(5..7)?.parse().ok()?;
            let day: u8 = s.get(8..10)?.parse().ok()?;
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let days_in_month = match month {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return None,
            };
            (1..=days_in_month)
                .contains(&day)
                .then_some(Date { year, month, day })
        })();
        parsed.unwrap_or_else(|| {
            self.diags.borrow_mut().push(Diagnostic::new(
                Code::InvalidLiteral,
                self.span(pair),
                Text::new(
                    format!("`{s}` is not a valid date"),
                    format!("`{s}` bukan tanggal yang sah"),
                ),
            ));
            Date {
                year: 1970,
                month: 1,
                day: 1,
            }
        })
    }

    /// Splits `kw name "title"? rest...` into name, title and the remaining pairs.
    fn head<'i>(
        &self,
        pairs: &mut std::iter::Peekable<Pairs<'i, Rule>>,
    ) -> Option<(Ident, Option<StrLit>)> {
        // Skip the keyword.
        while pairs.peek().is_some_and(|p| p.as_rule() != Rule::ident) {
            pairs.next();
        }
        let name = self.ident(&pairs.next()?);
        let title = if pairs.peek().is_some_and(|p| p.as_rule() == Rule::string) {
            pairs.next().map(|p| self.string(p))
        } else {
            None
        };
        Some((name, title))
    }

    fn organization(&self, pair: Pair<'_, Rule>) -> Option<Organization> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut org = Organization {
            name,
            title,
            units: vec![],
            roles: vec![],
            escalations: vec![],
            span,
        };
        for p in pairs {
            match p.as_rule() {
                Rule::unit => org.units.push(self.unit(p)?),
                Rule::role => org.roles.push(self.role(p)?),
                Rule::escalate => {
                    let span = self.span(&p);
                    let chain = p
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::ident)
                        .map(|p| self.ident(&p))
                        .collect();
                    org.escalations.push(Escalation { chain, span });
                }
                _ => {}
            }
        }
        Some(org)
    }

    fn unit(&self, pair: Pair<'_, Rule>) -> Option<Unit> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut unit = Unit {
            name,
            title,
            roles: vec![],
            units: vec![],
            span,
        };
        for p in pairs {
            match p.as_rule() {
                Rule::unit => unit.units.push(self.unit(p)?),
                Rule::role => unit.roles.push(self.role(p)?),
                _ => {}
            }
        }
        Some(unit)
    }

    fn role(&self, pair: Pair<'_, Rule>) -> Option<Role> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        Some(Role { name, title, span })
    }

    fn calendar(&self, pair: Pair<'_, Rule>) -> Option<Calendar> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut cal = Calendar {
            name,
            title,
            workdays: vec![],
            holidays: vec![],
            span,
        };
        for p in pairs {
            match p.as_rule() {
                Rule::workdays => {
                    for d in p.into_inner().filter(|p| p.as_rule() == Rule::weekday) {
                        let day = match d.as_str() {
                            "mon" => Weekday::Mon,
                            "tue" => Weekday::Tue,
                            "wed" => Weekday::Wed,
                            "thu" => Weekday::Thu,
                            "fri" => Weekday::Fri,
                            "sat" => Weekday::Sat,
                            _ => Weekday::Sun,
                        };
                        cal.workdays.push((day, self.span(&d)));
                    }
                }
                Rule::holiday => {
                    let span = self.span(&p);
                    let mut date = None;
                    let mut title = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::date_lit => date = Some(self.date(&q)),
                            Rule::string => title = Some(self.string(q)),
                            _ => {}
                        }
                    }
                    cal.holidays.push(Holiday {
                        date: date?,
                        title,
                        span,
                    });
                }
                _ => {}
            }
        }
        Some(cal)
    }

    fn form(&self, pair: Pair<'_, Rule>) -> Option<Form> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut form = Form {
            name,
            title,
            fields: vec![],
            scores: vec![],
            levels: vec![],
            span,
        };
        for p in pairs {
            match p.as_rule() {
                Rule::field => form.fields.push(self.field(p)?),
                Rule::score => form.scores.push(self.score(p)?),
                Rule::level => form.levels.push(self.level(p)?),
                _ => {}
            }
        }
        Some(form)
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Option<Field> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut ty = None;
        let mut required = None;
        let mut class = None;
        for p in pairs {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::type_bool => ty = Some(FieldType::Bool),
                Rule::type_text => ty = Some(FieldType::Text),
                Rule::type_date => ty = Some(FieldType::Date),
                Rule::type_int => {
                    let range = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::int_range)
                        .map(|r| {
                            let rspan = self.span(&r);
                            let bounds: Vec<_> = r
                                .into_inner()
                                .filter(|b| b.as_rule() == Rule::int_lit)
                                .collect();
                            let lo = bounds.first().map(|b| self.int(b)).unwrap_or(0);
                            let hi = bounds.get(1).map(|b| self.int(b)).unwrap_or(0);
                            IntRange {
                                lo,
                                hi,
                                span: rspan,
                            }
                        });
                    ty = Some(FieldType::Int { range });
                }
                Rule::type_enum => {
                    let values = p
                        .into_inner()
                        .filter(|q| q.as_rule() == Rule::ident)
                        .map(|q| self.ident(&q))
                        .collect();
                    ty = Some(FieldType::Enum(values));
                }
                Rule::required | Rule::optional => {
                    if required.is_some() {
                        self.duplicate_clause(pspan, "required/optional");
                    }
                    required = Some(p.as_rule() == Rule::required);
                }
                Rule::field_class => {
                    if class.is_some() {
                        self.duplicate_clause(pspan, "class");
                    }
                    class = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::ident)
                        .map(|q| self.ident(&q));
                }
                _ => {}
            }
        }
        Some(Field {
            name,
            title,
            ty: ty?,
            required: required.unwrap_or(false),
            class,
            span,
        })
    }

    fn duplicate_clause(&self, span: Span, clause: &str) {
        self.diags.borrow_mut().push(Diagnostic::new(
            Code::DuplicateClause,
            span,
            Text::new(
                format!("`{clause}` is given more than once"),
                format!("`{clause}` diberikan lebih dari sekali"),
            ),
        ));
    }

    fn score(&self, pair: Pair<'_, Rule>) -> Option<Score> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut rules = Vec::new();
        for p in pairs.filter(|p| p.as_rule() == Rule::score_rule) {
            let rspan = self.span(&p);
            let mut inner = p.into_inner().filter(|q| q.as_rule() != Rule::fat_arrow);
            let guard = self.expr(inner.next()?)?;
            let points = self.int(&inner.next()?);
            rules.push(ScoreRule {
                guard,
                points,
                span: rspan,
            });
        }
        Some(Score {
            name,
            title,
            rules,
            span,
        })
    }

    fn level(&self, pair: Pair<'_, Rule>) -> Option<Level> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut by = None;
        let mut bands = Vec::new();
        for p in pairs {
            match p.as_rule() {
                Rule::ident => by = Some(self.ident(&p)),
                Rule::band => {
                    let bspan = self.span(&p);
                    let mut inner = p.into_inner().filter(|q| q.as_rule() != Rule::kw_below);
                    let name = self.ident(&inner.next()?);
                    let below = inner.next().map(|q| self.int(&q));
                    bands.push(Band {
                        name,
                        below,
                        span: bspan,
                    });
                }
                _ => {}
            }
        }
        Some(Level {
            name,
            title,
            by: by?,
            bands,
            span,
        })
    }

    fn network(&self, pair: Pair<'_, Rule>) -> Option<Network> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut providers = Vec::new();
        for p in pairs.filter(|p| p.as_rule() == Rule::provider) {
            let pspan = self.span(&p);
            let mut inner = p.into_inner().peekable();
            let (name, title) = self.head(&mut inner)?;
            let mut offers = Vec::new();
            let mut region = None;
            for q in inner {
                match q.as_rule() {
                    Rule::ident_list => offers = self.ident_list(q),
                    Rule::string => region = Some(self.string(q)),
                    _ => {}
                }
            }
            providers.push(Provider {
                name,
                title,
                offers,
                region,
                span: pspan,
            });
        }
        Some(Network {
            name,
            title,
            providers,
            span,
        })
    }

    fn policy(&self, pair: Pair<'_, Rule>) -> Option<Policy> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut policy = Policy {
            name,
            title,
            classes: vec![],
            grants: vec![],
            shares: vec![],
            retentions: vec![],
            span,
        };
        for p in pairs {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::class_decl => {
                    let mut inner = p.into_inner().peekable();
                    let (name, title) = self.head(&mut inner)?;
                    let sensitivity = inner.next().map(|q| match q.as_str() {
                        "public" => Sensitivity::Public,
                        "internal" => Sensitivity::Internal,
                        _ => Sensitivity::Sensitive,
                    });
                    policy.classes.push(DataClass {
                        name,
                        title,
                        sensitivity,
                        span: pspan,
                    });
                }
                Rule::allow => {
                    let mut lists = Vec::new();
                    let mut access = Vec::new();
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident_list => lists.push(self.ident_list(q)),
                            Rule::access if q.as_str() == "read" => access.push(Access::Read),
                            Rule::access => access.push(Access::Write),
                            _ => {}
                        }
                    }
                    let mut lists = lists.into_iter();
                    let roles = lists.next()?;
                    let classes = lists.next()?;
                    policy.grants.push(Grant {
                        roles,
                        access,
                        classes,
                        span: pspan,
                    });
                }
                Rule::share => {
                    let mut classes = None;
                    let mut network = None;
                    let mut requires_consent = false;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident_list => classes = Some(self.ident_list(q)),
                            Rule::ident => network = Some(self.ident(&q)),
                            Rule::consent_required => requires_consent = true,
                            _ => {}
                        }
                    }
                    policy.shares.push(Share {
                        classes: classes?,
                        network: network?,
                        requires_consent,
                        span: pspan,
                    });
                }
                Rule::retain => {
                    let mut classes = None;
                    let mut period = None;
                    let mut after_close = false;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident_list => classes = Some(self.ident_list(q)),
                            Rule::duration => period = self.duration(q),
                            Rule::after_close => after_close = true,
                            _ => {}
                        }
                    }
                    policy.retentions.push(Retention {
                        classes: classes?,
                        period: period?,
                        after_close,
                        span: pspan,
                    });
                }
                _ => {}
            }
        }
        Some(policy)
    }

    fn duration(&self, pair: Pair<'_, Rule>) -> Option<Duration> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let amount = self.int(&inner.next()?);
        let unit = match inner.next()?.as_str().trim_end_matches('s') {
            "minute" => TimeUnit::Minutes,
            "hour" => TimeUnit::Hours,
            "day" => TimeUnit::Days,
            "workday" => TimeUnit::Workdays,
            "week" => TimeUnit::Weeks,
            "month" => TimeUnit::Months,
            _ => TimeUnit::Years,
        };
        Some(Duration { amount, unit, span })
    }

    fn sop(&self, pair: Pair<'_, Rule>) -> Option<Sop> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut sop = Sop {
            name,
            title,
            version: None,
            starts: vec![],
            calendars: vec![],
            steps: vec![],
            ends: vec![],
            span,
        };
        for p in pairs {
            match p.as_rule() {
                Rule::int_lit => sop.version = Some(self.int(&p)),
                Rule::start => sop.starts.extend(
                    p.into_inner()
                        .find(|q| q.as_rule() == Rule::ident)
                        .map(|q| self.ident(&q)),
                ),
                Rule::sop_calendar => sop.calendars.extend(
                    p.into_inner()
                        .find(|q| q.as_rule() == Rule::ident)
                        .map(|q| self.ident(&q)),
                ),
                Rule::step => sop.steps.push(self.step(p)?),
                Rule::end_decl => {
                    let espan = self.span(&p);
                    let mut inner = p.into_inner().peekable();
                    let (name, title) = self.head(&mut inner)?;
                    let clauses = inner
                        .filter(|q| !matches!(q.as_rule(), Rule::lbrace | Rule::rbrace))
                        .map(|q| EndClause {
                            keyword: q
                                .as_str()
                                .split_whitespace()
                                .next()
                                .unwrap_or("")
                                .to_string(),
                            span: self.span(&q),
                        })
                        .collect();
                    sop.ends.push(End {
                        name,
                        title,
                        clauses,
                        span: espan,
                    });
                }
                _ => {}
            }
        }
        Some(sop)
    }

    fn first_ident(&self, pair: Pair<'_, Rule>) -> Option<Ident> {
        pair.into_inner()
            .find(|q| q.as_rule() == Rule::ident)
            .map(|q| self.ident(&q))
    }

    fn step(&self, pair: Pair<'_, Rule>) -> Option<Step> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let (name, title) = self.head(&mut pairs)?;
        let mut step = Step {
            name,
            title,
            span,
            ..Step::default()
        };
        for p in pairs {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::by => step.performers.extend(
                    p.into_inner()
                        .filter(|q| q.as_rule() == Rule::ident_list)
                        .flat_map(|q| self.ident_list(q)),
                ),
                Rule::fill => step.fills.extend(
                    p.into_inner()
                        .filter(|q| q.as_rule() == Rule::ident_list)
                        .flat_map(|q| self.ident_list(q)),
                ),
                Rule::consent => step.consents.extend(self.first_ident(p)),
                Rule::refer => step.refers.extend(self.first_ident(p)),
                Rule::call => step.calls.extend(self.first_ident(p)),
                // A repeated single clause is reported and the first one kept.
                Rule::within if step.within.is_some() => self.duplicate_clause(pspan, "within"),
                Rule::parallel if step.parallel.is_some() => {
                    self.duplicate_clause(pspan, "parallel")
                }
                Rule::next | Rule::decide if step.transition.is_some() => {
                    self.duplicate_clause(pspan, "next/decide")
                }
                Rule::within => {
                    let mut duration = None;
                    let mut on_overdue = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::duration => duration = self.duration(q),
                            Rule::overdue_action => {
                                on_overdue = Some(
                                    match q.into_inner().find(|r| r.as_rule() == Rule::ident) {
                                        Some(id) => Overdue::Goto(self.ident(&id)),
                                        None => Overdue::Escalate,
                                    },
                                )
                            }
                            _ => {}
                        }
                    }
                    step.within = Some(Deadline {
                        duration: duration?,
                        on_overdue,
                        span: pspan,
                    });
                }
                Rule::parallel => {
                    let mut branches = Vec::new();
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::refer => branches.extend(self.first_ident(q).map(Branch::Refer)),
                            Rule::branch => branches.extend(self.first_ident(q).map(Branch::Steps)),
                            _ => {}
                        }
                    }
                    step.parallel = Some(Box::new(Parallel {
                        branches,
                        span: pspan,
                    }));
                }
                Rule::next | Rule::decide => {
                    let transition = if p.as_rule() == Rule::next {
                        Transition::Next(
                            self.target(p.into_inner().find(|q| q.as_rule() == Rule::target)?)?,
                        )
                    } else {
                        Transition::Decide(Box::new(self.decision(p)?))
                    };
                    step.transition = Some(transition);
                }
                _ => {}
            }
        }
        Some(step)
    }

    fn target(&self, pair: Pair<'_, Rule>) -> Option<Target> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        Some(match inner.as_rule() {
            Rule::kw_join => Target::Join(span),
            _ => Target::Step(self.ident(&inner)),
        })
    }

    fn decision(&self, pair: Pair<'_, Rule>) -> Option<Decision> {
        let span = self.span(&pair);
        let mut arms = Vec::new();
        let mut default = None;
        for p in pair.into_inner() {
            let aspan = self.span(&p);
            match p.as_rule() {
                Rule::when_arm => {
                    let mut guard = None;
                    let mut target = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => guard = self.expr(q),
                            Rule::target => target = self.target(q),
                            _ => {}
                        }
                    }
                    arms.push(Arm {
                        guard: guard?,
                        target: target?,
                        span: aspan,
                    });
                }
                Rule::else_arm => {
                    default = self.target(p.into_inner().find(|q| q.as_rule() == Rule::target)?)
                }
                _ => {}
            }
        }
        Some(Decision {
            arms,
            default,
            span,
        })
    }

    /// Lowers a whole guard. The operator budget covers the entire tree, so
    /// recursion (Pratt parsing, type checking, dropping) stays shallow.
    fn expr(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let operators = pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| {
                matches!(
                    p.as_rule(),
                    Rule::op_or
                        | Rule::op_and
                        | Rule::op_not
                        | Rule::op_eq
                        | Rule::op_ne
                        | Rule::op_lt
                        | Rule::op_le
                        | Rule::op_gt
                        | Rule::op_ge
                        | Rule::op_in
                )
            })
            .count();
        if operators > MAX_EXPR_OPERATORS {
            self.diags.borrow_mut().push(Diagnostic::new(
                Code::TooComplex,
                span,
                Text::new(
                    format!("condition has {operators} operators; at most {MAX_EXPR_OPERATORS} are allowed"),
                    format!("kondisi memiliki {operators} operator; paling banyak {MAX_EXPR_OPERATORS}"),
                ),
            ));
            return None;
        }
        self.expr_tree(pair)
    }

    fn expr_tree(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let file = self.file;
        let op_span =
            |op: &Pair<'_, Rule>| Span::new(file, op.as_span().start(), op.as_span().end());
        self.pratt
            .map_primary(|p| match p.as_rule() {
                Rule::expr => self.expr_tree(p),
                _ => self.value(p),
            })
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = op_span(&op).to(rhs.span);
                Some(Expr {
                    kind: ExprKind::Not(Box::new(rhs)),
                    span,
                })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let span = lhs.span.to(op_span(&op));
                let values = op
                    .into_inner()
                    .filter(|q| q.as_rule() != Rule::kw_in)
                    .map(|q| self.value(q))
                    .collect::<Option<Vec<_>>>()?;
                Some(Expr {
                    kind: ExprKind::In(Box::new(lhs), values),
                    span,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.to(rhs.span);
                let (l, r) = (Box::new(lhs), Box::new(rhs));
                let kind = match op.as_rule() {
                    Rule::op_or => ExprKind::Or(l, r),
                    Rule::op_and => ExprKind::And(l, r),
                    Rule::op_eq => ExprKind::Cmp(CmpOp::Eq, l, r),
                    Rule::op_ne => ExprKind::Cmp(CmpOp::Ne, l, r),
                    Rule::op_lt => ExprKind::Cmp(CmpOp::Lt, l, r),
                    Rule::op_le => ExprKind::Cmp(CmpOp::Le, l, r),
                    Rule::op_gt => ExprKind::Cmp(CmpOp::Gt, l, r),
                    _ => ExprKind::Cmp(CmpOp::Ge, l, r),
                };
                Some(Expr { kind, span })
            })
            .parse(pair.into_inner())
    }

    fn value(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::int_lit => ExprKind::Int(self.int(&pair)),
            Rule::bool_lit => ExprKind::Bool(pair.as_str() == "true"),
            Rule::date_lit => ExprKind::Date(self.date(&pair)),
            Rule::string => ExprKind::Str(self.string(pair).value.into()),
            Rule::path => ExprKind::Path(pair.into_inner().map(|p| self.ident(&p)).collect()),
            _ => return None,
        };
        Some(Expr { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (File, Vec<Diagnostic>) {
        parse_file(FileId(0), text)
    }

    fn expr(text: &str) -> String {
        fn show(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Path(p) => p
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join("."),
                ExprKind::Int(n) => n.to_string(),
                ExprKind::Bool(b) => b.to_string(),
                ExprKind::Str(s) => format!("{s:?}"),
                ExprKind::Date(d) => format!("{}-{:02}-{:02}", d.year, d.month, d.day),
                ExprKind::Not(x) => format!("(not {})", show(x)),
                ExprKind::And(a, b) => format!("({} and {})", show(a), show(b)),
                ExprKind::Or(a, b) => format!("({} or {})", show(a), show(b)),
                ExprKind::Cmp(op, a, b) => format!("({} {} {})", show(a), op.as_str(), show(b)),
                ExprKind::In(a, vs) => format!(
                    "({} in [{}])",
                    show(a),
                    vs.iter().map(show).collect::<Vec<_>>().join(", ")
                ),
            }
        }
        match parse_expr(FileId(0), text) {
            Ok(e) => show(&e),
            Err(d) => format!("error: {}", d[0].message.en),
        }
    }

    #[test]
    fn precedence_is_or_and_not_comparison_in() {
        assert_eq!(expr("a or b and c"), "(a or (b and c))");
        assert_eq!(expr("not f.x == 1 and y"), "((not (f.x == 1)) and y)");
        assert_eq!(
            expr("f.j in (a, b) or f.k >= -3"),
            "((f.j in [a, b]) or (f.k >= -3))"
        );
        assert_eq!(expr("(a or b) and c"), "((a or b) and c)");
        assert_eq!(expr("f.d < 2024-02-29"), "(f.d < 2024-02-29)");
        assert_eq!(expr("f.t == \"a\\\"b\""), "(f.t == \"a\\\"b\")");
        assert_eq!(expr("nota and android"), "(nota and android)");
    }

    #[test]
    fn invalid_literals_are_reported_not_panicked() {
        assert_eq!(
            expr("f.d == 2023-02-29"),
            "error: `2023-02-29` is not a valid date"
        );
        assert_eq!(
            expr("f.n > 99999999999999999999"),
            "error: number `99999999999999999999` is too large"
        );
    }

    #[test]
    fn every_broken_item_is_reported_and_good_items_survive() {
        let text = "form a {\n  field x: int 1..=\n}\nform b { field y: bool }\nsop c {\n  step s { by r  nxt t }\n}\nnetwork n { provider p offers medis }\n";
        let (file, diags) = parse(text);
        assert_eq!(file.items.len(), 2, "form b and network n parse");
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert!(diags.iter().all(|d| d.code == Code::SyntaxError));
        // The second error points at `nxt`.
        let at = diags[1].span.start as usize;
        assert!(text[at..].starts_with("nxt"), "{}", &text[at..]);
        assert!(
            diags[1].message.en.contains("found `nxt`"),
            "{}",
            diags[1].message.en
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!(
            "sop s {{ start a step a {{ decide {{ when {}x{} -> b }} }} end b }}",
            "(".repeat(100),
            ")".repeat(100)
        );
        let (_, diags) = parse(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::TooComplex);
        // Within the limit it parses.
        let ok = format!(
            "sop s {{ start a step a {{ decide {{ when {}f.x{} -> b }} }} end b }}",
            "(".repeat(20),
            ")".repeat(20)
        );
        let (file, diags) = parse(&ok);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(file.items.len(), 1);
    }

    #[test]
    fn long_operator_chains_are_refused() {
        let chain = vec!["f.x"; MAX_EXPR_OPERATORS + 2].join(" and ");
        let text = format!("sop s {{ start a step a {{ decide {{ when {chain} -> b }} }} end b }}");
        let (_, diags) = parse(&text);
        assert!(
            diags.iter().any(|d| d.code == Code::TooComplex),
            "{diags:?}"
        );
    }

    #[test]
    fn keywords_need_a_word_boundary() {
        let (file, diags) =
            parse("sop stepper { start step_one step step_one { next ender } end ender }");
        assert!(diags.is_empty(), "{diags:?}");
        let Item::Sop(sop) = &file.items[0] else {
            panic!("expected an sop")
        };
        assert_eq!(sop.name.name, "stepper");
        assert_eq!(sop.steps[0].name.name, "step_one");
    }

    #[test]
    fn duplicate_clauses_are_reported() {
        let (_, diags) =
            parse("sop s { start a step a { within 1 day within 2 days next b next b } end b }");
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::DuplicateClause, Code::DuplicateClause]);
    }

    #[test]
    fn spans_are_byte_offsets_into_the_file() {
        let text = "// komentar\nsop s \"Judul é\" { start a step a { next b } end b }";
        let (file, diags) = parse(text);
        assert!(diags.is_empty());
        let Item::Sop(sop) = &file.items[0] else {
            panic!("expected an sop")
        };
        assert_eq!(&text[sop.name.span.range()], "s");
        assert_eq!(
            sop.title.as_ref().map(|t| t.value.as_str()),
            Some("Judul é")
        );
        assert_eq!(&text[sop.steps[0].span.range()], "step a { next b }");
    }

    #[test]
    fn error_spans_cover_whole_characters() {
        for text in [
            "é",
            "sop é { }",
            "sop s { start a step a { next 😀 } end z }",
        ] {
            let (_, diags) = parse(text);
            assert!(!diags.is_empty(), "{text}");
            for d in diags {
                assert!(
                    text.is_char_boundary(d.span.start as usize)
                        && text.is_char_boundary(d.span.end as usize),
                    "{text}: {:?}",
                    d.span
                );
            }
        }
    }

    #[test]
    fn empty_and_comment_only_files_parse_to_nothing() {
        for text in ["", "   \n", "// hanya komentar\n"] {
            let (file, diags) = parse(text);
            assert!(file.items.is_empty() && diags.is_empty());
        }
    }
}
