//! The step graph of one SOP (petgraph) and its structural analyses:
//! start/end, unreachable steps, dead ends, endless loops, parallel
//! fork/join balance.

use crate::names::Table;
use crate::text::{self, Kind};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use sopflow_diagnostics::{Code, Diagnostic, Span, Text};
use sopflow_syntax::ast::*;
use std::collections::VecDeque;

/// A node of the step graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// `sop.steps[i]`.
    Step(usize),
    /// `sop.ends[i]`.
    End(usize),
    /// The join of the parallel block of `sop.steps[i]`.
    Join(usize),
}

/// Why an edge exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// `next`, a decision arm or `else`.
    Flow,
    /// `on overdue -> step`.
    Overdue,
    /// From a parallel step to a branch's first step.
    Branch,
    /// From a branch's `next join` (or a refer-only block) to the join.
    ToJoin,
}

/// The step graph of one SOP with its name table.
pub struct SopGraph<'a> {
    /// The SOP.
    pub sop: &'a Sop,
    /// Nodes are steps, ends and joins; edges are possible moves.
    pub graph: DiGraph<Node, Edge>,
    /// Step and end names → nodes (emptied once the structural checks are done).
    pub names: FxHashMap<&'a str, NodeIndex>,
    /// The start node, if exactly resolvable.
    pub start: Option<NodeIndex>,
    /// Node of each step (by index in `sop.steps`), `None` for a duplicate.
    pub step_nodes: Vec<Option<NodeIndex>>,
    /// Join node of each parallel step.
    pub join_nodes: FxHashMap<usize, NodeIndex>,
    /// For each node inside a parallel branch: (parallel step index, branch index).
    pub branch_of: Vec<Option<(usize, usize)>>,
}

impl<'a> SopGraph<'a> {
    /// The display name of a node.
    pub fn node_name(&self, n: NodeIndex) -> String {
        match self.graph[n] {
            Node::Step(i) => self.sop.steps[i].name.name.to_string(),
            Node::End(i) => self.sop.ends[i].name.name.to_string(),
            Node::Join(i) => format!("{}#join", self.sop.steps[i].name.name),
        }
    }

    /// Where a node is declared.
    pub fn node_span(&self, n: NodeIndex) -> Span {
        match self.graph[n] {
            Node::Step(i) | Node::Join(i) => self.sop.steps[i].name.span,
            Node::End(i) => self.sop.ends[i].name.span,
        }
    }

    /// Breadth-first search from `from`, not expanding nodes for which `stop` holds.
    /// Returns the BFS parent of each visited node (`Some(self)` for roots).
    pub fn bfs(&self, from: NodeIndex, stop: impl Fn(NodeIndex) -> bool) -> Vec<Option<NodeIndex>> {
        let mut parent = vec![None; self.graph.node_count()];
        let mut queue = VecDeque::new();
        parent[from.index()] = Some(from);
        queue.push_back(from);
        while let Some(n) = queue.pop_front() {
            if stop(n) {
                continue;
            }
            for m in self.graph.neighbors_directed(n, Direction::Outgoing) {
                if parent[m.index()].is_none() {
                    parent[m.index()] = Some(n);
                    queue.push_back(m);
                }
            }
        }
        parent
    }

    /// The path from the BFS root to `to`, as node names.
    pub fn path_to(&self, parent: &[Option<NodeIndex>], to: NodeIndex) -> Vec<String> {
        let mut path = vec![to];
        let mut cur = to;
        while let Some(p) = parent[cur.index()] {
            if p == cur {
                break;
            }
            path.push(p);
            cur = p;
        }
        path.reverse();
        path.into_iter()
            .filter(|n| !matches!(self.graph[*n], Node::Join(_)))
            .map(|n| self.node_name(n))
            .collect()
    }
}

/// Builds the graph of `sop` and runs every structural check on it.
pub fn check_sop<'a>(sop: &'a Sop, diags: &mut Vec<Diagnostic>) -> SopGraph<'a> {
    let mut g = build(sop, diags);
    let regions = assign_regions(&mut g, diags);
    g.branch_of = regions
        .iter()
        .map(|r| match r {
            Some(Region::Branch { parallel, branch }) => Some((*parallel, *branch)),
            _ => None,
        })
        .collect();
    check_shape(&g, diags);
    // Later passes (consent, lowering) work by node index; free the name table.
    g.names = FxHashMap::default();
    g
}

