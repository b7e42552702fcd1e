//! `alerts/name-collision`: two alerts of one feature with one alert name.

use crate::compile::alertmanager::{self, Alert};
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span};
use crate::spec::model::Workspace;

fn name_collision(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        "alerts/name-collision",
        format!("two alerts of this feature are named `{name}`"),
    )
    .with_label(span, "named like another alert")
    .with_secondary(first, "first named here")
    .with_help(
        "give one of them another name with `alert:` (or another id): routes, inhibition and unit tests tell alerts apart by name",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports two different alerts of one feature — thresholds, entries of
    /// `alerts:`, no-data alerts (`<AlertName>NoData`) or SLO alerts — that
    /// end up with the same alert name, e.g. because `alert:` sets a name
    /// another threshold already derives.
    ///
    /// ## Why is this bad?
    /// The generated Alertmanager routes tell the alerts of a feature apart
    /// by `alertname`: the first route that matches the name wins, so one
    /// of the two alerts goes to the other's receivers at the other's
    /// priority. A critical alert of one would also mute the warnings of
    /// the other, and the generated unit tests of one would see the other
    /// fire. Alerts of different features do not collide: their routes
    /// match the `feature` label first.
    ///
    /// ## Example
    /// ```yaml
    /// thresholds:
    ///   - id: cpu
    ///     alert: HighLoad
    ///     ...
    /// alerts:
    ///   - id: load-trend
    ///     alert: HighLoad
    ///     ...
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// alerts:
    ///   - id: load-trend
    ///     alert: HighLoadTrend
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct NameCollision => Check::Workspace(check);
}

/// The item an alert comes from (levels of one threshold and tiers of one
/// SLO share their name on purpose) and where its name is decided.
fn item(a: &Alert) -> (String, Span) {
    if let Some(s) = a.spec_alert {
        return (
            format!("alert {}", s.id),
            s.alert.as_ref().map_or(s.id_span, |n| n.span),
        );
    }
    if let Some(t) = a.threshold {
        let span = t.alert.as_ref().map_or(t.id_span, |n| n.span);
        return if a.no_data {
            (format!("no-data {}", t.id), span)
        } else {
            (format!("threshold {}", t.id), span)
        };
    }
    match a.slo {
        Some((slo, None)) => (format!("slo no-data {}", slo.id), slo.id_span),
        Some((slo, Some(_))) => (format!("slo {}", slo.id), slo.id_span),
        None => (a.alertname.clone(), a.feature.slug_span),
    }
}

/// Report every alert named like an earlier alert of another item of its feature.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let alerts = alertmanager::alerts(&ws.project, &ws.features);
    let mut seen: Vec<(&str, &str, String, Span)> = Vec::new();
    let mut out = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    // An empty name is already refused where it is written.
    for a in alerts.iter().filter(|a| !a.alertname.is_empty()) {
        let (id, span) = item(a);
        match seen
            .iter()
            .find(|(f, n, _, _)| *f == a.feature.slug && *n == a.alertname)
        {
            Some((_, _, first_id, first)) if *first_id != id => {
                if !reported.contains(&id) {
                    reported.push(id.clone());
                    out.push(name_collision(&a.alertname, span, *first));
                }
            }
            Some(_) => {}
            None => seen.push((&a.feature.slug, &a.alertname, id, span)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::lint::rules::test::{feature, load, render};

    const CPU: &str = "  - id: cpu\n    query: avg(node_load1)\n    warning: {above: 4}\n    critical: {above: 8}\n";

    #[test]
    fn pass() {
        let spec = format!(
            "{}alerts:\n  - id: node-down\n    expr: absent(up{{job=\"node\"}})\n    level: critical\n",
            feature("shop", CPU)
        );
        let (ws, sources) = load(&[("shop", &spec), ("cart", &feature("cart", CPU))]);
        assert_eq!(render(&check(&ws, &sources), &sources), "");
    }

    #[test]
    fn fail() {
        let spec = format!(
            "{}alerts:\n  - id: node-down\n    alert: ShopCpu\n    expr: absent(up{{job=\"node\"}})\n    level: critical\n",
            feature("shop", CPU)
        );
        let (ws, sources) = load(&[("shop", &spec)]);
        insta::assert_snapshot!(render(&check(&ws, &sources), &sources));
    }

    #[test]
    fn a_verbatim_name_can_hit_a_no_data_alert() {
        let spec = feature(
            "shop",
            "  - id: cpu\n    query: avg(node_load1)\n    warning: {above: 4}\n    no_data: {level: warning}\n  - id: load\n    alert: ShopCpuNoData\n    query: avg(node_load5)\n    warning: {above: 4}\n",
        );
        let (ws, sources) = load(&[("shop", &spec)]);
        let text = render(&check(&ws, &sources), &sources);
        assert!(
            text.contains("two alerts of this feature are named `ShopCpuNoData`"),
            "{text}"
        );
    }
}
