//! Running events through the engine: traces (what each event did) and
//! scenario results (pass/fail per expectation, with expected and actual).

use crate::model::{EscalationExpect, Expect, ReferralExpect, Scenario, ScenarioEvent, error_code};
use serde::Serialize;
use sopflow_check::ir::CompiledBundle;
use sopflow_engine::{
    At, CaseState, CaseStatus, Effect, EngineError, EventKind, Phase, ReferralResponse,
};
use std::collections::BTreeMap;

/// What happened to a case, event by event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// The SOP of the case.
    pub sop: String,
    /// The case id.
    pub case_id: String,
    /// The case start (index 0), then one entry per event applied.
    pub entries: Vec<TraceEntry>,
    /// Status and active steps after the last entry; `None` when the case could not start.
    #[serde(rename = "final")]
    pub final_state: Option<FinalState>,
}

impl Trace {
    /// Whether every event was accepted, or rejected with the code its `expect_error` names.
    pub fn all_as_expected(&self) -> bool {
        self.entries.iter().all(TraceEntry::as_expected)
    }
}

/// One event and what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    /// 0 for the case start, then the 1-based number of the event in its file.
    pub index: usize,
    /// When.
    pub at: At,
    /// The role acting, if any.
    pub by: Option<String>,
    /// What was asked.
    pub event: TraceEvent,
    /// The rejection the scenario expects, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_error: Option<String>,
    /// What the engine answered.
    #[serde(flatten)]
    pub result: TraceResult,
}

impl TraceEntry {
    /// Accepted without an `expect_error`, or rejected with exactly the expected code.
    pub fn as_expected(&self) -> bool {
        match (&self.result, &self.expect_error) {
            (TraceResult::Accepted { .. }, None) => true,
            (TraceResult::Rejected { error }, Some(code)) => error_code(error) == *code,
            _ => false,
        }
    }
}

/// An event as shown in a trace: form data is reduced to the names of the
/// fields given (values never appear in traces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TraceEvent {
    /// The case starts.
    Start {
        /// The SOP.
        sop: String,
    },
    /// A role completes a step.
    Complete {
        /// The step.
        step: String,
        /// form → names of the fields given.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        forms: BTreeMap<String, Vec<String>>,
        /// Consent answer given with the step, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        consent: Option<bool>,
    },
    /// Time passes.
    Tick,
    /// A provider answers a referral.
    Referral {
        /// The service.
        service: String,
        /// The answer.
        response: ReferralResponse,
    },
    /// Consent given or withdrawn.
    Consent {
        /// The policy.
        policy: String,
        /// Given or not.
        given: bool,
    },
    /// The case is closed by hand.
    Close {
        /// Why.
        reason: String,
    },
    /// The case is reopened.
    Reopen {
        /// Where (the SOP's start when absent).
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<String>,
    },
    /// The case is cancelled.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl From<&EventKind> for TraceEvent {
    fn from(kind: &EventKind) -> TraceEvent {
        match kind {
            EventKind::Start { sop } => TraceEvent::Start {
                sop: sop.to_string(),
            },
            EventKind::Complete {
                step,
                data,
                consent,
            } => TraceEvent::Complete {
                step: step.to_string(),
                forms: data
                    .iter()
                    .map(|(form, fields)| (form.clone(), fields.keys().cloned().collect()))
                    .collect(),
                consent: *consent,
            },
            EventKind::Tick => TraceEvent::Tick,
            EventKind::Referral { service, response } => TraceEvent::Referral {
                service: service.to_string(),
                response: *response,
            },
            EventKind::Consent { policy, given } => TraceEvent::Consent {
                policy: policy.to_string(),
                given: *given,
            },
            EventKind::Close { reason } => TraceEvent::Close {
                reason: reason.clone(),
            },
            EventKind::Reopen { step } => TraceEvent::Reopen {
                step: step.as_ref().map(ToString::to_string),
            },
            EventKind::Cancel { reason } => TraceEvent::Cancel {
                reason: reason.clone(),
            },
        }
    }
}

