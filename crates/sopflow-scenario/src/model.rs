//! The scenario file model (`*.case.yaml`) and its reading: the YAML is read
//! into loose `Raw*` shapes (through [`crate::yaml`]) and then checked event
//! by event into typed [`Scenario`]s whose events are engine [`Event`]s.

use crate::error::ScenarioError;
use crate::yaml::{self, TopLevel, YamlError};
use serde::{Deserialize, Serialize};
use sopflow_engine::{At, EngineError, Event, EventKind, ReferralResponse, ReferralState};
use std::collections::BTreeMap;

/// Every [`EngineError`] code an `expect_error` may name (the snake_case
/// `code` tag of the error's JSON form).
pub const ERROR_CODES: &[&str] = &[
    "unknown_sop",
    "bundle_mismatch",
    "case_not_open",
    "time_went_backwards",
    "step_not_active",
    "role_not_allowed",
    "invalid_data",
    "no_branch_matched",
    "no_such_referral",
    "unknown_policy",
    "cannot_reopen",
    "ambiguous_step",
    "fuel_exhausted",
];

/// The code of an engine error, as `expect_error` names it (`role_not_allowed`).
pub fn error_code(error: &EngineError) -> String {
    serde_json::to_value(error)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// One case of one SOP: its events and what must follow them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// The file it was read from, as shown to people.
    pub file: String,
    /// The SOP the case runs.
    pub sop: String,
    /// The case id (`case:`, or the file name without `.case.yaml`).
    pub case_id: String,
    /// What the scenario is about (`description:`), if given.
    pub description: Option<String>,
    /// When the case starts (`start:`, or the first event's time).
    pub start: At,
    /// The events, in file order.
    pub events: Vec<ScenarioEvent>,
    /// What must hold after the last event.
    pub expect: Expect,
}

/// The events of a file given to `sopflow run`: a scenario file, or a bare list of events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventsFile {
    /// The file it was read from.
    pub file: String,
    /// The SOP named in the file, if it is a scenario file.
    pub sop: Option<String>,
    /// The case id (`case:`, or the file name without its extension).
    pub case_id: String,
    /// When the case starts (`start:`, or the first event's time).
    pub start: At,
    /// The events, in file order.
    pub events: Vec<ScenarioEvent>,
}

/// One event of a scenario, with the rejection it must meet, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioEvent {
    /// The engine event.
    pub event: Event,
    /// The [`EngineError`] code this event must be rejected with (the case is then unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_error: Option<String>,
}

/// A case status as written in `expect.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    /// Work is going on.
    Open,
    /// Finished at an end, or closed by hand.
    Closed,
    /// Cancelled.
    Cancelled,
}

impl StatusName {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusName::Open => "open",
            StatusName::Closed => "closed",
            StatusName::Cancelled => "cancelled",
        }
    }
}

/// What must hold at the end of a scenario. Only the keys given are checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Every step and end visited, in order, across called SOPs (`step` or `sop.step`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<String>>,
    /// The active steps, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<Vec<String>>,
    /// The case's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusName>,
    /// The end the case reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// For each role listed: the steps waiting for its work, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<BTreeMap<String, Vec<String>>>,
    /// Every escalation, in order: overdue steps and referrals with no provider left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalations: Option<Vec<EscalationExpect>>,
    /// Every referral made, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrals: Option<Vec<ReferralExpect>>,
    /// Computed scores and levels: form → name → value (`levels:` is the same key).
    #[serde(default, alias = "levels", skip_serializing_if = "Option::is_none")]
    pub computed: Option<BTreeMap<String, BTreeMap<String, serde_json::Value>>>,
    /// Consent per policy: given (true), refused or withdrawn (false), never asked (null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consents: Option<BTreeMap<String, Option<bool>>>,
}

/// An expected escalation: of an overdue `step`, or of a referral to a
/// `service` no provider took; `to` is the role escalated to (none: nobody is left).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationExpect {
    /// The overdue step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The service of an exhausted referral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The role escalated to; absent or null when the chain has nobody further.
    #[serde(default)]
    pub to: Option<String>,
}

