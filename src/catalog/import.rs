//! Reading what describes metrics into a [`Catalog`]: Prometheus text
//! exposition (and OpenMetrics: `# HELP`, `# TYPE`, `# UNIT` and samples
//! with their labels) and the JSON of Prometheus' `/api/v1/metadata`,
//! `/api/v1/series`, `/api/v1/labels` and `/api/v1/label/<name>/values`.

use std::collections::BTreeMap;

use serde::Deserialize;

use std::collections::BTreeSet;

use super::{Catalog, Metric, MetricType, Values, labels};

/// Why an input cannot be imported.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    /// 1-based line (1 for JSON errors without one).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// What a bare list of strings (`/api/v1/labels`, `/api/v1/label/<name>/values`)
/// is about: the JSON does not say.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The metric the list belongs to (`match[]=<metric>`).
    pub metric: Option<String>,
    /// For a values list: the label whose values they are.
    pub label: Option<String>,
}

/// Read `text`: JSON when it starts with `{`, text exposition otherwise.
pub fn read(text: &str) -> Result<Catalog, ImportError> {
    read_with(text, &Context::default())
}

/// [`read`], with what a list of label names or values is about.
pub fn read_with(text: &str, context: &Context) -> Result<Catalog, ImportError> {
    if text.trim_start().starts_with('{') {
        json(text, context)
    } else {
        exposition(text)
    }
}

#[derive(Deserialize)]
struct Response {
    status: String,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct MetadataEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    unit: String,
}

fn not_json(what: &str, e: serde_json::Error) -> ImportError {
    ImportError {
        line: e.line().max(1),
        message: format!("not the JSON of {what}: {e}"),
    }
}

/// The JSON of a Prometheus API response: `/api/v1/metadata` (an object of
/// metrics), `/api/v1/series` (a list of label sets), `/api/v1/labels` or
/// `/api/v1/label/<name>/values` (a list of strings, about `context`).
pub fn json(text: &str, context: &Context) -> Result<Catalog, ImportError> {
    let what = "a Prometheus API response";
    let response: Response = serde_json::from_str(text).map_err(|e| not_json(what, e))?;
    if response.status != "success" {
        return Err(ImportError {
            line: 1,
            message: format!(
                "the response says `{}`: {}",
                response.status,
                response.error.unwrap_or_default()
            ),
        });
    }
    match response.data {
        serde_json::Value::Object(_) => metadata(response.data),
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
            let items = items
                .into_iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect();
            string_list(items, context)
        }
        serde_json::Value::Array(_) => {
            let sets: Vec<BTreeMap<String, String>> =
                serde_json::from_value(response.data).map_err(|e| not_json("/api/v1/series", e))?;
            Ok(series(sets))
        }
        _ => Err(ImportError {
            line: 1,
            message:
                "`data` is neither the metadata, series, labels nor values of the Prometheus API"
                    .into(),
        }),
    }
}

/// The JSON of `/api/v1/metadata`: `{"status": "success", "data": {name: [{type, help, unit}]}}`.
pub fn metadata_json(text: &str) -> Result<Catalog, ImportError> {
    json(text, &Context::default())
}

fn metadata(data: serde_json::Value) -> Result<Catalog, ImportError> {
    let data: BTreeMap<String, Vec<MetadataEntry>> =
        serde_json::from_value(data).map_err(|e| not_json("/api/v1/metadata", e))?;
    let mut catalog = Catalog::default();
    for (name, entries) in data {
        for e in entries {
            catalog.add(
                &name,
                Metric {
                    help: e.help,
                    unit: e.unit,
                    ..Metric::of(MetricType::parse(&e.kind).unwrap_or(MetricType::Unknown))
                },
            );
        }
    }
    Ok(catalog)
}

/// `/api/v1/labels?match[]=<metric>` (label names) or
/// `/api/v1/label/<label>/values?match[]=<metric>` (its values).
fn string_list(items: Vec<String>, context: &Context) -> Result<Catalog, ImportError> {
    let Some(metric) = &context.metric else {
        return Err(ImportError {
            line: 1,
            message: "a list of label names or values: say which metric it belongs to with `--metric` (and give values files as `--values LABEL=FILE`)".into(),
        });
    };
    let mut m = Metric::of(MetricType::Unknown);
    match &context.label {
        None => {
            m.labels = Some(
                items
                    .into_iter()
                    .filter(|l| !l.starts_with("__") && !labels::is_target_label(l))
                    .collect(),
            );
        }
        Some(label) => {
            let values: BTreeSet<String> = items.into_iter().collect();
            m.values
                .insert(label.clone(), decide(metric, label, values));
        }
    }
    let mut catalog = Catalog::default();
    catalog.add(metric, m);
    Ok(catalog)
}

/// The label sets of `/api/v1/series`. Recorded series (names with `:`)
/// and the series Prometheus writes itself are left out; the labels of
/// `up` are the target labels.
fn series(sets: Vec<BTreeMap<String, String>>) -> Catalog {
    let mut catalog = Catalog::default();
    let mut seen = Seen::default();
    for mut set in sets {
        let Some(name) = set.remove("__name__") else {
            continue;
        };
        if name == "up" {
            catalog.target_labels.extend(set.into_keys());
            continue;
        }
        if name.contains(':') || super::SYNTHETIC.contains(&name.as_str()) {
            continue;
        }
        seen.add(&name, set);
    }
    seen.finish(&mut catalog);
    catalog.drop_target_labels();
    catalog
}

