//! The typed syntax tree of a `.sop` file. Every node owns its data and
//! carries byte [`Span`]s; nothing borrows the source text.

use serde::Serialize;
use sopflow_diagnostics::Span;
pub use thin_vec::ThinVec;

/// A name or short text, stored inline when it fits in 24 bytes.
pub type Name = compact_str::CompactString;

/// A name with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Ident {
    /// The name.
    pub name: Name,
    /// Where it was written.
    pub span: Span,
}

/// A string literal (unescaped) with its span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrLit {
    /// The unescaped text.
    pub value: Name,
    /// Where it was written, quotes included.
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct File {
    /// Top-level declarations in source order (broken ones are left out).
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Item {
    /// `organization`
    Organization(Organization),
    /// `calendar`
    Calendar(Calendar),
    /// `form`
    Form(Form),
    /// `network`
    Network(Network),
    /// `policy`
    Policy(Policy),
    /// `sop`
    Sop(Sop),
}

/// `organization name "title" { units, roles, escalation chains }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Units, in order.
    pub units: Vec<Unit>,
    /// Roles declared directly in the organisation (outside any unit).
    pub roles: Vec<Role>,
    /// Escalation chains.
    pub escalations: Vec<Escalation>,
    /// The whole declaration.
    pub span: Span,
}

/// `unit name "title" { role ..., unit ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Roles in this unit.
    pub roles: Vec<Role>,
    /// Sub-units.
    pub units: Vec<Unit>,
    /// The whole declaration.
    pub span: Span,
}

/// `role name "title"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// The whole declaration.
    pub span: Span,
}

/// `escalate a -> b -> c`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// Roles in escalation order.
    pub chain: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31 (valid for the month).
    pub day: u8,
}

/// `calendar name "title" { workdays ..., holiday ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Working days of the week (Monday–Friday when not given).
    pub workdays: Vec<(Weekday, Span)>,
    /// Declared holidays.
    pub holidays: Vec<Holiday>,
    /// The whole declaration.
    pub span: Span,
}

/// `holiday 2025-08-17 "Hari Kemerdekaan"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// The date.
    pub date: Date,
    /// What it is.
    pub title: Option<StrLit>,
    /// The whole clause.
    pub span: Span,
}

/// `form name "title" { fields, scores, levels }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Scores.
    pub scores: Vec<Score>,
    /// Levels derived from scores.
    pub levels: Vec<Level>,
    /// The whole declaration.
    pub span: Span,
}

/// `field name "title": type required class c`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Its type.
    pub ty: FieldType,
    /// Whether a value must be given (`required`); `optional` is the default.
    pub required: bool,
    /// The data class from a policy, if any.
    pub class: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FieldType {
    /// `bool`
    Bool,
    /// `int` or `int lo..=hi`
    Int {
        /// Inclusive bounds, if given.
        range: Option<IntRange>,
    },
    /// `enum(a, b, c)`
    Enum(Vec<Ident>),
    /// `text`
    Text,
    /// `date`
    Date,
}

/// `lo..=hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IntRange {
    /// Lowest allowed value.
    pub lo: i64,
    /// Highest allowed value.
    pub hi: i64,
    /// Where it was written.
    pub span: Span,
}

/// `score name { guard => points ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Rules; the score is the sum of points of the rules whose guard holds.
    pub rules: Vec<ScoreRule>,
    /// The whole declaration.
    pub span: Span,
}

/// `guard => points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreRule {
    /// Condition.
    pub guard: Expr,
    /// Points added when it holds.
    pub points: i64,
    /// The whole rule.
    pub span: Span,
}

/// `level name by score { low below 4, mid below 8, high }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// The score it is derived from.
    pub by: Ident,
    /// Bands in increasing order.
    pub bands: Vec<Band>,
    /// The whole declaration.
    pub span: Span,
}

/// A band of a level: `name below N`, or a last open `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// Its name (the level's value).
    pub name: Ident,
    /// Exclusive upper bound, absent for the last band.
    pub below: Option<i64>,
    /// The whole band.
    pub span: Span,
}

/// `network name "title" { provider ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Providers.
    pub providers: Vec<Provider>,
    /// The whole declaration.
    pub span: Span,
}

/// `provider name "title" offers a, b region "…"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Service types it offers.
    pub offers: Vec<Ident>,
    /// Region it serves, if stated.
    pub region: Option<StrLit>,
    /// The whole declaration.
    pub span: Span,
}

/// `policy name "title" { class, allow, share, retain }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Data classes.
    pub classes: Vec<DataClass>,
    /// Access grants.
    pub grants: Vec<Grant>,
    /// Sharing rules.
    pub shares: Vec<Share>,
    /// Retention rules.
    pub retentions: Vec<Retention>,
    /// The whole declaration.
    pub span: Span,
}

/// How sensitive a data class is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Identifying or case data.
    Sensitive,
    /// Internal to the organisation.
    Internal,
    /// Publishable (e.g. aggregate statistics).
    Public,
}

