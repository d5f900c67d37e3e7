//! Types of form fields, scores, levels and guard expressions.

use crate::names::{FormInfo, Member, Symbols, Table, unknown_name};
use crate::text::Kind;
use crate::{CONSENT_ROOT, REFERRAL_ROOT, REFERRAL_STATES};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use sopflow_diagnostics::{Code, Diagnostic, Span, Text};
use sopflow_syntax::ast::*;

/// The type of a guard operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty<'a> {
    /// `bool`.
    Bool,
    /// `int`, with inclusive bounds when known.
    Int(Option<(i64, i64)>),
    /// An enum field or a level: its values, and whether they are ordered (levels).
    Enum {
        values: Vec<&'a str>,
        ordered: bool,
        /// The form declaring it.
        form: &'a str,
        /// The field or level.
        owner: &'a str,
    },
    /// `text`.
    Text,
    /// `date`.
    Date,
    /// A bare name not yet known to be an enum value.
    Bare(&'a str),
    /// Already reported; suppresses follow-on errors.
    Error,
}

impl Ty<'_> {
    fn name(&self) -> (String, String) {
        match self {
            Ty::Bool => ("bool".into(), "bool".into()),
            Ty::Int(_) => ("int".into(), "int".into()),
            Ty::Enum { form, owner, .. } => (
                format!("a value of `{form}.{owner}`"),
                format!("nilai dari `{form}.{owner}`"),
            ),
            Ty::Text => ("text".into(), "text".into()),
            Ty::Date => ("date".into(), "date".into()),
            Ty::Bare(n) => (format!("the name `{n}`"), format!("nama `{n}`")),
            Ty::Error => ("?".into(), "?".into()),
        }
    }
}

/// A form field read by a guard: which form, which field.
#[derive(Debug, Clone, Copy)]
pub struct FieldUse<'a> {
    /// The form.
    pub form: &'a Form,
    /// The field.
    pub field: &'a Field,
    /// Where it was referenced.
    pub span: Span,
}

/// A score or level read by a guard: which form, which score (a level's score).
#[derive(Debug, Clone, Copy)]
pub struct DerivedUse<'a> {
    /// The form.
    pub form: &'a Form,
    /// The score or level as referenced.
    pub member: &'a str,
    /// The score (for a level, the score it is derived from).
    pub score: &'a str,
    /// Where it was referenced.
    pub span: Span,
}

/// Types guards against the bundle's forms.
pub struct GuardChecker<'s, 'a> {
    /// The bundle's declarations.
    pub symbols: &'s Symbols<'a>,
    /// Diagnostics sink.
    pub diags: &'s mut Vec<Diagnostic>,
    /// For score rules: the form whose members bare names refer to.
    pub local: Option<&'s FormInfo<'a>>,
    /// Fields read by the checked guards.
    pub uses: Vec<FieldUse<'a>>,
    /// Scores and levels read by the checked guards.
    pub derived: Vec<DerivedUse<'a>>,
}

impl<'s, 'a> GuardChecker<'s, 'a> {
    /// A checker for guards of an SOP (`local` = None) or of a form's score rules.
    pub fn new(
        symbols: &'s Symbols<'a>,
        diags: &'s mut Vec<Diagnostic>,
        local: Option<&'s FormInfo<'a>>,
    ) -> Self {
        GuardChecker {
            symbols,
            diags,
            local,
            uses: Vec::new(),
            derived: Vec::new(),
        }
    }
}

