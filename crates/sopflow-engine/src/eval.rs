//! Form data validation, scores and levels, and guard evaluation.

use crate::model::{CaseState, DataProblem, Name, Value};
use sopflow_check::ir::{CmpIr, CompiledBundle, FieldTy, FormIr, Guard};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Validates submitted data for `form`, listing every problem.
pub fn validate(
    form_name: &str,
    form: &FormIr,
    given: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<Name, Value>, Vec<DataProblem>> {
    let mut problems = Vec::new();
    let mut out = BTreeMap::new();
    let problem = |field: &str, p: String| DataProblem {
        form: form_name.to_string(),
        field: field.to_string(),
        problem: p,
    };
    for name in given.keys() {
        if !form.fields.iter().any(|f| f.name == *name) {
            problems.push(problem(name, "no such field in this form".into()));
        }
    }
    for field in &form.fields {
        let Some(raw) = given.get(field.name.as_str()).filter(|v| !v.is_null()) else {
            if field.required {
                problems.push(problem(&field.name, "required but not given".into()));
            }
            continue;
        };
        match convert(&field.ty, raw) {
            Ok(v) => {
                out.insert(field.name.clone(), v);
            }
            Err(p) => problems.push(problem(&field.name, p)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn convert(ty: &FieldTy, raw: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    match (ty, raw) {
        (FieldTy::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (FieldTy::Int { min, max }, J::Number(n)) => {
            let Some(i) = n.as_i64() else {
                return Err(format!("expected a whole number, found {n}"));
            };
            if min.is_some_and(|m| i < m) || max.is_some_and(|m| i > m) {
                return Err(format!(
                    "{i} is outside {}..={}",
                    min.map(|m| m.to_string()).unwrap_or_default(),
                    max.map(|m| m.to_string()).unwrap_or_default()
                ));
            }
            Ok(Value::Int(i))
        }
        (FieldTy::Enum(values), J::String(s)) => {
            if values.iter().any(|v| v == s) {
                Ok(Value::Text(s.as_str().into()))
            } else {
                Err(format!("`{s}` is not one of {}", values.join(", ")))
            }
        }
        (FieldTy::Text, J::String(s)) => Ok(Value::Text(s.as_str().into())),
        (FieldTy::Date, J::String(s)) => {
            if s.parse::<jiff::civil::Date>().is_ok() {
                Ok(Value::Text(s.as_str().into()))
            } else {
                Err(format!("`{s}` is not a date (YYYY-MM-DD)"))
            }
        }
        (ty, other) => Err(format!(
            "expected {}, found {}",
            ty_name(ty),
            json_kind(other)
        )),
    }
}

fn ty_name(ty: &FieldTy) -> &'static str {
    match ty {
        FieldTy::Bool => "true or false",
        FieldTy::Int { .. } => "a whole number",
        FieldTy::Enum(_) => "one of the listed values",
        FieldTy::Text => "text",
        FieldTy::Date => "a date (YYYY-MM-DD)",
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "true/false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a map",
    }
}

/// Recomputes the scores and levels of `form` from the case data. A form
/// that has not been filled has none: its scores and levels stay "not
/// computed" (they read as nothing in guards, like a field not given), even
/// when its rules read other forms.
pub fn compute(bundle: &CompiledBundle, state: &mut CaseState, form_name: &str) {
    let Some(form) = bundle.forms.get(form_name) else {
        return;
    };
    if (form.scores.is_empty() && form.levels.is_empty()) || !state.data.contains_key(form_name) {
        return;
    }
    let mut computed = state.computed.get(form_name).cloned().unwrap_or_default();
    for score in &form.scores {
        let total: i64 = score
            .rules
            .iter()
            .filter(|(g, _)| holds(bundle, state, Some(&computed), form_name, g))
            .fold(0i64, |acc, (_, p)| acc.saturating_add(*p));
        computed.insert(score.name.clone(), Value::Int(total));
    }
    for level in &form.levels {
        let Some(Value::Int(s)) = computed.get(&level.score) else {
            continue;
        };
        let s = *s;
        let band = level
            .bands
            .iter()
            .find(|(_, below)| below.is_none_or(|b| s < b))
            .map(|(n, _)| n.clone());
        if let Some(band) = band {
            computed.insert(level.name.clone(), Value::Text(band));
        }
    }
    if state.computed.get(form_name) != Some(&computed) {
        Arc::make_mut(&mut state.computed).insert(Name::from(form_name), computed);
    }
}

/// A value read by a guard, borrowed from the case or the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
enum V<'a> {
    Bool(bool),
    Int(i64),
    Text(Cow<'a, str>),
}

impl<'a> From<&'a Value> for V<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Bool(b) => V::Bool(*b),
            Value::Int(i) => V::Int(*i),
            Value::Text(t) => V::Text(Cow::Borrowed(t.as_str())),
        }
    }
}

/// Whether guard `g` holds for the case.
pub fn truth(bundle: &CompiledBundle, state: &CaseState, g: &Guard) -> bool {
    holds(bundle, state, None, "", g)
}

/// Whether `g` holds; `pending` holds the scores being recomputed for form
/// `pending_form`, which take the place of the stored ones.
fn holds(
    bundle: &CompiledBundle,
    state: &CaseState,
    pending: Option<&BTreeMap<Name, Value>>,
    pending_form: &str,
    g: &Guard,
) -> bool {
    matches!(
        eval(
            &Ctx {
                bundle,
                state,
                pending,
                pending_form
            },
            g
        ),
        Some(V::Bool(true))
    )
}

struct Ctx<'c> {
    bundle: &'c CompiledBundle,
    state: &'c CaseState,
    pending: Option<&'c BTreeMap<Name, Value>>,
    pending_form: &'c str,
}

impl<'c> Ctx<'c> {
    fn computed(&self, form: &Name, name: &Name) -> Option<V<'c>> {
        let map = match self.pending {
            Some(p) if form == self.pending_form => p,
            _ => self.state.computed.get(form)?,
        };
        map.get(name).map(V::from)
    }
}

