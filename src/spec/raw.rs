//! The raw layer: types that mirror the YAML of a spec as written.
//!
//! Every scalar keeps its span; values stay strings (`3s`, `5%`) until
//! [`resolve`](super::resolve) interprets them. The doc comments here are the
//! field documentation of the JSON schema. Raw types never leave `spec/`.

use crate::source::Spanned;
use crate::spec::decode::{Expression, NamedMap, raw_struct};

/// A string with its span.
pub type Str = Spanned<String>;

/// A number or a quantity with a unit, as written (`3s`, `5%`, `512MiB`, `0.8`).
#[derive(Debug, Clone)]
pub struct Quantity(pub Spanned<String>);

/// A whole number as written (`2`).
#[derive(Debug, Clone)]
pub struct Count(pub Spanned<String>);

/// A Prometheus duration as written (`30s`, `5m`, `1h30m`).
#[derive(Debug, Clone)]
pub struct Duration(pub Spanned<String>);

raw_struct! {
    /// The project file `specs/promspec.yaml`: everything features share.
    ProjectFile as "project file" {
        /// Name of the project.
        project: Option<Str>,
        /// Base URL of Grafana, used for `dashboard_url` annotations and dashboard links.
        grafana_url: Option<Str>,
        /// PromQL dialect the rules must be valid in: `prometheus2` (default) or `prometheus3`.
        dialect: Option<Str>,
        /// How often Prometheus evaluates the generated rule groups (default `1m`).
        evaluation_interval: Option<Duration>,
        /// Scrape interval of the monitored targets (default `15s`), used by lint rules on ranges.
        scrape_interval: Option<Duration>,
        /// Language of generated runbook tables: `en` (default) or `ja`.
        docs_language: Option<Str>,
        /// Defaults applied where a spec leaves a value out.
        defaults: Option<Defaults>,
        /// Labels added to every generated alert.
        labels: Option<NamedMap<Str>>,
        /// Alertmanager settings that are not routing (SMTP, resolve timeout).
        alertmanager: Option<AlertmanagerSettings>,
        /// Priorities `P0`..`P4`: response time and notification cadence.
        priorities: Option<NamedMap<Priority>>,
        /// The alert levels `critical`, `warning` and `info`: priority and receivers.
        severities: NamedMap<SeverityDef>,
        /// Where notifications go. Secrets only by `*_file` reference.
        receivers: Option<NamedMap<ReceiverDef>>,
        /// Named time intervals, e.g. business hours, for active or mute times.
        time_intervals: Option<NamedMap<Vec<TimeRange>>>,
        /// Lint settings: rule severities and options.
        lint: Option<LintSettings>,
        /// Where the rules run: `prometheus` (the default when `targets` is absent), `prometheus-operator`, `mimir` (also Cortex), `thanos`, `vmalert`; each with its options. Outputs go to `generated/<target>/`.
        targets: Option<Targets>,
        /// Burn-rate windows per SLO period, replacing the defaults (SRE workbook for 30d and 28d, scaled otherwise).
        slo_windows: Option<Vec<crate::spec::slo::raw::PeriodWindows>>,
    }
}

raw_struct! {
    /// The rule engines the rules are deployed to, each with its options.
    Targets as "targets" {
        /// Plain Prometheus rule files and their promtool unit tests (`generated/prometheus/`).
        prometheus: Option<PrometheusTarget>,
        /// One `PrometheusRule` manifest per feature (`generated/prometheus-operator/`).
        prometheus_operator as "prometheus-operator": Option<OperatorTarget>,
        /// One rule namespace file per feature for `mimirtool rules sync` (Grafana Mimir, Cortex) (`generated/mimir/`).
        mimir: Option<MimirTarget>,
        /// Rule files for Thanos Ruler, with a partial response strategy per group (`generated/thanos/`).
        thanos: Option<ThanosTarget>,
        /// Rule files for VictoriaMetrics vmalert (`generated/vmalert/`).
        vmalert: Option<VmalertTarget>,
    }
}

raw_struct! {
    /// Plain Prometheus rule files (no options).
    PrometheusTarget as "prometheus target" {
    }
}

