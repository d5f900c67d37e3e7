//! The interpreter proper: a [`Machine`] works on a copy of the case and
//! either commits it (with its effects) or is dropped with an error.

use crate::EngineConfig;
use crate::eval;
use crate::model::*;
use crate::time::{self, At};
use sopflow_check::ir::{CompiledBundle, NodeId, NodeIr, SopIr, TargetIr, TransitionIr};
use std::collections::BTreeMap;
use std::sync::Arc;

struct Machine<'b> {
    bundle: &'b CompiledBundle,
    state: CaseState,
    effects: Vec<Effect>,
    fuel: u32,
    fuel_limit: u32,
    now: At,
    /// Whether a decision that matches nothing rejects the event (true while
    /// a person completes a step) or leaves the step stuck and escalated
    /// (deadlines and referral answers must not be refused).
    strict: bool,
    /// The case's own sop (frame 0), looked up once.
    root: Option<&'b SopIr>,
}

pub(crate) fn start(
    bundle: &CompiledBundle,
    sop: &str,
    case_id: &str,
    at: At,
    by: Option<Name>,
    config: &EngineConfig,
) -> Result<Outcome, EngineError> {
    let ir = bundle
        .sops
        .get(sop)
        .ok_or_else(|| EngineError::UnknownSop {
            sop: sop.to_string(),
        })?;
    let state = CaseState {
        case_id: Arc::from(case_id),
        bundle_hash: Arc::from(bundle.hash.as_str()),
        sop: Name::from(sop),
        sop_version: ir.version,
        status: CaseStatus::Open,
        frames: Arc::new(vec![Frame {
            id: 0,
            sop: Name::from(sop),
            caller: None,
        }]),
        tokens: Vec::new(),
        data: Default::default(),
        computed: Default::default(),
        consents: Default::default(),
        referrals: Default::default(),
        path: Default::default(),
        decisions: Default::default(),
        history: Default::default(),
        now: at,
        next_id: 1,
    };
    let mut m = Machine {
        bundle,
        state,
        effects: Vec::with_capacity(8),
        fuel: 0,
        fuel_limit: config.fuel,
        now: at,
        strict: true,
        root: Some(ir),
    };
    m.activate(0, ir.start, None)?;
    let event = Event {
        at,
        by,
        kind: EventKind::Start {
            sop: Name::from(sop),
        },
    };
    Ok(m.commit(event))
}

