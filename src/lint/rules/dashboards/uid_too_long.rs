//! `dashboards/uid-too-long`.

use crate::compile::conventions::{MAX_UID_LEN, dashboard_uid, readable_dashboard_uid};
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span};
use crate::spec::model::Workspace;
use crate::spec::resolve::is_slug;

/// The id of this rule.
pub const ID: &str = "dashboards/uid-too-long";

fn uid_too_long(slug_span: Span, slug: &str, readable: &str, uid: &str) -> Diagnostic {
    // The characters left for the slug once the uid's fixed part is counted.
    let room = MAX_UID_LEN.saturating_sub(readable.len() - slug.len());
    Diagnostic::warning(
        ID,
        format!(
            "the dashboard uid `{readable}` is {} characters; Grafana allows {MAX_UID_LEN}",
            readable.len()
        ),
    )
    .with_label(
        slug_span,
        format!("the dashboard gets the shortened uid `{uid}`"),
    )
    .with_help(format!(
        "shorten the feature slug to at most {room} characters to keep a readable uid"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a feature whose slug makes its dashboard uid longer than the 40
    /// characters Grafana accepts.
    ///
    /// ## Why is this bad?
    /// Grafana rejects a dashboard whose uid is longer than 40 characters, so
    /// promspec shortens it to a prefix plus a hash of the slug. The uid stays
    /// stable, but dashboard URLs (and the `dashboard_url` of every alert) no
    /// longer say which feature they belong to.
    ///
    /// ## Example
    /// ```yaml
    /// feature: document-sharing-notification-delivery-pipeline
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// feature: doc-notification-pipeline
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UidTooLong => Check::Workspace(check);
}

/// Report every feature whose readable dashboard uid does not fit.
///
/// An invalid slug is already reported as `spec/invalid-slug`; its uid is
/// not judged.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    ws.features
        .iter()
        .filter(|f| is_slug(&f.slug))
        .filter_map(|f| {
            let readable = readable_dashboard_uid(&f.slug);
            (readable.len() > MAX_UID_LEN)
                .then(|| uid_too_long(f.slug_span, &f.slug, &readable, &dashboard_uid(&f.slug)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    const THRESHOLD: &str = "  - id: errors\n    query: sum(rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n";

    #[test]
    fn pass() {
        let slug = "a".repeat(MAX_UID_LEN - "promspec-".len());
        let (ws, sources) = load(&[(&slug, &feature(&slug, THRESHOLD))]);
        assert!(check(&ws, &sources).is_empty());
    }

    #[test]
    fn fail() {
        let slug = "document-sharing-notification-delivery-pipeline";
        let (ws, sources) = load(&[(slug, &feature(slug, THRESHOLD))]);
        let diags = check(&ws, &sources);
        assert_eq!(diags.len(), 1);
        assert_eq!(dashboard_uid(slug).len(), MAX_UID_LEN);
        insta::assert_snapshot!(render(&diags, &sources));
    }
}
