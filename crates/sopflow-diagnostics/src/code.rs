//! The registry of diagnostic codes. Every code is documented in
//! `docs/diagnostics.md` and explained by `sopflow explain CODE`.

use crate::{Severity, Text};
use serde::{Serialize, Serializer};

/// Which family of checks a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Reading files and parsing.
    Syntax,
    /// Name resolution.
    Names,
    /// Shape of the step graph.
    Graph,
    /// Types of fields, guards, scores and deadlines.
    Types,
    /// Decisions.
    Decisions,
    /// Roles and data-use policy.
    Policy,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $name:literal, $cat:ident, $sev:ident, $en:literal, $id:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in output, e.g. `SOP0203`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $num,)* }
            }

            /// The kebab-case rule name, e.g. `unreachable-step`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The family of checks.
            pub fn category(self) -> Category {
                match self { $(Code::$variant => Category::$cat,)* }
            }

            /// The severity diagnostics of this code get unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// A one-line title of the rule in both languages.
            pub fn title(self) -> Text {
                match self { $(Code::$variant => Text::new($en, $id),)* }
            }
        }
    };
}

codes! {
    /// The text does not follow the grammar.
    SyntaxError = "SOP0001", "syntax-error", Syntax, Error,
        "the text does not follow the .sop grammar", "teks tidak mengikuti tata bahasa .sop";
    /// A number, date or string escape that cannot be read.
    InvalidLiteral = "SOP0002", "invalid-literal", Syntax, Error,
        "a number, date or string cannot be read", "angka, tanggal, atau teks tidak dapat dibaca";
    /// A file that is not UTF-8 text or is too large.
    UnreadableFile = "SOP0003", "unreadable-file", Syntax, Error,
        "a file cannot be read as .sop text", "berkas tidak dapat dibaca sebagai teks .sop";
    /// A file or bundle with nothing in it.
    EmptyFile = "SOP0004", "empty-file", Syntax, Warning,
        "a file declares nothing", "berkas tidak berisi deklarasi apa pun";
    /// Nesting or an expression too deep to check safely.
    TooComplex = "SOP0005", "too-complex", Syntax, Error,
        "nesting or an expression is too deep", "susunan bertingkat atau ekspresi terlalu dalam";
    /// A clause given twice where only one is allowed.
    DuplicateClause = "SOP0006", "duplicate-clause", Syntax, Error,
        "a clause appears twice where only one is allowed", "klausa muncul dua kali padahal hanya boleh satu";
    /// Two declarations of the same kind with the same name.
    DuplicateName = "SOP0101", "duplicate-name", Names, Error,
        "a name is declared twice", "nama dideklarasikan dua kali";
    /// A reference to a name that is not declared.
    UnknownName = "SOP0102", "unknown-name", Names, Error,
        "a name is used but never declared", "nama dipakai tetapi tidak pernah dideklarasikan";
    /// An SOP without a `start`.
    MissingStart = "SOP0201", "missing-start", Graph, Error,
        "an sop has no start step", "sop tidak memiliki langkah awal";
    /// An SOP with more than one `start`.
    DuplicateStart = "SOP0202", "duplicate-start", Graph, Error,
        "an sop has more than one start", "sop memiliki lebih dari satu awal";
    /// A step no path from the start reaches.
    UnreachableStep = "SOP0203", "unreachable-step", Graph, Error,
        "a step can never be reached from the start", "langkah tidak pernah dapat dicapai dari awal";
    /// A step that is not an end and has no way out.
    DeadEnd = "SOP0204", "dead-end", Graph, Error,
        "a step that is not an end has no way out", "langkah yang bukan akhir tidak memiliki jalan keluar";
    /// A step from which no end can ever be reached.
    NoEndReachable = "SOP0205", "no-end-reachable", Graph, Error,
        "no end can be reached from a step (endless loop)", "tidak ada akhir yang dapat dicapai dari langkah (putaran tanpa akhir)";
    /// An `end` with clauses: an end does no work and goes nowhere.
    EndWithClauses = "SOP0206", "end-with-clauses", Graph, Error,
        "an end has clauses", "akhir memiliki klausa";
    /// SOPs that call each other in a cycle.
    CallCycle = "SOP0207", "call-cycle", Graph, Error,
        "sops call each other in a cycle", "sop saling memanggil dalam lingkaran";
    /// A parallel branch that never reaches its join.
    ParallelBranchNoJoin = "SOP0208", "parallel-branch-no-join", Graph, Error,
        "a parallel branch can never reach its join", "cabang paralel tidak pernah dapat mencapai titik gabungnya";
    /// A parallel branch that leaves its block without joining.
    ParallelBranchEscapes = "SOP0209", "parallel-branch-escapes", Graph, Error,
        "a parallel branch leaves its block without joining", "cabang paralel keluar dari bloknya tanpa bergabung";
    /// `next join` outside any parallel branch.
    JoinOutsideParallel = "SOP0210", "join-outside-parallel", Graph, Error,
        "`join` is used outside a parallel branch", "`join` dipakai di luar cabang paralel";
    /// An SOP with no `end`.
    MissingEnd = "SOP0211", "missing-end", Graph, Error,
        "an sop has no end", "sop tidak memiliki akhir";
    /// A comparison between values of different types.
    TypeMismatch = "SOP0301", "type-mismatch", Types, Error,
        "a guard compares values of different types", "syarat membandingkan nilai dengan tipe berbeda";
    /// A number outside a field's declared range.
    ValueOutOfRange = "SOP0302", "value-out-of-range", Types, Error,
        "a number lies outside the field's range", "angka berada di luar rentang isian";
    /// A level derived from something other than a score.
    LevelNotByScore = "SOP0303", "level-not-by-score", Types, Error,
        "a level must be derived from a score", "tingkat harus diturunkan dari skor";
    /// A deadline of zero or less.
    NonPositiveDeadline = "SOP0304", "non-positive-deadline", Types, Error,
        "a deadline or period must be positive", "tenggat atau jangka waktu harus positif";
    /// An int range whose lower bound exceeds its upper bound.
    EmptyRange = "SOP0305", "empty-range", Types, Error,
        "an int range is empty", "rentang bilangan bulat kosong";
    /// Level bands whose thresholds do not increase.
    LevelBandsUnordered = "SOP0306", "level-bands-unordered", Types, Error,
        "level bands must have increasing thresholds and end with an open band", "pita tingkat harus bernilai naik dan diakhiri pita terbuka";
    /// A guard that is not a yes/no condition.
    GuardNotBoolean = "SOP0307", "guard-not-boolean", Types, Error,
        "a guard is not a yes/no condition", "syarat bukan kondisi ya/tidak";
    /// Working days used where no calendar applies.
    WorkdaysWithoutCalendar = "SOP0308", "workdays-without-calendar", Types, Error,
        "working days need exactly one calendar", "hari kerja memerlukan tepat satu kalender";
    /// A score that depends on itself.
    ScoreCycle = "SOP0309", "score-cycle", Types, Error,
        "a score depends on itself", "skor bergantung pada dirinya sendiri";
    /// A decision without `else` that may match nothing.
    DecisionWithoutElse = "SOP0401", "decision-without-else", Decisions, Warning,
        "a decision has no else and may match nothing", "keputusan tanpa else mungkin tidak cocok dengan apa pun";
    /// A step that fills a form or decides but names no performer.
    MissingPerformer = "SOP0501", "missing-performer", Policy, Warning,
        "a step with work to do names no role", "langkah yang berisi pekerjaan tidak menyebut peran";
    /// A role fills a form with data it may not write.
    RoleCannotWrite = "SOP0502", "role-cannot-write", Policy, Error,
        "a role fills a form with data it may not write", "peran mengisi formulir dengan data yang tidak boleh ditulisnya";
    /// A role decides on data it may not read.
    RoleCannotRead = "SOP0503", "role-cannot-read", Policy, Error,
        "a role decides on data it may not read", "peran memutuskan berdasarkan data yang tidak boleh dibacanya";
    /// A referral shares consent-bound data on a path without consent.
    ShareWithoutConsent = "SOP0504", "share-without-consent", Policy, Error,
        "a referral shares consent-bound data on a path without consent", "rujukan membagikan data yang memerlukan persetujuan pada jalur tanpa persetujuan";
}

impl Code {
    /// Looks a code up by `SOP0203`, `sop0203`, `0203` or its name `unreachable-step`.
    pub fn parse(s: &str) -> Option<Code> {
        let s = s.trim();
        let upper = s.to_ascii_uppercase();
        Code::ALL.iter().copied().find(|c| {
            c.as_str() == upper || c.as_str()[3..] == upper || c.name().eq_ignore_ascii_case(s)
        })
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert!(seen.insert(c.name()), "duplicate name {}", c.name());
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert_eq!(Code::parse(c.name()), Some(c));
            assert_eq!(Code::parse(&c.as_str().to_lowercase()), Some(c));
        }
        assert_eq!(Code::parse("SOP9999"), None);
    }
}
