//! The drawing of one SOP, independent of the output format: nodes with
//! their shapes and label lines, clusters for parallel blocks, and edges.

use crate::Library;
use crate::guard::guard_text;
use sopflow_syntax::ast::{self, Branch, Overdue, Target, TimeUnit, Transition};
use std::collections::{HashMap, HashSet, VecDeque};

/// What a node stands for, which decides its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The start marker, with an edge to the sop's `start` step.
    Start,
    /// A step (rounded box).
    Step,
    /// A step that `call`s other sops (subroutine box).
    Call,
    /// An `end` (terminal shape).
    End,
    /// A `refer` item of a parallel block.
    Referral,
    /// The join of a parallel block.
    Join,
}

/// One node of a diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Identifier, unique in the diagram: ASCII letters, digits and `_`.
    pub id: String,
    /// What it stands for.
    pub shape: Shape,
    /// Label, one entry per line (plain text; renderers escape it).
    pub lines: Vec<String>,
    /// Index in [`Diagram::clusters`] of the parallel block it is drawn in.
    pub cluster: Option<usize>,
}

/// A parallel block drawn as a box around its branches, referrals and join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Identifier, unique in the diagram.
    pub id: String,
    /// The name of the step that owns the block.
    pub step: String,
    /// Index of the enclosing block, for a block inside a branch of another.
    pub parent: Option<usize>,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeStyle {
    /// `next`, a decision arm, a fork into a branch or referral, a join: solid.
    Flow,
    /// `on overdue -> step`: dashed.
    Overdue,
}

/// One edge of a diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Id of the source node.
    pub from: String,
    /// Id of the target node.
    pub to: String,
    /// Label: a guard, `else`, or the deadline of an overdue move.
    pub label: Option<String>,
    /// Solid or dashed.
    pub style: EdgeStyle,
}

/// The drawing of one sop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The sop's name.
    pub name: String,
    /// The sop's title, if it has one.
    pub title: Option<String>,
    /// The file the sop is declared in.
    pub file: String,
    /// Nodes in source order: the start marker, steps, ends, then each
    /// parallel block's referrals and join.
    pub nodes: Vec<Node>,
    /// Parallel blocks, in the order of their steps.
    pub clusters: Vec<Cluster>,
    /// Edges in source order.
    pub edges: Vec<Edge>,
}

/// The id of the node drawn for step or end `name`.
fn step_id(name: &str) -> String {
    format!("s_{name}")
}

/// The id of the join node of the parallel block of step `name`.
fn join_id(name: &str) -> String {
    format!("j_{name}")
}

/// A title, unless it is missing or blank.
pub(crate) fn title_of(title: Option<&ast::StrLit>) -> Option<&str> {
    title
        .map(|t| t.value.as_str())
        .filter(|t| !t.trim().is_empty())
}

/// `1 day`, `2 workdays`, `24 hours`.
pub(crate) fn duration_text(d: &ast::Duration) -> String {
    let unit = match d.unit {
        TimeUnit::Minutes => "minute",
        TimeUnit::Hours => "hour",
        TimeUnit::Days => "day",
        TimeUnit::Workdays => "workday",
        TimeUnit::Weeks => "week",
        TimeUnit::Months => "month",
        TimeUnit::Years => "year",
    };
    let s = if d.amount == 1 { "" } else { "s" };
    format!("{} {unit}{s}", d.amount)
}

/// For each step inside a parallel branch, the step whose block it belongs
/// to (the innermost block). A branch is every step reachable from its first
/// step by `next`, decision arms and `on overdue ->` without passing a join.
/// In a bundle that passes the checker the regions are disjoint; otherwise
/// a step keeps the first block that reached it.
fn regions(sop: &ast::Sop) -> HashMap<&str, &str> {
    let steps: HashMap<&str, &ast::Step> = sop
        .steps
        .iter()
        .map(|s| (s.name.name.as_str(), s))
        .collect();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for parent in &sop.steps {
        let Some(parallel) = &parent.parallel else {
            continue;
        };
        let p = parent.name.name.as_str();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = parallel
            .branches
            .iter()
            .filter_map(|b| match b {
                Branch::Steps(first) => Some(first.name.as_str()),
                Branch::Refer(_) => None,
            })
            .collect();
        while let Some(name) = queue.pop_front() {
            if name == p || !seen.insert(name) {
                continue;
            }
            let Some(step) = steps.get(name) else {
                continue;
            };
            owner.entry(name).or_insert(p);
            queue.extend(successors(step));
        }
    }
    owner
}