/// `class name "title" sensitive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataClass {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Sensitivity (sensitive when not given).
    pub sensitivity: Option<Sensitivity>,
    /// The whole declaration.
    pub span: Span,
}

/// An access right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// May see the data.
    Read,
    /// May enter or change the data.
    Write,
}

/// `allow roles read, write classes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Roles granted.
    pub roles: Vec<Ident>,
    /// Rights granted.
    pub access: Vec<Access>,
    /// Classes they apply to.
    pub classes: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `share classes with network requires consent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Classes shared.
    pub classes: Vec<Ident>,
    /// The network they are shared with.
    pub network: Ident,
    /// Whether consent must be recorded first.
    pub requires_consent: bool,
    /// The whole clause.
    pub span: Span,
}

/// `retain classes N unit after close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Classes concerned.
    pub classes: Vec<Ident>,
    /// How long.
    pub period: Duration,
    /// Counted from case closure (otherwise from collection).
    pub after_close: bool,
    /// The whole clause.
    pub span: Span,
}

/// Units of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days of the SOP's calendar.
    Workdays,
    /// Weeks of seven days.
    Weeks,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

/// An amount of time, e.g. `3 workdays`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Duration {
    /// How many.
    pub amount: i64,
    /// Of what.
    pub unit: TimeUnit,
    /// Where it was written.
    pub span: Span,
}

/// `sop name "title" version N { start, steps, ends }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sop {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Version number, if given.
    pub version: Option<i64>,
    /// `start` clauses (exactly one is valid).
    pub starts: Vec<Ident>,
    /// `calendar` clauses (at most one is valid).
    pub calendars: Vec<Ident>,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Ends in order.
    pub ends: Vec<End>,
    /// The whole declaration.
    pub span: Span,
}

/// `step name "title" { clauses }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Step {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Roles that may perform it.
    pub performers: ThinVec<Ident>,
    /// Forms filled in it.
    pub fills: ThinVec<Ident>,
    /// Deadline from activation.
    pub within: Option<Deadline>,
    /// Consents recorded in it (policy names).
    pub consents: ThinVec<Ident>,
    /// Referrals made in it (service types), outside `parallel`.
    pub refers: ThinVec<Ident>,
    /// Sub-SOPs called.
    pub calls: ThinVec<Ident>,
    /// A parallel block.
    pub parallel: Option<Box<Parallel>>,
    /// Where it goes next.
    pub transition: Option<Transition>,
    /// The whole declaration.
    pub span: Span,
}

/// `within 3 workdays, on overdue escalate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// How long from activation.
    pub duration: Duration,
    /// What happens when it passes (escalate when not given).
    pub on_overdue: Option<Overdue>,
    /// The whole clause.
    pub span: Span,
}

/// What an overdue step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Overdue {
    /// Escalate to the next role in the organisation's chain.
    Escalate,
    /// Move to another step.
    Goto(Ident),
}

/// `parallel { refer a  branch b }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parallel {
    /// Branches.
    pub branches: Vec<Branch>,
    /// The whole block.
    pub span: Span,
}

/// One parallel branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Branch {
    /// A referral to a service type.
    Refer(Ident),
    /// A chain of steps starting at this step, ending with `next join`.
    Steps(Ident),
}

/// Where a step goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Transition {
    /// `next target`
    Next(Target),
    /// `decide { when ... -> t  else -> t }`
    Decide(Box<Decision>),
}

/// A transition target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A step or end by name.
    Step(Ident),
    /// The join of the enclosing parallel block.
    Join(Span),
}

impl Target {
    /// Where the target was written.
    pub fn span(&self) -> Span {
        match self {
            Target::Step(id) => id.span,
            Target::Join(span) => *span,
        }
    }
}

/// An ordered decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Guarded arms, tried in order.
    pub arms: Vec<Arm>,
    /// The `else` target.
    pub default: Option<Target>,
    /// The whole block.
    pub span: Span,
}

/// `when guard -> target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// Condition.
    pub guard: Expr,
    /// Where to go when it holds.
    pub target: Target,
    /// The whole arm.
    pub span: Span,
}

/// `end name "title"`; a body is only kept to report misplaced clauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct End {
    /// Its name.
    pub name: Ident,
    /// Display title.
    pub title: Option<StrLit>,
    /// Clauses written in its body (all are errors: an end does no work and goes nowhere).
    pub clauses: Vec<EndClause>,
    /// The whole declaration.
    pub span: Span,
}

/// A clause found in the body of an `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndClause {
    /// Its keyword (`next`, `by`, ...).
    pub keyword: String,
    /// The whole clause.
    pub span: Span,
}

/// A guard expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CmpOp {
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

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ExprKind {
    /// `a`, `form.field`.
    Path(Vec<Ident>),
    /// An integer.
    Int(i64),
    /// `true` / `false`.
    Bool(bool),
    /// A string.
    Str(String),
    /// A date.
    Date(Date),
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a op b`.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `a in (x, y)`.
    In(Box<Expr>, Vec<Expr>),
}