impl TraceEvent {
    /// A short description in scenario-file words: `complete asesmen`, `referral medis decline`.
    pub fn summary(&self) -> String {
        match self {
            TraceEvent::Start { sop } => format!("start {sop}"),
            TraceEvent::Complete {
                step,
                consent: Some(c),
                ..
            } => format!("complete {step} (consent: {c})"),
            TraceEvent::Complete { step, .. } => format!("complete {step}"),
            TraceEvent::Tick => "tick".into(),
            TraceEvent::Referral { service, response } => {
                format!("referral {service} {}", response_name(*response))
            }
            TraceEvent::Consent { policy, given } => format!("consent {policy} given={given}"),
            TraceEvent::Close { reason } => format!("close ({reason})"),
            TraceEvent::Reopen { step: Some(s) } => format!("reopen {s}"),
            TraceEvent::Reopen { step: None } => "reopen".into(),
            TraceEvent::Cancel { reason } => format!("cancel ({reason})"),
        }
    }
}

/// The scenario-file word for a referral answer.
pub fn response_name(r: ReferralResponse) -> &'static str {
    match r {
        ReferralResponse::Accept => "accept",
        ReferralResponse::Decline => "decline",
        ReferralResponse::Done => "done",
    }
}

/// The engine's answer to one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TraceResult {
    /// Applied, with what it caused.
    Accepted {
        /// The effects, in order.
        effects: std::sync::Arc<[Effect]>,
    },
    /// Refused; the case is unchanged.
    Rejected {
        /// Why.
        error: EngineError,
    },
}

/// Where a case stands after its last event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalState {
    /// Open, closed or cancelled (flattened: `status`, and `end`, `reason`, `at` when closed).
    #[serde(flatten)]
    pub status: CaseStatus,
    /// Steps still active, in activation order.
    pub active: Vec<ActiveStep>,
}

/// An active step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActiveStep {
    /// Its SOP.
    pub sop: String,
    /// The step.
    pub step: String,
    /// Waiting for work, or for its referrals, branches or called SOP.
    pub phase: Phase,
    /// Roles that may complete it (for steps waiting for work; empty: any role).
    pub roles: Vec<String>,
    /// When it is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<At>,
    /// The last role it was escalated to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<String>,
}

/// The active steps of a case, in activation order.
pub fn active_steps(bundle: &CompiledBundle, state: &CaseState) -> Vec<ActiveStep> {
    state
        .tokens
        .iter()
        .map(|t| {
            let sop = state
                .frames
                .iter()
                .find(|f| f.id == t.frame)
                .map(|f| f.sop.clone())
                .unwrap_or_default();
            let roles = match t.phase {
                Phase::Work => bundle
                    .sops
                    .get(sop.as_str())
                    .and_then(|s| s.nodes.get(t.node))
                    .map(|n| n.performers.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                Phase::Waiting => Vec::new(),
            };
            ActiveStep {
                sop: sop.to_string(),
                step: t.step.to_string(),
                phase: t.phase,
                roles,
                due: t.due,
                escalated_to: t.escalated_to.as_ref().map(ToString::to_string),
            }
        })
        .collect()
}

/// What a check is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// Starting the case.
    Start,
    /// One event (1-based index in the file).
    Event {
        /// Its index.
        index: usize,
        /// What it asked.
        event: TraceEvent,
    },
    /// One expectation: `path`, `tasks.peksos`, `computed.asesmen_risiko.risiko` …
    Expect {
        /// The key, dotted.
        key: String,
    },
}

/// One side of a check, for people: a value as written in scenario files,
/// or an event's fate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Shown {
    /// A value in YAML flow style (`[terima, verifikasi]`, `{step: x, to: y}`).
    Value(String),
    /// No value at all (no end reached, no score computed…).
    Nothing,
    /// The event was accepted.
    Accepted,
    /// The event was rejected with this error.
    Rejected(EngineError),
    /// The event must be rejected with this code.
    RejectedWith(String),
}

