//! The shared part of a generated bundle: organisation, calendars, forms,
//! networks and the data-use policy, plus what the SOP generator needs to
//! know about them (who may fill which form, which fields guards can test).

use std::fmt::Write as _;

/// Roles that may decide on any field (they can read every data class).
pub const DECIDERS: &[&str] = &["case_manager", "social_worker", "supervisor"];
/// Every role of the organisation.
pub const ALL_ROLES: &[&str] = &[
    "intake_officer",
    "hotline_operator",
    "case_manager",
    "social_worker",
    "psychologist",
    "nurse",
    "doctor",
    "supervisor",
    "director",
    "legal_officer",
];
/// The policy whose consent referrals to the referral network need.
pub const CONSENT_POLICY: &str = "child_data";
/// Services of the referral network: sharing with them requires consent.
pub const CONSENT_SERVICES: &[&str] = &[
    "medical",
    "forensic",
    "legal_protection",
    "legal_aid",
    "psychosocial",
    "shelter",
];
/// Services of the community network: no consent needed.
pub const FREE_SERVICES: &[&str] = &["education", "civil_registration", "livelihood", "parenting"];
/// The two calendars.
pub const CALENDARS: &[&str] = &["office_days", "hotline_days"];

/// The type of a form field.
#[derive(Debug, Clone, Copy)]
pub enum FieldTy {
    /// `bool`.
    Bool,
    /// `int lo..=hi`.
    Int(i64, i64),
    /// `enum(...)`.
    Enum(&'static [&'static str]),
    /// `text`.
    Text,
    /// `date`.
    Date,
}

/// A form field.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Name.
    pub name: &'static str,
    /// Title.
    pub title: &'static str,
    /// Type.
    pub ty: FieldTy,
    /// Data class.
    pub class: &'static str,
    /// `required` (else `optional`).
    pub required: bool,
}

/// What a guard can test.
#[derive(Debug, Clone)]
pub enum GuardTy {
    /// A bool field.
    Bool,
    /// An int field or score, with the range literals are drawn from.
    Int(i64, i64),
    /// An enum field (unordered) or a level (ordered).
    Enum(&'static [&'static str], bool),
    /// A text field.
    Text,
}

/// A form as the generator sees it.
#[derive(Debug, Clone)]
pub struct FormSpec {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Fields.
    pub fields: Vec<FieldSpec>,
    /// Whether it has the risk score and level.
    pub scored: bool,
    /// Roles allowed to fill it (they may write all its classes).
    pub fillers: &'static [&'static str],
    /// `form.member` paths a guard can test, with their types.
    pub guards: Vec<(String, GuardTy)>,
}

const INJURY: &[&str] = &["none", "minor", "severe"];
const KIND: &[&str] = &[
    "physical",
    "psychological",
    "sexual",
    "neglect",
    "exploitation",
    "trafficking",
];
const CHANNEL: &[&str] = &[
    "phone",
    "walk_in",
    "community",
    "online",
    "school",
    "police",
];
const PLACEMENT: &[&str] = &["home", "kin", "foster", "shelter"];
const OUTCOME: &[&str] = &["resolved", "continue", "transfer", "withdrawn"];
const STATUS: &[&str] = &["stable", "improving", "worsening", "unknown"];
const LEVELS: &[&str] = &["low", "medium", "high"];

const fn f(
    name: &'static str,
    title: &'static str,
    ty: FieldTy,
    class: &'static str,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        title,
        ty,
        class,
        required,
    }
}

