//! Arbitrary bytes → a sequence of events applied to a case of a fixed bundle.
//!
//! The bundle (compiled once) has decisions, a parallel block with two
//! referrals (one with a fallback provider) and a branch, a call of another
//! SOP, an `on overdue -> step` jump, hour, day, week and working-day
//! deadlines with a holiday, scores and levels, and consent before sharing.
//!
//! The first byte picks the SOP (or an unknown one). Then each event takes a
//! few bytes: a time delta (mostly forward, sometimes far ahead, sometimes
//! backwards), a kind (completion of an active step with an allowed role and
//! valid data, a completion with any step name, role and data — garbage
//! included —, tick, referral answer, consent, close, reopen, cancel) and its
//! operands. Asserted:
//!
//! * nothing panics;
//! * a rejected event leaves the state byte-identical (as JSON);
//! * an accepted event appends exactly one history entry;
//! * the final state survives a JSON round trip, and replaying its history
//!   from the start gives the same state.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sopflow::engine::{CaseState, Event, EventKind, Phase, ReferralResponse};
use sopflow::{At, CheckConfig, CompiledBundle, SourceMap};
use sopflow_check::ir::FieldTy;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Shared with the engine's property tests.
const BUNDLE: &str =
    include_str!("../../crates/sopflow-engine/tests/data/random-cases.sop");

/// The compiled bundle and the names events are drawn from (the bundle's
/// own plus garbage of each kind).
struct Fixture {
    bundle: CompiledBundle,
    sops: Vec<String>,
    steps: Vec<String>,
    roles: Vec<String>,
    services: Vec<String>,
    policies: Vec<String>,
    forms: Vec<String>,
    fields: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut sources = SourceMap::new();
        sources.add("fuzz.sop", BUNDLE);
        let (report, bundle) = sopflow::compile_sources(&sources, &CheckConfig::default());
        let bundle = bundle.unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        let with = |mut v: Vec<String>, extra: &[&str]| {
            v.extend(extra.iter().map(|s| s.to_string()));
            v
        };
        Fixture {
            sops: with(bundle.sops.keys().cloned().collect(), &["tidak_ada"]),
            steps: with(
                bundle
                    .sops
                    .values()
                    .flat_map(|s| {
                        s.nodes
                            .iter()
                            .flat_map(move |n| [n.name.to_string(), format!("{}.{}", s.name, n.name)])
                    })
                    .collect(),
                &["tidak_ada", "", ".", "layanan.", "x.y.z", "lapor\u{0}"],
            ),
            roles: with(bundle.roles.keys().cloned().collect(), &["orang_lain", ""]),
            services: with(bundle.services.keys().cloned().collect(), &["sulap", ""]),
            policies: vec!["data".into(), "rahasia".into(), String::new()],
            forms: with(bundle.forms.keys().cloned().collect(), &["formulir_lain"]),
            fields: with(
                bundle
                    .forms
                    .values()
                    .flat_map(|f| f.fields.iter().map(|x| x.name.to_string()))
                    .collect(),
                &["kolom_lain", "skor", "risiko"],
            ),
            bundle,
        }
    })
}

/// Reads the fuzz input a byte at a time; zeros once it is used up.
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'l>(&mut self, list: &'l [String]) -> &'l str {
        &list[self.byte() as usize % list.len()]
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn maybe_flag(&mut self) -> Option<bool> {
        match self.byte() % 3 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }

    /// A JSON value: mostly ones a form could take, sometimes odd ones.
    fn value(&mut self) -> serde_json::Value {
        let b = self.byte();
        match b % 8 {
            0 => serde_json::Value::Bool(b & 8 != 0),
            1 => serde_json::Value::from(i64::from(self.byte() as i8)),
            2 => serde_json::Value::from(
                [i64::MIN, i64::MAX, -1, 0, 17, 18][self.byte() as usize % 6],
            ),
            3 => serde_json::Value::String(
                [
                    "tidak",
                    "ringan",
                    "berat",
                    "parah",
                    "",
                    "2025-02-30",
                    "2025-01-02",
                    "x\u{0}",
                ][self.byte() as usize % 8]
                    .to_string(),
            ),
            4 => serde_json::Value::Null,
            5 => serde_json::json!(1.5),
            6 => serde_json::json!([1, 2]),
            _ => serde_json::json!({ "a": 1 }),
        }
    }
}

/// `at` moved by `seconds` (keeping the +07:00 offset the case runs in);
/// `at` itself when the result is out of range.
fn shift(at: At, seconds: i64) -> At {
    let Ok(ts) = at
        .timestamp()
        .checked_add(jiff::SignedDuration::from_secs(seconds))
    else {
        return at;
    };
    ts.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
        .parse()
        .unwrap_or(at)
}

/// Seconds to the next event: mostly minutes or hours ahead, sometimes days
/// or weeks, sometimes backwards.
fn delta(bytes: &mut Bytes<'_>) -> i64 {
    let b = bytes.byte();
    let n = i64::from(bytes.byte());
    match b % 8 {
        0 => 0,
        1..=3 => n * 60,
        4 => n * 3600,
        5 => n * 86_400,
        6 => n * 7 * 86_400,
        _ => -n * 60,
    }
}

