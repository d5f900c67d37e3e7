//! Property tests of the whole pipeline (`sopflow::check_sources`):
//!
//! * (a) arbitrary text and token soup never panic the parser or the
//!   checker, and every diagnostic span lies inside its file's text, on
//!   char boundaries;
//! * (b) generated well-formed bundles check with zero errors, and a
//!   targeted mutation (drop a transition, rename a target, drop the start)
//!   produces the expected code;
//! * (c) checking is deterministic, and the order of files in a bundle does
//!   not change which diagnostics are reported.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use sopflow::render::{HumanOptions, render_human, render_json, render_sarif};
use sopflow::{CheckConfig, Code, Lang, Report, SourceMap, Span};

/// `cases` cases, and no regression files written next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A bundle as (file name, text) pairs, in load order.
type Files = Vec<(String, String)>;

fn check_files(files: &[(String, String)]) -> (SourceMap, Report) {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.as_str(), text.as_str());
    }
    let report = sopflow::check_sources(&sources, &CheckConfig::default());
    (sources, report)
}

fn check_one(text: &str) -> (SourceMap, Report) {
    check_files(&[("prop.sop".to_string(), text.to_string())])
}

/// Every diagnostic of `report` as `code: message` lines, for failure output.
fn listing(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {:?} {}..{} {}",
                d.code, d.span.file, d.span.start, d.span.end, d.message.en
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn span_ok(sources: &SourceMap, span: Span, what: &str) -> Result<(), TestCaseError> {
    let Some(file) = sources.get(span.file) else {
        return Err(TestCaseError::fail(format!(
            "{what}: span {span:?} names no file of the bundle"
        )));
    };
    let text = &file.text;
    let (start, end) = (span.start as usize, span.end as usize);
    prop_assert!(start <= end, "{what}: span {span:?} is reversed");
    prop_assert!(
        end <= text.len(),
        "{what}: span {span:?} ends past the end of `{}` ({} bytes): {text:?}",
        file.name,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {span:?} splits a character of `{}`: {text:?}",
        file.name
    );
    Ok(())
}

/// Every primary and secondary span is inside its file and on char boundaries.
fn spans_ok(sources: &SourceMap, report: &Report) -> Result<(), TestCaseError> {
    for d in &report.diagnostics {
        span_ok(sources, d.span, d.code.as_str())?;
        for label in &d.labels {
            span_ok(sources, label.span, d.code.as_str())?;
        }
    }
    Ok(())
}

/// Renders the report in every format, so that rendering arbitrary spans is exercised too.
fn render_all(sources: &SourceMap, report: &Report) -> Result<(), TestCaseError> {
    for lang in [Lang::En, Lang::Id] {
        let human = render_human(report, sources, HumanOptions { lang });
        prop_assert!(!human.is_empty());
        let json = render_json(report, sources, lang);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        let sarif = render_sarif(report, sources, lang);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    }
    Ok(())
}

fn codes(report: &Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

// ---------------------------------------------------------------------
// (a) Arbitrary text and token soup
// ---------------------------------------------------------------------

const KEYWORDS: &[&str] = &[
    "organization",
    "unit",
    "role",
    "escalate",
    "calendar",
    "workdays",
    "holiday",
    "form",
    "field",
    "required",
    "optional",
    "class",
    "score",
    "level",
    "by",
    "below",
    "network",
    "provider",
    "offers",
    "region",
    "policy",
    "allow",
    "share",
    "with",
    "requires",
    "consent",
    "retain",
    "after",
    "close",
    "sop",
    "version",
    "start",
    "step",
    "end",
    "fill",
    "within",
    "on",
    "overdue",
    "refer",
    "call",
    "parallel",
    "branch",
    "next",
    "join",
    "decide",
    "when",
    "else",
    "bool",
    "int",
    "enum",
    "text",
    "date",
    "true",
    "false",
    "not",
    "and",
    "or",
    "in",
    "mon",
    "fri",
    "sun",
    "days",
    "workday",
    "hours",
    "years",
    "sensitive",
    "public",
    "read",
    "write",
];

const PUNCTUATION: &[&str] = &[
    "{", "}", "(", ")", "->", "=>", "..=", "==", "!=", "<=", ">=", "<", ">", ",", ":", ".", "\"",
    "//", "-",
];

/// One token of the .sop language, or something close to one.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYWORDS).prop_map(str::to_string),
        3 => prop::sample::select(PUNCTUATION).prop_map(str::to_string),
        // Identifiers from a small pool, so that names collide and resolve.
        3 => prop::sample::select(&["a", "b", "f", "x", "s", "o", "r", "e1", "_z"][..])
            .prop_map(str::to_string),
        1 => "[a-z_][a-z0-9_]{0,8}",
        // Numbers, including negative and too-large ones.
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => (0u32..100).prop_map(|n| n.to_string()),
        1 => Just("99999999999999999999".to_string()),
        // Dates, valid or not.
        1 => (1900u32..2100, 0u32..14, 0u32..33)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        // Strings with good and bad escapes, possibly unterminated.
        1 => "\"([a-z ]|\\\\[nt\"\\\\q]|é){0,6}\"?",
        // Comments, newlines, odd whitespace and non-ASCII text.
        1 => prop::sample::select(
            &["\n", "\r\n", "\t", "// note\n", "\u{FEFF}", "é", "€", "😀", "\u{0}"][..]
        )
        .prop_map(str::to_string),
    ]
}

