//! Running the generated unit tests with promtool, and reading its report
//! back into results per feature and threshold.
//!
//! promtool is an external program: [`locate`] finds it (an explicit path or
//! `PATH`), [`run`] writes each feature's rules and tests into a scratch
//! directory, runs `promtool test rules` on them (features in parallel) and
//! attributes each failure to the test group it names (one group per
//! threshold, named by [`conventions::rule_test_group_name`]). Nothing here
//! prints; the report implements `Display`.
//!
//! [`conventions::rule_test_group_name`]: crate::compile::conventions::rule_test_group_name

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::compile::conventions as names;
use crate::compile::{lower, prometheus, unittests};
use crate::spec::model::{Feature, Project, Workspace};

/// The command that installs promtool on Debian and Ubuntu.
pub const INSTALL_COMMAND: &str = "apt-get install prometheus";

/// Why the tests could not be run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PromtoolError {
    /// No `promtool` on `PATH`.
    #[error(
        "promtool was not found on PATH; install it with `{INSTALL_COMMAND}` (Debian, Ubuntu) or pass `--promtool PATH`"
    )]
    NotFound,
    /// The path given does not name a file.
    #[error(
        "promtool `{0}` does not exist; install it with `{INSTALL_COMMAND}` (Debian, Ubuntu) or pass the right `--promtool PATH`"
    )]
    Missing(PathBuf),
    /// promtool could not be started.
    #[error("cannot run `{path}`: {source}")]
    Run {
        /// The binary.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The scratch files could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// The promtool binary: `explicit` if given, else the first `promtool` on `PATH`.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, PromtoolError> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(PromtoolError::Missing(p.to_path_buf()))
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("promtool"))
        .find(|p| p.is_file())
        .ok_or(PromtoolError::NotFound)
}

/// What `promtool test rules` said about one test file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Whether promtool exited with success.
    pub passed: bool,
    /// Failure messages by test group name.
    pub failures: BTreeMap<String, Vec<String>>,
    /// Messages that name no test group (a rule that fails to evaluate, a bad file).
    pub errors: Vec<String>,
}

/// Run `promtool test rules test_file`.
pub fn test_rules(promtool: &Path, test_file: &Path) -> Result<Outcome, PromtoolError> {
    let out = Command::new(promtool)
        .arg("test")
        .arg("rules")
        .arg(test_file)
        .output()
        .map_err(|source| PromtoolError::Run {
            path: promtool.display().to_string(),
            source,
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut outcome = parse_report(&stderr);
    outcome.passed = out.status.success();
    if !outcome.passed && outcome.failures.is_empty() && outcome.errors.is_empty() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        outcome.errors.push(format!(
            "promtool failed: {}{}",
            stdout.trim(),
            stderr.trim()
        ));
    }
    Ok(outcome)
}

/// Split promtool's error output into messages per test group.
fn parse_report(stderr: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let mut current: Option<String> = None;
    let mut block: Vec<String> = Vec::new();
    let flush = |group: &Option<String>, block: &mut Vec<String>, outcome: &mut Outcome| {
        let text = block.join("\n").trim_end().to_string();
        block.clear();
        if text.trim().is_empty() {
            return;
        }
        match group {
            Some(g) => outcome.failures.entry(g.clone()).or_default().push(text),
            None => outcome.errors.push(text),
        }
    };
    for line in stderr.lines() {
        if line.trim() == "FAILED:" {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("    name: ")
            .and_then(|n| n.strip_suffix(','))
        {
            flush(&current, &mut block, &mut outcome);
            current = Some(name.to_string());
            continue;
        }
        if line.starts_with("    rule: ") || (!line.starts_with(' ') && !line.is_empty()) {
            flush(&current, &mut block, &mut outcome);
            current = None;
        }
        block.push(line.to_string());
    }
    flush(&current, &mut block, &mut outcome);
    outcome
}

/// The result of one threshold's test.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// promtool ran the test and it passed.
    Passed,
    /// promtool reported these failures.
    Failed(Vec<String>),
    /// The test file could not be run (see the feature's errors).
    NotRun,
    /// No test could be derived for the threshold.
    Untested(String),
}

/// One threshold in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdResult {
    /// The threshold id.
    pub threshold: String,
    /// Whether the recorded series was supplied directly rather than from its sources.
    pub direct: bool,
    /// The result.
    pub status: Status,
}

/// One feature in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureResult {
    /// The feature slug.
    pub feature: String,
    /// Its thresholds, in spec order.
    pub thresholds: Vec<ThresholdResult>,
    /// promtool messages that name no threshold.
    pub errors: Vec<String>,
}

/// The results of `promspec test`.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The promtool that ran the tests.
    pub promtool: PathBuf,
    /// Every feature, sorted by slug.
    pub features: Vec<FeatureResult>,
}

impl Report {
    /// Whether any test failed or could not run.
    pub fn failed(&self) -> bool {
        self.features.iter().any(|f| {
            !f.errors.is_empty()
                || f.thresholds
                    .iter()
                    .any(|t| matches!(t.status, Status::Failed(_) | Status::NotRun))
        })
    }

