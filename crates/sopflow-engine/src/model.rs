//! Case state, events, effects and errors: the engine's data, all serialisable.

use crate::log::Log;
use crate::time::At;
use serde::{Deserialize, Serialize};
pub use sopflow_check::ir::Name;
use sopflow_check::ir::NodeId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A value of a form field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Yes/no.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Text, an enum value, or a date (`YYYY-MM-DD`), as the field's type says.
    Text(Name),
}

/// Where a case is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseStatus {
    /// Work is going on.
    Open,
    /// Finished at an end of its SOP, or closed by hand (`end` is then `None`).
    Closed {
        /// The end reached.
        end: Option<Name>,
        /// Why it was closed by hand.
        reason: Option<String>,
        /// When.
        at: At,
    },
    /// Stopped for a reason.
    Cancelled {
        /// Why.
        reason: String,
        /// When.
        at: At,
    },
}

/// A running (sub-)SOP: the case's own SOP is frame 0; each `call` adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Frame id.
    pub id: u64,
    /// The SOP it runs.
    pub sop: Name,
    /// The token (in the calling frame) waiting for it to end.
    pub caller: Option<u64>,
}

/// What an active step is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a role to complete its work.
    Work,
    /// Its work is done; waiting for its referrals, branches or called SOP.
    Waiting,
}

/// An active step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Token id.
    pub id: u64,
    /// The frame (SOP run) it belongs to.
    pub frame: u64,
    /// The step.
    pub node: NodeId,
    /// The step's name (for people and tools).
    pub step: Name,
    /// When it became active.
    pub activated: At,
    /// When it is due, if it has a deadline.
    pub due: Option<At>,
    /// The last role it was escalated to.
    pub escalated_to: Option<Name>,
    /// What it is doing.
    pub phase: Phase,
    /// The parallel step token whose block it runs in.
    pub parent: Option<u64>,
    /// Branches of its parallel block not yet joined.
    pub pending_branches: u32,
    /// Its referrals not yet finished.
    pub pending_referrals: Vec<u64>,
    /// The frame it called, while that runs.
    pub sub_frame: Option<u64>,
    /// Everything it started has finished but no decision arm held: it waits
    /// for a completion with new data.
    #[serde(default)]
    pub stuck: bool,
}

/// States of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralState {
    /// Sent to the current provider, waiting for an answer.
    Sent,
    /// The provider took the case.
    Accepted,
    /// The provider finished its service.
    Done,
    /// Every provider declined or did not answer in time.
    Exhausted,
    /// Not sent: the data it shares needs consent that was not given.
    Refused,
    /// Withdrawn because its step was left (overdue jump, cancellation).
    Withdrawn,
}

impl ReferralState {
    /// The state's name, as serialised and as `referral.SERVICE` guards compare it.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReferralState::Sent => "sent",
            ReferralState::Accepted => "accepted",
            ReferralState::Done => "done",
            ReferralState::Exhausted => "exhausted",
            ReferralState::Refused => "refused",
            ReferralState::Withdrawn => "withdrawn",
        }
    }
}

/// One provider's answer to a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The provider.
    pub provider: Name,
    /// `sent`, `accepted`, `declined`, `timed_out`, `done`, `withdrawn`.
    pub outcome: Name,
    /// When the attempt started.
    pub at: At,
}

/// A referral to a service type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Referral id.
    pub id: u64,
    /// Service type.
    pub service: Name,
    /// The step that made it.
    pub step: Name,
    /// The token waiting for it.
    pub token: u64,
    /// Current state.
    pub state: ReferralState,
    /// Index of the current provider among those offering the service.
    pub provider_index: usize,
    /// The current provider, if any.
    pub provider: Option<Name>,
    /// Answer deadline for the current provider.
    pub due: Option<At>,
    /// Every provider tried, in order.
    pub attempts: Vec<Attempt>,
}

/// A recorded consent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Given (true) or refused/withdrawn (false).
    pub given: bool,
    /// When.
    pub at: At,
    /// Recorded by which role.
    pub by: Option<Name>,
}

/// One visited step, in order: the path a case took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// The SOP.
    pub sop: Name,
    /// The step or end.
    pub step: Name,
    /// When it became active.
    pub at: At,
}

/// One applied event in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// 1-based sequence number.
    pub seq: u64,
    /// The event as applied.
    pub event: Event,
    /// What it changed (the same list as the [`Outcome`]'s, shared).
    pub effects: Arc<[Effect]>,
}

