//! What to lint: paths → files → targets with their settings.
//!
//! The only lint code that touches the file system. Paths may be files,
//! directories (walked recursively, hidden entries skipped) or glob
//! patterns. Every YAML file is classified by shape: a directory holding a
//! project file (`promspec.yaml` with `severities:`) is a specs directory and
//! goes through the spec pipeline; other files are plain rule files or
//! `PrometheusRule` manifests. A plain rule file takes its settings from the
//! nearest `promspec.yaml` up the tree.
//!
//! A file that is none of these shapes (a CI workflow, a compose file,
//! another Kubernetes object) is skipped and counted in [`Report::skipped`];
//! it is reported (`rulefile/unknown-shape`, a warning) only when
//! [`Options::report_unknown`] asks for it. A file that looks like a rule
//! file (a rule, a group or a list of them without `groups:` around them)
//! but is not one is always an error: it would silently lint nothing.
//!
//! A metrics catalog (`catalog.yaml`, see [`crate::catalog`]) next to a
//! project file gives its specs and rule files metric types as facts.
//!
//! With no paths, the project is linted: `specs/` and the rule files in
//! `generated/` that promspec did not generate (the generated ones are the
//! specs' own rules, already linted at the spec lines they come from).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{self, Catalog};
use crate::compile::{conventions, lower};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::run::{self, Input, Target};
use crate::lint::settings::Settings;
use crate::lint::{parallel, specs};
use crate::rulefile::{self, RuleFile, load::Shape};
use crate::source::{SourceId, SourceMap, Span};
use crate::spec::{lint_config, workspace};
use crate::yaml;

/// The default directories linted when no path is given.
pub const DEFAULT_PATHS: [&str; 2] = ["specs", "generated"];

/// Name of the settings file looked up next to plain rule files.
pub const CONFIG_FILE: &str = "promspec.yaml";

/// What a lint run produced.
#[derive(Debug)]
pub struct Report {
    /// Every file read.
    pub sources: SourceMap,
    /// Every finding, sorted.
    pub diagnostics: Diagnostics,
    /// Number of files linted (skipped ones not included).
    pub files: usize,
    /// Files skipped because they are none of promspec's shapes.
    pub skipped: Vec<PathBuf>,
    /// Every alerting and recording rule judged (for specs, the rules
    /// their thresholds compile into, spans in the spec).
    pub rules: Vec<RuleItem>,
}

/// One alerting or recording rule a lint run judged.
#[derive(Debug, Clone)]
pub struct RuleItem {
    /// Where the rule is written.
    pub span: Span,
    /// Its `alert:` or `record:` name.
    pub name: String,
    /// Its expression, as written.
    pub expr: String,
}

/// How a lint run treats what it finds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report files that are none of promspec's shapes instead of skipping
    /// them quietly.
    pub report_unknown: bool,
    /// The directories linted when no path is given (default:
    /// [`DEFAULT_PATHS`]).
    pub project_paths: Option<Vec<PathBuf>>,
}

/// What reading one plain rule file produced.
#[derive(Debug)]
pub struct Loaded {
    /// The rules to lint, when the file holds any.
    pub target: Option<Target>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file is none of promspec's shapes and was skipped.
    pub skipped: bool,
}

