//! `alerts/name-style`: an alert name that is not an identifier.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;
use crate::spec::resolve::is_identifier_alert_name;

fn name_style(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/name-style",
        format!("alert name {name:?} is not an identifier"),
    )
    .with_label(span, "not ^[a-zA-Z_][a-zA-Z0-9_]*$")
    .with_help(
        "for a new alert, use letters, digits and `_` in CamelCase (e.g. `PostgresqlBloatIndexHigh`); keep an existing name as it is, since silences and inhibitions match it verbatim",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports an alert name that is not an identifier
    /// (`^[a-zA-Z_][a-zA-Z0-9_]*$`), such as `PostgresqlBloatIndexHigh(>80%)`
    /// or `Elasticsearch cluster unhealthy`.
    ///
    /// Off by default: Prometheus accepts any non-empty alert name, and an
    /// existing alert must keep its name (silences, inhibitions and
    /// dashboards match it verbatim; `promspec import` keeps every name).
    /// Turn it on for new specs in `promspec.yaml`
    /// (`lint: {rules: {alerts/name-style: warning}}`).
    ///
    /// ## Why is this bad?
    /// Names with spaces, quotes, `|`, `%` or parentheses must be quoted or
    /// escaped everywhere they are typed: `amtool silence add
    /// 'alertname="A (v1)"'`, PromQL `ALERTS{alertname="..."}`, Alertmanager
    /// matchers, Markdown tables. Identifier names need none of that.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: MysqlTooManyConnections(>80%)
    ///   expr: mysql_connections_ratio > 0.8
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: MysqlTooManyConnections
    ///   expr: mysql_connections_ratio > 0.8
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct NameStyle => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let name = &cx.rule.name.value;
    if cx.rule.is_alert() && !name.is_empty() && !is_identifier_alert_name(name) {
        out.push(name_style(cx.rule.name.span, name));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/name-style",
            "groups:\n  - name: g\n    rules:\n      - alert: MysqlTooManyConnections\n        expr: up == 0\n      - record: job:up:sum\n        expr: sum(up)\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/name-style",
            "groups:\n  - name: g\n    rules:\n      - alert: MysqlTooManyConnections(>80%)\n        expr: up == 0\n",
        ));
    }
}
