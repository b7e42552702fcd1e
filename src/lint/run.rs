//! Running the rules: every expression parsed once, rule-level checks spread
//! over all cores, then group, file, threshold and workspace checks,
//! severities and suppressions applied, findings sorted.

use crate::compile::slo::SliProblem;
use crate::diag::Diagnostic;
use crate::lint::rules::promql::syntax;
use crate::lint::settings::Settings;
use crate::lint::suppress;
use crate::lint::{Check, FileCx, GroupCx, RuleCx, SloCx, ThresholdCx, parallel, registry};
use crate::rulefile::RuleFile;
use crate::source::{SourceId, SourceMap, Span};
use crate::spec::model::Workspace;
use crate::yaml::Comment;

/// One file to lint: the rule files it holds (one per document; for a spec,
/// the rules it compiles into) and its comments.
#[derive(Debug, Clone)]
pub struct Target {
    /// The file.
    pub source: SourceId,
    /// Its rules.
    pub files: Vec<RuleFile>,
    /// Its YAML comments (for `# promspec:` directives).
    pub comments: Vec<Comment>,
    /// Spans a `disable=` directive attaches to: rules, or spec thresholds.
    pub items: Vec<Span>,
    /// Index of its settings in [`Input::settings`].
    pub settings: usize,
}

/// Everything one lint run looks at.
pub struct Input<'a> {
    /// Every file read.
    pub sources: &'a SourceMap,
    /// One entry per `promspec.yaml` in play (index 0: the defaults).
    pub settings: &'a [Settings],
    /// The files.
    pub targets: &'a [Target],
    /// Spec workspaces with the index of their settings.
    pub workspaces: &'a [(&'a Workspace, usize)],
}

/// Run every enabled rule and return the findings, suppressions applied.
pub fn run(input: &Input) -> Vec<Diagnostic> {
    let mut work = Vec::new();
    for (t, target) in input.targets.iter().enumerate() {
        for (f, file) in target.files.iter().enumerate() {
            for (g, group) in file.groups.iter().enumerate() {
                for r in 0..group.rules.len() {
                    work.push((t, f, g, r));
                }
            }
        }
    }
    let rule_checks: Vec<_> = registry::RULES
        .iter()
        .filter_map(|m| match m.check {
            Check::Rule(f) => Some((m.id, f)),
            _ => None,
        })
        .collect();
    let per_rule = parallel::map(&work, |&(t, f, g, r)| {
        let target = &input.targets[t];
        let settings = &input.settings[target.settings];
        let file = &target.files[f];
        let group = &file.groups[g];
        let rule = &group.rules[r];
        let mut out = Vec::new();
        // One parse per expression, in the dialect of the file's settings
        // (for a spec query, the parse its threshold rules read too): the
        // facade's verdict, facts and output labels serve every rule.
        match rule.expr.parse(settings.dialect) {
            Err(e) => out.push(syntax::diagnostic(&rule.expr, input.sources, e)),
            Ok(expr) => {
                let cx = RuleCx {
                    rule,
                    group,
                    file,
                    expr,
                    facts: expr.facts(),
                    settings,
                    sources: input.sources,
                };
                for (id, check) in &rule_checks {
                    if settings.enabled(id) {
                        check(&cx, &mut out);
                    }
                }
            }
        }
        finish(out, settings)
    });
    let mut findings: Vec<Diagnostic> = per_rule.into_iter().flatten().collect();

    for target in input.targets {
        let settings = &input.settings[target.settings];
        let mut out = Vec::new();
        for file in &target.files {
            for m in registry::RULES.iter().filter(|m| settings.enabled(m.id)) {
                match m.check {
                    Check::Group(check) => {
                        for group in &file.groups {
                            check(
                                &GroupCx {
                                    group,
                                    file,
                                    settings,
                                },
                                &mut out,
                            );
                        }
                    }
                    Check::File(check) => check(&FileCx { file, settings }, &mut out),
                    _ => {}
                }
            }
        }
        findings.extend(finish(out, settings));
    }

    for (ws, s) in input.workspaces {
        let settings = &input.settings[*s];
        let mut out = Vec::new();
        for m in registry::RULES.iter().filter(|m| settings.enabled(m.id)) {
            match m.check {
                Check::Threshold(check) => {
                    for feature in &ws.features {
                        for threshold in &feature.thresholds {
                            check(
                                &ThresholdCx {
                                    threshold,
                                    feature,
                                    settings,
                                },
                                &mut out,
                            );
                        }
                    }
                }
                Check::Slo(check) => {
                    for feature in &ws.features {
                        for slo in &feature.slos {
                            check(
                                &SloCx {
                                    slo,
                                    feature,
                                    settings,
                                },
                                &mut out,
                            );
                        }
                    }
                }
                Check::Workspace(check) => out.extend(check(ws, input.sources)),
                Check::Engine => slo_queries(ws, settings, input.sources, &mut out),
                _ => {}
            }
        }
        findings.extend(finish(out, settings));
    }

    let mut report = Vec::new();
    let mut directives = Vec::new();
    for target in input.targets {
        directives.push((
            target.settings,
            suppress::directives(
                &input.sources.get(target.source).text,
                &target.comments,
                &target.items,
                &mut report,
            ),
        ));
    }
    for (s, ds) in &directives {
        suppress::apply(ds, &input.settings[*s], &mut findings, &mut report);
    }
    findings.extend(report);
    once_per_metric(&mut findings);
    findings
}