/// An expected referral: its service and, when given, its state and the
/// providers tried, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralExpect {
    /// The service type.
    pub service: String,
    /// Its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ReferralState>,
    /// The providers tried, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(default)]
    sop: Option<String>,
    #[serde(default)]
    case: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default)]
    expect: Option<Expect>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FlagOrName {
    Flag(bool),
    Name(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    at: String,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    complete: Option<String>,
    #[serde(default)]
    data: Option<BTreeMap<String, BTreeMap<String, serde_json::Value>>>,
    #[serde(default)]
    consent: Option<FlagOrName>,
    #[serde(default)]
    given: Option<bool>,
    #[serde(default)]
    tick: Option<bool>,
    #[serde(default)]
    referral: Option<String>,
    #[serde(default)]
    response: Option<ReferralResponse>,
    #[serde(default)]
    close: Option<String>,
    #[serde(default)]
    reopen: Option<FlagOrName>,
    #[serde(default)]
    cancel: Option<String>,
    #[serde(default)]
    expect_error: Option<String>,
}

fn yaml_error(file: &str, e: YamlError) -> ScenarioError {
    ScenarioError::Yaml {
        file: file.to_string(),
        line: e.line,
        column: e.column,
        message: e.message,
    }
}

fn invalid(file: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.to_string(),
        message: message.into(),
    }
}

/// The file name without directories and without `.case.yaml` / `.yaml` / `.yml`.
fn stem(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    [".case.yaml", ".case.yml", ".yaml", ".yml"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name)
        .to_string()
}

/// Reads a scenario file (`file` is the name shown in errors).
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = yaml::from_str(text).map_err(|e| yaml_error(file, e))?;
    let sop = raw
        .sop
        .clone()
        .ok_or_else(|| invalid(file, "missing `sop:` (the SOP the case runs)"))?;
    let expect = raw.expect.clone().unwrap_or_default();
    check_expect(file, &expect)?;
    let (start, events) = events_of(file, raw.start.as_deref(), raw.events)?;
    Ok(Scenario {
        file: file.to_string(),
        sop,
        case_id: raw.case.unwrap_or_else(|| stem(file)),
        description: raw.description,
        start,
        events,
        expect,
    })
}

/// Reads the events given to `sopflow run`: a scenario file (its `expect` is
/// read but not used) or a bare YAML list of events.
pub fn parse_events(file: &str, text: &str) -> Result<EventsFile, ScenarioError> {
    let raw = match yaml::top_level(text).map_err(|e| yaml_error(file, e))? {
        TopLevel::Sequence => RawScenario {
            sop: None,
            case: None,
            description: None,
            start: None,
            events: yaml::from_str(text).map_err(|e| yaml_error(file, e))?,
            expect: None,
        },
        TopLevel::Mapping => yaml::from_str(text).map_err(|e| yaml_error(file, e))?,
        TopLevel::Other => {
            return Err(invalid(
                file,
                "expected a scenario (`sop:`, `events:` …) or a list of events",
            ));
        }
    };
    if let Some(expect) = &raw.expect {
        check_expect(file, expect)?;
    }
    let (start, events) = events_of(file, raw.start.as_deref(), raw.events)?;
    Ok(EventsFile {
        file: file.to_string(),
        sop: raw.sop,
        case_id: raw.case.unwrap_or_else(|| stem(file)),
        start,
        events,
    })
}

