//! Generation of one SOP: a main flow of blocks (sequences, decisions,
//! loops, parallel referrals, sub-SOP calls) between an intake step and a
//! closing decision, with defects injected into some blocks on request.
//!
//! Every forward edge of a block goes to a step of the same block, to the
//! next block's entry or to an end; backward edges (loops) go to earlier
//! main-flow steps. So the only way past a block is through it, which keeps
//! each injected defect local: it produces its own diagnostics and no others.

use crate::DefectKind;
use crate::model::{
    ALL_ROLES, CALENDARS, CONSENT_POLICY, CONSENT_SERVICES, DECIDERS, FREE_SERVICES, FormSpec,
    GuardTy,
};
use crate::rng::Rng;
use std::fmt::Write as _;
use std::ops::Range;

/// Read-only facts about the whole bundle.
pub struct Context<'m> {
    /// Every form; `forms[0]` is `intake`, `forms[5]` is `review`.
    pub forms: &'m [FormSpec],
    /// Index in `forms` of the first follow-up form.
    pub first_followup: usize,
    /// Number of follow-up forms.
    pub followups: usize,
    /// Number of SOPs in the bundle.
    pub sops: usize,
    /// Seed of the bundle.
    pub seed: u64,
    /// Defects per step (0 for a valid bundle).
    pub defect_rate: f64,
}

/// One generated SOP.
pub struct SopText {
    /// The SOP's name.
    pub name: String,
    /// The file's text.
    pub text: String,
    /// Steps and ends declared.
    pub steps: usize,
    /// Injected defects: kind, byte range of the block holding it, a description.
    pub defects: Vec<(DefectKind, Range<usize>, String)>,
}

/// Every this many SOPs, one (index `k * SUBPROCEDURE_EVERY - 1`) is a
/// sub-procedure that earlier SOPs may `call`; the others are never called.
pub const SUBPROCEDURE_EVERY: usize = 4;

/// Whether SOP `index` may be called by earlier SOPs.
pub fn is_subprocedure(index: usize) -> bool {
    index % SUBPROCEDURE_EVERY == SUBPROCEDURE_EVERY - 1
}

/// The name of SOP `index`.
pub fn sop_name(index: usize) -> String {
    format!("pathway_{index:04}")
}

/// Index of the `review` form in `Context::forms` (forms 1..=REVIEW are the
/// core forms after `intake`).
const REVIEW: usize = 5;

const END_NAMES: &[(&str, &str)] = &[
    ("closed", "Case closed"),
    ("transferred", "Transferred to another district"),
    ("referred_out", "Referred out of the service"),
    ("withdrawn", "Report withdrawn or unfounded"),
];

