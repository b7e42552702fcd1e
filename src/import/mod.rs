//! `promspec import`: hand-written Prometheus rule files and
//! `PrometheusRule` manifests → feature specs.
//!
//! **Owns** the conversion of existing rules into the spec format and the
//! files it writes for it. The pipeline:
//! - [`discover`] walks the given paths for `*.yml`/`*.yaml` files;
//! - the rule-file reader ([`crate::rulefile::load`]) reads each document;
//! - [`convert`] splits the rules into features (one per group, or per value
//!   of a label) and decides what each rule becomes: an alert of the form
//!   `<query> > <number>` / `< <number>` (and its siblings of the same name
//!   that differ by severity) a threshold with levels ([`shape`] reads the
//!   comparison, the level and the unit), any other alert an `alerts:`
//!   entry, a recording rule a `records:` entry;
//! - [`verify`] judges the result with the same engine as `build` and turns
//!   every threshold with an error-level finding back into an `alerts:`
//!   entry kept as written, so that `promspec build` succeeds on the output;
//! - [`emit`] renders the specs (and, when the specs directory has none, a
//!   minimal project file) and [`write`] creates them, never overwriting a
//!   file and never writing through a link.
//!
//! Exactness: a threshold's level compiles to `<recorded query> > <number>`
//! with the original number (written so that it reads and compiles back to
//! the same float), the original `for` and `keep_firing_for`, so the
//! imported alert fires at the evaluations where the original fires.
//! `>=` and `<=` stay alerts: levels compare strictly.
//!
//! **Must not** print: the command renders the [`Report`].

pub mod convert;
pub mod discover;
pub mod emit;
pub mod shape;
pub mod verify;
pub mod write;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::spec::model::{Direction, Level};
use crate::spec::units::Unit;

/// How rules are split into features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// One feature per rule group.
    Group,
    /// One feature per value of this label (rules without it: per group).
    Label(String),
}

/// What the conversion needs to know besides the rules.
#[derive(Debug, Clone)]
pub struct Options {
    /// How rules are split into features.
    pub split: Split,
    /// The team of features whose rules carry no `team` label.
    pub team: String,
    /// The project's evaluation interval: a group with another `interval:`
    /// gives a feature with its own `evaluation_interval`.
    pub evaluation_interval: Duration,
    /// The PromQL dialect expressions are read in.
    pub dialect: crate::promql::Dialect,
}

/// One feature spec to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The slug (file name and `feature:`).
    pub slug: String,
    /// The title: the group name or the label value.
    pub title: String,
    /// The team.
    pub team: String,
    /// The groups' `interval:` when it is not the project's evaluation interval.
    pub evaluation_interval: Option<Duration>,
    /// The rule files the rules came from, as given on the command line.
    pub sources: Vec<String>,
    /// Thresholds.
    pub thresholds: Vec<Threshold>,
    /// Alerts kept as written.
    pub alerts: Vec<Alert>,
    /// Recording rules kept as written.
    pub records: Vec<Record>,
    /// What changed on the way or was not converted, and why.
    pub notes: Vec<String>,
}

/// A threshold converted from one alert (and its severity siblings).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Slug, unique in the feature.
    pub id: String,
    /// The original alert name (absent when a spec cannot hold it: the default name applies).
    pub alert: Option<String>,
    /// The query compared.
    pub query: String,
    /// The unit of the value.
    pub unit: Unit,
    /// Labels other than `severity`.
    pub labels: BTreeMap<String, String>,
    /// The original `runbook_url`.
    pub runbook: Option<String>,
    /// The original `description` (runbook text).
    pub description: Option<String>,
    /// The levels, most severe first.
    pub levels: Vec<LevelRule>,
    /// The original rules, for turning the threshold back into alerts.
    pub originals: Vec<Alert>,
}

/// One level of an imported threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelRule {
    /// The level.
    pub level: Level,
    /// The original `severity` value.
    pub severity: String,
    /// Above or below.
    pub direction: Direction,
    /// The number compared with.
    pub value: f64,
    /// The number as the spec writes it.
    pub written: String,
    /// `for` (zero when the original has none).
    pub for_: Duration,
    /// `keep_firing_for`.
    pub keep_firing_for: Option<Duration>,
    /// The original `summary`.
    pub summary: Option<String>,
}

