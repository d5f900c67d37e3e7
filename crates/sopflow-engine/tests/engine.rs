//! Engine behaviour on small bundles compiled from source.

use sopflow_check::{CheckConfig, CompiledBundle};
use sopflow_diagnostics::FileId;
use sopflow_engine::*;
use std::collections::BTreeMap;

fn compile(src: &str) -> CompiledBundle {
    let (file, diags) = sopflow_syntax::parse_file(FileId(0), src);
    assert!(diags.is_empty(), "{diags:?}");
    let (report, bundle) = sopflow_check::compile(&[file], &CheckConfig::default());
    assert!(
        report.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        report.diagnostics
    );
    bundle.expect("compiled")
}

fn at(s: &str) -> At {
    s.parse().expect("timestamp")
}

fn complete(step: &str, data: serde_json::Value) -> EventKind {
    let data: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        serde_json::from_value(data).expect("data");
    EventKind::Complete {
        step: step.into(),
        data,
        consent: None,
    }
}

fn ev(t: &str, by: Option<&str>, kind: EventKind) -> Event {
    Event {
        at: at(t),
        by: by.map(Into::into),
        kind,
    }
}

const BUNDLE: &str = r#"
organization o {
  unit lpa { role relawan  role manajer  role ketua }
  escalate relawan -> manajer -> ketua
}
calendar kerja { workdays mon, tue, wed, thu, fri  holiday 2024-06-17 "Iduladha" }
form aduan {
  field darurat: bool required
  field usia: int 0..=17 required
  field jenis: enum(fisik, seksual) required
  score skor { darurat => 5  jenis == seksual => 5 }
  level risiko by skor { rendah below 5, tinggi }
}
network jejaring { provider rs1 offers medis  provider rs2 offers medis  provider psi offers psikososial }
policy data { class kasus  allow manajer read, write kasus  share kasus with jejaring requires consent }
sop pengaduan {
  start terima
  step terima { by relawan, manajer  fill aduan  within 1 day  next nilai }
  step nilai {
    by manajer
    within 2 workdays, on overdue escalate
    decide { when aduan.risiko == tinggi -> darurat  else -> biasa }
  }
  step darurat { by manajer  consent data  parallel { refer medis  refer psikososial  branch cek } next selesai }
  step cek { by manajer  next join }
  step biasa { by manajer  call tindak_lanjut  next selesai }
  end selesai
}
sop tindak_lanjut { start kunjungi step kunjungi { by manajer next beres } end beres }
"#;

#[test]
fn a_case_runs_through_decisions_parallel_referrals_and_a_call() {
    let b = compile(BUNDLE);
    let s = start(
        &b,
        "pengaduan",
        "k1",
        at("2024-06-14T09:00:00+07:00"),
        Some("relawan".into()),
    )
    .expect("start")
    .state;
    assert_eq!(
        tasks(&b, &s).iter().map(|t| t.step).collect::<Vec<_>>(),
        vec!["terima"]
    );
    let data = serde_json::json!({"aduan": {"darurat": true, "usia": 9, "jenis": "fisik"}});
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("relawan"),
            complete("terima", data),
        ),
    )
    .expect("terima")
    .state;
    assert_eq!(s.computed["aduan"]["risiko"], Value::Text("tinggi".into()));
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T11:00:00+07:00",
            Some("manajer"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect("nilai")
    .state;
    let out = apply(
        &b,
        &s,
        ev(
            "2024-06-14T12:00:00+07:00",
            Some("manajer"),
            complete("darurat", serde_json::json!({})),
        ),
    )
    .expect("darurat");
    let sent: Vec<_> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::ReferralSent { provider, .. } => Some(provider.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec!["rs1", "psi"]);
    let s = out.state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T13:00:00+07:00",
            None,
            EventKind::Referral {
                service: "medis".into(),
                response: ReferralResponse::Decline,
            },
        ),
    )
    .expect("decline")
    .state;
    assert_eq!(s.referrals[0].provider.as_deref(), Some("rs2"));
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T14:00:00+07:00",
            None,
            EventKind::Referral {
                service: "medis".into(),
                response: ReferralResponse::Accept,
            },
        ),
    )
    .expect("accept")
    .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T14:30:00+07:00",
            None,
            EventKind::Referral {
                service: "psikososial".into(),
                response: ReferralResponse::Accept,
            },
        ),
    )
    .expect("accept")
    .state;
    assert_eq!(
        s.status,
        CaseStatus::Open,
        "the branch `cek` has not joined yet"
    );
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T15:00:00+07:00",
            Some("manajer"),
            complete("cek", serde_json::json!({})),
        ),
    )
    .expect("cek")
    .state;
    assert!(
        matches!(&s.status, CaseStatus::Closed { end: Some(e), .. } if e == "selesai"),
        "{:?}",
        s.status
    );
    let path: Vec<_> = s.path.iter().map(|v| v.step.as_str()).collect();
    assert_eq!(path, vec!["terima", "nilai", "darurat", "cek", "selesai"]);
}