/// Why a lint run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A path cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A path does not exist and is not a glob pattern that matches something.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path.
        path: String,
    },
    /// A glob pattern is malformed.
    #[error("{pattern}: invalid glob pattern: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// The spec pipeline could not read a specs directory.
    #[error(transparent)]
    Specs(#[from] workspace::LoadError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Lint `paths` (or the project when empty) with the default [`Options`].
pub fn lint(paths: &[PathBuf]) -> Result<Report, LoadError> {
    lint_with(paths, Options::default())
}

/// Lint `paths` (or the project when empty).
pub fn lint_with(paths: &[PathBuf], options: Options) -> Result<Report, LoadError> {
    let project_mode = paths.is_empty();
    let paths: Vec<PathBuf> = if project_mode {
        let defaults = options
            .project_paths
            .clone()
            .unwrap_or_else(|| DEFAULT_PATHS.iter().map(PathBuf::from).collect());
        let found: Vec<PathBuf> = defaults.iter().filter(|p| p.exists()).cloned().collect();
        if found.is_empty() {
            return Err(LoadError::NotFound {
                path: defaults
                    .first()
                    .map_or_else(String::new, |p| p.display().to_string()),
            });
        }
        found
    } else {
        paths.to_vec()
    };

    // 1. Expand to files: explicit ones and walked ones.
    let mut explicit = BTreeSet::new();
    let mut walked = Walked::default();
    for path in &paths {
        if path.is_dir() {
            walk(path, &mut walked).map_err(io(path))?;
        } else if path.is_file() {
            explicit.insert(path.clone());
        } else if path.exists() {
            // A FIFO, socket or device: reading it could block forever.
            return Err(io(path)(not_regular()));
        } else if is_pattern(path) {
            let pattern = path.to_string_lossy();
            let matches = glob::glob(&pattern).map_err(|e| LoadError::Pattern {
                pattern: pattern.to_string(),
                message: e.msg.to_string(),
            })?;
            let mut any = false;
            for m in matches.flatten() {
                any = true;
                if m.is_dir() {
                    walk(&m, &mut walked).map_err(io(&m))?;
                } else if is_yaml(&m) && m.is_file() {
                    explicit.insert(m);
                }
            }
            if !any {
                return Err(LoadError::NotFound {
                    path: pattern.to_string(),
                });
            }
        } else {
            return Err(LoadError::NotFound {
                path: path.display().to_string(),
            });
        }
    }
    let mut walked = walked.files;
    for e in &explicit {
        walked.remove(e);
    }

    // 2. Specs directories: where a project file lives.
    let mut spec_dirs: BTreeMap<PathBuf, Option<BTreeSet<PathBuf>>> = BTreeMap::new();
    let mut rule_paths: Vec<(PathBuf, bool)> = Vec::new();
    let mut project_dirs: HashMap<PathBuf, bool> = HashMap::new();
    for (path, is_explicit) in explicit
        .iter()
        .map(|p| (p, true))
        .chain(walked.iter().map(|p| (p, false)))
    {
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let is_project_dir = *project_dirs
            .entry(dir.clone())
            .or_insert_with(|| is_project_dir(&dir));
        if is_project_dir {
            let entry = spec_dirs
                .entry(dir)
                .or_insert_with(|| Some(BTreeSet::new()));
            match (entry, is_explicit) {
                (Some(only), true) => {
                    only.insert(path.clone());
                }
                (entry, false) => *entry = None,
                _ => {}
            }
        } else if !is_config_name(path) {
            rule_paths.push((path.clone(), is_explicit));
        }
    }

    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let mut settings = vec![Settings::default()];
    let mut targets = Vec::new();
    let mut files = 0;
    let mut rules = Vec::new();
    let mut skipped = Vec::new();

    // 3. Specs, through the spec pipeline.
    for (dir, only) in &spec_dirs {
        let first = sources.files().count() as u32;
        let (workspace, found) = workspace::load(dir, &mut sources)?;
        files += sources.files().count() - first as usize;
        let catalog = read_catalog(dir, &mut sources, &mut diagnostics)?;
        let keep = |d: &Diagnostic| match (only, d.primary_span()) {
            (Some(only), Some(span)) => only
                .iter()
                .any(|p| same_file(p, &sources.get(span.source).path)),
            _ => true,
        };
        if let Some(ws) = &workspace {
            for feature in &ws.features {
                let file = lower::feature(&ws.project, feature);
                rules.extend(rule_items(&file));
            }
        }
        let judged = workspace
            .map(|ws| specs::check_with_catalog(&ws, &sources, catalog))
            .unwrap_or_default();
        diagnostics.extend(found.into_iter().chain(judged).filter(|d| keep(d)));
    }

    // 4. Plain rule files: read, then parse and load on every core.
    // Settings per directory, and per `promspec.yaml` (several directories
    // may share one).
    let mut dir_settings: HashMap<PathBuf, usize> = HashMap::new();
    let mut config_settings_index: HashMap<PathBuf, usize> = HashMap::new();
    let mut read: Vec<(SourceId, bool, usize)> = Vec::new();
    for (path, is_explicit) in &rule_paths {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        if project_mode && conventions::is_generated(&text) {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let s = match dir_settings.get(&dir) {
            Some(s) => *s,
            None => {
                let s = match find_config(&dir) {
                    None => 0,
                    Some(config) => match config_settings_index.get(&config) {
                        Some(s) => *s,
                        None => {
                            let s = config_settings(&config, &mut sources, &mut diagnostics)?;
                            settings.push(s);
                            config_settings_index.insert(config, settings.len() - 1);
                            settings.len() - 1
                        }
                    },
                };
                dir_settings.insert(dir, s);
                s
            }
        };
        let id = sources.add(path, text);
        read.push((id, *is_explicit, s));
    }
    let loaded = parallel::map(&read, |&(id, is_explicit, s)| {
        load(&sources, id, is_explicit && options.report_unknown, s)
    });
    for (loaded, (id, _, _)) in loaded.into_iter().zip(&read) {
        diagnostics.extend(loaded.diagnostics);
        if loaded.skipped {
            skipped.push(sources.get(*id).path.clone());
        } else {
            files += 1;
        }
        if let Some(target) = loaded.target {
            for file in &target.files {
                rules.extend(rule_items(file));
            }
            targets.push(target);
        }
    }

    // 5. Lint.
    let findings = run::run(&Input {
        sources: &sources,
        settings: &settings,
        targets: &targets,
        workspaces: &[],
    });
    let mut all = Diagnostics::new();
    all.extend(diagnostics);
    all.extend(findings);
    all.sort();
    // An unknown metric once, at its first use, not at every use (the
    // engine does so per run; specs and rule files are two runs).
    let mut seen = HashSet::new();
    all.retain(|d| d.id != "promql/unknown-metric" || seen.insert(d.message.clone()));
    Ok(Report {
        sources,
        diagnostics: all,
        files,
        skipped,
        rules,
    })
}

fn rule_items(file: &RuleFile) -> impl Iterator<Item = RuleItem> + '_ {
    file.rules().map(|(_, r)| RuleItem {
        span: r.span,
        name: r.name.value.clone(),
        expr: r.expr.text.clone(),
    })
}

/// Load one plain rule file or manifest into a target; `explicit` reports
/// a file that is none of promspec's shapes.
pub fn load_rule_file(
    sources: &SourceMap,
    id: SourceId,
    explicit: bool,
    settings: usize,
) -> (Option<Target>, Vec<Diagnostic>) {
    let loaded = load(sources, id, explicit, settings);
    (loaded.target, loaded.diagnostics)
}

/// Load one plain rule file or manifest; `report_unknown` reports a file
/// that is none of promspec's shapes instead of skipping it quietly.
pub fn load(sources: &SourceMap, id: SourceId, report_unknown: bool, settings: usize) -> Loaded {
    let (target, diagnostics, skipped) = load_target(sources, id, report_unknown, settings);
    Loaded {
        target,
        diagnostics,
        skipped,
    }
}

fn load_target(
    sources: &SourceMap,
    id: SourceId,
    report_unknown: bool,
    settings: usize,
) -> (Option<Target>, Vec<Diagnostic>, bool) {
    let mut diags = Vec::new();
    let text = &sources.get(id).text;
    if let Some((file, comments, found)) =
        split_groups(text).and_then(|chunks| load_in_slices(id, text, &chunks))
    {
        return (
            Some(target(id, vec![file], comments, settings)),
            found,
            false,
        );
    }
    let docs = match yaml::parse(id, text) {
        Ok(docs) => docs,
        Err(mut d) => {
            d.id = match d.id {
                "spec/duplicate-key" => "rulefile/duplicate-key",
                _ => "rulefile/parse",
            };
            diags.push(d);
            return (None, diags, false);
        }
    };
    let mut files = Vec::new();
    let mut comments = Vec::new();
    let mut other = None;
    let mut broken = None;
    for doc in docs {
        match rulefile::load::shape(&doc.root) {
            shape @ (Shape::Plain | Shape::Operator) => {
                files.push(rulefile::load::rule_file(id, &doc.root, shape, &mut diags));
            }
            Shape::Unknown if looks_like_rules(&doc.root) => {
                broken.get_or_insert(doc.root.span);
            }
            Shape::Unknown | Shape::OtherManifest if !doc.root.is_null() => {
                other.get_or_insert(doc.root.span);
            }
            Shape::FeatureSpec | Shape::ProjectFile => {
                other.get_or_insert(doc.root.span);
            }
            _ => {}
        }
        comments.extend(doc.comments);
    }
    if let Some(span) = broken {
        diags.push(broken_rules(span));
    }
    if files.is_empty() {
        let skipped = broken.is_none() && diags.is_empty();
        if report_unknown
            && skipped
            && let Some(span) = other
        {
            diags.push(not_rules(span));
        }
        return (None, diags, skipped);
    }
    (Some(target(id, files, comments, settings)), diags, false)
}

fn target(
    source: SourceId,
    files: Vec<rulefile::RuleFile>,
    comments: Vec<yaml::Comment>,
    settings: usize,
) -> Target {
    let items = files
        .iter()
        .flat_map(|f| f.rules().map(|(_, r)| r.span))
        .collect();
    Target {
        source,
        files,
        comments,
        items,
        settings,
    }
}

/// Whether a document that is no rule file looks like one written wrong:
/// a rule (`alert:` or `record:` with `expr:`), a group (`rules:` listing
/// such rules) or a list of either, without `groups:` around them. Other
/// files with a `rules:` key (ESLint, yamllint, Semgrep configs) are not.
fn looks_like_rules(root: &yaml::Node) -> bool {
    let is_rule = |n: &yaml::Node| {
        n.get("expr").is_some() && (n.get("alert").is_some() || n.get("record").is_some())
    };
    let is_group = |n: &yaml::Node| {
        n.get("rules")
            .and_then(yaml::Node::as_seq)
            .and_then(|items| items.first())
            .is_some_and(is_rule)
    };
    if root.as_map().is_some() {
        return is_rule(root) || is_group(root);
    }
    root.as_seq()
        .and_then(|items| items.first())
        .is_some_and(|first| is_rule(first) || is_group(first))
}

/// Files larger than this are parsed in parallel, in slices of groups.
const SPLIT_SIZE: usize = 256 * 1024;

/// The largest slice: each slice's YAML tree lives only while its groups are
/// read, so memory holds the rules and a few slices' trees, never the tree
/// of the whole file.
const SLICE_SIZE: usize = 1024 * 1024;

/// Byte ranges of the group items of a large plain rule file, cut into at
/// least one slice per core; `None` when the file is small or its layout is not the
/// plain one (`groups:` first, one document, no anchors or aliases).
fn split_groups(text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    if text.len() < SPLIT_SIZE || text.contains("\n---") || text.contains("<<:") {
        return None;
    }
    let mut starts = Vec::new();
    let mut indent = None;
    let mut seen_groups = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_start_matches(' ');
        let depth = line.len() - body.len();
        let content = body.trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.contains(": &")
            || content.contains("- &")
            || content.contains(": *")
            || content.contains("- *")
        {
            return None;
        }
        if !seen_groups {
            if depth != 0 || content != "groups:" {
                return None;
            }
            seen_groups = true;
            continue;
        }
        if depth == 0 {
            return None;
        }
        if body.starts_with("- ") && indent.is_none_or(|i| i == depth) {
            indent = Some(depth);
            starts.push(at);
        } else if indent.is_some_and(|i| depth < i) {
            return None;
        }
    }
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    if starts.len() < 2 || parts < 2 {
        return None;
    }
    let per = text.len().div_ceil(parts).min(SLICE_SIZE);
    let mut chunks = Vec::new();
    let mut begin = starts[0];
    for &s in &starts[1..] {
        if s - begin >= per {
            chunks.push(begin..s);
            begin = s;
        }
    }
    chunks.push(begin..text.len());
    (chunks.len() > 1).then_some(chunks)
}

