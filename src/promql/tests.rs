//! Tests of the facade: error spans, facts, output labels, dialects, robustness.

use std::collections::BTreeSet;
use std::time::Duration;

use super::*;

fn ok(text: &str) -> Expr {
    ok_in(text, Dialect::Prometheus2)
}

fn ok_in(text: &str, dialect: Dialect) -> Expr {
    parse(text, dialect).unwrap_or_else(|e| panic!("{text:?} should parse in {dialect}: {e:?}"))
}

fn err_in(text: &str, dialect: Dialect) -> SyntaxError {
    match parse(text, dialect) {
        Ok(_) => panic!("{text:?} should fail in {dialect}"),
        Err(e) => e,
    }
}

fn set(labels: &[&str]) -> BTreeSet<String> {
    labels.iter().map(|l| l.to_string()).collect()
}

/// Broken expressions: (text, offending text, its byte offset, message).
const ERROR_CASES: &[(&str, &str, usize, &str)] = &[
    ("sum(rate(x[5m])", "(", 3, "unclosed `(`"),
    (
        "sum(rate(x[5m])))",
        ")",
        16,
        "unexpected `)` without a matching `(`",
    ),
    (
        "rate(http_requests_total)",
        "http_requests_total",
        5,
        "expected type range vector in call to function `rate`, got instant vector",
    ),
    ("foo(up)", "foo", 0, "unknown function `foo`"),
    (
        "up{job~\"a\"}",
        "~",
        6,
        "unexpected character `~` inside braces",
    ),
    (
        "up{job=~\"a\"} +",
        "+",
        13,
        "unexpected end of input; expected an expression",
    ),
    ("rate(x[5x])", "5x", 7, "bad number or duration `5x`"),
    (
        "abs(\"5\")",
        "\"5\"",
        4,
        "expected type instant vector in call to function `abs`, got string",
    ),
    (
        "histogram_quantile(\"0.9\", x)",
        "\"0.9\"",
        19,
        "expected type scalar in call to function `histogram_quantile`, got string",
    ),
    ("", "", 0, "empty expression"),
    (
        "  # just a comment",
        "  # just a comment",
        0,
        "empty expression",
    ),
    (
        "sum by (le) (x) by (job)",
        "by",
        16,
        "unexpected `by`; expected an operator or the end of the expression",
    ),
    (
        "up{a=\"b\",,}",
        ",",
        9,
        "unexpected `,`; expected a label name",
    ),
    (
        "sum(x,)",
        ",",
        5,
        "trailing commas not allowed in function call args",
    ),
    (
        "rate(x[5m] offset)",
        ")",
        17,
        "unexpected `)`; expected a duration such as `5m`",
    ),
    (
        "1 == 1",
        "==",
        2,
        "comparisons between scalars must use `bool` modifier",
    ),
    (
        "(up)[5m]",
        "[5m]",
        4,
        "ranges only allowed for vector selectors",
    ),
    (
        "up offset 5m offset 1h",
        "offset",
        13,
        "offset may not be set multiple times",
    ),
    ("rate(x[0s])", "0s", 7, "duration must be greater than 0"),
    ("up{job=~\"(\"}", "\"(\"", 8, "illegal regex for ("),
    (
        "up{__name__=\"x\"}",
        "__name__",
        3,
        "metric name must not be set twice",
    ),
    (
        "abs(x, y)",
        "y",
        7,
        "expected 1 argument(s) in call to `abs`, got 2",
    ),
    (
        "a + group_left(b) c",
        "group_left",
        4,
        "unexpected `group_left`",
    ),
    ("sum(x) by", "by", 7, "unexpected end of input"),
    ("up = 1", "=", 3, "unexpected `=`; expected an operator"),
    (
        "up =~ \"a\"",
        "=~",
        3,
        "unexpected `=~` outside of a selector's braces",
    ),
    ("up{job=\"a\"", "{", 2, "unclosed `{`"),
    ("up{job=\"a}", "\"a}", 7, "unterminated string"),
    (
        "\"a\" + 1",
        "\"a\"",
        0,
        "binary expression must contain only scalar",
    ),
    (
        "rate(x[5m]) offset 5m",
        "offset 5m",
        12,
        "offset modifier must be preceded by",
    ),
    (
        "x offset 5m [5m]",
        "[5m]",
        12,
        "no offset modifiers allowed before range",
    ),
    (
        "count_values(5, x)",
        "5",
        13,
        "expected type string in aggregation expression, got scalar",
    ),
    (
        "sum(rate(x[5m])) by (job)\n  / on(job) group_left\n",
        "group_left",
        38,
        "unexpected end of input; expected an expression",
    ),
    ("up > 1 ≥ 2", "≥", 7, "unexpected character `≥`"),
    (
        "up{job=\"a\" or job=\"b\"}",
        "or",
        11,
        "`or` between label matchers",
    ),
    (
        "x[5m:1m:1m]",
        ":",
        7,
        "unexpected second `:` inside brackets",
    ),
    ("up{job=\"\\d\"}", "\\d", 8, "unknown escape sequence `\\d`"),
    ("x[1e400]", "1e400", 2, "duration `1e400` is out of range"),
    (
        "x @ 1e20",
        "1e20",
        4,
        "timestamp `1e20` is out of range for `@`",
    ),
    (
        "+up[5m]",
        "+up[5m]",
        0,
        "unary expression only allowed on expressions of type scalar or instant vector",
    ),
];

#[test]
fn error_spans_point_at_the_offending_token() {
    for &(text, snippet, offset, message) in ERROR_CASES {
        let err = err_in(text, Dialect::Prometheus2);
        assert_eq!(
            (err.span.clone(), &text[err.span.clone()]),
            (offset..offset + snippet.len(), snippet),
            "span of {text:?} ({})",
            err.message
        );
        assert!(
            err.message.contains(message),
            "message of {text:?}: {:?} does not contain {message:?}",
            err.message
        );
    }
}

