//! Bundle-wide symbol tables, duplicate detection and name resolution with
//! did-you-mean suggestions.

use crate::text::{self, Kind};
use rustc_hash::FxHashMap;
use sopflow_diagnostics::{Code, Diagnostic, Span, did_you_mean};
use sopflow_syntax::ast::*;

/// Above this many candidates no suggestion is computed, so that a bundle
/// with many unknown names stays linear.
const MAX_SUGGESTION_CANDIDATES: usize = 2_000;

/// A name table of one kind: name → declaration.
pub struct Table<'a, T> {
    kind: Kind,
    map: FxHashMap<&'a str, (T, Span)>,
}

impl<'a, T: Copy> Table<'a, T> {
    /// An empty table for names of `kind`.
    pub fn new(kind: Kind) -> Self {
        Table {
            kind,
            map: FxHashMap::default(),
        }
    }

    /// Declares `ident`; reports a duplicate (pointing at the first) and keeps the first.
    /// Returns whether it was new.
    pub fn declare(&mut self, ident: &'a Ident, value: T, diags: &mut Vec<Diagnostic>) -> bool {
        if let Some(&(_, first)) = self.map.get(ident.name.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    ident.span,
                    text::duplicate(self.kind, &ident.name),
                )
                .with_label(first, text::first_declared_here()),
            );
            false
        } else {
            self.map.insert(ident.name.as_str(), (value, ident.span));
            true
        }
    }

    /// Looks a name up without reporting.
    pub fn get(&self, name: &str) -> Option<T> {
        self.map.get(name).map(|(v, _)| *v)
    }

    /// Looks `ident` up, reporting an unknown name (with a suggestion) if absent.
    pub fn resolve(
        &self,
        ident: &Ident,
        scope: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        let found = self.get(&ident.name);
        if found.is_none() {
            diags.push(unknown_name(
                self.kind,
                ident,
                scope,
                self.map.keys().copied(),
            ));
        }
        found
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// All entries (unordered).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, T)> + '_ {
        self.map.iter().map(|(k, (v, _))| (*k, *v))
    }
}

/// An unknown-name diagnostic with a did-you-mean help when a close name exists.
pub fn unknown_name<'n>(
    kind: Kind,
    ident: &Ident,
    scope: Option<&str>,
    candidates: impl Iterator<Item = &'n str>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::UnknownName,
        ident.span,
        text::unknown(kind, &ident.name, scope),
    );
    if let Some(help) = did_you_mean(suggest(&ident.name, candidates).as_deref()) {
        d = d.with_help(help);
    }
    d
}

/// The closest candidate to `name`, if close enough to be a likely typo.
pub fn suggest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for (i, c) in candidates.enumerate() {
        if i >= MAX_SUGGESTION_CANDIDATES {
            return None;
        }
        let score = strsim::jaro_winkler(name, c);
        let better = match best {
            None => true,
            Some((s, b)) => score > s || (score == s && c < b),
        };
        if better {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.8).map(|(_, c)| c.to_string())
}

/// What a form member is.
#[derive(Clone, Copy)]
pub enum Member<'a> {
    /// A field.
    Field(&'a Field),
    /// A score.
    Score(&'a Score),
    /// A level.
    Level(&'a Level),
}

/// A form with its member table.
pub struct FormInfo<'a> {
    /// The declaration.
    pub form: &'a Form,
    /// Fields, scores and levels by name.
    pub members: Table<'a, Member<'a>>,
}

/// Every bundle-level declaration, by kind.
pub struct Symbols<'a> {
    /// Organisations.
    pub organizations: Table<'a, &'a Organization>,
    /// Units.
    pub units: Table<'a, &'a Unit>,
    /// Roles.
    pub roles: Table<'a, &'a Role>,
    /// Calendars.
    pub calendars: Table<'a, &'a Calendar>,
    /// Forms (index into `form_infos`).
    pub forms: Table<'a, usize>,
    /// Forms with their members.
    pub form_infos: Vec<FormInfo<'a>>,
    /// Networks.
    pub networks: Table<'a, &'a Network>,
    /// Providers.
    pub providers: Table<'a, ()>,
    /// Service types offered by some provider.
    pub services: Table<'a, ()>,
    /// Policies.
    pub policies: Table<'a, &'a Policy>,
    /// Data classes.
    pub classes: Table<'a, ()>,
    /// SOPs.
    pub sops: Table<'a, &'a Sop>,
}