/// Parse each slice of groups and read its groups on all cores, then join
/// them into one rule file. The first slice is parsed with the header
/// (`groups:`), the others alone, as the block sequence they are; spans stay
/// offsets into the real file. Each slice's YAML tree is dropped once its
/// groups are read. `None` (parse the whole file instead) on any YAML error,
/// so errors are reported exactly as a whole-file parse reports them.
fn load_in_slices(
    id: SourceId,
    text: &str,
    chunks: &[std::ops::Range<usize>],
) -> Option<(rulefile::RuleFile, Vec<yaml::Comment>, Vec<Diagnostic>)> {
    let first_end = chunks[0].end;
    let loaded = parallel::map(chunks, |range| {
        let (mut docs, root) = if range.end == first_end {
            let docs = yaml::parse(id, &text[..first_end]).ok()?;
            (docs, None)
        } else {
            let mut docs = yaml::parse_at(id, &text[range.clone()], range.start).ok()?;
            if docs.len() != 1 || docs[0].root.as_seq().is_none() {
                return None;
            }
            // A slice is the value of `groups:`: read it as such.
            let seq = std::mem::replace(&mut docs[0].root, empty_node());
            let key = yaml::Node {
                kind: yaml::NodeKind::Scalar(yaml::Scalar {
                    value: "groups".into(),
                    style: yaml::Style::Plain,
                }),
                span: Span::new(id, seq.span.start as usize..seq.span.start as usize),
            };
            let span = seq.span;
            let root = yaml::Node {
                kind: yaml::NodeKind::Map(vec![(key, seq)]),
                span,
            };
            (docs, Some(root))
        };
        if docs.len() != 1 {
            return None;
        }
        let doc = docs.remove(0);
        let root = root.as_ref().unwrap_or(&doc.root);
        if rulefile::load::shape(root) != Shape::Plain {
            return None;
        }
        let mut diags = Vec::new();
        let file = rulefile::load::rule_file(id, root, Shape::Plain, &mut diags);
        // Repeated group names are judged over the whole file below.
        diags.retain(|d| d.id != "rulefile/duplicate-group");
        Some((file, doc.comments, diags))
    });
    let mut slices = loaded.into_iter().collect::<Option<Vec<_>>>()?.into_iter();
    let (mut file, mut comments, mut diags) = slices.next()?;
    for (more, more_comments, more_diags) in slices {
        file.groups.extend(more.groups);
        comments.extend(more_comments);
        diags.extend(more_diags);
    }
    rulefile::load::repeated_groups(&file.groups, &mut diags);
    comments.sort_by_key(|c| c.span.start);
    Some((file, comments, diags))
}