impl<'a> GuardChecker<'_, 'a> {
    /// Checks that `e` is a well-typed yes/no condition.
    pub fn check_condition(&mut self, e: &'a Expr) {
        let ty = self.operand(e);
        self.expect_bool(&ty, e.span);
    }

    fn expect_bool(&mut self, ty: &Ty<'a>, span: Span) {
        match ty {
            Ty::Bool | Ty::Error => {}
            Ty::Bare(_) => {} // reported by `resolve_bare`
            other => {
                let (en, id) = other.name();
                self.diags.push(
                    Diagnostic::new(
                        Code::GuardNotBoolean,
                        span,
                        Text::new(
                            format!("expected a yes/no condition, found {en}"),
                            format!("seharusnya kondisi ya/tidak, tetapi ditemukan {id}"),
                        ),
                    )
                    .with_help(Text::new(
                        "compare it with a value, e.g. `form.field == value`",
                        "bandingkan dengan suatu nilai, mis. `formulir.isian == nilai`",
                    )),
                );
            }
        }
    }

    /// The type of `e`, reporting problems inside it.
    pub fn ty(&mut self, e: &'a Expr) -> Ty<'a> {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int(None),
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Str(_) => Ty::Text,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::Path(parts) => self.path(parts, e.span),
            ExprKind::Not(inner) => {
                let t = self.operand(inner);
                self.expect_bool(&t, inner.span);
                Ty::Bool
            }
            ExprKind::And(l, r) | ExprKind::Or(l, r) => {
                for side in [l, r] {
                    let t = self.operand(side);
                    self.expect_bool(&t, side.span);
                }
                Ty::Bool
            }
            ExprKind::Cmp(op, l, r) => {
                let lt = self.ty(l);
                let rt = self.ty(r);
                self.compare(Some(*op), (&lt, l), (&rt, r));
                Ty::Bool
            }
            ExprKind::In(l, values) => {
                let lt = self.ty(l);
                for v in values {
                    let vt = self.ty(v);
                    self.compare(None, (&lt, l), (&vt, v));
                }
                Ty::Bool
            }
        }
    }

    /// Type of an operand of and/or/not: a bare name there must be a field.
    fn operand(&mut self, e: &'a Expr) -> Ty<'a> {
        let t = self.ty(e);
        if let Ty::Bare(name) = t {
            self.report_bare(name, e.span);
            return Ty::Error;
        }
        t
    }

    fn report_bare(&mut self, name: &str, span: Span) {
        let ident = Ident {
            name: name.into(),
            span,
        };
        let d = match self.local {
            Some(local) => unknown_name(
                Kind::FormMember,
                &ident,
                Some(&local.form.name.name),
                local.members.iter().map(|(k, _)| k),
            ),
            None => Diagnostic::new(
                Code::UnknownName,
                span,
                Text::new(
                    format!("`{name}` is not a form field"),
                    format!("`{name}` bukan isian formulir"),
                ),
            )
            .with_help(Text::new(
                "refer to fields as `form.field`",
                "sebut isian sebagai `formulir.isian`",
            )),
        };
        self.diags.push(d);
    }

    fn path(&mut self, parts: &'a [Ident], span: Span) -> Ty<'a> {
        match parts {
            [one] => {
                if let Some(local) = self.local {
                    if let Some(m) = local.members.get(&one.name) {
                        return self.member_ty(local.form, m, span);
                    }
                }
                Ty::Bare(&one.name)
            }
            [form, member]
                if form.name == CONSENT_ROOT && self.symbols.forms.get(&form.name).is_none() =>
            {
                // `consent.POLICY`: whether that policy's consent was given.
                match self.symbols.policies.resolve(member, None, self.diags) {
                    Some(_) => Ty::Bool,
                    None => Ty::Error,
                }
            }
            [form, member]
                if form.name == REFERRAL_ROOT && self.symbols.forms.get(&form.name).is_none() =>
            {
                // `referral.SERVICE`: the state of the latest referral to it.
                match self.symbols.services.resolve(member, None, self.diags) {
                    Some(_) => Ty::Enum {
                        values: REFERRAL_STATES.to_vec(),
                        ordered: false,
                        form: REFERRAL_ROOT,
                        owner: &member.name,
                    },
                    None => Ty::Error,
                }
            }
            [form, member] => {
                let Some(fi) = self
                    .symbols
                    .forms
                    .resolve(form, None, self.diags)
                    .and_then(|i| self.symbols.form_infos.get(i))
                else {
                    return Ty::Error;
                };
                match fi
                    .members
                    .resolve(member, Some(&fi.form.name.name), self.diags)
                {
                    Some(m) => self.member_ty(fi.form, m, span),
                    None => Ty::Error,
                }
            }
            _ => {
                self.diags.push(Diagnostic::new(
                    Code::UnknownName,
                    span,
                    Text::new(
                        "a reference has at most two parts: `form.field`",
                        "rujukan paling banyak dua bagian: `formulir.isian`",
                    ),
                ));
                Ty::Error
            }
        }
    }

    fn member_ty(&mut self, form: &'a Form, m: Member<'a>, span: Span) -> Ty<'a> {
        match m {
            Member::Field(f) => {
                self.uses.push(FieldUse {
                    form,
                    field: f,
                    span,
                });
                field_ty(form, f)
            }
            Member::Score(sc) => {
                self.derived.push(DerivedUse {
                    form,
                    member: &sc.name.name,
                    score: &sc.name.name,
                    span,
                });
                Ty::Int(None)
            }
            Member::Level(l) => {
                self.derived.push(DerivedUse {
                    form,
                    member: &l.name.name,
                    score: &l.by.name,
                    span,
                });
                Ty::Enum {
                    values: l.bands.iter().map(|b| b.name.name.as_str()).collect(),
                    ordered: true,
                    form: &form.name.name,
                    owner: &l.name.name,
                }
            }
        }
    }

    /// Checks `l op r`; `op` is `None` for a value `r` of the list of `l in (...)`.
    fn compare(
        &mut self,
        op: Option<CmpOp>,
        (lt, l): (&Ty<'a>, &'a Expr),
        (rt, r): (&Ty<'a>, &'a Expr),
    ) {
        let ordering = !matches!(op, None | Some(CmpOp::Eq | CmpOp::Ne));
        match (lt, rt) {
            (Ty::Error, _) | (_, Ty::Error) => {}
            (
                Ty::Enum {
                    values,
                    ordered,
                    form,
                    owner,
                },
                other,
            )
            | (
                other,
                Ty::Enum {
                    values,
                    ordered,
                    form,
                    owner,
                },
            ) => {
                let other_expr = if matches!(lt, Ty::Enum { .. }) { r } else { l };
                match other {
                    Ty::Bare(name) => {
                        if !values.contains(name) {
                            let ident = Ident {
                                name: (*name).into(),
                                span: other_expr.span,
                            };
                            self.diags.push(unknown_name(
                                Kind::EnumValue,
                                &ident,
                                Some(owner),
                                values.iter().copied(),
                            ));
                        }
                    }
                    Ty::Enum {
                        form: f2,
                        owner: o2,
                        ..
                    } if o2 == owner && f2 == form => {}
                    _ => self.mismatch(op, lt, rt, l, r),
                }
                if ordering && !ordered {
                    self.diags.push(Diagnostic::new(
                        Code::TypeMismatch,
                        l.span.to(r.span),
                        Text::new(
                            format!("values of `{owner}` have no order; use `==`, `!=` or `in`"),
                            format!(
                                "nilai `{owner}` tidak berurutan; gunakan `==`, `!=` atau `in`"
                            ),
                        ),
                    ));
                }
            }
            (Ty::Bare(name), _) => self.report_bare(name, l.span),
            (_, Ty::Bare(name)) => self.report_bare(name, r.span),
            (Ty::Int(lr), Ty::Int(rr)) => {
                self.range_check(*lr, r);
                self.range_check(*rr, l);
            }
            (Ty::Date, Ty::Date) => {}
            (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) if !ordering => {}
            _ => self.mismatch(op, lt, rt, l, r),
        }
    }

    fn range_check(&mut self, range: Option<(i64, i64)>, lit: &Expr) {
        if let (Some((lo, hi)), ExprKind::Int(n)) = (range, &lit.kind) {
            // An empty range is reported on its own.
            if lo <= hi && (*n < lo || *n > hi) {
                self.diags.push(Diagnostic::new(
                    Code::ValueOutOfRange,
                    lit.span,
                    Text::new(
                        format!("{n} is outside the field's range {lo}..={hi}"),
                        format!("{n} di luar rentang isian {lo}..={hi}"),
                    ),
                ));
            }
        }
    }

    fn mismatch(&mut self, op: Option<CmpOp>, lt: &Ty<'a>, rt: &Ty<'a>, l: &Expr, r: &Expr) {
        let (le, li) = lt.name();
        let (re, ri) = rt.name();
        let (span, message) = match op {
            Some(op) => {
                let op = op.as_str();
                (
                    l.span.to(r.span),
                    Text::new(
                        format!("cannot compare {le} with {re} using `{op}`"),
                        format!("tidak dapat membandingkan {li} dengan {ri} memakai `{op}`"),
                    ),
                )
            }
            None => (
                r.span,
                Text::new(
                    format!("the `in` list holds {re}, but it is matched against {le}"),
                    format!("daftar `in` berisi {ri}, tetapi dicocokkan dengan {li}"),
                ),
            ),
        };
        self.diags
            .push(Diagnostic::new(Code::TypeMismatch, span, message));
    }
}

