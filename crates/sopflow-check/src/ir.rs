//! The compiled form of a bundle: everything the engine needs, with every
//! name resolved, no spans and no lifetimes. Immutable, serialisable and
//! content-hashed: a running case pins the hash of the bundle it started on.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A name (of a step, role, form, service…): short names are stored inline,
/// so copying one into a case's state or an effect does not allocate.
pub type Name = compact_str::CompactString;

/// A whole compiled bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledBundle {
    /// Hex SHA-256 of the canonical JSON of everything below.
    pub hash: String,
    /// Roles by name, with who a late task escalates to.
    pub roles: BTreeMap<String, RoleIr>,
    /// Calendars by name.
    pub calendars: BTreeMap<String, CalendarIr>,
    /// Forms by name.
    pub forms: BTreeMap<String, FormIr>,
    /// Service type → providers offering it, in declaration order.
    pub services: BTreeMap<String, Vec<ProviderIr>>,
    /// Service type → policies whose consent a referral to it needs.
    pub consent_for_service: BTreeMap<String, Vec<Name>>,
    /// Data classes with the roles that may read and write them.
    pub classes: BTreeMap<String, ClassIr>,
    /// SOPs by name.
    pub sops: BTreeMap<String, SopIr>,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleIr {
    /// Display title.
    pub title: Option<String>,
    /// The next role in the first escalation chain that names this role.
    pub escalates_to: Option<Name>,
}

/// A working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarIr {
    /// Working days, Monday = index 0 … Sunday = index 6.
    pub workdays: [bool; 7],
    /// Holidays as (year, month, day).
    pub holidays: Vec<(i32, u8, u8)>,
}

/// A form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormIr {
    /// Display title.
    pub title: Option<String>,
    /// Fields in order.
    pub fields: Vec<FieldIr>,
    /// Scores in order.
    pub scores: Vec<ScoreIr>,
    /// Levels in order.
    pub levels: Vec<LevelIr>,
}

/// A field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIr {
    /// Its name.
    pub name: Name,
    /// Its type.
    pub ty: FieldTy,
    /// Whether it must be given.
    pub required: bool,
    /// Its data class.
    pub class: Option<String>,
}

/// Field types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldTy {
    /// Yes/no.
    Bool,
    /// Whole number within inclusive bounds, if any.
    Int {
        /// Lowest allowed.
        min: Option<i64>,
        /// Highest allowed.
        max: Option<i64>,
    },
    /// One of the listed values.
    Enum(Vec<Name>),
    /// Free text.
    Text,
    /// A calendar date.
    Date,
}

/// A score: the sum of the points of rules whose guard holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreIr {
    /// Its name.
    pub name: Name,
    /// (guard, points).
    pub rules: Vec<(Guard, i64)>,
}

/// A level derived from a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelIr {
    /// Its name.
    pub name: Name,
    /// The score it is derived from.
    pub score: Name,
    /// Bands in order: (name, exclusive upper bound; `None` for the last).
    pub bands: Vec<(Name, Option<i64>)>,
}

/// A provider of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderIr {
    /// The network.
    pub network: Name,
    /// The provider.
    pub name: Name,
    /// Display title.
    pub title: Option<String>,
}

/// A data class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassIr {
    /// Roles that may read it.
    pub readers: Vec<String>,
    /// Roles that may write it.
    pub writers: Vec<String>,
}

/// Index of a node (step or end) in [`SopIr::nodes`].
pub type NodeId = usize;

/// A compiled SOP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SopIr {
    /// Its name.
    pub name: Name,
    /// Display title.
    pub title: Option<String>,
    /// Version (0 when not declared).
    pub version: i64,
    /// The first node.
    pub start: NodeId,
    /// Calendar for working-day deadlines.
    pub calendar: Option<Name>,
    /// Steps and ends; a node's index is its [`NodeId`].
    pub nodes: Vec<NodeIr>,
    /// Every decision arm, numbered for coverage: (node, arm index; `None` = else).
    pub branches: Vec<(NodeId, Option<usize>)>,
}

impl SopIr {
    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name)
    }
}

/// A step or an end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeIr {
    /// Its name.
    pub name: Name,
    /// Display title.
    pub title: Option<String>,
    /// Whether it is an end.
    pub is_end: bool,
    /// Roles that may complete it (empty: any role).
    pub performers: std::sync::Arc<[Name]>,
    /// Forms filled when completing it.
    pub fills: Vec<Name>,
    /// Policies whose consent is recorded when completing it.
    pub consents: Vec<Name>,
    /// Deadline from activation.
    pub deadline: Option<DeadlineIr>,
    /// Referrals made once its work is done (its own and its parallel block's).
    pub refers: Vec<Name>,
    /// Parallel branches started once its work is done.
    pub branches: Vec<NodeId>,
    /// Sub-SOP called once its work is done.
    pub call: Option<Name>,
    /// Where it goes when everything it started has finished.
    pub transition: TransitionIr,
    /// For a step inside a parallel branch: the parallel step it joins.
    pub joins: Option<NodeId>,
    /// Whether completing it needs an event (it has work of its own).
    pub needs_completion: bool,
}

/// A deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineIr {
    /// How many units.
    pub amount: i64,
    /// Which unit.
    pub unit: TimeUnitIr,
    /// Where an overdue step goes instead of escalating.
    pub on_overdue: Option<NodeId>,
}

/// Units of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnitIr {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days of the SOP's calendar.
    Workdays,
    /// Weeks.
    Weeks,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

/// Where a node goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionIr {
    /// Nowhere (an end).
    None,
    /// Unconditionally.
    Next(TargetIr),
    /// The first arm whose guard holds, else the default.
    Decide {
        /// (guard, target), tried in order.
        arms: Vec<(Guard, TargetIr)>,
        /// The `else` target.
        default: Option<TargetIr>,
    },
}

/// A transition target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetIr {
    /// A node.
    Node(NodeId),
    /// The join of the enclosing parallel block.
    Join,
}

/// A resolved guard expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// A field's value.
    Field {
        /// Form.
        form: Name,
        /// Field.
        field: Name,
    },
    /// A score's value.
    Score {
        /// Form.
        form: Name,
        /// Score.
        score: Name,
    },
    /// A level's band.
    Level {
        /// Form.
        form: Name,
        /// Level.
        level: Name,
    },
    /// Whether consent under a policy has been recorded as given
    /// (`consent.POLICY`): true when given, false when refused or withdrawn,
    /// nothing when never recorded.
    Consent {
        /// The policy.
        policy: Name,
    },
    /// The state of the case's latest referral to a service
    /// (`referral.SERVICE`), nothing when none was made.
    Referral {
        /// The service type.
        service: Name,
    },
    /// An int literal.
    Int(i64),
    /// A bool literal.
    Bool(bool),
    /// A text literal.
    Text(Name),
    /// A date literal (year, month, day).
    Date(i32, u8, u8),
    /// An enum value or band name.
    Symbol(Name),
    /// Negation.
    Not(Box<Guard>),
    /// Both.
    And(Box<Guard>, Box<Guard>),
    /// Either.
    Or(Box<Guard>, Box<Guard>),
    /// Comparison.
    Cmp(CmpIr, Box<Guard>, Box<Guard>),
    /// Membership.
    In(Box<Guard>, Vec<Guard>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpIr {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}
