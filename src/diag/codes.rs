//! Documentation of the diagnostics that are not lint rules: the ids the
//! loader, resolver and PromQL parser report. `promspec explain <id>` prints
//! them; lint rules document themselves in their own files.

/// One documented diagnostic id.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    /// The id.
    pub id: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Longer explanation with an example fix.
    pub explanation: &'static str,
}

/// Every non-rule diagnostic id.
pub const CODES: &[Code] = &[
    Code {
        id: "spec/parse",
        summary: "The file is not valid YAML, is empty, or expands too far through aliases.",
        explanation: "A spec is one YAML mapping. The diagnostic points at the first character the parser could not read. Aliases (`*name`) that expand to more nodes than the file could reasonably hold are rejected, so a crafted file cannot exhaust memory.",
    },
    Code {
        id: "spec/duplicate-key",
        summary: "A key appears twice in one mapping.",
        explanation: "YAML readers disagree on which of two equal keys wins, so promspec rejects the file. Remove one of them.",
    },
    Code {
        id: "spec/unknown-field",
        summary: "A key is not a field of this mapping.",
        explanation: "Usually a typo (`critcal:`) or a field at the wrong level. The help lists the valid fields and the closest match. The JSON schema in `schemas/` lets editors catch this while typing.",
    },
    Code {
        id: "spec/missing-field",
        summary: "A required field is missing.",
        explanation: "For example every threshold needs `id` and `query`, and every feature spec needs `feature` and `team`.",
    },
    Code {
        id: "spec/invalid-type",
        summary: "A value has the wrong type (a list where a string is expected, `yes` where a boolean is expected...).",
        explanation: "promspec does not apply YAML 1.1 conversions: `no`, `on` and `off` are strings, and a boolean field only takes `true` or `false`.",
    },
    Code {
        id: "spec/invalid-unit",
        summary: "A unit is unknown, or a value does not fit the threshold's unit.",
        explanation: "Units are `seconds` (`500ms`, `3s`), `ratio` (`5%` = 0.05), `percent` (`80%` = 80), `bytes` (`512MiB`), `bytes_per_second`, `per_second` (`1000/min`) and `count`. `above: 5%` on a `bytes` threshold is an error at the value.",
    },
    Code {
        id: "spec/invalid-sli",
        summary: "An SLO's indicator has no kind, more than one kind, or an error ratio without `{{.window}}`.",
        explanation: "An `sli:` holds exactly one of `events` (errors and total), `latency` (a histogram and a `threshold` bucket boundary), `availability` (a 0/1 gauge such as `up`) or `error_ratio` (a query with `[{{.window}}]` ranges, substituted by each burn-rate window).",
    },
    Code {
        id: "spec/invalid-duration",
        summary: "A duration is not in Prometheus syntax.",
        explanation: "Write a number followed by ms, s, m, h, d, w or y, largest unit first: `30s`, `5m`, `1h30m`.",
    },
    Code {
        id: "spec/invalid-slug",
        summary: "A feature slug or id does not match ^[a-z][a-z0-9-]*$.",
        explanation: "Slugs name files, labels, record names and dashboard uids, so they are restricted to lower-case letters, digits and `-`.",
    },
    Code {
        id: "spec/invalid-label",
        summary: "A label name is not a valid Prometheus label name.",
        explanation: "Label names match ^[a-zA-Z_][a-zA-Z0-9_]*$.",
    },
    Code {
        id: "spec/reserved-label",
        summary: "A spec sets a label that promspec sets itself.",
        explanation: "`feature`, `team`, `severity` and `priority` are derived from the spec; setting them in `labels:` would make routing disagree with the spec.",
    },
    Code {
        id: "spec/invalid-value",
        summary: "A value is not one of the accepted choices (dialect, language, time of day, weekday, time zone...).",
        explanation: "The help lists the accepted values. Time intervals are checked as Alertmanager reads them: `HH:MM` with two-digit hours and an end after the start, weekdays and months by full name (or month number), days of the month 1..31 or -31..-1, ranges `start:end` that do not wrap, and time zones by their exact IANA name (`Europe/Berlin`, not `Berlin`).",
    },
    Code {
        id: "spec/invalid-url",
        summary: "A URL is not an absolute http(s) URL: `grafana_url`, a runbook, a webhook `url`.",
        explanation: "Alertmanager refuses a webhook URL without an `http://` or `https://` scheme and a host. `grafana_url` and runbooks end up in the `dashboard_url` and `runbook_url` annotations of every alert, where a relative link leads nowhere; promspec appends `/d/<uid>/...` to `grafana_url`, so it cannot have a query string or fragment either. The diagnostic does not quote the value, which may hold credentials.",
    },
    Code {
        id: "spec/invalid-level",
        summary: "A level has both or neither of `above` and `below`.",
        explanation: "Each level compares the value in one direction. A band (too high or too low) needs two thresholds.",
    },
    Code {
        id: "spec/no-levels",
        summary: "A threshold has no `critical`, `warning` or `info` level.",
        explanation: "A threshold without a level never fires; add at least one level.",
    },
    Code {
        id: "spec/duplicate-id",
        summary: "Two thresholds, SLOs or features share an id.",
        explanation: "Ids name recording rules, alerts and dashboard panels, so they must be unique.",
    },
    Code {
        id: "spec/file-name",
        summary: "A feature spec's file name does not match its slug.",
        explanation: "`specs/<feature>.yaml` holds the feature `<feature>`, so generated files and specs can be found from each other.",
    },
    Code {
        id: "spec/output-collision",
        summary: "Two generated files would have the same path.",
        explanation: "A feature's slug names its files (`docs/<feature>.md`, `grafana/<feature>.json`, ...). A feature called `routing` would write `docs/routing.md` over the routing table, and `overview` would replace the overview dashboard. Nothing is written; rename the feature.",
    },
    Code {
        id: "spec/unknown-priority",
        summary: "A priority is not defined under `priorities`.",
        explanation: "Priorities (`P0`..`P4`) are defined in the project file with their response times.",
    },
    Code {
        id: "spec/unknown-severity",
        summary: "A severity is not `critical`, `warning` or `info`, or a level has no severity configuration.",
        explanation: "The project file configures each level used by the specs under `severities:`.",
    },
    Code {
        id: "spec/unknown-time-interval",
        summary: "A time interval is not defined under `time_intervals`.",
        explanation: "Define the interval in the project file, e.g. business hours on weekdays in Asia/Tokyo.",
    },
    Code {
        id: "spec/empty-receiver",
        summary: "A receiver has no integration.",
        explanation: "Add one of `slack`, `email`, `pagerduty`, `opsgenie`, `webhook`.",
    },
    Code {
        id: "alertmanager/invalid-config",
        summary: "An Alertmanager configuration file given to `promspec routes test --config` cannot be read.",
        explanation: "The file must hold a root `route` with a `receiver`, `receivers` with names, and valid matchers (`name=\"value\"`, `=~` regexes that compile), durations and `continue` flags. Every route must name a defined receiver and time interval. `amtool check-config <file>` gives Alertmanager's own verdict.",
    },
    Code {
        id: "rulefile/parse",
        summary: "A rule file is not valid YAML.",
        explanation: "The diagnostic points at the first character the YAML parser could not read. Prometheus refuses to load the file, so none of its rules run.",
    },
    Code {
        id: "rulefile/duplicate-key",
        summary: "A key appears twice in one mapping of a rule file.",
        explanation: "Prometheus refuses such a file (`mapping key already defined`). Remove one of the keys.",
    },
    Code {
        id: "rulefile/unknown-field",
        summary: "A rule file, group or rule has a key Prometheus does not know.",
        explanation: "Prometheus reads rule files strictly and refuses a file with an unknown key (often a typo such as `anotations:` or a key indented one level too deep). Thanos and Mimir group fields (`partial_response_strategy`, `source_tenants`, `evaluation_delay`, `align_evaluation_time_on_interval`) and `query_offset`, `limit` and `labels` are accepted. The help lists the valid keys.",
    },
    Code {
        id: "rulefile/missing-field",
        summary: "A group has no name, or a rule has no `alert`/`record` or no `expr`.",
        explanation: "Every group needs a `name` that is unique in its file; every rule needs either `alert:` or `record:`, and an `expr:`.",
    },
    Code {
        id: "rulefile/invalid-value",
        summary: "A value in a rule file has the wrong type or form.",
        explanation: "For example a `for:` that is not a Prometheus duration, a rule with both `alert` and `record`, a recording rule name that is not a valid series name, an invalid label name, `for` or `annotations` on a recording rule, or a Thanos `partial_response_strategy` other than `warn` or `abort`. Prometheus refuses such a file.",
    },
    Code {
        id: "rulefile/duplicate-group",
        summary: "Two groups in one rule file have the same name.",
        explanation: "Prometheus identifies groups by file and name and refuses a file that repeats a group name. Rename one group or merge them.",
    },
    Code {
        id: "rulefile/unknown-shape",
        summary: "A YAML file is neither a rule file, a PrometheusRule manifest nor a spec, or looks like rules without `groups:`.",
        explanation: "Rule files have `groups:` at the top; prometheus-operator manifests have `kind: PrometheusRule` and `spec.groups`; feature specs live in a directory with a project file `promspec.yaml`. YAML files that match none of these (CI workflows, compose files, other Kubernetes objects) are skipped quietly and counted in the summary line; `promspec lint --report-unknown` reports each as a warning. A file that looks like rules (a rule with `alert:` or `record:` and `expr:`, a group whose `rules:` lists such rules, or a list of either) but has no `groups:` is an error: Prometheus would load nothing from it. Put the rules under `groups: [{name: <group>, rules: [...]}]`.",
    },
    Code {
        id: "catalog/invalid",
        summary: "The metrics catalog (`catalog.yaml`) cannot be read.",
        explanation: "`promspec catalog import` and `promspec catalog fetch` write the catalog: an optional `target_labels:` list and a `metrics:` map from metric name to `type` (counter, gauge, histogram, summary, gaugehistogram, info, stateset or unknown), `help`, `unit`, `labels` (a list of label names) and `values` (label -> list of its values, for labels listed in `labels`). Regenerate it from the exporters' `/metrics` output or Prometheus' `/api/v1/metadata`, or fix the entry the label points at.",
    },
    Code {
        id: "catalog/fetch",
        summary: "`promspec catalog fetch` cannot read the catalog from the Prometheus server.",
        explanation: "The server did not answer within the timeout (5 s to connect, 30 s per request), answered with an HTTP error, or its answer is not the JSON of the Prometheus API (`/api/v1/metadata`, `/api/v1/series`). The message names the URL asked and what went wrong. Nothing is written; the exit status is 2.",
    },
    Code {
        id: "lint/unknown-rule",
        summary: "`lint.rules` in `promspec.yaml` names a rule that does not exist.",
        explanation: "The help suggests the closest id; `promspec explain --list` lists every rule.",
    },
    Code {
        id: "lint/invalid-disable",
        summary: "A `# promspec:` comment is malformed, names an unknown rule, or has no rule after it.",
        explanation: "Write `# promspec: disable=<id>[,<id>...]` just above the rule (or inside it) to silence those rules for that rule, or `# promspec: disable-file=<id>` anywhere in the file to silence them for the whole file. Text after the ids, separated by a space, is a free-form reason.",
    },
    Code {
        id: "lint/unused-disable",
        summary: "A disable comment suppresses nothing.",
        explanation: "The rule it names reports nothing where the comment applies: the problem was fixed, or the comment sits above the wrong rule. Remove it, so that a future problem is not hidden. Comments naming a rule that is turned off in `promspec.yaml` are not reported.",
    },
];

/// The documentation of `id`.
pub fn find(id: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.id == id)
}
