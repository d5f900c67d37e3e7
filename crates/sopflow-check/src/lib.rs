//! The bundle checker: resolves names across a bundle of parsed `.sop`
//! files, types guards, builds one petgraph step graph per SOP and runs the
//! structural and policy analyses. Pure: no I/O, no clock.
//!
//! ```
//! use sopflow_diagnostics::FileId;
//! let (file, _) = sopflow_syntax::parse_file(FileId(0), "sop s { start a  step a { next z }  end z }");
//! let report = sopflow_check::check(&[file], &sopflow_check::CheckConfig::default());
//! assert!(report.diagnostics.iter().all(|d| !d.is_error()));
//! ```

mod compile;
mod graph;
pub mod ir;
mod names;
mod policy;
mod text;
mod types;

pub use compile::content_hash;
pub use graph::{Edge, Node, SopGraph};
pub use ir::CompiledBundle;

/// The first part of a guard path `consent.POLICY`, which reads whether that
/// policy's consent has been given (unless a form is named `consent`).
pub const CONSENT_ROOT: &str = "consent";

/// The first part of a guard path `referral.SERVICE`, which reads the state
/// of the case's latest referral to that service (unless a form is named
/// `referral`).
pub const REFERRAL_ROOT: &str = "referral";

/// The states a `referral.SERVICE` guard compares with, as the engine names them.
pub const REFERRAL_STATES: &[&str] = &[
    "sent",
    "accepted",
    "done",
    "exhausted",
    "refused",
    "withdrawn",
];

use names::Symbols;
use petgraph::graph::{DiGraph, NodeIndex};
use policy::Rights;
use rustc_hash::FxHashMap;
use sopflow_diagnostics::{Code, Diagnostic, Text, sort_diagnostics};
use sopflow_syntax::ast::*;
use types::GuardChecker;

/// Options of a check run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CheckConfig {}

/// The result of checking a bundle.
#[derive(Debug)]
pub struct CheckReport {
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of SOPs checked.
    pub sops: usize,
    /// Number of steps and ends checked.
    pub steps: usize,
}

/// Checks a bundle of parsed files. Never panics; reports every problem found.
pub fn check(files: &[File], config: &CheckConfig) -> CheckReport {
    check_and_lower(files, config, false).0
}

/// Checks a bundle and, when it has no errors, compiles it for the engine.
pub fn compile(files: &[File], config: &CheckConfig) -> (CheckReport, Option<CompiledBundle>) {
    check_and_lower(files, config, true)
}

fn check_and_lower(
    files: &[File],
    _config: &CheckConfig,
    lower: bool,
) -> (CheckReport, Option<CompiledBundle>) {
    let mut diags = Vec::new();
    let symbols = Symbols::collect(files, &mut diags);
    let mut policies = Vec::new();
    let mut sops = Vec::new();
    for item in files.iter().flat_map(|f| &f.items) {
        match item {
            Item::Organization(o) => check_organization(&symbols, o, &mut diags),
            Item::Calendar(c) => check_calendar(c, &mut diags),
            Item::Policy(p) => policies.push(p),
            Item::Sop(s) => sops.push(s),
            Item::Form(_) | Item::Network(_) => {}
        }
    }
    let score_classes = types::check_forms(&symbols, &mut diags);
    let rights = Rights::collect(&symbols, &policies, score_classes, &mut diags);
    let mut steps = 0;
    let mut graphs = Vec::with_capacity(sops.len());
    for sop in &sops {
        steps += sop.steps.len() + sop.ends.len();
        let graph = check_sop(&symbols, &rights, sop, &mut diags);
        // A duplicate sop is reported once; only the first takes part in calls.
        if symbols
            .sops
            .get(&sop.name.name)
            .is_some_and(|first| std::ptr::eq(first, *sop))
        {
            graphs.push(graph);
        }
    }
    rights.check_consent(&graphs, &mut diags);
    check_call_cycles(&symbols, &sops, &mut diags);
    sort_diagnostics(&mut diags);
    let clean = !diags.iter().any(Diagnostic::is_error);
    let bundle = (lower && clean).then(|| compile::lower(files, &graphs));
    let report = CheckReport {
        diagnostics: diags,
        sops: sops.len(),
        steps,
    };
    (report, bundle)
}