/// Valid data for every form of `fills`, varied by the input.
fn valid_data(
    fx: &Fixture,
    fills: &[sopflow::engine::Name],
    bytes: &mut Bytes<'_>,
) -> BTreeMap<String, BTreeMap<String, serde_json::Value>> {
    let mut out = BTreeMap::new();
    for form in fills {
        let Some(ir) = fx.bundle.forms.get(form.as_str()) else {
            continue;
        };
        let mut fields = BTreeMap::new();
        for f in &ir.fields {
            let r = bytes.byte();
            if !f.required && r.is_multiple_of(3) {
                continue;
            }
            let v = match &f.ty {
                FieldTy::Bool => serde_json::Value::Bool(r & 4 != 0),
                FieldTy::Int { min, max } => {
                    let lo = min.unwrap_or(0);
                    let hi = max.unwrap_or(lo.saturating_add(100)).max(lo);
                    let span = (hi as i128 - lo as i128 + 1) as u128;
                    serde_json::Value::from((lo as i128 + (u128::from(r) % span) as i128) as i64)
                }
                FieldTy::Enum(values) => {
                    serde_json::Value::String(values[r as usize % values.len()].to_string())
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

/// The next event, from the input and the current state.
fn event(fx: &Fixture, state: &CaseState, at: At, bytes: &mut Bytes<'_>) -> Event {
    let (by, kind) = match bytes.byte() % 10 {
        0..=2 => {
            // Complete an active step as an allowed role, with valid data.
            let work: Vec<_> = state
                .tokens
                .iter()
                .filter(|t| t.phase == Phase::Work || t.stuck)
                .collect();
            let pick = bytes.byte() as usize;
            match work.get(pick % work.len().max(1)) {
                Some(t) => {
                    let node = state
                        .frames
                        .iter()
                        .find(|f| f.id == t.frame)
                        .and_then(|f| fx.bundle.sops.get(f.sop.as_str()))
                        .and_then(|s| s.nodes.get(t.node));
                    let (role, data) = match node {
                        Some(node) => (
                            node.performers
                                .get(bytes.byte() as usize % node.performers.len().max(1))
                                .cloned(),
                            valid_data(fx, &node.fills, bytes),
                        ),
                        None => (None, BTreeMap::new()),
                    };
                    (
                        role,
                        EventKind::Complete {
                            step: t.step.clone(),
                            data,
                            consent: bytes.maybe_flag(),
                        },
                    )
                }
                None => (None, EventKind::Tick),
            }
        }
        3 | 4 => {
            // Any step name, any role or none, any data.
            let step = sopflow::engine::Name::from(bytes.pick(&fx.steps).to_string());
            let role = match bytes.byte() % 4 {
                0 => None,
                _ => Some(bytes.pick(&fx.roles).to_string().into()),
            };
            let mut data: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
            for _ in 0..bytes.byte() % 5 {
                let form = bytes.pick(&fx.forms).to_string();
                let field = bytes.pick(&fx.fields).to_string();
                let value = bytes.value();
                data.entry(form).or_default().insert(field, value);
            }
            (
                role,
                EventKind::Complete {
                    step,
                    data,
                    consent: bytes.maybe_flag(),
                },
            )
        }
        5 => (None, EventKind::Tick),
        6 => (
            None,
            EventKind::Referral {
                service: bytes.pick(&fx.services).to_string().into(),
                response: [
                    ReferralResponse::Accept,
                    ReferralResponse::Decline,
                    ReferralResponse::Done,
                ][bytes.byte() as usize % 3],
            },
        ),
        7 => (
            Some(bytes.pick(&fx.roles).to_string().into()),
            EventKind::Consent {
                policy: bytes.pick(&fx.policies).to_string().into(),
                given: bytes.flag(),
            },
        ),
        8 => match bytes.byte() % 3 {
            0 => (
                Some("kepala".into()),
                EventKind::Close {
                    reason: "selesai".into(),
                },
            ),
            1 => (
                Some("kepala".into()),
                EventKind::Cancel {
                    reason: "ganda".into(),
                },
            ),
            _ => (
                Some("kepala".into()),
                EventKind::Reopen {
                    step: if bytes.flag() {
                        Some(bytes.pick(&fx.steps).to_string().into())
                    } else {
                        None
                    },
                },
            ),
        },
        _ => (
            None,
            EventKind::Start {
                sop: bytes.pick(&fx.sops).to_string().into(),
            },
        ),
    };
    Event { at, by, kind }
}

fn json(state: &CaseState) -> String {
    serde_json::to_string(state).expect("a case state serialises")
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let bundle = &fx.bundle;
    let mut bytes = Bytes { data };
    let sop = bytes.pick(&fx.sops).to_string();
    let t0: At = "2025-01-06T08:00:00+07:00".parse().expect("a timestamp");
    let Ok(started) = sopflow::start(bundle, &sop, "kasus", t0, Some("petugas".into())) else {
        assert!(
            !bundle.sops.contains_key(&sop),
            "sop `{sop}` does not start"
        );
        return;
    };
    let mut state = started.state;
    let mut at = t0;
    // Bounded so that a long input does not turn into a slow one.
    for _ in 0..256 {
        if bytes.data.is_empty() {
            break;
        }
        at = shift(at, delta(&mut bytes));
        let event = event(fx, &state, at, &mut bytes);
        let before = json(&state);
        let len = state.history.len();
        match sopflow::apply(bundle, &state, event.clone()) {
            Ok(outcome) => {
                assert_eq!(
                    outcome.state.history.len(),
                    len + 1,
                    "one history entry per event"
                );
                assert_eq!(
                    outcome.state.history.last().map(|h| &h.event),
                    Some(&event),
                    "the history records the event as applied"
                );
                state = outcome.state;
            }
            Err(_) => assert_eq!(json(&state), before, "a rejected event changed the state"),
        }
    }
    let text = json(&state);
    let back: CaseState = serde_json::from_str(&text).expect("a case state deserialises");
    assert_eq!(back, state, "JSON round trip");
    let events: Vec<Event> = state.history.iter().map(|h| h.event.clone()).collect();
    let replayed = sopflow::replay(bundle, &state.case_id, &events).expect("the history replays");
    assert_eq!(
        json(&replayed),
        text,
        "replaying the history gives the same state"
    );
    assert_eq!(replayed, state);
});