/// A guard's value; `None` when it reads data not (yet) given.
fn eval<'c>(cx: &Ctx<'c>, g: &'c Guard) -> Option<V<'c>> {
    let truthy = |v: Option<V<'_>>| matches!(v, Some(V::Bool(true)));
    match g {
        Guard::Field { form, field } => cx.state.data.get(form)?.get(field).map(V::from),
        Guard::Score { form, score } => cx.computed(form, score),
        Guard::Level { form, level } => cx.computed(form, level),
        Guard::Consent { policy } => cx
            .state
            .consents
            .get(policy.as_str())
            .map(|c| V::Bool(c.given)),
        Guard::Referral { service } => cx
            .state
            .referrals
            .iter()
            .rev()
            .find(|r| r.service == *service)
            .map(|r| V::Text(Cow::Borrowed(r.state.as_str()))),
        Guard::Int(n) => Some(V::Int(*n)),
        Guard::Bool(b) => Some(V::Bool(*b)),
        Guard::Text(s) | Guard::Symbol(s) => Some(V::Text(Cow::Borrowed(s.as_str()))),
        Guard::Date(y, m, d) => Some(V::Text(Cow::Owned(format!("{y:04}-{m:02}-{d:02}")))),
        Guard::Not(x) => Some(V::Bool(!truthy(eval(cx, x)))),
        Guard::And(a, b) => Some(V::Bool(truthy(eval(cx, a)) && truthy(eval(cx, b)))),
        Guard::Or(a, b) => Some(V::Bool(truthy(eval(cx, a)) || truthy(eval(cx, b)))),
        Guard::Cmp(op, a, b) => {
            let (l, r) = (eval(cx, a), eval(cx, b));
            // A value not given equals nothing: `==` and orderings are false, `!=` is true.
            let (Some(l), Some(r)) = (l, r) else {
                return Some(V::Bool(*op == CmpIr::Ne));
            };
            let ord = order(cx.bundle, a, b, &l, &r);
            Some(V::Bool(match (op, ord) {
                (CmpIr::Eq, o) => o == Some(Ordering::Equal),
                (CmpIr::Ne, o) => o != Some(Ordering::Equal),
                (CmpIr::Lt, Some(o)) => o == Ordering::Less,
                (CmpIr::Le, Some(o)) => o != Ordering::Greater,
                (CmpIr::Gt, Some(o)) => o == Ordering::Greater,
                (CmpIr::Ge, Some(o)) => o != Ordering::Less,
                (_, None) => false,
            }))
        }
        Guard::In(a, vs) => {
            let Some(l) = eval(cx, a) else {
                return Some(V::Bool(false));
            };
            Some(V::Bool(vs.iter().any(|v| eval(cx, v).as_ref() == Some(&l))))
        }
    }
}

/// Orders two values; levels compare by band position, dates as text (ISO).
fn order(bundle: &CompiledBundle, a: &Guard, b: &Guard, l: &V<'_>, r: &V<'_>) -> Option<Ordering> {
    let level_of = |g: &Guard| match g {
        Guard::Level { form, level } => bundle
            .forms
            .get(form.as_str())?
            .levels
            .iter()
            .find(|x| x.name == *level),
        _ => None,
    };
    if let Some(level) = level_of(a).or_else(|| level_of(b)) {
        let pos = |v: &V<'_>| match v {
            V::Text(s) => level.bands.iter().position(|(n, _)| n == s.as_ref()),
            _ => None,
        };
        return Some(pos(l)?.cmp(&pos(r)?));
    }
    match (l, r) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Text(x), V::Text(y)) => Some(x.cmp(y)),
        _ => None,
    }
}