/// One expectation checked, or one event that did (not) meet its expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What was checked.
    pub subject: Subject,
    /// Whether it held.
    pub passed: bool,
    /// What the scenario asked for.
    pub expected: Shown,
    /// What happened.
    pub actual: Shown,
}

/// The result of running one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRun {
    /// The file.
    pub file: String,
    /// The SOP.
    pub sop: String,
    /// The scenario's description, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every check, events first (in order), then the expectations.
    pub checks: Vec<Check>,
    /// The event (0: the start) at which the run stopped because it did not
    /// go as expected; the expectations were then not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<usize>,
    /// What each event did.
    pub trace: Trace,
    /// The case after the last event applied (`None` when it could not start).
    #[serde(skip)]
    pub state: Option<CaseState>,
}

impl ScenarioRun {
    /// Whether every check held and every event went as expected.
    pub fn passed(&self) -> bool {
        self.stopped_at.is_none() && self.checks.iter().all(|c| c.passed)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

struct Driven {
    trace: Trace,
    state: Option<CaseState>,
    stopped_at: Option<usize>,
}

fn drive(
    bundle: &CompiledBundle,
    sop: &str,
    case_id: &str,
    start: At,
    events: &[ScenarioEvent],
    stop_when_unexpected: bool,
) -> Driven {
    let mut trace = Trace {
        sop: sop.to_string(),
        case_id: case_id.to_string(),
        entries: Vec::with_capacity(events.len() + 1),
        final_state: None,
    };
    let start_event = TraceEvent::Start {
        sop: sop.to_string(),
    };
    let mut state = match sopflow_engine::start(bundle, sop, case_id, start, None) {
        Ok(out) => {
            trace.entries.push(TraceEntry {
                index: 0,
                at: start,
                by: None,
                event: start_event,
                expect_error: None,
                result: TraceResult::Accepted {
                    effects: out.effects,
                },
            });
            out.state
        }
        Err(error) => {
            trace.entries.push(TraceEntry {
                index: 0,
                at: start,
                by: None,
                event: start_event,
                expect_error: None,
                result: TraceResult::Rejected { error },
            });
            return Driven {
                trace,
                state: None,
                stopped_at: Some(0),
            };
        }
    };
    let mut stopped_at = None;
    for (i, e) in events.iter().enumerate() {
        let result = match sopflow_engine::apply(bundle, &state, e.event.clone()) {
            Ok(out) => {
                state = out.state;
                TraceResult::Accepted {
                    effects: out.effects,
                }
            }
            Err(error) => TraceResult::Rejected { error },
        };
        let entry = TraceEntry {
            index: i + 1,
            at: e.event.at,
            by: e.event.by.as_ref().map(ToString::to_string),
            event: TraceEvent::from(&e.event.kind),
            expect_error: e.expect_error.clone(),
            result,
        };
        let fine = entry.as_expected();
        trace.entries.push(entry);
        if !fine && stop_when_unexpected {
            stopped_at = Some(i + 1);
            break;
        }
    }
    trace.final_state = Some(FinalState {
        status: state.status.clone(),
        active: active_steps(bundle, &state),
    });
    Driven {
        trace,
        state: Some(state),
        stopped_at,
    }
}

/// Runs events for `sopflow run`: every event is tried, a rejected one
/// leaves the case as it was and the next one is applied to it.
pub fn trace_events(
    bundle: &CompiledBundle,
    sop: &str,
    case_id: &str,
    start: At,
    events: &[ScenarioEvent],
) -> Trace {
    drive(bundle, sop, case_id, start, events, false).trace
}

/// Runs a scenario: applies its events, stopping at the first one that does
/// not go as expected (an unexpected rejection, or an acceptance where a
/// rejection was expected), then checks the expectations.
pub fn run_scenario(bundle: &CompiledBundle, scenario: &Scenario) -> ScenarioRun {
    let driven = drive(
        bundle,
        &scenario.sop,
        &scenario.case_id,
        scenario.start,
        &scenario.events,
        true,
    );
    let mut checks = Vec::new();
    for entry in &driven.trace.entries {
        let subject = if entry.index == 0 {
            Subject::Start
        } else {
            Subject::Event {
                index: entry.index,
                event: entry.event.clone(),
            }
        };
        let actual = match &entry.result {
            TraceResult::Accepted { .. } => Shown::Accepted,
            TraceResult::Rejected { error } => Shown::Rejected(error.clone()),
        };
        let expected = match &entry.expect_error {
            Some(code) => Shown::RejectedWith(code.clone()),
            None => Shown::Accepted,
        };
        if entry.expect_error.is_some() || !entry.as_expected() {
            checks.push(Check {
                subject,
                passed: entry.as_expected(),
                expected,
                actual,
            });
        }
    }
    if driven.stopped_at.is_none() {
        if let Some(state) = &driven.state {
            checks.extend(check_expect(bundle, state, &scenario.expect));
        }
    }
    ScenarioRun {
        file: scenario.file.clone(),
        sop: scenario.sop.clone(),
        description: scenario.description.clone(),
        checks,
        stopped_at: driven.stopped_at,
        trace: driven.trace,
        state: driven.state,
    }
}

/// A visited or active step as people name it: `step`, or `sop.step` when
/// it belongs to a called SOP.
fn step_name(case_sop: &str, sop: &str, step: &str) -> String {
    if sop == case_sop {
        step.to_string()
    } else {
        format!("{sop}.{step}")
    }
}

/// Whether an expected name (`step` or `sop.step`) names this step.
fn names(expected: &str, sop: &str, step: &str) -> bool {
    expected == step
        || expected
            .strip_prefix(sop)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|r| r == step)
}

/// Matches expected names against actual (sop, step) pairs as multisets.
fn same_set(expected: &[String], actual: &[(String, String)]) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    // Qualified names (`sop.step`) first: they fit fewer steps than plain ones.
    let mut order: Vec<&String> = expected.iter().collect();
    order.sort_by_key(|e| !e.contains('.'));
    let mut used = vec![false; actual.len()];
    order.into_iter().all(|e| {
        let found = actual
            .iter()
            .enumerate()
            .position(|(i, (sop, step))| !used[i] && names(e, sop, step));
        match found {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

/// Quotes a scalar for YAML flow style only when needed.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '+'))
        && !matches!(s, "true" | "false" | "null" | "~");
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| s.to_string())
    }
}

fn list<I: IntoIterator<Item = String>>(items: I) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn json_flow(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => scalar(s),
        serde_json::Value::Array(a) => list(a.iter().map(json_flow)),
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), json_flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn value_json(v: &sopflow_engine::Value) -> serde_json::Value {
    match v {
        sopflow_engine::Value::Bool(b) => serde_json::Value::Bool(*b),
        sopflow_engine::Value::Int(i) => serde_json::Value::from(*i),
        sopflow_engine::Value::Text(s) => serde_json::Value::String(s.to_string()),
    }
}

fn status_name(s: &CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "open",
        CaseStatus::Closed { .. } => "closed",
        CaseStatus::Cancelled { .. } => "cancelled",
    }
}

