//! Why a scenario file could not be read.

/// A scenario file that cannot be read or does not describe a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file or directory could not be read.
    #[error("cannot read `{file}`: {source}")]
    Read {
        /// The file or directory.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The YAML is malformed or has the wrong shape (unknown key, wrong type…).
    #[error("{}: {message}", position(file, *line, *column))]
    Yaml {
        /// The file.
        file: String,
        /// 1-based line, when the YAML reader knows it.
        line: Option<usize>,
        /// 1-based column, when the YAML reader knows it.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// One event of the file is not a valid event.
    #[error("{file}: event {index}: {message}")]
    Event {
        /// The file.
        file: String,
        /// 1-based index of the event in the file's `events` list.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The file as a whole is not a scenario (no `sop`, no time to start at…).
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ScenarioError::Read { file, .. }
            | ScenarioError::Yaml { file, .. }
            | ScenarioError::Event { file, .. }
            | ScenarioError::Invalid { file, .. } => file,
        }
    }

    /// The error without the file name in front (for reports that show the file already).
    pub fn detail(&self) -> String {
        match self {
            ScenarioError::Read { source, .. } => source.to_string(),
            ScenarioError::Yaml {
                line,
                column,
                message,
                ..
            } => match (line, column) {
                (Some(l), Some(c)) => format!("line {l} column {c}: {message}"),
                (Some(l), None) => format!("line {l}: {message}"),
                _ => message.clone(),
            },
            ScenarioError::Event { index, message, .. } => format!("event {index}: {message}"),
            ScenarioError::Invalid { message, .. } => message.clone(),
        }
    }
}

fn position(file: &str, line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    }
}