/// The forms of a bundle with `followups` follow-up forms.
pub fn forms(followups: usize) -> Vec<FormSpec> {
    use FieldTy::*;
    let mut forms = vec![
        form(
            "intake",
            "Intake report",
            vec![
                f("channel", "Reporting channel", Enum(CHANNEL), "case", true),
                f("reporter", "Reporter", Text, "identity", false),
                f(
                    "child_age",
                    "Age of the child",
                    Int(0, 17),
                    "identity",
                    true,
                ),
                f("kind", "Kind of violence", Enum(KIND), "case", true),
                f("urgent", "Child in immediate danger", Bool, "case", true),
                f("in_area", "Child lives in the district", Bool, "case", true),
                f(
                    "siblings",
                    "Number of siblings",
                    Int(0, 12),
                    "identity",
                    false,
                ),
                f("reported_on", "Date of report", Date, "case", true),
            ],
            false,
            &[
                "intake_officer",
                "hotline_operator",
                "case_manager",
                "social_worker",
            ],
        ),
        form(
            "risk",
            "Risk assessment",
            vec![
                f(
                    "perpetrator_home",
                    "Perpetrator lives in the home",
                    Bool,
                    "case",
                    true,
                ),
                f("injury", "Injury", Enum(INJURY), "case", true),
                f("prior_reports", "Prior reports", Int(0, 50), "case", true),
                f(
                    "caregiver_protective",
                    "Protective caregiver present",
                    Bool,
                    "case",
                    true,
                ),
            ],
            true,
            &["social_worker", "case_manager"],
        ),
        form(
            "medical",
            "Medical examination",
            vec![
                f("needs_treatment", "Needs treatment", Bool, "health", true),
                f("injury_grade", "Injury grade", Int(0, 5), "health", true),
                f("examined_on", "Examined on", Date, "health", true),
                f(
                    "visum_requested",
                    "Forensic report requested",
                    Bool,
                    "case",
                    false,
                ),
            ],
            false,
            &["nurse", "doctor", "case_manager"],
        ),
        form(
            "psych",
            "Psychological screening",
            vec![
                f(
                    "trauma_score",
                    "Trauma screening score",
                    Int(0, 40),
                    "health",
                    true,
                ),
                f("needs_therapy", "Needs therapy", Bool, "health", true),
                f("self_harm_risk", "Risk of self-harm", Bool, "health", true),
            ],
            false,
            &["psychologist", "case_manager"],
        ),
        form(
            "plan",
            "Intervention plan",
            vec![
                f("goal_count", "Number of goals", Int(1, 10), "case", true),
                f("family_engaged", "Family engaged", Bool, "case", true),
                f("placement", "Placement", Enum(PLACEMENT), "case", true),
            ],
            false,
            &["case_manager", "social_worker"],
        ),
        form(
            "review",
            "Case review",
            vec![
                f("goals_met", "Goals met", Bool, "case", true),
                f("progress", "Progress (%)", Int(0, 100), "case", true),
                f("outcome", "Outcome", Enum(OUTCOME), "case", true),
                f("notes", "Notes", Text, "case", false),
            ],
            false,
            &["case_manager", "social_worker", "supervisor"],
        ),
    ];
    for k in 0..followups {
        forms.push(form(
            &format!("followup_{k}"),
            &format!("Follow-up visit, programme {k}"),
            vec![
                f("contact_made", "Contact made", Bool, "case", true),
                f(
                    "attendance",
                    "School attendance (%)",
                    Int(0, 100),
                    "case",
                    true,
                ),
                f("status", "Status", Enum(STATUS), "case", true),
                f("next_visit", "Next visit", Date, "case", false),
            ],
            false,
            &["social_worker", "case_manager"],
        ));
    }
    forms
}

fn form(
    name: &str,
    title: &str,
    fields: Vec<FieldSpec>,
    scored: bool,
    fillers: &'static [&'static str],
) -> FormSpec {
    let mut guards = Vec::new();
    for fd in &fields {
        let ty = match fd.ty {
            FieldTy::Bool => GuardTy::Bool,
            FieldTy::Int(lo, hi) => GuardTy::Int(lo, hi),
            FieldTy::Enum(values) => GuardTy::Enum(values, false),
            FieldTy::Text => GuardTy::Text,
            FieldTy::Date => continue,
        };
        guards.push((format!("{name}.{}", fd.name), ty));
    }
    if scored {
        guards.push((format!("{name}.risk_score"), GuardTy::Int(0, 20)));
        guards.push((format!("{name}.risk_level"), GuardTy::Enum(LEVELS, true)));
    }
    FormSpec {
        name: name.to_string(),
        title: title.to_string(),
        fields,
        scored,
        fillers,
        guards,
    }
}

