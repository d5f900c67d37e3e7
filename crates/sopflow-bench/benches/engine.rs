//! Criterion benchmarks of the engine (`sopflow-engine`) and of the scenario
//! runner (`sopflow-scenario`), all in memory:
//!
//! * `engine/case_20_steps`: one whole case through [`SOP_20`], a 20-step SOP
//!   with 6 decisions and a parallel block (a branch and two referrals, both
//!   answered): `start` plus 10 events, the last of which closes the case.
//!   Throughput is in cases, so criterion prints cases per second.
//! * `engine/apply_history/{tick,complete}/N`: one `apply` on a case whose
//!   history already holds N entries (10, 1,000, 100,000; built once, outside
//!   the timed loop, with ticks). The cost must not grow with N: history,
//!   path, decisions and referrals are persistent vectors.
//! * `engine/start/N` and `engine/complete_step/N`: starting a case, and
//!   completing its first step, on a linear SOP of N steps (10^3, 10^4, 10^5).
//!   The cost must not grow with N.
//! * `scenarios/run_suite/10000` and `scenarios/parse_run/10000`:
//!   `sopflow_scenario::run_suite` (run, check expectations, coverage) on
//!   10,000 scenarios of [`SOP_20`] parsed beforehand, and the same with the
//!   YAML parsing of every scenario timed too (what `sopflow test` does,
//!   less reading the files).
//!
//! Run with `cargo bench -p sopflow-bench --bench engine` (about 2 minutes on
//! 2 cores) or filter, e.g. `cargo bench -p sopflow-bench --bench engine -- case_20`.

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use sopflow_check::{CheckConfig, CompiledBundle};
use sopflow_diagnostics::FileId;
use sopflow_engine::{At, CaseState, CaseStatus, Event, EventKind, ReferralResponse};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// The 20-step SOP of the issue's comparison: 20 steps and 2 ends, 6
/// decisions, a parallel block with a branch and two referrals. The main path
/// (an emergency, [`case_events`]) takes 10 events: 7 completions with a
/// decision in 6 of them, the branch, and an answer to each referral.
const SOP_20: &str = r#"
organization ult {
  unit layanan { role petugas  role manajer_kasus  role supervisor  role kepala }
  escalate petugas -> manajer_kasus -> supervisor -> kepala
}
form pengaduan {
  field usia: int 0..=17 required
  field jenis: enum(fisik, psikis, seksual, penelantaran) required
  field darurat: bool required
  field dalam_wilayah: bool required
  field berulang: bool
  score skor { darurat => 5  jenis == seksual => 3  berulang => 2 }
  level risiko by skor { rendah below 3, sedang below 6, tinggi }
}
network jejaring {
  provider rsud offers medis
  provider rs_swasta offers medis
  provider puspaga offers psikososial
}
sop layanan "Layanan pengaduan" version 1 {
  start terima
  step terima { by petugas, manajer_kasus  fill pengaduan  within 1 day  next verifikasi }
  step verifikasi {
    by manajer_kasus
    within 2 days, on overdue escalate
    decide { when not pengaduan.dalam_wilayah -> rujuk_luar  else -> triase }
  }
  step rujuk_luar { by manajer_kasus  within 1 day  next dirujuk_keluar }
  step triase {
    by manajer_kasus
    within 1 day
    decide {
      when pengaduan.risiko == tinggi -> respon_darurat
      when pengaduan.risiko == sedang -> asesmen
      else -> konseling_ringan
    }
  }
  step asesmen { by petugas  within 3 days  next rencana }
  step konseling_ringan { by petugas  within 7 days  next penutupan }
  step respon_darurat {
    within 24 hours
    parallel { refer medis  refer psikososial  branch kunjungan }
    next rencana
  }
  step kunjungan { by petugas  within 2 days  next join }
  step rencana {
    by manajer_kasus
    within 5 days
    decide { when pengaduan.usia < 6 -> rencana_balita  else -> pelaksanaan }
  }
  step rencana_balita { by supervisor  within 5 days  next pelaksanaan }
  step pelaksanaan {
    by petugas
    within 14 days
    decide {
      when pengaduan.berulang -> mediasi
      when pengaduan.jenis == penelantaran -> pendampingan
      else -> evaluasi
    }
  }
  step mediasi { by manajer_kasus  within 7 days  next evaluasi }
  step pendampingan { by petugas  within 7 days  next evaluasi }
  step evaluasi {
    by supervisor
    within 30 days
    decide { when pengaduan.berulang and pengaduan.usia < 12 -> pemantauan  else -> penutupan }
  }
  step pemantauan { by petugas  within 30 days  next evaluasi }
  step penutupan {
    by supervisor
    within 7 days
    decide {
      when pengaduan.jenis == penelantaran -> reunifikasi
      when pengaduan.usia >= 17 -> terminasi
      else -> selesai
    }
  }
  step reunifikasi { by petugas  within 14 days  next laporan }
  step terminasi { by manajer_kasus  within 7 days  next laporan }
  step laporan { by manajer_kasus  within 3 days  next arsip }
  step arsip { by kepala  next selesai }
  end selesai "Kasus selesai"
  end dirujuk_keluar "Dirujuk ke wilayah lain"
}
"#;

