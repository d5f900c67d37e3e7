//! Property tests of the engine on a small bundle with decisions, a parallel
//! block (referrals with a fallback provider and a branch), a call, an
//! `on overdue -> step` jump, working-day deadlines and consent:
//!
//! * random sequences of events, valid and invalid (random steps, roles,
//!   data, times, ticks, referral answers, consent, close/reopen/cancel),
//!   never panic;
//! * a rejected event leaves the state byte-identical (compared as JSON);
//! * replaying the accepted history from the start gives the same state,
//!   and a state survives a JSON round trip.

use proptest::prelude::*;
use sopflow_check::ir::{FieldTy, NodeIr};
use sopflow_check::{CheckConfig, CompiledBundle};
use sopflow_diagnostics::FileId;
use sopflow_engine::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Shared with the engine fuzz target.
const BUNDLE: &str = include_str!("data/random-cases.sop");

fn bundle() -> &'static CompiledBundle {
    static BUNDLE_IR: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE_IR.get_or_init(|| {
        let (file, diags) = sopflow_syntax::parse_file(FileId(0), BUNDLE);
        assert!(diags.is_empty(), "{diags:?}");
        let (report, bundle) = sopflow_check::compile(&[file], &CheckConfig::default());
        bundle.unwrap_or_else(|| panic!("{:?}", report.diagnostics))
    })
}

/// Names to draw from: the bundle's own, plus one unknown of each kind.
struct Names {
    steps: Vec<String>,
    roles: Vec<String>,
    services: Vec<String>,
    policies: Vec<String>,
    forms: Vec<String>,
    fields: Vec<String>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let b = bundle();
        let with = |mut v: Vec<String>, extra: &str| {
            v.push(extra.to_string());
            v
        };
        Names {
            steps: with(
                b.sops
                    .values()
                    .flat_map(|s| s.nodes.iter().map(|n| n.name.to_string()))
                    .collect(),
                "tidak_ada",
            ),
            roles: with(b.roles.keys().cloned().collect(), "orang_lain"),
            services: with(b.services.keys().cloned().collect(), "sulap"),
            policies: vec!["data".into(), "rahasia".into()],
            forms: with(b.forms.keys().cloned().collect(), "formulir_lain"),
            fields: with(
                b.forms
                    .values()
                    .flat_map(|f| f.fields.iter().map(|x| x.name.to_string()))
                    .collect(),
                "kolom_lain",
            ),
        }
    })
}

/// A raw value for wild data.
#[derive(Debug, Clone)]
enum RawVal {
    Bool(bool),
    Int(i64),
    Text(String),
    Null,
}

impl RawVal {
    fn json(&self) -> serde_json::Value {
        match self {
            RawVal::Bool(b) => serde_json::Value::Bool(*b),
            RawVal::Int(i) => serde_json::Value::from(*i),
            RawVal::Text(s) => serde_json::Value::String(s.clone()),
            RawVal::Null => serde_json::Value::Null,
        }
    }
}

/// One step of a generated history; names and tokens are resolved against
/// the bundle and the current state when it is applied.
#[derive(Debug, Clone)]
enum Op {
    /// Complete an active step (the `pick`th waiting for work) with an
    /// allowed role and valid data derived from `seed`.
    Good {
        pick: usize,
        seed: u64,
        consent: Option<bool>,
    },
    /// Complete any step name as any role (or none) with any data.
    Wild {
        step: usize,
        role: Option<usize>,
        data: Vec<(usize, usize, RawVal)>,
        consent: Option<bool>,
    },
    Tick,
    Referral {
        service: usize,
        response: ReferralResponse,
    },
    Consent {
        policy: usize,
        given: bool,
    },
    Close,
    Reopen {
        step: Option<usize>,
    },
    Cancel,
}