fn build<'a>(sop: &'a Sop, diags: &mut Vec<Diagnostic>) -> SopGraph<'a> {
    let mut graph = DiGraph::with_capacity(sop.steps.len() + sop.ends.len(), sop.steps.len() * 2);
    let mut table: Table<'a, NodeIndex> = Table::new(Kind::Step);
    let mut step_nodes = Vec::with_capacity(sop.steps.len());
    for (i, step) in sop.steps.iter().enumerate() {
        // A duplicate gets no node: it is reported once, as a duplicate
        // (`declare` keeps the first and ignores the placeholder).
        let node = table
            .get(&step.name.name)
            .is_none()
            .then(|| graph.add_node(Node::Step(i)));
        table.declare(&step.name, node.unwrap_or(NodeIndex::end()), diags);
        step_nodes.push(node);
    }
    for (i, end) in sop.ends.iter().enumerate() {
        let node = table
            .get(&end.name.name)
            .is_none()
            .then(|| graph.add_node(Node::End(i)));
        table.declare(&end.name, node.unwrap_or(NodeIndex::end()), diags);
        for clause in &end.clauses {
            let moves = matches!(clause.keyword.as_str(), "next" | "decide" | "parallel");
            let message = if moves {
                Text::new(
                    format!("end `{}` cannot move on to another step", end.name.name),
                    format!(
                        "akhir `{}` tidak dapat berpindah ke langkah lain",
                        end.name.name
                    ),
                )
            } else {
                Text::new(
                    format!(
                        "end `{}` cannot contain `{}`: an end finishes the case and does no work",
                        end.name.name, clause.keyword
                    ),
                    format!(
                        "akhir `{}` tidak boleh berisi `{}`: akhir menutup kasus dan tidak berisi pekerjaan",
                        end.name.name, clause.keyword
                    ),
                )
            };
            diags.push(
                Diagnostic::new(Code::EndWithClauses, clause.span, message)
                    .with_label(
                        end.name.span,
                        Text::new(
                            "declared as an end here",
                            "dideklarasikan sebagai akhir di sini",
                        ),
                    )
                    .with_help(Text::new(
                        "make it a `step` if work happens there or the case continues after it",
                        "jadikan `step` jika ada pekerjaan di sana atau kasus berlanjut setelahnya",
                    )),
            );
        }
    }
    let scope = Some(sop.name.name.as_str());
    let resolve = |id: &Ident, diags: &mut Vec<Diagnostic>| table.resolve(id, scope, diags);

    // Start.
    let mut start = None;
    match sop.starts.as_slice() {
        [] => diags.push(
            Diagnostic::new(
                Code::MissingStart,
                sop.name.span,
                Text::new(
                    format!("sop `{}` has no `start`", sop.name.name),
                    format!("sop `{}` tidak memiliki `start`", sop.name.name),
                ),
            )
            .with_help(Text::new(
                "add `start <step>` naming the first step",
                "tambahkan `start <langkah>` yang menyebut langkah pertama",
            )),
        ),
        [first, rest @ ..] => {
            start = resolve(first, diags);
            for extra in rest {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateStart,
                        extra.span,
                        Text::new(
                            format!("sop `{}` has more than one start", sop.name.name),
                            format!("sop `{}` memiliki lebih dari satu awal", sop.name.name),
                        ),
                    )
                    .with_label(
                        first.span,
                        Text::new("first start here", "awal pertama di sini"),
                    )
                    .with_help(Text::new(
                        "use a decision in the first step to choose between paths",
                        "gunakan keputusan pada langkah pertama untuk memilih jalur",
                    )),
                );
            }
        }
    }
    if sop.ends.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::MissingEnd,
                sop.name.span,
                Text::new(
                    format!("sop `{}` has no `end`", sop.name.name),
                    format!("sop `{}` tidak memiliki `end`", sop.name.name),
                ),
            )
            .with_help(Text::new(
                "declare at least one `end` where a case finishes",
                "deklarasikan paling sedikit satu `end` tempat kasus selesai",
            )),
        );
    }

    // Edges.
    let mut join_nodes = FxHashMap::default();
    for (i, step) in sop.steps.iter().enumerate() {
        let Some(from) = step_nodes[i] else { continue };
        // A parallel step's transitions leave from its join.
        let exit = match &step.parallel {
            Some(par) => {
                let join = graph.add_node(Node::Join(i));
                join_nodes.insert(i, join);
                let mut any_steps = false;
                let mut listed: Vec<&Ident> = Vec::new();
                for b in &par.branches {
                    if let Branch::Steps(id) = b {
                        if let Some(first) = listed.iter().find(|f| f.name == id.name) {
                            diags.push(
                                Diagnostic::new(
                                    Code::DuplicateName,
                                    id.span,
                                    Text::new(
                                        format!(
                                            "branch `{}` is listed twice in this parallel block",
                                            id.name
                                        ),
                                        format!(
                                            "cabang `{}` disebut dua kali dalam blok paralel ini",
                                            id.name
                                        ),
                                    ),
                                )
                                .with_label(first.span, text::first_declared_here()),
                            );
                            continue;
                        }
                        listed.push(id);
                        any_steps = true;
                        if let Some(t) = resolve(id, diags) {
                            graph.add_edge(from, t, Edge::Branch);
                        }
                    }
                }
                if !any_steps {
                    graph.add_edge(from, join, Edge::ToJoin);
                }
                join
            }
            None => from,
        };
        for target in step_targets(step) {
            if let Target::Step(id) = target {
                if let Some(t) = resolve(id, diags) {
                    graph.add_edge(exit, t, Edge::Flow);
                }
            }
        }
        if let Some(Deadline {
            on_overdue: Some(Overdue::Goto(id)),
            ..
        }) = &step.within
        {
            if let Some(t) = resolve(id, diags) {
                graph.add_edge(from, t, Edge::Overdue);
            }
        }
    }
    let names = table.iter().collect();
    SopGraph {
        sop,
        graph,
        names,
        start,
        step_nodes,
        join_nodes,
        branch_of: Vec::new(),
    }
}