fn check_organization(symbols: &Symbols<'_>, org: &Organization, diags: &mut Vec<Diagnostic>) {
    for chain in &org.escalations {
        for role in &chain.chain {
            symbols.roles.resolve(role, None, diags);
        }
        let mut seen: Vec<&str> = Vec::new();
        for role in &chain.chain {
            if seen.contains(&role.name.as_str()) {
                diags.push(Diagnostic::new(
                    Code::DuplicateName,
                    role.span,
                    Text::new(
                        format!("role `{}` appears twice in one escalation chain", role.name),
                        format!(
                            "peran `{}` muncul dua kali dalam satu rantai eskalasi",
                            role.name
                        ),
                    ),
                ));
            }
            seen.push(&role.name);
        }
    }
}

fn check_calendar(cal: &Calendar, diags: &mut Vec<Diagnostic>) {
    let mut days = Vec::new();
    for (day, span) in &cal.workdays {
        if days.contains(day) {
            diags.push(Diagnostic::new(
                Code::DuplicateClause,
                *span,
                Text::new(
                    "this working day is listed twice",
                    "hari kerja ini disebut dua kali",
                ),
            ));
        }
        days.push(*day);
    }
    let mut dates: Vec<(Date, sopflow_diagnostics::Span)> = Vec::new();
    for h in &cal.holidays {
        if let Some((_, first)) = dates.iter().find(|(d, _)| *d == h.date) {
            let (y, m, d) = (h.date.year, h.date.month, h.date.day);
            diags.push(
                Diagnostic::new(
                    Code::DuplicateClause,
                    h.span,
                    Text::new(
                        format!("holiday {y}-{m:02}-{d:02} is listed twice"),
                        format!("hari libur {y}-{m:02}-{d:02} disebut dua kali"),
                    ),
                )
                .with_label(*first, crate::text::first_declared_here()),
            );
        } else {
            dates.push((h.date, h.span));
        }
    }
}

/// Reports a period of zero or less.
pub(crate) fn check_positive(d: &Duration, diags: &mut Vec<Diagnostic>) {
    if d.amount <= 0 {
        diags.push(Diagnostic::new(
            Code::NonPositiveDeadline,
            d.span,
            Text::new(
                format!("a period must be positive, found {}", d.amount),
                format!("jangka waktu harus positif, ditemukan {}", d.amount),
            ),
        ));
    }
}

fn check_sop<'a>(
    symbols: &Symbols<'_>,
    rights: &Rights<'_>,
    sop: &'a Sop,
    diags: &mut Vec<Diagnostic>,
) -> SopGraph<'a> {
    // Which calendar `workdays` count in.
    let calendar_ok = match sop.calendars.as_slice() {
        [] => symbols.calendars.len() == 1,
        [one, rest @ ..] => {
            for extra in rest {
                diags.push(Diagnostic::new(
                    Code::DuplicateClause,
                    extra.span,
                    Text::new(
                        "an sop names at most one calendar",
                        "sop paling banyak menyebut satu kalender",
                    ),
                ));
            }
            // An unknown calendar is reported once, here, not again per deadline.
            symbols.calendars.resolve(one, None, diags);
            true
        }
    };
    for step in &sop.steps {
        for role in &step.performers {
            symbols.roles.resolve(role, None, diags);
        }
        for p in &step.consents {
            symbols.policies.resolve(p, None, diags);
        }
        for svc in policy::referrals(step) {
            symbols.services.resolve(svc, None, diags);
        }
        for c in &step.calls {
            symbols.sops.resolve(c, None, diags);
        }
        if let Some(w) = &step.within {
            check_positive(&w.duration, diags);
            if w.duration.unit == TimeUnit::Workdays && !calendar_ok {
                diags.push(
                    Diagnostic::new(
                        Code::WorkdaysWithoutCalendar,
                        w.duration.span,
                        Text::new(
                            format!("working days need a calendar, but sop `{}` has none and the bundle does not have exactly one", sop.name.name),
                            format!("hari kerja memerlukan kalender, tetapi sop `{}` tidak menyebutnya dan bundel tidak memiliki tepat satu", sop.name.name),
                        ),
                    )
                    .with_help(Text::new("add `calendar <name>` to the sop", "tambahkan `calendar <nama>` pada sop")),
                );
            }
        }
        for form_name in &step.fills {
            if let Some(fi) = symbols
                .forms
                .resolve(form_name, None, diags)
                .and_then(|i| symbols.form_infos.get(i))
            {
                rights.check_fill(step, fi.form, diags);
            }
        }
        let has_work =
            !step.fills.is_empty() || matches!(step.transition, Some(Transition::Decide(_)));
        if step.performers.is_empty() && step.calls.is_empty() && has_work {
            diags.push(
                Diagnostic::new(
                    Code::MissingPerformer,
                    step.name.span,
                    Text::new(
                        format!("step `{}` has work to do but no `by` role", step.name.name),
                        format!(
                            "langkah `{}` berisi pekerjaan tetapi tidak memiliki peran `by`",
                            step.name.name
                        ),
                    ),
                )
                .with_help(Text::new(
                    "add `by <role>` naming who performs it",
                    "tambahkan `by <peran>` yang menyebut pelaksananya",
                )),
            );
        }
        if let Some(Transition::Decide(d)) = &step.transition {
            let mut gc = GuardChecker::new(symbols, diags, None);
            for arm in &d.arms {
                gc.check_condition(&arm.guard);
            }
            let (uses, derived) = (
                std::mem::take(&mut gc.uses),
                std::mem::take(&mut gc.derived),
            );
            rights.check_reads(step, &uses, &derived, diags);
            if d.default.is_none() && !d.arms.is_empty() {
                diags.push(
                    Diagnostic::new(Code::DecisionWithoutElse, d.span, Text::new(format!("decision in step `{}` has no `else`; a case matching no `when` is stuck", step.name.name), format!("keputusan pada langkah `{}` tidak memiliki `else`; kasus yang tidak cocok dengan `when` mana pun akan macet", step.name.name)))
                        .with_help(Text::new("add `else -> <step>`", "tambahkan `else -> <langkah>`")),
                );
            }
        }
    }
    graph::check_sop(sop, diags)
}