/// Tokens glued with random separators (none, space, newline).
fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            token(),
            prop::sample::select(&["", " ", " ", "\n", "  "][..]),
        ),
        0..80,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(t, sep)| [t, sep.to_string()])
            .collect()
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_text_never_panics_and_spans_are_valid(text in any::<String>()) {
        let (sources, report) = check_one(&text);
        spans_ok(&sources, &report)?;
        render_all(&sources, &report)?;
    }

    #[test]
    fn token_soup_never_panics_and_spans_are_valid(text in token_soup()) {
        let (sources, report) = check_one(&text);
        spans_ok(&sources, &report)?;
        render_all(&sources, &report)?;
    }

    #[test]
    fn token_soup_bundles_never_panic_and_spans_are_valid(
        files in prop::collection::vec(token_soup(), 2..=3),
    ) {
        let files: Files = files
            .into_iter()
            .enumerate()
            .map(|(i, text)| (format!("f{i}.sop"), text))
            .collect();
        let (sources, report) = check_files(&files);
        spans_ok(&sources, &report)?;
        render_all(&sources, &report)?;
    }
}

// ---------------------------------------------------------------------
// (b) Generated well-formed bundles and targeted mutations
// ---------------------------------------------------------------------

/// A guard over the generated form's bool field `b` and enum field `e` (values v0, v1, v2).
#[derive(Debug, Clone, Copy)]
enum Guard {
    Flag,
    NotFlag,
    EnumEq(usize),
    EnumIn(usize, usize),
    FlagAndEnumNe(usize),
    Parenthesised,
}

impl Guard {
    fn from_index(kind: usize, value: usize) -> Guard {
        match kind % 6 {
            0 => Guard::Flag,
            1 => Guard::NotFlag,
            2 => Guard::EnumEq(value % 3),
            3 => Guard::EnumIn(value % 3, (value + 1) % 3),
            4 => Guard::FlagAndEnumNe(value % 3),
            _ => Guard::Parenthesised,
        }
    }

    fn render(self, form: &str) -> String {
        match self {
            Guard::Flag => format!("{form}.b"),
            Guard::NotFlag => format!("not {form}.b"),
            Guard::EnumEq(v) => format!("{form}.e == v{v}"),
            Guard::EnumIn(a, b) => format!("{form}.e in (v{a}, v{b})"),
            Guard::FlagAndEnumNe(v) => format!("{form}.b and {form}.e != v{v}"),
            Guard::Parenthesised => format!("({form}.b or not {form}.b)"),
        }
    }
}

/// Where a step goes: a node index (steps first, then ends), or a name that
/// is declared nowhere (after the rename mutation).
#[derive(Debug, Clone)]
enum Target {
    Node(usize),
    Missing(String),
}

#[derive(Debug, Clone)]
enum Transition {
    Next(Target),
    Decide(Vec<(Guard, Target)>, Target),
}