/// The steps a step may move to by itself (not its parallel branches).
fn successors(step: &ast::Step) -> Vec<&str> {
    let mut out = Vec::new();
    match &step.transition {
        Some(Transition::Next(Target::Step(t))) => out.push(t.name.as_str()),
        Some(Transition::Decide(d)) => {
            for arm in &d.arms {
                if let Target::Step(t) = &arm.target {
                    out.push(t.name.as_str());
                }
            }
            if let Some(Target::Step(t)) = &d.default {
                out.push(t.name.as_str());
            }
        }
        _ => {}
    }
    if let Some(Overdue::Goto(t)) = step.within.as_ref().and_then(|w| w.on_overdue.as_ref()) {
        out.push(t.name.as_str());
    }
    out
}

/// Builds the drawing of `sop`, declared in `file`, of bundle `library`
/// (used for the titles of called sops).
pub(crate) fn build(library: &Library<'_>, file: &str, sop: &ast::Sop) -> Diagram {
    let owner = regions(sop);
    let known: HashSet<&str> = sop
        .steps
        .iter()
        .map(|s| s.name.name.as_str())
        .chain(sop.ends.iter().map(|e| e.name.name.as_str()))
        .collect();

    let mut clusters = Vec::new();
    let mut cluster_of_step: HashMap<&str, usize> = HashMap::new();
    for step in sop.steps.iter().filter(|s| s.parallel.is_some()) {
        let name = step.name.name.as_str();
        // Two steps of the same name (a checker error) share the first's block.
        if cluster_of_step.contains_key(name) {
            continue;
        }
        cluster_of_step.insert(name, clusters.len());
        clusters.push(Cluster {
            id: format!("p_{name}"),
            step: name.to_string(),
            parent: None,
        });
    }
    // The block a step is drawn in: the block of the step that owns its region.
    let enclosing = |name: &str| {
        owner
            .get(name)
            .and_then(|p| cluster_of_step.get(p).copied())
    };
    for cluster in &mut clusters {
        cluster.parent = enclosing(&cluster.step);
    }
    // Blocks that enclose each other (only in a bundle the checker rejects):
    // cut the cycle so that every block hangs from the top.
    for i in 0..clusters.len() {
        let mut at = clusters[i].parent;
        for _ in 0..clusters.len() {
            match at {
                Some(p) if p == i => {
                    clusters[i].parent = None;
                    break;
                }
                Some(p) => at = clusters.get(p).and_then(|c| c.parent),
                None => break,
            }
        }
    }

    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let flow = |from: String, to: String, label: Option<String>| Edge {
        from,
        to,
        label,
        style: EdgeStyle::Flow,
    };

    if let Some(start) = sop.starts.first() {
        nodes.push(Node {
            id: "start".into(),
            shape: Shape::Start,
            lines: vec!["start".into()],
            cluster: None,
        });
        if known.contains(start.name.as_str()) {
            edges.push(flow("start".into(), step_id(&start.name), None));
        }
    }

    // Where a transition target is drawn; `None` when it names nothing.
    let target_id = |from_step: &str, target: &Target| -> Option<String> {
        match target {
            Target::Step(t) => known.contains(t.name.as_str()).then(|| step_id(&t.name)),
            Target::Join(_) => owner.get(from_step).map(|p| join_id(p)),
        }
    };

    let mut block_nodes = Vec::new();
    for step in &sop.steps {
        let name = step.name.name.as_str();
        let id = step_id(name);
        nodes.push(Node {
            id: id.clone(),
            shape: if step.calls.is_empty() {
                Shape::Step
            } else {
                Shape::Call
            },
            lines: step_lines(library, step),
            cluster: enclosing(name),
        });

        // A step with a parallel block forks into its branches and referrals;
        // its own transition leaves from the join.
        let mut origin = id.clone();
        if let (Some(parallel), Some(&cluster)) = (&step.parallel, cluster_of_step.get(name)) {
            let join = join_id(name);
            let mut forks = 0;
            for (i, branch) in parallel.branches.iter().enumerate() {
                match branch {
                    Branch::Steps(first) => {
                        if known.contains(first.name.as_str()) {
                            edges.push(flow(id.clone(), step_id(&first.name), None));
                            forks += 1;
                        }
                    }
                    Branch::Refer(service) => {
                        let referral = format!("r_{name}_{i}");
                        block_nodes.push(Node {
                            id: referral.clone(),
                            shape: Shape::Referral,
                            lines: vec![format!("refer {}", service.name)],
                            cluster: Some(cluster),
                        });
                        edges.push(flow(id.clone(), referral.clone(), None));
                        edges.push(flow(referral, join.clone(), None));
                        forks += 1;
                    }
                }
            }
            if forks == 0 {
                edges.push(flow(id.clone(), join.clone(), None));
            }
            block_nodes.push(Node {
                id: join.clone(),
                shape: Shape::Join,
                lines: vec!["join".into()],
                cluster: Some(cluster),
            });
            origin = join;
        }

        match &step.transition {
            Some(Transition::Next(target)) => {
                if let Some(to) = target_id(name, target) {
                    edges.push(flow(origin.clone(), to, None));
                }
            }
            Some(Transition::Decide(decision)) => {
                for arm in &decision.arms {
                    if let Some(to) = target_id(name, &arm.target) {
                        edges.push(flow(origin.clone(), to, Some(guard_text(&arm.guard))));
                    }
                }
                if let Some(to) = decision.default.as_ref().and_then(|t| target_id(name, t)) {
                    edges.push(flow(origin.clone(), to, Some("else".into())));
                }
            }
            None => {}
        }

        if let Some(deadline) = &step.within {
            if let Some(Overdue::Goto(t)) = &deadline.on_overdue {
                if known.contains(t.name.as_str()) {
                    edges.push(Edge {
                        from: id.clone(),
                        to: step_id(&t.name),
                        label: Some(format!(
                            "overdue after {}",
                            duration_text(&deadline.duration)
                        )),
                        style: EdgeStyle::Overdue,
                    });
                }
            }
        }
    }
    for end in &sop.ends {
        nodes.push(Node {
            id: step_id(&end.name.name),
            shape: Shape::End,
            lines: name_lines(&end.name.name, title_of(end.title.as_ref())),
            cluster: None,
        });
    }
    nodes.extend(block_nodes);

    Diagram {
        name: sop.name.name.to_string(),
        title: title_of(sop.title.as_ref()).map(str::to_string),
        file: file.to_string(),
        nodes,
        clusters,
        edges,
    }
}