/// The whole state of a case. Serialisable; restoring it and applying the
/// same events again gives the same state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    /// Case id (chosen by the caller).
    pub case_id: Arc<str>,
    /// Hash of the compiled bundle the case is pinned to.
    pub bundle_hash: Arc<str>,
    /// The case's SOP.
    pub sop: Name,
    /// Its version.
    pub sop_version: i64,
    /// Open, closed or cancelled.
    pub status: CaseStatus,
    /// SOP runs (the case's own and called ones still running; shared
    /// between a case and its successors until a call starts or ends).
    pub frames: Arc<Vec<Frame>>,
    /// Active steps.
    pub tokens: Vec<Token>,
    /// Form data: form → field → value (shared between a case and its
    /// successors until an event records data).
    pub data: Arc<BTreeMap<Name, BTreeMap<Name, Value>>>,
    /// Computed scores (int) and levels (band) per form.
    pub computed: Arc<BTreeMap<Name, BTreeMap<Name, Value>>>,
    /// Consent decisions per policy.
    pub consents: Arc<BTreeMap<Name, ConsentRecord>>,
    /// Every referral made (shared entries: an event copies only the referrals it changes).
    pub referrals: Arc<Vec<Arc<Referral>>>,
    /// Steps visited, in order (an append-only [`Log`]: applying an event copies no visit).
    pub path: Log<Visit>,
    /// Decision arms taken: (sop, step, arm index or `None` for else).
    pub decisions: Log<(Name, Name, Option<usize>)>,
    /// Every applied event with its effects (an append-only [`Log`]: applying
    /// an event copies no earlier entry).
    pub history: Log<HistoryEntry>,
    /// Time of the last applied event.
    pub now: At,
    /// Next id for tokens, frames and referrals.
    pub next_id: u64,
}

/// Something that happens to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When (with offset). Must not be before the case's last event.
    pub at: At,
    /// The role acting, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Name>,
    /// What happens.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Kinds of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Start a case (only for [`crate::start`]).
    Start {
        /// The SOP.
        sop: Name,
    },
    /// A role completes an active step, with the data of the forms it fills.
    Complete {
        /// The step.
        step: Name,
        /// form → field → value.
        #[serde(default)]
        data: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
        /// For a step that records consent: whether it was given (default yes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent: Option<bool>,
    },
    /// Time passes (deadlines are checked on every event; this one only does that).
    Tick,
    /// A provider answers a referral.
    Referral {
        /// The service type referred to.
        service: Name,
        /// The answer.
        response: ReferralResponse,
    },
    /// Consent given or withdrawn outside a step.
    Consent {
        /// The policy.
        policy: Name,
        /// Given (true) or withdrawn (false).
        given: bool,
    },
    /// Close the case by hand.
    Close {
        /// Why.
        reason: String,
    },
    /// Reopen a closed case at a step (the SOP's start when not given).
    Reopen {
        /// Where to resume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<Name>,
    },
    /// Cancel the case.
    Cancel {
        /// Why.
        reason: String,
    },
}

/// A provider's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralResponse {
    /// Takes the case.
    Accept,
    /// Declines; the next provider is tried.
    Decline,
    /// Has finished its service.
    Done,
}

