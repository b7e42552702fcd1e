//! The invalid-project catalog: a green build means valid upstream.
//!
//! Issue 9 ("One verdict", item 4) and the secrets of issue 10 ("Nothing
//! lost"). Each `tests/fixtures/invalid-projects/<case>/` holds a specs
//! directory (`specs/promspec.yaml` and `specs/shop.yaml`), an `expect` file
//! (`key: value` lines: `id`, `severity`, `at: <file>:<line>:<column>`,
//! `upstream`, and what the upstream tool says) and, for PromQL cases, a
//! `promtool-test.yml`. Two things are proven for every case:
//!
//! 1. `promspec build` refuses it at that line and column (an error: exit 1,
//!    nothing written) or reports it there (a warning), and `promspec lint`
//!    reports the same finding at the same place; no output format shows a
//!    secret the case refuses.
//! 2. The upstream tool agrees. The library compiles the workspace while
//!    ignoring the diagnostics, which is what an unchecked build would write,
//!    and then, by `upstream`:
//!    - `amtool`: `amtool check-config` rejects the Alertmanager file with
//!      the message in `rejects`;
//!    - `promtool-test`: `promtool test rules` on the generated rule file and
//!      the case's test (what the operator meant: "at 95% disk usage the
//!      critical alert fires") fails with `rejects` in its output: the rule
//!      errors at run time, never fires, fires wrongly, or has gaps;
//!    - `amtool-template`: `amtool check-config` accepts the file, and
//!      `amtool template render` of the receiver's field (`receiver`,
//!      `field`) fails with `rejects`, as the notification would;
//!    - `artifact`: no upstream tool reads the value (an annotation, a
//!      secret Alertmanager accepts), so the generated file named by
//!      `artifact` is shown to carry the broken value or the secret
//!      (`contains`).
//!
//! To add a case, add a directory with the three files; the tests pick it up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_dir, promspec, root, text};

/// What a case's `expect` file says.
#[derive(Debug)]
struct Expect {
    name: String,
    fields: BTreeMap<String, String>,
}

impl Expect {
    fn get(&self, key: &str) -> &str {
        self.fields
            .get(key)
            .unwrap_or_else(|| panic!("{}: `expect` has no `{key}:`", self.name))
    }

    fn opt(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// `(file, line, column)` of `at:`.
    fn at(&self) -> (String, u64, u64) {
        let at = self.get("at");
        let mut parts = at.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.parse().ok());
        let line = parts.next().and_then(|l| l.parse().ok());
        let file = parts.next();
        match (file, line, col) {
            (Some(f), Some(l), Some(c)) => (f.to_string(), l, c),
            _ => panic!("{}: `at: {at}` is not <file>:<line>:<column>", self.name),
        }
    }

    fn is_error(&self) -> bool {
        match self.get("severity") {
            "error" => true,
            "warning" => false,
            other => panic!("{}: unknown severity `{other}`", self.name),
        }
    }
}

fn catalog_dir() -> PathBuf {
    root().join("tests/fixtures/invalid-projects")
}

/// Every case, sorted by name.
fn cases() -> Vec<(Expect, PathBuf)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(catalog_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let raw = std::fs::read_to_string(dir.join("expect"))
                .unwrap_or_else(|e| panic!("{name}: cannot read `expect`: {e}"));
            let fields = raw
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (k, v) = l
                        .split_once(": ")
                        .unwrap_or_else(|| panic!("{name}: `{l}` is not `key: value`"));
                    (k.to_string(), v.to_string())
                })
                .collect();
            (Expect { name, fields }, dir)
        })
        .collect()
}

/// A copy of the case's specs in a temporary project directory.
fn project(case: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    copy_dir(&case.join("specs"), &specs);
    (dir, specs)
}

/// The findings of a `--format json` run.
fn findings(stdout: &[u8]) -> Vec<serde_json::Value> {
    serde_json::from_slice(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(stdout)))
}

/// Whether `findings` has the expected one: id, severity, file, line, column.
fn has_finding(findings: &[serde_json::Value], e: &Expect) -> bool {
    let (file, line, col) = e.at();
    findings.iter().any(|f| {
        f["id"] == e.get("id")
            && f["severity"] == e.get("severity")
            && f["file"]
                .as_str()
                .is_some_and(|p| Path::new(p).file_name() == Some(file.as_ref()))
            && f["line"] == line
            && f["column"] == col
    })
}

