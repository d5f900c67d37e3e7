//! The sopflow engine: a pure, deterministic interpreter that runs cases
//! through a [`CompiledBundle`].
//!
//! `(CaseState, Event) -> Result<Outcome, EngineError>`: no I/O, no clock
//! (every event carries its time), no randomness. A rejected event returns a
//! typed error and the caller's state is untouched; an accepted one returns
//! the new state and the effects it caused (tasks, escalations, referrals…).
//! See `docs/semantics.md` for the rules.

mod eval;
mod log;
mod machine;
mod model;
mod time;

pub use log::Log;
pub use model::*;
pub use time::{At, BadTimestamp};

use sopflow_check::ir::CompiledBundle;

/// Step activations allowed in one event before it is rejected as a runaway loop.
pub const DEFAULT_FUEL: u32 = 100_000;

/// Engine options.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Step activations allowed in one event ([`DEFAULT_FUEL`]).
    pub fuel: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { fuel: DEFAULT_FUEL }
    }
}

/// Starts a case of `sop` at `at`, pinned to the bundle's hash and the SOP's version.
pub fn start(
    bundle: &CompiledBundle,
    sop: &str,
    case_id: &str,
    at: At,
    by: Option<Name>,
) -> Result<Outcome, EngineError> {
    machine::start(bundle, sop, case_id, at, by, &EngineConfig::default())
}

/// Applies one event to a case. On error the given state is unchanged.
pub fn apply(
    bundle: &CompiledBundle,
    state: &CaseState,
    event: Event,
) -> Result<Outcome, EngineError> {
    apply_with(bundle, state, event, &EngineConfig::default())
}

/// [`apply`] with explicit options.
pub fn apply_with(
    bundle: &CompiledBundle,
    state: &CaseState,
    event: Event,
    config: &EngineConfig,
) -> Result<Outcome, EngineError> {
    machine::apply(bundle, state, event, config)
}

/// Rebuilds a case from its history: starts it with the first (start) event
/// and applies the others. Replaying a case's history gives the same state.
pub fn replay(
    bundle: &CompiledBundle,
    case_id: &str,
    events: &[Event],
) -> Result<CaseState, EngineError> {
    let mut iter = events.iter();
    let first = iter
        .next()
        .ok_or(EngineError::UnknownSop { sop: String::new() })?;
    let EventKind::Start { sop } = &first.kind else {
        return Err(EngineError::UnknownSop { sop: String::new() });
    };
    let mut state = start(bundle, sop, case_id, first.at, first.by.clone())?.state;
    for e in iter {
        state = apply(bundle, &state, e.clone())?.state;
    }
    Ok(state)
}

/// A step waiting for a role's work: what [`tasks`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task<'s> {
    /// The SOP the step belongs to.
    pub sop: &'s str,
    /// The step.
    pub step: &'s str,
    /// Its performers (any role when empty).
    pub roles: std::sync::Arc<[Name]>,
    /// The last role it was escalated to, who may also complete it.
    pub escalated_to: Option<&'s str>,
    /// When it is due, if it has a deadline.
    pub due: Option<At>,
}

/// Active steps waiting for a role's work, in activation order.
pub fn tasks<'s>(bundle: &CompiledBundle, state: &'s CaseState) -> Vec<Task<'s>> {
    state
        .tokens
        .iter()
        .filter(|t| t.phase == Phase::Work)
        .filter_map(|t| {
            let frame = state.frames.iter().find(|f| f.id == t.frame)?;
            let node = bundle.sops.get(frame.sop.as_str())?.nodes.get(t.node)?;
            Some(Task {
                sop: frame.sop.as_str(),
                step: t.step.as_str(),
                roles: node.performers.clone(),
                escalated_to: t.escalated_to.as_deref(),
                due: t.due,
            })
        })
        .collect()
}
