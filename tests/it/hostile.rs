//! Hostile input, closed streams and scale: promspec answers every
//! reproducer of issue 10 ("Nothing lost, nothing crashes, nothing hangs")
//! with exit 0, 1 or 2 and a diagnostic, in time linear in its input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, promspec, root, text};

/// A project with the bundled project file and one feature spec `f.yaml`.
fn project_with(feature: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    std::fs::copy(
        root().join("specs/promspec.yaml"),
        specs.join("promspec.yaml"),
    )
    .unwrap();
    std::fs::write(specs.join("f.yaml"), feature).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn feature(slug: &str, threshold: &str) -> String {
    format!("feature: {slug}\ntitle: F\nteam: ops\nthresholds:\n{threshold}")
}

/// A threshold in seconds whose warning level is `above: value`.
fn seconds_threshold(value: &str) -> String {
    format!(
        "  - id: lat\n    title: Lat\n    query: histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))\n    unit: seconds\n    warning: {{above: {value}}}\n"
    )
}

/// An exit status promspec promises: 0, 1 or 2, never a panic or a signal.
fn assert_contract(out: &Output, what: &str) {
    let stderr = text(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{what}: exit {:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

/// Run promspec in `dir`; fail the test when it takes longer than `limit`.
fn promspec_within(dir: &Path, args: &[&str], limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes while waiting, so a large output cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`promspec {}` took longer than {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let out = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    (out, elapsed)
}

/// Run promspec with stdout or stderr going to `/dev/full`.
fn promspec_to_full(dir: &Path, args: &[&str], stdout: bool) -> Output {
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir).env("NO_COLOR", "1").args(args);
    if stdout {
        cmd.stdout(full()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::piped()).stderr(full());
    }
    cmd.output().unwrap()
}

/// Run promspec, read the first bytes of its standard output, then close
/// the pipe, as `promspec ... | head -c 10` does.
fn promspec_into_closed_pipe(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    let mut stdout = child.stdout.take().unwrap();
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    child.wait_with_output().unwrap()
}

const BAD_RULES: &str =
    "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x[1s])\n";

// Crashes.

#[test]
fn seconds_levels_beyond_a_go_duration_are_refused_at_their_span() {
    for value in ["1e20", "1.8e19", "18446744073709551616"] {
        let (_guard, dir) = project_with(&feature("f", &seconds_threshold(value)));
        let out = promspec(&dir, &["build"]);
        assert_contract(&out, value);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{value}: {stderr}");
        assert!(stderr.contains("spec/invalid-unit"), "{value}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "`{value}` is longer than Prometheus can represent"
            )),
            "{stderr}"
        );
        assert!(stderr.contains("f.yaml:9:"), "{stderr}");
        assert!(!dir.join("generated").exists());
    }
}

#[test]
fn a_long_non_ascii_feature_slug_is_reported_not_sliced() {
    let slug = "日本語日本語日本語日本語";
    let (_guard, dir) = project_with(&feature(slug, &seconds_threshold("3s")));
    let out = promspec(&dir, &["build"]);
    assert_contract(&out, slug);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("spec/invalid-slug"), "{stderr}");
    assert!(
        !stderr.contains("dashboards/uid-too-long"),
        "an invalid slug is not judged again: {stderr}"
    );
}

#[test]
fn a_finding_past_column_65535_renders_a_window_of_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let matchers: Vec<String> = (0..8_000).map(|i| format!("l{i}=\"v\"")).collect();
    let expr = format!("sum(x{{{}}}) + rate(y_total[1s])", matchers.join(","));
    assert!(expr.len() > 70_000);
    std::fs::write(
        dir.path().join("long.rules.yml"),
        format!(
            "groups:\n  - name: g\n    rules:\n      - record: job:x:sum\n        expr: {expr}\n"
        ),
    )
    .unwrap();
    let concise = promspec(
        dir.path(),
        &["lint", "--format", "concise", "long.rules.yml"],
    );
    assert_contract(&concise, "concise");
    let finding = text(&concise.stdout)
        .lines()
        .find(|l| l.contains("promql/range-too-short"))
        .map(str::to_string)
        .expect("the short range is found");
    // `long.rules.yml:5:COL: ...`
    let column: usize = finding.split(':').nth(2).unwrap().parse().unwrap();
    assert!(column > 65_535, "{finding}");

    let out = promspec(dir.path(), &["lint", "long.rules.yml"]);
    assert_contract(&out, "human");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("[long.rules.yml:5:{column}]")),
        "{}",
        &stderr[..stderr.len().min(2_000)]
    );
    assert!(stderr.contains("…"), "the line is shown as a window");
    assert!(stderr.contains("rate(y_total[1s])"));
    assert!(
        stderr.len() < 20_000,
        "the 70 KB line is not printed whole: {} bytes",
        stderr.len()
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_commands_own_status() {
    let thresholds: String = (0..40)
        .map(|i| seconds_threshold("3s").replace("id: lat", &format!("id: lat-{i}")))
        .collect();
    let (_guard, dir) = project_with(&feature("f", &thresholds));
    // Nothing generated yet: the diff holds every output, far more than a pipe buffers.
    let whole = promspec(&dir, &["build", "--check"]);
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole.stderr));
    assert!(whole.stdout.len() > 256 * 1024, "{}", whole.stdout.len());
    let out = promspec_into_closed_pipe(&dir, &["build", "--check"]);
    assert_contract(&out, "build --check | head -c 10");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    for args in [&["schema"][..], &["explain", "--list"][..]] {
        let out = promspec_into_closed_pipe(&dir, args);
        assert_contract(&out, &args.join(" "));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
}

