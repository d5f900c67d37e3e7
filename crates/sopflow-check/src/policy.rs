//! Roles and data-use policy: who may write the forms they fill, read the
//! fields they decide on, and whether consent precedes every referral that
//! shares consent-bound data.

use crate::graph::{Node, SopGraph};
use crate::names::Symbols;
use crate::text;
use crate::types::{DerivedUse, FieldUse, ScoreClasses};
use petgraph::graph::NodeIndex;
use rustc_hash::{FxHashMap, FxHashSet};
use sopflow_diagnostics::{Code, Diagnostic, Text};
use sopflow_syntax::ast::*;

/// Read/write rights per (role, class), from every policy of the bundle.
pub struct Rights<'a> {
    grants: FxHashSet<(&'a str, &'a str, bool)>,
    /// Whether any class is declared at all (no policy: no data checks).
    pub active: bool,
    /// Service type → policies whose consent its referral needs, with the share clause.
    pub consent_for_service: FxHashMap<&'a str, Vec<(&'a Policy, &'a Share)>>,
    /// Classes each score (and so each level) is computed from.
    score_classes: ScoreClasses<'a>,
}

impl<'a> Rights<'a> {
    /// Collects grants and consent requirements, resolving the names they use.
    pub fn collect(
        symbols: &Symbols<'a>,
        policies: &[&'a Policy],
        score_classes: ScoreClasses<'a>,
        diags: &mut Vec<Diagnostic>,
    ) -> Rights<'a> {
        let mut grants = FxHashSet::default();
        let mut consent_for_service: FxHashMap<&'a str, Vec<(&'a Policy, &'a Share)>> =
            FxHashMap::default();
        for policy in policies {
            for grant in &policy.grants {
                for role in &grant.roles {
                    symbols.roles.resolve(role, None, diags);
                }
                for class in &grant.classes {
                    symbols.classes.resolve(class, None, diags);
                    for role in &grant.roles {
                        for access in &grant.access {
                            grants.insert((
                                role.name.as_str(),
                                class.name.as_str(),
                                *access == Access::Write,
                            ));
                        }
                    }
                }
            }
            for share in &policy.shares {
                for class in &share.classes {
                    symbols.classes.resolve(class, None, diags);
                }
                let Some(network) = symbols.networks.resolve(&share.network, None, diags) else {
                    continue;
                };
                if !share.requires_consent {
                    continue;
                }
                for provider in &network.providers {
                    for svc in &provider.offers {
                        let list = consent_for_service.entry(svc.name.as_str()).or_default();
                        if !list.iter().any(|(p, _)| std::ptr::eq(*p, *policy)) {
                            list.push((policy, share));
                        }
                    }
                }
            }
            for retention in &policy.retentions {
                for class in &retention.classes {
                    symbols.classes.resolve(class, None, diags);
                }
                crate::check_positive(&retention.period, diags);
            }
        }
        Rights {
            grants,
            active: symbols.classes.len() > 0,
            consent_for_service,
            score_classes,
        }
    }

    fn may(&self, role: &str, class: &str, write: bool) -> bool {
        self.grants.contains(&(role, class, write))
    }

    /// Reports performers who may not write a filled form's classes.
    pub fn check_fill(&self, step: &Step, form: &Form, diags: &mut Vec<Diagnostic>) {
        if !self.active {
            return;
        }
        for role in &step.performers {
            let mut missing: Vec<&str> = Vec::new();
            for field in &form.fields {
                if let Some(class) = &field.class {
                    if !self.may(&role.name, &class.name, true)
                        && !missing.contains(&class.name.as_str())
                    {
                        missing.push(&class.name);
                    }
                }
            }
            if !missing.is_empty() {
                let classes = missing.join(", ");
                diags.push(
                    Diagnostic::new(
                        Code::RoleCannotWrite,
                        role.span,
                        Text::new(
                            format!("role `{}` fills form `{}` but may not write its data class {classes}", role.name, form.name.name),
                            format!("peran `{}` mengisi formulir `{}` tetapi tidak boleh menulis kelas data {classes}", role.name, form.name.name),
                        ),
                    )
                    .with_label(form.name.span, Text::new("form declared here", "formulir dideklarasikan di sini"))
                    .with_help(Text::new(
                        format!("add `allow {} write {classes}` to the policy, or give the step to another role", role.name),
                        format!("tambahkan `allow {} write {classes}` ke kebijakan, atau serahkan langkah kepada peran lain", role.name),
                    )),
                );
            }
        }
    }

