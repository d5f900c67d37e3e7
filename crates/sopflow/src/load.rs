//! Reading a bundle from disk: `.sop` files under directories, in a stable
//! order, with clear errors for unreadable input.

use sopflow_diagnostics::{Code, Diagnostic, FileId, SourceMap, Span, Text};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Largest `.sop` file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Why a bundle could not be loaded at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A path given on the command line does not exist or cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A directory links back into itself.
    #[error("symbolic link loop at `{path}`: it leads back to a directory already being read")]
    SymlinkLoop {
        /// Where the loop was found.
        path: PathBuf,
    },
    /// No `.sop` file was found.
    #[error("no .sop files found in {}", paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", "))]
    NoFiles {
        /// The paths searched.
        paths: Vec<PathBuf>,
    },
}

/// A loaded bundle: its sources and diagnostics about files that could not be read as text.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The files, in path order.
    pub sources: SourceMap,
    /// Non-UTF-8 or oversized files.
    pub diagnostics: Vec<Diagnostic>,
    /// Files kept only to show their diagnostics; not parsed.
    pub unreadable: Vec<FileId>,
}

/// Loads every `.sop` file under `paths` (files are taken as given; directories are walked).
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    let mut found = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| io_or_loop(path, source))?;
        if meta.is_dir() {
            let mut seen = HashSet::new();
            walk(path, &mut seen, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    if found.is_empty() {
        return Err(LoadError::NoFiles {
            paths: paths.to_vec(),
        });
    }
    found.sort();
    found.dedup();
    let mut loaded = Loaded::default();
    for path in found {
        let name = display_name(&path);
        let bytes_len = std::fs::metadata(&path)
            .map_err(|source| io_or_loop(&path, source))?
            .len();
        if bytes_len > MAX_FILE_BYTES {
            let id = loaded.sources.add(name, String::new());
            loaded.unreadable.push(id);
            loaded.diagnostics.push(unreadable(
                id,
                Text::new(
                    format!("file is {bytes_len} bytes; the limit is {MAX_FILE_BYTES} bytes"),
                    format!("berkas berukuran {bytes_len} bita; batasnya {MAX_FILE_BYTES} bita"),
                ),
            ));
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => {
                loaded.sources.add(name, text);
            }
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let id = loaded
                    .sources
                    .add(name, String::from_utf8_lossy(err.as_bytes()).into_owned());
                loaded.unreadable.push(id);
                let mut d = unreadable(
                    id,
                    Text::new(
                        format!("file is not UTF-8 text (invalid byte at offset {offset})"),
                        format!("berkas bukan teks UTF-8 (bita tidak sah pada posisi {offset})"),
                    ),
                );
                // The lossy text has U+FFFD (3 bytes) where the bad bytes were.
                d.span = Span::new(id, offset, offset + char::REPLACEMENT_CHARACTER.len_utf8());
                loaded.diagnostics.push(d);
            }
        }
    }
    Ok(loaded)
}

fn unreadable(id: FileId, message: Text) -> Diagnostic {
    Diagnostic::new(Code::UnreadableFile, Span::new(id, 0, 0), message).with_help(Text::new(
        "save the file as UTF-8 text",
        "simpan berkas sebagai teks UTF-8",
    ))
}

fn io_or_loop(path: &Path, source: std::io::Error) -> LoadError {
    // ELOOP: too many levels of symbolic links.
    if source.raw_os_error() == Some(40) {
        LoadError::SymlinkLoop {
            path: path.to_path_buf(),
        }
    } else {
        LoadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn walk(
    dir: &Path,
    seen: &mut HashSet<PathBuf>,
    found: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let canonical = std::fs::canonicalize(dir).map_err(|source| io_or_loop(dir, source))?;
    if !seen.insert(canonical) {
        return Err(LoadError::SymlinkLoop {
            path: dir.to_path_buf(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut children = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        children.push(entry.path());
    }
    children.sort();
    for child in children {
        let file_name = child.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name.starts_with('.') || file_name == "target" || file_name == "node_modules" {
            continue;
        }
        let meta = std::fs::metadata(&child).map_err(|source| io_or_loop(&child, source))?;
        if meta.is_dir() {
            walk(&child, seen, found)?;
        } else if child.extension().is_some_and(|e| e == "sop") {
            found.push(child);
        }
    }
    // Leaving the directory: a sibling may link to it legitimately.
    if let Ok(c) = std::fs::canonicalize(dir) {
        seen.remove(&c);
    }
    Ok(())
}

fn display_name(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
