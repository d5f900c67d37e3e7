//! Embedding sopflow in a Rust program.
//!
//! Compiles the starter bundle in `sops/`, starts a complaint case, applies
//! a few events (as a service would when people act), lists the open tasks,
//! saves the case state as JSON, restores it and carries on with the
//! restored copy. Run it with `cargo run -p sopflow-example-embed`.

use sopflow::{At, CaseState, CaseStatus, CompiledBundle, Event, EventKind, ReferralResponse};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

/// Form data as the engine takes it: form → field → value.
type FormData = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn at(text: &str) -> Result<At, sopflow::engine::BadTimestamp> {
    text.parse()
}

/// A role completes a step, with the forms it fills.
fn complete(time: &str, role: &str, step: &str, data: FormData) -> Result<Event, Box<dyn Error>> {
    Ok(Event {
        at: at(time)?,
        by: Some(role.into()),
        kind: EventKind::Complete {
            step: step.into(),
            data,
            consent: None,
        },
    })
}

/// A provider answers a referral.
fn answer(time: &str, service: &str, response: ReferralResponse) -> Result<Event, Box<dyn Error>> {
    Ok(Event {
        at: at(time)?,
        by: None,
        kind: EventKind::Referral {
            service: service.into(),
            response,
        },
    })
}

fn print_tasks(bundle: &CompiledBundle, case: &CaseState) {
    let tasks = sopflow::tasks(bundle, case);
    if tasks.is_empty() {
        println!("open tasks: none (waiting for referrals, branches or a called sop)");
        return;
    }
    println!("open tasks:");
    for task in tasks {
        let due = task.due.map(|d| format!(", due {d}")).unwrap_or_default();
        let escalated = task
            .escalated_to
            .map(|r| format!(" (escalated to {r})"))
            .unwrap_or_default();
        println!(
            "  {}.{} for {}{escalated}{due}",
            task.sop,
            task.step,
            task.roles.join(" or ")
        );
    }
}

/// Applies `event`, prints its effects, and returns the new state.
fn step(
    bundle: &CompiledBundle,
    case: &CaseState,
    event: Event,
) -> Result<CaseState, Box<dyn Error>> {
    let outcome = sopflow::apply(bundle, case, event)?;
    for effect in outcome.effects.iter() {
        println!("  effect: {}", serde_json::to_string(effect)?);
    }
    Ok(outcome.state)
}