#[derive(Debug, Clone)]
struct StepModel {
    transition: Option<Transition>,
    fill: bool,
    within: Option<(u32, &'static str)>,
    call: Option<usize>,
}

#[derive(Debug, Clone)]
struct SopModel {
    name: String,
    /// Prefix of step names (`{prefix}{i}`).
    prefix: String,
    start: bool,
    steps: Vec<StepModel>,
    ends: usize,
}

/// A whole bundle: an organization, a form, one to three SOPs (each may call later ones).
#[derive(Debug, Clone)]
struct BundleModel {
    org: String,
    form: String,
    sops: Vec<SopModel>,
    /// File index (0..files) of each SOP; the organization goes to file 0, the form to the last.
    sop_file: Vec<usize>,
    files: usize,
    /// Separator between clauses (one line or several).
    sep: &'static str,
}

impl SopModel {
    fn node_name(&self, node: usize) -> String {
        if node < self.steps.len() {
            format!("{}{node}", self.prefix)
        } else {
            format!("done{}", node - self.steps.len())
        }
    }

    fn target_name(&self, t: &Target) -> String {
        match t {
            Target::Node(n) => self.node_name(*n),
            Target::Missing(name) => name.clone(),
        }
    }

    fn render(&self, bundle: &BundleModel) -> String {
        let sep = bundle.sep;
        let mut out = format!("sop {} \"Generated\" version 1 {{{sep}", self.name);
        if self.start {
            out.push_str(&format!("start {}{sep}", self.node_name(0)));
        }
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("step {} {{{sep}", self.node_name(i)));
            out.push_str(&format!("by r{}{sep}", i % 2));
            if step.fill {
                out.push_str(&format!("fill {}{sep}", bundle.form));
            }
            if let Some((amount, unit)) = step.within {
                out.push_str(&format!("within {amount} {unit}{sep}"));
            }
            if let Some(callee) = step.call {
                out.push_str(&format!("call {}{sep}", bundle.sops[callee].name));
            }
            match &step.transition {
                None => {}
                Some(Transition::Next(t)) => {
                    out.push_str(&format!("next {}{sep}", self.target_name(t)));
                }
                Some(Transition::Decide(arms, default)) => {
                    out.push_str(&format!("decide {{{sep}"));
                    for (guard, t) in arms {
                        out.push_str(&format!(
                            "when {} -> {}{sep}",
                            guard.render(&bundle.form),
                            self.target_name(t)
                        ));
                    }
                    out.push_str(&format!(
                        "else -> {}{sep}}}{sep}",
                        self.target_name(default)
                    ));
                }
            }
            out.push_str(&format!("}}{sep}"));
        }
        for e in 0..self.ends {
            out.push_str(&format!(
                "end {} \"End {e}\"{sep}",
                self.node_name(self.steps.len() + e)
            ));
        }
        out.push_str("}\n");
        out
    }
}

impl BundleModel {
    fn files(&self) -> Files {
        let mut texts = vec![String::new(); self.files];
        texts[0].push_str(&format!(
            "organization {} \"Generated\" {{\n  unit u {{ role r0 \"Role zero\" }}\n  role r1\n  escalate r0 -> r1\n}}\n",
            self.org
        ));
        texts[self.files - 1].push_str(&format!(
            "form {} \"Generated\" {{\n  field b \"Flag\": bool required\n  field e: enum(v0, v1, v2) required\n}}\n",
            self.form
        ));
        for (sop, &file) in self.sops.iter().zip(&self.sop_file) {
            texts[file].push_str(&sop.render(self));
        }
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| (format!("bundle{i}.sop"), text))
            .collect()
    }
}

/// Per-step random choices: (decide?, extra target selector, guard kind, guard value, within, fill, call selector).
type StepChoice = (
    bool,
    usize,
    usize,
    usize,
    Option<(u32, bool)>,
    bool,
    Option<usize>,
);