raw_struct! {
    /// prometheus-operator `PrometheusRule` manifests.
    OperatorTarget as "prometheus-operator target" {
        /// Namespace of the manifests (default `monitoring`).
        namespace: Option<Str>,
        /// Labels of the manifests, the ones the Prometheus `ruleSelector` matches (e.g. `release: prometheus`).
        labels: Option<NamedMap<Str>>,
    }
}

raw_struct! {
    /// Grafana Mimir or Cortex rulers, loaded with `mimirtool rules sync`.
    MimirTarget as "mimir target" {
        /// The tenant (`X-Scope-OrgID`) the rules are synced to; written into each file's header comment for `mimirtool --id`.
        tenant: Option<Str>,
        /// Tenants a federated rule group queries (`source_tenants`).
        source_tenants: Option<Vec<Str>>,
        /// How far back rule evaluation looks (`query_offset`, formerly `evaluation_delay`).
        query_offset: Option<Duration>,
    }
}

raw_struct! {
    /// Thanos Ruler.
    ThanosTarget as "thanos target" {
        /// `partial_response_strategy` of the groups: `abort` (default: an alert never evaluates on partial data) or `warn`.
        partial_response_strategy: Option<Str>,
    }
}

raw_struct! {
    /// VictoriaMetrics vmalert.
    VmalertTarget as "vmalert target" {
        /// How many rules of a group vmalert evaluates at once (`concurrency`, default 1).
        concurrency: Option<Count>,
    }
}

raw_struct! {
    /// Defaults applied where a spec leaves a value out.
    Defaults as "defaults" {
        /// How long a condition must hold before an alert fires (default `5m`).
        for_ as "for": Option<Duration>,
        /// How long an alert keeps firing after the condition clears.
        keep_firing_for: Option<Duration>,
    }
}

raw_struct! {
    /// Alertmanager settings that are not routing.
    AlertmanagerSettings as "alertmanager settings" {
        /// SMTP settings for email receivers.
        smtp: Option<Smtp>,
        /// `resolve_timeout` of Alertmanager's global section.
        resolve_timeout: Option<Duration>,
        /// Labels alerts are grouped by (default: alertname, feature, severity). Inhibit rules compare them too, except `severity` and `priority`.
        group_by: Option<Vec<Str>>,
        /// Directory the deployed Alertmanager reads the notification templates `promspec.tmpl` from, written into `templates:` of `alertmanager.yml` (default: the directory of `alertmanager.yml`, which Alertmanager resolves relative paths against).
        templates_dir: Option<Str>,
    }
}

raw_struct! {
    /// SMTP settings for email receivers.
    Smtp as "smtp settings" {
        /// `host:port` of the SMTP server.
        smarthost: Str,
        /// Sender address.
        from: Str,
        /// SMTP user name.
        auth_username: Option<Str>,
        /// File holding the SMTP password.
        auth_password_file: Option<Str>,
        /// Inline SMTP password: rejected, use `auth_password_file`.
        auth_password: Option<Str>,
        /// Require STARTTLS (default true).
        require_tls: Option<Spanned<bool>>,
    }
}

raw_struct! {
    /// A priority such as `P1`.
    Priority as "priority" {
        /// Short title, e.g. `High` or `高`.
        title: Option<Str>,
        /// What the priority means, e.g. `主要機能停止`.
        description: Option<Str>,
        /// How fast someone must respond, e.g. `15m`, `1h`.
        response_time: Duration,
        /// How often a firing alert is notified again (default: the response time).
        repeat_interval: Option<Duration>,
        /// How long to wait before the first notification of a group (default `30s`).
        group_wait: Option<Duration>,
        /// How long to wait before notifying about new alerts of a group (default `5m`).
        group_interval: Option<Duration>,
        /// Who is escalated to, for the runbook tables.
        escalation: Option<Str>,
    }
}

raw_struct! {
    /// An alert level: `critical`, `warning` or `info`.
    SeverityDef as "severity" {
        /// Default priority of alerts of this level, e.g. `P1`.
        priority: Str,
        /// Receivers notified by default.
        receivers: Option<Vec<Str>>,
        /// Notify only inside these time intervals.
        active_time_intervals: Option<Vec<Str>>,
        /// Do not notify inside these time intervals.
        mute_time_intervals: Option<Vec<Str>>,
    }
}