pub(crate) fn apply(
    bundle: &CompiledBundle,
    state: &CaseState,
    event: Event,
    config: &EngineConfig,
) -> Result<Outcome, EngineError> {
    if *state.bundle_hash != *bundle.hash {
        return Err(EngineError::BundleMismatch {
            pinned: state.bundle_hash.to_string(),
            given: bundle.hash.clone(),
        });
    }
    if event.at < state.now {
        return Err(EngineError::TimeWentBackwards {
            at: event.at,
            last: state.now,
        });
    }
    let mut m = Machine {
        bundle,
        state: state.clone(),
        effects: Vec::with_capacity(8),
        fuel: 0,
        fuel_limit: config.fuel,
        now: event.at,
        strict: false,
        root: bundle.sops.get(state.sop.as_str()),
    };
    match &event.kind {
        EventKind::Start { .. } => {
            return Err(EngineError::CannotReopen {
                why: "the case has already started".into(),
            });
        }
        EventKind::Reopen { step } => m.reopen(step.as_deref())?,
        EventKind::Cancel { reason } => {
            m.require_open()?;
            m.stop(CaseStatus::Cancelled {
                reason: reason.clone(),
                at: event.at,
            });
            // A cancelled case receives no service: accepted referrals of
            // finished steps are withdrawn too (closing keeps them).
            let ids: Vec<u64> = m.state.referrals.iter().map(|r| r.id).collect();
            for id in ids {
                m.withdraw_referral(id);
            }
            m.effects.push(Effect::Cancelled {
                reason: reason.clone(),
            });
        }
        EventKind::Close { reason } => {
            m.require_open()?;
            m.stop(CaseStatus::Closed {
                end: None,
                reason: Some(reason.clone()),
                at: event.at,
            });
            m.effects.push(Effect::Closed { end: None });
        }
        kind => {
            m.require_open()?;
            m.process_time()?;
            if m.state.status != CaseStatus::Open && !matches!(kind, EventKind::Tick) {
                // A deadline ended the case before this event: it has nothing to act on.
                m.require_open()?;
            }
            if m.state.status == CaseStatus::Open {
                match kind {
                    EventKind::Tick => {}
                    EventKind::Complete {
                        step,
                        data,
                        consent,
                    } => {
                        m.strict = true;
                        m.complete(step, event.by.as_deref(), data, *consent)?
                    }
                    EventKind::Referral { service, response } => m.respond(service, *response)?,
                    EventKind::Consent { policy, given } => {
                        m.record_consent(policy, *given, event.by.clone())?
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(m.commit(event))
}

impl<'b> Machine<'b> {
    fn commit(mut self, event: Event) -> Outcome {
        self.state.now = event.at;
        let seq = self.state.history.len() as u64 + 1;
        let effects: Arc<[Effect]> = Arc::from(self.effects);
        self.state.history.push(HistoryEntry {
            seq,
            event,
            effects: Arc::clone(&effects),
        });
        Outcome {
            state: self.state,
            effects,
        }
    }

    fn require_open(&self) -> Result<(), EngineError> {
        match &self.state.status {
            CaseStatus::Open => Ok(()),
            CaseStatus::Closed { .. } => Err(EngineError::CaseNotOpen {
                status: "closed".into(),
            }),
            CaseStatus::Cancelled { .. } => Err(EngineError::CaseNotOpen {
                status: "cancelled".into(),
            }),
        }
    }

    fn next_id(&mut self) -> u64 {
        let id = self.state.next_id;
        self.state.next_id += 1;
        id
    }

    fn sop_of(&self, frame: u64) -> Option<&'b SopIr> {
        if frame == 0 {
            return self.root; // frame 0 always runs the case's own sop
        }
        let f = self.state.frames.iter().find(|f| f.id == frame)?;
        self.bundle.sops.get(f.sop.as_str())
    }

    fn node(&self, frame: u64, node: NodeId) -> Option<&'b NodeIr> {
        self.sop_of(frame)?.nodes.get(node)
    }

    fn token_index(&self, id: u64) -> Option<usize> {
        self.state.tokens.iter().position(|t| t.id == id)
    }

    fn burn(&mut self) -> Result<(), EngineError> {
        self.fuel += 1;
        if self.fuel > self.fuel_limit {
            return Err(EngineError::FuelExhausted {
                limit: self.fuel_limit,
            });
        }
        Ok(())
    }

    /// Makes `node` of `frame` active (or finishes the frame at an end).
    fn activate(
        &mut self,
        frame: u64,
        node_id: NodeId,
        parent: Option<u64>,
    ) -> Result<(), EngineError> {
        self.burn()?;
        let Some(sop) = self.sop_of(frame) else {
            return Ok(());
        };
        let Some(node) = sop.nodes.get(node_id) else {
            return Ok(());
        };
        self.state.path.push(Visit {
            sop: sop.name.clone(),
            step: node.name.clone(),
            at: self.now,
        });
        if node.is_end {
            return self.end_frame(frame, node);
        }
        let calendar = sop
            .calendar
            .as_ref()
            .and_then(|c| self.bundle.calendars.get(c.as_str()));
        let due = node
            .deadline
            .and_then(|d| time::add(self.now, d.amount, d.unit, calendar));
        let id = self.next_id();
        self.state.tokens.push(Token {
            id,
            frame,
            node: node_id,
            step: node.name.clone(),
            activated: self.now,
            due,
            escalated_to: None,
            phase: Phase::Work,
            parent,
            pending_branches: 0,
            pending_referrals: Vec::new(),
            sub_frame: None,
            stuck: false,
        });
        if node.needs_completion {
            self.effects.push(Effect::Task {
                sop: sop.name.clone(),
                step: node.name.clone(),
                roles: node.performers.clone(),
                due,
            });
            Ok(())
        } else {
            self.finish_work(id)
        }
    }

    /// The step's own work is done: start its referrals, branches and call.
    fn finish_work(&mut self, token: u64) -> Result<(), EngineError> {
        let Some(ti) = self.token_index(token) else {
            return Ok(());
        };
        let (frame, node_id) = (self.state.tokens[ti].frame, self.state.tokens[ti].node);
        let Some(node) = self.node(frame, node_id) else {
            return Ok(());
        };
        self.state.tokens[ti].phase = Phase::Waiting;
        self.state.tokens[ti].pending_branches = node.branches.len() as u32;
        for service in &node.refers {
            self.create_referral(token, service)?;
        }
        if let Some(callee) = &node.call {
            if let Some(sub) = self.bundle.sops.get(callee.as_str()) {
                let fid = self.next_id();
                Arc::make_mut(&mut self.state.frames).push(Frame {
                    id: fid,
                    sop: callee.clone(),
                    caller: Some(token),
                });
                if let Some(ti) = self.token_index(token) {
                    self.state.tokens[ti].sub_frame = Some(fid);
                }
                self.effects.push(Effect::SubCaseStarted {
                    sop: callee.clone(),
                });
                self.activate(fid, sub.start, None)?;
            }
        }
        for &b in &node.branches {
            if self.token_index(token).is_none() {
                break; // the block was left meanwhile
            }
            self.activate(frame, b, Some(token))?;
        }
        self.advance_if_ready(token)
    }

    fn is_ready(&self, token: u64) -> bool {
        self.token_index(token).is_some_and(|i| {
            let t = &self.state.tokens[i];
            t.phase == Phase::Waiting
                && t.pending_branches == 0
                && t.pending_referrals.is_empty()
                && t.sub_frame.is_none()
        })
    }

    fn advance_if_ready(&mut self, token: u64) -> Result<(), EngineError> {
        if self.is_ready(token) {
            self.advance(token)
        } else {
            Ok(())
        }
    }

    /// Leaves a finished step by its `next` or decision.
    fn advance(&mut self, token: u64) -> Result<(), EngineError> {
        let Some(ti) = self.token_index(token) else {
            return Ok(());
        };
        let t = self.state.tokens.remove(ti);
        let Some(sop) = self.sop_of(t.frame) else {
            return Ok(());
        };
        let Some(node) = sop.nodes.get(t.node) else {
            return Ok(());
        };
        let target = match &node.transition {
            TransitionIr::None => return Ok(()),
            TransitionIr::Next(target) => *target,
            TransitionIr::Decide { arms, default } => {
                let chosen = arms
                    .iter()
                    .position(|(g, _)| eval::truth(self.bundle, &self.state, g))
                    .map(|i| (Some(i), arms[i].1))
                    .or_else(|| default.map(|d| (None, d)));
                let Some((arm, target)) = chosen else {
                    if self.strict {
                        return Err(EngineError::NoBranchMatched {
                            step: node.name.to_string(),
                        });
                    }
                    let to = self.escalation_target(&t);
                    self.effects.push(Effect::DecisionStuck {
                        sop: sop.name.clone(),
                        step: node.name.clone(),
                        to,
                    });
                    let mut t = t;
                    t.stuck = true;
                    self.state.tokens.insert(ti.min(self.state.tokens.len()), t);
                    return Ok(());
                };
                let to = match target {
                    TargetIr::Node(n) => {
                        sop.nodes.get(n).map(|n| n.name.clone()).unwrap_or_default()
                    }
                    TargetIr::Join => Name::const_new("join"),
                };
                self.state
                    .decisions
                    .push((sop.name.clone(), node.name.clone(), arm));
                self.effects.push(Effect::Decided {
                    sop: sop.name.clone(),
                    step: node.name.clone(),
                    arm,
                    to,
                });
                target
            }
        };
        match target {
            TargetIr::Node(n) => self.activate(t.frame, n, t.parent),
            TargetIr::Join => match t.parent {
                Some(p) => {
                    if let Some(pi) = self.token_index(p) {
                        let pb = &mut self.state.tokens[pi].pending_branches;
                        *pb = pb.saturating_sub(1);
                    }
                    self.advance_if_ready(p)
                }
                None => Ok(()),
            },
        }
    }

    fn end_frame(&mut self, frame: u64, end: &NodeIr) -> Result<(), EngineError> {
        let Some(fi) = self.state.frames.iter().position(|f| f.id == frame) else {
            return Ok(());
        };
        let f = self.state.frames[fi].clone();
        match f.caller {
            None => {
                self.stop(CaseStatus::Closed {
                    end: Some(end.name.clone()),
                    reason: None,
                    at: self.now,
                });
                self.effects.push(Effect::Closed {
                    end: Some(end.name.clone()),
                });
                Ok(())
            }
            Some(caller) => {
                self.drop_frame(frame);
                self.effects.push(Effect::SubCaseEnded {
                    sop: f.sop,
                    end: end.name.clone(),
                });
                if let Some(ci) = self.token_index(caller) {
                    self.state.tokens[ci].sub_frame = None;
                }
                self.advance_if_ready(caller)
            }
        }
    }

    /// Removes a frame with its tokens (and their referrals and sub-frames).
    fn drop_frame(&mut self, frame: u64) {
        let ids: Vec<u64> = self
            .state
            .tokens
            .iter()
            .filter(|t| t.frame == frame)
            .map(|t| t.id)
            .collect();
        for id in ids {
            self.drop_token(id);
        }
        Arc::make_mut(&mut self.state.frames).retain(|f| f.id != frame);
    }

    /// Removes a token and everything it started.
    fn drop_token(&mut self, id: u64) {
        let Some(ti) = self.token_index(id) else {
            return;
        };
        let t = self.state.tokens.remove(ti);
        for r in t.pending_referrals {
            self.withdraw_referral(r);
        }
        if let Some(sub) = t.sub_frame {
            self.drop_frame(sub);
        }
        let children: Vec<u64> = self
            .state
            .tokens
            .iter()
            .filter(|c| c.parent == Some(id))
            .map(|c| c.id)
            .collect();
        for c in children {
            self.drop_token(c);
        }
    }

    fn stop(&mut self, status: CaseStatus) {
        let ids: Vec<u64> = self.state.tokens.iter().map(|t| t.id).collect();
        for id in ids {
            self.drop_token(id);
        }
        Arc::make_mut(&mut self.state.frames).retain(|f| f.caller.is_none());
        self.state.status = status;
    }

    fn reopen(&mut self, step: Option<&str>) -> Result<(), EngineError> {
        if self.state.status == CaseStatus::Open {
            return Err(EngineError::CannotReopen {
                why: "the case is open".into(),
            });
        }
        let sop = self
            .bundle
            .sops
            .get(self.state.sop.as_str())
            .ok_or_else(|| EngineError::UnknownSop {
                sop: self.state.sop.to_string(),
            })?;
        let node = match step {
            None => sop.start,
            Some(s) => match sop.node(s) {
                Some(n) if sop.nodes[n].joins.is_some() => {
                    return Err(EngineError::CannotReopen {
                        why: format!("`{s}` is inside a parallel block of sop `{}`", sop.name),
                    });
                }
                Some(n) if !sop.nodes[n].is_end => n,
                _ => {
                    return Err(EngineError::CannotReopen {
                        why: format!("`{s}` is not a step of sop `{}`", sop.name),
                    });
                }
            },
        };
        self.state.status = CaseStatus::Open;
        if !self.state.frames.iter().any(|f| f.id == 0) {
            Arc::make_mut(&mut self.state.frames).insert(
                0,
                Frame {
                    id: 0,
                    sop: sop.name.clone(),
                    caller: None,
                },
            );
        }
        self.effects.push(Effect::Reopened {
            step: sop.nodes[node].name.clone(),
        });
        self.activate(0, node, None)
    }

    fn complete(
        &mut self,
        step: &str,
        by: Option<&str>,
        data: &BTreeMap<String, BTreeMap<String, serde_json::Value>>,
        consent: Option<bool>,
    ) -> Result<(), EngineError> {
        // `sop.step` picks the step of one running sop; a bare name must be unambiguous.
        let (sop_name, step) = match step.split_once('.') {
            Some((sop, step)) => (Some(sop), step),
            None => (None, step),
        };
        let matches = |t: &&Token| {
            t.step == step
                && (t.phase == Phase::Work || t.stuck)
                && sop_name.is_none_or(|s| self.sop_of(t.frame).is_some_and(|ir| ir.name == s))
        };
        let mut found = self.state.tokens.iter().filter(matches);
        let (id, frame, node_id, stuck) = found
            .next()
            .map(|t| (t.id, t.frame, t.node, t.stuck))
            .ok_or_else(|| EngineError::StepNotActive {
                step: step.to_string(),
            })?;
        let first_sop = self.sop_of(frame).map(|s| s.name.as_str());
        if found.any(|t| self.sop_of(t.frame).map(|s| s.name.as_str()) != first_sop) {
            let mut sops: Vec<&str> = self
                .state
                .tokens
                .iter()
                .filter(matches)
                .filter_map(|t| self.sop_of(t.frame).map(|s| s.name.as_str()))
                .collect();
            sops.dedup();
            return Err(EngineError::AmbiguousStep {
                step: step.to_string(),
                sops: sops.join(", "),
            });
        }
        let Some(sop) = self.sop_of(frame) else {
            return Err(EngineError::StepNotActive {
                step: step.to_string(),
            });
        };
        let node = &sop.nodes[node_id];
        if !node.performers.is_empty() {
            // The performers, and every role the task has been escalated to.
            let escalated = self
                .token_index(id)
                .and_then(|ti| self.state.tokens[ti].escalated_to.as_ref())
                .map(|to| self.escalation_path(node, to))
                .unwrap_or_default();
            let may = |r: &str| {
                node.performers.iter().any(|p| p == r) || escalated.iter().any(|e| e == r)
            };
            if !by.is_some_and(may) {
                let mut allowed: Vec<&str> = node.performers.iter().map(Name::as_str).collect();
                allowed.extend(escalated.iter().map(Name::as_str));
                return Err(EngineError::RoleNotAllowed {
                    step: step.to_string(),
                    role: by.map(str::to_string),
                    allowed: allowed.join(", "),
                });
            }
        }
        let mut problems = Vec::new();
        for form in data.keys() {
            if !node.fills.iter().any(|f| f == form) {
                problems.push(DataProblem {
                    form: form.clone(),
                    field: String::new(),
                    problem: format!("step `{step}` does not fill this form"),
                });
            }
        }
        let empty = BTreeMap::new();
        let mut valid = Vec::new();
        for form in &node.fills {
            let Some(ir) = self.bundle.forms.get(form.as_str()) else {
                continue;
            };
            match eval::validate(form, ir, data.get(form.as_str()).unwrap_or(&empty)) {
                Ok(values) => valid.push((form.clone(), values)),
                Err(p) => problems.extend(p),
            }
        }
        if !problems.is_empty() {
            return Err(EngineError::InvalidData { problems });
        }
        self.effects.push(Effect::Completed {
            sop: sop.name.clone(),
            step: Name::from(step),
            by: by.map(Name::from),
        });
        let recorded = !valid.is_empty();
        for (form, values) in valid {
            self.effects.push(Effect::DataRecorded {
                form: form.clone(),
                fields: values.keys().cloned().collect(),
            });
            Arc::make_mut(&mut self.state.data)
                .entry(form)
                .or_default()
                .extend(values);
        }
        // Scores change only with data; they may read other forms, so when
        // some form was recorded, every filled form's scores are recomputed.
        if recorded {
            for form in self.bundle.forms.keys() {
                eval::compute(self.bundle, &mut self.state, form);
            }
        }
        for policy in &node.consents {
            let given = consent.unwrap_or(true);
            Arc::make_mut(&mut self.state.consents).insert(
                policy.clone(),
                ConsentRecord {
                    given,
                    at: self.now,
                    by: by.map(Name::from),
                },
            );
            self.effects.push(Effect::ConsentRecorded {
                policy: policy.clone(),
                given,
            });
        }
        if stuck {
            // Everything the step started is over; decide again on the new data.
            if let Some(ti) = self.token_index(id) {
                self.state.tokens[ti].stuck = false;
            }
            return self.advance(id);
        }
        self.finish_work(id)
    }

    fn record_consent(
        &mut self,
        policy: &str,
        given: bool,
        by: Option<Name>,
    ) -> Result<(), EngineError> {
        let known = self
            .bundle
            .consent_for_service
            .values()
            .flatten()
            .any(|p| p == policy)
            || self
                .bundle
                .sops
                .values()
                .flat_map(|s| &s.nodes)
                .any(|n| n.consents.iter().any(|c| c == policy));
        if !known {
            return Err(EngineError::UnknownPolicy {
                policy: policy.to_string(),
            });
        }
        Arc::make_mut(&mut self.state.consents).insert(
            Name::from(policy),
            ConsentRecord {
                given,
                at: self.now,
                by,
            },
        );
        self.effects.push(Effect::ConsentRecorded {
            policy: Name::from(policy),
            given,
        });
        Ok(())
    }

    /// The roles a task of `node` went through on its way up to `to`: the
    /// escalation chain after its first performer, up to and including `to`.
    fn escalation_path(&self, node: &NodeIr, to: &Name) -> Vec<Name> {
        let mut path = Vec::new();
        let mut at = node.performers.first();
        while let Some(next) = at
            .and_then(|r| self.bundle.roles.get(r.as_str()))
            .and_then(|r| r.escalates_to.as_ref())
        {
            if path.len() > self.bundle.roles.len() || path.contains(next) {
                break; // a chain never repeats a role; stay finite whatever the bundle
            }
            path.push(next.clone());
            if next == to {
                return path;
            }
            at = Some(next);
        }
        Vec::new()
    }

    fn escalation_target(&self, token: &Token) -> Option<Name> {
        let node = self.node(token.frame, token.node)?;
        let from = token
            .escalated_to
            .clone()
            .or_else(|| node.performers.first().cloned())?;
        self.bundle.roles.get(from.as_str())?.escalates_to.clone()
    }

    fn create_referral(&mut self, token: u64, service: &str) -> Result<(), EngineError> {
        let id = self.next_id();
        let step = self
            .token_index(token)
            .map(|i| self.state.tokens[i].step.clone())
            .unwrap_or_default();
        let mut referral = Referral {
            id,
            service: Name::from(service),
            step,
            token,
            state: ReferralState::Sent,
            provider_index: 0,
            provider: None,
            due: None,
            attempts: Vec::new(),
        };
        let missing = self
            .bundle
            .consent_for_service
            .get(service)
            .into_iter()
            .flatten()
            .find(|p| !self.state.consents.get(*p).is_some_and(|c| c.given));
        if let Some(policy) = missing {
            referral.state = ReferralState::Refused;
            self.effects.push(Effect::ReferralRefused {
                service: Name::from(service),
                policy: policy.clone(),
            });
            Arc::make_mut(&mut self.state.referrals).push(Arc::new(referral));
            return Ok(());
        }
        if let Some(ti) = self.token_index(token) {
            self.state.tokens[ti].pending_referrals.push(id);
        }
        Arc::make_mut(&mut self.state.referrals).push(Arc::new(referral));
        self.send_to_next(id, 0)
    }

    fn referral_index(&self, id: u64) -> Option<usize> {
        self.state.referrals.iter().position(|r| r.id == id)
    }

    /// Sends referral `id` to provider number `index`, or exhausts it.
    fn send_to_next(&mut self, id: u64, index: usize) -> Result<(), EngineError> {
        let Some(ri) = self.referral_index(id) else {
            return Ok(());
        };
        let r = Referral::clone(&self.state.referrals[ri]);
        let providers = self
            .bundle
            .services
            .get(r.service.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let token = self
            .token_index(r.token)
            .map(|i| self.state.tokens[i].clone());
        match providers.get(index) {
            Some(p) => {
                let due = token.as_ref().and_then(|t| {
                    let node = self.node(t.frame, t.node)?;
                    let d = node.deadline?;
                    let cal = self
                        .sop_of(t.frame)?
                        .calendar
                        .as_ref()
                        .and_then(|c| self.bundle.calendars.get(c.as_str()));
                    time::add(self.now, d.amount, d.unit, cal)
                });
                let mut r = r;
                r.state = ReferralState::Sent;
                r.provider_index = index;
                r.provider = Some(p.name.clone());
                r.due = due;
                r.attempts.push(Attempt {
                    provider: p.name.clone(),
                    outcome: "sent".into(),
                    at: self.now,
                });
                self.effects.push(Effect::ReferralSent {
                    service: r.service.clone(),
                    provider: p.name.clone(),
                });
                Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
                Ok(())
            }
            None => {
                let to = token.as_ref().and_then(|t| self.escalation_target(t));
                let mut r = r;
                r.state = ReferralState::Exhausted;
                r.provider = None;
                r.due = None;
                self.effects.push(Effect::ReferralExhausted {
                    service: r.service.clone(),
                    to,
                });
                let token_id = r.token;
                Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
                self.referral_finished(token_id, id)
            }
        }
    }

    fn referral_finished(&mut self, token: u64, id: u64) -> Result<(), EngineError> {
        if let Some(ti) = self.token_index(token) {
            self.state.tokens[ti].pending_referrals.retain(|r| *r != id);
        }
        self.advance_if_ready(token)
    }

    fn withdraw_referral(&mut self, id: u64) {
        let Some(ri) = self.referral_index(id) else {
            return;
        };
        let mut r = Referral::clone(&self.state.referrals[ri]);
        if matches!(r.state, ReferralState::Sent | ReferralState::Accepted) {
            if let Some(last) = r.attempts.last_mut() {
                last.outcome = "withdrawn".into();
            }
            r.state = ReferralState::Withdrawn;
            r.due = None;
            self.effects.push(Effect::ReferralWithdrawn {
                service: r.service.clone(),
                provider: r.provider.clone(),
            });
            Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
        }
    }

    fn respond(&mut self, service: &str, response: ReferralResponse) -> Result<(), EngineError> {
        let open = |r: &Arc<Referral>| {
            r.service == service && matches!(r.state, ReferralState::Sent | ReferralState::Accepted)
        };
        let ri = match response {
            ReferralResponse::Done => self.state.referrals.iter().position(open),
            _ => self
                .state
                .referrals
                .iter()
                .position(|r| r.service == service && r.state == ReferralState::Sent),
        }
        .ok_or_else(|| EngineError::NoSuchReferral {
            service: service.to_string(),
        })?;
        let mut r = Referral::clone(&self.state.referrals[ri]);
        let provider = r.provider.clone().unwrap_or_default();
        let outcome = match response {
            ReferralResponse::Accept => "accepted",
            ReferralResponse::Decline => "declined",
            ReferralResponse::Done => "done",
        };
        if let Some(last) = r.attempts.last_mut() {
            last.outcome = outcome.into();
        }
        self.effects.push(Effect::ReferralAnswered {
            service: Name::from(service),
            provider,
            outcome: outcome.into(),
        });
        let (id, token, was_pending) = (r.id, r.token, r.state == ReferralState::Sent);
        match response {
            ReferralResponse::Accept | ReferralResponse::Done => {
                r.state = if response == ReferralResponse::Accept {
                    ReferralState::Accepted
                } else {
                    ReferralState::Done
                };
                r.due = None;
                Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
                if was_pending {
                    self.referral_finished(token, id)
                } else {
                    Ok(())
                }
            }
            ReferralResponse::Decline => {
                let next = r.provider_index + 1;
                Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
                self.send_to_next(id, next)
            }
        }
    }

    /// Handles every deadline up to the event's time, earliest first.
    fn process_time(&mut self) -> Result<(), EngineError> {
        loop {
            let token_due = self
                .state
                .tokens
                .iter()
                .filter_map(|t| t.due.filter(|d| *d <= self.now).map(|d| (d, 0u8, t.id)))
                .min();
            let referral_due = self
                .state
                .referrals
                .iter()
                .filter(|r| r.state == ReferralState::Sent)
                .filter_map(|r| r.due.filter(|d| *d <= self.now).map(|d| (d, 1u8, r.id)))
                .min();
            let Some((due, kind, id)) = [token_due, referral_due].into_iter().flatten().min()
            else {
                return Ok(());
            };
            self.burn()?;
            // What a deadline causes happens at the deadline, however late the
            // event that notices it: results do not depend on how often ticks come.
            let event_time = self.now;
            self.now = due;
            let handled = if kind == 0 {
                self.overdue_token(id, due)
            } else {
                self.overdue_referral(id)
            };
            self.now = event_time;
            handled?;
        }
    }

    fn overdue_token(&mut self, id: u64, due: At) -> Result<(), EngineError> {
        let Some(ti) = self.token_index(id) else {
            return Ok(());
        };
        let t = self.state.tokens[ti].clone();
        let Some(sop) = self.sop_of(t.frame) else {
            return Ok(());
        };
        let Some(node) = sop.nodes.get(t.node) else {
            return Ok(());
        };
        let Some(deadline) = node.deadline else {
            self.state.tokens[ti].due = None;
            return Ok(());
        };
        if let Some(target) = deadline.on_overdue {
            let to = sop
                .nodes
                .get(target)
                .map(|n| n.name.clone())
                .unwrap_or_default();
            self.effects.push(Effect::OverdueMoved {
                sop: sop.name.clone(),
                step: node.name.clone(),
                to,
            });
            self.drop_token(id);
            return self.activate(t.frame, target, t.parent);
        }
        let to = self.escalation_target(&t);
        self.effects.push(Effect::Escalated {
            sop: sop.name.clone(),
            step: node.name.clone(),
            to: to.clone(),
        });
        let calendar = sop
            .calendar
            .as_ref()
            .and_then(|c| self.bundle.calendars.get(c.as_str()));
        let next_due = if to.is_some() {
            time::add(due, deadline.amount, deadline.unit, calendar)
        } else {
            None
        };
        let tok = &mut self.state.tokens[ti];
        tok.escalated_to = to.or(tok.escalated_to.take());
        tok.due = next_due;
        Ok(())
    }

    fn overdue_referral(&mut self, id: u64) -> Result<(), EngineError> {
        let Some(ri) = self.referral_index(id) else {
            return Ok(());
        };
        let mut r = Referral::clone(&self.state.referrals[ri]);
        let provider = r.provider.clone().unwrap_or_default();
        if let Some(last) = r.attempts.last_mut() {
            last.outcome = "timed_out".into();
        }
        self.effects.push(Effect::ReferralAnswered {
            service: r.service.clone(),
            provider,
            outcome: "timed_out".into(),
        });
        let next = r.provider_index + 1;
        r.due = None;
        Arc::make_mut(&mut self.state.referrals)[ri] = Arc::new(r);
        self.send_to_next(id, next)
    }
}
