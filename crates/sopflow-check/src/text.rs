//! Bilingual wording shared by the checks.

use sopflow_diagnostics::Text;

/// The kinds of named thing in a bundle, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An organisation.
    Organization,
    /// A unit.
    Unit,
    /// A role.
    Role,
    /// A calendar.
    Calendar,
    /// A form.
    Form,
    /// A field, score or level of a form.
    FormMember,
    /// A value of an enum or a band of a level.
    EnumValue,
    /// A network.
    Network,
    /// A provider.
    Provider,
    /// A service type.
    Service,
    /// A policy.
    Policy,
    /// A data class.
    Class,
    /// An SOP.
    Sop,
    /// A step or end.
    Step,
    /// A score.
    Score,
}

impl Kind {
    /// (English, Indonesian) noun.
    pub fn noun(self) -> (&'static str, &'static str) {
        match self {
            Kind::Organization => ("organization", "organisasi"),
            Kind::Unit => ("unit", "unit"),
            Kind::Role => ("role", "peran"),
            Kind::Calendar => ("calendar", "kalender"),
            Kind::Form => ("form", "formulir"),
            Kind::FormMember => ("field, score or level", "isian, skor, atau tingkat"),
            Kind::EnumValue => ("value", "nilai"),
            Kind::Network => ("network", "jejaring"),
            Kind::Provider => ("provider", "penyedia layanan"),
            Kind::Service => ("service type", "jenis layanan"),
            Kind::Policy => ("policy", "kebijakan"),
            Kind::Class => ("data class", "kelas data"),
            Kind::Sop => ("sop", "sop"),
            Kind::Step => ("step", "langkah"),
            Kind::Score => ("score", "skor"),
        }
    }
}

/// "unknown role `x`" / "peran `x` tidak dikenal".
pub fn unknown(kind: Kind, name: &str, scope: Option<&str>) -> Text {
    let (en, id) = kind.noun();
    match scope {
        Some(s) => Text::new(
            format!("unknown {en} `{name}` in `{s}`"),
            format!("{id} `{name}` tidak dikenal di `{s}`"),
        ),
        None => Text::new(
            format!("unknown {en} `{name}`"),
            format!("{id} `{name}` tidak dikenal"),
        ),
    }
}

/// "role `x` is declared twice".
pub fn duplicate(kind: Kind, name: &str) -> Text {
    let (en, id) = kind.noun();
    Text::new(
        format!("{en} `{name}` is declared more than once"),
        format!("{id} `{name}` dideklarasikan lebih dari sekali"),
    )
}

/// "first declared here".
pub fn first_declared_here() -> Text {
    Text::new("first declared here", "pertama dideklarasikan di sini")
}

/// Joins names as `a -> b -> c`.
pub fn arrow_path<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(" -> ")
}
