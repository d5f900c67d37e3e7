//! Form data validation, scores and levels, and guard evaluation.

use crate::model::{CaseState, DataProblem, Value};
use sopflow_check::ir::{CmpIr, CompiledBundle, FieldTy, FormIr, Guard};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Validates submitted data for `form`, listing every problem.
pub fn validate(
    form_name: &str,
    form: &FormIr,
    given: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, Value>, Vec<DataProblem>> {
    let mut problems = Vec::new();
    let mut out = BTreeMap::new();
    let problem = |field: &str, p: String| DataProblem {
        form: form_name.to_string(),
        field: field.to_string(),
        problem: p,
    };
    for name in given.keys() {
        if !form.fields.iter().any(|f| &f.name == name) {
            problems.push(problem(name, "no such field in this form".into()));
        }
    }
    for field in &form.fields {
        let Some(raw) = given.get(&field.name).filter(|v| !v.is_null()) else {
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
            if values.contains(s) {
                Ok(Value::Text(s.clone()))
            } else {
                Err(format!("`{s}` is not one of {}", values.join(", ")))
            }
        }
        (FieldTy::Text, J::String(s)) => Ok(Value::Text(s.clone())),
        (FieldTy::Date, J::String(s)) => {
            if s.parse::<jiff::civil::Date>().is_ok() {
                Ok(Value::Text(s.clone()))
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

/// Recomputes every score and level of `form` from the case data.
pub fn compute(bundle: &CompiledBundle, state: &mut CaseState, form_name: &str) {
    let Some(form) = bundle.forms.get(form_name) else {
        return;
    };
    for score in &form.scores {
        let total: i64 = score
            .rules
            .iter()
            .filter(|(g, _)| truthy(&eval(bundle, state, g)))
            .fold(0i64, |acc, (_, p)| acc.saturating_add(*p));
        state
            .computed
            .entry(form_name.to_string())
            .or_default()
            .insert(score.name.clone(), Value::Int(total));
    }
    for level in &form.levels {
        let score = state
            .computed
            .get(form_name)
            .and_then(|m| m.get(&level.score))
            .cloned();
        let Some(Value::Int(s)) = score else { continue };
        let band = level
            .bands
            .iter()
            .find(|(_, below)| below.is_none_or(|b| s < b))
            .map(|(n, _)| n.clone());
        if let Some(band) = band {
            state
                .computed
                .entry(form_name.to_string())
                .or_default()
                .insert(level.name.clone(), Value::Text(band));
        }
    }
}

/// A guard's value; `None` when it reads data not (yet) given.
pub fn eval(bundle: &CompiledBundle, state: &CaseState, g: &Guard) -> Option<Value> {
    match g {
        Guard::Field { form, field } => state.data.get(form)?.get(field).cloned(),
        Guard::Score { form, score } => state.computed.get(form)?.get(score).cloned(),
        Guard::Level { form, level } => state.computed.get(form)?.get(level).cloned(),
        Guard::Int(n) => Some(Value::Int(*n)),
        Guard::Bool(b) => Some(Value::Bool(*b)),
        Guard::Text(s) | Guard::Symbol(s) => Some(Value::Text(s.clone())),
        Guard::Date(y, m, d) => Some(Value::Text(format!("{y:04}-{m:02}-{d:02}"))),
        Guard::Not(x) => Some(Value::Bool(!truthy(&eval(bundle, state, x)))),
        Guard::And(a, b) => Some(Value::Bool(
            truthy(&eval(bundle, state, a)) && truthy(&eval(bundle, state, b)),
        )),
        Guard::Or(a, b) => Some(Value::Bool(
            truthy(&eval(bundle, state, a)) || truthy(&eval(bundle, state, b)),
        )),
        Guard::Cmp(op, a, b) => {
            let (l, r) = (eval(bundle, state, a), eval(bundle, state, b));
            // A value not given equals nothing: `==` and orderings are false, `!=` is true.
            let (Some(l), Some(r)) = (l, r) else {
                return Some(Value::Bool(*op == CmpIr::Ne));
            };
            let ord = order(bundle, a, b, &l, &r);
            Some(Value::Bool(match (op, ord) {
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
            let Some(l) = eval(bundle, state, a) else {
                return Some(Value::Bool(false));
            };
            Some(Value::Bool(
                vs.iter()
                    .any(|v| eval(bundle, state, v).as_ref() == Some(&l)),
            ))
        }
    }
}

/// Orders two values; levels compare by band position, dates as text (ISO).
fn order(bundle: &CompiledBundle, a: &Guard, b: &Guard, l: &Value, r: &Value) -> Option<Ordering> {
    let level_of = |g: &Guard| match g {
        Guard::Level { form, level } => bundle
            .forms
            .get(form)?
            .levels
            .iter()
            .find(|x| &x.name == level),
        _ => None,
    };
    if let Some(level) = level_of(a).or_else(|| level_of(b)) {
        let pos = |v: &Value| match v {
            Value::Text(s) => level.bands.iter().position(|(n, _)| n == s),
            _ => None,
        };
        return Some(pos(l)?.cmp(&pos(r)?));
    }
    match (l, r) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Whether a guard value counts as true.
pub fn truthy(v: &Option<Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}