fn referral_state_name(s: &sopflow_engine::ReferralState) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn show_escalation(step: Option<&str>, service: Option<&str>, to: Option<&str>) -> String {
    let what = match (step, service) {
        (Some(step), _) => format!("step: {}", scalar(step)),
        (None, Some(service)) => format!("service: {}", scalar(service)),
        (None, None) => String::new(),
    };
    format!(
        "{{{what}, to: {}}}",
        to.map(scalar).unwrap_or_else(|| "null".into())
    )
}

fn show_referral(e: &ReferralExpect) -> String {
    let mut parts = vec![format!("service: {}", scalar(&e.service))];
    if let Some(s) = &e.state {
        parts.push(format!("state: {}", referral_state_name(s)));
    }
    if let Some(p) = &e.providers {
        parts.push(format!("providers: {}", list(p.iter().map(|x| scalar(x)))));
    }
    format!("{{{}}}", parts.join(", "))
}

fn check(key: impl Into<String>, passed: bool, expected: Shown, actual: Shown) -> Check {
    Check {
        subject: Subject::Expect { key: key.into() },
        passed,
        expected,
        actual,
    }
}

/// Checks the expectations given in `expect` against a case.
pub fn check_expect(bundle: &CompiledBundle, state: &CaseState, expect: &Expect) -> Vec<Check> {
    let mut out = Vec::new();
    let case_sop = state.sop.as_str();
    if let Some(path) = &expect.path {
        let actual: Vec<&sopflow_engine::Visit> = state.path.iter().collect();
        let passed = path.len() == actual.len()
            && path
                .iter()
                .zip(&actual)
                .all(|(e, v)| names(e, &v.sop, &v.step));
        out.push(check(
            "path",
            passed,
            Shown::Value(list(path.iter().map(|s| scalar(s)))),
            Shown::Value(list(
                actual
                    .iter()
                    .map(|v| scalar(&step_name(case_sop, &v.sop, &v.step))),
            )),
        ));
    }
    let active = active_steps(bundle, state);
    if let Some(expected) = &expect.active {
        let pairs: Vec<(String, String)> = active
            .iter()
            .map(|a| (a.sop.clone(), a.step.clone()))
            .collect();
        let mut shown_actual: Vec<String> = active
            .iter()
            .map(|a| scalar(&step_name(case_sop, &a.sop, &a.step)))
            .collect();
        shown_actual.sort();
        let mut shown_expected: Vec<String> = expected.iter().map(|s| scalar(s)).collect();
        shown_expected.sort();
        out.push(check(
            "active",
            same_set(expected, &pairs),
            Shown::Value(list(shown_expected)),
            Shown::Value(list(shown_actual)),
        ));
    }
    if let Some(status) = expect.status {
        let actual = status_name(&state.status);
        out.push(check(
            "status",
            status.as_str() == actual,
            Shown::Value(status.as_str().into()),
            Shown::Value(actual.into()),
        ));
    }
    if let Some(end) = &expect.end {
        let actual = match &state.status {
            CaseStatus::Closed { end: Some(e), .. } => Some(e.clone()),
            _ => None,
        };
        out.push(check(
            "end",
            actual.as_deref() == Some(end.as_str()),
            Shown::Value(scalar(end)),
            actual.map_or(Shown::Nothing, |a| Shown::Value(scalar(&a))),
        ));
    }
    if let Some(tasks) = &expect.tasks {
        let all = sopflow_engine::tasks(bundle, state);
        for (role, expected) in tasks {
            let mine: Vec<(String, String)> = all
                .iter()
                .filter(|t| {
                    t.roles.is_empty()
                        || t.roles.iter().any(|r| r == role)
                        || t.escalated_to == Some(role.as_str())
                })
                .map(|t| (t.sop.to_string(), t.step.to_string()))
                .collect();
            let mut shown_actual: Vec<String> = mine
                .iter()
                .map(|(sop, step)| scalar(&step_name(case_sop, sop, step)))
                .collect();
            shown_actual.sort();
            let mut shown_expected: Vec<String> = expected.iter().map(|s| scalar(s)).collect();
            shown_expected.sort();
            out.push(check(
                format!("tasks.{role}"),
                same_set(expected, &mine),
                Shown::Value(list(shown_expected)),
                Shown::Value(list(shown_actual)),
            ));
        }
    }
    if let Some(expected) = &expect.escalations {
        let actual: Vec<EscalationExpect> = state
            .history
            .iter()
            .flat_map(|h| h.effects.iter())
            .filter_map(|e| match e {
                Effect::Escalated { step, to, .. } => Some(EscalationExpect {
                    step: Some(step.to_string()),
                    service: None,
                    to: to.as_ref().map(ToString::to_string),
                }),
                Effect::ReferralExhausted { service, to } => Some(EscalationExpect {
                    step: None,
                    service: Some(service.to_string()),
                    to: to.as_ref().map(ToString::to_string),
                }),
                _ => None,
            })
            .collect();
        let show = |e: &EscalationExpect| {
            show_escalation(e.step.as_deref(), e.service.as_deref(), e.to.as_deref())
        };
        out.push(check(
            "escalations",
            *expected == actual,
            Shown::Value(list(expected.iter().map(show))),
            Shown::Value(list(actual.iter().map(show))),
        ));
    }
    if let Some(expected) = &expect.referrals {
        let actual: Vec<ReferralExpect> = state
            .referrals
            .iter()
            .map(|r| ReferralExpect {
                service: r.service.to_string(),
                state: Some(r.state.clone()),
                providers: Some(r.attempts.iter().map(|a| a.provider.to_string()).collect()),
            })
            .collect();
        let passed = expected.len() == actual.len()
            && expected.iter().zip(&actual).all(|(e, a)| {
                e.service == a.service
                    && e.state.as_ref().is_none_or(|s| Some(s) == a.state.as_ref())
                    && e.providers
                        .as_ref()
                        .is_none_or(|p| Some(p) == a.providers.as_ref())
            });
        out.push(check(
            "referrals",
            passed,
            Shown::Value(list(expected.iter().map(show_referral))),
            Shown::Value(list(actual.iter().map(show_referral))),
        ));
    }
    if let Some(computed) = &expect.computed {
        for (form, values) in computed {
            for (name, expected) in values {
                let actual = state
                    .computed
                    .get(form.as_str())
                    .and_then(|m| m.get(name.as_str()))
                    .map(value_json);
                let passed = match (&actual, expected) {
                    (None, serde_json::Value::Null) => true,
                    (Some(a), e) => a == e,
                    (None, _) => false,
                };
                out.push(check(
                    format!("computed.{form}.{name}"),
                    passed,
                    if expected.is_null() {
                        Shown::Nothing
                    } else {
                        Shown::Value(json_flow(expected))
                    },
                    actual.map_or(Shown::Nothing, |a| Shown::Value(json_flow(&a))),
                ));
            }
        }
    }
    if let Some(consents) = &expect.consents {
        for (policy, expected) in consents {
            let actual = state.consents.get(policy.as_str()).map(|c| c.given);
            out.push(check(
                format!("consents.{policy}"),
                actual == *expected,
                expected.map_or(Shown::Nothing, |b| Shown::Value(b.to_string())),
                actual.map_or(Shown::Nothing, |b| Shown::Value(b.to_string())),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("respon_darurat"), "respon_darurat");
        assert_eq!(scalar("korban_ks.terima"), "korban_ks.terima");
        assert_eq!(scalar("salah input"), "\"salah input\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(
            json_flow(&serde_json::json!({"a": [1, "b c", null, true]})),
            "{a: [1, \"b c\", null, true]}"
        );
    }

    #[test]
    fn names_may_be_qualified_by_their_sop() {
        assert!(names("kunjungi", "tindak_lanjut", "kunjungi"));
        assert!(names("tindak_lanjut.kunjungi", "tindak_lanjut", "kunjungi"));
        assert!(!names("lain.kunjungi", "tindak_lanjut", "kunjungi"));
        assert!(!names("tindak_lanjutkunjungi", "tindak_lanjut", "kunjungi"));
        let actual = vec![
            ("a".to_string(), "x".to_string()),
            ("b".to_string(), "x".to_string()),
        ];
        assert!(same_set(&["b.x".into(), "x".into()], &actual));
        assert!(same_set(&["x".into(), "x".into()], &actual));
        assert!(!same_set(&["x".into()], &actual));
        assert!(same_set(&["x".into(), "a.x".into()], &actual));
        assert!(!same_set(&["a.x".into(), "a.x".into()], &actual));
    }
}