raw_struct! {
    /// A receiver: one or more notification integrations.
    ReceiverDef as "receiver" {
        /// Slack message.
        slack: Option<SlackReceiver>,
        /// Email.
        email: Option<EmailReceiver>,
        /// PagerDuty (Events API v2).
        pagerduty: Option<PagerdutyReceiver>,
        /// Opsgenie.
        opsgenie: Option<OpsgenieReceiver>,
        /// Generic webhook.
        webhook: Option<WebhookReceiver>,
        /// Notify this receiver only inside these time intervals, whatever the level (replaces the level's `active_time_intervals` on this receiver's routes), e.g. a DBA mailed during business hours while on-call is paged always.
        active_time_intervals: Option<Vec<Str>>,
        /// Do not notify this receiver inside these time intervals (added to the level's `mute_time_intervals` on this receiver's routes).
        mute_time_intervals: Option<Vec<Str>>,
    }
}

raw_struct! {
    /// Slack integration.
    SlackReceiver as "slack receiver" {
        /// Channel such as `#ops-alerts`.
        channel: Str,
        /// File holding the incoming-webhook URL.
        api_url_file: Option<Str>,
        /// Inline webhook URL: rejected, use `api_url_file`.
        api_url: Option<Str>,
        /// Notify when the alert resolves (default true).
        send_resolved: Option<Spanned<bool>>,
        /// Message title, an Alertmanager template (default `{{ template "promspec.title" . }}`).
        title: Option<Str>,
        /// Message text, an Alertmanager template (default `{{ template "promspec.slack.text" . }}`).
        text: Option<Str>,
    }
}

raw_struct! {
    /// Email integration.
    EmailReceiver as "email receiver" {
        /// Recipient address(es), comma separated.
        to: Str,
        /// Notify when the alert resolves (default false).
        send_resolved: Option<Spanned<bool>>,
        /// Subject, an Alertmanager template (default `{{ template "promspec.title" . }}`).
        subject: Option<Str>,
        /// HTML body, an Alertmanager template (default `{{ template "promspec.email.html" . }}`).
        html: Option<Str>,
    }
}

raw_struct! {
    /// PagerDuty integration.
    PagerdutyReceiver as "pagerduty receiver" {
        /// File holding the Events API v2 routing key.
        routing_key_file: Option<Str>,
        /// File holding the (legacy) integration service key.
        service_key_file: Option<Str>,
        /// Inline routing key: rejected, use `routing_key_file`.
        routing_key: Option<Str>,
        /// Inline service key: rejected, use `service_key_file`.
        service_key: Option<Str>,
        /// Notify when the alert resolves (default true).
        send_resolved: Option<Spanned<bool>>,
        /// Incident description, an Alertmanager template (default `{{ template "promspec.title" . }}`).
        description: Option<Str>,
    }
}

raw_struct! {
    /// Opsgenie integration.
    OpsgenieReceiver as "opsgenie receiver" {
        /// File holding the API key.
        api_key_file: Option<Str>,
        /// Inline API key: rejected, use `api_key_file`.
        api_key: Option<Str>,
        /// Opsgenie priority (P1..P5); defaults to the alert's priority.
        priority: Option<Str>,
        /// Notify when the alert resolves (default true).
        send_resolved: Option<Spanned<bool>>,
        /// Alert message, an Alertmanager template (default `{{ template "promspec.title" . }}`).
        message: Option<Str>,
        /// Alert description, an Alertmanager template (default `{{ template "promspec.text" . }}`).
        description: Option<Str>,
    }
}

raw_struct! {
    /// Generic webhook integration.
    WebhookReceiver as "webhook receiver" {
        /// URL to post to (must not embed credentials).
        url: Option<Str>,
        /// File holding the URL (Alertmanager 0.26 and later; promspec targets 0.25, which rejects it).
        url_file: Option<Str>,
        /// Notify when the alert resolves (default true).
        send_resolved: Option<Spanned<bool>>,
        /// Maximum number of alerts per message (0 = all).
        max_alerts: Option<Str>,
    }
}

