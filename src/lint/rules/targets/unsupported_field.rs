//! `targets/unsupported-field`.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span};
use crate::spec::model::Workspace;

/// The id of this rule.
pub const ID: &str = "targets/unsupported-field";

fn keep_firing_for_on_vmalert(level_span: Span, targets_span: Option<Span>) -> Diagnostic {
    let d = Diagnostic::error(
        ID,
        "vmalert cannot load an alert with `keep_firing_for`".to_string(),
    )
    .with_label(level_span, "this level keeps firing after it clears");
    let d = match targets_span {
        Some(span) => d.with_secondary(span, "the project deploys to vmalert"),
        None => d,
    };
    d.with_help(
        "vmalert 1.79 rejects the whole rule file (`unknown fields in rule: keep_firing_for`): \
         remove `keep_firing_for` (and `defaults.keep_firing_for`), or drop `vmalert` from `targets:`",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports a spec value that a deployment target named in `targets:`
    /// cannot load: today, `keep_firing_for` when the project deploys to
    /// VictoriaMetrics vmalert (1.79, the version Debian ships).
    ///
    /// ## Why is this bad?
    /// The engine refuses the whole rule file, so none of the feature's
    /// alerts run there, while the other targets work and nothing looks
    /// wrong until an alert is missed.
    ///
    /// ## Example
    /// ```yaml
    /// # promspec.yaml: targets: {prometheus: {}, vmalert: {}}
    /// critical: {above: 5%, for: 5m, keep_firing_for: 10m}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// critical: {above: 5%, for: 5m}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnsupportedField => Check::Workspace(check);
}

/// Report every level a target cannot load.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    if ws.project.targets.vmalert.is_none() {
        return Vec::new();
    }
    ws.features
        .iter()
        .flat_map(|f| &f.thresholds)
        .flat_map(|t| &t.levels)
        .chain(ws.features.iter().flat_map(|f| &f.alerts).map(|a| &a.level))
        .filter(|l| l.keep_firing_for.is_some())
        .map(|l| keep_firing_for_on_vmalert(l.span, ws.project.targets.span))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};
    use crate::spec::targets::VmalertTarget;

    const THRESHOLD: &str = "  - id: errors\n    query: sum(rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s, keep_firing_for: 10m}\n";

    #[test]
    fn pass() {
        // Without vmalert, `keep_firing_for` is fine.
        let (ws, sources) = load(&[("shop", &feature("shop", THRESHOLD))]);
        assert!(check(&ws, &sources).is_empty());
    }

    #[test]
    fn fail() {
        let (mut ws, sources) = load(&[("shop", &feature("shop", THRESHOLD))]);
        ws.project.targets.vmalert = Some(VmalertTarget { concurrency: None });
        let diags = check(&ws, &sources);
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(render(&diags, &sources));
    }
}
