//! The offline metrics catalog: what each metric is (type, help, unit),
//! imported from what describes metrics and kept as a reviewed, sorted YAML
//! file in the project (`catalog.yaml` next to `promspec.yaml`).
//!
//! [`import`] reads Prometheus text exposition (`/metrics` output) and the
//! JSON of `/api/v1/metadata`, `/api/v1/series`, `/api/v1/labels` and
//! `/api/v1/label/<name>/values`; [`fetch`] asks a running Prometheus the
//! same (the only network access promspec makes); [`labels`] decides which
//! label values are kept. This module owns the model, merging, the file
//! format and name lookups (a histogram's `_bucket`, `_sum` and `_count`
//! series belong to it).
//!
//! The file, one metric per block, sorted by name, so a re-import diffs
//! line by line:
//!
//! ```yaml
//! # promspec metrics catalog (promspec catalog import); review changes like code.
//! target_labels: [instance, job]
//! metrics:
//!   node_cpu_seconds_total:
//!     type: counter
//!     help: "Seconds the CPUs spent in each mode."
//!     labels: [cpu, mode]
//!     values:
//!       mode: ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
//! ```
//!
//! `labels` lists every label name of the family's series (a histogram's
//! `le`, a summary's `quantile` included); a metric without `labels` has
//! unknown labels and is not checked for them. `values` lists the values of
//! the labels that [`labels::keeps_values`] keeps; a label without a list
//! can have any value. `target_labels` are the labels Prometheus adds to
//! every series of a target (`job`, `instance` and relabelled ones): never
//! stored per metric, always allowed.

pub mod fetch;
pub mod import;
pub mod labels;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostic;
use crate::source::{SourceId, Span};
use crate::yaml;

/// Series Prometheus writes itself, in no exporter's catalog.
pub const SYNTHETIC: &[&str] = &[
    "up",
    "ALERTS",
    "ALERTS_FOR_STATE",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "scrape_timeout_seconds",
    "scrape_sample_limit",
    "scrape_body_size_bytes",
];

/// Name of the catalog file looked up next to the project file.
pub const FILE_NAME: &str = crate::spec::load::CATALOG_FILE;

/// A metric family's type, as exporters declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MetricType {
    /// Only goes up (and resets to zero).
    Counter,
    /// Goes up and down.
    Gauge,
    /// Buckets, sum and count.
    Histogram,
    /// Quantiles, sum and count.
    Summary,
    /// OpenMetrics gauge histogram.
    GaugeHistogram,
    /// OpenMetrics info (a `_info` gauge of 1).
    Info,
    /// OpenMetrics state set.
    StateSet,
    /// Declared `untyped`/`unknown`, or not declared.
    Unknown,
}

impl MetricType {
    /// The name exporters and the catalog file use.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// Read a declared type (`untyped` is `unknown`).
    pub fn parse(s: &str) -> Option<MetricType> {
        Some(match s {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            "unknown" | "untyped" => MetricType::Unknown,
            _ => return None,
        })
    }
}

/// What the catalog knows about one metric family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Its type.
    pub kind: MetricType,
    /// Its help text.
    pub help: String,
    /// Its unit (`seconds`, `bytes`; empty when not declared).
    pub unit: String,
    /// The label names of its series, when known (target labels excluded).
    pub labels: Option<BTreeSet<String>>,
    /// What is known about the values of its labels; a label missing here
    /// is one whose values nobody has looked at.
    pub values: BTreeMap<String, Values>,
}

/// The values a label of a metric can have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// Exactly these (a low-cardinality label, see [`labels`]).
    Listed(BTreeSet<String>),
    /// Any value (too many, or values that differ from host to host).
    Any,
}

impl Values {
    /// What two inputs say together: the union of two lists while it stays
    /// short enough, otherwise any value.
    fn merge(self, other: Values, label: &str) -> Values {
        match (self, other) {
            (Values::Listed(mut a), Values::Listed(b)) => {
                a.extend(b);
                if labels::within_limit(label, &a) {
                    Values::Listed(a)
                } else {
                    Values::Any
                }
            }
            _ => Values::Any,
        }
    }
}

impl Metric {
    /// A family of type `kind` with no help, unit or labels.
    pub fn of(kind: MetricType) -> Metric {
        Metric {
            kind,
            help: String::new(),
            unit: String::new(),
            labels: None,
            values: BTreeMap::new(),
        }
    }

    /// The values of `label` when the catalog lists them.
    pub fn listed(&self, label: &str) -> Option<&BTreeSet<String>> {
        match self.values.get(label) {
            Some(Values::Listed(v)) => Some(v),
            _ => None,
        }
    }

