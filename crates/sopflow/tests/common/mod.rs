//! What the CLI test files share: a temporary working directory, running the
//! real `sopflow` binary in it with a clean environment, and snapshot filters.
// Each test file uses the part it needs; the rest is unused there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// Variables removed from the binary's environment: locale and colour.
pub const ENV_VARS: &[&str] = &[
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TERM",
];

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// A temporary working directory holding the files of one test.
pub struct Workspace {
    dir: TempDir,
}

impl Workspace {
    /// An empty directory.
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// A directory holding one file.
    pub fn with(relative: &str, bytes: impl AsRef<[u8]>) -> Workspace {
        let ws = Workspace::new();
        ws.write(relative, bytes);
        ws
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `relative` (creating parent directories).
    pub fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> &Workspace {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, bytes).expect("write test file");
        self
    }

    /// Runs `sopflow ARGS` in this directory with a clean environment plus `env`.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sopflow"));
        cmd.args(args).current_dir(self.path());
        for var in ENV_VARS {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("the sopflow binary runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Runs `sopflow ARGS` in this directory with a clean environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Snapshot filters: this directory's path and the tool version.
    pub fn settings(&self) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        let mut paths = vec![self.path().display().to_string()];
        if let Ok(canonical) = self.path().canonicalize() {
            paths.push(canonical.display().to_string());
        }
        for path in paths {
            settings.add_filter(&regex_escape(&path), "[TEMP]");
        }
        settings.add_filter(
            r#""version": "\d+\.\d+\.\d+[^"]*""#,
            r#""version": "[VERSION]""#,
        );
        settings
    }
}

/// Escapes regex metacharacters so a path can be used as a literal filter.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The repository's `sops/` bundle.
pub fn sops_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sops")
}
