//! The shared harness of the per-rule tests: lint a rule file or a feature
//! spec held in a string, keep one rule's findings, check the contract every
//! finding keeps, render them as a user sees them.

use crate::diag::Diagnostic;
use crate::diag::render::{RenderOptions, render_human};
use crate::lint::load::load_rule_file;
use crate::lint::registry;
use crate::lint::run::{self, Input, Target};
use crate::lint::settings::Settings;
use crate::source::SourceMap;
use crate::spec::model::Workspace;
use crate::spec::{load, resolve};

/// The project file the spec fixtures use.
pub const PROJECT: &str = "\
scrape_interval: 15s
evaluation_interval: 1m
priorities:
  P1: {response_time: 1h}
  P2: {response_time: 4h}
  P3: {response_time: 1d}
severities:
  critical: {priority: P1, receivers: [ops]}
  warning: {priority: P2, receivers: [ops]}
  info: {priority: P3, receivers: [ops]}
receivers:
  ops:
    slack: {channel: '#ops', api_url_file: /etc/secrets/slack}
";

/// Lint a rule file with `settings`; every finding of every rule.
pub fn lint_rules_with(text: &str, settings: Settings) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add("rules.yml", text);
    let (target, mut diags) = load_rule_file(&sources, id, true, 0);
    let targets: Vec<Target> = target.into_iter().collect();
    diags.extend(run::run(&Input {
        sources: &sources,
        settings: &[settings],
        targets: &targets,
        workspaces: &[],
    }));
    (sources, diags)
}

/// Lint a feature spec (file `specs/test.yaml`) under [`PROJECT`].
pub fn lint_spec(text: &str) -> (SourceMap, Vec<Diagnostic>) {
    lint_spec_with(text, None)
}

/// [`lint_spec`] with the metrics catalog `catalog` (YAML).
pub fn lint_spec_with(text: &str, catalog: Option<&str>) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let pid = sources.add("specs/promspec.yaml", PROJECT);
    let (raw, _) = load::project(&sources, pid, &mut diags).expect("test project decodes");
    let project = resolve::resolve_project(&raw, pid, &mut diags);
    let fid = sources.add("specs/test.yaml", text);
    let mut features = Vec::new();
    if let Some((raw, _)) = load::feature(&sources, fid, &mut diags) {
        features.push(resolve::resolve_feature(&raw, &project, fid, &mut diags));
    }
    let ws = Workspace {
        project,
        features,
        comments: Default::default(),
    };
    let mut settings = Settings::default();
    settings.dialect = ws.project.dialect;
    settings.scrape_interval = ws.project.scrape_interval;
    settings.evaluation_interval = ws.project.evaluation_interval;
    settings.evaluation_interval_known = true;
    settings.catalog = catalog.map(|c| {
        std::sync::Arc::new(
            crate::catalog::Catalog::parse(crate::source::SourceId(0), c)
                .expect("the test catalog reads"),
        )
    });
    let comments: Vec<crate::yaml::Comment> = crate::yaml::parse(fid, text)
        .map(|d| d.into_iter().flat_map(|d| d.comments).collect())
        .unwrap_or_default();
    let targets: Vec<Target> = ws
        .features
        .iter()
        .map(|f| Target {
            source: f.source,
            files: vec![crate::compile::lower::feature(&ws.project, f)],
            comments: comments.clone(),
            items: f.thresholds.iter().map(|t| t.span).collect(),
            settings: 0,
        })
        .collect();
    diags.extend(run::run(&Input {
        sources: &sources,
        settings: &[settings],
        targets: &targets,
        workspaces: &[(&ws, 0)],
    }));
    (sources, diags)
}