/// Sizes of the generated linear SOPs (steps).
const SOP_SIZES: &[usize] = &[1_000, 10_000, 100_000];
/// History lengths for `apply_history`.
const HISTORY_LENGTHS: &[usize] = &[10, 1_000, 100_000];
/// Scenarios in a suite.
const SUITE: usize = 10_000;

/// The bundle of `source`; panics on any diagnostic, warnings included.
///
fn compile(source: &str) -> CompiledBundle {
    compile_here(source)
}

fn compile_here(source: &str) -> CompiledBundle {
    let (file, diags) = sopflow_syntax::parse_file(FileId(0), source);
    assert!(diags.is_empty(), "syntax: {diags:?}");
    let (report, bundle) = sopflow_check::compile(&[file], &CheckConfig::default());
    assert!(
        report.diagnostics.is_empty(),
        "check: {:?}",
        report.diagnostics
    );
    bundle.expect("a bundle without diagnostics compiles")
}

/// The case's start time plus `seconds`.
fn at(seconds: i64) -> At {
    let ts = jiff::Timestamp::from_second(1_786_352_400 + seconds).expect("in range"); // 2026-08-10T09:00Z
    ts.to_string().parse().expect("a valid timestamp")
}

fn complete(hour: i64, by: &str, step: &str) -> Event {
    Event {
        at: at(hour * 3600),
        by: Some(by.into()),
        kind: EventKind::Complete {
            step: step.into(),
            data: BTreeMap::new(),
            consent: None,
        },
    }
}

fn intake(hour: i64) -> Event {
    let mut fields = BTreeMap::new();
    fields.insert("usia".to_string(), serde_json::json!(9));
    fields.insert("jenis".to_string(), serde_json::json!("seksual"));
    fields.insert("darurat".to_string(), serde_json::json!(true));
    fields.insert("dalam_wilayah".to_string(), serde_json::json!(true));
    fields.insert("berulang".to_string(), serde_json::json!(false));
    let mut data = BTreeMap::new();
    data.insert("pengaduan".to_string(), fields);
    Event {
        at: at(hour * 3600),
        by: Some("petugas".into()),
        kind: EventKind::Complete {
            step: "terima".into(),
            data,
            consent: None,
        },
    }
}

fn answer(hour: i64, service: &str) -> Event {
    Event {
        at: at(hour * 3600),
        by: None,
        kind: EventKind::Referral {
            service: service.into(),
            response: ReferralResponse::Accept,
        },
    }
}

/// The 10 events of an emergency case through [`SOP_20`], one hour apart.
fn case_events() -> Vec<Event> {
    vec![
        intake(1),
        complete(2, "manajer_kasus", "verifikasi"),
        complete(3, "manajer_kasus", "triase"),
        answer(4, "medis"),
        answer(5, "psikososial"),
        complete(6, "petugas", "kunjungan"),
        complete(7, "manajer_kasus", "rencana"),
        complete(8, "petugas", "pelaksanaan"),
        complete(9, "supervisor", "evaluasi"),
        complete(10, "supervisor", "penutupan"),
    ]
}

/// Runs one whole case: start, then every event.
fn run_case(bundle: &CompiledBundle, events: &[Event]) -> CaseState {
    let mut state = sopflow_engine::start(bundle, "layanan", "kasus-1", at(0), None)
        .expect("the case starts")
        .state;
    for e in events {
        state = sopflow_engine::apply(bundle, &state, e.clone())
            .expect("the event is accepted")
            .state;
    }
    state
}

/// A case of [`SOP_20`] waiting at `terima`, with `len` history entries
/// (the start and `len - 1` ticks, all at the start time).
fn long_history(bundle: &CompiledBundle, len: usize) -> CaseState {
    let mut state = sopflow_engine::start(bundle, "layanan", "kasus-1", at(0), None)
        .expect("the case starts")
        .state;
    let tick = Event {
        at: at(0),
        by: None,
        kind: EventKind::Tick,
    };
    for _ in 1..len {
        state = sopflow_engine::apply(bundle, &state, tick.clone())
            .expect("a tick is accepted")
            .state;
    }
    assert_eq!(state.history.len(), len);
    state
}