raw_struct! {
    /// One time range of a time interval (Alertmanager's `time_intervals` syntax).
    TimeRange as "time range" {
        /// Times of day, e.g. `{start_time: "09:00", end_time: "18:00"}`.
        times: Option<Vec<TimeOfDay>>,
        /// Weekdays or ranges, e.g. `monday:friday`.
        weekdays: Option<Vec<Str>>,
        /// Days of the month or ranges, e.g. `1:5`, `-1`.
        days_of_month: Option<Vec<Str>>,
        /// Months or ranges, e.g. `january:march`.
        months: Option<Vec<Str>>,
        /// Years or ranges, e.g. `2026:2027`.
        years: Option<Vec<Str>>,
        /// Time zone, e.g. `Asia/Tokyo` (default UTC).
        location: Option<Str>,
    }
}

raw_struct! {
    /// A range of times of day.
    TimeOfDay as "time of day range" {
        /// Start, `HH:MM`.
        start_time: Str,
        /// End, `HH:MM` (exclusive; `24:00` allowed).
        end_time: Str,
    }
}

raw_struct! {
    /// Lint settings.
    LintSettings as "lint settings" {
        /// Severity per rule id: `error`, `warning`, `info` or `off`.
        rules: Option<NamedMap<Str>>,
        /// Annotations every alert must have (`alerts/missing-annotation`; default `summary`, `description`, `runbook_url`).
        required_annotations: Option<Vec<Str>>,
        /// Values the `severity` label may take (`alerts/unknown-severity`; default `critical`, `warning`, `info`).
        severity_values: Option<Vec<Str>>,
        /// Labels routing needs on every alert, besides `alertmanager.group_by` (`promql/aggregation-drops-label`).
        routing_labels: Option<Vec<Str>>,
    }
}

raw_struct! {
    /// A feature spec `specs/<feature>.yaml`: the thresholds of one feature.
    FeatureSpec as "feature spec" {
        /// Slug naming files, the `feature` label and the dashboard uid: `^[a-z][a-z0-9-]*$`.
        feature: Str,
        /// Human title, any language.
        title: Option<Str>,
        /// Team that owns the feature (the `team` label).
        team: Str,
        /// Runbook URL (the `runbook_url` annotation).
        runbook: Option<Str>,
        /// What the feature is.
        description: Option<Str>,
        /// Labels added to this feature's alerts.
        labels: Option<NamedMap<Str>>,
        /// Receivers per level for the whole feature, replacing the project's.
        notify: Option<Notify>,
        /// Language of the generated runbook table (`en` or `ja`), overriding the project's.
        docs_language: Option<Str>,
        /// How often Prometheus evaluates this feature's rule groups, overriding the project's `evaluation_interval` (e.g. `30s`, kept from an imported group's `interval:`); also the step of its generated unit tests.
        evaluation_interval: Option<Duration>,
        /// Metric thresholds.
        thresholds: Option<Vec<Threshold>>,
        /// Service level objectives (multi-window multi-burn-rate alerts).
        slos: Option<Vec<crate::spec::slo::raw::Slo>>,
        /// Alerting rules that are not "a value above or below a level": `absent(...)`, `predict_linear(...) < 0`, `changes(...) > 3`, deadman alerts. Routed, documented and linted like thresholds.
        alerts: Option<Vec<Alert>>,
        /// Recording rules kept as written, compiled into the feature's rule group before its alerts.
        records: Option<Vec<Record>>,
    }
}

raw_struct! {
    /// Receivers per level.
    Notify as "notify" {
        /// Receivers of critical alerts.
        critical: Option<Vec<Str>>,
        /// Receivers of warning alerts.
        warning: Option<Vec<Str>>,
        /// Receivers of info alerts.
        info: Option<Vec<Str>>,
    }
}