    fn count(&self, pred: impl Fn(&Status) -> bool) -> usize {
        self.features
            .iter()
            .flat_map(|f| &f.thresholds)
            .filter(|t| pred(&t.status))
            .count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for feature in &self.features {
            writeln!(f, "{}", feature.feature)?;
            for t in &feature.thresholds {
                let how = if t.direct {
                    " (recorded series supplied directly)"
                } else {
                    ""
                };
                match &t.status {
                    Status::Passed => writeln!(f, "  ok       {}{how}", t.threshold)?,
                    Status::NotRun => writeln!(f, "  not run  {}", t.threshold)?,
                    Status::Untested(why) => writeln!(f, "  no test  {}: {why}", t.threshold)?,
                    Status::Failed(messages) => {
                        writeln!(f, "  FAILED   {}{how}", t.threshold)?;
                        for m in messages {
                            for line in m.lines() {
                                writeln!(f, "         {line}")?;
                            }
                        }
                    }
                }
            }
            for e in &feature.errors {
                writeln!(f, "  error:")?;
                for line in e.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        let total = self.count(|_| true);
        let features = self.features.len();
        writeln!(
            f,
            "{total} threshold{} in {features} feature{}: {} passed, {} failed, {} without a test ({})",
            if total == 1 { "" } else { "s" },
            if features == 1 { "" } else { "s" },
            self.count(|s| *s == Status::Passed),
            self.count(|s| matches!(s, Status::Failed(_) | Status::NotRun)),
            self.count(|s| matches!(s, Status::Untested(_))),
            self.promtool.display()
        )
    }
}

/// Write the rules and unit tests of every feature into `scratch`, run them
/// with `promtool`, and report per feature and threshold.
pub fn run(ws: &Workspace, promtool: &Path, scratch: &Path) -> Result<Report, PromtoolError> {
    let mut jobs = Vec::new();
    for feature in &ws.features {
        let tests = unittests::plan(&ws.project, feature);
        let test_file = write_feature(&ws.project, feature, &tests, scratch)?;
        jobs.push((feature, tests, test_file));
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.len().max(1));
    let mut outcomes: Vec<Option<Result<Outcome, PromtoolError>>> =
        jobs.iter().map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let mine: Vec<(usize, &PathBuf)> = jobs
                    .iter()
                    .enumerate()
                    .skip(w)
                    .step_by(workers)
                    .map(|(i, (_, _, p))| (i, p))
                    .collect();
                s.spawn(move || {
                    mine.into_iter()
                        .map(|(i, p)| (i, test_rules(promtool, p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (i, r) in done {
                    outcomes[i] = Some(r);
                }
            }
        }
    });
    let mut features = Vec::new();
    for ((feature, tests, path), outcome) in jobs.into_iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|| {
            Err(PromtoolError::Run {
                path: path.display().to_string(),
                source: std::io::Error::other("the worker running promtool stopped"),
            })
        })?;
        features.push(feature_result(feature, &tests, outcome));
    }
    Ok(Report {
        promtool: promtool.to_path_buf(),
        features,
    })
}

/// Write a feature's rules and tests under `dir` the way `generated/` lays them out.
pub fn write_feature(
    project: &Project,
    feature: &Feature,
    tests: &[unittests::ThresholdTest],
    dir: &Path,
) -> Result<PathBuf, PromtoolError> {
    let rules = prometheus::render(feature, &lower::feature(project, feature));
    let files = [
        (names::rules_path(feature), rules),
        (
            names::rule_tests_path(feature),
            unittests::render(project, feature, tests),
        ),
    ];
    for (path, content) in &files {
        let full = dir.join(path);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&full, content)
        };
        write().map_err(|source| PromtoolError::Write {
            path: full.display().to_string(),
            source,
        })?;
    }
    Ok(dir.join(&files[1].0))
}

fn feature_result(
    feature: &Feature,
    tests: &[unittests::ThresholdTest],
    mut outcome: Outcome,
) -> FeatureResult {
    let mut thresholds = Vec::new();
    for t in tests {
        let direct = matches!(t.drive, unittests::Drive::Direct { .. });
        let status = match &t.drive {
            unittests::Drive::Untested { reason } => Status::Untested(reason.clone()),
            _ => match outcome.failures.remove(&t.group) {
                Some(messages) => Status::Failed(messages),
                None if outcome.passed || outcome.errors.is_empty() => Status::Passed,
                None => Status::NotRun,
            },
        };
        thresholds.push(ThresholdResult {
            threshold: t.threshold.clone(),
            direct,
            status,
        });
    }
    let mut errors = outcome.errors;
    // Failures of groups that are not this feature's thresholds still count.
    for (group, messages) in outcome.failures {
        errors.push(format!("{group}:\n{}", messages.join("\n")));
    }
    FeatureResult {
        feature: feature.slug.clone(),
        thresholds,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_failures_to_groups() {
        let stderr = "  FAILED:\n    name: a/x,\n    alertname: X, time: 5m, \n        exp:[], \n        got:[]\n    name: a/y,\n    alertname: Y, time: 1m, \n        exp:[], \n        got:[]\n    rule: r, time: 1m, err: boom\n";
        let o = parse_report(stderr);
        assert_eq!(o.failures.len(), 2);
        assert!(o.failures["a/x"][0].contains("alertname: X, time: 5m"));
        assert!(o.failures["a/y"][0].contains("alertname: Y"));
        assert_eq!(
            o.errors,
            vec!["    rule: r, time: 1m, err: boom".to_string()]
        );
    }
}