/// A linear SOP of `steps` steps, each with a role and a deadline.
fn linear_sop(steps: usize) -> String {
    let mut s = String::with_capacity(steps * 64);
    s.push_str(
        "organization o {\n  unit u { role petugas  role supervisor }\n  escalate petugas -> supervisor\n}\n",
    );
    s.push_str("sop besar version 1 {\n  start s0\n");
    for i in 0..steps {
        let next = if i + 1 == steps {
            "selesai".to_string()
        } else {
            format!("s{}", i + 1)
        };
        writeln!(s, "  step s{i} {{ by petugas  within 1 day  next {next} }}").expect("string");
    }
    s.push_str("  end selesai\n}\n");
    s
}

/// Scenario texts over [`SOP_20`]: four kinds of case (emergency, out of
/// area, low risk, low risk with a rejected event), each with expectations.
fn scenario_text(i: usize) -> String {
    const HEAD: &str = "sop: layanan\n";
    let body = match i % 4 {
        0 => {
            r#"events:
  - { at: 2026-08-10T10:00:00Z, by: petugas, complete: terima,
      data: { pengaduan: { usia: 9, jenis: seksual, darurat: true, dalam_wilayah: true } } }
  - { at: 2026-08-10T11:00:00Z, by: manajer_kasus, complete: verifikasi }
  - { at: 2026-08-10T12:00:00Z, by: manajer_kasus, complete: triase }
  - { at: 2026-08-10T13:00:00Z, referral: medis, response: accept }
  - { at: 2026-08-10T14:00:00Z, referral: psikososial, response: accept }
  - { at: 2026-08-10T15:00:00Z, by: petugas, complete: kunjungan }
  - { at: 2026-08-10T16:00:00Z, by: manajer_kasus, complete: rencana }
  - { at: 2026-08-10T17:00:00Z, by: petugas, complete: pelaksanaan }
  - { at: 2026-08-10T18:00:00Z, by: supervisor, complete: evaluasi }
  - { at: 2026-08-10T19:00:00Z, by: supervisor, complete: penutupan }
expect:
  path: [terima, verifikasi, triase, respon_darurat, kunjungan, rencana, pelaksanaan, evaluasi, penutupan, selesai]
  status: closed
  end: selesai
  referrals:
    - { service: medis, state: accepted, providers: [rsud] }
    - { service: psikososial, state: accepted, providers: [puspaga] }
  computed: { pengaduan: { skor: 8, risiko: tinggi } }
"#
        }
        1 => {
            r#"events:
  - { at: 2026-08-10T10:00:00Z, by: manajer_kasus, complete: terima,
      data: { pengaduan: { usia: 15, jenis: fisik, darurat: false, dalam_wilayah: false } } }
  - { at: 2026-08-10T11:00:00Z, by: manajer_kasus, complete: verifikasi }
  - { at: 2026-08-10T12:00:00Z, by: manajer_kasus, complete: rujuk_luar }
expect:
  path: [terima, verifikasi, rujuk_luar, dirujuk_keluar]
  status: closed
  end: dirujuk_keluar
"#
        }
        2 => {
            r#"events:
  - { at: 2026-08-10T10:00:00Z, by: petugas, complete: terima,
      data: { pengaduan: { usia: 12, jenis: psikis, darurat: false, dalam_wilayah: true } } }
  - { at: 2026-08-10T11:00:00Z, by: manajer_kasus, complete: verifikasi }
  - { at: 2026-08-10T12:00:00Z, by: manajer_kasus, complete: triase }
  - { at: 2026-08-11T12:00:00Z, by: petugas, complete: konseling_ringan }
  - { at: 2026-08-12T12:00:00Z, by: supervisor, complete: penutupan }
expect:
  path: [terima, verifikasi, triase, konseling_ringan, penutupan, selesai]
  status: closed
  end: selesai
  escalations: []
"#
        }
        _ => {
            r#"events:
  - { at: 2026-08-10T10:00:00Z, by: petugas, complete: terima,
      data: { pengaduan: { usia: 4, jenis: penelantaran, darurat: false, dalam_wilayah: true } } }
  - { at: 2026-08-10T11:00:00Z, by: petugas, complete: verifikasi, expect_error: role_not_allowed }
  - { at: 2026-08-10T12:00:00Z, by: manajer_kasus, complete: verifikasi }
  - { at: 2026-08-10T13:00:00Z, by: manajer_kasus, complete: triase }
expect:
  path: [terima, verifikasi, triase, konseling_ringan]
  status: open
  active: [konseling_ringan]
  tasks: { petugas: [konseling_ringan] }
"#
        }
    };
    format!("{HEAD}case: kasus-{i}\n{body}")
}