fn empty_node() -> yaml::Node {
    yaml::Node {
        kind: yaml::NodeKind::Seq(Vec::new()),
        span: Span::default(),
    }
}

fn not_rules(span: Span) -> Diagnostic {
    let span = Span::new(span.source, span.start as usize..span.start as usize);
    Diagnostic::warning(
        "rulefile/unknown-shape",
        "this file is neither a rule file, a PrometheusRule manifest nor a promspec spec",
    )
    .with_label(span, "no `groups:` and no `kind: PrometheusRule`")
    .with_help("rule files start with `groups:`; feature specs live next to a project file `promspec.yaml`")
}

fn broken_rules(span: Span) -> Diagnostic {
    let span = Span::new(span.source, span.start as usize..span.start as usize);
    Diagnostic::error(
        "rulefile/unknown-shape",
        "this file looks like a rule file but has no `groups:`, so none of its rules would load",
    )
    .with_label(span, "rules without `groups:` around them")
    .with_help(
        "put the rules under `groups: [{name: <group>, rules: [...]}]`, as Prometheus expects",
    )
}

/// Settings from a `promspec.yaml` next to plain rule files.
fn config_settings(
    path: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Settings, LoadError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let id = sources.add(path, text);
    let docs = match yaml::parse(id, &sources.get(id).text) {
        Ok(d) => d,
        Err(d) => {
            diagnostics.push(d);
            return Ok(Settings::default());
        }
    };
    let Some(doc) = docs.first() else {
        return Ok(Settings::default());
    };
    let config = lint_config::read(&doc.root, diagnostics);
    let mut settings = Settings::from_config(&config, diagnostics);
    let dir = path.parent().unwrap_or(Path::new(""));
    settings.catalog = read_catalog(dir, sources, diagnostics)?;
    Ok(settings)
}

