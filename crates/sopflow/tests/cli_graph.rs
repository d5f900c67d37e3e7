//! End-to-end tests of `sopflow graph`: exit codes (0 drawn, 1 bundle
//! errors, 2 usage and I/O errors), formats, `--sop`, and where the
//! diagnostics go (stderr: stdout is for the diagram). Each test runs the
//! real binary in a temporary directory with the locale and colour
//! variables removed. The diagrams themselves are snapshotted in
//! `tests/diagrams.rs` of the workspace.

mod common;

use common::{Workspace, sops_dir};

/// Two sops, one calling the other; a decision without `else` (a warning only).
const BUNDLE: &str = "\
organization o { role petugas }
form f { field darurat: bool required }
sop pengaduan \"Layanan pengaduan\" {
  start terima
  step terima \"Menerima pengaduan\" {
    by petugas
    decide { when f.darurat -> darurat }
  }
  step darurat { call respon  next selesai }
  end selesai \"Selesai\"
}
sop respon \"Respon darurat\" {
  start a
  step a { next z }
  end z
}
";

/// A bundle with one unreachable step (an error).
const INVALID: &str = "\
sop pengaduan {
  start terima
  step terima { next selesai }
  step lupa { next selesai }
  end selesai
}
";

/// A working directory with the test bundle in `bundle/`.
fn workspace() -> Workspace {
    Workspace::with("bundle/pengaduan.sop", BUNDLE)
}

#[test]
fn every_sop_is_drawn_as_mermaid_by_default() {
    let ws = workspace();
    let run = ws.run(&["graph", "bundle"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.is_empty(), "warnings are not printed: {run:?}");
    assert!(run.stdout.starts_with("flowchart TD\n"), "{run:?}");
    assert_eq!(run.stdout.matches("flowchart TD\n").count(), 2, "{run:?}");
    assert!(
        run.stdout.contains("s_terima -->|\"f.darurat\"| s_darurat"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("s_darurat[[\"darurat<br/>call Respon darurat (respon)\"]]"),
        "{run:?}"
    );
}

#[test]
fn formats_and_one_sop() {
    let ws = workspace();
    let run = ws.run(&["graph", "bundle", "--format", "dot"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.matches("digraph \"").count(), 2, "{run:?}");

    let run = ws.run(&[
        "graph",
        "bundle/pengaduan.sop",
        "--sop",
        "respon",
        "--format",
        "dot",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("digraph \"respon\" {\n"), "{run:?}");
    assert_eq!(run.stdout.matches("digraph").count(), 1, "{run:?}");

    let run = ws.run(&["graph", "bundle", "--sop", "respon"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.matches("flowchart TD").count(), 1, "{run:?}");
    assert!(
        run.stdout.contains("%% sop respon in bundle/pengaduan.sop"),
        "{run:?}"
    );

    let run = ws.run(&["graph", "bundle", "--format", "markdown"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("# SOP library\n"), "{run:?}");
    assert!(
        run.stdout.contains(
            "| [`pengaduan`](#sop-pengaduan) | Layanan pengaduan | `bundle/pengaduan.sop` | 2 | `petugas` |"
        ),
        "{run:?}"
    );
    assert_eq!(run.stdout.matches("```mermaid\n").count(), 2, "{run:?}");
}

#[test]
fn unknown_sop_exits_2_and_lists_the_sops() {
    let ws = workspace();
    let run = ws.run(&["graph", "bundle", "--sop", "pengaduan_anak"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(
        run.stderr,
        "error: no sop `pengaduan_anak` in the bundle; it has: pengaduan, respon\n"
    );
    let run = ws.run(&["graph", "bundle", "--sop", "x", "--lang", "id"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(
        run.stderr,
        "galat: sop `x` tidak ada di bundel; yang ada: pengaduan, respon\n"
    );
}

#[test]
fn bundle_errors_go_to_stderr_as_check_prints_them_and_exit_1() {
    let ws = workspace();
    ws.write("salah/pengaduan.sop", INVALID);
    let run = ws.run(&["graph", "salah"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.is_empty(), "no diagram: {run:?}");
    let check = ws.run(&["check", "salah"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    assert_eq!(run.stderr, check.stdout, "the same rendering as `check`");
    assert!(run.stderr.contains("error[SOP0203]"), "{run:?}");
    // Even with --sop naming a sop that exists or not: errors come first.
    let run = ws.run(&["graph", "salah", "--sop", "tidak_ada", "--format", "dot"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let run = ws.run(&["graph", "salah", "--lang", "id"]);
    assert!(run.stderr.contains("1 galat"), "{run:?}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let ws = workspace();
    let run = ws.run(&["graph"]);
    assert_eq!(run.code, Some(2), "no path: {run:?}");
    let run = ws.run(&["graph", "bundle", "--format", "svg"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("svg"), "{run:?}");
    let run = ws.run(&["graph", "tidak-ada"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("cannot read `tidak-ada`"), "{run:?}");
    let run = ws.run(&["graph", "bundle", "--sop"]);
    assert_eq!(run.code, Some(2), "--sop without a value: {run:?}");
}

#[test]
fn a_bundle_without_sops_draws_nothing_and_says_so() {
    let ws = workspace();
    ws.write("org/o.sop", "organization o { role petugas }\n");
    let run = ws.run(&["graph", "org"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("no sop"), "{run:?}");
    let run = ws.run(&["graph", "org", "--format", "markdown"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("The bundle has no SOP."), "{run:?}");
}

#[test]
fn the_repository_library_draws() {
    let ws = workspace();
    let sops = sops_dir().display().to_string();
    for format in ["mermaid", "dot", "markdown"] {
        let run = ws.run(&["graph", &sops, "--format", format]);
        assert_eq!(run.code, Some(0), "{format}: {run:?}");
        assert!(run.stdout.contains("pengaduan"), "{format}: {run:?}");
    }
}
