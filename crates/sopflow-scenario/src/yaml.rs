//! The only module that knows which YAML library reads scenario files.
//!
//! `serde_yaml` is deprecated upstream; everything else in this crate goes
//! through [`from_str`] and [`top_level`], so replacing it means rewriting
//! this file alone. Errors come back as plain [`YamlError`]s with the 1-based
//! line and column when the library knows them.

use serde::de::DeserializeOwned;

/// A YAML document that could not be read into the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// What is wrong, without the position (that is in `line`/`column`).
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

/// The shape of a document's top-level value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopLevel {
    /// A list (`- …`).
    Sequence,
    /// A mapping (`key: …`).
    Mapping,
    /// Anything else (a scalar, or nothing at all).
    Other,
}

fn convert(e: serde_yaml::Error) -> YamlError {
    let location = e.location();
    let mut message = e.to_string();
    if let Some(loc) = &location {
        let suffix = format!(" at line {} column {}", loc.line(), loc.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    YamlError {
        message,
        line: location.as_ref().map(serde_yaml::Location::line),
        column: location.as_ref().map(serde_yaml::Location::column),
    }
}

/// Reads one YAML document into `T`.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(convert)
}

/// The kind of the document's top-level value.
pub(crate) fn top_level(text: &str) -> Result<TopLevel, YamlError> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(convert)?;
    Ok(match value {
        serde_yaml::Value::Sequence(_) => TopLevel::Sequence,
        serde_yaml::Value::Mapping(_) => TopLevel::Mapping,
        _ => TopLevel::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn positions_are_one_based_and_not_repeated_in_the_message() {
        let err = from_str::<BTreeMap<String, i64>>("a: 1\nb: x\n").expect_err("not a number");
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column, Some(4));
        assert!(!err.message.contains("line 2"), "{}", err.message);
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn top_level_shapes() {
        assert_eq!(top_level("- a\n- b\n"), Ok(TopLevel::Sequence));
        assert_eq!(top_level("a: 1\n"), Ok(TopLevel::Mapping));
        assert_eq!(top_level("hello\n"), Ok(TopLevel::Other));
        assert!(top_level("a: [\n").is_err());
    }
}