/// The metrics catalog in `dir` (next to a project file), when there is one.
fn read_catalog(
    dir: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<Arc<Catalog>>, LoadError> {
    catalog::read_dir(dir, sources, diagnostics).map_err(io(&dir.join(catalog::FILE_NAME)))
}

/// The nearest `promspec.yaml` at or above `dir`.
fn find_config(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = std::fs::canonicalize(start).ok()?;
    let mut at = Some(absolute.as_path());
    while let Some(d) = at {
        for name in [CONFIG_FILE, "promspec.yml"] {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(relative(&candidate));
            }
        }
        if d.join(".git").exists() {
            break;
        }
        at = d.parent();
    }
    None
}

/// `path` relative to the working directory when it is below it.
fn relative(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Whether `dir` holds a promspec project file (with `severities:`).
fn is_project_dir(dir: &Path) -> bool {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    [CONFIG_FILE, "promspec.yml"].iter().any(|name| {
        let path = dir.join(name);
        // Regular files only: a FIFO would block the read forever.
        if !path.is_file() {
            return false;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            return false;
        };
        yaml::parse(SourceId(0), &text)
            .ok()
            .and_then(|docs| docs.into_iter().next())
            .is_some_and(|d| rulefile::load::shape(&d.root) == Shape::ProjectFile)
    })
}

/// The project file and the metrics catalog: read for what they say, not linted.
fn is_config_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some(CONFIG_FILE | "promspec.yml" | catalog::FILE_NAME)
    )
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn is_pattern(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '['])
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

