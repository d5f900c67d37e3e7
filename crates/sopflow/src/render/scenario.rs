//! Rendering scenario runs: traces (`sopflow run`) and suite reports with
//! diffs and coverage (`sopflow test`), for people (English or Bahasa
//! Indonesia) and programs (JSON, schema version 1).

use crate::{Lang, Text};
use serde::Serialize;
use sopflow_engine::{CaseStatus, Effect, EngineError, Phase};
use sopflow_scenario::{
    ActiveStep, Branch, Check, ScenarioError, ScenarioRun, Shown, SopCoverage, Subject, SuiteEntry,
    SuiteReport, Trace, TraceEntry, TraceResult, error_code,
};
use std::fmt::Write as _;

/// Version of the JSON written by `sopflow test` and `sopflow run`.
pub const SCENARIO_JSON_VERSION: u32 = 1;

/// Output formats of `sopflow test` and `sopflow run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioFormat {
    /// For people.
    Human,
    /// For programs.
    Json,
}

fn t(lang: Lang, en: impl Into<String>, id: impl Into<String>) -> String {
    Text::new(en, id).get(lang).to_string()
}

/// A step as people name it: `step`, or `sop.step` for a step of a called SOP.
fn step_of(case_sop: &str, sop: &str, step: &str) -> String {
    if sop == case_sop || case_sop.is_empty() {
        step.to_string()
    } else {
        format!("{sop}.{step}")
    }
}

fn roles_text<S: std::borrow::Borrow<str>>(roles: &[S], lang: Lang) -> String {
    if roles.is_empty() {
        t(lang, "any role", "peran mana pun")
    } else {
        roles.join(", ")
    }
}

/// Known English phrases of the engine, in Bahasa Indonesia; others are kept as they are.
fn phrase(en: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return en.to_string();
    }
    let exact = match en {
        "required but not given" => Some("wajib diisi tetapi tidak diberikan"),
        "no such field in this form" => Some("formulir ini tidak punya kolom tersebut"),
        "the case is open" => Some("kasus masih terbuka"),
        "the case has already started" => Some("kasus sudah dimulai"),
        _ => None,
    };
    if let Some(id) = exact {
        return id.to_string();
    }
    let patterns = [
        (" is outside ", " di luar "),
        (" is not one of ", " bukan salah satu dari "),
        (" is not a date ", " bukan tanggal "),
        (" is not a step of sop ", " bukan langkah sop "),
        (
            " is inside a parallel block of sop ",
            " berada di dalam blok paralel sop ",
        ),
        (" does not fill this form", " tidak mengisi formulir ini"),
    ];
    for (from, to) in patterns {
        if en.contains(from) {
            let out = en.replacen(from, to, 1);
            return out
                .strip_prefix("step ")
                .map_or(out.clone(), |rest| format!("langkah {rest}"));
        }
    }
    if let Some(rest) = en.strip_prefix("expected ") {
        if let Some((wanted, found)) = rest.split_once(", found ") {
            return format!("diharapkan {wanted}, ditemukan {found}");
        }
    }
    en.to_string()
}