/// The guard type of field `f` of form `form`.
pub fn field_ty<'a>(form: &'a Form, f: &'a Field) -> Ty<'a> {
    match &f.ty {
        FieldType::Bool => Ty::Bool,
        FieldType::Int { range } => Ty::Int(range.map(|r| (r.lo, r.hi))),
        FieldType::Enum(values) => Ty::Enum {
            values: values.iter().map(|v| v.name.as_str()).collect(),
            ordered: false,
            form: &form.name.name,
            owner: &f.name.name,
        },
        FieldType::Text => Ty::Text,
        FieldType::Date => Ty::Date,
    }
}

/// A score with what it reads.
struct ScoreNode<'a> {
    id: (&'a str, &'a str),
    span: Span,
    classes: Vec<&'a str>,
    /// Scores read (a level is read through its score): (form, score), where, as written.
    deps: Vec<((&'a str, &'a str), Span, &'a str)>,
}

/// For each (form, score): the data classes it is computed from, directly or
/// through other scores and levels. Reading the score reveals those classes.
pub type ScoreClasses<'a> = FxHashMap<(&'a str, &'a str), Vec<&'a str>>;

/// Checks the declarations inside every form (enums, ranges, classes, scores,
/// levels) and returns the classes each score is derived from.
pub fn check_forms<'a>(symbols: &Symbols<'a>, diags: &mut Vec<Diagnostic>) -> ScoreClasses<'a> {
    let mut scores: Vec<ScoreNode<'a>> = Vec::new();
    for info in &symbols.form_infos {
        let form = info.form;
        for f in &form.fields {
            match &f.ty {
                FieldType::Enum(values) => {
                    let mut seen = Table::new(Kind::EnumValue);
                    for v in values {
                        seen.declare(v, (), diags);
                    }
                }
                FieldType::Int { range: Some(r) } if r.lo > r.hi => diags.push(Diagnostic::new(
                    Code::EmptyRange,
                    r.span,
                    Text::new(
                        format!(
                            "range {}..={} is empty: the lower bound is above the upper",
                            r.lo, r.hi
                        ),
                        format!(
                            "rentang {}..={} kosong: batas bawah melebihi batas atas",
                            r.lo, r.hi
                        ),
                    ),
                )),
                _ => {}
            }
            if let Some(c) = &f.class {
                symbols.classes.resolve(c, None, diags);
            }
        }
        for score in &form.scores {
            let mut gc = GuardChecker::new(symbols, diags, Some(info));
            for rule in &score.rules {
                gc.check_condition(&rule.guard);
            }
            let id = (form.name.name.as_str(), score.name.name.as_str());
            let classes: Vec<&'a str> = gc
                .uses
                .iter()
                .filter_map(|u| u.field.class.as_ref())
                .map(|c| c.name.as_str())
                .collect();
            let deps = gc
                .derived
                .iter()
                .map(|d| ((d.form.name.name.as_str(), d.score), d.span, d.member))
                .collect();
            scores.push(ScoreNode {
                id,
                span: score.name.span,
                classes,
                deps,
            });
        }
        for level in &form.levels {
            check_level(info, level, diags);
        }
    }
    score_dependencies(&scores, diags)
}