/// Every target of a step's `next`/`decide`.
pub fn step_targets(step: &Step) -> Vec<&Target> {
    match &step.transition {
        None => Vec::new(),
        Some(Transition::Next(t)) => vec![t],
        Some(Transition::Decide(d)) => d
            .arms
            .iter()
            .map(|a| &a.target)
            .chain(d.default.as_ref())
            .collect(),
    }
}

/// Which flow a step belongs to: the main flow, or one branch of one parallel block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Main,
    Branch { parallel: usize, branch: usize },
}

/// For each parallel block, finds the steps of each branch, wires `next join`
/// to the right join, and reports branches that escape, share steps, or
/// `join` outside any branch.
fn assign_regions(g: &mut SopGraph<'_>, diags: &mut Vec<Diagnostic>) -> Vec<Option<Region>> {
    let sop = g.sop;
    let mut region: Vec<Option<Region>> = vec![None; g.graph.node_count()];
    let mut to_join = Vec::new();
    let mut escaped: Vec<(usize, usize)> = Vec::new();

    // Walks a region: within it, a parallel step continues at its own join.
    let walk = |g: &SopGraph<'_>,
                root: NodeIndex,
                r: Region,
                region: &mut Vec<Option<Region>>,
                to_join: &mut Vec<(NodeIndex, Region)>|
     -> Option<(NodeIndex, Option<Region>)> {
        let mut conflict = None;
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            // An end inside a branch is an escape whatever else reaches it.
            if matches!(r, Region::Branch { .. }) && matches!(g.graph[n], Node::End(_)) {
                conflict.get_or_insert((n, None));
                continue;
            }
            match region[n.index()] {
                Some(existing) if existing == r => continue,
                Some(other) => {
                    conflict.get_or_insert((n, Some(other)));
                    continue;
                }
                None => region[n.index()] = Some(r),
            }
            if let Node::Step(i) = g.graph[n] {
                if step_targets(&sop.steps[i])
                    .iter()
                    .any(|t| matches!(t, Target::Join(_)))
                {
                    to_join.push((n, r));
                }
                if let Some(&join) = g.join_nodes.get(&i) {
                    stack.push(join);
                    for e in g.graph.edges(n) {
                        if *e.weight() == Edge::Overdue {
                            stack.push(e.target());
                        }
                    }
                    continue;
                }
            }
            for m in g.graph.neighbors(n) {
                stack.push(m);
            }
        }
        conflict
    };

    if let Some(start) = g.start {
        walk(g, start, Region::Main, &mut region, &mut to_join);
    }
    let parallels: Vec<usize> = g
        .join_nodes
        .keys()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for &p in &parallels {
        let Some(par) = &sop.steps[p].parallel else {
            continue;
        };
        for (b, branch) in par.branches.iter().enumerate() {
            let Branch::Steps(id) = branch else { continue };
            if repeats_earlier_branch(par, b) {
                continue;
            }
            let Some(&root) = g.names.get(id.name.as_str()) else {
                continue;
            };
            let r = Region::Branch {
                parallel: p,
                branch: b,
            };
            let Some((conflict, other)) = walk(g, root, r, &mut region, &mut to_join) else {
                continue;
            };
            // When this branch's first step was already taken by another
            // branch, that other branch is the one that escaped.
            let (culprit, victim) = match other {
                Some(Region::Branch {
                    parallel: q,
                    branch: c,
                }) if conflict == root => ((q, c), Some(r)),
                _ => ((p, b), other),
            };
            if escaped.contains(&culprit) {
                continue;
            }
            escaped.push(culprit);
            diags.push(escape_diagnostic(g, culprit, conflict, victim));
        }
    }

    // Wire `next join` to the enclosing parallel's join node.
    for (n, r) in to_join {
        let Node::Step(i) = g.graph[n] else { continue };
        match r {
            Region::Branch { parallel, .. } => {
                if let Some(&join) = g.join_nodes.get(&parallel) {
                    g.graph.add_edge(n, join, Edge::ToJoin);
                }
            }
            Region::Main => {
                for t in step_targets(&sop.steps[i]) {
                    if let Target::Join(span) = t {
                        diags.push(
                            Diagnostic::new(
                                Code::JoinOutsideParallel,
                                *span,
                                Text::new(format!("step `{}` is not inside a parallel branch, so there is no join to go to", sop.steps[i].name.name), format!("langkah `{}` tidak berada di dalam cabang paralel, jadi tidak ada titik gabung", sop.steps[i].name.name)),
                            )
                            .with_help(Text::new("name the next step instead of `join`", "sebutkan langkah berikutnya alih-alih `join`")),
                        );
                    }
                }
            }
        }
    }
    // Branches that never reach their join.
    for &p in &parallels {
        let (Some(par), Some(&join)) = (&sop.steps[p].parallel, g.join_nodes.get(&p)) else {
            continue;
        };
        for (b, branch) in par.branches.iter().enumerate() {
            let Branch::Steps(id) = branch else { continue };
            if repeats_earlier_branch(par, b) {
                continue;
            }
            let Some(&root) = g.names.get(id.name.as_str()) else {
                continue;
            };
            if escaped.contains(&(p, b)) {
                continue;
            }
            let parent = g.bfs(root, |n| n == join);
            if parent[join.index()].is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::ParallelBranchNoJoin,
                        id.span,
                        Text::new(
                            format!("parallel branch `{}` of step `{}` never reaches `next join`", id.name, sop.steps[p].name.name),
                            format!("cabang paralel `{}` dari langkah `{}` tidak pernah mencapai `next join`", id.name, sop.steps[p].name.name),
                        ),
                    )
                    .with_label(sop.steps[p].name.span, Text::new("the block waits here for every branch", "blok menunggu setiap cabang di sini"))
                    .with_help(Text::new("end the branch's last step with `next join`", "akhiri langkah terakhir cabang dengan `next join`")),
                );
            }
        }
    }
    region
}