#[test]
fn rejected_events_leave_the_state_untouched_and_say_why() {
    let b = compile(BUNDLE);
    let s = start(&b, "pengaduan", "k1", at("2024-06-14T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let bad = serde_json::json!({"aduan": {"darurat": "ya", "usia": 30, "lain": 1}});
    let before = serde_json::to_string(&s).expect("json");
    let err = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("relawan"),
            complete("terima", bad),
        ),
    )
    .expect_err("invalid");
    let EngineError::InvalidData { problems } = &err else {
        panic!("{err}")
    };
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        vec![
            "aduan.lain: no such field in this form",
            "aduan.darurat: expected true or false, found text",
            "aduan.usia: 30 is outside 0..=17",
            "aduan.jenis: required but not given",
        ]
    );
    assert_eq!(serde_json::to_string(&s).expect("json"), before);
    let err = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("ketua"),
            complete("terima", serde_json::json!({})),
        ),
    )
    .expect_err("role");
    assert!(matches!(err, EngineError::RoleNotAllowed { .. }), "{err}");
    let err = apply(
        &b,
        &s,
        ev("2024-06-14T08:00:00+07:00", None, EventKind::Tick),
    )
    .expect_err("time");
    assert!(matches!(err, EngineError::TimeWentBackwards { .. }));
    let err = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("manajer"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect_err("not active");
    assert!(matches!(err, EngineError::StepNotActive { .. }));
}