const LINEAR: &[(&str, &str)] = &[
    ("record", "Record the case notes"),
    ("notify", "Notify the family"),
    ("contact", "Contact the school"),
    ("visit", "Home visit"),
    ("update", "Update the case file"),
    ("inform", "Inform the reporter"),
    ("schedule", "Schedule a case conference"),
    ("prepare", "Prepare the documents"),
    ("coordinate", "Coordinate with the village office"),
    ("brief", "Brief the supervisor"),
    ("verify", "Verify the identity documents"),
    ("document", "Document the child's statement"),
];
const DECIDE: &[(&str, &str)] = &[
    ("triage", "Triage the report"),
    ("screen", "Screen for urgency"),
    ("evaluate", "Evaluate the situation"),
    ("determine", "Determine the pathway"),
    ("check", "Check eligibility"),
];
const ARM: &[&str] = &[
    "Arrange a safety plan",
    "Collect supporting documents",
    "Meet the caregivers",
    "Request a police report",
    "Hold a family meeting",
    "Consult the supervisor",
];
const BRANCH: &[&str] = &[
    "Accompany the child",
    "Collect the examination results",
    "Follow up with the provider",
    "Arrange transport",
    "Record the service given",
];
const ROLE_TYPOS: &[&str] = &["case_manger", "socail_worker", "supervisr", "intake_oficer"];
const FIELD_TYPOS: &[&str] = &[
    "intake.urgnet",
    "intake.child_aeg >= 4",
    "intake.in_aera",
    "intake.knid == sexual",
];
const SERVICE_TYPOS: &[&str] = &["medicl", "psychosocal", "sheltr", "legal_ad"];
const FORM_TYPOS: &[&str] = &["intak", "rsik", "medcal", "reveiw"];
const MISMATCHES: &[&str] = &[
    "intake.child_age == true",
    "intake.urgent == 3",
    "intake.kind < physical",
    "intake.in_area != 0",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arm {
    /// Straight to the next block.
    Exit,
    /// To one of the SOP's ends.
    End,
    /// Through this many steps, then to the next block.
    Path(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BranchShape {
    /// A sequence of steps ending `next join`.
    Chain(usize),
    /// A decision between two steps that both join.
    Split,
}

#[derive(Debug, Clone)]
enum Shape {
    Intake,
    Linear(usize),
    Fill,
    /// The `when` arms, then the `else` arm.
    Decide(Vec<Arm>, Arm),
    Loop {
        body: usize,
        far_back: bool,
    },
    Parallel {
        consent_step: bool,
        refers: usize,
        free_refers: usize,
        branches: Vec<BranchShape>,
    },
    Refer {
        consent_step: bool,
        free: bool,
    },
    Call(usize),
    Closure,
}

#[derive(Debug, Clone)]
struct Plan {
    k: usize,
    shape: Shape,
    entry: String,
    defect: Option<DefectKind>,
}

impl Plan {
    fn size(&self) -> usize {
        let body = match &self.shape {
            Shape::Intake | Shape::Fill | Shape::Call(_) | Shape::Closure => 1,
            Shape::Linear(n) => *n,
            Shape::Decide(arms, default) => {
                1 + arms
                    .iter()
                    .chain([default])
                    .map(|a| match a {
                        Arm::Path(n) => *n,
                        _ => 0,
                    })
                    .sum::<usize>()
            }
            Shape::Loop { body, .. } => body + 1,
            Shape::Parallel {
                consent_step,
                branches,
                ..
            } => {
                usize::from(*consent_step)
                    + 1
                    + branches
                        .iter()
                        .map(|b| match b {
                            BranchShape::Chain(n) => *n,
                            BranchShape::Split => 3,
                        })
                        .sum::<usize>()
            }
            Shape::Refer { consent_step, .. } => usize::from(*consent_step) + 1,
        };
        body + match self.defect {
            Some(DefectKind::UnreachableStep) => 1,
            Some(DefectKind::OrphanCycle) => 2,
            _ => 0,
        }
    }
}

/// Generates SOP `index` with `target` steps and ends in total (at least 3).
pub fn generate(ctx: &Context<'_>, index: usize, target: usize) -> SopText {
    let mut g = Gen {
        ctx,
        rng: Rng::new(ctx.seed, index as u64 + 1),
        index,
        out: String::with_capacity(target * 140),
        steps: 0,
        filled: vec![0],
        main_steps: Vec::new(),
        ends: Vec::new(),
        defects: Vec::new(),
        // A sub-procedure called only after consent starts with consent, so a
        // referral without consent in it may be correct: never inject one there.
        consent_given: is_subprocedure(index),
        followup: ctx.first_followup + index % ctx.followups.max(1),
    };
    g.run(target);
    SopText {
        name: sop_name(index),
        text: g.out,
        steps: g.steps,
        defects: g.defects,
    }
}

struct Gen<'c, 'm> {
    ctx: &'c Context<'m>,
    rng: Rng,
    index: usize,
    out: String,
    steps: usize,
    /// Forms filled on every path so far (indices into `ctx.forms`).
    filled: Vec<usize>,
    /// Main-flow steps that loops may go back to.
    main_steps: Vec<String>,
    ends: Vec<&'static str>,
    defects: Vec<(DefectKind, Range<usize>, String)>,
    /// Whether a planned block already records consent (on every later path),
    /// or the SOP may start with consent (a sub-procedure).
    consent_given: bool,
    /// The follow-up form this SOP uses.
    followup: usize,
}

impl Gen<'_, '_> {
    fn run(&mut self, target: usize) {
        let target = target.max(3);
        let n_ends = if target >= 8 {
            2 + (target / 300).min(2)
        } else if target >= 4 {
            2
        } else {
            1
        };
        self.ends = END_NAMES[..n_ends].iter().map(|(n, _)| *n).collect();
        let mut remaining = target - n_ends - 2;

        let name = sop_name(self.index);
        let calendar = CALENDARS[self.index % CALENDARS.len()];
        let _ = writeln!(
            self.out,
            "// Case pathway {} (generated).\nsop {name} \"Child protection case pathway {}\" version {} {{\n  start intake_0\n  calendar {calendar}\n",
            self.index,
            self.index,
            1 + self.index % 5
        );

        let mut k = 0;
        let mut current = Plan {
            k,
            shape: Shape::Intake,
            entry: "intake_0".to_string(),
            defect: None,
        };
        loop {
            let next = if remaining == 0 {
                Plan {
                    k: k + 1,
                    shape: Shape::Closure,
                    entry: format!("closure_{}", k + 1),
                    defect: None,
                }
            } else {
                let p = self.plan(k + 1, remaining);
                remaining -= p.size();
                p
            };
            k += 1;
            self.emit(&current, &next.entry);
            if matches!(next.shape, Shape::Closure) {
                self.emit(&next, "");
                break;
            }
            current = next;
        }
        for (end, title) in &END_NAMES[..n_ends] {
            let _ = writeln!(self.out, "  end {end} \"{title}\"");
            self.steps += 1;
        }
        self.out.push_str("}\n");
    }

    // -----------------------------------------------------------------
    // Planning
    // -----------------------------------------------------------------

    fn plan(&mut self, k: usize, remaining: usize) -> Plan {
        let r = &mut self.rng;
        let shape = match r.below(100) {
            0..30 => Shape::Linear(r.size(1, 3)),
            30..40 => Shape::Fill,
            40..62 => {
                let whens = r.size(2, 4);
                let mut arms = Vec::with_capacity(whens);
                let mut end_used = false;
                for _ in 0..whens {
                    let x = r.below(100);
                    arms.push(if x < 35 {
                        Arm::Exit
                    } else if x < 45 && !end_used {
                        end_used = true;
                        Arm::End
                    } else {
                        Arm::Path(r.size(1, 2))
                    });
                }
                let default = if r.chance(0.5) {
                    Arm::Exit
                } else {
                    Arm::Path(r.size(1, 2))
                };
                Shape::Decide(arms, default)
            }
            62..72 => Shape::Loop {
                body: r.size(1, 3),
                far_back: r.chance(0.3),
            },
            72..84 => {
                let n = r.size(1, 3);
                let branches = (0..n)
                    .map(|_| {
                        if r.chance(0.25) {
                            BranchShape::Split
                        } else {
                            BranchShape::Chain(r.size(1, 3))
                        }
                    })
                    .collect();
                Shape::Parallel {
                    consent_step: r.chance(0.5),
                    refers: r.size(0, 2),
                    free_refers: r.size(0, 1),
                    branches,
                }
            }
            84..94 => Shape::Refer {
                consent_step: r.chance(0.4),
                free: r.chance(0.25),
            },
            _ => {
                // A later sub-procedure (no call cycles), within 50 SOPs.
                let first = self.index + 1;
                let first = first + (SUBPROCEDURE_EVERY - 1 - first % SUBPROCEDURE_EVERY);
                let last = (self.index + 50).min(self.ctx.sops.saturating_sub(1));
                if first <= last {
                    let n = (last - first) / SUBPROCEDURE_EVERY + 1;
                    Shape::Call(first + SUBPROCEDURE_EVERY * r.below(n))
                } else {
                    Shape::Linear(1)
                }
            }
        };
        let mut plan = Plan {
            k,
            entry: String::new(),
            shape,
            defect: None,
        };
        if plan.size() > remaining {
            plan.shape = Shape::Linear(remaining.min(self.rng.size(1, 3)));
        }
        let rate = self.ctx.defect_rate;
        if rate > 0.0 && self.rng.chance(rate * plan.size() as f64) {
            let choices: &[DefectKind] = match plan.shape {
                Shape::Linear(_) => &[
                    DefectKind::UnreachableStep,
                    DefectKind::OrphanCycle,
                    DefectKind::UnknownName,
                ],
                Shape::Fill => &[DefectKind::UnknownName, DefectKind::UnreachableStep],
                Shape::Decide(..) => &[
                    DefectKind::DeadEnd,
                    DefectKind::EndlessLoop,
                    DefectKind::UnknownName,
                    DefectKind::TypeMismatch,
                    DefectKind::UnreachableStep,
                ],
                Shape::Loop { .. } => &[
                    DefectKind::TypeMismatch,
                    DefectKind::UnknownName,
                    DefectKind::OrphanCycle,
                ],
                Shape::Parallel { .. } => &[
                    DefectKind::ShareWithoutConsent,
                    DefectKind::BranchWithoutJoin,
                    DefectKind::UnknownName,
                ],
                Shape::Refer { .. } => &[DefectKind::ShareWithoutConsent],
                Shape::Call(_) => &[DefectKind::UnreachableStep],
                Shape::Intake | Shape::Closure => &[],
            };
            // Consent given once covers every later referral (an earlier block
            // giving it lies on every path), so a missing consent is a defect
            // only before the first one.
            let choices: Vec<DefectKind> = choices
                .iter()
                .copied()
                .filter(|k| *k != DefectKind::ShareWithoutConsent || !self.consent_given)
                .collect();
            let mut pick = None;
            if !self.consent_given && self.rng.chance(0.3) {
                plan.shape = Shape::Refer {
                    consent_step: self.rng.chance(0.4),
                    free: false,
                };
                pick = Some(DefectKind::ShareWithoutConsent);
            } else if !choices.is_empty() {
                pick = Some(*self.rng.pick(&choices));
            }
            if let Some(kind) = pick {
                let mut candidate = plan.clone();
                candidate.defect = Some(kind);
                adapt(&mut candidate);
                if candidate.size() <= remaining {
                    plan = candidate;
                }
            }
        }
        let gives_consent = match plan.shape {
            // A called SOP that records consent on every path gives it to its caller.
            Shape::Parallel { .. } | Shape::Call(_) => true,
            Shape::Refer { consent_step, free } => consent_step || !free,
            _ => false,
        };
        if gives_consent && plan.defect != Some(DefectKind::ShareWithoutConsent) {
            self.consent_given = true;
        }
        plan.entry = match &plan.shape {
            Shape::Linear(_) => format!("{}_{k}", self.rng.pick(LINEAR).0),
            Shape::Fill => format!("collect_{k}"),
            Shape::Decide(..) => format!("{}_{k}", self.rng.pick(DECIDE).0),
            Shape::Loop { .. } => format!("monitor_{k}"),
            Shape::Parallel {
                consent_step: true, ..
            }
            | Shape::Refer {
                consent_step: true, ..
            } => format!("consent_{k}"),
            Shape::Parallel { .. } => format!("coordinate_{k}"),
            Shape::Refer { .. } => format!("refer_{k}"),
            Shape::Call(_) => format!("run_{k}"),
            Shape::Intake => "intake_0".to_string(),
            Shape::Closure => format!("closure_{k}"),
        };
        plan
    }

    // -----------------------------------------------------------------
    // Emission helpers
    // -----------------------------------------------------------------

    fn open(&mut self, name: &str, title: &str) {
        self.steps += 1;
        if self.rng.chance(0.75) {
            let _ = writeln!(self.out, "  step {name} \"{title}\" {{");
        } else {
            let _ = writeln!(self.out, "  step {name} {{");
        }
    }

    fn line(&mut self, text: &str) {
        self.out.push_str("    ");
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn close(&mut self) {
        self.out.push_str("  }\n");
    }

    fn by(&mut self, roles: &[&str], max: usize) {
        let n = self.rng.size(1, max.min(roles.len()));
        let chosen = self.rng.pick_some(roles, n);
        let line = format!("by {}", chosen.join(", "));
        self.line(&line);
    }

    fn within(&mut self, p: f64) {
        if !self.rng.chance(p) {
            return;
        }
        let (n, unit) = match self.rng.below(3) {
            0 => (self.rng.range(1, 72), "hour"),
            1 => (self.rng.range(1, 30), "day"),
            _ => (self.rng.range(1, 10), "workday"),
        };
        let plural = if n == 1 { "" } else { "s" };
        let esc = if self.rng.chance(0.5) {
            ", on overdue escalate"
        } else {
            ""
        };
        let line = format!("within {n} {unit}{plural}{esc}");
        self.line(&line);
    }

    fn next(&mut self, target: &str) {
        let line = format!("next {target}");
        self.line(&line);
    }

    /// A plain step: performers, maybe a deadline, a form or a free referral.
    fn plain(&mut self, name: &str, title: &str, next: Option<&str>) {
        self.open(name, title);
        if self.rng.chance(0.2) {
            let f = self.rng.below(self.ctx.forms.len());
            let form = &self.ctx.forms[f];
            let fillers = form.fillers;
            self.by(fillers, 2);
            let line = format!("fill {}", form.name);
            self.line(&line);
        } else {
            self.by(ALL_ROLES, 2);
        }
        self.within(0.5);
        if self.rng.chance(0.05) {
            let line = format!("refer {}", self.rng.pick(FREE_SERVICES));
            self.line(&line);
        }
        if let Some(next) = next {
            self.next(next);
        }
        self.close();
    }

    // -----------------------------------------------------------------
    // Guards
    // -----------------------------------------------------------------

    fn atom_on(&mut self, form: usize) -> String {
        let (path, ty) = self.rng.pick(&self.ctx.forms[form].guards).clone();
        let r = &mut self.rng;
        match ty {
            GuardTy::Bool => match r.below(4) {
                0 | 1 => path,
                2 => format!("not {path}"),
                _ => format!("{path} == {}", if r.chance(0.5) { "true" } else { "false" }),
            },
            GuardTy::Int(lo, hi) => {
                let a = r.range(lo, hi);
                match r.below(6) {
                    0 => format!("{path} >= {a}"),
                    1 => format!("{path} < {a}"),
                    2 => format!("{path} <= {a}"),
                    3 => format!("{path} > {a}"),
                    4 => format!("{path} == {a}"),
                    _ => format!("{path} in ({a}, {})", r.range(lo, hi)),
                }
            }
            GuardTy::Enum(values, ordered) => {
                let v = r.pick(values);
                match r.below(if ordered { 4 } else { 3 }) {
                    0 => format!("{path} == {v}"),
                    1 => format!("{path} != {v}"),
                    2 => format!("{path} in ({})", r.pick_some(values, 2).join(", ")),
                    _ => format!("{path} >= {v}"),
                }
            }
            GuardTy::Text => {
                if r.chance(0.5) {
                    format!("{path} == \"anonymous\"")
                } else {
                    format!("{path} != \"\"")
                }
            }
        }
    }

    fn atom(&mut self) -> String {
        let form = *self.rng.pick(&self.filled);
        self.atom_on(form)
    }

    /// A guard of one to three atoms over forms filled so far (or `form`).
    fn guard(&mut self, form: Option<usize>) -> String {
        let atom = |g: &mut Self| match form {
            Some(f) if g.rng.chance(0.7) => g.atom_on(f),
            _ => g.atom(),
        };
        match self.rng.below(20) {
            0..10 => atom(self),
            10..17 => {
                let a = atom(self);
                let b = atom(self);
                let op = if self.rng.chance(0.6) { "and" } else { "or" };
                format!("{a} {op} {b}")
            }
            _ => {
                let a = atom(self);
                let b = atom(self);
                let c = atom(self);
                if self.rng.chance(0.5) {
                    format!("({a} or {b}) and {c}")
                } else {
                    format!("{a} and not ({b} or {c})")
                }
            }
        }
    }

    /// The guard of a defective block: `bad` alone or next to a valid atom.
    fn bad_guard(&mut self, bad: &str) -> String {
        if self.rng.chance(0.5) {
            bad.to_string()
        } else {
            let a = self.atom();
            format!("{a} and {bad}")
        }
    }

    fn end(&mut self) -> &'static str {
        self.ends[self.rng.below(self.ends.len())]
    }

    // -----------------------------------------------------------------
    // Blocks
    // -----------------------------------------------------------------

    fn emit(&mut self, plan: &Plan, exit: &str) {
        let start = self.out.len();
        if plan.k % 25 == 0 && plan.k > 0 {
            let _ = writeln!(self.out, "\n  // ---- stage {} ----", plan.k / 25);
        }
        let e = plan.entry.as_str();
        let d = plan.defect;
        let mut detail = format!("block `{e}`");
        match &plan.shape {
            Shape::Intake => {
                self.open(e, "Receive the report");
                self.line("by intake_officer, hotline_operator");
                self.line("fill intake");
                self.line("within 1 day, on overdue escalate");
                self.next(exit);
                self.close();
            }
            Shape::Linear(n) => {
                let title = self.rng.pick(LINEAR).1;
                for j in 1..=*n {
                    let name = if j == 1 {
                        e.to_string()
                    } else {
                        format!("{e}_{j}")
                    };
                    let next = if j == *n {
                        exit.to_string()
                    } else {
                        format!("{e}_{}", j + 1)
                    };
                    if j == 1 && d == Some(DefectKind::UnknownName) {
                        let typo = *self.rng.pick(ROLE_TYPOS);
                        detail = format!("step `{name}` is performed by unknown role `{typo}`");
                        self.open(&name, title);
                        let line = format!("by {typo}");
                        self.line(&line);
                        self.within(0.5);
                        self.next(&next);
                        self.close();
                    } else {
                        self.plain(&name, title, Some(&next));
                    }
                }
                self.main_steps.push(e.to_string());
            }
            Shape::Fill => {
                let f = if self.rng.chance(0.3) {
                    self.followup
                } else {
                    self.rng.size(1, REVIEW)
                };
                let form = &self.ctx.forms[f];
                let title = format!("Fill the {}", form.title.to_lowercase());
                let fillers = form.fillers;
                self.open(e, &title);
                self.by(fillers, 2);
                if d == Some(DefectKind::UnknownName) {
                    let typo = *self.rng.pick(FORM_TYPOS);
                    detail = format!("step `{e}` fills unknown form `{typo}`");
                    let line = format!("fill {typo}");
                    self.line(&line);
                } else {
                    let line = format!("fill {}", self.ctx.forms[f].name);
                    self.line(&line);
                    if !self.filled.contains(&f) {
                        self.filled.push(f);
                    }
                }
                self.line("within 2 workdays, on overdue escalate");
                self.next(exit);
                self.close();
                self.main_steps.push(e.to_string());
            }
            Shape::Decide(arms, default) => {
                let title = self.rng.pick(DECIDE).1;
                self.open(e, title);
                self.by(DECIDERS, 2);
                self.within(0.6);
                self.line("decide {");
                let bad_arm = self.rng.below(arms.len());
                for (i, arm) in arms.iter().chain([default]).enumerate() {
                    let t = match arm {
                        Arm::Exit => exit.to_string(),
                        Arm::End => self.end().to_string(),
                        Arm::Path(_) => format!("{e}_a{i}"),
                    };
                    if i < arms.len() {
                        let guard = match d {
                            Some(DefectKind::TypeMismatch) if i == bad_arm => {
                                let bad = *self.rng.pick(MISMATCHES);
                                detail = format!("decision `{e}` compares `{bad}`");
                                self.bad_guard(bad)
                            }
                            Some(DefectKind::UnknownName) if i == bad_arm => {
                                let bad = *self.rng.pick(FIELD_TYPOS);
                                detail = format!("decision `{e}` tests unknown field in `{bad}`");
                                self.bad_guard(bad)
                            }
                            _ => self.guard(None),
                        };
                        let line = format!("  when {guard} -> {t}");
                        self.line(&line);
                    } else {
                        let line = format!("  else -> {t}");
                        self.line(&line);
                    }
                }
                self.line("}");
                self.close();
                for (i, arm) in arms.iter().chain([default]).enumerate() {
                    let Arm::Path(n) = *arm else { continue };
                    let title = *self.rng.pick(ARM);
                    for j in 1..=n {
                        let name = if j == 1 {
                            format!("{e}_a{i}")
                        } else {
                            format!("{e}_a{i}_{j}")
                        };
                        let next = if j == n {
                            exit.to_string()
                        } else {
                            format!("{e}_a{i}_{}", j + 1)
                        };
                        match d {
                            Some(DefectKind::DeadEnd) if i == 0 && j == n => {
                                detail = format!("step `{name}` has no way out");
                                self.plain(&name, title, None);
                            }
                            Some(DefectKind::EndlessLoop) if i == 0 && j == n => {
                                detail = format!("steps `{e}_a0` and `{name}` loop forever");
                                self.plain(&name, title, Some(&format!("{e}_a0")));
                            }
                            _ => self.plain(&name, title, Some(&next)),
                        }
                    }
                }
                self.main_steps.push(e.to_string());
            }
            Shape::Loop { body, far_back } => {
                let review = format!("review_{}", plan.k);
                for j in 1..=*body {
                    let name = if j == 1 {
                        e.to_string()
                    } else {
                        format!("{e}_{j}")
                    };
                    let next = if j == *body {
                        review.clone()
                    } else {
                        format!("{e}_{}", j + 1)
                    };
                    self.plain(&name, "Monitor the child's situation", Some(&next));
                }
                let back = if *far_back && !self.main_steps.is_empty() {
                    self.rng.pick(&self.main_steps).clone()
                } else {
                    e.to_string()
                };
                let fu = self.followup;
                self.open(&review, "Review progress");
                self.by(DECIDERS, 2);
                let line = format!("fill {}", self.ctx.forms[fu].name);
                self.line(&line);
                self.within(0.7);
                self.line("decide {");
                let guard = match d {
                    Some(DefectKind::TypeMismatch) => {
                        let bad = *self.rng.pick(MISMATCHES);
                        detail = format!("review `{review}` compares `{bad}`");
                        self.bad_guard(bad)
                    }
                    Some(DefectKind::UnknownName) => {
                        let bad = *self.rng.pick(FIELD_TYPOS);
                        detail = format!("review `{review}` tests unknown field in `{bad}`");
                        self.bad_guard(bad)
                    }
                    _ => self.guard(Some(fu)),
                };
                let line = format!("  when {guard} -> {exit}");
                self.line(&line);
                if self.rng.chance(0.3) {
                    let g2 = self.guard(Some(fu));
                    let line = format!("  when {g2} -> {e}");
                    self.line(&line);
                }
                let line = format!("  else -> {back}");
                self.line(&line);
                self.line("}");
                self.close();
                if !self.filled.contains(&fu) {
                    self.filled.push(fu);
                }
                self.main_steps.push(e.to_string());
                self.main_steps.push(review);
            }
            Shape::Parallel {
                consent_step,
                refers,
                free_refers,
                branches,
            } => {
                let omit_consent = d == Some(DefectKind::ShareWithoutConsent);
                let fork = format!("coordinate_{}", plan.k);
                if *consent_step {
                    self.open(e, "Explain the referral and ask for consent");
                    self.by(&["case_manager", "social_worker"], 1);
                    if !omit_consent {
                        let line = format!("consent {CONSENT_POLICY}");
                        self.line(&line);
                    }
                    self.within(0.5);
                    self.next(&fork);
                    self.close();
                }
                self.open(&fork, "Coordinate the response");
                self.by(&["case_manager", "supervisor"], 1);
                self.within(0.8);
                if !*consent_step && !omit_consent {
                    let line = format!("consent {CONSENT_POLICY}");
                    self.line(&line);
                }
                self.line("parallel {");
                let svcs = self.rng.pick_some(CONSENT_SERVICES, *refers);
                if omit_consent {
                    detail = format!(
                        "referrals of `{fork}` ({}) have no consent",
                        svcs.join(", ")
                    );
                }
                for s in svcs {
                    let line = format!("  refer {s}");
                    self.line(&line);
                }
                for s in self.rng.pick_some(FREE_SERVICES, *free_refers) {
                    let line = format!("  refer {s}");
                    self.line(&line);
                }
                if d == Some(DefectKind::UnknownName) {
                    let typo = *self.rng.pick(SERVICE_TYPOS);
                    detail = format!("`{fork}` refers to unknown service `{typo}`");
                    let line = format!("  refer {typo}");
                    self.line(&line);
                }
                for i in 0..branches.len() {
                    let line = format!("  branch {fork}_b{i}");
                    self.line(&line);
                }
                self.line("}");
                self.next(exit);
                self.close();
                for (i, b) in branches.iter().enumerate() {
                    let root = format!("{fork}_b{i}");
                    match *b {
                        BranchShape::Chain(n) => {
                            let title = *self.rng.pick(BRANCH);
                            for j in 1..=n {
                                let name = if j == 1 {
                                    root.clone()
                                } else {
                                    format!("{root}_{j}")
                                };
                                let next = if j == n {
                                    "join".to_string()
                                } else {
                                    format!("{root}_{}", j + 1)
                                };
                                let no_join =
                                    d == Some(DefectKind::BranchWithoutJoin) && i == 0 && j == n;
                                if no_join {
                                    detail = format!(
                                        "branch `{root}` of `{fork}` ends at `{name}` without `next join`"
                                    );
                                }
                                self.open(&name, title);
                                self.by(ALL_ROLES, 2);
                                self.within(0.5);
                                if self.rng.chance(0.2) {
                                    let line = format!("refer {}", self.rng.pick(CONSENT_SERVICES));
                                    self.line(&line);
                                }
                                if !no_join {
                                    self.next(&next);
                                }
                                self.close();
                            }
                        }
                        BranchShape::Split => {
                            self.open(&root, "Decide on the next service");
                            self.by(DECIDERS, 1);
                            self.line("decide {");
                            let g = self.guard(None);
                            let line = format!("  when {g} -> {root}_x");
                            self.line(&line);
                            let line = format!("  else -> {root}_y");
                            self.line(&line);
                            self.line("}");
                            self.close();
                            for s in ["x", "y"] {
                                let name = format!("{root}_{s}");
                                let title = *self.rng.pick(BRANCH);
                                self.plain(&name, title, Some("join"));
                            }
                        }
                    }
                }
                if *consent_step {
                    self.main_steps.push(e.to_string());
                }
                self.main_steps.push(fork);
            }
            Shape::Refer { consent_step, free } => {
                let omit_consent = d == Some(DefectKind::ShareWithoutConsent);
                let refer = format!("refer_{}", plan.k);
                if *consent_step {
                    self.open(e, "Ask the family for consent");
                    self.by(&["case_manager", "social_worker"], 1);
                    if !omit_consent {
                        let line = format!("consent {CONSENT_POLICY}");
                        self.line(&line);
                    }
                    self.next(&refer);
                    self.close();
                }
                let svc = if *free {
                    *self.rng.pick(FREE_SERVICES)
                } else {
                    *self.rng.pick(CONSENT_SERVICES)
                };
                self.open(&refer, "Refer to a service provider");
                self.by(&["case_manager", "social_worker", "legal_officer"], 1);
                if !*consent_step && !*free && !omit_consent {
                    let line = format!("consent {CONSENT_POLICY}");
                    self.line(&line);
                }
                let line = format!("refer {svc}");
                self.line(&line);
                if omit_consent {
                    detail = format!("referral `{refer}` to `{svc}` has no consent");
                }
                self.within(0.7);
                self.next(exit);
                self.close();
                if *consent_step {
                    self.main_steps.push(e.to_string());
                }
                self.main_steps.push(refer);
            }
            Shape::Call(callee) => {
                self.open(e, "Run the sub-procedure");
                self.by(&["case_manager", "supervisor"], 1);
                let line = format!("call {}", sop_name(*callee));
                self.line(&line);
                self.next(exit);
                self.close();
                self.main_steps.push(e.to_string());
            }
            Shape::Closure => {
                self.open(e, "Closing review");
                self.line("by supervisor");
                self.line("fill review");
                self.line("within 5 workdays, on overdue escalate");
                if !self.filled.contains(&REVIEW) {
                    self.filled.push(REVIEW);
                }
                if self.ends.len() == 1 {
                    let line = format!("next {}", self.ends[0]);
                    self.line(&line);
                } else {
                    self.line("decide {");
                    for i in 1..self.ends.len() {
                        let g = self.guard(Some(REVIEW));
                        let line = format!("  when {g} -> {}", self.ends[i]);
                        self.line(&line);
                    }
                    let line = format!("  else -> {}", self.ends[0]);
                    self.line(&line);
                    self.line("}");
                }
                self.close();
            }
        }
        match d {
            Some(DefectKind::UnreachableStep) => {
                let name = format!("{e}_legacy");
                detail = format!("step `{name}` is never reached");
                self.plain(&name, "Legacy step kept from an older version", Some(exit));
            }
            Some(DefectKind::OrphanCycle) => {
                let (a, b) = (format!("{e}_draft_a"), format!("{e}_draft_b"));
                detail = format!("steps `{a}` and `{b}` form a cycle nothing reaches");
                self.plain(&a, "Draft step", Some(&b));
                self.plain(&b, "Draft step", Some(&a));
            }
            _ => {}
        }
        if let Some(kind) = d {
            self.defects.push((kind, start..self.out.len(), detail));
        }
    }
}

/// Makes a plan able to carry its defect (forces the arms or branches it needs).
fn adapt(plan: &mut Plan) {
    match (&mut plan.shape, plan.defect) {
        (Shape::Decide(arms, _), Some(DefectKind::DeadEnd)) if !matches!(arms[0], Arm::Path(_)) => {
            arms[0] = Arm::Path(1);
        }
        (Shape::Decide(arms, _), Some(DefectKind::EndlessLoop)) => arms[0] = Arm::Path(2),
        (Shape::Parallel { refers, .. }, Some(DefectKind::ShareWithoutConsent)) => {
            *refers = (*refers).max(1);
        }
        (Shape::Parallel { branches, .. }, Some(DefectKind::BranchWithoutJoin)) => {
            if !matches!(branches[0], BranchShape::Chain(_)) {
                branches[0] = BranchShape::Chain(1);
            }
            if branches.len() < 2 {
                branches.push(BranchShape::Chain(1));
            }
        }
        (Shape::Refer { free, .. }, Some(DefectKind::ShareWithoutConsent)) => *free = false,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_indices_match_the_model() {
        let forms = crate::model::forms(3);
        assert_eq!(forms[0].name, "intake");
        assert_eq!(forms[REVIEW].name, "review");
        assert_eq!(forms[REVIEW + 1].name, "followup_0");
    }

    #[test]
    fn sub_procedures_are_only_called_forward() {
        let bundle = crate::generate(&crate::GenConfig {
            steps: 20_000,
            steps_per_sop: 200,
            ..Default::default()
        });
        let mut calls = 0;
        for (i, (_, text)) in bundle.files.iter().skip(4).enumerate() {
            for line in text.lines().filter(|l| l.trim_start().starts_with("call ")) {
                calls += 1;
                let callee: usize = line
                    .trim()
                    .trim_start_matches("call pathway_")
                    .parse()
                    .expect("callee index");
                assert!(callee > i && is_subprocedure(callee), "{i} calls {callee}");
            }
        }
        assert!(calls > 10, "only {calls} calls");
    }
}