/// An unknown metric once, at its first use (in file and byte order), not
/// at every use: the fix is one catalog entry or one rename.
fn once_per_metric(findings: &mut Vec<Diagnostic>) {
    let key = |d: &Diagnostic| d.primary_span().map(|s| (s.source, s.start));
    let mut first: std::collections::HashMap<String, Option<(crate::source::SourceId, u32)>> =
        std::collections::HashMap::new();
    for d in findings.iter().filter(|d| d.id == UNKNOWN_METRIC) {
        let k = key(d);
        first
            .entry(d.message.clone())
            .and_modify(|f| *f = (*f).min(k))
            .or_insert(k);
    }
    let mut kept = std::collections::HashSet::new();
    findings.retain(|d| {
        d.id != UNKNOWN_METRIC
            || (first.get(&d.message) == Some(&key(d)) && kept.insert(d.message.clone()))
    });
}

const UNKNOWN_METRIC: &str = "promql/unknown-metric";

/// Give each finding its severity and drop those of rules that are off.
///
/// A rule's default severity is the highest it reports: a finding built as
/// a warning by a rule whose default is `error` stays a warning. A severity
/// set in `promspec.yaml` applies to every finding of the rule.
fn finish(mut out: Vec<Diagnostic>, settings: &Settings) -> Vec<Diagnostic> {
    out.retain_mut(|d| match settings.override_of(d.id) {
        Some(Some(s)) => {
            d.severity = s;
            true
        }
        Some(None) => false,
        None => match registry::find(d.id) {
            Some(rule) => match rule.default_severity {
                Some(max) => {
                    d.severity = d.severity.min(max);
                    true
                }
                None => false,
            },
            None => true,
        },
    });
    // Kept until every rule is checked: no spare capacity per rule.
    out.shrink_to_fit();
    out
}

/// `promql/syntax` on the SLO queries of a workspace: the `{{.window}}`
/// placeholder stands for a range, and a query promspec wraps in `rate()`
/// must be a plain selector.
fn slo_queries(
    ws: &Workspace,
    settings: &Settings,
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    for feature in &ws.features {
        for slo in &feature.slos {
            for (q, problem) in crate::compile::slo::sli_problems(slo, settings.dialect) {
                let expr = crate::rulefile::Expression::from_query(q);
                out.push(match problem {
                    SliProblem::Syntax(e) => syntax::diagnostic(&expr, sources, &e),
                    SliProblem::NotSelector => syntax::not_a_selector(q.span, &q.text),
                });
            }
        }
    }
}
