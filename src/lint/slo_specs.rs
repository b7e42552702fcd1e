//! SLO specs judged end to end: what resolving `slos:` reports, through
//! the same loader and engine as `build` and `lint`.

use crate::diag::Severity;
use crate::lint::testing::lint_spec;

fn errors(spec: &str) -> Vec<String> {
    let (_, diags) = lint_spec(spec);
    diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.id, d.message))
        .collect()
}

const HEAD: &str = "feature: f\nteam: t\nslos:\n  - id: a\n";

#[test]
fn a_valid_slo_has_no_error() {
    let spec = format!(
        "{HEAD}    objective: 99.9%\n    sli:\n      events:\n        errors: x_total{{code=\"500\"}}\n        total: x_total\n"
    );
    assert_eq!(errors(&spec), Vec::<String>::new());
}

#[test]
fn an_sli_needs_exactly_one_kind() {
    let two = format!(
        "{HEAD}    objective: 99%\n    sli:\n      availability: {{series: up}}\n      error_ratio: x\n"
    );
    assert_eq!(
        errors(&two),
        ["spec/invalid-sli: the SLI has more than one kind"]
    );
    let none = format!("{HEAD}    objective: 99%\n    sli: {{}}\n");
    assert_eq!(errors(&none), ["spec/invalid-sli: the SLI has no kind"]);
}

#[test]
fn objectives_windows_and_selectors_are_checked() {
    let spec = format!(
        "{HEAD}    objective: 100%\n    sli: {{availability: {{series: up}}}}\n  - id: b\n    objective: 99%\n    sli: {{events: {{errors: sum(x), total: y}}}}\n    alerting:\n      windows:\n        page:\n          quick: {{budget_consumed: 2%, short: 1h, long: 5m}}\n          slow: {{budget_consumed: 5%, short: 30m, long: 6h}}\n        ticket:\n          quick: {{budget_consumed: 10%, short: 2h, long: 1d}}\n          slow: {{budget_consumed: 10%, short: 6h, long: 3d}}\n  - id: c\n    objective: 99%\n    sli: {{events: {{errors: sum(x), total: y}}}}\n"
    );
    assert_eq!(
        errors(&spec),
        [
            "spec/invalid-unit: `100%` is not an objective",
            "spec/invalid-value: the short window `1h` is not shorter than the long window `5m`",
            "promql/syntax: `sum(x)` is not a selector",
        ]
    );
}