/// Builds one SOP in which every step and end is reachable from the start
/// and every path ends: each node but the first has a parent step earlier
/// than it that names it as a target, and every edge goes forward.
fn build_sop(
    name: String,
    prefix: String,
    step_parent: &[usize],
    end_parent: &[usize],
    choices: &[StepChoice],
    later_sops: std::ops::Range<usize>,
) -> SopModel {
    let k = choices.len();
    let ends = end_parent.len();
    let mut steps = Vec::with_capacity(k);
    for (i, &(decide, sel, guard_kind, guard_value, within, fill, call)) in
        choices.iter().enumerate()
    {
        // Children: nodes whose designated parent is this step.
        let mut required: Vec<usize> = (1..k).filter(|&j| step_parent[j - 1] == i).collect();
        required.extend((0..ends).filter(|&e| end_parent[e] == i).map(|e| k + e));
        // Any later step or any end is a legal extra target.
        let candidates: Vec<usize> = (i + 1..k + ends).collect();
        let extra = candidates[sel % candidates.len()];
        if required.is_empty() {
            required.push(extra);
        }
        let transition = if !decide && required.len() == 1 {
            Transition::Next(Target::Node(required[0]))
        } else {
            if required.len() == 1 {
                required.insert(0, extra);
            }
            let default = Target::Node(required.pop().unwrap_or(extra));
            let arms = required
                .into_iter()
                .enumerate()
                .map(|(a, t)| {
                    (
                        Guard::from_index(guard_kind + a, guard_value + a),
                        Target::Node(t),
                    )
                })
                .collect();
            Transition::Decide(arms, default)
        };
        let call = if later_sops.is_empty() {
            None
        } else {
            call.map(|c| later_sops.start + c % later_sops.len())
        };
        steps.push(StepModel {
            transition: Some(transition),
            fill,
            within: within.map(|(n, hours)| (n, if hours { "hours" } else { "days" })),
            call,
        });
    }
    SopModel {
        name,
        prefix,
        start: true,
        steps,
        ends,
    }
}

/// The random shape of one SOP: steps' parents, ends' parents, per-step choices.
fn sop_shape() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, Vec<StepChoice>)> {
    (1usize..=8, 1usize..=3).prop_flat_map(|(k, ends)| {
        let step_parent: Vec<std::ops::Range<usize>> = (1..k).map(|j| 0..j).collect();
        // An end's parent is any step; the last step always gets one, since it can only go to an end.
        let end_parent: Vec<std::ops::Range<usize>> = (0..ends).map(|_| 0..k).collect();
        let choice = (
            any::<bool>(),
            any::<usize>(),
            0usize..6,
            0usize..3,
            prop::option::of((1u32..=72, any::<bool>())),
            any::<bool>(),
            prop::option::weighted(0.3, any::<usize>()),
        );
        (step_parent, end_parent, prop::collection::vec(choice, k))
    })
}

fn name(prefix: &'static str) -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,5}".prop_map(move |s| format!("{prefix}{s}"))
}

fn bundle() -> impl Strategy<Value = BundleModel> {
    (
        name("org_"),
        name("form_"),
        prop::collection::vec((sop_shape(), "[a-z]{1,3}"), 1..=3),
        1usize..=3,
        prop::sample::select(&["\n  ", " "][..]),
        any::<usize>(),
    )
        .prop_map(|(org, form, shapes, files, sep, placement)| {
            let n = shapes.len();
            let sops: Vec<SopModel> = shapes
                .into_iter()
                .enumerate()
                .map(|(s, ((step_parent, end_parent, choices), prefix))| {
                    build_sop(
                        format!("sop{s}_{prefix}"),
                        format!("{prefix}_s"),
                        &step_parent,
                        &end_parent,
                        &choices,
                        s + 1..n,
                    )
                })
                .collect();
            let sop_file = (0..n).map(|s| (placement >> (2 * s)) % files).collect();
            BundleModel {
                org,
                form,
                sops,
                sop_file,
                files,
                sep,
            }
        })
}

/// A mutation expected to produce one specific code.
#[derive(Debug, Clone, Copy)]
enum Mutation {
    /// Remove a step's `next`/`decide`: SOP0204 dead-end.
    DropTransition,
    /// Point a `next` or an arm at a name nobody declares: SOP0102 unknown-name.
    RenameTarget,
    /// Remove `start`: SOP0201 missing-start.
    DropStart,
}

impl Mutation {
    fn expected(self) -> Code {
        match self {
            Mutation::DropTransition => Code::DeadEnd,
            Mutation::RenameTarget => Code::UnknownName,
            Mutation::DropStart => Code::MissingStart,
        }
    }