fn describe(findings: &[serde_json::Value]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {}:{}:{} {}[{}] {}",
                f["file"].as_str().unwrap_or("?"),
                f["line"],
                f["column"],
                f["severity"].as_str().unwrap_or("?"),
                f["id"].as_str().unwrap_or("?"),
                f["message"].as_str().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Check one case against `promspec build` and `promspec lint`.
fn check_build_and_lint(e: &Expect, case: &Path) -> Result<(), String> {
    let (dir, _) = project(case);
    let out = promspec(
        dir.path(),
        &[
            "build",
            "--specs",
            "specs",
            "--out",
            "generated",
            "--format",
            "json",
        ],
    );
    let found = findings(&out.stdout);
    if !has_finding(&found, e) {
        return Err(format!(
            "build does not report {} {} at {}; it reports:\n{}",
            e.get("severity"),
            e.get("id"),
            e.get("at"),
            describe(&found)
        ));
    }
    let errors = found.iter().any(|f| f["severity"] == "error");
    if e.is_error() {
        if out.status.code() != Some(1) {
            return Err(format!("build exits {:?}, not 1", out.status.code()));
        }
        if dir.path().join("generated").exists() {
            return Err("build wrote `generated/` despite the error".into());
        }
    } else {
        if errors || out.status.code() != Some(0) {
            return Err(format!(
                "a warning case must build (exit {:?}):\n{}",
                out.status.code(),
                describe(&found)
            ));
        }
        if !dir
            .path()
            .join("generated/prometheus/shop.rules.yml")
            .exists()
        {
            return Err("build exits 0 but wrote no rule file".into());
        }
    }

    let lint = promspec(dir.path(), &["lint", "specs", "--format", "json"]);
    let linted = findings(&lint.stdout);
    if !has_finding(&linted, e) {
        return Err(format!(
            "lint does not report {} {} at {}; it reports:\n{}",
            e.get("severity"),
            e.get("id"),
            e.get("at"),
            describe(&linted)
        ));
    }

    if let Some(secret) = e.opt("secret") {
        let human = promspec(dir.path(), &["build", "--specs", "specs", "--out", "x"]);
        let concise = promspec(dir.path(), &["lint", "specs", "--format", "concise"]);
        for (what, output) in [
            ("build (human)", text(&human.stderr) + &text(&human.stdout)),
            ("build (json)", text(&out.stdout) + &text(&out.stderr)),
            ("lint (json)", text(&lint.stdout)),
            ("lint (concise)", text(&concise.stdout)),
        ] {
            if output.contains(secret) {
                return Err(format!("{what} echoes the secret `{secret}`:\n{output}"));
            }
        }
    }
    Ok(())
}

/// The artifacts an unchecked build would write, in `out`.
fn unchecked_artifacts(specs: &Path, out: &Path) -> Result<(), String> {
    let loaded = promspec::pipeline::load(specs).map_err(|e| e.to_string())?;
    let ws = loaded
        .workspace
        .ok_or("the workspace does not resolve at all")?;
    for output in promspec::pipeline::compile(&ws) {
        let path = out.join(&output.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, output.content).unwrap();
    }
    Ok(())
}

fn run(tool: &str, args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (scripts/test.sh installs it): {e}"));
    (out.status.success(), text(&out.stdout) + &text(&out.stderr))
}

/// Check that the upstream tool rejects what an unchecked build writes.
fn check_upstream(e: &Expect, case: &Path) -> Result<(), String> {
    let (dir, specs) = project(case);
    let out = dir.path().join("generated");
    unchecked_artifacts(&specs, &out)?;
    match e.get("upstream") {
        "amtool" => {
            let (ok, output) = run(
                "amtool",
                &["check-config", "alertmanager/alertmanager.yml"],
                &out,
            );
            let rejects = e.get("rejects");
            if ok || !output.contains(rejects) {
                return Err(format!(
                    "amtool check-config should fail with `{rejects}`:\n{output}"
                ));
            }
        }
        "promtool-test" => {
            let prometheus = out.join("prometheus");
            std::fs::copy(
                case.join("promtool-test.yml"),
                prometheus.join("case.test.yml"),
            )
            .map_err(|e| format!("cannot copy promtool-test.yml: {e}"))?;
            let (ok, output) = run(
                "promtool",
                &["check", "rules", "shop.rules.yml"],
                &prometheus,
            );
            if !ok {
                return Err(format!(
                    "promtool check rules should accept the rules:\n{output}"
                ));
            }
            let (ok, output) = run("promtool", &["test", "rules", "case.test.yml"], &prometheus);
            let rejects = e.get("rejects");
            if ok || !output.contains(rejects) {
                return Err(format!(
                    "promtool test rules should fail with `{rejects}`:\n{output}"
                ));
            }
        }
        "amtool-template" => {
            // Alertmanager renders a receiver field only when it notifies;
            // `amtool template render` runs the same code on sample data.
            let text = receiver_field(
                &out.join("alertmanager/alertmanager.yml"),
                e.get("receiver"),
                e.get("field"),
            )?;
            let (ok, output) = run(
                "amtool",
                &[
                    "template",
                    "render",
                    "--template.glob=alertmanager/*.tmpl",
                    // Alertmanager's own templates, which the Debian amtool does not load itself.
                    "--template.glob=/usr/share/prometheus/alertmanager/*.tmpl",
                    &format!("--template.text={text}"),
                ],
                &out,
            );
            let rejects = e.get("rejects");
            if ok || !output.contains(rejects) {
                return Err(format!(
                    "amtool template render should fail on {text:?} with `{rejects}`:\n{output}"
                ));
            }
            let (ok, output) = run(
                "amtool",
                &["check-config", "alertmanager/alertmanager.yml"],
                &out,
            );
            if !ok {
                return Err(format!("amtool check-config should pass:\n{output}"));
            }
        }
        "artifact" => {
            let path = out.join(e.get("artifact"));
            let content = std::fs::read_to_string(&path)
                .map_err(|err| format!("no {}: {err}", path.display()))?;
            let contains = e.get("contains");
            if !content.contains(contains) {
                return Err(format!(
                    "{} should carry `{contains}`:\n{content}",
                    e.get("artifact")
                ));
            }
        }
        other => return Err(format!("unknown upstream `{other}`")),
    }
    // A secret reaches a generated file unless promspec refuses it.
    if let Some(secret) = e.opt("secret") {
        let leaked = walk(&out)
            .iter()
            .any(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(secret)));
        if !leaked {
            return Err(format!("the unchecked artifacts do not carry `{secret}`"));
        }
    }
    Ok(())
}