/// Why an event was rejected, in both languages.
pub fn engine_error_text(e: &EngineError) -> Text {
    let en = e.to_string();
    let id = match e {
        EngineError::UnknownSop { sop } => format!("sop `{sop}` tidak dikenal"),
        EngineError::BundleMismatch { pinned, given } => {
            format!("kasus terikat pada bundel {pinned}, bukan {given}")
        }
        EngineError::CaseNotOpen { status } => {
            let s = if status == "cancelled" {
                "dibatalkan"
            } else {
                "ditutup"
            };
            format!("kasus sudah {s}; buka kembali dulu")
        }
        EngineError::TimeWentBackwards { at, last } => {
            format!("peristiwa pada {at} lebih awal dari peristiwa terakhir kasus pada {last}")
        }
        EngineError::StepNotActive { step } => {
            format!("langkah `{step}` tidak sedang menunggu penyelesaian")
        }
        EngineError::RoleNotAllowed {
            step,
            role,
            allowed,
        } => {
            let role = role
                .as_deref()
                .map_or_else(|| "(tidak ada)".to_string(), |r| format!("`{r}`"));
            format!(
                "peran {role} tidak boleh menyelesaikan langkah `{step}` (yang boleh: {allowed})"
            )
        }
        EngineError::InvalidData { problems } => format!(
            "data formulir tidak sah: {}",
            problems
                .iter()
                .map(|p| format!("{}.{}: {}", p.form, p.field, phrase(&p.problem, Lang::Id)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        EngineError::NoBranchMatched { step } => format!(
            "tidak ada syarat keputusan di langkah `{step}` yang terpenuhi, dan keputusan itu tidak punya else"
        ),
        EngineError::NoSuchReferral { service } => {
            format!("tidak ada rujukan terbuka ke `{service}`")
        }
        EngineError::UnknownPolicy { policy } => format!("kebijakan `{policy}` tidak dikenal"),
        EngineError::CannotReopen { why } => {
            format!("tidak dapat dibuka kembali: {}", phrase(why, Lang::Id))
        }
        EngineError::AmbiguousStep { step, sops } => {
            format!("langkah `{step}` aktif di beberapa sop ({sops}); tulis sebagai `sop.langkah`")
        }
        EngineError::FuelExhausted { limit } => {
            format!("lebih dari {limit} aktivasi langkah dalam satu peristiwa")
        }
    };
    Text::new(en, id)
}

/// What an effect means, in both languages; steps of called SOPs are shown as `sop.step`.
pub fn effect_text(e: &Effect, case_sop: &str) -> Text {
    let to_whom = |to: &Option<sopflow_engine::Name>| match to {
        Some(r) => Text::new(format!("escalated to {r}"), format!("dieskalasi ke {r}")),
        None => Text::new(
            "nobody further up to escalate to",
            "tidak ada lagi atasan untuk eskalasi",
        ),
    };
    match e {
        Effect::Task {
            sop,
            step,
            roles,
            due,
        } => {
            let s = step_of(case_sop, sop, step);
            let (due_en, due_id) = match due {
                Some(d) => (format!(", due {d}"), format!(", tenggat {d}")),
                None => (String::new(), String::new()),
            };
            Text::new(
                format!("task {s} for {}{due_en}", roles_text(roles, Lang::En)),
                format!("tugas {s} untuk {}{due_id}", roles_text(roles, Lang::Id)),
            )
        }
        Effect::Completed { sop, step, by } => {
            let s = step_of(case_sop, sop, step);
            match by {
                Some(r) => Text::new(
                    format!("completed {s} by {r}"),
                    format!("{s} diselesaikan oleh {r}"),
                ),
                None => Text::new(format!("completed {s}"), format!("{s} diselesaikan")),
            }
        }
        Effect::DataRecorded { form, fields } => Text::new(
            format!("recorded {form}: {}", fields.join(", ")),
            format!("data {form} dicatat: {}", fields.join(", ")),
        ),
        Effect::Decided { sop, step, arm, to } => {
            let s = step_of(case_sop, sop, step);
            let target = step_of(case_sop, sop, to);
            let arm = match arm {
                Some(i) => format!("when #{}", i + 1),
                None => "else".into(),
            };
            Text::new(
                format!("decision in {s}: {arm} -> {target}"),
                format!("keputusan di {s}: {arm} -> {target}"),
            )
        }
        Effect::Escalated { sop, step, to } => {
            let s = step_of(case_sop, sop, step);
            let w = to_whom(to);
            Text::new(
                format!("{s} is overdue: {}", w.en),
                format!("{s} melewati tenggat: {}", w.id),
            )
        }
        Effect::OverdueMoved { sop, step, to } => {
            let s = step_of(case_sop, sop, step);
            let target = step_of(case_sop, sop, to);
            Text::new(
                format!("{s} is overdue: moved to {target}"),
                format!("{s} melewati tenggat: pindah ke {target}"),
            )
        }
        Effect::ReferralSent { service, provider } => Text::new(
            format!("referral {service} sent to {provider}"),
            format!("rujukan {service} dikirim ke {provider}"),
        ),
        Effect::ReferralAnswered {
            service,
            provider,
            outcome,
        } => match outcome.as_str() {
            "accepted" => Text::new(
                format!("{provider} accepted referral {service}"),
                format!("{provider} menerima rujukan {service}"),
            ),
            "declined" => Text::new(
                format!("{provider} declined referral {service}"),
                format!("{provider} menolak rujukan {service}"),
            ),
            "done" => Text::new(
                format!("{provider} finished referral {service}"),
                format!("{provider} menyelesaikan layanan rujukan {service}"),
            ),
            "timed_out" => Text::new(
                format!("{provider} did not answer referral {service} in time"),
                format!("{provider} tidak menjawab rujukan {service} tepat waktu"),
            ),
            other => Text::new(
                format!("{provider}: referral {service} {other}"),
                format!("{provider}: rujukan {service} {other}"),
            ),
        },
        Effect::ReferralExhausted { service, to } => {
            let w = to_whom(to);
            Text::new(
                format!("no provider left for {service}: {}", w.en),
                format!("tidak ada penyedia tersisa untuk {service}: {}", w.id),
            )
        }
        Effect::ReferralRefused { service, policy } => Text::new(
            format!("referral {service} not sent: no consent under policy {policy}"),
            format!(
                "rujukan {service} tidak dikirim: belum ada persetujuan menurut kebijakan {policy}"
            ),
        ),
        Effect::ReferralWithdrawn { service, provider } => match provider {
            Some(p) => Text::new(
                format!("referral {service} to {p} withdrawn"),
                format!("rujukan {service} ke {p} ditarik"),
            ),
            None => Text::new(
                format!("referral {service} withdrawn"),
                format!("rujukan {service} ditarik"),
            ),
        },
        Effect::ConsentRecorded { policy, given } => {
            if *given {
                Text::new(
                    format!("consent under {policy}: given"),
                    format!("persetujuan menurut {policy}: diberikan"),
                )
            } else {
                Text::new(
                    format!("consent under {policy}: refused or withdrawn"),
                    format!("persetujuan menurut {policy}: ditolak atau dicabut"),
                )
            }
        }
        Effect::SubCaseStarted { sop } => Text::new(
            format!("called sop {sop} started"),
            format!("sop {sop} yang dipanggil dimulai"),
        ),
        Effect::DecisionStuck { sop, step, to } => {
            let to_en = to.as_deref().map_or_else(
                || "no one further up the chain".to_string(),
                |r| format!("escalated to {r}"),
            );
            let to_id = to.as_deref().map_or_else(
                || "tidak ada atasan lagi dalam rantai".to_string(),
                |r| format!("dieskalasi ke {r}"),
            );
            Text::new(
                format!(
                    "no condition of the decision in {sop}.{step} holds and it has no else: the step waits for new data ({to_en})"
                ),
                format!(
                    "tidak ada syarat keputusan di {sop}.{step} yang terpenuhi dan tidak ada else: langkah menunggu data baru ({to_id})"
                ),
            )
        }
        Effect::SubCaseEnded { sop, end } => Text::new(
            format!("called sop {sop} ended at {end}"),
            format!("sop {sop} yang dipanggil selesai di {end}"),
        ),
        Effect::Closed { end: Some(end) } => Text::new(
            format!("case closed at end {end}"),
            format!("kasus ditutup di akhir {end}"),
        ),
        Effect::Closed { end: None } => Text::new("case closed by hand", "kasus ditutup manual"),
        Effect::Reopened { step } => Text::new(
            format!("case reopened at {step}"),
            format!("kasus dibuka kembali di {step}"),
        ),
        Effect::Cancelled { reason } => Text::new(
            format!("case cancelled: {reason}"),
            format!("kasus dibatalkan: {reason}"),
        ),
    }
}

fn status_text(s: &CaseStatus, lang: Lang) -> String {
    match s {
        CaseStatus::Open => t(lang, "open", "terbuka"),
        CaseStatus::Closed { end: Some(end), .. } => t(
            lang,
            format!("closed at end {end}"),
            format!("ditutup di akhir {end}"),
        ),
        CaseStatus::Closed { reason, .. } => {
            let r = reason.clone().unwrap_or_default();
            t(
                lang,
                format!("closed by hand: {r}"),
                format!("ditutup manual: {r}"),
            )
        }
        CaseStatus::Cancelled { reason, .. } => t(
            lang,
            format!("cancelled: {reason}"),
            format!("dibatalkan: {reason}"),
        ),
    }
}

fn active_text(a: &ActiveStep, case_sop: &str, lang: Lang) -> String {
    let s = step_of(case_sop, &a.sop, &a.step);
    let mut out = match a.phase {
        Phase::Work => t(
            lang,
            format!("{s}: waiting for {}", roles_text(&a.roles, Lang::En)),
            format!("{s}: menunggu {}", roles_text(&a.roles, Lang::Id)),
        ),
        Phase::Waiting => t(
            lang,
            format!("{s}: waiting for its referrals, branches or called sop"),
            format!("{s}: menunggu rujukan, cabang atau sop yang dipanggil"),
        ),
    };
    if let Some(d) = a.due {
        out.push_str(&t(lang, format!(", due {d}"), format!(", tenggat {d}")));
    }
    if let Some(r) = &a.escalated_to {
        out.push_str(&t(
            lang,
            format!(", escalated to {r}"),
            format!(", dieskalasi ke {r}"),
        ));
    }
    out
}

fn rejection_text(e: &EngineError, lang: Lang) -> String {
    format!(
        "{}: {}: {}",
        t(lang, "rejected", "ditolak"),
        error_code(e),
        engine_error_text(e).get(lang)
    )
}

fn entry_result_text(entry: &TraceEntry, lang: Lang) -> Option<String> {
    match (&entry.result, &entry.expect_error) {
        (TraceResult::Accepted { .. }, None) => None,
        (TraceResult::Accepted { .. }, Some(code)) => Some(t(
            lang,
            format!("accepted, but a rejection with {code} was expected"),
            format!("diterima, padahal diharapkan ditolak dengan {code}"),
        )),
        (TraceResult::Rejected { error }, expected) => {
            let mut s = rejection_text(error, lang);
            match expected {
                Some(code) if *code == error_code(error) => {
                    s.push_str(&t(lang, " (as expected)", " (sesuai harapan)"));
                }
                Some(code) => s.push_str(&t(
                    lang,
                    format!(" (expected {code})"),
                    format!(" (diharapkan {code})"),
                )),
                None => {}
            }
            Some(s)
        }
    }
}

/// Renders a trace for people: each event (time, who, what) with its
/// effects, then the case's status and active steps.
pub fn render_trace_human(trace: &Trace, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · sop {}",
        t(lang, "case", "kasus"),
        trace.case_id,
        trace.sop
    );
    let width = trace
        .entries
        .last()
        .map_or(1, |e| e.index.to_string().len());
    for entry in &trace.entries {
        let who = entry
            .by
            .as_ref()
            .map(|b| format!("{b}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "[{:>width$}] {}  {who}{}",
            entry.index,
            entry.at,
            entry.event.summary()
        );
        let pad = " ".repeat(width + 3);
        if let Some(result) = entry_result_text(entry, lang) {
            let _ = writeln!(out, "{pad}{result}");
        }
        if let TraceResult::Accepted { effects } = &entry.result {
            if effects.is_empty() && entry.expect_error.is_none() {
                let _ = writeln!(out, "{pad}{}", t(lang, "(no effect)", "(tanpa efek)"));
            }
            for e in effects.iter() {
                let _ = writeln!(out, "{pad}{}", effect_text(e, &trace.sop).get(lang));
            }
        }
    }
    match &trace.final_state {
        None => {
            let _ = writeln!(
                out,
                "{}",
                t(lang, "the case did not start", "kasus tidak dapat dimulai")
            );
        }
        Some(f) => {
            let _ = writeln!(
                out,
                "{}: {}",
                t(lang, "status", "status"),
                status_text(&f.status, lang)
            );
            if f.active.is_empty() {
                let _ = writeln!(out, "{}", t(lang, "active: none", "aktif: tidak ada"));
            } else {
                let _ = writeln!(out, "{}:", t(lang, "active", "aktif"));
                for a in &f.active {
                    let _ = writeln!(out, "  {}", active_text(a, &trace.sop, lang));
                }
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonTrace<'a> {
    version: u32,
    lang: Lang,
    sop: &'a str,
    case_id: &'a str,
    entries: Vec<JsonEntry<'a>>,
    #[serde(rename = "final")]
    final_state: &'a Option<sopflow_scenario::FinalState>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    entry: &'a TraceEntry,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Renders a trace as pretty JSON (schema version 1): every entry with its
/// event, its effects or its error (snake_case tags), plus a `message` in
/// `lang` for each rejection; then the final status and active steps.
pub fn render_trace_json(trace: &Trace, lang: Lang) -> String {
    let out = JsonTrace {
        version: SCENARIO_JSON_VERSION,
        lang,
        sop: &trace.sop,
        case_id: &trace.case_id,
        entries: trace
            .entries
            .iter()
            .map(|entry| JsonEntry {
                entry,
                message: match &entry.result {
                    TraceResult::Rejected { error } => {
                        Some(engine_error_text(error).get(lang).to_string())
                    }
                    TraceResult::Accepted { .. } => None,
                },
            })
            .collect(),
        final_state: &trace.final_state,
    };
    serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn subject_text(s: &Subject, lang: Lang) -> String {
    match s {
        Subject::Start => t(lang, "start of the case", "mulainya kasus"),
        Subject::Event { index, event } => t(
            lang,
            format!("event {index} ({})", event.summary()),
            format!("peristiwa {index} ({})", event.summary()),
        ),
        Subject::Expect { key } => key.clone(),
    }
}

fn shown_text(s: &Shown, lang: Lang) -> String {
    match s {
        Shown::Value(v) => v.clone(),
        Shown::Nothing => t(lang, "none", "tidak ada"),
        Shown::Accepted => t(lang, "accepted", "diterima"),
        Shown::Rejected(e) => rejection_text(e, lang),
        Shown::RejectedWith(code) => t(
            lang,
            format!("rejected with {code}"),
            format!("ditolak dengan {code}"),
        ),
    }
}

/// A scenario file that could not be read, in `lang` (without the file name).
pub fn scenario_error_text(e: &ScenarioError, lang: Lang) -> String {
    let what = match e {
        ScenarioError::Read { source, .. } => source.to_string(),
        ScenarioError::Yaml {
            line,
            column,
            message,
            ..
        } => match (line, column) {
            (Some(l), Some(c)) => t(
                lang,
                format!("line {l} column {c}: {message}"),
                format!("baris {l} kolom {c}: {message}"),
            ),
            (Some(l), None) => t(
                lang,
                format!("line {l}: {message}"),
                format!("baris {l}: {message}"),
            ),
            _ => message.clone(),
        },
        ScenarioError::Event { index, message, .. } => t(
            lang,
            format!("event {index}: {message}"),
            format!("peristiwa {index}: {message}"),
        ),
        ScenarioError::Invalid { message, .. } => message.clone(),
    };
    format!(
        "{}: {what}",
        t(lang, "not a valid scenario", "bukan skenario yang sah")
    )
}

fn labels(lang: Lang) -> (String, String) {
    let (e, a) = match lang {
        Lang::En => ("expected:", "actual:"),
        Lang::Id => ("diharapkan:", "hasil:"),
    };
    let w = e.len().max(a.len());
    (format!("{e:<w$}"), format!("{a:<w$}"))
}

/// The readable diff of one failed check: its subject, then expected and
/// actual, one line each, indented by `indent`.
pub fn render_check_diff(check: &Check, lang: Lang, indent: &str) -> String {
    let (e, a) = labels(lang);
    format!(
        "{indent}{}\n{indent}  {e} {}\n{indent}  {a} {}\n",
        subject_text(&check.subject, lang),
        shown_text(&check.expected, lang),
        shown_text(&check.actual, lang)
    )
}

fn run_failure_text(run: &ScenarioRun, lang: Lang) -> String {
    let mut out = String::new();
    for c in run.failures() {
        out.push_str(&render_check_diff(c, lang, "      "));
    }
    if let Some(i) = run.stopped_at {
        let _ = writeln!(
            out,
            "      {}",
            if i == 0 {
                t(
                    lang,
                    "the case did not start: the expectations were not checked",
                    "kasus tidak dapat dimulai: harapan tidak diperiksa",
                )
            } else {
                t(
                    lang,
                    format!("stopped at event {i}: the expectations were not checked"),
                    format!("berhenti pada peristiwa {i}: harapan tidak diperiksa"),
                )
            }
        );
    }
    out
}

fn branch_text(b: &Branch) -> String {
    match b.arm {
        Some(i) => format!("{}: when #{} -> {}", b.step, i + 1, b.to),
        None => format!("{}: else -> {}", b.step, b.to),
    }
}

fn fraction(covered: usize, total: usize, percent: f64) -> String {
    format!("{covered}/{total} {percent:.1}%")
}

/// The coverage table: one row per SOP (steps and branches, covered/total
/// and percent), then what is not covered.
pub fn render_coverage_human(coverage: &[SopCoverage], lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", t(lang, "coverage", "cakupan"));
    let rows: Vec<(String, String, String)> = coverage
        .iter()
        .map(|c| {
            (
                c.sop.clone(),
                fraction(c.steps_covered, c.steps, c.step_percent()),
                fraction(c.branches_covered, c.branches, c.branch_percent()),
            )
        })
        .collect();
    let head = (
        "sop".to_string(),
        t(lang, "steps", "langkah"),
        t(lang, "branches", "cabang"),
    );
    let w0 = rows.iter().map(|r| r.0.len()).chain([head.0.len()]).max();
    let w1 = rows.iter().map(|r| r.1.len()).chain([head.1.len()]).max();
    let (w0, w1) = (w0.unwrap_or(0), w1.unwrap_or(0));
    for (a, b, c) in std::iter::once(&head).chain(&rows) {
        let _ = writeln!(out, "  {a:<w0$}  {b:<w1$}  {c}");
    }
    for c in coverage {
        if !c.uncovered_steps.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {}",
                t(
                    lang,
                    format!("{} steps not visited", c.sop),
                    format!("langkah {} yang tidak dikunjungi", c.sop)
                ),
                c.uncovered_steps.join(", ")
            );
        }
        if !c.uncovered_branches.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {}",
                t(
                    lang,
                    format!("{} branches not taken", c.sop),
                    format!("cabang {} yang tidak dilalui", c.sop)
                ),
                c.uncovered_branches
                    .iter()
                    .map(branch_text)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
    out
}

/// Renders a suite for people: one line per scenario (failures with their
/// diffs), the coverage table, the SOPs below `min_coverage`, and a summary.
pub fn render_suite_human(report: &SuiteReport, lang: Lang, min_coverage: Option<f64>) -> String {
    let mut out = String::new();
    for entry in &report.entries {
        let mark = if entry.passed() {
            t(lang, "PASS", "LULUS")
        } else {
            t(lang, "FAIL", "GAGAL")
        };
        let _ = writeln!(out, "{mark:<5} {}", entry.file());
        match entry {
            SuiteEntry::Ran(run) => out.push_str(&run_failure_text(run, lang)),
            SuiteEntry::Invalid(e) => {
                let _ = writeln!(out, "      {}", scenario_error_text(e, lang));
            }
        }
    }
    if !report.entries.is_empty() {
        out.push('\n');
    }
    out.push_str(&render_coverage_human(&report.coverage, lang));
    if let Some(min) = min_coverage {
        for c in report.below(min) {
            let _ = writeln!(
                out,
                "{}",
                t(
                    lang,
                    format!(
                        "branch coverage of {} is {:.1}%, below --min-coverage {min}",
                        c.sop,
                        c.branch_percent()
                    ),
                    format!(
                        "cakupan cabang {} adalah {:.1}%, di bawah --min-coverage {min}",
                        c.sop,
                        c.branch_percent()
                    ),
                )
            );
        }
    }
    let n = report.entries.len();
    let _ = writeln!(
        out,
        "\n{}",
        t(
            lang,
            format!(
                "{n} scenario{}: {} passed, {} failed",
                if n == 1 { "" } else { "s" },
                report.passed(),
                report.failed()
            ),
            format!(
                "{n} skenario: {} lulus, {} gagal",
                report.passed(),
                report.failed()
            ),
        )
    );
    out
}

#[derive(Serialize)]
struct JsonSuite<'a> {
    version: u32,
    lang: Lang,
    summary: JsonSummary,
    scenarios: Vec<JsonScenario<'a>>,
    coverage: Vec<JsonCoverage<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    scenarios: usize,
    passed: usize,
    failed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_coverage: Option<f64>,
    coverage_ok: bool,
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sop: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_at: Option<usize>,
    checks: Vec<JsonCheck<'a>>,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    subject: &'a Subject,
    subject_text: String,
    passed: bool,
    expected: &'a Shown,
    expected_text: String,
    actual: &'a Shown,
    actual_text: String,
}

#[derive(Serialize)]
struct JsonCoverage<'a> {
    #[serde(flatten)]
    coverage: &'a SopCoverage,
    step_percent: f64,
    branch_percent: f64,
}

/// Renders a suite as pretty JSON (schema version 1): a summary, each
/// scenario with every check (structured, and as text in `lang`), and the
/// coverage of every SOP.
pub fn render_suite_json(report: &SuiteReport, lang: Lang, min_coverage: Option<f64>) -> String {
    let scenarios = report
        .entries
        .iter()
        .map(|entry| match entry {
            SuiteEntry::Ran(run) => JsonScenario {
                file: &run.file,
                sop: Some(&run.sop),
                description: run.description.as_deref(),
                passed: run.passed(),
                error: None,
                stopped_at: run.stopped_at,
                checks: run
                    .checks
                    .iter()
                    .map(|c| JsonCheck {
                        subject: &c.subject,
                        subject_text: subject_text(&c.subject, lang),
                        passed: c.passed,
                        expected: &c.expected,
                        expected_text: shown_text(&c.expected, lang),
                        actual: &c.actual,
                        actual_text: shown_text(&c.actual, lang),
                    })
                    .collect(),
            },
            SuiteEntry::Invalid(e) => JsonScenario {
                file: e.file(),
                sop: None,
                description: None,
                passed: false,
                error: Some(scenario_error_text(e, lang)),
                stopped_at: None,
                checks: Vec::new(),
            },
        })
        .collect();
    let out = JsonSuite {
        version: SCENARIO_JSON_VERSION,
        lang,
        summary: JsonSummary {
            scenarios: report.entries.len(),
            passed: report.passed(),
            failed: report.failed(),
            min_coverage,
            coverage_ok: min_coverage.is_none_or(|m| report.below(m).is_empty()),
        },
        scenarios,
        coverage: report
            .coverage
            .iter()
            .map(|c| JsonCoverage {
                coverage: c,
                step_percent: c.step_percent(),
                branch_percent: c.branch_percent(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
