//! Lowering a checked bundle (no errors) to the [`CompiledBundle`] IR.

use crate::graph::SopGraph;
use crate::ir::*;
use crate::{CONSENT_ROOT, REFERRAL_ROOT};
use sha2::{Digest, Sha256};
use sopflow_syntax::ast::{self, Item};
use std::collections::BTreeMap;

/// Lowers a bundle the checker found free of errors. `graphs` are the
/// checker's step graphs of the bundle's SOPs (first declarations only).
pub(crate) fn lower(files: &[ast::File], graphs: &[SopGraph<'_>]) -> CompiledBundle {
    let items = || files.iter().flat_map(|f| &f.items);
    let mut roles = BTreeMap::new();
    let mut chains: Vec<&ast::Escalation> = Vec::new();
    let mut calendars = BTreeMap::new();
    let mut forms = BTreeMap::new();
    let mut services: BTreeMap<String, Vec<ProviderIr>> = BTreeMap::new();
    let mut classes: BTreeMap<String, ClassIr> = BTreeMap::new();
    let mut consent_for_service: BTreeMap<String, Vec<Name>> = BTreeMap::new();
    let mut networks: BTreeMap<&str, &ast::Network> = BTreeMap::new();
    let mut ast_forms: BTreeMap<&str, &ast::Form> = BTreeMap::new();
    for item in items() {
        match item {
            Item::Organization(o) => {
                let mut all = o.roles.iter().collect::<Vec<_>>();
                collect_unit_roles(&o.units, &mut all);
                for r in all {
                    roles.entry(r.name.name.to_string()).or_insert(RoleIr {
                        title: title(&r.title),
                        escalates_to: None,
                    });
                }
                chains.extend(&o.escalations);
            }
            Item::Calendar(c) => {
                let mut workdays = [false; 7];
                if c.workdays.is_empty() {
                    workdays[..5].iter_mut().for_each(|d| *d = true);
                }
                for (d, _) in &c.workdays {
                    workdays[*d as usize] = true;
                }
                let holidays = c
                    .holidays
                    .iter()
                    .map(|h| (h.date.year, h.date.month, h.date.day))
                    .collect();
                calendars
                    .entry(c.name.name.to_string())
                    .or_insert(CalendarIr { workdays, holidays });
            }
            Item::Form(f) => {
                ast_forms.entry(f.name.name.as_str()).or_insert(f);
            }
            Item::Network(n) => {
                networks.entry(n.name.name.as_str()).or_insert(n);
                for p in &n.providers {
                    for svc in &p.offers {
                        services
                            .entry(svc.name.to_string())
                            .or_default()
                            .push(ProviderIr {
                                network: n.name.name.clone(),
                                name: p.name.name.clone(),
                                title: title(&p.title),
                            });
                    }
                }
            }
            Item::Policy(p) => {
                for c in &p.classes {
                    classes.entry(c.name.name.to_string()).or_insert(ClassIr {
                        readers: vec![],
                        writers: vec![],
                    });
                }
            }
            Item::Sop(_) => {}
        }
    }
    // `form.member` paths: field, score or level, from the form's declaration.
    let kind_of = |parts: &[ast::Ident]| -> Option<Guard> {
        let [form, member] = parts else { return None };
        match ast_forms.get(form.name.as_str()) {
            Some(f) => Some(member_guard(f, &member.name)),
            None if form.name == CONSENT_ROOT => Some(Guard::Consent {
                policy: member.name.clone(),
            }),
            None if form.name == REFERRAL_ROOT => Some(Guard::Referral {
                service: member.name.clone(),
            }),
            None => None,
        }
    };
    for (name, f) in &ast_forms {
        forms.insert((*name).to_string(), lower_form(f, &kind_of));
    }
    for chain in chains {
        for pair in chain.chain.windows(2) {
            if let Some(role) = roles.get_mut(pair[0].name.as_str()) {
                role.escalates_to
                    .get_or_insert_with(|| pair[1].name.clone());
            }
        }
    }
    for item in items() {
        let Item::Policy(p) = item else { continue };
        for g in &p.grants {
            for c in &g.classes {
                let Some(class) = classes.get_mut(c.name.as_str()) else {
                    continue;
                };
                for r in &g.roles {
                    for a in &g.access {
                        let list = if *a == ast::Access::Read {
                            &mut class.readers
                        } else {
                            &mut class.writers
                        };
                        if !list.iter().any(|x| *x == r.name) {
                            list.push(r.name.to_string());
                        }
                    }
                }
            }
        }
        for share in p.shares.iter().filter(|s| s.requires_consent) {
            let Some(n) = networks.get(share.network.name.as_str()) else {
                continue;
            };
            for provider in &n.providers {
                for svc in &provider.offers {
                    let list = consent_for_service.entry(svc.name.to_string()).or_default();
                    if !list.contains(&p.name.name) {
                        list.push(p.name.name.clone());
                    }
                }
            }
        }
    }
    let single_calendar = (calendars.len() == 1)
        .then(|| calendars.keys().next().cloned())
        .flatten();
    let sops = graphs
        .iter()
        .map(|g| {
            (
                g.sop.name.name.to_string(),
                lower_sop(g, single_calendar.as_deref(), &kind_of),
            )
        })
        .collect();
    let mut bundle = CompiledBundle {
        hash: String::new(),
        roles,
        calendars,
        forms,
        services,
        consent_for_service,
        classes,
        sops,
    };
    bundle.hash = content_hash(&bundle);
    bundle
}

/// Hex SHA-256 of the bundle's canonical JSON (with an empty hash field).
pub fn content_hash(bundle: &CompiledBundle) -> String {
    let mut copy = bundle.clone();
    copy.hash.clear();
    let bytes = serde_json::to_vec(&copy).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn title(t: &Option<ast::StrLit>) -> Option<String> {
    t.as_ref().map(|s| s.value.to_string())
}

fn collect_unit_roles<'a>(units: &'a [ast::Unit], out: &mut Vec<&'a ast::Role>) {
    for u in units {
        out.extend(&u.roles);
        collect_unit_roles(&u.units, out);
    }
}

fn lower_form(f: &ast::Form, kind_of: &dyn Fn(&[ast::Ident]) -> Option<Guard>) -> FormIr {
    let fields = f
        .fields
        .iter()
        .map(|fd| FieldIr {
            name: fd.name.name.clone(),
            ty: match &fd.ty {
                ast::FieldType::Bool => FieldTy::Bool,
                ast::FieldType::Int { range } => FieldTy::Int {
                    min: range.map(|r| r.lo),
                    max: range.map(|r| r.hi),
                },
                ast::FieldType::Enum(vs) => {
                    FieldTy::Enum(vs.iter().map(|v| v.name.clone()).collect())
                }
                ast::FieldType::Text => FieldTy::Text,
                ast::FieldType::Date => FieldTy::Date,
            },
            required: fd.required,
            class: fd.class.as_ref().map(|c| c.name.to_string()),
        })
        .collect();
    let scores = f
        .scores
        .iter()
        .map(|s| ScoreIr {
            name: s.name.name.clone(),
            rules: s
                .rules
                .iter()
                .map(|r| (lower_guard(&r.guard, Some(f), kind_of), r.points))
                .collect(),
        })
        .collect();
    let levels = f
        .levels
        .iter()
        .map(|l| LevelIr {
            name: l.name.name.clone(),
            score: l.by.name.clone(),
            bands: l
                .bands
                .iter()
                .map(|b| (b.name.name.clone(), b.below))
                .collect(),
        })
        .collect();
    FormIr {
        title: title(&f.title),
        fields,
        scores,
        levels,
    }
}

/// What a `form.member` path names, from the form's declaration.
fn member_guard(form: &ast::Form, member: &str) -> Guard {
    let (f, m) = (form.name.name.to_string(), member.to_string());
    if form.scores.iter().any(|s| s.name.name == member) {
        Guard::Score {
            form: f.into(),
            score: m.into(),
        }
    } else if form.levels.iter().any(|l| l.name.name == member) {
        Guard::Level {
            form: f.into(),
            level: m.into(),
        }
    } else {
        Guard::Field {
            form: f.into(),
            field: m.into(),
        }
    }
}

fn lower_guard(
    e: &ast::Expr,
    local: Option<&ast::Form>,
    kind_of: &dyn Fn(&[ast::Ident]) -> Option<Guard>,
) -> Guard {
    use ast::ExprKind as K;
    let rec = |x: &ast::Expr| Box::new(lower_guard(x, local, kind_of));
    match &e.kind {
        K::Int(n) => Guard::Int(*n),
        K::Bool(b) => Guard::Bool(*b),
        K::Str(s) => Guard::Text(s.as_str().into()),
        K::Date(d) => Guard::Date(d.year, d.month, d.day),
        K::Path(parts) => match parts.as_slice() {
            [one] => match local {
                Some(f)
                    if f.fields.iter().any(|x| x.name.name == one.name)
                        || f.scores.iter().any(|x| x.name.name == one.name)
                        || f.levels.iter().any(|x| x.name.name == one.name) =>
                {
                    member_guard(f, &one.name)
                }
                _ => Guard::Symbol(one.name.clone()),
            },
            _ => kind_of(parts).unwrap_or(Guard::Symbol(Name::default())),
        },
        K::Not(x) => Guard::Not(rec(x)),
        K::And(a, b) => Guard::And(rec(a), rec(b)),
        K::Or(a, b) => Guard::Or(rec(a), rec(b)),
        K::Cmp(op, a, b) => Guard::Cmp(
            match op {
                ast::CmpOp::Eq => CmpIr::Eq,
                ast::CmpOp::Ne => CmpIr::Ne,
                ast::CmpOp::Lt => CmpIr::Lt,
                ast::CmpOp::Le => CmpIr::Le,
                ast::CmpOp::Gt => CmpIr::Gt,
                ast::CmpOp::Ge => CmpIr::Ge,
            },
            rec(a),
            rec(b),
        ),
        K::In(a, vs) => Guard::In(
            rec(a),
            vs.iter().map(|v| lower_guard(v, local, kind_of)).collect(),
        ),
    }
}

fn unit(u: ast::TimeUnit) -> TimeUnitIr {
    match u {
        ast::TimeUnit::Minutes => TimeUnitIr::Minutes,
        ast::TimeUnit::Hours => TimeUnitIr::Hours,
        ast::TimeUnit::Days => TimeUnitIr::Days,
        ast::TimeUnit::Workdays => TimeUnitIr::Workdays,
        ast::TimeUnit::Weeks => TimeUnitIr::Weeks,
        ast::TimeUnit::Months => TimeUnitIr::Months,
        ast::TimeUnit::Years => TimeUnitIr::Years,
    }
}

fn lower_sop(
    g: &SopGraph<'_>,
    single_calendar: Option<&str>,
    kind_of: &dyn Fn(&[ast::Ident]) -> Option<Guard>,
) -> SopIr {
    let sop = g.sop;
    // Node ids: steps in order, then ends (the checker found no duplicates).
    let mut ids: BTreeMap<&str, NodeId> = BTreeMap::new();
    for (i, s) in sop.steps.iter().enumerate() {
        ids.insert(&s.name.name, i);
    }
    for (i, e) in sop.ends.iter().enumerate() {
        ids.insert(&e.name.name, sop.steps.len() + i);
    }
    let id = |n: &ast::Ident| ids.get(n.name.as_str()).copied().unwrap_or(0);
    let target = |t: &ast::Target| match t {
        ast::Target::Step(n) => TargetIr::Node(id(n)),
        ast::Target::Join(_) => TargetIr::Join,
    };
    let mut nodes = Vec::with_capacity(sop.steps.len() + sop.ends.len());
    let mut branches = Vec::new();
    for (i, s) in sop.steps.iter().enumerate() {
        let mut refers: Vec<Name> = s.refers.iter().map(|r| r.name.clone()).collect();
        let mut par_branches = Vec::new();
        if let Some(p) = &s.parallel {
            for b in &p.branches {
                match b {
                    ast::Branch::Refer(r) => refers.push(r.name.clone()),
                    ast::Branch::Steps(b) => {
                        let n = id(b);
                        if !par_branches.contains(&n) {
                            par_branches.push(n);
                        }
                    }
                }
            }
        }
        let transition = match &s.transition {
            None => TransitionIr::None,
            Some(ast::Transition::Next(t)) => TransitionIr::Next(target(t)),
            Some(ast::Transition::Decide(d)) => {
                for a in 0..d.arms.len() {
                    branches.push((i, Some(a)));
                }
                if d.default.is_some() {
                    branches.push((i, None));
                }
                TransitionIr::Decide {
                    arms: d
                        .arms
                        .iter()
                        .map(|a| (lower_guard(&a.guard, None, kind_of), target(&a.target)))
                        .collect(),
                    default: d.default.as_ref().map(target),
                }
            }
        };
        let joins = g
            .step_nodes
            .get(i)
            .copied()
            .flatten()
            .and_then(|n| g.branch_of.get(n.index()).copied().flatten())
            .map(|(p, _)| p);
        let call = s.calls.first().map(|c| c.name.clone());
        let needs_completion = !s.performers.is_empty()
            || !s.fills.is_empty()
            || !s.consents.is_empty()
            || (refers.is_empty() && par_branches.is_empty() && call.is_none());
        nodes.push(NodeIr {
            name: s.name.name.clone(),
            title: title(&s.title),
            is_end: false,
            performers: s.performers.iter().map(|r| r.name.clone()).collect(),
            fills: s.fills.iter().map(|f| f.name.clone()).collect(),
            consents: s.consents.iter().map(|c| c.name.clone()).collect(),
            deadline: s.within.as_ref().map(|w| DeadlineIr {
                amount: w.duration.amount,
                unit: unit(w.duration.unit),
                on_overdue: match &w.on_overdue {
                    Some(ast::Overdue::Goto(t)) => Some(id(t)),
                    _ => None,
                },
            }),
            refers,
            branches: par_branches,
            call,
            transition,
            joins,
            needs_completion,
        });
    }
    for e in &sop.ends {
        nodes.push(NodeIr {
            name: e.name.name.clone(),
            title: title(&e.title),
            is_end: true,
            performers: std::sync::Arc::new([]),
            fills: vec![],
            consents: vec![],
            deadline: None,
            refers: vec![],
            branches: vec![],
            call: None,
            transition: TransitionIr::None,
            joins: None,
            needs_completion: false,
        });
    }
    SopIr {
        name: sop.name.name.clone(),
        title: title(&sop.title),
        version: sop.version.unwrap_or(0),
        start: sop.starts.first().map(id).unwrap_or(0),
        calendar: sop
            .calendars
            .first()
            .map(|c| c.name.clone())
            .or_else(|| single_calendar.map(Name::from)),
        nodes,
        branches,
    }
}