raw_struct! {
    /// One metric threshold: a query, its unit and its alert levels.
    Threshold as "threshold" {
        /// Slug, unique within the feature: `^[a-z][a-z0-9-]*$`.
        id: Str,
        /// The alert name, verbatim: any non-empty string, as Prometheus accepts (identifier style `^[a-zA-Z_][a-zA-Z0-9_]*$` is conventional, see lint `alerts/name-style`; default: the feature and the id in CamelCase). Keep an existing name so silences and inhibitions survive.
        alert: Option<Str>,
        /// Title as the runbook writes it.
        title: Option<Str>,
        /// Group (dashboard row and runbook section), e.g. `System`, `データベース`.
        group: Option<Str>,
        /// Longer explanation.
        description: Option<Str>,
        /// What the operator does when it fires.
        action: Option<Str>,
        /// Runbook URL of this threshold (default: the feature's).
        runbook: Option<Str>,
        /// PromQL expression giving the value.
        query: Expression,
        /// Unit of the value: `seconds`, `ratio`, `percent`, `bytes`, `bytes_per_second`, `per_second`, `count`.
        unit: Option<Str>,
        /// Extra labels on this threshold's alerts.
        labels: Option<NamedMap<Str>>,
        /// Receivers per level for this threshold.
        notify: Option<Notify>,
        /// Info level.
        info: Option<Level>,
        /// Warning level.
        warning: Option<Level>,
        /// Critical level.
        critical: Option<Level>,
        /// An extra alert `<AlertName>NoData` that fires when every series the query reads is absent (an exporter that is down makes a threshold silent).
        no_data: Option<NoData>,
    }
}

raw_struct! {
    /// The no-data alert of a threshold.
    NoData as "no-data alert" {
        /// Alert level: `critical`, `warning` or `info` (priority and receivers as that level's).
        level: Str,
        /// How long the source series must have been absent (the `absent_over_time` window; default `10m`).
        for_ as "for": Option<Duration>,
    }
}

raw_struct! {
    /// An alerting rule that is not a threshold: an expression that returns series while something is wrong.
    Alert as "alert" {
        /// Slug, unique within the feature across thresholds, alerts and SLOs: `^[a-z][a-z0-9-]*$`.
        id: Str,
        /// The alert name, verbatim: any non-empty string, as Prometheus accepts (identifier style `^[a-zA-Z_][a-zA-Z0-9_]*$` is conventional, see lint `alerts/name-style`; default: the feature and the id in CamelCase).
        alert: Option<Str>,
        /// Title as the runbook writes it.
        title: Option<Str>,
        /// Group (runbook section).
        group: Option<Str>,
        /// Longer explanation.
        description: Option<Str>,
        /// What the operator does when it fires.
        action: Option<Str>,
        /// Runbook URL of this alert (default: the feature's).
        runbook: Option<Str>,
        /// PromQL expression; every series it returns is an alert (e.g. `absent(up{job="node"})`).
        expr: Expression,
        /// How long the expression must return a series before the alert fires (default: none, the expression is taken as written).
        for_ as "for": Option<Duration>,
        /// How long the alert keeps firing after the expression stops returning it.
        keep_firing_for: Option<Duration>,
        /// Alert level: `critical`, `warning` or `info` (the `severity` label, priority and receivers).
        level: Str,
        /// Priority override, e.g. `P0`.
        priority: Option<Str>,
        /// Extra labels on the alert.
        labels: Option<NamedMap<Str>>,
        /// Annotations (`summary`, `description`, ...); `runbook_url` and `dashboard_url` are added as for thresholds.
        annotations: Option<NamedMap<Str>>,
        /// Receivers override.
        notify: Option<Vec<Str>>,
    }
}

raw_struct! {
    /// A recording rule, kept as written.
    Record as "recording rule" {
        /// The recorded series name: `^[a-zA-Z_:][a-zA-Z0-9_:]*$`, by convention `level:metric:operations`.
        record: Str,
        /// PromQL expression.
        expr: Expression,
        /// Labels added to the recorded series.
        labels: Option<NamedMap<Str>>,
    }
}

raw_struct! {
    /// One alert level of a threshold.
    Level as "level" {
        /// Fire when the value is above this (in the threshold's unit).
        above: Option<Quantity>,
        /// Fire when the value is below this (in the threshold's unit).
        below: Option<Quantity>,
        /// How long the condition must hold (default: project default).
        for_ as "for": Option<Duration>,
        /// How long the alert keeps firing after the condition clears.
        keep_firing_for: Option<Duration>,
        /// Priority override, e.g. `P0`.
        priority: Option<Str>,
        /// Receivers override for this level.
        notify: Option<Vec<Str>>,
        /// Summary annotation override.
        summary: Option<Str>,
    }
}