    /// Merge what `other` knows about the labels: names and values united.
    fn merge_labels(&mut self, other: Metric) {
        if let Some(theirs) = other.labels {
            self.labels.get_or_insert_with(BTreeSet::new).extend(theirs);
        }
        for (label, v) in other.values {
            let merged = match self.values.remove(&label) {
                Some(mine) => mine.merge(v, &label),
                None => v,
            };
            self.values.insert(label, merged);
        }
    }
}

/// Metric families by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The families, sorted by name.
    pub metrics: BTreeMap<String, Metric>,
    /// Labels the scrape adds to every series (`job`, `instance` and those
    /// relabelling adds), beyond [`labels::TARGET_LABELS`].
    pub target_labels: BTreeSet<String>,
}

/// Series suffixes that belong to a family of another name.
const FAMILY_SUFFIXES: &[(&str, &[MetricType])] = &[
    (
        "_bucket",
        &[MetricType::Histogram, MetricType::GaugeHistogram],
    ),
    ("_sum", &[MetricType::Histogram, MetricType::Summary]),
    ("_count", &[MetricType::Histogram, MetricType::Summary]),
    ("_gsum", &[MetricType::GaugeHistogram]),
    ("_gcount", &[MetricType::GaugeHistogram]),
    ("_total", &[MetricType::Counter]),
    (
        "_created",
        &[
            MetricType::Counter,
            MetricType::Histogram,
            MetricType::Summary,
        ],
    ),
    ("_info", &[MetricType::Info]),
];

impl Catalog {
    /// Add `name`, keeping what is already known: a declared type wins over
    /// `unknown`, a help text or unit over none.
    pub fn add(&mut self, name: &str, mut metric: Metric) {
        match self.metrics.get_mut(name) {
            None => {
                self.metrics.insert(name.to_string(), metric);
            }
            Some(known) => {
                if known.kind == MetricType::Unknown {
                    known.kind = metric.kind;
                }
                if known.help.is_empty() {
                    known.help = std::mem::take(&mut metric.help);
                }
                if known.unit.is_empty() {
                    known.unit = std::mem::take(&mut metric.unit);
                }
                known.merge_labels(metric);
            }
        }
    }

    /// Merge every family of `other` into this catalog.
    pub fn merge(&mut self, other: Catalog) {
        self.target_labels.extend(other.target_labels);
        for (name, metric) in other.metrics {
            self.add(&name, metric);
        }
        self.fold_series();
        self.drop_target_labels();
    }

    /// Fold entries of unknown type that are a series of a declared family
    /// (`x_bucket` of the histogram `x`, read from `/api/v1/series` before
    /// the metadata said what `x` is) into that family.
    fn fold_series(&mut self) {
        let folded: Vec<(String, String)> = self
            .metrics
            .iter()
            .filter(|(_, m)| m.kind == MetricType::Unknown)
            .filter_map(|(name, _)| {
                FAMILY_SUFFIXES.iter().find_map(|(suffix, kinds)| {
                    let stem = name.strip_suffix(suffix)?;
                    let family = self.metrics.get(stem)?;
                    kinds
                        .contains(&family.kind)
                        .then(|| (name.clone(), stem.to_string()))
                })
            })
            .collect();
        for (series, family) in folded {
            if let Some(mut m) = self.metrics.remove(&series) {
                m.kind = MetricType::Unknown;
                m.help.clear();
                m.unit.clear();
                self.add(&family, m);
            }
        }
    }

    /// Move labels that are target labels out of every metric.
    pub fn drop_target_labels(&mut self) {
        let targets = &self.target_labels;
        for m in self.metrics.values_mut() {
            if let Some(labels) = &mut m.labels {
                labels.retain(|l| !targets.contains(l) && !labels::is_target_label(l));
            }
            m.values
                .retain(|l, _| !targets.contains(l) && !labels::is_target_label(l));
        }
    }

    /// Whether every series may carry `label` because the scrape adds it:
    /// `job`, `instance`, the catalog's `target_labels` and the labels
    /// service discovery usually adds ([`labels::USUAL_TARGET_LABELS`]).
    pub fn is_target_label(&self, label: &str) -> bool {
        labels::is_target_label(label)
            || self.target_labels.contains(label)
            || labels::USUAL_TARGET_LABELS.contains(&label)
    }

    /// The labels a series `series` can carry, when the catalog knows them:
    /// its family's labels (a histogram's `le` only on `_bucket` series, a
    /// summary's `quantile` not on `_sum` and `_count`), target labels not
    /// included.
    pub fn series_labels(&self, series: &str) -> Option<BTreeSet<&str>> {
        let (name, m) = self.family(series)?;
        let labels = m.labels.as_ref()?;
        let suffix = &series[name.len()..];
        Some(
            labels
                .iter()
                .map(String::as_str)
                .filter(|l| match *l {
                    "le" if matches!(
                        m.kind,
                        MetricType::Histogram | MetricType::GaugeHistogram
                    ) =>
                    {
                        suffix == "_bucket"
                    }
                    "quantile" if m.kind == MetricType::Summary => suffix.is_empty(),
                    _ => true,
                })
                .collect(),
        )
    }