    /// Reports performers who decide on fields they may not read.
    pub fn check_reads(
        &self,
        step: &Step,
        uses: &[FieldUse<'_>],
        derived: &[DerivedUse<'_>],
        diags: &mut Vec<Diagnostic>,
    ) {
        if !self.active {
            return;
        }
        for role in &step.performers {
            let mut reported: Vec<(&str, &str)> = Vec::new();
            for u in uses {
                let Some(class) = &u.field.class else {
                    continue;
                };
                let key = (u.form.name.name.as_str(), u.field.name.name.as_str());
                if self.may(&role.name, &class.name, false) || reported.contains(&key) {
                    continue;
                }
                reported.push(key);
                diags.push(self.cannot_read(
                    role,
                    u.span,
                    &format!("{}.{}", key.0, key.1),
                    &class.name,
                    None,
                ));
            }
            for d in derived {
                let key = (d.form.name.name.as_str(), d.score);
                let Some(classes) = self.score_classes.get(&key) else {
                    continue;
                };
                let Some(class) = classes.iter().find(|c| !self.may(&role.name, c, false)) else {
                    continue;
                };
                if reported.contains(&key) {
                    continue;
                }
                reported.push(key);
                diags.push(self.cannot_read(
                    role,
                    d.span,
                    &format!("{}.{}", key.0, d.member),
                    class,
                    Some(key.1),
                ));
            }
        }
    }

    fn cannot_read(
        &self,
        role: &Ident,
        span: sopflow_diagnostics::Span,
        what: &str,
        class: &str,
        via_score: Option<&str>,
    ) -> Diagnostic {
        let (en, id) = match via_score {
            None => (
                format!(
                    "role `{}` decides on `{what}` but may not read data class `{class}`",
                    role.name
                ),
                format!(
                    "peran `{}` memutuskan berdasarkan `{what}` tetapi tidak boleh membaca kelas data `{class}`",
                    role.name
                ),
            ),
            Some(score) => (
                format!(
                    "role `{}` decides on `{what}`, computed by score `{score}` from data class `{class}`, which it may not read",
                    role.name
                ),
                format!(
                    "peran `{}` memutuskan berdasarkan `{what}`, yang dihitung skor `{score}` dari kelas data `{class}` yang tidak boleh dibacanya",
                    role.name
                ),
            ),
        };
        Diagnostic::new(Code::RoleCannotRead, span, Text::new(en, id))
            .with_label(role.span, Text::new("performer of this step", "pelaksana langkah ini"))
            .with_help(Text::new(
                format!("add `allow {} read {class}` to the policy, or give the decision to another role", role.name),
                format!("tambahkan `allow {} read {class}` ke kebijakan, atau serahkan keputusan kepada peran lain", role.name),
            ))
    }

    /// Must-analysis over the whole bundle: every referral that shares
    /// consent-bound data is preceded, on every path from the start of its
    /// sop, by a step recording that policy's consent. A called sop starts
    /// with consent when every call of it, in every caller, is itself
    /// reached only with consent (greatest fixpoint over the call graph).
    pub fn check_consent(&self, graphs: &[SopGraph<'_>], diags: &mut Vec<Diagnostic>) {
        if self.consent_for_service.is_empty() {
            return;
        }
        let mut needed: Vec<&Policy> = Vec::new();
        for g in graphs {
            for step in &g.sop.steps {
                for svc in referrals(step) {
                    for (p, _) in self
                        .consent_for_service
                        .get(svc.name.as_str())
                        .into_iter()
                        .flatten()
                    {
                        if !needed.iter().any(|q| std::ptr::eq(*q, *p)) {
                            needed.push(p);
                        }
                    }
                }
            }
        }
        // Call sites: callee index → (caller index, calling node).
        let index: FxHashMap<&str, usize> = graphs
            .iter()
            .enumerate()
            .map(|(i, g)| (g.sop.name.name.as_str(), i))
            .collect();
        let mut call_sites: Vec<Vec<(usize, NodeIndex)>> = vec![Vec::new(); graphs.len()];
        for (c, g) in graphs.iter().enumerate() {
            for (i, step) in g.sop.steps.iter().enumerate() {
                let Some(n) = g.step_nodes[i] else { continue };
                for callee in &step.calls {
                    if let Some(&s) = index.get(callee.name.as_str()) {
                        call_sites[s].push((c, n));
                    }
                }
            }
        }
        for policy in needed {
            let records = |g: &SopGraph<'_>, n: NodeIndex| match g.graph[n] {
                Node::Step(i) => g.sop.steps[i]
                    .consents
                    .iter()
                    .any(|c| c.name == policy.name.name),
                _ => false,
            };
            // Sops that record the consent on every path to each of their ends:
            // a step calling one has the consent once the call returns.
            let mut guarantees = vec![false; graphs.len()];
            for s in callees_first(graphs, &index) {
                let g = &graphs[s];
                let Some(start) = g.start else { continue };
                let gives =
                    |n: NodeIndex| records(g, n) || calls_guaranteeing(g, n, &index, &guarantees);
                let parent = reach_without(g, start, gives);
                guarantees[s] = g
                    .graph
                    .node_indices()
                    .all(|n| !matches!(g.graph[n], Node::End(_)) || parent[n.index()].is_none());
            }
            let gives = |g: &SopGraph<'_>, n: NodeIndex| {
                records(g, n) || calls_guaranteeing(g, n, &index, &guarantees)
            };
            // Optimistic start: a called sop begins with consent until a caller proves otherwise.
            let mut consented_entry: Vec<bool> =
                call_sites.iter().map(|sites| !sites.is_empty()).collect();
            let mut why: Vec<Option<(usize, NodeIndex)>> = vec![None; graphs.len()];
            let mut without: Vec<Option<Vec<Option<NodeIndex>>>> = vec![None; graphs.len()];
            let mut work: Vec<usize> = (0..graphs.len()).filter(|&i| !consented_entry[i]).collect();
            while let Some(c) = work.pop() {
                let g = &graphs[c];
                let Some(start) = g.start else { continue };
                // Nodes reachable from the start on a path with no consent before them.
                let parent = reach_without(g, start, |n| gives(g, n));
                for (i, step) in g.sop.steps.iter().enumerate() {
                    let Some(n) = g.step_nodes[i] else { continue };
                    if parent[n.index()].is_none() || gives(g, n) {
                        continue;
                    }
                    for callee in &step.calls {
                        if let Some(&s) = index.get(callee.name.as_str()) {
                            if consented_entry[s] {
                                consented_entry[s] = false;
                                why[s] = Some((c, n));
                                work.push(s);
                            }
                        }
                    }
                }
                without[c] = Some(parent);
            }
            for (c, g) in graphs.iter().enumerate() {
                let Some(parent) = &without[c] else { continue };
                for (i, step) in g.sop.steps.iter().enumerate() {
                    let Some(n) = g.step_nodes[i] else { continue };
                    if parent[n.index()].is_none() || gives(g, n) {
                        continue;
                    }
                    for svc in referrals(step) {
                        let Some(&(_, share)) = self
                            .consent_for_service
                            .get(svc.name.as_str())
                            .and_then(|v| v.iter().find(|(p, _)| std::ptr::eq(*p, policy)))
                        else {
                            continue;
                        };
                        let path =
                            text::arrow_path(g.path_to(parent, n).iter().map(String::as_str));
                        let mut d = Diagnostic::new(
                            Code::ShareWithoutConsent,
                            svc.span,
                            Text::new(
                                format!("referral to `{}` shares data that needs consent under policy `{}`, but a path reaches it without consent", svc.name, policy.name.name),
                                format!("rujukan ke `{}` membagikan data yang memerlukan persetujuan menurut kebijakan `{}`, tetapi ada jalur yang mencapainya tanpa persetujuan", svc.name, policy.name.name),
                            ),
                        )
                        .with_label(share.span, Text::new("consent required here", "persetujuan diwajibkan di sini"))
                        .with_note(Text::new(format!("path without consent: {path}"), format!("jalur tanpa persetujuan: {path}")));
                        if let Some((caller, site)) = why[c] {
                            let (cs, st) = (
                                &graphs[caller].sop.name.name,
                                graphs[caller].node_name(site),
                            );
                            d = d.with_note(Text::new(
                                format!("sop `{}` is called from step `{st}` of sop `{cs}`, which a path reaches without consent", g.sop.name.name),
                                format!("sop `{}` dipanggil dari langkah `{st}` pada sop `{cs}`, yang dicapai suatu jalur tanpa persetujuan", g.sop.name.name),
                            ));
                        }
                        diags.push(d.with_help(Text::new(
                            format!("add `consent {}` to this step or to a step every path passes before it", policy.name.name),
                            format!("tambahkan `consent {}` pada langkah ini atau pada langkah yang dilalui setiap jalur sebelumnya", policy.name.name),
                        )));
                    }
                }
            }
        }
    }
}

/// Whether step `n` calls an sop that guarantees the consent.
fn calls_guaranteeing(
    g: &SopGraph<'_>,
    n: NodeIndex,
    index: &FxHashMap<&str, usize>,
    guarantees: &[bool],
) -> bool {
    match g.graph[n] {
        Node::Step(i) => g.sop.steps[i]
            .calls
            .iter()
            .any(|c| index.get(c.name.as_str()).is_some_and(|&s| guarantees[s])),
        _ => false,
    }
}

/// Sop indices ordered so that every sop comes after the sops it calls
/// (depth-first post-order; a call cycle, reported elsewhere, is cut).
fn callees_first(graphs: &[SopGraph<'_>], index: &FxHashMap<&str, usize>) -> Vec<usize> {
    let mut order = Vec::with_capacity(graphs.len());
    let mut state = vec![0u8; graphs.len()]; // 0 new, 1 open, 2 done
    for root in 0..graphs.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
        state[root] = 1;
        stack.push((root, callees(&graphs[root], index)));
        while let Some((s, pending)) = stack.last_mut() {
            if let Some(c) = pending.pop() {
                if state[c] == 0 {
                    state[c] = 1;
                    let next = callees(&graphs[c], index);
                    stack.push((c, next));
                }
            } else {
                state[*s] = 2;
                order.push(*s);
                stack.pop();
            }
        }
    }
    order
}

fn callees(g: &SopGraph<'_>, index: &FxHashMap<&str, usize>) -> Vec<usize> {
    g.sop
        .steps
        .iter()
        .flat_map(|s| &s.calls)
        .filter_map(|c| index.get(c.name.as_str()).copied())
        .collect()
}

/// Breadth-first search from `start` for nodes reachable on a path where no
/// node before them satisfies `gives` (such nodes are reached but not
/// expanded). A parallel join is reached that way only when **every** branch
/// reaches it without consent: the join waits for all of them, so consent
/// recorded in any one branch holds after it. Returns BFS parents.
fn reach_without(
    g: &SopGraph<'_>,
    start: NodeIndex,
    gives: impl Fn(NodeIndex) -> bool,
) -> Vec<Option<NodeIndex>> {
    let mut parent = vec![None; g.graph.node_count()];
    let mut arrived: FxHashMap<NodeIndex, Vec<usize>> = FxHashMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    parent[start.index()] = Some(start);
    while let Some(n) = queue.pop_front() {
        if gives(n) {
            continue;
        }
        for m in g.graph.neighbors(n) {
            if parent[m.index()].is_some() {
                continue;
            }
            if let (Node::Join(p), Some((q, b))) = (g.graph[m], g.branch_of[n.index()]) {
                if p == q {
                    let branches = arrived.entry(m).or_default();
                    if !branches.contains(&b) {
                        branches.push(b);
                    }
                    if branches.len() < step_branch_count(g, p) {
                        continue;
                    }
                }
            }
            parent[m.index()] = Some(n);
            queue.push_back(m);
        }
    }
    parent
}

/// Number of distinct step branches of the parallel block of step `p`.
fn step_branch_count(g: &SopGraph<'_>, p: usize) -> usize {
    let Some(par) = &g.sop.steps[p].parallel else {
        return 0;
    };
    (0..par.branches.len())
        .filter(|&b| {
            matches!(par.branches[b], Branch::Steps(_))
                && !crate::graph::repeats_earlier_branch(par, b)
        })
        .count()
}

/// Services a step refers to, in and outside its parallel block.
pub fn referrals(step: &Step) -> impl Iterator<Item = &Ident> {
    step.refers.iter().chain(step.parallel.iter().flat_map(|p| {
        p.branches.iter().filter_map(|b| match b {
            Branch::Refer(id) => Some(id),
            Branch::Steps(_) => None,
        })
    }))
}