/// An alerting rule kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Slug, unique in the feature.
    pub id: String,
    /// The original alert name (absent when a spec cannot hold it: the default name applies).
    pub alert: Option<String>,
    /// The expression.
    pub expr: String,
    /// `for`.
    pub for_: Option<Duration>,
    /// `keep_firing_for`.
    pub keep_firing_for: Option<Duration>,
    /// The level its severity maps to.
    pub level: Level,
    /// Labels other than `severity`.
    pub labels: BTreeMap<String, String>,
    /// Annotations, in file order.
    pub annotations: Vec<(String, String)>,
    /// Why it is not a threshold.
    pub reason: String,
    /// Lint rules turned off for this entry (findings on the original expression).
    pub suppress: Vec<String>,
}

/// A recording rule kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The recorded series name.
    pub record: String,
    /// The expression.
    pub expr: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// What one output file holds, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// The spec file name.
    pub file: String,
    /// Thresholds.
    pub thresholds: usize,
    /// Levels over all thresholds.
    pub levels: usize,
    /// Alerts.
    pub alerts: usize,
    /// Recording rules.
    pub records: usize,
    /// Notes.
    pub notes: Vec<String>,
}

impl Feature {
    /// The counts the summary prints.
    pub fn summary(&self) -> FileSummary {
        FileSummary {
            file: format!("{}.yaml", self.slug),
            thresholds: self.thresholds.len(),
            levels: self.thresholds.iter().map(|t| t.levels.len()).sum(),
            alerts: self.alerts.len(),
            records: self.records.len(),
            notes: self.notes.clone(),
        }
    }
}

/// A name as a slug `^[a-z][a-z0-9-]*$`: CamelCase split into words,
/// everything else dashes; `fallback` when nothing is left.
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let upper = c.is_ascii_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if upper
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || p.is_ascii_uppercase() && next_lower
                })
            {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        prev = Some(c);
    }
    let trimmed: String = out
        .trim_matches('-')
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut s = if trimmed.starts_with(|c: char| c.is_ascii_lowercase()) {
        trimmed
    } else if trimmed.is_empty() {
        fallback.to_string()
    } else {
        format!("{fallback}-{trimmed}")
    };
    if s.len() > MAX_SLUG {
        s.truncate(MAX_SLUG);
        s = s.trim_end_matches('-').to_string();
    }
    s
}

/// Longest slug written: keeps generated names and dashboard uids short.
const MAX_SLUG: usize = 48;

/// `base`, or `base-2`, `base-3`... whichever `taken` does not hold yet; recorded in `taken`.
pub fn unique(base: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut candidate = base.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("HighCPUUsage", "x"), "high-cpu-usage");
        assert_eq!(slug("KubePodCrashLooping", "x"), "kube-pod-crash-looping");
        assert_eq!(slug("node_exporter.rules", "x"), "node-exporter-rules");
        assert_eq!(slug("5xx errors", "g"), "g-5xx-errors");
        assert_eq!(slug("日本語", "g"), "g");
        assert_eq!(
            slug("etcdHighNumberOfFailedGRPCRequests", "x"),
            "etcd-high-number-of-failed-grpc-requests"
        );
    }
}

/// What `promspec import` did.
#[derive(Debug)]
pub struct Outcome {
    /// Per feature file, what it holds.
    pub files: Vec<FileSummary>,
    /// The files created, the project file last when it was created.
    pub created: Vec<std::path::PathBuf>,
    /// Whether a project file was created.
    pub project_created: bool,
    /// Rule files read that hold no rule group, with what they are.
    pub skipped: Vec<String>,
}

/// Why nothing was written.
#[derive(Debug)]
pub enum Failure {
    /// Reading or writing a file failed, or a file exists.
    Io(String),
    /// A rule file is unreadable, or the imported specs would not build.
    Findings {
        /// Every file read.
        sources: crate::source::SourceMap,
        /// The findings.
        diagnostics: crate::diag::Diagnostics,
    },
}

