//! `sopflow explain CODE`: the rule's section of docs/diagnostics.md, in
//! English or Bahasa Indonesia. The document is the single source: it is
//! compiled into the binary.

use crate::{Code, Lang};

/// The diagnostics reference, embedded at build time.
pub const DIAGNOSTICS_MD: &str = include_str!("../../../docs/diagnostics.md");

/// Marker that starts the Indonesian text of a rule's section.
const ID_MARKER: &str = "**Bahasa Indonesia.**";

/// The explanation of `code` in `lang`, with its examples; `None` if undocumented.
pub fn explain(code: Code, lang: Lang) -> Option<String> {
    let heading = format!("## {} {}", code.as_str(), code.name());
    let start = DIAGNOSTICS_MD.find(&heading)?;
    let body = &DIAGNOSTICS_MD[start + heading.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let section = &body[..end];
    let mut out = String::new();
    out.push_str(&format!(
        "{} {} ({})\n\n",
        code.as_str(),
        code.name(),
        code.title().get(lang)
    ));
    let mut in_code_block = false;
    for para in section.split("\n\n") {
        let trimmed = para.trim();
        if trimmed.is_empty() {
            continue;
        }
        let is_code = trimmed.starts_with("```") || in_code_block;
        if trimmed.starts_with("```") && !trimmed.ends_with("```")
            || (trimmed.matches("```").count() == 1)
        {
            in_code_block = !in_code_block;
        }
        let keep = if is_code {
            true
        } else if let Some(id_text) = trimmed.strip_prefix(ID_MARKER) {
            if lang == Lang::Id {
                out.push_str(id_text.trim());
                out.push_str("\n\n");
            }
            false
        } else {
            lang == Lang::En
                || trimmed.starts_with("Failing")
                || trimmed.starts_with("Passing")
                || trimmed.starts_with("**")
        };
        if keep {
            out.push_str(trimmed);
            out.push_str("\n\n");
        }
    }
    Some(out.trim_end().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_in_both_languages() {
        for &code in Code::ALL {
            let en = explain(code, Lang::En)
                .unwrap_or_else(|| panic!("{code} has no section in docs/diagnostics.md"));
            let id = explain(code, Lang::Id).unwrap_or_default();
            assert!(
                en.len() > 80,
                "{code}: English explanation too short:\n{en}"
            );
            assert_ne!(en, id, "{code}: no Bahasa Indonesia paragraph");
        }
    }
}