/// Reports cycles of `call` between SOPs, each as its full path.
fn check_call_cycles(symbols: &Symbols<'_>, sops: &[&Sop], diags: &mut Vec<Diagnostic>) {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let mut index: FxHashMap<&str, NodeIndex> = FxHashMap::default();
    for (i, sop) in sops.iter().enumerate() {
        if symbols
            .sops
            .get(&sop.name.name)
            .is_some_and(|s| std::ptr::eq(s, *sop))
        {
            index.insert(&sop.name.name, graph.add_node(i));
        }
    }
    let mut call_site: FxHashMap<(NodeIndex, NodeIndex), &Ident> = FxHashMap::default();
    for sop in sops {
        let Some(&from) = index.get(sop.name.name.as_str()) else {
            continue;
        };
        for step in &sop.steps {
            for c in &step.calls {
                if let Some(&to) = index.get(c.name.as_str()) {
                    if let std::collections::hash_map::Entry::Vacant(e) =
                        call_site.entry((from, to))
                    {
                        e.insert(c);
                        graph.add_edge(from, to, ());
                    }
                }
            }
        }
    }
    for scc in petgraph::algo::kosaraju_scc(&graph) {
        let Some(&first) = scc.iter().min_by_key(|n| &sops[graph[**n]].name.name) else {
            continue;
        };
        if scc.len() == 1 && !graph.contains_edge(first, first) {
            continue;
        }
        // Walk the cycle from `first` by BFS inside the SCC back to `first`.
        let members: rustc_hash::FxHashSet<NodeIndex> = scc.iter().copied().collect();
        let mut parent: FxHashMap<NodeIndex, NodeIndex> = FxHashMap::default();
        let mut queue = std::collections::VecDeque::from([first]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> =
                graph.neighbors(n).filter(|m| members.contains(m)).collect();
            next.sort_by_key(|m| &sops[graph[*m]].name.name);
            for m in next {
                if m == first {
                    closing = Some(n);
                    break 'bfs;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(m) {
                    e.insert(n);
                    queue.push_back(m);
                }
            }
        }
        let Some(last) = closing else { continue };
        let mut cycle = vec![last];
        while let Some(&p) = parent.get(cycle.last().unwrap_or(&first)) {
            cycle.push(p);
        }
        if cycle.last() != Some(&first) {
            cycle.push(first);
        }
        cycle.reverse();
        cycle.push(first);
        let names: Vec<&str> = cycle
            .iter()
            .map(|n| sops[graph[*n]].name.name.as_str())
            .collect();
        let path = text::arrow_path(names.iter().copied());
        let Some(site) = cycle
            .get(1)
            .and_then(|second| call_site.get(&(first, *second)))
        else {
            continue;
        };
        let mut d = Diagnostic::new(
            Code::CallCycle,
            site.span,
            Text::new(
                format!("sops call each other in a cycle: {path}"),
                format!("sop saling memanggil dalam lingkaran: {path}"),
            ),
        )
        .with_help(Text::new(
            "a called sop must end without calling back into its caller",
            "sop yang dipanggil harus selesai tanpa memanggil kembali pemanggilnya",
        ));
        for pair in cycle.windows(2).skip(1) {
            if let Some(site) = call_site.get(&(pair[0], pair[1])) {
                let (a, b) = (
                    &sops[graph[pair[0]]].name.name,
                    &sops[graph[pair[1]]].name.name,
                );
                d = d.with_label(
                    site.span,
                    Text::new(
                        format!("`{a}` calls `{b}` here"),
                        format!("`{a}` memanggil `{b}` di sini"),
                    ),
                );
            }
        }
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sopflow_diagnostics::FileId;

    fn diagnostics(files: &[&str]) -> Vec<Diagnostic> {
        let parsed: Vec<File> = files
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let (file, diags) = sopflow_syntax::parse_file(FileId(i as u32), text);
                assert!(diags.is_empty(), "{diags:?}");
                file
            })
            .collect();
        check(&parsed, &CheckConfig::default()).diagnostics
    }

    fn codes(text: &str) -> Vec<&'static str> {
        diagnostics(&[text]).iter().map(|d| d.code.name()).collect()
    }

    const ORG: &str = "organization o { unit u { role r } }\n";

    #[test]
    fn names_resolve_across_files_in_any_order() {
        let sop = "sop s { start a step a { by r next z } end z }";
        assert!(diagnostics(&[sop, ORG]).is_empty());
        assert!(diagnostics(&[ORG, sop]).is_empty());
    }

    #[test]
    fn closed_cycle_of_orphans_is_unreachable_and_loop_reports_once() {
        let text = format!(
            "{ORG}sop s {{ start a step a {{ by r next z }} step o1 {{ by r next o2 }} step o2 {{ by r next o1 }} end z }}"
        );
        assert_eq!(codes(&text), vec!["unreachable-step", "unreachable-step"]);
        let text = format!(
            "{ORG}sop s {{ start a step a {{ by r next b }} step b {{ by r next c }} step c {{ by r next b }} end z }}"
        );
        assert_eq!(codes(&text), vec!["no-end-reachable", "unreachable-step"]);
        let d = diagnostics(&[&text])
            .into_iter()
            .find(|d| d.code == Code::NoEndReachable)
            .expect("loop");
        let notes: Vec<&str> = d.notes.iter().map(|n| n.en.as_str()).collect();
        assert_eq!(
            notes,
            vec![
                "reached by: a -> b",
                "then loops: b -> c -> b, with no way to an end"
            ]
        );
    }

    #[test]
    fn a_loop_with_an_exit_is_fine() {
        let text = format!(
            "{ORG}form f {{ field ok: bool }}\nsop s {{ start a step a {{ by r fill f decide {{ when f.ok -> z else -> a }} }} end z }}"
        );
        assert!(diagnostics(&[&text]).is_empty());
    }

    #[test]
    fn nested_parallel_blocks_balance() {
        let text = format!(
            "{ORG}sop s {{ start p\n step p {{ by r parallel {{ branch a branch b }} next z }}\n step a {{ by r parallel {{ branch a1 }} next join }}\n step a1 {{ by r next join }}\n step b {{ by r next join }}\n end z }}"
        );
        assert!(
            diagnostics(&[&text]).is_empty(),
            "{:?}",
            diagnostics(&[&text])
        );
        let escaping = text.replace("step b { by r next join }", "step b { by r next z }");
        assert_eq!(codes(&escaping), vec!["parallel-branch-escapes"]);
    }

    #[test]
    fn consent_must_hold_on_every_path_including_through_calls() {
        let base = format!(
            "{ORG}network j {{ provider rs offers medis }}\npolicy p {{ class kasus allow r read, write kasus share kasus with j requires consent }}\n"
        );
        let one_branch = format!(
            "{base}sop s {{ start a step a {{ by r decide {{ when true -> b else -> c }} }} step b {{ by r consent p next c }} step c {{ by r refer medis next z }} end z }}"
        );
        assert_eq!(codes(&one_branch), vec!["share-without-consent"]);
        let both = one_branch.replace("step a { by r decide", "step a { by r consent p decide");
        assert!(codes(&both).is_empty());
        let via_call = format!(
            "{base}sop s {{ start a step a {{ by r consent p call t next z }} end z }}\nsop t {{ start x step x {{ by r refer medis next y }} end y }}"
        );
        assert!(codes(&via_call).is_empty());
        let uncalled = via_call.replace(
            "sop s { start a step a { by r consent p call t next z } end z }",
            "",
        );
        assert_eq!(codes(&uncalled), vec!["share-without-consent"]);
    }

    #[test]
    fn consent_in_one_parallel_branch_holds_after_the_join() {
        let base = format!(
            "{ORG}network j {{ provider rs offers medis }}\npolicy p {{ class kasus allow r read, write kasus share kasus with j requires consent }}\n"
        );
        let text = format!(
            "{base}sop s {{ start m step m {{ by r parallel {{ branch c branch d }} next x }} step c {{ by r consent p next join }} step d {{ by r next join }} step x {{ by r refer medis next z }} end z }}"
        );
        assert!(codes(&text).is_empty(), "{:?}", codes(&text));
        let neither = text.replace("consent p next join", "next join");
        assert_eq!(codes(&neither), vec!["share-without-consent"]);
    }

    #[test]
    fn a_called_sop_that_always_records_consent_gives_it_to_its_caller() {
        let base = format!(
            "{ORG}network j {{ provider rs offers medis }}\npolicy p {{ class kasus allow r read, write kasus share kasus with j requires consent }}\n"
        );
        let always = format!(
            "{base}sop s {{ start a step a {{ by r call t next x }} step x {{ by r refer medis next z }} end z }}\nsop t {{ start c step c {{ by r consent p next y }} end y }}"
        );
        assert!(codes(&always).is_empty(), "{:?}", codes(&always));
        let sometimes = always.replace(
            "sop t { start c step c { by r consent p next y } end y }",
            "sop t { start c step c { by r decide { when true -> d else -> y } } step d { by r consent p next y } end y }",
        );
        assert_eq!(codes(&sometimes), vec!["share-without-consent"]);
    }

    #[test]
    fn a_very_long_linear_sop_does_not_overflow_the_stack() {
        // Test threads have 2 MiB of stack; a recursive SCC pass needs far more here.
        let steps: String = (0..30_000)
            .map(|i| format!("step s{i} {{ by r next s{} }}\n", i + 1))
            .collect();
        let text = format!("{ORG}sop panjang {{ start s0\n{steps} end s30000 }}");
        assert!(codes(&text).is_empty());
    }

    #[test]
    fn call_cycles_are_reported_as_full_paths() {
        let text = format!(
            "{ORG}sop a {{ start x step x {{ by r call b next y }} end y }}\nsop b {{ start x step x {{ by r call c next y }} end y }}\nsop c {{ start x step x {{ by r call a next y }} end y }}"
        );
        let d = diagnostics(&[&text]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message.en,
            "sops call each other in a cycle: a -> b -> c -> a"
        );
    }

    #[test]
    fn guards_are_typed() {
        let form = "form f { field n: int 0..=17  field j: enum(x, y)  field b: bool }\n";
        let guard = |g: &str| {
            codes(&format!(
                "{ORG}{form}sop s {{ start a step a {{ by r decide {{ when {g} -> z else -> z }} }} end z }}"
            ))
        };
        assert!(guard("f.n >= 3 and f.j in (x, y) or not f.b").is_empty());
        assert_eq!(guard("f.n > 20"), vec!["value-out-of-range"]);
        assert_eq!(guard("f.j == z"), vec!["unknown-name"]);
        assert_eq!(guard("f.j < x"), vec!["type-mismatch"]);
        assert_eq!(guard("f.n == true"), vec!["type-mismatch"]);
        assert_eq!(guard("f.n"), vec!["guard-not-boolean"]);
        assert_eq!(guard("darurat"), vec!["unknown-name"]);
    }
}