fn check_level(info: &FormInfo<'_>, level: &Level, diags: &mut Vec<Diagnostic>) {
    match info.members.get(&level.by.name) {
        Some(Member::Score(_)) => {}
        Some(_) => diags.push(
            Diagnostic::new(
                Code::LevelNotByScore,
                level.by.span,
                Text::new(
                    format!(
                        "level `{}` is derived from `{}`, which is not a score",
                        level.name.name, level.by.name
                    ),
                    format!(
                        "tingkat `{}` diturunkan dari `{}`, yang bukan skor",
                        level.name.name, level.by.name
                    ),
                ),
            )
            .with_help(Text::new(
                "declare a `score` and derive the level from it",
                "deklarasikan `score` lalu turunkan tingkat darinya",
            )),
        ),
        None => {
            let scores = info.form.scores.iter().map(|s| s.name.name.as_str());
            diags.push(unknown_name(
                Kind::Score,
                &level.by,
                Some(&info.form.name.name),
                scores,
            ));
        }
    }
    let mut names = Table::new(Kind::EnumValue);
    for b in &level.bands {
        names.declare(&b.name, (), diags);
    }
    let n = level.bands.len();
    let mut previous: Option<i64> = None;
    for (i, band) in level.bands.iter().enumerate() {
        let last = i + 1 == n;
        let problem = match (band.below, last) {
            (Some(_), true) => Some(Text::new(
                "the last band must be open (no `below`)",
                "pita terakhir harus terbuka (tanpa `below`)",
            )),
            (None, false) => Some(Text::new(
                "only the last band may omit `below`",
                "hanya pita terakhir yang boleh tanpa `below`",
            )),
            (Some(t), false) if previous.is_some_and(|p| t <= p) => Some(Text::new(
                format!("threshold {t} must be greater than the previous band's"),
                format!("ambang {t} harus lebih besar daripada pita sebelumnya"),
            )),
            _ => None,
        };
        if let Some(message) = problem {
            diags.push(Diagnostic::new(
                Code::LevelBandsUnordered,
                band.span,
                message,
            ));
        }
        previous = band.below.or(previous);
    }
}

