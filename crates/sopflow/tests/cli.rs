//! End-to-end tests of the `sopflow` binary: exit codes, output formats,
//! languages, colour, and loading errors. Each test runs the real binary
//! in a temporary directory with relative paths, and with the locale and
//! colour variables of the calling environment removed.

mod common;

use common::{Workspace, sops_dir};

/// Environment variables that change the binary's output.
/// A bundle with one unreachable step (an error).
const INVALID: &str = "\
sop pengaduan \"Layanan pengaduan\" {
  start terima
  step terima \"Menerima pengaduan\" { next selesai }
  step rujuk_wilayah_lain \"Rujuk ke wilayah lain\" { next selesai }
  end selesai
}
";

/// A bundle whose only finding is a warning (a decision without `else`).
const WARNING_ONLY: &str = "\
form laporan \"Laporan\" {
  field darurat \"Darurat\": bool required
}
organization lpa \"LPA\" {
  role manajer \"Manajer kasus\"
}
sop pengaduan \"Layanan pengaduan\" {
  start verifikasi
  step verifikasi {
    by manajer
    decide {
      when laporan.darurat -> selesai
    }
  }
  end selesai
}
";

/// A clean bundle.
const CLEAN: &str = "sop halo { start a  step a { next selesai }  end selesai }\n";