/// Renders an error the way a terminal report would, for the snapshot.
fn render(text: &str, err: &SyntaxError) -> String {
    let mut out = String::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let line_end = line_start + line.len();
        out.push_str(&format!("  | {line}\n"));
        if err.span.start >= line_start && err.span.start <= line_end {
            let col = text[line_start..err.span.start].chars().count();
            let end = err.span.end.min(line_end);
            let width = text[err.span.start..end].chars().count().max(1);
            out.push_str(&format!(
                "  | {}{} {}\n",
                " ".repeat(col),
                "^".repeat(width),
                err.message
            ));
        }
        line_start = line_end + 1;
    }
    if let Some(help) = &err.help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out
}

#[test]
fn error_reports_snapshot() {
    let rendered: Vec<String> = ERROR_CASES
        .iter()
        .map(|&(text, ..)| render(text, &err_in(text, Dialect::Prometheus2)))
        .collect();
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("promql_error_reports", rendered.join("\n"));
    });
}

#[test]
fn facts_of_histogram_quantile_over_sum_by_le_of_rate() {
    let text = r#"histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="api", code!~"5.."}[5m]))) > 0.5"#;
    let expr = ok(text);
    let facts = expr.facts();

    assert_eq!(facts.selectors.len(), 1);
    let sel = &facts.selectors[0];
    assert_eq!(
        sel.metric.as_deref(),
        Some("http_request_duration_seconds_bucket")
    );
    assert_eq!(sel.range, Some(Duration::from_secs(300)));
    assert_eq!(
        &text[sel.span.clone()],
        r#"http_request_duration_seconds_bucket{job="api", code!~"5.."}[5m]"#
    );
    let matchers: Vec<_> = sel
        .matchers
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.op,
                m.value.as_str(),
                &text[m.span.clone()],
            )
        })
        .collect();
    assert_eq!(
        matchers,
        [
            ("job", MatchOp::Equal, "api", r#"job="api""#),
            ("code", MatchOp::NotRegex, "5..", r#"code!~"5..""#),
        ]
    );
    assert_eq!(&text[sel.matchers[1].value_span.clone()], r#""5..""#);

    let calls: Vec<_> = facts
        .calls
        .iter()
        .map(|c| {
            (
                c.name,
                &text[c.name_span.clone()],
                c.args,
                c.selectors.clone(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("histogram_quantile", "histogram_quantile", 2, 0..1),
            ("rate", "rate", 1, 0..1),
        ]
    );

    assert_eq!(facts.aggregations.len(), 1);
    let agg = &facts.aggregations[0];
    assert_eq!(agg.op, AggregateOp::Sum);
    assert_eq!(&text[agg.op_span.clone()], "sum");
    assert_eq!(agg.grouping, Grouping::By(vec!["le".into(), "job".into()]));
    assert!(text[agg.span.clone()].starts_with("sum by (le, job) (rate("));

    assert_eq!(facts.binary_ops.len(), 1);
    let op = &facts.binary_ops[0];
    assert_eq!((op.op, op.is_comparison), (BinaryOperator::Gt, true));
    assert_eq!((op.lhs_number, op.rhs_number), (None, Some(0.5)));
    assert_eq!(&text[op.op_span.clone()], ">");

    let cmp = facts.top_level_comparison.as_ref().unwrap();
    assert_eq!(
        (cmp.op, cmp.threshold, cmp.threshold_side),
        (BinaryOperator::Gt, Some(0.5), Some(Side::Right))
    );
    assert!(facts.subqueries.is_empty());
    assert_eq!(expr.value_type(), ValueType::Vector);
    assert_eq!(*expr.output_labels(), OutputLabels::Exactly(set(&["job"])));
}

#[test]
fn facts_of_a_ratio_of_sums() {
    let text = r#"sum(rate(errors_total{job="api"}[5m])) by (service) / sum(rate(requests_total{job="api"}[5m])) by (service) > 0.05"#;
    let expr = ok(text);
    let facts = expr.facts();
    let metrics: Vec<_> = facts
        .selectors
        .iter()
        .map(|s| s.metric.as_deref().unwrap())
        .collect();
    assert_eq!(metrics, ["errors_total", "requests_total"]);
    assert_eq!(facts.aggregations.len(), 2);
    for agg in &facts.aggregations {
        assert_eq!(agg.grouping, Grouping::By(vec!["service".into()]));
    }
    assert_eq!(facts.aggregations[1].selectors, 1..2);
    let ops: Vec<_> = facts
        .binary_ops
        .iter()
        .map(|b| (b.op, &text[b.op_span.clone()]))
        .collect();
    assert_eq!(ops, [(BinaryOperator::Gt, ">"), (BinaryOperator::Div, "/")]);
    assert_eq!(
        &text[facts.binary_ops[1].span.clone()],
        &text[..text.find(" > ").unwrap()]
    );
    assert_eq!(
        facts.top_level_comparison.as_ref().unwrap().threshold,
        Some(0.05)
    );
    assert_eq!(
        *expr.output_labels(),
        OutputLabels::Exactly(set(&["service"]))
    );
}

#[test]
fn facts_of_absent() {
    let text = r#"absent(up{job="node", instance=~"a.*"})"#;
    let expr = ok(text);
    let facts = expr.facts();
    assert_eq!(facts.calls[0].name, "absent");
    assert_eq!(facts.calls[0].selectors, 0..1);
    assert_eq!(facts.selectors[0].range, None);
    assert!(facts.top_level_comparison.is_none());
    // absent() builds its labels from the equality matchers.
    assert_eq!(*expr.output_labels(), OutputLabels::Exactly(set(&["job"])));
    let over_time = ok(r#"absent_over_time(up{job="node"}[5m])"#);
    assert_eq!(
        over_time.facts().selectors[0].range,
        Some(Duration::from_secs(300))
    );
    assert_eq!(
        *over_time.output_labels(),
        OutputLabels::Exactly(set(&["job"]))
    );
}

#[test]
fn facts_of_a_subquery() {
    let text = "max_over_time(rate(x[1m])[1h:5m] offset 1h) > 0.9";
    let expr = ok(text);
    let facts = expr.facts();
    assert_eq!(facts.subqueries.len(), 1);
    let sub = &facts.subqueries[0];
    assert_eq!(sub.range, Duration::from_secs(3600));
    assert_eq!(sub.step, Some(Duration::from_secs(300)));
    assert_eq!(
        sub.offset,
        Some(Offset {
            duration: Duration::from_secs(3600),
            negative: false
        })
    );
    assert_eq!(&text[sub.span.clone()], "rate(x[1m])[1h:5m] offset 1h");
    assert_eq!(&text[facts.selectors[0].span.clone()], "x[1m]");
    assert_eq!(ok("rate(x[5m])[30m:]").facts().subqueries[0].step, None);
    assert_eq!(ok("rate(x[5m])[30m:]").value_type(), ValueType::Matrix);
}

#[test]
fn facts_of_without() {
    let text = r#"sum without (instance, pod) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))"#;
    let expr = ok(text);
    assert_eq!(
        expr.facts().aggregations[0].grouping,
        Grouping::Without(vec!["instance".into(), "pod".into()])
    );
    assert_eq!(
        *expr.output_labels(),
        OutputLabels::AllExcept(set(&["__name__", "instance", "pod"]))
    );
    assert!(expr.output_labels().may_have("namespace"));
    assert!(!expr.output_labels().may_have("pod"));
}

#[test]
fn facts_of_vector_matching() {
    let text =
        "container_memory_working_set_bytes * on (namespace, pod) group_left (node) kube_pod_info";
    let expr = ok(text);
    let op = &expr.facts().binary_ops[0];
    assert_eq!(
        op.matching,
        Some(VectorMatching::On(vec!["namespace".into(), "pod".into()]))
    );
    assert_eq!(op.group, Some(GroupModifier::Left(vec!["node".into()])));
    assert_eq!(&text[op.op_span.clone()], "*");
    assert_eq!(
        *expr.output_labels(),
        OutputLabels::AllExcept(set(&["__name__"]))
    );

    let ignoring = ok("a > ignoring (instance) b");
    assert_eq!(
        ignoring.facts().binary_ops[0].matching,
        Some(VectorMatching::Ignoring(vec!["instance".into()]))
    );
    assert_eq!(
        *ignoring.output_labels(),
        OutputLabels::AllExcept(set(&["instance"]))
    );
}

#[test]
fn facts_of_modifiers_and_literals() {
    let expr = ok("rate(x[5m] offset -1h @ 1700000000) > bool 3");
    let sel = &expr.facts().selectors[0];
    assert_eq!(
        sel.offset,
        Some(Offset {
            duration: Duration::from_secs(3600),
            negative: true
        })
    );
    assert!(sel.has_at);
    assert_eq!(
        &expr.text()[sel.span.clone()],
        "x[5m] offset -1h @ 1700000000"
    );
    let cmp = expr.facts().top_level_comparison.as_ref().unwrap();
    assert!(cmp.return_bool);

    // A threshold on the left reads the other way round.
    let left = ok("0.5 < (up)");
    let cmp = left.facts().top_level_comparison.as_ref().unwrap();
    assert_eq!(cmp.threshold_side, Some(Side::Left));
    assert_eq!(cmp.normalized_op(), BinaryOperator::Gt);
    assert_eq!(ok("x > -(1)").facts().binary_ops[0].rhs_number, Some(-1.0));

    // Parentheses are stripped; an outer arithmetic operation is not a comparison.
    assert!(ok("((up == 0))").facts().top_level_comparison.is_some());
    assert!(ok("(up == 0) * 2").facts().top_level_comparison.is_none());

    let topk = ok("topk(5, x)");
    assert_eq!(topk.facts().aggregations[0].param, Some(5.0));
    assert_eq!(topk.facts().aggregations[0].op, AggregateOp::Topk);
}

#[test]
fn metric_names_from_matchers_and_quotes() {
    let expr = ok(r#"{__name__="up", job="a"}"#);
    assert_eq!(expr.facts().selectors[0].metric.as_deref(), Some("up"));
    assert_eq!(
        ok(r#"{__name__=~"job:.*"}"#).facts().selectors[0].metric,
        None
    );
    let text = r#"{"my.metric", "my.label"="x"}"#;
    let quoted = ok_in(text, Dialect::Prometheus3);
    let sel = &quoted.facts().selectors[0];
    assert_eq!(sel.metric.as_deref(), Some("my.metric"));
    assert_eq!(sel.matchers[1].name, "my.label");
    assert_eq!(&text[sel.matchers[1].span.clone()], r#""my.label"="x""#);
}

#[test]
fn string_literals_read_back_as_their_value() {
    for value in [
        "HighCpu",
        r#"Disk "root" \ full | 90%"#,
        "Slow `query` \\| a_b_*c*",
        "接続数が多い (>80%)",
        "two\nlines\r\tand a tab",
        r"\",
        "",
    ] {
        let text = format!("ALERTS{{alertname={}}}", string_literal(value));
        let expr = ok(&text);
        assert_eq!(expr.facts().selectors[0].matchers[0].value, value, "{text}");
    }
}

#[test]
fn backslashes_in_backtick_strings_are_accepted() {
    let text = r#"rate(http_requests_total{path=~`/api/v\d+/.*`, q!~`\\`}[5m])"#;
    let expr = ok(text);
    let m = &expr.facts().selectors[0].matchers;
    assert_eq!(m[0].value, r"/api/v\d+/.*");
    assert_eq!(&text[m[0].value_span.clone()], r"`/api/v\d+/.*`");
    assert_eq!(m[1].value, r"\\");
    // The same regex in double quotes needs its backslash escaped.
    assert_eq!(
        ok(r#"x{path=~"/api/v\\d+"}"#).facts().selectors[0].matchers[0].value,
        r"/api/v\d+"
    );
}

#[test]
fn output_labels_follow_prometheus_rules() {
    let cases: &[(&str, OutputLabels)] = &[
        ("up", OutputLabels::AllExcept(set(&[]))),
        ("up == 0", OutputLabels::AllExcept(set(&[]))),
        ("up == bool 0", OutputLabels::AllExcept(set(&["__name__"]))),
        ("up * 2", OutputLabels::AllExcept(set(&["__name__"]))),
        ("-up", OutputLabels::AllExcept(set(&["__name__"]))),
        ("rate(x[5m])", OutputLabels::AllExcept(set(&["__name__"]))),
        ("last_over_time(x[5m])", OutputLabels::AllExcept(set(&[]))),
        ("sum(x)", OutputLabels::Exactly(set(&[]))),
        ("sum by (a, b) (x)", OutputLabels::Exactly(set(&["a", "b"]))),
        (
            "sum by (a) (sum by (b) (x))",
            OutputLabels::Exactly(set(&[])),
        ),
        (
            "sum by (__name__) (rate(x[5m]))",
            OutputLabels::Exactly(set(&[])),
        ),
        ("topk by (a) (3, x)", OutputLabels::AllExcept(set(&[]))),
        (
            "count_values by (a) (\"version\", x)",
            OutputLabels::Exactly(set(&["a", "version"])),
        ),
        (
            "label_replace(sum by (a) (x), \"b\", \"$1\", \"a\", \"(.*)\")",
            OutputLabels::Exactly(set(&["a", "b"])),
        ),
        (
            "histogram_quantile(0.9, rate(x_bucket[5m]))",
            OutputLabels::AllExcept(set(&["__name__", "le"])),
        ),
        ("vector(1)", OutputLabels::Exactly(set(&[]))),
        ("1 + 2", OutputLabels::Exactly(set(&[]))),
        ("time() - x", OutputLabels::AllExcept(set(&["__name__"]))),
        ("a / on (job) b", OutputLabels::Exactly(set(&["job"]))),
        (
            "a / ignoring (x) b",
            OutputLabels::AllExcept(set(&["__name__", "x"])),
        ),
        (
            "sum by (a) (x) * on (a) group_right (b) y",
            OutputLabels::AllExcept(set(&["__name__"])),
        ),
        (
            "sum by (a) (x) * on (a) group_left (b) y",
            OutputLabels::Exactly(set(&["a", "b"])),
        ),
        (
            "sum by (a) (x) or sum by (b) (y)",
            OutputLabels::Exactly(set(&["a", "b"])),
        ),
        ("sum by (a) (x) or y", OutputLabels::AllExcept(set(&[]))),
        ("sum by (a) (x) and y", OutputLabels::Exactly(set(&["a"]))),
        ("sum(up) or vector(0)", OutputLabels::Exactly(set(&[]))),
        ("hour()", OutputLabels::Exactly(set(&[]))),
        ("hour(x)", OutputLabels::AllExcept(set(&["__name__"]))),
    ];
    for (text, expected) in cases {
        assert_eq!(ok(text).output_labels(), expected, "{text}");
    }
}

#[test]
fn value_types() {
    let cases = [
        ("up", ValueType::Vector),
        ("up[5m]", ValueType::Matrix),
        ("1 + 2", ValueType::Scalar),
        ("scalar(up)", ValueType::Scalar),
        ("\"text\"", ValueType::String),
        ("rate(x[5m])[1h:]", ValueType::Matrix),
        ("sum(x) > 1", ValueType::Vector),
    ];
    for (text, expected) in cases {
        assert_eq!(ok(text).value_type(), expected, "{text}");
    }
    assert_eq!(ValueType::Matrix.to_string(), "range vector");
}

#[test]
fn dialect_holt_winters() {
    let text = "holt_winters(x[1h], 0.5, 0.5)";
    assert_eq!(
        ok_in(text, Dialect::Prometheus2).facts().calls[0].name,
        "holt_winters"
    );
    let err = err_in(text, Dialect::Prometheus3);
    assert_eq!(
        err.message,
        "function `holt_winters` was renamed to `double_exponential_smoothing` in Prometheus 3"
    );
    assert_eq!(&text[err.span.clone()], "holt_winters");
    assert!(err.help.unwrap().contains("double_exponential_smoothing("));

    let renamed = "double_exponential_smoothing(x[1h], 0.5, 0.5)";
    ok_in(renamed, Dialect::Prometheus3);
    let err = err_in(renamed, Dialect::Prometheus2);
    assert_eq!(
        err.message,
        "function `double_exponential_smoothing` needs Prometheus 3"
    );
    assert_eq!(err.span, 0..28);
}

#[test]
fn dialect_prometheus3_only_syntax() {
    // (expression, offending text, message)
    let cases = [
        (
            r#"{"my.metric"}"#,
            r#""my.metric""#,
            "quoted metric name \"my.metric\" needs Prometheus 3",
        ),
        (
            r#"x{"my.label"="a"}"#,
            r#""my.label""#,
            "quoted label name \"my.label\" needs Prometheus 3",
        ),
        (
            r#"sum by ("my.label") (x)"#,
            r#""my.label""#,
            "quoted label name",
        ),
        (
            "time() - 5m",
            "5m",
            "using the duration `5m` as a number needs Prometheus 3",
        ),
        ("x @ 5m", "5m", "needs Prometheus 3"),
        (
            "rate(x[300])",
            "300",
            "a duration without a unit (`300`) needs Prometheus 3",
        ),
        ("x offset 60", "60", "needs Prometheus 3"),
        (
            "histogram_avg(x)",
            "histogram_avg",
            "function `histogram_avg` needs Prometheus 3",
        ),
        (
            "sort_by_label(x, \"a\")",
            "sort_by_label",
            "needs Prometheus 3",
        ),
        (
            "mad_over_time(x[5m])",
            "mad_over_time",
            "needs Prometheus 3",
        ),
        ("x @ start()", "", ""),
        ("start()", "start", "function `start` needs Prometheus 3"),
        (
            "limitk(2, x)",
            "limitk",
            "aggregation `limitk` needs Prometheus 3",
        ),
        ("limit_ratio(0.5, x)", "limit_ratio", "needs Prometheus 3"),
        (
            "a + fill(0) b",
            "fill",
            "the `fill` modifier needs Prometheus 3",
        ),
    ];
    for (text, snippet, message) in cases {
        ok_in(text, Dialect::Prometheus3);
        if snippet.is_empty() {
            ok_in(text, Dialect::Prometheus2);
            continue;
        }
        let err = err_in(text, Dialect::Prometheus2);
        assert_eq!(&text[err.span.clone()], snippet, "{text}");
        assert!(err.message.contains(message), "{text}: {}", err.message);
        assert!(err.help.is_some(), "{text}");
    }
}

#[test]
fn dialect_neither_accepts_or_between_matchers() {
    for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
        let err = err_in(r#"x{a="1" or b="2"}"#, dialect);
        assert_eq!(err.span, 8..10);
    }
}

#[test]
fn dialect_prometheus3_duration_arithmetic_has_a_hint() {
    let err = err_in("rate(x[5m * 2])", Dialect::Prometheus3);
    assert_eq!(err.span, 10..11);
    assert!(err.help.unwrap().contains("duration arithmetic"));
}

#[test]
fn dialect_settings() {
    assert_eq!(Dialect::default(), Dialect::Prometheus2);
    assert_eq!("prometheus3".parse::<Dialect>(), Ok(Dialect::Prometheus3));
    assert_eq!("prometheus2".parse::<Dialect>(), Ok(Dialect::Prometheus2));
    let err = "prom3".parse::<Dialect>().unwrap_err();
    assert!(err.to_string().contains("`prometheus2`, `prometheus3`"));
    assert_eq!(Dialect::Prometheus3.to_string(), "prometheus3");
}

/// Realistic expressions (all valid in both dialects but `holt_winters`).
const CORPUS: &str = include_str!("corpus.txt");

#[test]
fn corpus_parses_and_spans_are_consistent() {
    for text in CORPUS.lines() {
        let expr = ok(text);
        let facts = expr.facts();
        for sel in &facts.selectors {
            // A selector's text parses alone as the same selector.
            let alone = ok_in(&text[sel.span.clone()], Dialect::Prometheus3);
            assert_eq!(alone.facts().selectors.len(), 1, "{text}");
            assert_eq!(alone.facts().selectors[0].metric, sel.metric, "{text}");
            for m in &sel.matchers {
                let literal = &text[m.span.clone()];
                assert!(literal.contains(m.op.as_str()), "{text}: {literal}");
            }
        }
        for call in &facts.calls {
            assert_eq!(&text[call.name_span.clone()], call.name, "{text}");
            assert!(text[call.span.clone()].ends_with(')'), "{text}");
        }
        for agg in &facts.aggregations {
            assert!(text[agg.op_span.clone()].eq_ignore_ascii_case(agg.op.as_str()));
        }
        for op in &facts.binary_ops {
            assert!(text[op.op_span.clone()].eq_ignore_ascii_case(op.op.as_str()));
            assert!(op.span.start <= op.op_span.start && op.op_span.end <= op.span.end);
            assert_eq!(op.lhs_span.start, op.span.start, "{text}");
            assert_eq!(op.rhs_span.end, op.span.end, "{text}");
            assert!(op.lhs_span.end <= op.op_span.start, "{text}");
            assert!(op.op_span.end <= op.rhs_span.start, "{text}");
        }
        for sel in &facts.selectors {
            if let Some(metric) = &sel.metric {
                assert!(
                    text[sel.name_span.clone()].contains(metric.as_str()),
                    "{text}"
                );
            }
            if let Some(range) = &sel.range_span {
                let written = &text[range.clone()];
                assert!(written.starts_with('[') && written.ends_with(']'), "{text}");
            }
        }
    }
}

#[test]
fn truncated_prefixes_never_panic() {
    let corpus: Vec<&str> = CORPUS.lines().collect();
    assert!(corpus.len() >= 50);
    for text in corpus {
        for (end, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..end];
            for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
                if let Err(err) = parse(prefix, dialect) {
                    assert!(
                        err.span.start <= err.span.end && err.span.end <= prefix.len(),
                        "{prefix:?}: {err:?}"
                    );
                    assert!(
                        !err.span.is_empty() || prefix.is_empty(),
                        "{prefix:?}: {err:?}"
                    );
                    assert!(!err.message.is_empty());
                }
            }
        }
    }
}

/// A tiny deterministic generator, so that the fuzz test needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }
}

#[test]
fn random_token_soup_never_panics_and_spans_stay_inside() {
    const PIECES: &[&str] = &[
        "up",
        "x",
        "sum",
        "rate",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "bool",
        "offset",
        "@",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "5m",
        "1h30m",
        "0",
        "1.5",
        "300",
        "\"a\"",
        "'b'",
        "`c\\d`",
        "=",
        "==",
        "!=",
        "=~",
        "!~",
        ">",
        "+",
        "-",
        "*",
        "/",
        "^",
        "and",
        "or",
        "unless",
        "topk",
        "start()",
        "histogram_quantile",
        "le",
        "job",
        " ",
        "\n",
        "#c\n",
        "inf",
        "nan",
        "é",
        "fill",
        "holt_winters",
        "\\",
    ];
    let mut rng = Lcg(42);
    for _ in 0..20_000 {
        let len = 1 + rng.next(14);
        let text: String = (0..len).map(|_| PIECES[rng.next(PIECES.len())]).collect();
        let dialect = if rng.next(2) == 0 {
            Dialect::Prometheus2
        } else {
            Dialect::Prometheus3
        };
        match parse(&text, dialect) {
            Ok(expr) => {
                for sel in &expr.facts().selectors {
                    assert!(sel.span.end <= text.len());
                }
                let _ = expr.output_labels();
            }
            Err(err) => assert!(
                err.span.start <= err.span.end && err.span.end <= text.len(),
                "{text:?}: {err:?}"
            ),
        }
    }
}

/// Token-level mutations of the corpus: each expression gets `per_expr`
/// variants with one or two tokens deleted, doubled or inserted.
fn mutations(seed: u64, per_expr: usize) -> Vec<String> {
    const INSERTS: &[&str] = &[
        "(",
        ")",
        "{",
        "}",
        "[5m]",
        "[5m:]",
        ",",
        "by (a)",
        "without (a)",
        "on (a)",
        "group_left",
        "bool",
        "offset 5m",
        "@ 10",
        "+",
        "-",
        ">",
        "and",
        "x",
        "\"s\"",
        "1",
        "5m",
        "sum",
        "rate",
        "topk",
        "=",
        "=~",
        "or",
        "ignoring ()",
        "fill(0)",
        "[300]",
        "offset",
        "unless",
        "start()",
        "@ end()",
        "group_right (b)",
        "le",
        "+ 1",
        "* x",
        "offset 1h",
        "[5m:1m]",
        "> bool 0",
        "on (a) group_left",
        "- y",
        "or vector(0)",
        "abs (",
        "sum by (a) (",
        "== 1",
        "[1h]",
        "offset -5m",
        "count_values",
    ];
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    for text in CORPUS.lines() {
        let tokens = lexer::tokenize(text).unwrap();
        let words: Vec<&str> = tokens[..tokens.len() - 1]
            .iter()
            .map(|t| &text[t.span()])
            .collect();
        for _ in 0..per_expr {
            let mut w = words.clone();
            for _ in 0..1 + rng.next(2) {
                let at = rng.next(w.len() + 1);
                match rng.next(3) {
                    0 if at < w.len() => {
                        w.remove(at);
                    }
                    1 if at < w.len() => {
                        let copy = w[at];
                        w.insert(at, copy);
                    }
                    _ => w.insert(at, INSERTS[rng.next(INSERTS.len())]),
                }
            }
            out.push(w.join(" "));
        }
    }
    out
}

#[test]
fn mutated_corpus_agrees_with_the_crate() {
    // The recognizer must accept exactly what promql-parser accepts (asserted
    // inside `parse` and `facts::build` under test) and locate every error.
    let mut accepted = 0;
    let all = mutations(7, 300);
    for mutated in &all {
        for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
            match parse(mutated, dialect) {
                Ok(_) => accepted += 1,
                Err(err) => {
                    assert_ne!(err.message, "invalid PromQL expression", "{mutated:?}");
                    assert!(
                        !err.span.is_empty() && err.span.end <= mutated.len(),
                        "{mutated:?}: {err:?}"
                    );
                }
            }
        }
    }
    assert!(
        accepted > all.len() / 50,
        "too few valid mutations: {accepted}"
    );
}

/// Compares verdicts in the Prometheus 2 dialect with `promtool check rules`
/// (2.42) on hand-picked cases and on ~2000 mutations of the corpus.
/// Needs promtool: `cargo test -- --ignored agrees_with_promtool`.
#[test]
#[ignore]
fn agrees_with_promtool() {
    let picked = [
        "holt_winters(x[5m], 0.5, 0.5)",
        "double_exponential_smoothing(x[5m], 0.5, 0.5)",
        r#"{"my.metric"}"#,
        "time() - 5m",
        "rate(x[300])",
        "x @ 5m",
        "histogram_avg(x)",
        "sum by (a,) (x)",
        "x{a=\"b\",}",
        "sum(x) by (a) by (b)",
        "1 == 1",
        "1 == bool 1",
        "x and 1",
        "rate(x[5m]) offset 5m",
        "x offset 5m [5m]",
        "x{a=~`\\d+`}",
        "x{a=\"\\d\"}",
        "start()",
        "sum(x,)",
        "x ! y",
        "x[1m30s]",
        "x == on(a) group_left y",
        "sum without() (x)",
        "count_values(\"v\", x)",
        "topk(x, 5)",
        "-x[5m]",
        "+x[5m]",
        "x + fill(0) y",
        "x @ 1e20",
        "x @ -1e12",
    ];
    let exprs: Vec<String> = CORPUS
        .lines()
        .chain(picked)
        .map(str::to_string)
        .chain(mutations(2024, 40))
        // Prometheus 2.42 quirks that promspec rejects on purpose: an
        // identifier inside a range (`x[5m x]`) is ignored, and `@ start()` /
        // `@ end()` before a range escapes the "@ before range" check.
        .filter(|e| !e.contains("@ end() [") && !e.contains("@ start() ["))
        .filter(|e| !e.contains(" x ]"))
        .collect();
    let mut yaml = String::from("groups:\n");
    for (i, text) in exprs.iter().enumerate() {
        yaml.push_str(&format!(
            "- name: g{i}\n  rules:\n  - record: r\n    expr: '{}'\n",
            text.replace('\'', "''")
        ));
    }
    let dir = std::env::temp_dir().join(format!("promql-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rules.yml");
    std::fs::write(&file, yaml).unwrap();
    let output = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("promtool is installed");
    let report = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    let mut disagreements = Vec::new();
    let mut rejected = 0;
    for (i, text) in exprs.iter().enumerate() {
        let promtool_ok = !report.contains(&format!("group \"g{i}\","));
        let ours_ok = parse(text, Dialect::Prometheus2).is_ok();
        rejected += usize::from(!promtool_ok);
        if promtool_ok != ours_ok {
            disagreements.push(format!(
                "{text}: promtool {promtool_ok}, promspec {ours_ok}"
            ));
        }
    }
    assert!(rejected > 0 && rejected < exprs.len());
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn expressions_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expr>();
    assert_send_sync::<SyntaxError>();
}

/// The expressions that crashed `promspec lint` through a direct call of
/// promql-parser: (text, offending literal, its byte offset).
const CRASHERS: &[(&str, &str, usize)] = &[
    ("x[2e19]", "2e19", 2),
    ("x[1e400]", "1e400", 2),
    ("x offset Inf", "Inf", 9),
    ("x offset 1e300", "1e300", 9),
    ("x[5m:1e400]", "1e400", 5),
];

#[test]
fn numbers_no_duration_holds_are_syntax_errors() {
    for &(text, literal, at) in CRASHERS {
        for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
            let err = err_in(text, dialect);
            assert_eq!(
                err.message,
                format!("duration `{literal}` is out of range"),
                "{text}"
            );
            assert_eq!(err.span, at..at + literal.len(), "{text}");
        }
    }
}

/// Worst cases of nesting: (opening, operand, closing) repeated `n` times.
fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

/// Chains of `n` operators: `x + x + ...`.
fn chain(op: &str, n: usize) -> String {
    vec!["x"; n + 1].join(op)
}

#[test]
fn nesting_deeper_than_the_bound_is_an_error_before_the_crate_runs() {
    let too_deep = [
        nested("(", "x", ")", 130_000),
        nested("abs(", "x", ")", 5_000),
        nested("sum(", "x", ")", 20_000),
        nested("-", "x", "", 100_000),
        nested("max_over_time(", "x", "[5m:])", 10_000),
        nested("(", "x", ") + x", 10_000),
        chain(" + ", 100_000),
        chain(" ^ ", 100_000),
        chain(" or ", MAX_DEPTH),
    ];
    for text in &too_deep {
        let err = err_in(text, Dialect::Prometheus2);
        assert_eq!(
            err.message,
            format!("the expression is nested too deeply (more than {MAX_DEPTH} levels)")
        );
        assert!(err.help.is_some());
        // The span is the token that goes one level too deep, near the start.
        assert!(
            !err.span.is_empty() && err.span.end < 20 * MAX_DEPTH,
            "{err:?}"
        );
    }
    assert_eq!(
        err_in(&nested("(", "x", ")", 130_000), Dialect::Prometheus2).span,
        MAX_DEPTH - 1..MAX_DEPTH
    );
}

#[test]
fn nesting_at_the_bound_is_safe_on_a_small_stack() {
    // Every pass (promql-parser, the syntax tree, facts, output labels, the
    // evaluator, dropping the AST) must fit the 2 MiB of a spawned thread,
    // in a debug build, at the deepest nesting accepted.
    let at_bound = [
        nested("(", "x", ")", MAX_DEPTH - 1),
        nested("abs(", "x", ")", MAX_DEPTH - 1),
        nested("sum(", "x", ")", MAX_DEPTH - 1),
        nested("-", "x", "", MAX_DEPTH - 1),
        nested("max_over_time(", "x", "[5m:])", (MAX_DEPTH - 2) / 2),
        nested("(", "x", ") + x", (MAX_DEPTH - 1) / 2),
        chain(" + ", MAX_DEPTH - 1),
        chain(" ^ ", MAX_DEPTH - 1),
        chain(" or ", MAX_DEPTH - 1),
        chain(" / ", MAX_DEPTH - 1),
    ];
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let data = eval::Dataset::new(vec![eval::Series {
                labels: [(eval::METRIC_NAME.to_string(), "x".to_string())].into(),
                samples: vec![(0, -2.0)],
            }]);
            for text in &at_bound {
                let expr = ok(text);
                let _ = expr.output_labels();
                let _ = expr.value_type();
                // The evaluator refuses what it cannot run safely.
                if let Ok(program) = eval::Program::new(&expr) {
                    let _ = program.eval(&data, 0);
                }
            }
            // The evaluator at its own bound, and one level deeper.
            let deepest = nested("abs(", "x", ")", eval::MAX_EVAL_DEPTH - 1);
            let program = eval::Program::new(&ok(&deepest)).unwrap();
            assert_eq!(program.eval(&data, 0).unwrap()[0].value, 2.0);
            let deeper = nested("abs(", "x", ")", eval::MAX_EVAL_DEPTH);
            assert!(matches!(
                eval::Program::new(&ok(&deeper)),
                Err(eval::EvalError::Unsupported(what)) if what.starts_with("nesting deeper")
            ));
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
}

#[test]
fn regex_placeholders_change_no_verdict_and_no_fact() {
    let mut texts: Vec<String> = CORPUS.lines().map(str::to_string).collect();
    texts.extend(mutations(11, 60));
    texts.extend(
        [
            // Regexes that need the crate's own handling, or decide validity.
            r#"x{a=~"a{b}c"}"#,
            r#"x{a=~"(unclosed"}"#,
            r#"{a=~".*"}"#,
            r#"{a=~".+"}"#,
            r#"x{__name__=~"x"}"#,
            r#"x{"a"=~"b.*"}"#,
            r#"x{a=~`\d+`, b!~'c|d'}"#,
            r#"x{a=~"\\d+\u00e9"}"#,
            r#"x{a="__promspec_regex_0", b=~"c.*"}"#,
            r#"absent(x{a=~"b.*", c="d"})"#,
            r#"sum by (a) (x{a=~"b.*"}) and on (a) y{a!~"c"}"#,
        ]
        .map(str::to_string),
    );
    for text in &texts {
        for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
            let fast = parse(text, dialect);
            let plain = parse::parse_without_placeholders(text, dialect);
            match (fast, plain) {
                (Ok(fast), Ok(plain)) => {
                    assert_eq!(fast.facts(), plain.facts(), "{text}");
                    assert_eq!(fast.output_labels(), plain.output_labels(), "{text}");
                }
                (Err(fast), Err(plain)) => assert_eq!(fast, plain, "{text}"),
                (fast, plain) => panic!("{text}: {fast:?} but without placeholders {plain:?}"),
            }
        }
    }
}

#[test]
fn regex_placeholders_are_read_back() {
    let expr = ok(r#"x{a=~"b.*", c!~`d|e`, f="g"}"#);
    let sel = &expr.facts().selectors[0];
    let ops: Vec<(MatchOp, &str)> = sel
        .matchers
        .iter()
        .map(|m| (m.op, m.value.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            (MatchOp::Regex, "b.*"),
            (MatchOp::NotRegex, "d|e"),
            (MatchOp::Equal, "g")
        ]
    );
    // `absent` keeps only equality matchers' labels.
    let absent = ok(r#"absent(x{a=~"b.*", c="d"})"#);
    assert_eq!(*absent.output_labels(), OutputLabels::Exactly(set(&["c"])));
    // The evaluator matches the regex, not the placeholder.
    let program = eval::Program::new(&ok(r#"x{a=~"b.*"}"#)).unwrap();
    assert_eq!(program.selectors()[0].matchers[0].kind, MatchOp::Regex);
    assert!(program.selectors()[0].matchers[0].matches("bcd"));
    assert!(!program.selectors()[0].matchers[0].matches("cd"));
}

#[test]
fn facts_of_context_for_lint_rules() {
    let text = "sum by (job) (rate(errors_total{code=~\"5..\"}[1m])) / sum by (job) (rate(requests_total[5m])) > 0.1";
    let expr = ok(text);
    let facts = expr.facts();
    let errors = &facts.selectors[0];
    assert_eq!(errors.functions, ["rate"]);
    assert_eq!(errors.function(), Some("rate"));
    assert_eq!(errors.aggregations, [AggregateOp::Sum]);
    assert!(!errors.in_subquery);
    assert_eq!(&text[errors.name_span.clone()], "errors_total");
    assert_eq!(&text[errors.range_span.clone().unwrap()], "[1m]");
    assert_eq!(
        &text[facts.selectors[1].range_span.clone().unwrap()],
        "[5m]"
    );
    assert!(facts.filtered);
    assert!(facts.top_level_bool().is_none());
    // The division is unguarded, and both operators are outermost.
    let div = facts
        .binary_ops
        .iter()
        .find(|b| b.op == BinaryOperator::Div)
        .unwrap();
    assert!(div.rhs_unguarded && div.outermost);
    assert_eq!(&text[div.op_span.clone()], "/");

    let guarded = ok("a / (b > 0) + c / clamp_min(d, 1) + e / count(f) + g / 2 + h / -1");
    assert!(guarded.facts().binary_ops.iter().all(|b| !b.rhs_unguarded));
    assert!(!guarded.facts().filtered || guarded.facts().filtered);

    let sub = ok("max_over_time(rate(sum(x_total)[5m:1m])[1h:]) * 100");
    let call = &sub.facts().calls[1];
    assert_eq!(call.name, "rate");
    assert!(call.aggregated_subquery_arg);
    assert!(sub.facts().selectors[0].in_subquery);
    assert_eq!(
        sub.facts().selectors[0].functions,
        ["max_over_time", "rate"]
    );
    let mul = &sub.facts().binary_ops[0];
    assert!(mul.outermost);
    assert_eq!(mul.rhs_number, Some(100.0));

    let q = ok("histogram_quantile(-(0.5), sum without (le) (rate(x_bucket[5m])))");
    let call = &q.facts().calls[0];
    assert_eq!(call.number_args, [Some(-0.5), None]);
    assert!(!call.series_arg_labels.as_ref().unwrap().may_have("le"));

    let nested = ok("abs(100 * x)");
    assert!(!nested.facts().binary_ops[0].outermost);

    let bool_cmp = ok("(x > bool 1) == bool 1");
    let top = bool_cmp.facts().top_level_bool().unwrap();
    assert_eq!(top.op, BinaryOperator::Eq);
    assert!(!bool_cmp.facts().filtered);

    for (text, filtered) in [
        ("x > 1", true),
        ("x > bool 1", false),
        ("x and y", true),
        ("x or y > 1", false),
        ("(x > 1) or (y > 1)", true),
        ("absent(x)", true),
        ("sum(x > 1)", true),
        ("rate(x[5m])", false),
    ] {
        assert_eq!(ok(text).facts().filtered, filtered, "{text}");
    }
    let name = ok("{__name__=\"x_total\", job=\"a\"}");
    let sel = &name.facts().selectors[0];
    assert_eq!(
        &"{__name__=\"x_total\", job=\"a\"}"[sel.name_span.clone()],
        "__name__=\"x_total\""
    );
}