#[test]
fn a_full_disk_is_an_io_error() {
    let (_guard, dir) = project_with(&feature("f", &seconds_threshold("3s")));
    std::fs::write(dir.join("bad.rules.yml"), BAD_RULES).unwrap();
    for (args, stdout) in [
        (&["schema"][..], true),
        (&["explain", "--list"][..], true),
        (&["--help"][..], true),
        (&["lint", "--format", "json", "bad.rules.yml"][..], true),
        (&["build", "--check"][..], true),
        (&["build"][..], false),
        (&["lint", "bad.rules.yml"][..], false),
    ] {
        let out = promspec_to_full(&dir, args, stdout);
        let what = format!(
            "{} >/dev/full ({})",
            args.join(" "),
            if stdout { "stdout" } else { "stderr" }
        );
        assert_contract(&out, &what);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out.stderr));
        if stdout {
            assert!(
                text(&out.stderr).contains("No space left"),
                "{what}: {}",
                text(&out.stderr)
            );
        }
    }
}

#[test]
fn yaml_nesting_is_bounded_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let mut aliases = String::new();
    for i in 0..60 {
        let inner = if i == 0 {
            "x".to_string()
        } else {
            format!("*a{}", i - 1)
        };
        aliases.push_str(&format!(
            "a{i}: &a{i} {}{inner}{}\n",
            "[".repeat(100),
            "]".repeat(100)
        ));
    }
    for (name, content) in [
        ("flow.rules.yml", "[".repeat(100_000)),
        ("maps.rules.yml", "{a: ".repeat(100_000)),
        ("aliases.rules.yml", aliases),
    ] {
        std::fs::write(dir.path().join(name), content).unwrap();
        let out = promspec(dir.path(), &["lint", "--format", "concise", name]);
        assert_contract(&out, name);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("the YAML nests deeper than 128 levels"),
            "{name}: {}",
            text(&out.stdout)
        );
    }
    let (_guard, project) = project_with(&format!("feature: f\nx: {}\n", "[".repeat(100_000)));
    let out = promspec(&project, &["build"]);
    assert_contract(&out, "spec");
    assert!(
        text(&out.stderr).contains("nests deeper than 128 levels"),
        "{}",
        text(&out.stderr)
    );
}

// Hangs.