    /// The known values of `label` on the series `series`, when listed.
    pub fn label_values(&self, series: &str, label: &str) -> Option<&BTreeSet<String>> {
        self.family(series)?.1.listed(label)
    }

    /// The family a series name belongs to, with the family's name: the
    /// name itself, or for `x_bucket`, `x_sum`, `x_count`, `x_total`... the
    /// histogram, summary or counter `x`.
    pub fn family(&self, series: &str) -> Option<(&str, &Metric)> {
        if let Some((name, m)) = self.metrics.get_key_value(series) {
            return Some((name, m));
        }
        FAMILY_SUFFIXES.iter().find_map(|(suffix, kinds)| {
            let stem = series.strip_suffix(suffix)?;
            let (name, m) = self.metrics.get_key_value(stem)?;
            kinds.contains(&m.kind).then_some((name.as_str(), m))
        })
    }

    /// The type of the series `series`: a histogram's `_bucket` series is
    /// a counter of observations, its `_sum` and `_count` counters too.
    pub fn series_type(&self, series: &str) -> Option<MetricType> {
        let (name, m) = self.family(series)?;
        if name == series {
            return Some(m.kind);
        }
        Some(match m.kind {
            MetricType::Histogram | MetricType::Summary => MetricType::Counter,
            MetricType::GaugeHistogram => MetricType::Gauge,
            kind => kind,
        })
    }

    /// The catalog file's text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# promspec metrics catalog (promspec catalog import); review changes like code.\n",
        );
        if !self.target_labels.is_empty() {
            out.push_str(&format!(
                "target_labels: {}\n",
                flow(self.target_labels.iter(), quote_key)
            ));
        }
        out.push_str("metrics:");
        if self.metrics.is_empty() {
            out.push_str(" {}\n");
            return out;
        }
        out.push('\n');
        for (name, m) in &self.metrics {
            out.push_str(&format!(
                "  {}:\n    type: {}\n",
                quote_key(name),
                m.kind.as_str()
            ));
            if !m.help.is_empty() {
                out.push_str(&format!("    help: {}\n", quote(&m.help)));
            }
            if !m.unit.is_empty() {
                out.push_str(&format!("    unit: {}\n", quote(&m.unit)));
            }
            if let Some(labels) = &m.labels {
                out.push_str(&format!("    labels: {}\n", flow(labels.iter(), quote_key)));
            }
            let listed: Vec<_> = m
                .values
                .iter()
                .filter_map(|(l, v)| match v {
                    Values::Listed(v) if labels::worth_listing(l, v) => Some((l, v)),
                    _ => None,
                })
                .collect();
            if !listed.is_empty() {
                out.push_str("    values:\n");
                for (label, values) in listed {
                    out.push_str(&format!(
                        "      {}: {}\n",
                        quote_key(label),
                        flow(values.iter(), quote)
                    ));
                }
            }
        }
        out
    }

    /// Read a catalog file; problems are diagnostics at their span.
    pub fn parse(id: SourceId, text: &str) -> Result<Catalog, Diagnostic> {
        let docs = yaml::parse(id, text)?;
        let mut catalog = Catalog::default();
        let Some(doc) = docs.first() else {
            return Ok(catalog);
        };
        if let Some(targets) = doc.root.get("target_labels") {
            catalog.target_labels = strings(targets, "`target_labels` is a list of label names")?
                .into_iter()
                .collect();
        }
        let Some(metrics) = doc.root.get("metrics") else {
            return Err(invalid(doc.root.span, "no `metrics:` map"));
        };
        if metrics.is_null() {
            return Ok(catalog);
        }
        let entries = metrics
            .as_map()
            .ok_or_else(|| invalid(metrics.span, "`metrics:` is not a map"))?;
        for (key, value) in entries {
            let name = key
                .as_scalar()
                .ok_or_else(|| invalid(key.span, "a metric name must be a string"))?;
            let field = |k: &str| {
                value
                    .get(k)
                    .and_then(|n| n.as_scalar())
                    .map(|s| s.value.clone())
            };
            let kind = field("type").unwrap_or_default();
            let kind = MetricType::parse(&kind).ok_or_else(|| {
                invalid(
                    value.get("type").map_or(key.span, |n| n.span),
                    "`type` is not one of counter, gauge, histogram, summary, gaugehistogram, info, stateset, unknown",
                )
            })?;
            let labels = match value.get("labels") {
                None => None,
                Some(n) => Some(
                    strings(n, "`labels` is a list of label names")?
                        .into_iter()
                        .collect::<BTreeSet<_>>(),
                ),
            };
            let mut values = BTreeMap::new();
            if let Some(v) = value.get("values").filter(|v| !v.is_null()) {
                let entries = v
                    .as_map()
                    .ok_or_else(|| invalid(v.span, "`values` maps a label to its values"))?;
                for (key, list) in entries {
                    let label = key
                        .as_scalar()
                        .ok_or_else(|| invalid(key.span, "a label name must be a string"))?;
                    if labels.as_ref().is_some_and(|l| !l.contains(&label.value)) {
                        return Err(invalid(
                            key.span,
                            "a label with values must be listed in `labels`",
                        ));
                    }
                    values.insert(
                        label.value.clone(),
                        Values::Listed(
                            strings(list, "a label's values are a list of strings")?
                                .into_iter()
                                .collect(),
                        ),
                    );
                }
            }
            // A listed label without values can have any value.
            for label in labels.iter().flatten() {
                values.entry(label.clone()).or_insert(Values::Any);
            }
            catalog.metrics.insert(
                name.value.clone(),
                Metric {
                    kind,
                    help: field("help").unwrap_or_default(),
                    unit: field("unit").unwrap_or_default(),
                    labels,
                    values,
                },
            );
        }
        Ok(catalog)
    }
}

