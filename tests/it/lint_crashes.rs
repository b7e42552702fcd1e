//! Expressions that used to crash `promspec lint` (exit 101 from a panic in
//! promql-parser, 134 from a stack overflow) are `promql/syntax` findings at
//! the offending token: exit 1, never a crash.

use std::path::Path;

use crate::support::{project, promspec, text};

/// Writes a rule file whose single recording rule has `expr` on line 5,
/// starting at column 15.
fn rule_file(dir: &Path, expr: &str) {
    std::fs::write(
        dir.join("t.rules.yml"),
        format!("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: {expr}\n"),
    )
    .unwrap();
}

/// Lints the rule file and returns (exit code, concise output).
fn lint(expr: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    rule_file(dir.path(), expr);
    let out = promspec(dir.path(), &["lint", "t.rules.yml", "--format", "concise"]);
    (out.status.code(), text(&out.stdout))
}

#[test]
fn numbers_no_duration_holds_are_syntax_errors() {
    // (expression, column of the offending literal, the literal)
    for (expr, column, literal) in [
        ("x[2e19]", 17, "2e19"),
        ("x[1e400]", 17, "1e400"),
        ("x offset Inf", 24, "Inf"),
        ("x offset 1e300", 24, "1e300"),
        ("x[5m:1e400]", 20, "1e400"),
    ] {
        let (code, stdout) = lint(expr);
        assert_eq!(code, Some(1), "{expr}: {stdout}");
        assert_eq!(
            stdout,
            format!(
                "t.rules.yml:5:{column}: error[promql/syntax] invalid PromQL: duration `{literal}` is out of range\n"
            ),
            "{expr}"
        );
    }
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let too_deep = "the expression is nested too deeply (more than 256 levels)";
    // (expression, column of the token that goes one level too deep)
    for (expr, column) in [
        // The 256th `(`.
        (
            format!("{}x{}", "(".repeat(130_000), ")".repeat(130_000)),
            15 + 255,
        ),
        // The `(` of the 256th `abs(`.
        (
            format!("{}x{}", "abs(".repeat(5_000), ")".repeat(5_000)),
            15 + 4 * 255 + 3,
        ),
        // The 256th `+`: every operator of a chain nests one level.
        (vec!["x"; 100_000].join(" + "), 15 + 4 * 255 + 2),
    ] {
        let (code, stdout) = lint(&expr);
        assert_eq!(code, Some(1), "{stdout}");
        assert_eq!(
            stdout,
            format!("t.rules.yml:5:{column}: error[promql/syntax] invalid PromQL: {too_deep}\n")
        );
    }
}

/// `abs(` x 4,531 in a spec query overflowed the evaluator's stack during `build`.
#[test]
fn deep_nesting_in_a_spec_query_is_reported_by_build_and_lint() {
    let (_guard, specs) = project();
    let dir = specs.parent().unwrap();
    let path = specs.join("camp-backend.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    let original = "query: 100 * (1 - avg by (instance)";
    let deep = format!(
        "query: {}x{} + (1 - avg by (instance)",
        "abs(".repeat(4_531),
        ")".repeat(4_531)
    );
    assert!(spec.contains(original));
    std::fs::write(&path, spec.replacen(original, &deep, 1)).unwrap();
    for args in [
        &["build"][..],
        &["lint", "specs", "--format", "concise"][..],
    ] {
        let out = promspec(dir, args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {all}");
        assert!(
            all.contains("nested too deeply (more than 256 levels)"),
            "{args:?}: {all}"
        );
        // At the `(` of the 256th `abs(`, on the query's line.
        assert!(
            all.contains("specs/camp-backend.yaml:23:1035"),
            "{args:?}: {all}"
        );
    }
}
