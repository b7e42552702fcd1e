//! `dashboards/duplicate-uid`.

use std::collections::BTreeMap;

use crate::compile::conventions::{OVERVIEW_UID, dashboard_uid};
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span};
use crate::spec::model::{Feature, Workspace};

/// The id of this rule.
pub const ID: &str = "dashboards/duplicate-uid";

fn duplicate_uid(span: Span, uid: &str, first: &Feature) -> Diagnostic {
    Diagnostic::error(
        ID,
        format!(
            "the dashboard uid `{uid}` is already the uid of feature `{}`",
            first.slug
        ),
    )
    .with_label(span, "this feature's dashboard would replace the other one")
    .with_secondary(first.slug_span, "the first dashboard with this uid")
    .with_help("rename one of the features: dashboard uids are derived from feature slugs")
}

fn overview_uid(span: Span, uid: &str) -> Diagnostic {
    Diagnostic::error(
        ID,
        format!("the dashboard uid `{uid}` is the uid of the overview dashboard"),
    )
    .with_label(span, "this feature's dashboard would replace the overview")
    .with_help("rename the feature: `overview` is taken by the dashboard of every feature")
}

declare_rule! {
    /// ## What it does
    /// Reports two dashboards that would get the same uid: two features, or a
    /// feature and the overview dashboard.
    ///
    /// ## Why is this bad?
    /// Grafana keeps one dashboard per uid: importing the second overwrites
    /// the first, and alerts whose `dashboard_url` names the uid open the wrong
    /// dashboard.
    ///
    /// ## Example
    /// ```yaml
    /// feature: overview   # the overview dashboard is `promspec-overview`
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// feature: service-overview
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct DuplicateUid => Check::Workspace(check);
}

/// Report every dashboard uid that is used twice.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, &Feature> = BTreeMap::new();
    for feature in &ws.features {
        let uid = dashboard_uid(&feature.slug);
        if uid == OVERVIEW_UID {
            out.push(overview_uid(feature.slug_span, &uid));
        } else if let Some(first) = seen.get(&uid) {
            out.push(duplicate_uid(feature.slug_span, &uid, first));
        } else {
            seen.insert(uid, feature);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    const THRESHOLD: &str = "  - id: errors\n    query: sum(rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n";

    #[test]
    fn pass() {
        let (ws, sources) = load(&[
            ("service-overview", &feature("service-overview", THRESHOLD)),
            ("billing", &feature("billing", THRESHOLD)),
        ]);
        assert!(check(&ws, &sources).is_empty());
    }

    #[test]
    fn fail() {
        let (ws, sources) = load(&[("overview", &feature("overview", THRESHOLD))]);
        let diags = check(&ws, &sources);
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(render(&diags, &sources));
    }

    #[test]
    fn two_features_with_the_same_shortened_uid() {
        // Unique slugs give unique uids: the shortened uid hashes the whole slug.
        let a = "a-very-long-feature-name-that-goes-on-and-on";
        let b = "a-very-long-feature-name-that-goes-on-and-off";
        let (ws, sources) = load(&[(a, &feature(a, THRESHOLD)), (b, &feature(b, THRESHOLD))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