fn scenario_texts() -> Vec<(String, String)> {
    (0..SUITE)
        .map(|i| (format!("kasus-{i}.case.yaml"), scenario_text(i)))
        .collect()
}

fn parse_scenarios(texts: &[(String, String)]) -> Vec<sopflow_scenario::Scenario> {
    texts
        .iter()
        .map(|(file, text)| sopflow_scenario::parse_scenario(file, text).expect("a valid scenario"))
        .collect()
}

fn quick(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.sample_size(30);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
}

fn cases(c: &mut Criterion) {
    let bundle = compile(SOP_20);
    let events = case_events();
    let end = run_case(&bundle, &events);
    assert_eq!(end.history.len(), 11);
    assert!(
        matches!(&end.status, CaseStatus::Closed { end: Some(e), .. } if e == "selesai"),
        "{:?}",
        end.status
    );
    assert_eq!(end.decisions.len(), 6);
    assert_eq!(end.referrals.len(), 2);

    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("case_20_steps", |b| {
        b.iter(|| run_case(black_box(&bundle), black_box(&events)))
    });
    group.finish();
}

fn history(c: &mut Criterion) {
    let bundle = compile(SOP_20);
    let tick = Event {
        at: at(60),
        by: None,
        kind: EventKind::Tick,
    };
    let mut done = intake(0);
    done.at = at(60);
    for &len in HISTORY_LENGTHS {
        let state = long_history(&bundle, len);
        // Both events are accepted on this state.
        sopflow_engine::apply(&bundle, &state, tick.clone()).expect("tick");
        sopflow_engine::apply(&bundle, &state, done.clone()).expect("completion");
        for (name, event) in [("tick", &tick), ("complete", &done)] {
            let mut group = c.benchmark_group(format!("engine/apply_history/{name}"));
            quick(&mut group);
            group.bench_with_input(BenchmarkId::from_parameter(len), &state, |b, state| {
                b.iter_batched(
                    || event.clone(),
                    |e| sopflow_engine::apply(&bundle, black_box(state), e),
                    BatchSize::SmallInput,
                )
            });
            group.finish();
        }
    }
}

fn sop_size(c: &mut Criterion) {
    for &steps in SOP_SIZES {
        let bundle = compile(&linear_sop(steps));
        let started = sopflow_engine::start(&bundle, "besar", "kasus-1", at(0), None)
            .expect("the case starts")
            .state;
        let done = complete(1, "petugas", "s0");
        let after = sopflow_engine::apply(&bundle, &started, done.clone()).expect("s0 completes");
        assert_eq!(after.state.tokens[0].step, "s1");

        let mut group = c.benchmark_group("engine/start");
        quick(&mut group);
        group.bench_with_input(BenchmarkId::from_parameter(steps), &bundle, |b, bundle| {
            b.iter(|| sopflow_engine::start(black_box(bundle), "besar", "kasus-1", at(0), None))
        });
        group.finish();

        let mut group = c.benchmark_group("engine/complete_step");
        quick(&mut group);
        group.bench_with_input(BenchmarkId::from_parameter(steps), &started, |b, state| {
            b.iter_batched(
                || done.clone(),
                |e| sopflow_engine::apply(&bundle, black_box(state), e),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

fn suites(c: &mut Criterion) {
    let bundle = compile(SOP_20);
    let texts = scenario_texts();
    let parsed = parse_scenarios(&texts);
    let report = sopflow_scenario::run_suite(&bundle, parsed.iter().cloned().map(Ok));
    assert_eq!(report.passed(), SUITE, "every scenario passes");

    let mut group = c.benchmark_group("scenarios");
    group.throughput(Throughput::Elements(SUITE as u64));
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(8));
    group.bench_with_input(
        BenchmarkId::new("run_suite", SUITE),
        &parsed,
        |b, parsed| {
            b.iter_batched(
                || parsed.clone(),
                |p| sopflow_scenario::run_suite(&bundle, p.into_iter().map(Ok)),
                BatchSize::LargeInput,
            )
        },
    );
    group.bench_with_input(BenchmarkId::new("parse_run", SUITE), &texts, |b, texts| {
        b.iter(|| {
            let parsed = parse_scenarios(black_box(texts));
            sopflow_scenario::run_suite(&bundle, parsed.into_iter().map(Ok))
        })
    });
    group.finish();
}

criterion_group!(engine, cases, history, sop_size, suites);
criterion_main!(engine);