/// Import the rule files under `paths` into `specs_dir`.
pub fn run(
    paths: &[std::path::PathBuf],
    specs_dir: &std::path::Path,
    split: Split,
    team: Option<String>,
) -> Result<Outcome, Failure> {
    use crate::rulefile::load::{Shape, rule_file, shape};
    use crate::source::SourceMap;

    let io = |e: &dyn std::fmt::Display| Failure::Io(e.to_string());
    let files = discover::rule_files(paths).map_err(|e| io(&e))?;
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut rule_files = Vec::new();
    let mut skipped = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
        let id = sources.add(path, text.clone());
        let docs = match crate::yaml::parse(id, &text) {
            Ok(docs) => docs,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let mut any = false;
        for doc in docs {
            let s = shape(&doc.root);
            if matches!(s, Shape::Plain | Shape::Operator) {
                rule_files.push((
                    path.display().to_string(),
                    rule_file(id, &doc.root, s, &mut diags),
                ));
                any = true;
            }
        }
        if !any {
            skipped.push(format!("{}: no rule groups", path.display()));
        }
    }
    if diags
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        let mut diagnostics = crate::diag::Diagnostics::new();
        diagnostics.extend(diags);
        diagnostics.sort();
        return Err(Failure::Findings {
            sources,
            diagnostics,
        });
    }

    let project_path = specs_dir.join(crate::spec::load::PROJECT_FILE);
    let existing_project = match std::fs::read_to_string(&project_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::Io(format!("{}: {e}", project_path.display()))),
    };
    let (interval, dialect) = existing_project
        .as_deref()
        .and_then(|text| project_settings(&project_path, text))
        .unwrap_or((Duration::from_secs(60), crate::promql::Dialect::default()));
    let options = Options {
        split,
        team: team.map_or_else(|| "imported".to_string(), |t| slug(&t, "team")),
        evaluation_interval: interval,
        dialect,
    };
    let sources_list: Vec<convert::Source<'_>> = rule_files
        .iter()
        .map(|(path, file)| convert::Source {
            path: path.clone(),
            file,
        })
        .collect();
    let mut features = convert::features(&sources_list, &options);
    let project = verify::ProjectText {
        path: project_path.clone(),
        text: existing_project
            .clone()
            .unwrap_or_else(|| emit::project(&emit::levels_used(&features), interval)),
    };
    let names: Vec<String> = features
        .iter()
        .map(|f| format!("{}.yaml", f.slug))
        .collect();
    write::check_absent(specs_dir, names.iter().map(String::as_str)).map_err(|e| io(&e))?;
    let existing = existing_specs(specs_dir).map_err(|e| io(&e))?;
    let verdict =
        verify::settle(&mut features, &project, &existing, specs_dir).map_err(|e| io(&e))?;
    if !verdict.errors.is_empty() {
        return Err(Failure::Findings {
            sources: verdict.sources,
            diagnostics: verdict.errors,
        });
    }
    // The project file's levels follow what the settled specs use.
    let project_text = existing_project
        .is_none()
        .then(|| emit::project(&emit::levels_used(&features), interval));
    let mut out: Vec<(String, String)> = features
        .iter()
        .map(|f| (format!("{}.yaml", f.slug), emit::feature(f)))
        .collect();
    if let Some(text) = &project_text {
        out.push((crate::spec::load::PROJECT_FILE.to_string(), text.clone()));
    }
    let created = write::create_all(specs_dir, &out).map_err(|e| io(&e))?;
    Ok(Outcome {
        files: features.iter().map(Feature::summary).collect(),
        created,
        project_created: project_text.is_some(),
        skipped,
    })
}

/// The evaluation interval and dialect of an existing project file.
fn project_settings(
    path: &std::path::Path,
    text: &str,
) -> Option<(Duration, crate::promql::Dialect)> {
    let mut sources = crate::source::SourceMap::new();
    let id = sources.add(path, text.to_string());
    let mut diags = Vec::new();
    let (raw, _) = crate::spec::load::project(&sources, id, &mut diags)?;
    let p = crate::spec::resolve::resolve_project(&raw, id, &mut diags);
    Some((p.evaluation_interval, p.dialect))
}

/// The feature specs already in `dir` (none when it does not exist).
fn existing_specs(dir: &std::path::Path) -> std::io::Result<Vec<(std::path::PathBuf, String)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let files = crate::spec::load::discover(dir)?;
    files
        .features
        .into_iter()
        .map(|p| std::fs::read_to_string(&p).map(|t| (p, t)))
        .collect()
}