fn run() -> Result<(), Box<dyn Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sops");
    let (bundle, report) = sopflow::compile_dir(&dir)?;
    println!(
        "compiled {} sop(s) from {} file(s), {} warning(s); bundle {}",
        report.sops,
        report.files,
        report.warning_count(),
        bundle.hash.get(..12).unwrap_or(&bundle.hash)
    );

    // A case is pinned to the bundle's hash and the sop's version.
    let started = sopflow::start(
        &bundle,
        "pengaduan",
        "kasus-001",
        at("2026-10-05T08:00:00+07:00")?,
        Some("petugas_pengaduan".into()),
    )?;
    let mut case = started.state;
    println!(
        "started case {} of sop {} version {}",
        case.case_id, case.sop, case.sop_version
    );
    print_tasks(&bundle, &case);

    let complaint: FormData = serde_json::from_value(serde_json::json!({
        "pengaduan": {
            "saluran": "datang_langsung", "tanggal_pengaduan": "2026-10-05",
            "hubungan_pelapor": "anak_sendiri", "nama_anak": "Anak Contoh", "usia_anak": 15,
            "jenis_kelamin": "perempuan", "alamat": "Dusun Contoh RT 01/RW 01", "desa": "Contoh",
            "kecamatan": "Contoh", "kabupaten_domisili": "Kabupaten Contoh",
            "disabilitas": "tidak_ada", "status_sekolah": "smp_mts", "nama_wali": "Bapak U",
            "hubungan_terlapor": "ayah_ibu_kandung", "jenis": "perkawinan_anak",
            "tempat_kejadian": "rumah", "kronologi": "Akan dinikahkan dan diancam bila menolak",
            "laporan_sebelumnya": false, "darurat": false, "dalam_wilayah": true
        }
    }))?;
    println!("petugas_pengaduan records the complaint:");
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T08:10:00+07:00",
            "petugas_pengaduan",
            "terima",
            complaint,
        )?,
    )?;
    let verified: FormData = serde_json::from_value(serde_json::json!({
        "verifikasi_pengaduan": { "hasil": "valid", "cara_verifikasi": "koordinasi_sekolah" }
    }))?;
    println!("petugas_pengaduan verifies it:");
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T09:00:00+07:00",
            "petugas_pengaduan",
            "verifikasi",
            verified,
        )?,
    )?;
    let assessment: FormData = serde_json::from_value(serde_json::json!({
        "asesmen_risiko": {
            "tanggal_asesmen": "2026-10-05", "cara_asesmen": "tatap_muka", "cedera": "tidak_ada",
            "butuh_medis_segera": false, "kondisi_psikologis": "tertekan", "anak_balita": false,
            "disabilitas": false, "pelaku_serumah": true, "akses_pelaku": "bebas", "ancaman": true,
            "kekerasan_berulang": false, "pengasuh_melindungi": "tidak", "aman_di_rumah": false
        }
    }))?;
    println!("manajer_kasus assesses the risk (high: the emergency team is called):");
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T10:00:00+07:00",
            "manajer_kasus",
            "asesmen",
            assessment,
        )?,
    )?;

    // A rejected event leaves the case untouched and says why.
    let wrong = complete(
        "2026-10-05T10:05:00+07:00",
        "relawan",
        "aktivasi_tim_darurat",
        FormData::new(),
    )?;
    match sopflow::apply(&bundle, &case, wrong) {
        Err(e) => println!("rejected, as it should be: {e}"),
        Ok(_) => return Err("a volunteer must not be able to call the emergency team".into()),
    }

    println!("manajer_kasus calls the emergency team:");
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T10:15:00+07:00",
            "manajer_kasus",
            "aktivasi_tim_darurat",
            FormData::new(),
        )?,
    )?;
    let outreach: FormData = serde_json::from_value(serde_json::json!({
        "respon_darurat_pengaduan": {
            "tanggal": "2026-10-05", "didampingi_polisi": false, "perlu_medis": false,
            "tempat_aman": "rumah_aman", "tindakan": "Penempatan sementara disetujui"
        }
    }))?;
    println!("peksos reaches the child (consent recorded) and refers to a safe house:");
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T12:00:00+07:00",
            "peksos",
            "penjangkauan_darurat",
            outreach,
        )?,
    )?;
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T12:10:00+07:00",
            "peksos",
            "rujuk_rumah_aman",
            FormData::new(),
        )?,
    )?;
    print_tasks(&bundle, &case);

    // Save the case (e.g. in a database) and restore it later.
    let saved = serde_json::to_string(&case)?;
    println!("saved the case state: {} bytes of JSON", saved.len());
    let restored: CaseState = serde_json::from_str(&saved)?;
    if restored != case {
        return Err("the restored case differs from the saved one".into());
    }
    // The history replays to the same state.
    let events: Vec<Event> = restored.history.iter().map(|h| h.event.clone()).collect();
    if sopflow::replay(&bundle, &restored.case_id, &events)? != restored {
        return Err("replaying the history gave another state".into());
    }
    println!(
        "restored it; its history of {} events replays to the same state",
        events.len()
    );

    println!("the safe house accepts; the case is handed over:");
    let mut case = step(
        &bundle,
        &restored,
        answer(
            "2026-10-05T13:00:00+07:00",
            "rumah_aman",
            ReferralResponse::Accept,
        )?,
    )?;
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-05T16:00:00+07:00",
            "supervisor",
            "serah_manajemen_kasus",
            FormData::new(),
        )?,
    )?;
    case = step(
        &bundle,
        &case,
        complete(
            "2026-10-06T09:00:00+07:00",
            "petugas_pengaduan",
            "informasi_pelapor",
            FormData::new(),
        )?,
    )?;
    print_tasks(&bundle, &case);
    let status = match &case.status {
        CaseStatus::Open => "open".to_string(),
        CaseStatus::Closed { end, .. } => format!("closed at {}", end.as_deref().unwrap_or("-")),
        CaseStatus::Cancelled { reason, .. } => format!("cancelled: {reason}"),
    };
    println!("case {} is {status}", case.case_id);
    if !matches!(case.status, CaseStatus::Closed { .. }) {
        return Err("the case should have been handed over to case management".into());
    }
    Ok(())
}