/// `Title` and `(name)`, or just `name` when there is no title (or the
/// title is the name).
fn name_lines(name: &str, title: Option<&str>) -> Vec<String> {
    match title {
        Some(t) if t != name => vec![t.to_string(), format!("({name})")],
        _ => vec![name.to_string()],
    }
}

/// Comma-separated names.
fn names(list: &[ast::Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A step's label: title and name, then who, how long, consent, own
/// referrals and calls.
fn step_lines(library: &Library<'_>, step: &ast::Step) -> Vec<String> {
    let mut lines = name_lines(&step.name.name, title_of(step.title.as_ref()));
    if !step.performers.is_empty() {
        lines.push(format!("by {}", names(&step.performers)));
    }
    if let Some(deadline) = &step.within {
        lines.push(format!("within {}", duration_text(&deadline.duration)));
    }
    if !step.consents.is_empty() {
        lines.push(format!("consent {}", names(&step.consents)));
    }
    if !step.refers.is_empty() {
        lines.push(format!("refer {}", names(&step.refers)));
    }
    for call in &step.calls {
        lines.push(match library.title(&call.name) {
            Some(title) => format!("call {title} ({})", call.name),
            None => format!("call {}", call.name),
        });
    }
    lines
}

/// One event of a walk through the nesting of a diagram.
pub(crate) enum Walk<'d> {
    /// A node, at a nesting depth (1 at the top).
    Node(&'d Node, usize),
    /// The start of a parallel block, at a depth; its nodes and inner blocks follow.
    Open(&'d Cluster, usize),
    /// The end of the block opened last at that depth.
    Close(usize),
}

impl Diagram {
    /// Every node, each inside its parallel block: top-level nodes first,
    /// then each top-level block with its nodes and, after them, its inner
    /// blocks. Iterative, as blocks may nest deeply.
    pub(crate) fn walk(&self) -> Vec<Walk<'_>> {
        let n = self.clusters.len();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut members: Vec<Vec<&Node>> = vec![Vec::new(); n];
        let mut top_clusters = Vec::new();
        let mut out = Vec::with_capacity(self.nodes.len() + 2 * n);
        for (i, c) in self.clusters.iter().enumerate() {
            match c.parent.and_then(|p| children.get_mut(p)) {
                Some(list) => list.push(i),
                None => top_clusters.push(i),
            }
        }
        for node in &self.nodes {
            match node.cluster.and_then(|c| members.get_mut(c)) {
                Some(list) => list.push(node),
                None => out.push(Walk::Node(node, 1)),
            }
        }
        enum Visit {
            Open(usize, usize),
            Close(usize),
        }
        let mut stack: Vec<Visit> = top_clusters
            .iter()
            .rev()
            .map(|&c| Visit::Open(c, 1))
            .collect();
        while let Some(visit) = stack.pop() {
            match visit {
                Visit::Open(c, depth) => {
                    let Some(cluster) = self.clusters.get(c) else {
                        continue;
                    };
                    out.push(Walk::Open(cluster, depth));
                    for node in members.get(c).into_iter().flatten() {
                        out.push(Walk::Node(node, depth + 1));
                    }
                    stack.push(Visit::Close(depth));
                    if let Some(kids) = children.get(c) {
                        stack.extend(kids.iter().rev().map(|&k| Visit::Open(k, depth + 1)));
                    }
                }
                Visit::Close(depth) => out.push(Walk::Close(depth)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagram_of(text: &str, sop: &str) -> Diagram {
        let (file, diags) = sopflow_syntax::parse_file(Default::default(), text);
        assert!(diags.is_empty(), "{:?}", diags[0].message.en);
        let library = Library::new([("t.sop", &file)]);
        let entry = *library.get(sop).expect("the sop exists");
        library.diagram(&entry)
    }

    fn node<'d>(d: &'d Diagram, id: &str) -> &'d Node {
        d.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node {id} in {d:#?}"))
    }

    /// Edges as `from -> to [label]`, dashed ones as `from ..> to`.
    fn edges(d: &Diagram) -> Vec<String> {
        d.edges
            .iter()
            .map(|e| {
                let arrow = match e.style {
                    EdgeStyle::Flow => "->",
                    EdgeStyle::Overdue => "..>",
                };
                match &e.label {
                    Some(l) => format!("{} {arrow} {} [{l}]", e.from, e.to),
                    None => format!("{} {arrow} {}", e.from, e.to),
                }
            })
            .collect()
    }

    #[test]
    fn steps_ends_start_decisions_and_overdue_moves() {
        let d = diagram_of(
            r#"form f { field darurat: bool  field n: int }
            organization o { role petugas "Petugas" role kepala }
            sop s "Layanan" version 2 {
              start a
              step a "Terima" {
                by petugas, kepala
                within 2 workdays, on overdue -> lambat
                consent data
                refer medis
                decide { when f.darurat or f.n > 3 -> cepat  else -> z }
              }
              step cepat { next z }
              step lambat "Lambat" { within 1 hour  next z }
              end z "Selesai"
            }"#,
            "s",
        );
        assert_eq!(d.title.as_deref(), Some("Layanan"));
        assert_eq!(d.file, "t.sop");
        assert_eq!(node(&d, "start").shape, Shape::Start);
        let a = node(&d, "s_a");
        assert_eq!(a.shape, Shape::Step);
        assert_eq!(
            a.lines,
            [
                "Terima",
                "(a)",
                "by petugas, kepala",
                "within 2 workdays",
                "consent data",
                "refer medis"
            ]
        );
        assert_eq!(node(&d, "s_cepat").lines, ["cepat"]);
        assert_eq!(
            node(&d, "s_lambat").lines,
            ["Lambat", "(lambat)", "within 1 hour"]
        );
        let z = node(&d, "s_z");
        assert_eq!(
            (z.shape, z.lines.clone()),
            (Shape::End, vec!["Selesai".into(), "(z)".into()])
        );
        assert_eq!(
            edges(&d),
            [
                "start -> s_a",
                "s_a -> s_cepat [f.darurat or f.n > 3]",
                "s_a -> s_z [else]",
                "s_a ..> s_lambat [overdue after 2 workdays]",
                "s_cepat -> s_z",
                "s_lambat -> s_z",
            ]
        );
        assert!(d.clusters.is_empty());
    }

    #[test]
    fn parallel_blocks_fork_and_join_and_nest() {
        let d = diagram_of(
            "sop p {
              start fork
              step fork { parallel { refer medis  branch b1  branch b2 } next after }
              step b1 { parallel { branch c1 } next b1_more }
              step c1 { decide { when f.x -> join  else -> c2 } }
              step c2 { next join }
              step b1_more { next join }
              step b2 { next join }
              step after { next z }
              end z
            }",
            "p",
        );
        let ids: Vec<(&str, Option<usize>)> = d
            .clusters
            .iter()
            .map(|c| (c.id.as_str(), c.parent))
            .collect();
        assert_eq!(ids, [("p_fork", None), ("p_b1", Some(0))]);
        let cluster = |id: &str| node(&d, id).cluster;
        assert_eq!(cluster("s_fork"), None);
        assert_eq!(cluster("s_b1"), Some(0));
        assert_eq!(cluster("s_b1_more"), Some(0));
        assert_eq!(cluster("s_b2"), Some(0));
        assert_eq!(cluster("r_fork_0"), Some(0));
        assert_eq!(cluster("j_fork"), Some(0));
        assert_eq!(cluster("s_c1"), Some(1));
        assert_eq!(cluster("s_c2"), Some(1));
        assert_eq!(cluster("j_b1"), Some(1));
        assert_eq!(cluster("s_after"), None);
        assert_eq!(node(&d, "r_fork_0").lines, ["refer medis"]);
        assert_eq!(
            edges(&d),
            [
                "start -> s_fork",
                "s_fork -> r_fork_0",
                "r_fork_0 -> j_fork",
                "s_fork -> s_b1",
                "s_fork -> s_b2",
                "j_fork -> s_after",
                "s_b1 -> s_c1",
                "j_b1 -> s_b1_more",
                "s_c1 -> j_b1 [f.x]",
                "s_c1 -> s_c2 [else]",
                "s_c2 -> j_b1",
                "s_b1_more -> j_fork",
                "s_b2 -> j_fork",
                "s_after -> s_z",
            ]
        );
    }

    #[test]
    fn calls_name_the_called_sop_in_a_subroutine_box() {
        let d = diagram_of(
            r#"sop induk { start a  step a { call anak  call tanpa_judul  next z }  end z }
            sop anak "Sub-SOP anak" { start b  step b { next z }  end z }
            sop tanpa_judul { start c  step c { next z }  end z }"#,
            "induk",
        );
        let a = node(&d, "s_a");
        assert_eq!(a.shape, Shape::Call);
        assert_eq!(
            a.lines,
            ["a", "call Sub-SOP anak (anak)", "call tanpa_judul"]
        );
    }

    #[test]
    fn targets_that_name_nothing_are_left_out() {
        // Not a valid bundle: the diagram is drawn without the broken edges.
        let d = diagram_of(
            "sop s { start nowhere  step a { next b }  step c { parallel { branch d } next join } end z }",
            "s",
        );
        assert_eq!(edges(&d), ["s_c -> j_c"]);
        assert_eq!(d.nodes.len(), 5, "{:#?}", d.nodes);
    }

    #[test]
    fn blocks_that_enclose_each_other_are_cut_loose() {
        // Each block's branch leads to the other's step (the checker rejects this).
        let d = diagram_of(
            "sop s { start p
              step p { parallel { branch q } next z }
              step q { parallel { branch p } next z }
              end z }",
            "s",
        );
        assert!(
            d.clusters.iter().any(|c| c.parent.is_none()),
            "{:?}",
            d.clusters
        );
        let walked = d
            .walk()
            .iter()
            .filter(|w| matches!(w, Walk::Node(..)))
            .count();
        assert_eq!(walked, d.nodes.len());
    }

    #[test]
    fn durations_are_singular_for_one() {
        let d = diagram_of(
            "sop s { start a
              step a { within 1 workday next b }
              step b { within 3 months next z }
              end z }",
            "s",
        );
        assert_eq!(node(&d, "s_a").lines[1], "within 1 workday");
        assert_eq!(node(&d, "s_b").lines[1], "within 3 months");
    }
}