fn raw_val() -> impl Strategy<Value = RawVal> {
    prop_oneof![
        any::<bool>().prop_map(RawVal::Bool),
        (-3i64..25).prop_map(RawVal::Int),
        prop::sample::select(vec![
            "tidak",
            "ringan",
            "berat",
            "parah",
            "",
            "2025-02-30",
            "2025-01-02",
        ])
        .prop_map(|s| RawVal::Text(s.to_string())),
        Just(RawVal::Null),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let consent = prop::option::of(any::<bool>());
    prop_oneof![
        6 => (0usize..4, any::<u64>(), consent.clone())
            .prop_map(|(pick, seed, consent)| Op::Good { pick, seed, consent }),
        3 => (
            0usize..64,
            prop::option::of(0usize..64),
            prop::collection::vec((0usize..64, 0usize..64, raw_val()), 0..5),
            consent
        )
            .prop_map(|(step, role, data, consent)| Op::Wild { step, role, data, consent }),
        2 => Just(Op::Tick),
        3 => (0usize..64, prop::sample::select(vec![
                ReferralResponse::Accept,
                ReferralResponse::Decline,
                ReferralResponse::Done,
            ]))
            .prop_map(|(service, response)| Op::Referral { service, response }),
        1 => (0usize..2, any::<bool>()).prop_map(|(policy, given)| Op::Consent { policy, given }),
        1 => Just(Op::Close),
        1 => prop::option::of(0usize..64).prop_map(|step| Op::Reopen { step }),
        1 => Just(Op::Cancel),
    ]
}

/// Minutes to the next event: mostly forward, sometimes far, sometimes back in time.
fn delta() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 0i64..180,
        3 => 180i64..(5 * 24 * 60),
        1 => -120i64..0,
    ]
}

fn pick(list: &[String], i: usize) -> &str {
    &list[i % list.len()]
}