    fn apply(self, bundle: &mut BundleModel, sop: usize, step: usize, arm: usize) {
        let count = bundle.sops.len();
        let sop = &mut bundle.sops[sop % count];
        let step = step % sop.steps.len();
        match self {
            Mutation::DropTransition => sop.steps[step].transition = None,
            Mutation::RenameTarget => {
                let missing = Target::Missing(format!("{}missing", sop.prefix));
                match &mut sop.steps[step].transition {
                    Some(Transition::Next(t)) => *t = missing,
                    Some(Transition::Decide(arms, default)) => {
                        let slot = arm % (arms.len() + 1);
                        match arms.get_mut(slot) {
                            Some((_, t)) => *t = missing,
                            None => *default = missing,
                        }
                    }
                    None => sop.steps[step].transition = Some(Transition::Next(missing)),
                }
            }
            Mutation::DropStart => sop.start = false,
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::DropTransition),
        Just(Mutation::RenameTarget),
        Just(Mutation::DropStart),
    ]
}

/// A generated bundle, possibly mutated.
fn any_bundle() -> impl Strategy<Value = Files> {
    (
        bundle(),
        prop::option::of((mutation(), any::<usize>(), any::<usize>(), any::<usize>())),
    )
        .prop_map(|(mut b, m)| {
            if let Some((m, sop, step, arm)) = m {
                m.apply(&mut b, sop, step, arm);
            }
            b.files()
        })
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn generated_bundles_have_no_errors(b in bundle()) {
        let files = b.files();
        let (sources, report) = check_files(&files);
        prop_assert_eq!(
            report.error_count(),
            0,
            "errors in a well-formed bundle:\n{}\n--- bundle ---\n{:#?}",
            listing(&report),
            files
        );
        prop_assert_eq!(report.sops, b.sops.len());
        let steps: usize = b.sops.iter().map(|s| s.steps.len() + s.ends).sum();
        prop_assert_eq!(report.steps, steps);
        spans_ok(&sources, &report)?;
    }

    #[test]
    fn mutations_report_the_expected_code(
        b in bundle(),
        m in mutation(),
        (sop, step, arm) in (any::<usize>(), any::<usize>(), any::<usize>()),
    ) {
        let mut mutated = b.clone();
        m.apply(&mut mutated, sop, step, arm);
        let files = mutated.files();
        let (sources, report) = check_files(&files);
        prop_assert!(
            codes(&report).contains(&m.expected()),
            "{:?} did not report {}:\n{}\n--- bundle ---\n{:#?}",
            m,
            m.expected(),
            listing(&report),
            files
        );
        spans_ok(&sources, &report)?;
    }
}

// ---------------------------------------------------------------------
// (c) Determinism and independence from file order
// ---------------------------------------------------------------------

/// What a diagnostic says, independent of where its file sits in the bundle.
fn said(report: &Report) -> Vec<(Code, String, String)> {
    let mut out: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.en.clone(), d.message.id.clone()))
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn checking_twice_gives_identical_diagnostics(files in any_bundle()) {
        let (_, first) = check_files(&files);
        let (_, second) = check_files(&files);
        prop_assert_eq!(&first.diagnostics, &second.diagnostics);
        prop_assert_eq!((first.sops, first.steps), (second.sops, second.steps));
    }

    #[test]
    fn checking_token_soup_twice_gives_identical_diagnostics(
        files in prop::collection::vec(token_soup(), 1..=3),
    ) {
        let files: Files = files
            .into_iter()
            .enumerate()
            .map(|(i, text)| (format!("f{i}.sop"), text))
            .collect();
        let (_, first) = check_files(&files);
        let (_, second) = check_files(&files);
        prop_assert_eq!(&first.diagnostics, &second.diagnostics);
    }

    #[test]
    fn file_order_does_not_change_the_diagnostics(
        (files, shuffled) in any_bundle().prop_flat_map(|files| {
            let shuffled = Just(files.clone()).prop_shuffle();
            (Just(files), shuffled)
        }),
    ) {
        let (_, a) = check_files(&files);
        let (_, b) = check_files(&shuffled);
        prop_assert_eq!(said(&a), said(&b));
        prop_assert_eq!(a.error_count(), b.error_count());
        prop_assert_eq!((a.sops, a.steps), (b.sops, b.steps));
    }
}