/// The findings of rule `id`, after checking the contract of every finding:
/// the id is registered (or a documented code) and the primary span lies
/// inside its file.
pub fn only(
    id: &str,
    (sources, diags): (SourceMap, Vec<Diagnostic>),
) -> (SourceMap, Vec<Diagnostic>) {
    for d in &diags {
        assert!(
            registry::find(d.id).is_some() || crate::diag::codes::find(d.id).is_some(),
            "unregistered id {}",
            d.id
        );
        let span = d.primary_span().expect("every finding has a span");
        let len = sources.get(span.source).text.len();
        assert!(span.end as usize <= len, "span outside the file: {d:?}");
    }
    assert!(registry::find(id).is_some(), "rule {id} is not registered");
    let diags = diags.into_iter().filter(|d| d.id == id).collect();
    (sources, diags)
}

/// Render findings as the human format does (no colour, width 80).
pub fn render((sources, diags): &(SourceMap, Vec<Diagnostic>)) -> String {
    let options = RenderOptions::plain(80);
    diags
        .iter()
        .map(|d| render_human(d, sources, options))
        .collect()
}

/// Default settings with rule `id` on, even when it is off by default.
fn with_rule_on(id: &str) -> Settings {
    let mut settings = Settings::default();
    let rule = registry::find(id).expect("registered rule");
    if rule.default_severity.is_none() {
        settings.set(rule.id, Some(crate::diag::Severity::Warning));
    }
    settings
}

/// Rule `id`'s findings in the rule file `text` with the metrics catalog
/// `catalog` (YAML), rendered; at least one.
pub fn with_catalog(id: &str, text: &str, catalog: &str) -> String {
    let out = catalog_findings(id, text, catalog);
    assert!(!out.1.is_empty(), "{id} reported nothing");
    render(&out)
}

/// Assert that rule `id` finds nothing in the rule file `text` with the
/// metrics catalog `catalog` (YAML).
pub fn assert_catalog_pass(id: &str, text: &str, catalog: &str) {
    let out = catalog_findings(id, text, catalog);
    assert!(out.1.is_empty(), "{id} reported:\n{}", render(&out));
}

fn catalog_findings(id: &str, text: &str, catalog: &str) -> (SourceMap, Vec<Diagnostic>) {
    let mut settings = with_rule_on(id);
    let catalog = crate::catalog::Catalog::parse(crate::source::SourceId(0), catalog)
        .expect("the test catalog reads");
    settings.catalog = Some(std::sync::Arc::new(catalog));
    only(id, lint_rules_with(text, settings))
}

/// Assert that rule `id` finds nothing in the rule file `text` (the rule on).
pub fn assert_rules_pass(id: &str, text: &str) {
    let out = only(id, lint_rules_with(text, with_rule_on(id)));
    assert!(out.1.is_empty(), "{id} reported:\n{}", render(&out));
}

/// Rule `id`'s findings in the rule file `text` (the rule on), rendered; at least one.
pub fn rules_fail(id: &str, text: &str) -> String {
    let out = only(id, lint_rules_with(text, with_rule_on(id)));
    assert!(!out.1.is_empty(), "{id} reported nothing");
    render(&out)
}

/// Assert that rule `id` finds nothing in the feature spec `text`.
pub fn assert_spec_pass(id: &str, text: &str) {
    let out = only(id, lint_spec(text));
    assert!(out.1.is_empty(), "{id} reported:\n{}", render(&out));
}

/// Assert that rule `id` finds nothing in the feature spec `text` with the
/// metrics catalog `catalog` (YAML).
pub fn assert_spec_catalog_pass(id: &str, text: &str, catalog: &str) {
    let out = only(id, lint_spec_with(text, Some(catalog)));
    assert!(out.1.is_empty(), "{id} reported:\n{}", render(&out));
}

/// Rule `id`'s findings in the feature spec `text` with the metrics
/// catalog `catalog` (YAML), rendered; at least one.
pub fn spec_with_catalog(id: &str, text: &str, catalog: &str) -> String {
    let out = only(id, lint_spec_with(text, Some(catalog)));
    assert!(!out.1.is_empty(), "{id} reported nothing");
    render(&out)
}

/// Rule `id`'s findings in the feature spec `text`, rendered; at least one.
pub fn spec_fail(id: &str, text: &str) -> String {
    let out = only(id, lint_spec(text));
    assert!(!out.1.is_empty(), "{id} reported nothing");
    render(&out)
}