#[test]
fn overdue_steps_escalate_up_the_chain_counting_working_days() {
    let b = compile(BUNDLE);
    let s = start(&b, "pengaduan", "k1", at("2024-06-14T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let data = serde_json::json!({"aduan": {"darurat": false, "usia": 9, "jenis": "fisik"}});
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("relawan"),
            complete("terima", data),
        ),
    )
    .expect("terima")
    .state;
    // `nilai`: 2 working days from Friday 10:00 skips the weekend and the holiday: due Wednesday 19th.
    assert_eq!(
        s.tokens[0].due.map(|d| d.to_string()).as_deref(),
        Some("2024-06-19T10:00:00+07:00")
    );
    let out = apply(
        &b,
        &s,
        ev("2024-06-19T09:59:00+07:00", None, EventKind::Tick),
    )
    .expect("tick");
    assert!(out.effects.is_empty());
    let out = apply(
        &b,
        &out.state,
        ev("2024-06-19T10:00:00+07:00", None, EventKind::Tick),
    )
    .expect("tick");
    assert_eq!(
        *out.effects,
        [Effect::Escalated {
            sop: "pengaduan".into(),
            step: "nilai".into(),
            to: Some("ketua".into())
        }]
    );
    // The task was handed up: `ketua` may now complete it; `relawan`, below the
    // performer in the chain, still may not.
    let err = apply(
        &b,
        &out.state,
        ev(
            "2024-06-19T11:00:00+07:00",
            Some("relawan"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect_err("relawan is not on the way up");
    assert_eq!(
        err,
        EngineError::RoleNotAllowed {
            step: "nilai".into(),
            role: Some("relawan".into()),
            allowed: "manajer, ketua".into(),
        }
    );
    let done = apply(
        &b,
        &out.state,
        ev(
            "2024-06-19T11:00:00+07:00",
            Some("ketua"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect("the role the task was escalated to completes it");
    assert!(done.effects.contains(&Effect::Completed {
        sop: "pengaduan".into(),
        step: "nilai".into(),
        by: Some("ketua".into()),
    }));
}

#[test]
fn referral_without_consent_is_refused_at_run_time() {
    let b = compile(BUNDLE);
    let s = start(&b, "pengaduan", "k1", at("2024-06-14T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let data = serde_json::json!({"aduan": {"darurat": true, "usia": 9, "jenis": "seksual"}});
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("relawan"),
            complete("terima", data),
        ),
    )
    .expect("terima")
    .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T11:00:00+07:00",
            Some("manajer"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect("nilai")
    .state;
    let e = Event {
        at: at("2024-06-14T12:00:00+07:00"),
        by: Some("manajer".into()),
        kind: EventKind::Complete {
            step: "darurat".into(),
            data: BTreeMap::new(),
            consent: Some(false),
        },
    };
    let out = apply(&b, &s, e).expect("darurat");
    assert!(
        out.effects.contains(&Effect::ReferralRefused {
            service: "medis".into(),
            policy: "data".into()
        }),
        "{:?}",
        out.effects
    );
}

#[test]
fn a_case_can_be_replayed_from_its_history() {
    let b = compile(BUNDLE);
    let s = start(&b, "pengaduan", "k1", at("2024-06-14T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let data = serde_json::json!({"aduan": {"darurat": false, "usia": 9, "jenis": "fisik"}});
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            Some("relawan"),
            complete("terima", data),
        ),
    )
    .expect("terima")
    .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T11:00:00+07:00",
            Some("manajer"),
            complete("nilai", serde_json::json!({})),
        ),
    )
    .expect("nilai")
    .state;
    let events: Vec<Event> = s.history.iter().map(|h| h.event.clone()).collect();
    assert_eq!(replay(&b, "k1", &events).expect("replay"), s);
    assert_eq!(
        tasks(&b, &s)
            .iter()
            .map(|t| (t.sop, t.step))
            .collect::<Vec<_>>(),
        vec![("pengaduan", "biasa")]
    );
    // `biasa` has work of its own (`by`), then runs the called sop.
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T12:00:00+07:00",
            Some("manajer"),
            complete("biasa", serde_json::json!({})),
        ),
    )
    .expect("biasa")
    .state;
    assert_eq!(
        tasks(&b, &s)
            .iter()
            .map(|t| (t.sop, t.step))
            .collect::<Vec<_>>(),
        vec![("tindak_lanjut", "kunjungi")]
    );
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T13:00:00+07:00",
            Some("manajer"),
            complete("kunjungi", serde_json::json!({})),
        ),
    )
    .expect("kunjungi")
    .state;
    assert!(
        matches!(&s.status, CaseStatus::Closed { end: Some(e), .. } if e == "selesai"),
        "{:?}",
        s.status
    );
    let events: Vec<Event> = s.history.iter().map(|h| h.event.clone()).collect();
    assert_eq!(replay(&b, "k1", &events).expect("replay"), s);
}

const STUCK: &str = r#"
organization o { unit u { role a  role b } escalate a -> b }
form f { field ok: bool }
network n { provider p1 offers svc }
sop s {
  start kirim
  step kirim { by a fill f next rujuk }
  step rujuk { refer svc  decide { when f.ok -> z } }
  end z
}
sop dua { start x step x { by a within 1 hours, on overdue -> y  next z } step y { by a next z } end z }
"#;

#[test]
fn a_decision_with_no_match_after_a_referral_answer_sticks_and_can_be_redone() {
    let b = compile(STUCK);
    let s = start(&b, "s", "k", at("2024-06-10T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-10T09:10:00+07:00",
            Some("a"),
            complete("kirim", serde_json::json!({"f": {"ok": false}})),
        ),
    )
    .expect("kirim")
    .state;
    let out = apply(
        &b,
        &s,
        ev(
            "2024-06-10T09:20:00+07:00",
            None,
            EventKind::Referral {
                service: "svc".into(),
                response: ReferralResponse::Accept,
            },
        ),
    )
    .expect("a provider's answer is never refused");
    assert!(
        out.effects
            .iter()
            .any(|e| matches!(e, Effect::DecisionStuck { step, .. } if step == "rujuk")),
        "{:?}",
        out.effects
    );
    let s = out.state;
    assert!(s.tokens.iter().any(|t| t.step == "rujuk" && t.stuck));
    // A completion with data that matches nothing is refused; one that matches goes on.
    let err = apply(
        &b,
        &s,
        ev(
            "2024-06-10T09:30:00+07:00",
            None,
            complete("rujuk", serde_json::json!({})),
        ),
    )
    .expect_err("still no match");
    assert!(matches!(err, EngineError::NoBranchMatched { .. }), "{err}");
}

#[test]
fn on_overdue_moves_at_the_due_time_and_events_after_the_case_ended_are_refused() {
    let b = compile(STUCK);
    let s = start(&b, "dua", "k", at("2024-06-10T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let out = apply(
        &b,
        &s,
        ev("2024-06-10T15:00:00+07:00", None, EventKind::Tick),
    )
    .expect("tick");
    assert_eq!(
        out.state.path.last().map(|v| v.at.to_string()).as_deref(),
        Some("2024-06-10T10:00:00+07:00")
    );
    let late = apply(
        &b,
        &s,
        ev(
            "2024-06-10T15:00:00+07:00",
            Some("a"),
            complete("x", serde_json::json!({})),
        ),
    );
    assert!(
        matches!(late, Err(EngineError::StepNotActive { .. })),
        "{late:?}"
    );
}

#[test]
fn reopening_inside_a_parallel_branch_is_refused() {
    let b = compile(BUNDLE);
    let s = start(&b, "pengaduan", "k1", at("2024-06-14T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2024-06-14T09:30:00+07:00",
            None,
            EventKind::Close {
                reason: "uji".into(),
            },
        ),
    )
    .expect("close")
    .state;
    let err = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            None,
            EventKind::Reopen {
                step: Some("cek".into()),
            },
        ),
    )
    .expect_err("branch");
    assert!(matches!(err, EngineError::CannotReopen { .. }), "{err}");
    let ok = apply(
        &b,
        &s,
        ev(
            "2024-06-14T10:00:00+07:00",
            None,
            EventKind::Reopen {
                step: Some("darurat".into()),
            },
        ),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

/// `consent.POLICY` in a guard: true when given, false when refused, nothing
/// (so `not consent.x` holds) when never recorded.
#[test]
fn decisions_read_recorded_consent() {
    const CONSENT: &str = r#"
organization o { unit u { role petugas } }
network n { provider rs offers medis }
policy data { class kasus  allow petugas read, write kasus  share kasus with n requires consent }
sop s {
  start tanya
  step tanya { by petugas  decide { when not consent.data -> minta  else -> tanpa } }
  step minta { by petugas  consent data  decide { when consent.data -> rujuk  else -> tanpa } }
  step rujuk { by petugas  refer medis  next selesai }
  step tanpa { by petugas  next selesai }
  end selesai
}
"#;
    let b = compile(CONSENT);
    let begin = || {
        start(&b, "s", "k", at("2026-08-10T09:00:00+07:00"), None)
            .expect("start")
            .state
    };
    let done = |s: &CaseState, t: &str, step: &str, consent: Option<bool>| {
        apply(
            &b,
            s,
            ev(
                t,
                Some("petugas"),
                EventKind::Complete {
                    step: step.into(),
                    data: BTreeMap::new(),
                    consent,
                },
            ),
        )
        .expect("accepted")
        .state
    };
    // Never recorded: `not consent.data` holds.
    let s = done(&begin(), "2026-08-10T10:00:00+07:00", "tanya", None);
    assert_eq!(s.tokens[0].step, "minta");
    // Refused: the else arm.
    let refused = done(&s, "2026-08-10T11:00:00+07:00", "minta", Some(false));
    assert_eq!(refused.tokens[0].step, "tanpa");
    // Given: the referral path.
    let given = done(&s, "2026-08-10T11:00:00+07:00", "minta", Some(true));
    assert_eq!(given.tokens[0].step, "rujuk");
}

/// The names `referral.SERVICE` guards compare with are the engine's states,
/// as serialised, and the checker knows exactly these.
#[test]
fn referral_state_names_agree_with_the_checker() {
    let states = [
        ReferralState::Sent,
        ReferralState::Accepted,
        ReferralState::Done,
        ReferralState::Exhausted,
        ReferralState::Refused,
        ReferralState::Withdrawn,
    ];
    let names: Vec<&str> = states.iter().map(ReferralState::as_str).collect();
    assert_eq!(names, sopflow_check::REFERRAL_STATES);
    for s in &states {
        assert_eq!(
            serde_json::to_value(s).expect("serialises"),
            serde_json::Value::String(s.as_str().into())
        );
    }
}

/// `referral.SERVICE` in a guard reads the latest referral's state.
#[test]
fn decisions_read_how_a_referral_ended() {
    const SAFE: &str = r#"
organization o { unit u { role petugas } }
network n { provider a offers rumah_aman  provider b offers rumah_aman }
policy data { class kasus  allow petugas read, write kasus  share kasus with n requires consent }
sop s {
  start rujuk
  step rujuk { by petugas  consent data  refer rumah_aman  within 1 day
               decide { when referral.rumah_aman == exhausted -> cari_lain  else -> selesai } }
  step cari_lain { by petugas  next selesai }
  end selesai
}
"#;
    let b = compile(SAFE);
    let s = start(&b, "s", "k", at("2026-08-10T09:00:00+07:00"), None)
        .expect("start")
        .state;
    let s = apply(
        &b,
        &s,
        ev(
            "2026-08-10T09:30:00+07:00",
            Some("petugas"),
            complete("rujuk", serde_json::json!({})),
        ),
    )
    .expect("rujuk")
    .state;
    let decline = |s: &CaseState, t: &str| {
        apply(
            &b,
            s,
            ev(
                t,
                None,
                EventKind::Referral {
                    service: "rumah_aman".into(),
                    response: ReferralResponse::Decline,
                },
            ),
        )
        .expect("decline")
        .state
    };
    let s = decline(
        &decline(&s, "2026-08-10T10:00:00+07:00"),
        "2026-08-10T11:00:00+07:00",
    );
    assert_eq!(s.tokens[0].step, "cari_lain");
}