fn not_regular() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "not a regular file or directory",
    )
}

/// What a walk found, and the directories and files it has been through.
#[derive(Debug, Default)]
struct Walked {
    /// YAML files, by the first path that reached them.
    files: BTreeSet<PathBuf>,
    /// Directories and files already seen, by device and inode: a symbolic
    /// link to a directory is followed at most once, and a link cycle ends.
    seen: HashSet<FileId>,
}

/// The identity of a file, whatever path leads to it.
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(_path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path, _meta: &std::fs::Metadata) -> Option<FileId> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(path).ok()?.hash(&mut h);
    Some((0, h.finish()))
}

/// Every regular YAML file below `dir`, skipping hidden entries, `target`
/// and `node_modules`. FIFOs, sockets and devices are skipped (reading them
/// could block); each directory and file is visited once, however many
/// links lead to it.
fn walk(dir: &Path, walked: &mut Walked) -> std::io::Result<()> {
    let meta = std::fs::metadata(dir)?;
    if let Some(id) = file_id(dir, &meta)
        && !walked.seen.insert(id)
    {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        // Follows links; a dangling link is skipped.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, walked)?;
        } else if meta.is_file() && is_yaml(&path) {
            if let Some(id) = file_id(&path, &meta)
                && !walked.seen.insert(id)
            {
                continue;
            }
            walked.files.insert(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_parse_in_slices_with_the_same_result() {
        let mut text = String::from("# header comment\ngroups:\n");
        for g in 0..400 {
            // The last group repeats the first one's name, across slices.
            let name = if g == 399 { 0 } else { g };
            text.push_str(&format!(
                "  # group {g}\n  - name: g{name}\n    rules:\n      - alert: A{g}\n        expr: |\n          sum by (job) (rate(x_total{{job=\"j{g}\"}}[5m]))\n            > 1\n        annotations:\n          summary: \"{{{{ $labels.job }}}} ドキュメント\"\n"
            ));
            text.push_str(
                &"      # padding comment to make the file large enough to be split\n".repeat(8),
            );
        }
        assert!(text.len() > SPLIT_SIZE);
        let chunks = split_groups(&text).expect("the file is split");
        assert!(chunks.len() > 1);
        let whole = yaml::parse(SourceId(0), &text).unwrap();
        let mut whole_diags = Vec::new();
        let whole_file =
            rulefile::load::rule_file(SourceId(0), &whole[0].root, Shape::Plain, &mut whole_diags);
        let (sliced_file, sliced_comments, sliced_diags) =
            load_in_slices(SourceId(0), &text, &chunks).expect("the slices load");
        assert_eq!(whole[0].comments, sliced_comments);
        assert_eq!(whole_diags, sliced_diags);
        assert_eq!(sliced_diags.len(), 1, "{sliced_diags:?}");
        let ir = |f: &rulefile::RuleFile| {
            f.rules()
                .map(|(g, r)| {
                    (
                        g.span,
                        g.name.clone(),
                        r.span,
                        r.name.clone(),
                        r.expr.span,
                        r.expr.text.clone(),
                        r.annotations
                            .iter()
                            .map(|p| (p.key.clone(), p.value.clone()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let (a, b) = (ir(&whole_file), ir(&sliced_file));
        assert_eq!(a.len(), 400);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "the sliced parse differs from the whole-file parse");
        }
        // Not split: anchors, several documents, other top-level keys.
        for bad in ["x: &a 1\n", "---\n", "other: 1\n"] {
            let t = format!("{text}{bad}");
            assert!(
                split_groups(&t).is_none() || bad == "---\n" && !t.contains("\n---"),
                "{bad}"
            );
        }
    }
}
