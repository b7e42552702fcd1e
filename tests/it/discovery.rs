//! Commands find their project from any directory inside it, as cargo
//! finds `Cargo.toml`; `--specs` still wins.

use crate::support::{project, promspec, text};

#[test]
fn build_from_a_subdirectory_uses_the_project_above_and_says_so() {
    let (dir, _specs) = project();
    let deep = dir.path().join("docs/notes");
    std::fs::create_dir_all(&deep).unwrap();
    let out = promspec(&deep, &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("using ../../specs/promspec.yaml"),
        "{stderr}"
    );
    assert!(
        dir.path()
            .join("generated/prometheus/new-feature.rules.yml")
            .is_file()
    );
    assert!(!deep.join("generated").exists());
    // `--check` from inside the specs directory finds the same output.
    let out = promspec(&dir.path().join("specs"), &["build", "--check"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("using ./promspec.yaml"), "{stderr}");
    assert!(stderr.contains("../generated is up to date"), "{stderr}");
}

#[test]
fn lint_test_routes_and_diff_find_the_project_too() {
    let (dir, specs) = project();
    let deep = dir.path().join("ops");
    std::fs::create_dir_all(&deep).unwrap();
    // A mistake in a spec is reported at its path relative to here.
    let spec = specs.join("mycats.yaml");
    let broken = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("unit: seconds", "unit: secs");
    std::fs::write(&spec, broken).unwrap();
    let out = promspec(&deep, &["lint", "--format", "concise"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(stdout.contains("../specs/mycats.yaml:"), "{stdout}");
    assert!(stdout.contains("spec/invalid-unit"), "{stdout}");

    let out = promspec(&deep, &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(shown.contains("../specs/mycats.yaml"), "{shown}");
    assert!(!dir.path().join("generated").exists());

    let out = promspec(
        &deep,
        &["routes", "test", "feature=mycats", "severity=critical"],
    );
    assert_eq!(out.status.code(), Some(1), "the broken spec is found");

    // The base directory is the project itself: nothing changes.
    let out = promspec(&deep, &["diff", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("no change"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_explicit_specs_directory_wins_over_discovery() {
    let (dir, _specs) = project();
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(other.path().join("specs")).unwrap();
    let out = promspec(
        dir.path(),
        &[
            "build",
            "--specs",
            other.path().join("specs").to_str().unwrap(),
        ],
    );
    // The explicit directory has no project file: no fallback to ./specs.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("promspec.yaml"));
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn outside_any_project_the_error_names_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = promspec(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("specs"), "{}", text(&out.stderr));
}