/// Reports scores that depend on themselves (each cycle once, as a path) and
/// collects the classes every score is derived from.
fn score_dependencies<'a>(
    scores: &[ScoreNode<'a>],
    diags: &mut Vec<Diagnostic>,
) -> ScoreClasses<'a> {
    let index: FxHashMap<(&str, &str), usize> =
        scores.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let mut graph: DiGraph<usize, (Span, &str)> = DiGraph::with_capacity(scores.len(), 0);
    let nodes: Vec<NodeIndex> = (0..scores.len()).map(|i| graph.add_node(i)).collect();
    for (i, s) in scores.iter().enumerate() {
        for (dep, span, member) in &s.deps {
            if let Some(&j) = index.get(dep) {
                graph.add_edge(nodes[i], nodes[j], (*span, *member));
            }
        }
    }
    for scc in petgraph::algo::kosaraju_scc(&graph) {
        let Some(&first) = scc.iter().min_by_key(|n| scores[graph[**n]].id) else {
            continue;
        };
        if scc.len() == 1 && !graph.contains_edge(first, first) {
            continue;
        }
        // Follow edges inside the SCC from `first` until it closes, naming
        // levels on the way (a level is read through its score).
        let (f, sc) = scores[graph[first]].id;
        let mut names = vec![format!("{f}.{sc}")];
        let mut path = vec![first];
        let mut cur = first;
        let mut closing_span = scores[graph[first]].span;
        loop {
            let next = graph
                .edges(cur)
                .filter(|e| scc.contains(&e.target()))
                .min_by_key(|e| (e.target() != first, scores[graph[e.target()]].id));
            let Some(e) = next else { break };
            let (span, member) = *e.weight();
            let (tf, ts) = scores[graph[e.target()]].id;
            if member != ts {
                names.push(format!("{tf}.{member}"));
            }
            names.push(format!("{tf}.{ts}"));
            if e.target() == first || path.contains(&e.target()) {
                closing_span = span;
                break;
            }
            path.push(e.target());
            cur = e.target();
        }
        let cycle = crate::text::arrow_path(names.iter().map(String::as_str));
        diags.push(
            Diagnostic::new(
                Code::ScoreCycle,
                scores[graph[first]].span,
                Text::new(
                    format!("score `{f}.{sc}` depends on itself: {cycle}"),
                    format!("skor `{f}.{sc}` bergantung pada dirinya sendiri: {cycle}"),
                ),
            )
            .with_label(
                closing_span,
                Text::new("the cycle closes here", "lingkaran tertutup di sini"),
            )
            .with_help(Text::new(
                "compute the score from fields only, or from scores that do not use it",
                "hitung skor dari isian saja, atau dari skor yang tidak memakainya",
            )),
        );
    }
    let mut out: ScoreClasses<'a> = FxHashMap::default();
    for (i, s) in scores.iter().enumerate() {
        let mut classes: Vec<&'a str> = Vec::new();
        let mut seen = vec![false; scores.len()];
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            if std::mem::replace(&mut seen[k], true) {
                continue;
            }
            for c in &scores[k].classes {
                if !classes.contains(c) {
                    classes.push(c);
                }
            }
            stack.extend(
                scores[k]
                    .deps
                    .iter()
                    .filter_map(|(d, _, _)| index.get(d).copied()),
            );
        }
        classes.sort_unstable();
        out.insert(s.id, classes);
    }
    out
}