fn next_seed(seed: &mut u64) -> u64 {
    // xorshift64*: cheap, deterministic variety from one seed.
    *seed ^= *seed >> 12;
    *seed ^= *seed << 25;
    *seed ^= *seed >> 27;
    seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Valid data for every form `node` fills: required fields always, optional ones sometimes.
fn valid_data(
    b: &CompiledBundle,
    node: &NodeIr,
    mut seed: u64,
) -> BTreeMap<String, BTreeMap<String, serde_json::Value>> {
    seed |= 1;
    let mut out = BTreeMap::new();
    for form in &node.fills {
        let Some(ir) = b.forms.get(form.as_str()) else {
            continue;
        };
        let mut fields = BTreeMap::new();
        for f in &ir.fields {
            let r = next_seed(&mut seed);
            if !f.required && r % 3 == 0 {
                continue;
            }
            let v = match &f.ty {
                FieldTy::Bool => serde_json::Value::Bool(r % 2 == 0),
                FieldTy::Int { min, max } => {
                    let lo = min.unwrap_or(0);
                    let hi = max.unwrap_or(lo + 100).max(lo);
                    let span = (hi - lo) as u64 + 1;
                    serde_json::Value::from(lo + (r % span) as i64)
                }
                FieldTy::Enum(values) => {
                    serde_json::Value::String(values[(r as usize) % values.len()].to_string())
                }
                FieldTy::Text => serde_json::Value::String("catatan".into()),
                FieldTy::Date => serde_json::Value::String("2025-01-02".into()),
            };
            fields.insert(f.name.to_string(), v);
        }
        out.insert(form.to_string(), fields);
    }
    out
}

/// The event `op` stands for in `state`, at `at`.
fn event(op: &Op, state: &CaseState, at: At) -> Event {
    let b = bundle();
    let n = names();
    let (by, kind) = match op {
        Op::Good {
            pick: p,
            seed,
            consent,
        } => {
            let work: Vec<&Token> = state
                .tokens
                .iter()
                .filter(|t| t.phase == Phase::Work)
                .collect();
            match work.get(p % work.len().max(1)) {
                Some(t) => {
                    let sop = state
                        .frames
                        .iter()
                        .find(|f| f.id == t.frame)
                        .and_then(|f| b.sops.get(f.sop.as_str()));
                    let node = sop.and_then(|s| s.nodes.get(t.node));
                    let (role, data) = match node {
                        Some(node) => (
                            node.performers
                                .get((*seed as usize) % node.performers.len().max(1))
                                .map(ToString::to_string),
                            valid_data(b, node, *seed),
                        ),
                        None => (None, BTreeMap::new()),
                    };
                    (
                        role,
                        EventKind::Complete {
                            step: t.step.clone(),
                            data,
                            consent: *consent,
                        },
                    )
                }
                None => (None, EventKind::Tick),
            }
        }
        Op::Wild {
            step,
            role,
            data,
            consent,
        } => {
            let mut map: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
            for (form, field, value) in data {
                map.entry(pick(&n.forms, *form).to_string())
                    .or_default()
                    .insert(pick(&n.fields, *field).to_string(), value.json());
            }
            (
                role.map(|r| pick(&n.roles, r).to_string()),
                EventKind::Complete {
                    step: pick(&n.steps, *step).into(),
                    data: map,
                    consent: *consent,
                },
            )
        }
        Op::Tick => (None, EventKind::Tick),
        Op::Referral { service, response } => (
            None,
            EventKind::Referral {
                service: pick(&n.services, *service).into(),
                response: *response,
            },
        ),
        Op::Consent { policy, given } => (
            Some("supervisor".into()),
            EventKind::Consent {
                policy: pick(&n.policies, *policy).into(),
                given: *given,
            },
        ),
        Op::Close => (
            Some("kepala".into()),
            EventKind::Close {
                reason: "selesai".into(),
            },
        ),
        Op::Reopen { step } => (
            Some("kepala".into()),
            EventKind::Reopen {
                step: step.map(|s| pick(&n.steps, s).into()),
            },
        ),
        Op::Cancel => (
            Some("kepala".into()),
            EventKind::Cancel {
                reason: "ganda".into(),
            },
        ),
    };
    Event {
        at,
        by: by.map(Into::into),
        kind,
    }
}

fn shift(at: At, minutes: i64) -> At {
    let ts = at.timestamp() + jiff::SignedDuration::from_mins(minutes);
    // Keep the +07:00 offset every event of these cases is stated in.
    let local = ts.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    local
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
        .parse()
        .expect("a valid timestamp")
}

fn json(state: &CaseState) -> String {
    serde_json::to_string(state).expect("a case state serialises")
}

/// Runs `ops` on a new case, checking the properties as it goes; returns
/// how many events were accepted.
fn run(ops: &[(i64, Op)]) -> Result<usize, TestCaseError> {
    let b = bundle();
    let start_at: At = "2024-12-30T08:00:00+07:00".parse().expect("timestamp");
    let mut state = start(b, "layanan", "k", start_at, Some("petugas".into()))
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .state;
    let mut at = start_at;
    let mut accepted = 0;
    for (minutes, op) in ops {
        at = shift(at, *minutes);
        let e = event(op, &state, at);
        let before = json(&state);
        match apply(b, &state, e.clone()) {
            Ok(out) => {
                let last = out.state.history.last().expect("history has the event");
                prop_assert_eq!(&last.event, &e);
                prop_assert_eq!(&last.effects, &out.effects);
                prop_assert_eq!(out.state.history.len(), state.history.len() + 1);
                state = out.state;
                accepted += 1;
            }
            Err(err) => {
                prop_assert_eq!(json(&state), before, "rejected by {}", err);
                prop_assert!(!err.to_string().is_empty());
                // A rejected event is rejected again: nothing hidden changed.
                prop_assert_eq!(apply(b, &state, e).err(), Some(err));
            }
        }
    }
    let events: Vec<Event> = state.history.iter().map(|h| h.event.clone()).collect();
    let replayed =
        replay(b, "k", &events).map_err(|e| TestCaseError::fail(format!("replay: {e}")))?;
    prop_assert_eq!(json(&replayed), json(&state));
    prop_assert_eq!(&replayed, &state);
    let restored: CaseState = serde_json::from_str(&json(&state))
        .map_err(|e| TestCaseError::fail(format!("restore: {e}")))?;
    prop_assert_eq!(&restored, &state);
    Ok(accepted)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn random_histories_never_panic_reject_cleanly_and_replay(
        ops in prop::collection::vec((delta(), op()), 0..40)
    ) {
        run(&ops)?;
    }
}

#[test]
fn generated_histories_go_deep() {
    // The `Good` events must drive cases well past the first step, or the
    // properties above would only ever see rejections.
    let ops: Vec<(i64, Op)> = (0..30)
        .map(|i| {
            (
                30,
                Op::Good {
                    pick: 0,
                    seed: 7 + i,
                    consent: None,
                },
            )
        })
        .collect();
    let accepted = run(&ops).unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted >= 5, "only {accepted} events accepted");
}
