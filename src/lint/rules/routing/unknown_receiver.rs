//! `routing/unknown-receiver`.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span, Spanned};
use crate::spec::decode::did_you_mean;
use crate::spec::model::Workspace;

/// The diagnostic for a reference to receiver `name`, which is not defined.
pub fn unknown_receiver(name: &Spanned<String>, known: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        "routing/unknown-receiver",
        format!("unknown receiver `{}`", name.value),
    )
    .with_label(name.span, "no receiver of this name");
    match did_you_mean(&name.value, known.iter().copied()) {
        Some(best) => d.with_help(format!(
            "did you mean `{best}`? receivers are defined in `receivers` of the project file"
        )),
        None if known.is_empty() => {
            d.with_help("no receiver is defined; add it to `receivers` of the project file")
        }
        None => d.with_help(format!("known receivers: {}", known.join(", "))),
    }
}

declare_rule! {
    /// ## What it does
    /// Finds receivers named in `notify` lists or in `severities` that the
    /// project file does not define.
    ///
    /// ## Why is this bad?
    /// Alertmanager rejects a configuration that routes to an undefined
    /// receiver, and a misspelt name means the alert would not reach the
    /// people the spec names.
    ///
    /// ## Example
    /// ```yaml
    /// notify:
    ///   critical: [pager-oncal]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// notify:
    ///   critical: [pager-oncall]   # defined under `receivers:` in promspec.yaml
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnknownReceiver => Check::Workspace(check);
}

/// Report every reference to an undefined receiver, once per place.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let known: Vec<&str> = ws
        .project
        .receivers
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let mut seen: Vec<Span> = Vec::new();
    let refs = ws
        .project
        .severities
        .iter()
        .flat_map(|s| &s.receiver_refs)
        .chain(
            ws.features
                .iter()
                .flat_map(|f| &f.thresholds)
                .flat_map(|t| t.levels.iter().chain(t.no_data.iter().map(|n| &n.alert)))
                .chain(ws.features.iter().flat_map(|f| &f.alerts).map(|a| &a.level))
                .flat_map(|l| &l.receiver_refs),
        );
    let mut out = Vec::new();
    for r in refs {
        if known.contains(&r.value.as_str()) || seen.contains(&r.span) {
            continue;
        }
        seen.push(r.span);
        out.push(unknown_receiver(r, &known));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::lint::rules::test::{feature, load};

    #[test]
    fn pass_on_the_init_project() {
        let threshold = "  - id: errors\n    query: sum by (instance) (rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n    critical: {above: 5/s}\n    info: {above: 0.5/s}\n";
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