/// Whether branch `b` names the same step as an earlier branch (reported once, as a duplicate).
pub(crate) fn repeats_earlier_branch(par: &Parallel, b: usize) -> bool {
    let Some(Branch::Steps(id)) = par.branches.get(b) else {
        return false;
    };
    par.branches[..b]
        .iter()
        .any(|e| matches!(e, Branch::Steps(x) if x.name == id.name))
}

/// The name and span of branch `b` of the parallel step `p`.
fn branch_ident<'a>(g: &SopGraph<'a>, (p, b): (usize, usize)) -> Option<&'a Ident> {
    match g.sop.steps[p].parallel.as_ref()?.branches.get(b)? {
        Branch::Steps(id) => Some(id),
        Branch::Refer(_) => None,
    }
}

fn escape_diagnostic(
    g: &SopGraph<'_>,
    culprit: (usize, usize),
    reached: NodeIndex,
    owner: Option<Region>,
) -> Diagnostic {
    let step = &g.sop.steps[culprit.0].name.name;
    let Some(id) = branch_ident(g, culprit) else {
        return Diagnostic::new(
            Code::ParallelBranchEscapes,
            g.sop.steps[culprit.0].name.span,
            Text::new(
                "a parallel branch leaves its block",
                "cabang paralel keluar dari bloknya",
            ),
        );
    };
    let what = g.node_name(reached);
    let (where_en, where_id) = match owner {
        None => (
            "an end, so the join would wait forever".to_string(),
            "sebuah akhir, sehingga titik gabung menunggu selamanya".to_string(),
        ),
        Some(Region::Main) => (
            "a step of the main flow".to_string(),
            "langkah alur utama".to_string(),
        ),
        Some(Region::Branch { parallel, branch }) => {
            let other = branch_ident(g, (parallel, branch))
                .map(|i| i.name.as_str())
                .unwrap_or("?");
            let of = &g.sop.steps[parallel].name.name;
            (
                format!("a step of branch `{other}` of step `{of}`"),
                format!("langkah cabang `{other}` dari langkah `{of}`"),
            )
        }
    };
    let mut d = Diagnostic::new(
        Code::ParallelBranchEscapes,
        id.span,
        Text::new(
            format!("parallel branch `{}` of step `{step}` leaves its block: it reaches `{what}`, {where_en}", id.name),
            format!("cabang paralel `{}` dari langkah `{step}` keluar dari bloknya: mencapai `{what}`, {where_id}", id.name),
        ),
    )
    .with_label(g.node_span(reached), Text::new("reached from the branch here", "dicapai dari cabang di sini"))
    .with_help(Text::new("end every branch with `next join` and keep its steps to itself", "akhiri setiap cabang dengan `next join` dan jangan berbagi langkahnya"));
    if let Some(Region::Branch { parallel, branch }) = owner {
        if let Some(other) = branch_ident(g, (parallel, branch)) {
            d = d.with_label(
                other.span,
                Text::new("that branch starts here", "cabang itu dimulai di sini"),
            );
        }
    }
    d
}