/// `org.sop`: the organisation (units, roles, escalation chains) and the calendars.
pub fn org_file(regions: usize) -> String {
    let mut s = String::new();
    s.push_str(
        "// Organisation of the integrated child-protection service (generated).\n\
organization child_protection \"Integrated Child Protection Service\" {\n\
  unit intake \"Intake and hotline\" {\n\
    role intake_officer \"Intake officer\"\n\
    role hotline_operator \"Hotline operator\"\n\
  }\n\
  unit casework \"Case management\" {\n\
    role case_manager \"Case manager\"\n\
    role social_worker \"Social worker\"\n\
    unit clinical \"Clinical team\" {\n\
      role psychologist \"Psychologist\"\n\
      role nurse \"Nurse\"\n\
      role doctor \"Doctor\"\n\
    }\n\
  }\n\
  unit management \"Management\" {\n\
    role supervisor \"Supervisor\"\n\
    role director \"Director\"\n\
  }\n\
  unit legal \"Legal desk\" {\n\
    role legal_officer \"Legal officer\"\n\
  }\n",
    );
    for r in 0..regions {
        let _ = writeln!(s, "  unit region_{r} \"Regional office {r}\"");
    }
    s.push_str(
        "  escalate intake_officer -> case_manager -> supervisor -> director\n\
  escalate hotline_operator -> case_manager -> supervisor -> director\n\
  escalate social_worker -> case_manager -> supervisor\n\
  escalate psychologist -> supervisor -> director\n\
  escalate nurse -> doctor -> director\n\
  escalate legal_officer -> supervisor\n\
}\n\n\
calendar office_days \"Government working days\" {\n\
  workdays mon, tue, wed, thu, fri\n\
  holiday 2026-01-01 \"New Year\"\n\
  holiday 2026-08-17 \"Independence Day\"\n\
  holiday 2026-12-25 \"Christmas\"\n\
}\n\n\
calendar hotline_days \"Hotline rota\" {\n\
  workdays mon, tue, wed, thu, fri, sat, sun\n\
  holiday 2026-01-01 \"New Year\"\n\
}\n",
    );
    s
}

/// `forms.sop`: every form with typed fields, the risk score and level.
pub fn forms_file(forms: &[FormSpec]) -> String {
    let mut s = String::from("// Forms (generated).\n");
    for form in forms {
        let _ = writeln!(s, "\nform {} \"{}\" {{", form.name, form.title);
        for fd in &form.fields {
            let ty = match fd.ty {
                FieldTy::Bool => "bool".to_string(),
                FieldTy::Int(lo, hi) => format!("int {lo}..={hi}"),
                FieldTy::Enum(values) => format!("enum({})", values.join(", ")),
                FieldTy::Text => "text".to_string(),
                FieldTy::Date => "date".to_string(),
            };
            let req = if fd.required { "required" } else { "optional" };
            let _ = writeln!(
                s,
                "  field {} \"{}\": {ty} {req} class {}",
                fd.name, fd.title, fd.class
            );
        }
        if form.scored {
            s.push_str(
                "  score risk_score \"Risk score\" {\n\
    perpetrator_home => 3\n\
    injury == severe => 5\n\
    injury == minor => 2\n\
    prior_reports >= 3 => 2\n\
    not caregiver_protective => 3\n\
    intake.kind in (sexual, trafficking) => 5\n\
    intake.child_age < 5 => 2\n\
  }\n\
  level risk_level \"Risk level\" by risk_score { low below 4, medium below 8, high }\n",
            );
        }
        s.push_str("}\n");
    }
    s
}

/// `network.sop`: the referral network (consent-bound) and the community network.
pub fn network_file(clinics: usize) -> String {
    let mut s = String::from(
        "// Service networks (generated).\n\
network referral_network \"Referral network\" {\n\
  provider district_hospital \"District hospital\" offers medical, forensic region \"District\"\n\
  provider police_ppa \"Women and children protection unit\" offers legal_protection\n\
  provider legal_aid_office \"Legal aid office\" offers legal_aid\n\
  provider family_centre \"Family learning centre\" offers psychosocial\n\
  provider safe_house \"Safe house\" offers shelter\n",
    );
    for c in 0..clinics {
        let _ = writeln!(
            s,
            "  provider clinic_{c} \"Community health centre {c}\" offers medical, psychosocial region \"Sub-district {c}\""
        );
    }
    s.push_str(
        "}\n\n\
network community_network \"Community services\" {\n\
  provider school_office \"Education office\" offers education\n\
  provider civil_registry \"Civil registry\" offers civil_registration\n\
  provider village_fund \"Village economic programme\" offers livelihood\n\
  provider parenting_class \"Parenting class\" offers parenting\n\
}\n",
    );
    s
}

/// `policy.sop`: data classes, grants, the consent-bound share and retention.
pub fn policy_file() -> String {
    "// Data-use policy (generated).\n\
policy child_data \"Use and sharing of children's data\" {\n\
  class identity \"Identity of the child and reporter\" sensitive\n\
  class case \"Case details\" sensitive\n\
  class health \"Health information\" sensitive\n\
  allow case_manager, social_worker, supervisor read, write identity, case, health\n\
  allow psychologist, nurse, doctor read, write case, health\n\
  allow intake_officer, hotline_operator write identity, case\n\
  allow director read identity, case\n\
  allow legal_officer read case\n\
  share identity, case, health with referral_network requires consent\n\
  retain identity 5 years after close\n\
  retain case, health 10 years after close\n\
}\n"
    .to_string()
}
