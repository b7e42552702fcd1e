//! Reading what describes metrics into a [`Catalog`]: Prometheus text
//! exposition (and OpenMetrics: `# HELP`, `# TYPE`, `# UNIT` and samples)
//! and the JSON of Prometheus' `/api/v1/metadata`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Catalog, Metric, MetricType};

/// Why an input cannot be imported.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    /// 1-based line (1 for JSON errors without one).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Read `text`: JSON when it starts with `{`, text exposition otherwise.
pub fn read(text: &str) -> Result<Catalog, ImportError> {
    if text.trim_start().starts_with('{') {
        metadata_json(text)
    } else {
        exposition(text)
    }
}

#[derive(Deserialize)]
struct MetadataResponse {
    status: String,
    #[serde(default)]
    data: BTreeMap<String, Vec<MetadataEntry>>,
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

/// The JSON of `/api/v1/metadata`: `{"status": "success", "data": {name: [{type, help, unit}]}}`.
pub fn metadata_json(text: &str) -> Result<Catalog, ImportError> {
    let response: MetadataResponse = serde_json::from_str(text).map_err(|e| ImportError {
        line: e.line().max(1),
        message: format!("not the JSON of /api/v1/metadata: {e}"),
    })?;
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
    let mut catalog = Catalog::default();
    for (name, entries) in response.data {
        for e in entries {
            catalog.add(
                &name,
                Metric {
                    kind: MetricType::parse(&e.kind).unwrap_or(MetricType::Unknown),
                    help: e.help,
                    unit: e.unit,
                },
            );
        }
    }
    Ok(catalog)
}

/// Prometheus text exposition or OpenMetrics. Families come from `# TYPE`,
/// `# HELP` and `# UNIT` lines; a sample whose name belongs to no declared
/// family is a family of unknown type.
pub fn exposition(text: &str) -> Result<Catalog, ImportError> {
    let mut catalog = Catalog::default();
    let mut samples = Vec::new();
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
            let mut metric = Metric {
                kind: MetricType::Unknown,
                help: String::new(),
                unit: String::new(),
            };
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
            samples.push(name.to_string());
        }
    }
    for name in samples {
        if catalog.family(&name).is_none() {
            catalog.add(
                &name,
                Metric {
                    kind: MetricType::Unknown,
                    help: String::new(),
                    unit: String::new(),
                },
            );
        }
    }
    Ok(catalog)
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