impl<'a> Symbols<'a> {
    /// Collects every declaration of the bundle, reporting duplicates.
    pub fn collect(files: &'a [File], diags: &mut Vec<Diagnostic>) -> Symbols<'a> {
        let mut s = Symbols {
            organizations: Table::new(Kind::Organization),
            units: Table::new(Kind::Unit),
            roles: Table::new(Kind::Role),
            calendars: Table::new(Kind::Calendar),
            forms: Table::new(Kind::Form),
            form_infos: Vec::new(),
            networks: Table::new(Kind::Network),
            providers: Table::new(Kind::Provider),
            services: Table::new(Kind::Service),
            policies: Table::new(Kind::Policy),
            classes: Table::new(Kind::Class),
            sops: Table::new(Kind::Sop),
        };
        for file in files {
            for item in &file.items {
                match item {
                    Item::Organization(o) => {
                        s.organizations.declare(&o.name, o, diags);
                        for r in &o.roles {
                            s.roles.declare(&r.name, r, diags);
                        }
                        for u in &o.units {
                            s.declare_unit(u, diags);
                        }
                    }
                    Item::Calendar(c) => {
                        s.calendars.declare(&c.name, c, diags);
                    }
                    Item::Form(f) => {
                        if s.forms.declare(&f.name, s.form_infos.len(), diags) {
                            s.form_infos.push(FormInfo {
                                form: f,
                                members: form_members(f, diags),
                            });
                        }
                    }
                    Item::Network(n) => {
                        s.networks.declare(&n.name, n, diags);
                        for p in &n.providers {
                            s.providers.declare(&p.name, (), diags);
                            for svc in &p.offers {
                                if s.services.get(&svc.name).is_none() {
                                    s.services.declare(svc, (), diags);
                                }
                            }
                        }
                    }
                    Item::Policy(p) => {
                        s.policies.declare(&p.name, p, diags);
                        for c in &p.classes {
                            s.classes.declare(&c.name, (), diags);
                        }
                    }
                    Item::Sop(sop) => {
                        s.sops.declare(&sop.name, sop, diags);
                    }
                }
            }
        }
        s
    }

    fn declare_unit(&mut self, unit: &'a Unit, diags: &mut Vec<Diagnostic>) {
        self.units.declare(&unit.name, unit, diags);
        for r in &unit.roles {
            self.roles.declare(&r.name, r, diags);
        }
        for u in &unit.units {
            self.declare_unit(u, diags);
        }
    }
}

fn form_members<'a>(form: &'a Form, diags: &mut Vec<Diagnostic>) -> Table<'a, Member<'a>> {
    let mut members = Table::new(Kind::FormMember);
    for f in &form.fields {
        members.declare(&f.name, Member::Field(f), diags);
    }
    for sc in &form.scores {
        members.declare(&sc.name, Member::Score(sc), diags);
    }
    for l in &form.levels {
        members.declare(&l.name, Member::Level(l), diags);
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["manajer_kasus", "peksos", "ketua"];
        assert_eq!(
            suggest("manajer_kasu", names.iter().copied()).as_deref(),
            Some("manajer_kasus")
        );
        assert_eq!(
            suggest("pekso", names.iter().copied()).as_deref(),
            Some("peksos")
        );
        assert_eq!(suggest("zzz", names.iter().copied()), None);
    }
}