/// A directory holding one rule file with findings, a FIFO named like a
/// rule file, and two links to itself.
#[cfg(unix)]
fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("bad.rules.yml"), BAD_RULES).unwrap();
    let fifo = rules.join("x.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink(".", rules.join("self")).unwrap();
    std::os::unix::fs::symlink(".", rules.join("self2")).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn fifos_are_never_read_and_links_never_loop() {
    let dir = hostile_dir();
    let limit = Duration::from_secs(60);
    let lines = |o: &Output| {
        text(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    // A directory: the FIFO is skipped, each file is linted once.
    let (out, _) = promspec_within(dir.path(), &["lint", "--format", "concise", "rules"], limit);
    assert_contract(&out, "lint rules");
    let found = lines(&out);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|l| l.starts_with("rules/bad.rules.yml:")),
        "{found:?}"
    );
    let mut unique = found.clone();
    unique.dedup();
    assert_eq!(found, unique, "every finding once");

    // A glob that matches the FIFO.
    let (out, _) = promspec_within(
        dir.path(),
        &["lint", "--format", "concise", "rules/*.yaml"],
        limit,
    );
    assert_contract(&out, "lint glob");

    // The FIFO named on the command line, as a file to lint or a routing config.
    for args in [
        &["lint", "rules/x.yaml"][..],
        &[
            "routes",
            "test",
            "--config",
            "rules/x.yaml",
            "severity=critical",
        ][..],
    ] {
        let (out, _) = promspec_within(dir.path(), args, limit);
        assert_contract(&out, &args.join(" "));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("not a regular file"),
            "{}",
            text(&out.stderr)
        );
    }
}

// Scale.

/// A rule file of `rules` recording rules, each with one finding.
fn rules_with_findings(rules: usize) -> String {
    let mut s = String::from("groups:\n");
    for g in 0..rules / 50 {
        s.push_str(&format!("  - name: group-{g}\n    rules:\n"));
        for r in 0..50 {
            let n = g * 50 + r;
            s.push_str(&format!(
                "      - record: job:http_requests_{n}:rate1s\n        expr: sum by (job) (rate(http_requests_total{{job=\"svc-{n}\"}}[1s]))\n"
            ));
        }
    }
    s
}

#[test]
fn the_human_format_is_linear_in_the_number_of_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("big.rules.yml"),
        rules_with_findings(10_000),
    )
    .unwrap();
    let limit = Duration::from_secs(300);
    let (concise, concise_time) = promspec_within(
        dir.path(),
        &["lint", "--format", "concise", "big.rules.yml"],
        limit,
    );
    assert_contract(&concise, "concise");
    let findings = text(&concise.stdout).lines().count();
    assert!(findings >= 10_000, "{findings}");
    let (human, human_time) = promspec_within(dir.path(), &["lint", "big.rules.yml"], limit);
    assert_contract(&human, "human");
    assert_eq!(
        text(&human.stderr).matches("[big.rules.yml:").count(),
        findings,
        "one report per finding"
    );
    // Generous for a shared machine; the quadratic renderer took minutes here.
    assert!(
        human_time < concise_time * 4 + Duration::from_secs(5),
        "human {human_time:?}, concise {concise_time:?}"
    );
}

#[test]
fn escaped_double_quoted_expressions_map_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // 4,000 escaped label values, each matcher a finding, in one 60 KB scalar.
    let matchers: Vec<String> = (0..4_000).map(|i| format!("a{i}=~\\\"v.*\\\"")).collect();
    std::fs::write(
        dir.path().join("esc.rules.yml"),
        format!(
            "groups:\n  - name: g\n    rules:\n      - record: job:x:sum\n        expr: \"sum(x{{{}}})\"\n",
            matchers.join(",")
        ),
    )
    .unwrap();
    let (out, _) = promspec_within(
        dir.path(),
        &["lint", "--format", "concise", "esc.rules.yml"],
        Duration::from_secs(60),
    );
    assert_contract(&out, "escaped");
}
