//! Plain-data diagnostics shared by every sopflow crate.
//!
//! The core crates (syntax, check, engine) produce [`Diagnostic`]s; only the
//! CLI, the LSP and the server render them. A diagnostic carries a stable
//! [`Code`], a [`Severity`], a primary [`Span`], labels, help and notes, every
//! human-readable text in both English and Bahasa Indonesia ([`Text`]).

mod code;
mod source;

pub use code::{Category, Code};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};

use serde::Serialize;

/// Languages every message is available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Bahasa Indonesia.
    Id,
}

impl Lang {
    /// Parses `en`/`id` and POSIX locale strings such as `id_ID.UTF-8`.
    pub fn from_locale(s: &str) -> Option<Lang> {
        let lower = s.trim().to_ascii_lowercase();
        if lower.starts_with("id") || lower.starts_with("in_") || lower == "in" {
            Some(Lang::Id)
        } else if lower.starts_with("en")
            || lower == "c"
            || lower == "posix"
            || lower.starts_with("c.")
        {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A text in both supported languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    /// English wording.
    pub en: String,
    /// Bahasa Indonesia wording.
    pub id: String,
}

impl Text {
    /// Builds a text from its English and Indonesian wordings.
    pub fn new(en: impl Into<String>, id: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            id: id.into(),
        }
    }

    /// The wording in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice; never fails a check.
    Warning,
    /// The bundle is wrong; fails `sopflow check`.
    Error,
}

/// A secondary span with its own message ("first declared here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: Text,
}

/// One finding about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `SOP0203`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The main message: lowercase, no trailing period.
    pub message: Text,
    /// Where the problem is.
    pub span: Span,
    /// Text shown under the caret of the primary span, if any.
    pub primary_label: Option<Text>,
    /// Related places.
    pub labels: Vec<Label>,
    /// How to fix it, if known.
    pub help: Option<Text>,
    /// Extra explanation (paths, cycles, counterexamples).
    pub notes: Vec<Text>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Span, message: Text) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message,
            span,
            primary_label: None,
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the text under the primary caret.
    pub fn with_primary_label(mut self, text: Text) -> Diagnostic {
        self.primary_label = Some(text);
        self
    }

    /// Adds a related span.
    pub fn with_label(mut self, span: Span, message: Text) -> Diagnostic {
        self.labels.push(Label { span, message });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: Text) -> Diagnostic {
        self.help = Some(help);
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: Text) -> Diagnostic {
        self.notes.push(note);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position, then code, for stable output.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.file, a.span.start, a.span.end, a.code).cmp(&(
            b.span.file,
            b.span.start,
            b.span.end,
            b.code,
        ))
    });
}

/// Builds a "did you mean" help text from an optional suggestion.
pub fn did_you_mean(suggestion: Option<&str>) -> Option<Text> {
    suggestion.map(|s| {
        Text::new(
            format!("did you mean `{s}`?"),
            format!("mungkin maksud Anda `{s}`?"),
        )
    })
}
