//! Which labels are the scrape's and which label values the catalog keeps.
//!
//! The catalog lists the values of a label only when they are an
//! enumeration the exporter defines (`mode` of `node_cpu_seconds_total`,
//! `state` of `pg_stat_activity_count`), so that lint can say that
//! `mode="idel"` matches nothing. Values that depend on the host or the
//! deployment would make that finding false on the next machine, so a
//! label's values are kept only when all of these hold:
//!
//! - at least two and at most [`MAX_VALUES`] distinct values were seen
//!   (`le` and `quantile`, the buckets and quantiles the exporter defines:
//!   at most [`MAX_BUCKETS`]); a single value is more likely this host's
//!   (`time_zone="UTC"`) than the whole set;
//! - the label is not a target label ([`TARGET_LABELS`], or one the
//!   catalog lists in `target_labels`): those are the scrape's, not the
//!   exporter's;
//! - its name is not one that names a thing on a host, in a deployment or
//!   in the workload ([`HOST_LABELS`]: `instance`, `pod`, `device`,
//!   `mountpoint`, `fstype`, `datname`, `cmd`, `time_zone`; any `*version`);
//! - its values are not all integers (CPU numbers, ids, ports), `le` and
//!   `quantile` aside;
//! - the metric is not an `_info` metric (its labels describe the build
//!   and the host).
//!
//! A reviewer who knows better deletes a `values:` line; a later import
//! merges with the file and keeps the deletion (any value stays allowed).

use std::collections::BTreeSet;

/// The most distinct values a label can have and still be listed.
pub const MAX_VALUES: usize = 20;

/// The most `le` (bucket) or `quantile` values listed.
pub const MAX_BUCKETS: usize = 100;

/// Labels the scrape adds to every series of a target.
pub const TARGET_LABELS: &[&str] = &["instance", "job"];

/// Label names whose values name things on a host or in a deployment.
pub const HOST_LABELS: &[&str] = &[
    "address",
    "branch",
    "chip",
    "chip_name",
    "client",
    "cluster",
    "cmd",
    "collector",
    "command",
    "container",
    "core",
    "cpu",
    "database",
    "datid",
    "datname",
    "db",
    "device",
    "driver",
    "endpoint",
    "env",
    "environment",
    "file",
    "fstype",
    "goversion",
    "host",
    "hostname",
    "id",
    "interface",
    "ip",
    "label",
    "machine",
    "model",
    "mountpoint",
    "name",
    "namespace",
    "node",
    "nodename",
    "path",
    "pod",
    "port",
    "queue",
    "region",
    "release",
    "relname",
    "revision",
    "schemaname",
    "sensor",
    "serial",
    "server",
    "service",
    "target",
    "time_zone",
    "topic",
    "url",
    "user",
    "usename",
    "uuid",
    "vendor",
    "version",
    "zone",
];

/// Labels that service discovery and relabelling commonly add to every
/// target of a deployment (Kubernetes `namespace`, `pod`, `node`; `cluster`,
/// `environment`...): lint takes them for target labels, which a catalog
/// fetched elsewhere cannot know.
pub const USUAL_TARGET_LABELS: &[&str] = &[
    "cluster",
    "container",
    "datacenter",
    "dc",
    "endpoint",
    "env",
    "environment",
    "fqdn",
    "host",
    "hostname",
    "namespace",
    "node",
    "pod",
    "region",
    "service",
    "stage",
    "tenant",
    "tier",
    "zone",
];

/// Whether `label` is added by the scrape to every series.
pub fn is_target_label(label: &str) -> bool {
    TARGET_LABELS.contains(&label)
}

/// Whether the values of `label` on the metric `metric` may be listed
/// (before counting them).
pub fn keeps_values(metric: &str, label: &str) -> bool {
    !is_target_label(label)
        && !HOST_LABELS.contains(&label)
        && !label.ends_with("version")
        && !metric.ends_with("_info")
        && !label.starts_with("__")
}

/// Whether `values` of `label` are few enough, and not mere numbers, to
/// keep while importing (series by series, before the whole set is seen).
pub fn within_limit(label: &str, values: &BTreeSet<String>) -> bool {
    match label {
        "le" | "quantile" => values.len() <= MAX_BUCKETS,
        _ => {
            values.len() <= MAX_VALUES
                && !values
                    .iter()
                    .all(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        }
    }
}

/// Whether the whole set `values` of `label` is written to the file: a
/// single value is more likely this host's than the set.
pub fn worth_listing(label: &str, values: &BTreeSet<String>) -> bool {
    matches!(label, "le" | "quantile") || values.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: &[&str]) -> BTreeSet<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn enumerations_are_kept_host_names_and_numbers_are_not() {
        assert!(keeps_values("node_cpu_seconds_total", "mode"));
        assert!(!keeps_values("node_cpu_seconds_total", "cpu"));
        assert!(!keeps_values("node_filesystem_avail_bytes", "fstype"));
        assert!(!keeps_values("node_uname_info", "machine"));
        assert!(!keeps_values("node_os_info", "id_like"));
        assert!(!keeps_values("up", "instance"));
        assert!(within_limit("mode", &set(&["idle", "user"])));
        assert!(!within_limit("port", &set(&["5432", "6379"])));
        assert!(!worth_listing("zone", &set(&["UTC"])), "one value");
        assert!(worth_listing("le", &set(&["+Inf"])));
        assert!(!keeps_values("pg_static", "short_version"));
        let many: BTreeSet<String> = (0..21).map(|i| format!("v{i}")).collect();
        assert!(!within_limit("cmd", &many));
        assert!(within_limit("le", &many));
    }
}