fn check_shape(g: &SopGraph<'_>, diags: &mut Vec<Diagnostic>) {
    let sop = g.sop;
    // Dead ends: steps with nowhere to go.
    for (i, step) in sop.steps.iter().enumerate() {
        if g.step_nodes[i].is_none() {
            continue;
        }
        let no_way_out = match &step.transition {
            None => true,
            Some(Transition::Decide(d)) => d.arms.is_empty() && d.default.is_none(),
            Some(Transition::Next(_)) => false,
        };
        if no_way_out {
            diags.push(
                Diagnostic::new(
                    Code::DeadEnd,
                    step.name.span,
                    Text::new(
                        format!("step `{}` is not an end and has no way out", step.name.name),
                        format!(
                            "langkah `{}` bukan akhir dan tidak memiliki jalan keluar",
                            step.name.name
                        ),
                    ),
                )
                .with_help(Text::new(
                    "add `next <step>` or a `decide` block, or declare it with `end`",
                    "tambahkan `next <langkah>` atau blok `decide`, atau deklarasikan dengan `end`",
                )),
            );
        }
    }
    let Some(start) = g.start else { return };

    // Unreachable steps and ends.
    let parent = g.bfs(start, |_| false);
    for n in g.graph.node_indices() {
        if parent[n.index()].is_some() || matches!(g.graph[n], Node::Join(_)) {
            continue;
        }
        let name = g.node_name(n);
        let (en, id) = if matches!(g.graph[n], Node::End(_)) {
            ("end", "akhir")
        } else {
            ("step", "langkah")
        };
        diags.push(
            Diagnostic::new(
                Code::UnreachableStep,
                g.node_span(n),
                Text::new(
                    format!("{en} `{name}` can never be reached from the start"),
                    format!("{id} `{name}` tidak pernah dapat dicapai dari awal"),
                ),
            )
            .with_label(
                g.node_span(start),
                Text::new("the sop starts here", "sop dimulai di sini"),
            )
            .with_help(Text::new(
                "point a `next` or a decision at it, or remove it",
                "arahkan `next` atau keputusan ke langkah ini, atau hapus",
            )),
        );
    }

    // Endless loops: reachable cycles from which no end can be reached.
    let mut can_end = vec![false; g.graph.node_count()];
    let mut queue: VecDeque<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|n| matches!(g.graph[*n], Node::End(_)))
        .collect();
    for n in &queue {
        can_end[n.index()] = true;
    }
    while let Some(n) = queue.pop_front() {
        for m in g.graph.neighbors_directed(n, Direction::Incoming) {
            if !can_end[m.index()] {
                can_end[m.index()] = true;
                queue.push_back(m);
            }
        }
    }
    if sop.ends.is_empty() {
        return; // missing-end already says it
    }
    // Kosaraju is iterative in petgraph; Tarjan recurses once per node and
    // overflowed the stack on a 10^5-step linear sop.
    let sccs = petgraph::algo::kosaraju_scc(&g.graph);
    let mut scc_of = vec![usize::MAX; g.graph.node_count()];
    for (k, scc) in sccs.iter().enumerate() {
        for n in scc {
            scc_of[n.index()] = k;
        }
    }
    let mut reports = Vec::new();
    for (k, scc) in sccs.iter().enumerate() {
        let Some(&first) = scc.first() else { continue };
        if can_end[first.index()] || parent[first.index()].is_none() {
            continue;
        }
        let cyclic = scc.len() > 1 || g.graph.contains_edge(first, first);
        let sink = scc
            .iter()
            .all(|&n| g.graph.neighbors(n).all(|m| scc_of[m.index()] == k));
        if !(cyclic && sink) {
            continue;
        }
        // Entry: the cycle node closest to the start.
        let entry = scc
            .iter()
            .copied()
            .min_by_key(|n| (path_len(&parent, *n), n.index()))
            .unwrap_or(first);
        let to_entry = g.path_to(&parent, entry);
        let around = g.bfs(entry, |n| scc_of[n.index()] != k);
        let back = g
            .graph
            .neighbors_directed(entry, Direction::Incoming)
            .filter(|p| scc_of[p.index()] == k && around[p.index()].is_some())
            .min_by_key(|p| (path_len(&around, *p), p.index()));
        let mut cycle = back.map(|b| g.path_to(&around, b)).unwrap_or_default();
        cycle.push(g.node_name(entry));
        reports.push((entry, to_entry, cycle));
    }
    reports.sort_by_key(|(e, _, _)| g.node_span(*e));
    for (entry, to_entry, cycle) in reports {
        let name = g.node_name(entry);
        let cycle_text = text::arrow_path(cycle.iter().map(String::as_str));
        let path_text = text::arrow_path(to_entry.iter().map(String::as_str));
        diags.push(
            Diagnostic::new(Code::NoEndReachable, g.node_span(entry), Text::new(format!("no end can be reached from step `{name}`: the case would loop forever"), format!("tidak ada akhir yang dapat dicapai dari langkah `{name}`: kasus akan berputar selamanya")))
                .with_note(Text::new(format!("reached by: {path_text}"), format!("dicapai melalui: {path_text}")))
                .with_note(Text::new(format!("then loops: {cycle_text}, with no way to an end"), format!("lalu berputar: {cycle_text}, tanpa jalan ke akhir")))
                .with_help(Text::new("give one step of the loop a decision that leads out of it", "beri salah satu langkah dalam putaran keputusan yang keluar darinya")),
        );
    }
}

fn path_len(parent: &[Option<NodeIndex>], mut n: NodeIndex) -> usize {
    let mut len = 0;
    while let Some(p) = parent[n.index()] {
        if p == n {
            break;
        }
        len += 1;
        n = p;
    }
    len
}