/// What an applied event caused, for the caller to act on (notify, store, audit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// A step became active: a task for these roles (any role when empty).
    Task {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// Roles that may do it (shared with the compiled bundle).
        roles: Arc<[Name]>,
        /// Due date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<At>,
    },
    /// A step's work was completed.
    Completed {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// By which role.
        by: Option<Name>,
    },
    /// Form data was recorded (field names only: values never go to logs).
    DataRecorded {
        /// The form.
        form: Name,
        /// Fields written.
        fields: Vec<Name>,
    },
    /// A decision took an arm.
    Decided {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// Arm index, `None` for else.
        arm: Option<usize>,
        /// Where it went.
        to: Name,
    },
    /// An overdue step was escalated.
    Escalated {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// The role now responsible (`None`: the chain has no one further).
        to: Option<Name>,
    },
    /// An overdue step moved on by its `on overdue -> step`.
    OverdueMoved {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// Where it went.
        to: Name,
    },
    /// A referral was sent to a provider.
    ReferralSent {
        /// Service type.
        service: Name,
        /// Provider.
        provider: Name,
    },
    /// A provider answered (accept, decline, done) or did not answer in time.
    ReferralAnswered {
        /// Service type.
        service: Name,
        /// Provider.
        provider: Name,
        /// `accepted`, `declined`, `done`, `timed_out`.
        outcome: Name,
    },
    /// No provider is left; escalated to the referring step's chain.
    ReferralExhausted {
        /// Service type.
        service: Name,
        /// Role escalated to.
        to: Option<Name>,
    },
    /// A referral was not sent because consent is missing.
    ReferralRefused {
        /// Service type.
        service: Name,
        /// The policy whose consent is missing.
        policy: Name,
    },
    /// A referral still waiting for its provider (or accepted, when the case
    /// is cancelled) was withdrawn because its step was left.
    ReferralWithdrawn {
        /// Service type.
        service: Name,
        /// The provider it was with, if any.
        provider: Option<Name>,
    },
    /// A consent decision was recorded.
    ConsentRecorded {
        /// Policy.
        policy: Name,
        /// Given or not.
        given: bool,
    },
    /// A called SOP started.
    SubCaseStarted {
        /// The SOP.
        sop: Name,
    },
    /// No condition of a decision held and it has no `else`, after something
    /// other than a completion (a referral answer or a deadline): the step
    /// stays active and is escalated so that someone can act.
    DecisionStuck {
        /// SOP.
        sop: Name,
        /// Step.
        step: Name,
        /// Role escalated to.
        to: Option<Name>,
    },
    /// A called SOP ended.
    SubCaseEnded {
        /// The SOP.
        sop: Name,
        /// Its end.
        end: Name,
    },
    /// The case finished or was closed.
    Closed {
        /// The end reached, if any.
        end: Option<Name>,
    },
    /// The case was reopened.
    Reopened {
        /// Where it resumed.
        step: Name,
    },
    /// The case was cancelled.
    Cancelled {
        /// Why.
        reason: String,
    },
}

/// The result of applying an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The new state.
    pub state: CaseState,
    /// What the event caused (shared with the case's history entry).
    pub effects: Arc<[Effect]>,
}

/// One problem with submitted form data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProblem {
    /// Form.
    pub form: String,
    /// Field.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}: {}", self.form, self.field, self.problem)
    }
}

/// Why an event was rejected. The caller's state is untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum EngineError {
    /// The SOP does not exist in the bundle.
    #[error("unknown sop `{sop}`")]
    UnknownSop {
        /// The name given.
        sop: String,
    },
    /// The case was started on another bundle.
    #[error("the case is pinned to bundle {pinned}, not {given}")]
    BundleMismatch {
        /// The case's bundle hash.
        pinned: String,
        /// The bundle given.
        given: String,
    },
    /// The case is closed or cancelled.
    #[error("the case is {status}; reopen it first")]
    CaseNotOpen {
        /// `closed` or `cancelled`.
        status: String,
    },
    /// Events must come in time order.
    #[error("event at {at} is before the case's last event at {last}")]
    TimeWentBackwards {
        /// The event's time.
        at: At,
        /// The last event's time.
        last: At,
    },
    /// The step is not active (or its work is already done).
    #[error("step `{step}` is not waiting for completion")]
    StepNotActive {
        /// The step.
        step: String,
    },
    /// No role given, or a role that may not perform the step.
    #[error("role {} may not complete step `{step}` (allowed: {allowed})", role.as_deref().map_or_else(|| "(none)".to_string(), |r| format!("`{r}`")))]
    RoleNotAllowed {
        /// The step.
        step: String,
        /// The role given, if any.
        role: Option<String>,
        /// Roles allowed.
        allowed: String,
    },
    /// Form data that does not match the forms.
    #[error("invalid form data: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidData {
        /// Every problem found.
        problems: Vec<DataProblem>,
    },
    /// No decision arm held and there is no else.
    #[error("no condition of the decision in step `{step}` holds and it has no else")]
    NoBranchMatched {
        /// The step.
        step: String,
    },
    /// No open referral to that service.
    #[error("no open referral to `{service}`")]
    NoSuchReferral {
        /// The service.
        service: String,
    },
    /// Unknown policy.
    #[error("unknown policy `{policy}`")]
    UnknownPolicy {
        /// The policy.
        policy: String,
    },
    /// Reopen of an open case, or at an unknown step.
    #[error("cannot reopen: {why}")]
    CannotReopen {
        /// Why.
        why: String,
    },
    /// A step name active in more than one running sop; qualify it as `sop.step`.
    #[error("step `{step}` is active in several sops ({sops}); write it as `sop.step`")]
    AmbiguousStep {
        /// The step.
        step: String,
        /// The sops where it is active.
        sops: String,
    },
    /// Too many steps in one event (a runaway loop).
    #[error("more than {limit} step activations in one event")]
    FuelExhausted {
        /// The limit.
        limit: u32,
    },
}