/// Label names and values seen per series name.
#[derive(Default)]
struct Seen {
    series: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Seen {
    fn add(&mut self, name: &str, labels: impl IntoIterator<Item = (String, String)>) {
        let entry = self.series.entry(name.to_string()).or_default();
        for (label, value) in labels {
            let values = entry.entry(label).or_default();
            // Enough to know that there are too many.
            if values.len() <= labels::MAX_BUCKETS {
                values.insert(value);
            }
        }
    }

    /// Add every series' labels to its family in `catalog` (a histogram's
    /// `_bucket` to the histogram), or to a family of its own name.
    fn finish(self, catalog: &mut Catalog) {
        for (name, seen) in self.series {
            let family = catalog
                .family(&name)
                .map_or(name.clone(), |(f, _)| f.to_string());
            let mut m = Metric::of(MetricType::Unknown);
            m.labels = Some(seen.keys().cloned().collect());
            for (label, values) in seen {
                let v = decide(&family, &label, values);
                m.values.insert(label, v);
            }
            catalog.add(&family, m);
        }
    }
}

/// Whether the catalog lists `values` of `label` on `metric` ([`labels`]).
fn decide(metric: &str, label: &str, values: BTreeSet<String>) -> Values {
    if labels::keeps_values(metric, label) && labels::within_limit(label, &values) {
        Values::Listed(values)
    } else {
        Values::Any
    }
}

/// Prometheus text exposition or OpenMetrics. Families come from `# TYPE`,
/// `# HELP` and `# UNIT` lines; a sample whose name belongs to no declared
/// family is a family of unknown type. The samples' labels are the
/// families' labels.
pub fn exposition(text: &str) -> Result<Catalog, ImportError> {
    let mut catalog = Catalog::default();
    let mut seen = Seen::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let err = |message: String| ImportError {
            line: n + 1,
            message,
        };
        if let Some(comment) = line.strip_prefix('#') {
            let mut parts = comment.trim_start().splitn(3, ' ');
            let keyword = parts.next().unwrap_or("");
            if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
                continue;
            }
            let name = parts.next().unwrap_or("");
            if !valid_name(name) {
                return Err(err(format!("`# {keyword}` without a metric name")));
            }
            let rest = parts.next().unwrap_or("");
            let mut metric = Metric::of(MetricType::Unknown);
            match keyword {
                "HELP" => metric.help = unescape(rest),
                "TYPE" => {
                    metric.kind = MetricType::parse(rest.trim())
                        .ok_or_else(|| err(format!("`{}` is not a metric type", rest.trim())))?
                }
                _ => metric.unit = rest.trim().to_string(),
            }
            catalog.add(name, metric);
        } else if !line.trim().is_empty() {
            let end = line
                .find(|c: char| c == '{' || c.is_whitespace())
                .unwrap_or(line.len());
            let name = &line[..end];
            if !valid_name(name) {
                return Err(err(format!(
                    "`{}` is neither a comment nor a sample",
                    line.chars().take(40).collect::<String>()
                )));
            }
            let labels = match line[end..].strip_prefix('{') {
                Some(rest) => sample_labels(rest).ok_or_else(|| {
                    err(format!(
                        "the labels of `{name}` are not `{{name=\"value\", ...}}`"
                    ))
                })?,
                None => Vec::new(),
            };
            seen.add(name, labels);
        }
    }
    seen.finish(&mut catalog);
    Ok(catalog)
}

/// The labels of a sample, from after its `{` to the closing `}`.
fn sample_labels(text: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            let _ = after;
            return Some(labels);
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        if !valid_name(name) {
            return None;
        }
        let mut chars = rest[eq + 1..].trim_start().char_indices();
        let start = rest.len() - rest[eq + 1..].trim_start().len();
        if chars.next()?.1 != '"' {
            return None;
        }
        let mut value = String::new();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    c => value.push(c),
                },
                (_, c) => value.push(c),
            }
        };
        labels.push((name.to_string(), value));
        rest = rest[start + end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `# HELP` escapes: `\\` and `\n`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_families_and_undeclared_samples() {
        let text = "# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{code=\"200\"} 3\n# HELP lat Latency \\\\ in\\nseconds.\n# TYPE lat histogram\n# UNIT lat seconds\nlat_bucket{le=\"1\"} 1\nlat_sum 1\nlat_count 1\nbare_metric 1\n";
        let c = read(text).unwrap();
        let names: Vec<_> = c.metrics.keys().map(String::as_str).collect();
        assert_eq!(names, ["bare_metric", "lat", "req_total"]);
        assert_eq!(c.metrics["lat"].help, "Latency \\ in\nseconds.");
        assert_eq!(c.metrics["lat"].unit, "seconds");
        assert_eq!(c.metrics["bare_metric"].kind, MetricType::Unknown);
        assert_eq!(c.metrics["req_total"].kind, MetricType::Counter);
        let e = read("# TYPE x meter\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(read("{not json").is_err());
        assert!(read("<html>\n").is_err());
    }

    #[test]
    fn metadata_json() {
        let c = read(r#"{"status":"success","data":{"up":[{"type":"gauge","help":"Up.","unit":""}],"x_total":[{"type":"untyped","help":"","unit":""},{"type":"counter","help":"X.","unit":""}]}}"#).unwrap();
        assert_eq!(c.metrics["up"].kind, MetricType::Gauge);
        assert_eq!(c.metrics["x_total"].kind, MetricType::Counter);
        assert_eq!(c.metrics["x_total"].help, "X.");
        assert!(read(r#"{"status":"error","error":"bad"}"#).is_err());
    }
}
