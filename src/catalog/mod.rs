//! The offline metrics catalog: what each metric is (type, help, unit),
//! imported from what describes metrics and kept as a reviewed, sorted YAML
//! file in the project (`catalog.yaml` next to `promspec.yaml`).
//!
//! [`import`] reads Prometheus text exposition (`/metrics` output) and the
//! JSON of `/api/v1/metadata`; this module owns the model, merging, the
//! file format and name lookups (a histogram's `_bucket`, `_sum` and
//! `_count` series belong to it).
//!
//! The file, one metric per block, sorted by name, so a re-import diffs
//! line by line:
//!
//! ```yaml
//! # promspec metrics catalog (promspec catalog import); review changes like code.
//! metrics:
//!   node_cpu_seconds_total:
//!     type: counter
//!     help: "Seconds the CPUs spent in each mode."
//! ```

pub mod import;

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::source::{SourceId, Span};
use crate::yaml;

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
}

/// Metric families by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The families, sorted by name.
    pub metrics: BTreeMap<String, Metric>,
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
    pub fn add(&mut self, name: &str, metric: Metric) {
        match self.metrics.get_mut(name) {
            None => {
                self.metrics.insert(name.to_string(), metric);
            }
            Some(known) => {
                if known.kind == MetricType::Unknown {
                    known.kind = metric.kind;
                }
                if known.help.is_empty() {
                    known.help = metric.help;
                }
                if known.unit.is_empty() {
                    known.unit = metric.unit;
                }
            }
        }
    }

    /// Merge every family of `other` into this catalog.
    pub fn merge(&mut self, other: Catalog) {
        for (name, metric) in other.metrics {
            self.add(&name, metric);
        }
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
            "# promspec metrics catalog (promspec catalog import); review changes like code.\nmetrics:",
        );
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
            catalog.metrics.insert(
                name.value.clone(),
                Metric {
                    kind,
                    help: field("help").unwrap_or_default(),
                    unit: field("unit").unwrap_or_default(),
                },
            );
        }
        Ok(catalog)
    }
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
            kind,
            help: "help with \"quotes\": and a\nnewline".into(),
            unit: String::new(),
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