/// The value of `field` (`slack_configs.title`: the first integration of
/// that kind, then keys) of receiver `receiver` in an Alertmanager file.
fn receiver_field(config: &Path, receiver: &str, field: &str) -> Result<String, String> {
    use promspec::source::SourceId;
    let text = std::fs::read_to_string(config).map_err(|e| format!("{config:?}: {e}"))?;
    let docs = promspec::yaml::parse(SourceId(0), &text).map_err(|e| format!("{e:?}"))?;
    let root = &docs.first().ok_or("an empty configuration")?.root;
    let mut node = root
        .get("receivers")
        .and_then(|r| r.as_seq())
        .and_then(|rs| {
            rs.iter().find(|r| {
                r.get("name")
                    .and_then(|n| n.as_scalar())
                    .is_some_and(|n| n.value == receiver)
            })
        })
        .ok_or(format!("no receiver `{receiver}`"))?;
    for key in field.split('.') {
        node = node.get(key).ok_or(format!("no `{field}`"))?;
        if let Some(first) = node.as_seq().and_then(|s| s.first()) {
            node = first;
        }
    }
    node.as_scalar()
        .map(|s| s.value.clone())
        .ok_or(format!("`{field}` is not a string"))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Run `check` on every case and report every failure at once.
fn each_case(check: fn(&Expect, &Path) -> Result<(), String>) {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(e, dir)| check(e, dir).err().map(|f| format!("{}: {f}", e.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_catalog_covers_every_consumer() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let count = |key: &str, value: &str| {
        cases
            .iter()
            .filter(|(e, _)| e.opt(key) == Some(value))
            .count()
    };
    assert!(count("upstream", "amtool") >= 20, "amtool cases");
    assert!(count("upstream", "promtool-test") >= 5, "promtool cases");
    assert!(count("severity", "warning") >= 2, "warning cases");
    for (e, dir) in &cases {
        for file in ["specs/promspec.yaml", "specs/shop.yaml"] {
            assert!(dir.join(file).is_file(), "{}: no {file}", e.name);
        }
        let promtool = dir.join("promtool-test.yml").is_file();
        assert_eq!(
            promtool,
            e.get("upstream") == "promtool-test",
            "{}: promtool-test.yml goes with `upstream: promtool-test`",
            e.name
        );
    }
}

#[test]
fn build_and_lint_report_each_case_at_its_span() {
    each_case(check_build_and_lint);
}

#[test]
fn upstream_rejects_what_an_unchecked_build_writes() {
    each_case(check_upstream);
}