#[test]
fn clean_bundle_exits_0() {
    let ws = Workspace::new();
    let sops = sops_dir().display().to_string();
    let run = ws.run(&["check", &sops]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains(": 0 errors, 0 warnings"), "{run:?}");
    let run = ws.run(&["check", &sops, "--deny", "warnings"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn invalid_bundle_exits_1() {
    let ws = Workspace::new();
    ws.write("bundle/pengaduan.sop", INVALID);
    let run = ws.run(&["check", "bundle"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("error[SOP0203]"), "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    ws.settings()
        .bind(|| insta::assert_snapshot!("check_invalid_human", run.stdout));
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let ws = Workspace::new();
    ws.write("pengaduan.sop", WARNING_ONLY);
    let run = ws.run(&["check", "pengaduan.sop"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("warning[SOP0401]"), "{run:?}");
    assert!(run.stdout.contains("0 errors, 1 warning"), "{run:?}");
    let run = ws.run(&["check", "pengaduan.sop", "--deny", "warnings"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("warning[SOP0401]"), "{run:?}");
}

#[test]
fn missing_path_exits_2() {
    let ws = Workspace::new();
    let run = ws.run(&["check", "tidak-ada"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("cannot read `tidak-ada`"), "{run:?}");
}

#[test]
fn directory_without_sop_files_exits_2() {
    let ws = Workspace::new();
    ws.write("kosong/catatan.txt", "bukan sop");
    let run = ws.run(&["check", "kosong"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("no .sop files"), "{run:?}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_exits_2() {
    let ws = Workspace::new();
    ws.write("bundle/pengaduan.sop", CLEAN);
    let dir = ws.path().join("bundle");
    std::os::unix::fs::symlink(&dir, dir.join("link")).expect("create dir/link -> dir");
    let run = ws.run(&["check", "bundle"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("symbolic link loop"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[cfg(unix)]
#[test]
fn symlink_to_itself_exits_2() {
    let ws = Workspace::new();
    std::os::unix::fs::symlink("self.sop", ws.path().join("self.sop"))
        .expect("create self.sop -> self.sop");
    let run = ws.run(&["check", "self.sop"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("symbolic link loop"), "{run:?}");
}

#[test]
fn unknown_flag_exits_2() {
    let ws = Workspace::new();
    ws.write("pengaduan.sop", CLEAN);
    let run = ws.run(&["check", "pengaduan.sop", "--bogus"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("--bogus"), "{run:?}");
    let run = ws.run(&["check", "pengaduan.sop", "--format", "xml"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    let run = ws.run(&["check"]);
    assert_eq!(run.code, Some(2), "a path is required: {run:?}");
}

#[test]
fn help_and_version_exit_0() {
    let ws = Workspace::new();
    let run = ws.run(&["--help"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("check"), "{run:?}");
    let run = ws.run(&["--version"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("sopflow "), "{run:?}");
}

#[test]
fn explain_known_code_exits_0() {
    let ws = Workspace::new();
    let run = ws.run(&["explain", "SOP0203"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.starts_with("SOP0203 unreachable-step"),
        "{run:?}"
    );
    assert!(run.stdout.lines().count() > 3, "{run:?}");
    // By rule name and in lower case too.
    for alias in ["unreachable-step", "sop0203", "0203"] {
        let again = ws.run(&["explain", alias]);
        assert_eq!(again.code, Some(0), "{alias}: {again:?}");
        assert_eq!(again.stdout, run.stdout, "{alias}");
    }
}

#[test]
fn explain_every_code_exits_0() {
    let ws = Workspace::new();
    let list = ws.run(&["explain"]);
    assert_eq!(list.code, Some(0), "{list:?}");
    let codes: Vec<&str> = list
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(codes.len() >= 30, "{list:?}");
    for code in codes {
        for lang in ["en", "id"] {
            let run = ws.run(&["explain", code, "--lang", lang]);
            assert_eq!(run.code, Some(0), "{code} --lang {lang}: {run:?}");
            assert!(run.stdout.starts_with(code), "{code}: {run:?}");
        }
    }
}

#[test]
fn explain_unknown_code_exits_2() {
    let ws = Workspace::new();
    let run = ws.run(&["explain", "SOP9999"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("SOP9999"), "{run:?}");
}

#[test]
fn json_output_parses_with_a_summary() {
    let ws = Workspace::new();
    ws.write("bundle/pengaduan.sop", INVALID);
    let run = ws.run(&["check", "bundle", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(value["summary"]["errors"], 1);
    assert_eq!(value["summary"]["warnings"], 0);
    assert_eq!(value["diagnostics"][0]["code"], "SOP0203");
    assert_eq!(value["diagnostics"][0]["file"], "bundle/pengaduan.sop");
    ws.settings()
        .bind(|| insta::assert_snapshot!("check_invalid_json", run.stdout));
}

#[test]
fn json_output_of_a_clean_bundle() {
    let ws = Workspace::new();
    ws.write("halo.sop", CLEAN);
    let run = ws.run(&["check", "halo.sop", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(value["summary"]["errors"], 0);
    assert_eq!(value["diagnostics"], serde_json::json!([]));
}

#[test]
fn sarif_output_parses() {
    let ws = Workspace::new();
    ws.write("bundle/pengaduan.sop", INVALID);
    let run = ws.run(&["check", "bundle", "--format", "sarif"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(value["version"], "2.1.0");
    let result = &value["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "SOP0203");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bundle/pengaduan.sop"
    );
}

#[test]
fn lang_id_prints_indonesian() {
    let ws = Workspace::new();
    ws.write("bundle/pengaduan.sop", INVALID);
    let run = ws.run(&["check", "bundle", "--lang", "id"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("tidak pernah dapat dicapai"), "{run:?}");
    assert!(run.stdout.contains("diperiksa 1 berkas"), "{run:?}");
    assert!(!run.stdout.contains("can never be reached"), "{run:?}");
    ws.settings()
        .bind(|| insta::assert_snapshot!("check_invalid_human_id", run.stdout));
    // Loading errors too.
    let run = ws.run(&["check", "tidak-ada", "--lang", "id"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.starts_with("galat: "), "{run:?}");
}

#[test]
fn language_follows_the_locale_unless_given() {
    let ws = Workspace::new();
    ws.write("pengaduan.sop", INVALID);
    let run = ws.run_env(&["check", "pengaduan.sop"], &[("LANG", "id_ID.UTF-8")]);
    assert!(run.stdout.contains("tidak pernah dapat dicapai"), "{run:?}");
    let run = ws.run_env(
        &["check", "pengaduan.sop"],
        &[("LANG", "id_ID.UTF-8"), ("LC_ALL", "C")],
    );
    assert!(
        run.stdout.contains("can never be reached"),
        "LC_ALL wins: {run:?}"
    );
    let run = ws.run_env(
        &["check", "pengaduan.sop", "--lang", "en"],
        &[("LANG", "id_ID.UTF-8")],
    );
    assert!(
        run.stdout.contains("can never be reached"),
        "--lang wins: {run:?}"
    );
}

#[test]
fn no_color_is_respected() {
    let ws = Workspace::new();
    ws.write("pengaduan.sop", INVALID);
    // Not a terminal, NO_COLOR set: plain text.
    let run = ws.run_env(
        &["check", "pengaduan.sop", "--color", "auto"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    assert!(run.stdout.contains("error[SOP0203]"), "{run:?}");
    // Not a terminal: plain text even without NO_COLOR.
    let run = ws.run(&["check", "pengaduan.sop"]);
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    let run = ws.run(&["check", "pengaduan.sop", "--color", "never"]);
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    // Colour asked for explicitly: escape codes, so the checks above can fail.
    let run = ws.run(&["check", "pengaduan.sop", "--color", "always"]);
    assert!(run.stdout.contains('\x1b'), "{run:?}");
}

#[test]
fn empty_file_is_a_warning() {
    let ws = Workspace::new();
    ws.write("kosong.sop", "");
    let run = ws.run(&["check", "kosong.sop"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("warning[SOP0004]"), "{run:?}");
    assert!(run.stdout.contains("0 errors, 1 warning"), "{run:?}");
    let run = ws.run(&["check", "kosong.sop", "--deny", "warnings"]);
    assert_eq!(run.code, Some(1), "{run:?}");
}

#[test]
fn non_utf8_file_is_unreadable() {
    let ws = Workspace::new();
    ws.write(
        "bundle/latin1.sop",
        b"sop s \"caf\xe9\" { start a step a { next z } end z }\n",
    );
    ws.write("bundle/ok.sop", CLEAN);
    let run = ws.run(&["check", "bundle", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let codes: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["SOP0003"], "{run:?}");
    assert_eq!(value["diagnostics"][0]["file"], "bundle/latin1.sop");
    assert_eq!(value["summary"]["files"], 2);
    let human = ws.run(&["check", "bundle"]);
    assert_eq!(human.code, Some(1), "{human:?}");
    ws.settings()
        .bind(|| insta::assert_snapshot!("check_non_utf8_human", human.stdout));
}

#[test]
fn several_paths_and_hidden_files() {
    let ws = Workspace::new();
    ws.write("a/pengaduan.sop", CLEAN);
    ws.write(
        "b/asesmen.sop",
        "sop asesmen { start a  step a { next z }  end z }\n",
    );
    // Hidden directories and non-.sop files are not read.
    ws.write("a/.arsip/lama.sop", "ini bukan sop yang sah");
    ws.write("a/catatan.txt", "ini juga bukan");
    let run = ws.run(&["check", "a", "b"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("checked 2 files, 2 sops"), "{run:?}");
}