fn check_expect(file: &str, expect: &Expect) -> Result<(), ScenarioError> {
    for (i, e) in expect.escalations.iter().flatten().enumerate() {
        if e.step.is_some() == e.service.is_some() {
            return Err(invalid(
                file,
                format!(
                    "expect.escalations[{}]: give either `step:` (an overdue step) or `service:` (a referral no provider took)",
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

fn events_of(
    file: &str,
    start: Option<&str>,
    raw: Vec<RawEvent>,
) -> Result<(At, Vec<ScenarioEvent>), ScenarioError> {
    let events = raw
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            event(e).map_err(|message| ScenarioError::Event {
                file: file.to_string(),
                index: i + 1,
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let start = match start {
        Some(s) => s
            .parse::<At>()
            .map_err(|e| invalid(file, format!("start: {e}")))?,
        None => events.first().map(|e| e.event.at).ok_or_else(|| {
            invalid(
                file,
                "no events and no `start:` time: nothing says when the case starts",
            )
        })?,
    };
    Ok((start, events))
}

/// Turns one raw event into an engine event, or says what is wrong with it.
fn event(raw: RawEvent) -> Result<ScenarioEvent, String> {
    let at: At = raw.at.parse().map_err(|e| format!("at: {e}"))?;
    let mut kinds: Vec<&str> = Vec::new();
    if raw.complete.is_some() {
        kinds.push("complete");
    }
    match raw.tick {
        Some(true) => kinds.push("tick"),
        Some(false) => return Err("`tick: false` is not an event; write `tick: true`".into()),
        None => {}
    }
    if raw.referral.is_some() {
        kinds.push("referral");
    }
    let consent_policy = match (&raw.consent, raw.complete.is_some()) {
        (Some(FlagOrName::Name(p)), _) => {
            kinds.push("consent");
            Some(p.clone())
        }
        (Some(FlagOrName::Flag(_)), false) => {
            return Err("`consent: true|false` belongs to a `complete:` event; to record consent outside a step write `consent: POLICY` and `given: true|false`".into());
        }
        _ => None,
    };
    if raw.close.is_some() {
        kinds.push("close");
    }
    if raw.reopen.is_some() {
        kinds.push("reopen");
    }
    if raw.cancel.is_some() {
        kinds.push("cancel");
    }
    match kinds.as_slice() {
        [] => {
            return Err(
                "an event needs one of `complete`, `tick`, `referral`, `consent`, `close`, `reopen`, `cancel`"
                    .into(),
            );
        }
        [_] => {}
        several => {
            return Err(format!(
                "an event does one thing, but this one has {}",
                several
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
    }
    if raw.data.is_some() && raw.complete.is_none() {
        return Err("`data:` belongs to a `complete:` event".into());
    }
    if raw.response.is_some() && raw.referral.is_none() {
        return Err("`response:` belongs to a `referral:` event".into());
    }
    if raw.given.is_some() && consent_policy.is_none() {
        return Err("`given:` belongs to a `consent: POLICY` event".into());
    }
    if let Some(code) = &raw.expect_error {
        if !ERROR_CODES.contains(&code.as_str()) {
            return Err(format!(
                "expect_error: unknown error code `{code}`; known codes: {}",
                ERROR_CODES.join(", ")
            ));
        }
    }
    let kind = if let Some(step) = raw.complete {
        EventKind::Complete {
            step: step.into(),
            data: raw.data.unwrap_or_default(),
            consent: match raw.consent {
                Some(FlagOrName::Flag(b)) => Some(b),
                _ => None,
            },
        }
    } else if raw.tick.is_some() {
        EventKind::Tick
    } else if let Some(service) = raw.referral {
        let response = raw
            .response
            .ok_or("a `referral:` event needs `response: accept|decline|done`")?;
        EventKind::Referral {
            service: service.into(),
            response,
        }
    } else if let Some(policy) = consent_policy {
        let given = raw
            .given
            .ok_or("a `consent: POLICY` event needs `given: true|false`")?;
        EventKind::Consent {
            policy: policy.into(),
            given,
        }
    } else if let Some(reason) = raw.close {
        EventKind::Close { reason }
    } else if let Some(reopen) = raw.reopen {
        EventKind::Reopen {
            step: match reopen {
                FlagOrName::Name(s) => Some(s.into()),
                FlagOrName::Flag(true) => None,
                FlagOrName::Flag(false) => {
                    return Err(
                        "`reopen: false` is not an event; write `reopen: true` or `reopen: STEP`"
                            .into(),
                    );
                }
            },
        }
    } else if let Some(reason) = raw.cancel {
        EventKind::Cancel { reason }
    } else {
        return Err("an event needs one of `complete`, `tick`, `referral`, `consent`, `close`, `reopen`, `cancel`".into());
    };
    Ok(ScenarioEvent {
        event: Event {
            at,
            by: raw.by.map(Into::into),
            kind,
        },
        expect_error: raw.expect_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "scenarios/darurat.case.yaml";

    fn event_error(text: &str) -> (usize, String) {
        match parse_scenario(FILE, text) {
            Err(ScenarioError::Event { index, message, .. }) => (index, message),
            other => panic!("expected an event error, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_sketch_example() {
        let text = r#"
sop: pengaduan
events:
  - { at: 2024-06-10T09:00:00+07:00, by: relawan, complete: terima,
      data: { pengaduan: { saluran: patbm, nama_anak: "A", usia_anak: 9, jenis: fisik, darurat: true } } }
  - { at: 2024-06-10T11:00:00+07:00, by: manajer_kasus, complete: verifikasi }
  - { at: 2024-06-12T11:00:00+07:00, tick: true }
  - { at: 2024-06-12T12:00:00+07:00, referral: medis, response: decline }
  - { at: 2024-06-12T12:00:00+07:00, consent: data_anak, given: false }
  - { at: 2024-06-12T12:00:00+07:00, by: ketua, close: selesai }
  - { at: 2024-06-12T12:00:00+07:00, reopen: true, expect_error: case_not_open }
  - { at: 2024-06-12T12:00:00+07:00, reopen: rencana }
  - { at: 2024-06-12T12:00:00+07:00, cancel: salah input }
expect:
  path: [terima, verifikasi, respon_darurat]
  active: [respon_darurat]
  escalations: [{ step: respon_darurat, to: ketua }, { service: medis }]
  levels: { asesmen_risiko: { risiko: tinggi } }
  consents: { data_anak: null }
"#;
        let s = parse_scenario(FILE, text).expect("valid scenario");
        assert_eq!(s.sop, "pengaduan");
        assert_eq!(s.case_id, "darurat");
        assert_eq!(s.start.to_string(), "2024-06-10T09:00:00+07:00");
        assert_eq!(s.events.len(), 9);
        let EventKind::Complete {
            step,
            data,
            consent,
        } = &s.events[0].event.kind
        else {
            panic!("{:?}", s.events[0])
        };
        assert_eq!((step.as_str(), *consent), ("terima", None));
        assert_eq!(data["pengaduan"]["usia_anak"], serde_json::json!(9));
        assert_eq!(data["pengaduan"]["darurat"], serde_json::json!(true));
        assert_eq!(s.events[2].event.kind, EventKind::Tick);
        assert_eq!(
            s.events[4].event.kind,
            EventKind::Consent {
                policy: "data_anak".into(),
                given: false
            }
        );
        assert_eq!(s.events[6].expect_error.as_deref(), Some("case_not_open"));
        assert_eq!(
            s.events[7].event.kind,
            EventKind::Reopen {
                step: Some("rencana".into())
            }
        );
        let escalations = s.expect.escalations.as_ref().expect("escalations");
        assert_eq!(escalations[1].service.as_deref(), Some("medis"));
        assert_eq!(escalations[1].to, None);
        assert_eq!(
            s.expect.computed.as_ref().expect("levels")["asesmen_risiko"]["risiko"],
            serde_json::json!("tinggi")
        );
        assert_eq!(
            s.expect.consents.as_ref().expect("consents")["data_anak"],
            None
        );
    }

    #[test]
    fn event_problems_name_the_event() {
        let head = "sop: s\nevents:\n  - { at: 2024-06-10T09:00:00+07:00, tick: true }\n";
        let cases = [
            (
                "  - { at: kemarin, tick: true }\n",
                "at: `kemarin` is not a timestamp",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00 }\n",
                "an event needs one of",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, tick: true, close: x }\n",
                "has `tick` and `close`",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, referral: medis }\n",
                "needs `response: accept|decline|done`",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, consent: data_anak }\n",
                "needs `given: true|false`",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, tick: true, consent: true }\n",
                "belongs to a `complete:` event",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, tick: true, data: {} }\n",
                "`data:` belongs",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, tick: true, expect_error: nope }\n",
                "unknown error code `nope`",
            ),
            (
                "  - { at: 2024-06-10T09:00:00+07:00, reopen: false }\n",
                "`reopen: false` is not an event",
            ),
        ];
        for (line, wanted) in cases {
            let (index, message) = event_error(&format!("{head}{line}"));
            assert_eq!(index, 2, "{line}");
            assert!(message.contains(wanted), "{line}: {message}");
        }
    }

    #[test]
    fn shape_errors_carry_line_and_column() {
        let text =
            "sop: s\nevents:\n  - at: 2024-06-10T09:00:00+07:00\n    tick: true\n    colour: red\n";
        match parse_scenario(FILE, text) {
            Err(ScenarioError::Yaml {
                line: Some(5),
                column: Some(5),
                message,
                ..
            }) => assert!(message.contains("unknown field `colour`"), "{message}"),
            other => panic!("{other:?}"),
        }
        let err = parse_scenario(FILE, "sop: s\nexpect:\n  pth: [a]\n").expect_err("typo");
        assert!(err.to_string().starts_with(FILE), "{err}");
        assert!(err.to_string().contains("unknown field `pth`"), "{err}");
        let err = parse_scenario(FILE, "events: []\n").expect_err("no sop");
        assert!(err.to_string().contains("missing `sop:`"), "{err}");
        let err = parse_scenario(FILE, "sop: s\n").expect_err("no start");
        assert!(err.to_string().contains("nothing says when"), "{err}");
        let err = parse_scenario(
            FILE,
            "sop: s\nstart: 2024-06-10T09:00:00+07:00\nexpect:\n  escalations: [{ to: ketua }]\n",
        )
        .expect_err("neither step nor service");
        assert!(err.to_string().contains("escalations[1]"), "{err}");
    }

    #[test]
    fn events_files_may_be_bare_lists() {
        let text = "- { at: 2024-06-10T09:00:00+07:00, tick: true }\n- { at: 2024-06-10T10:00:00+07:00, by: x, complete: a }\n";
        let f = parse_events("run/events.yaml", text).expect("a list of events");
        assert_eq!(f.sop, None);
        assert_eq!(f.case_id, "events");
        assert_eq!(f.events.len(), 2);
        let f = parse_events(
            "x.case.yaml",
            "sop: s\nstart: 2024-06-10T08:00:00+07:00\nevents: []\n",
        )
        .expect("a scenario");
        assert_eq!(f.sop.as_deref(), Some("s"));
        assert_eq!(f.start.to_string(), "2024-06-10T08:00:00+07:00");
        assert!(parse_events("x.yaml", "42\n").is_err());
    }

    #[test]
    fn every_listed_code_is_an_engine_code_and_every_engine_code_is_listed() {
        // An exhaustive match: a new EngineError variant fails to compile here.
        fn sample(code: &str) -> Option<EngineError> {
            let s = String::new;
            let e = match code {
                "unknown_sop" => EngineError::UnknownSop { sop: s() },
                "bundle_mismatch" => EngineError::BundleMismatch {
                    pinned: s(),
                    given: s(),
                },
                "case_not_open" => EngineError::CaseNotOpen { status: s() },
                "time_went_backwards" => {
                    let at: At = "2024-01-01T00:00:00Z".parse().ok()?;
                    EngineError::TimeWentBackwards { at, last: at }
                }
                "step_not_active" => EngineError::StepNotActive { step: s() },
                "role_not_allowed" => EngineError::RoleNotAllowed {
                    step: s(),
                    role: None,
                    allowed: s(),
                },
                "invalid_data" => EngineError::InvalidData {
                    problems: Vec::new(),
                },
                "no_branch_matched" => EngineError::NoBranchMatched { step: s() },
                "no_such_referral" => EngineError::NoSuchReferral { service: s() },
                "unknown_policy" => EngineError::UnknownPolicy { policy: s() },
                "cannot_reopen" => EngineError::CannotReopen { why: s() },
                "ambiguous_step" => EngineError::AmbiguousStep {
                    step: s(),
                    sops: s(),
                },
                "fuel_exhausted" => EngineError::FuelExhausted { limit: 1 },
                _ => return None,
            };
            match &e {
                EngineError::UnknownSop { .. }
                | EngineError::BundleMismatch { .. }
                | EngineError::CaseNotOpen { .. }
                | EngineError::TimeWentBackwards { .. }
                | EngineError::StepNotActive { .. }
                | EngineError::RoleNotAllowed { .. }
                | EngineError::InvalidData { .. }
                | EngineError::NoBranchMatched { .. }
                | EngineError::NoSuchReferral { .. }
                | EngineError::UnknownPolicy { .. }
                | EngineError::CannotReopen { .. }
                | EngineError::AmbiguousStep { .. }
                | EngineError::FuelExhausted { .. } => {}
            }
            Some(e)
        }
        for code in ERROR_CODES {
            let e = sample(code).expect("a sample error");
            assert_eq!(error_code(&e), *code);
        }
        assert_eq!(ERROR_CODES.len(), 13, "one code per EngineError variant");
    }
}