/// A YAML list of strings (`[]` or null for none).
fn strings(node: &yaml::Node, what: &str) -> Result<Vec<String>, Diagnostic> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node.as_seq().ok_or_else(|| invalid(node.span, what))?;
    items
        .iter()
        .map(|i| {
            i.as_scalar()
                .map(|s| s.value.clone())
                .ok_or_else(|| invalid(i.span, what))
        })
        .collect()
}

/// A one-line YAML flow list.
fn flow<'a>(items: impl Iterator<Item = &'a String>, f: impl Fn(&str) -> String) -> String {
    let items: Vec<String> = items.map(|i| f(i)).collect();
    format!("[{}]", items.join(", "))
}

fn invalid(span: Span, label: &str) -> Diagnostic {
    Diagnostic::error("catalog/invalid", "the metrics catalog cannot be read")
        .with_label(span, label)
        .with_help("regenerate it with `promspec catalog import` or fix the entry by hand")
}

/// A metric name is a plain YAML key unless it could read as something else.
fn quote_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !matches!(
            name,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain { name.to_string() } else { quote(name) }
}

/// A double-quoted YAML string (JSON escapes are valid YAML escapes).
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// The catalog of a directory (`catalog.yaml` next to a project file), when
/// there is one. A catalog that does not parse is a diagnostic, and lint goes
/// on without it; a file that cannot be read is an I/O error.
pub fn read_dir(
    dir: &std::path::Path,
    sources: &mut crate::source::SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::io::Result<Option<std::sync::Arc<Catalog>>> {
    let path = dir.join(FILE_NAME);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    let id = sources.add(&path, text);
    match Catalog::parse(id, &sources.get(id).text) {
        Ok(c) => Ok(Some(std::sync::Arc::new(c))),
        Err(d) => {
            diagnostics.push(d);
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(kind: MetricType) -> Metric {
        Metric {
            help: "help with \"quotes\": and a\nnewline".into(),
            ..Metric::of(kind)
        }
    }

    #[test]
    fn the_file_round_trips() {
        let mut c = Catalog::default();
        c.add(
            "http_request_duration_seconds",
            metric(MetricType::Histogram),
        );
        c.add("up", metric(MetricType::Gauge));
        c.add("on", metric(MetricType::Unknown));
        let text = c.to_yaml();
        assert!(text.contains("\n  \"on\":\n    type: unknown\n"), "{text}");
        assert_eq!(Catalog::parse(SourceId(0), &text).unwrap(), c);
        assert_eq!(
            Catalog::parse(SourceId(0), &Catalog::default().to_yaml()).unwrap(),
            Catalog::default()
        );
        let bad = Catalog::parse(SourceId(0), "metrics:\n  up:\n    type: meter\n").unwrap_err();
        assert_eq!(bad.id, "catalog/invalid");
    }

    #[test]
    fn series_of_a_family_resolve_to_it() {
        let mut c = Catalog::default();
        c.add(
            "http_request_duration_seconds",
            metric(MetricType::Histogram),
        );
        c.add("jobs", metric(MetricType::Counter));
        c.add("queue_length", metric(MetricType::Gauge));
        let t = |s| c.series_type(s);
        assert_eq!(
            t("http_request_duration_seconds_bucket"),
            Some(MetricType::Counter)
        );
        assert_eq!(
            t("http_request_duration_seconds"),
            Some(MetricType::Histogram)
        );
        assert_eq!(t("jobs_total"), Some(MetricType::Counter));
        assert_eq!(t("queue_length"), Some(MetricType::Gauge));
        assert_eq!(
            t("queue_length_total"),
            None,
            "a gauge has no _total series"
        );
        assert_eq!(t("nope"), None);
    }
}
